#include "cli/cli.h"

#include "daemon/daemon.h"

int
cmd_run(struct cli_options *opts)
{
	struct daemon_options d = {
		.config_path = opts->config_path,
		.state_dir = opts->state_dir,
		.log_format = opts->log_format,
		.verbose = opts->verbose,
		.monitor_only = opts->monitor_only,
		.no_web = opts->no_web,
	};

	if (opts->n_args > 0) {
		fprintf(stderr, "tend run: unexpected argument '%s'\n", opts->args[0]);
		return 2;
	}
	return daemon_run(&d);
}
