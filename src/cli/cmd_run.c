#include "cli/cli.h"

#include "daemon/daemon.h"

/* tend run, and tend init: the same daemon, init saying it is a container's PID 1. */
static int
cmd_daemon(struct cli_options *opts, const char *cmd, bool init)
{
	struct daemon_options d = {
		.config_path = opts->config_path,
		.state_dir = opts->state_dir,
		.log_format = opts->log_format,
		.verbose = opts->verbose,
		.monitor_only = opts->monitor_only,
		.no_web = opts->no_web,
		.init = init,
	};

	if (opts->n_args > 0) {
		fprintf(stderr, "tend %s: unexpected argument '%s'\n", cmd, opts->args[0]);
		return 2;
	}
	return daemon_run(&d);
}

int
cmd_run(struct cli_options *opts)
{
	return cmd_daemon(opts, "run", false);
}

int
cmd_init(struct cli_options *opts)
{
	return cmd_daemon(opts, "init", true);
}
