#include "cli/cli.h"

#include "config/config.h"

int
cmd_validate(struct cli_options *opts)
{
	struct config_errors errs = { 0 };
	struct tend_config *cfg;

	cfg = config_load_auto(opts->config_path, &errs);
	if (cfg == NULL) {
		config_errors_print(&errs, stdout);
		config_errors_clear(&errs);
		return 2;
	}
	printf("ok\n");
	if (opts->verbose)
		printf("%s: %zu services, %zu checks\n", cfg->source,
		    cfg->n_services, cfg->n_checks);
	config_free(cfg);
	return 0;
}
