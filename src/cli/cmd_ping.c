/*
 * tend ping NAME [--fail|--start] [-m MESSAGE]: a heartbeat check's ping,
 * through the daemon's control socket (docs/heartbeats.md). A job on
 * another host, or of a user who cannot reach the socket, POSTs
 * /api/ping/NAME with the check's key instead.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static void
ping_usage(FILE *out)
{
	fputs("usage: tend ping NAME [--fail | --start] [-m MESSAGE] [-c FILE] "
	    "[--state-dir DIR]\n"
	    "  a heartbeat check's ping: the job ran (or, --fail, failed: critical at\n"
	    "  once; --start, began: the next ping gives its duration); -m, --message:\n"
	    "  a line to record with it\n", out);
}

enum { OPT_STATE_DIR = 256, OPT_FAIL, OPT_START };

static const struct option ping_long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "fail", no_argument, NULL, OPT_FAIL },
	{ "start", no_argument, NULL, OPT_START },
	{ "message", required_argument, NULL, 'm' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_ping(int argc, char **argv)
{
	struct cli_options opts;
	const char *kind = "ping", *message = NULL;
	json_t *request, *answer;
	int c;

	memset(&opts, 0, sizeof(opts));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:m:h", ping_long_options, NULL)) != -1) {
		switch (c) {
		case 'c': opts.config_path = optarg; break;
		case OPT_STATE_DIR: opts.state_dir = optarg; break;
		case 'm': message = optarg; break;
		case OPT_FAIL:
		case OPT_START:
			if (strcmp(kind, "ping") != 0) {
				fprintf(stderr, "tend ping: --fail and --start exclude each other\n");
				return 2;
			}
			kind = c == OPT_FAIL ? "fail" : "start";
			break;
		case 'h':
			ping_usage(stdout);
			return 0;
		default:
			ping_usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		ping_usage(stderr);
		return 2;
	}
	request = json_pack("{s:s, s:s, s:s}", "cmd", "ping", "check", argv[optind], "kind",
	    kind);
	if (message != NULL)
		json_object_set_new(request, "message", json_string(message));
	answer = cli_call(&opts, request);
	if (answer == NULL)
		return 1;
	json_decref(answer);
	return 0;
}
