#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/log.h"
#include "core/mem.h"
#include "daemon/paths.h"

void
cli_usage(FILE *out)
{
	fputs("usage: tend COMMAND [options]\n"
	    "\n"
	    "  run      [-c FILE] [--state-dir DIR] [--log-format text|json] [--verbose]\n"
	    "           run the daemon in the foreground\n"
	    "  validate [-c FILE]              check a config; prints ok or every error\n"
	    "  status   [--format text|json]   services and checks of the running daemon\n"
	    "  check    [--all|--services|--deps|--resources] [--only NAME] [--format text|json]\n"
	    "           run the configured checks once, in parallel; exit 0/1/2/3\n"
	    "  start NAME | stop NAME | restart NAME\n"
	    "  version                         tend's and its libraries' versions\n"
	    "\n"
	    "  -c FILE defaults to $TEND_CONFIG, then the embedded default config.\n"
	    "  The control commands find the daemon in its state dir: pass the same\n"
	    "  -c or --state-dir as the daemon's.\n", out);
}

static const struct option cli_long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, 'S' },
	{ "format", required_argument, NULL, 'f' },
	{ "log-format", required_argument, NULL, 'L' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "all", no_argument, NULL, 'A' },
	{ "services", no_argument, NULL, 's' },
	{ "deps", no_argument, NULL, 'd' },
	{ "resources", no_argument, NULL, 'r' },
	{ "only", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

static int
cli_parse_format(const char *cmd, const char *value, int *out)
{
	if (strcmp(value, "text") == 0)
		*out = 0;
	else if (strcmp(value, "json") == 0)
		*out = 1;
	else {
		fprintf(stderr, "tend %s: format must be text or json, not '%s'\n",
		    cmd, value);
		return 2;
	}
	return 0;
}

int
cli_parse_options(const char *cmd, int argc, char **argv,
    struct cli_options *opts)
{
	int c, value;

	memset(opts, 0, sizeof(*opts));
	opts->log_format = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:f:vh", cli_long_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			opts->config_path = optarg;
			break;
		case 'S':
			opts->state_dir = optarg;
			break;
		case 'f':
			if (cli_parse_format(cmd, optarg, &value) != 0)
				return 2;
			opts->format = value ? OUTPUT_JSON : OUTPUT_TEXT;
			break;
		case 'L':
			if (cli_parse_format(cmd, optarg, &value) != 0)
				return 2;
			opts->log_format = value ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT;
			break;
		case 'v':
			opts->verbose = true;
			break;
		case 'A':
			opts->select = 0;
			break;
		case 's':
			opts->select |= CHECK_SELECT_SERVICES;
			break;
		case 'd':
			opts->select |= CHECK_SELECT_DEPS;
			break;
		case 'r':
			opts->select |= CHECK_SELECT_RESOURCES;
			break;
		case 'o':
			opts->only = optarg;
			break;
		case 'h':
			cli_usage(stdout);
			exit(0);
		default:
			cli_usage(stderr);
			return 2;
		}
	}
	opts->args = argv + optind;
	opts->n_args = argc - optind;
	return 0;
}

/*
 * The daemon's state dir depends on its config (state_dir:), so a
 * control command reads the same config when it is given one.
 */
char *
cli_socket_path(const struct cli_options *opts)
{
	struct config_errors errs = { 0 };
	struct tend_config *cfg = NULL;
	char *dir, *path;

	if (opts->state_dir == NULL && getenv("TEND_STATE_DIR") == NULL &&
	    (opts->config_path != NULL || getenv("TEND_CONFIG") != NULL)) {
		cfg = config_load_auto(opts->config_path, &errs);
		config_errors_clear(&errs);
	}
	dir = paths_state_dir(opts->state_dir, cfg);
	path = paths_control_socket(dir);
	free(dir);
	config_free(cfg);
	return path;
}
