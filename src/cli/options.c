#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "config/config.h"
#include "config/units.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/statedir.h"

void
cli_usage(FILE *out)
{
	fputs("usage: tend COMMAND [options]\n"
	    "\n"
	    "  run      [-c FILE] [--state-dir DIR] [--log-format text|json] [--verbose]\n"
	    "           [--monitor-only] [--no-web]\n"
	    "           run the daemon in the foreground; --monitor-only: watch, never heal;\n"
	    "           --no-web: no dashboard, API or /metrics\n"
	    "  init     [-c FILE] [--state-dir DIR] [--log-format text|json] [--verbose]\n"
	    "           [--monitor-only] [--no-web]\n"
	    "           run as a container's PID 1 (tend run does when its pid is 1): reaps\n"
	    "           orphans, stops services in order on SIGTERM/SIGINT and exits 0, or\n"
	    "           with the status of the service that exit_when names\n"
	    "  validate [-c FILE] [--environment]\n"
	    "           check a config; prints ok or every error; --environment: also this\n"
	    "           machine (state dir, programs, free space, network, CI)\n"
	    "  validate-and-heal [-c FILE] [--dry-run] [--wait DURATION] [--format text|json]\n"
	    "           validate the config and this machine, run every check once, heal\n"
	    "           what fails (through the daemon if one runs), run the failed checks\n"
	    "           again; exit 0/1/2/3 as check (2 too for a broken config)\n"
	    "  status   [--all] [--format text|json]\n"
	    "           services and checks of the running daemon; past 50 checks the\n"
	    "           table lists the unhealthy ones (--all: every one)\n"
	    "  export-metrics                  the daemon's metrics (as /metrics) in JSON\n"
	    "  check    [--all|--services|--deps|--resources] [--only NAME] [--format text|json]\n"
	    "           run the configured checks once, in parallel; exit 0/1/2/3\n"
	    "  start NAME | stop NAME | restart NAME\n"
	    "           (NAME may be a service with instances: each of its copies)\n"
	    "  scale    [SERVICE [N|+N|-N|up|down]]\n"
	    "           run N copies of a service with instances (or list them)\n"
	    "  incidents [--open] [--since DURATION] [--format text|json]\n"
	    "           recorded incidents, newest first, with their healing attempts\n"
	    "  history  CHECK [--since DURATION] [--format text|json]\n"
	    "           a check's results and state changes (default: the last 24h)\n"
	    "  heal     [--auto] [--dry-run] [--wait DURATION]\n"
	    "           diagnose open incidents and heal them\n"
	    "  recover  --service NAME | --action NAME | --cleanup [--wait DURATION]\n"
	    "           run one recovery action now; --wait: follow its incident at most\n"
	    "           this long (default: until it must have ended; 0: not at all)\n"
	    "  ack ID | resolve ID             acknowledge or close an incident\n"
	    "  ping     NAME [--fail|--start] [-m MESSAGE]\n"
	    "           a heartbeat check's ping (or its job's failure, or start)\n"
	    "  retry    [options] -- CMD [ARGS...]\n"
	    "           run a command until it succeeds: backoff with jitter, timeouts,\n"
	    "           failures classified, fallbacks (tend retry --help)\n"
	    "  fetch    [NAME...] [--offline|--warmup|--verify|--prune SIZE]\n"
	    "           artifacts from mirrors: resumed, sha256-checked, cached (tend fetch --help)\n"
	    "  deps     check | install | cache-warmup | scan [PATH]\n"
	    "           what the system depends on: check it, install it, find it in the code\n"
	    "  snapshot create [SET] [--label TEXT] | list [SET] | show ID | diff ID [ID2] |\n"
	    "           prune [SET]: snapshots of the config's sets (tend snapshot --help)\n"
	    "  rollback [SET] [--to ID|--lkg] [--dry-run] [--delete] [--wait DURATION]\n"
	    "           put a snapshot back (default: SET's last known good), restart the\n"
	    "           set's services through the daemon, verify their checks (default 30s);\n"
	    "           --delete: also remove files added since; exit 0 verified healthy\n"
	    "  guard    [SET] [--window DURATION] [--wait DURATION] [--delete] [--format text|json]\n"
	    "           -- CMD [ARGS...]\n"
	    "           snapshot SET, run the change CMD, watch the checks of SET's services\n"
	    "           for the window (default: SET's guard_window, 2m); if CMD fails or a\n"
	    "           check turns critical, roll back, restart, verify (--wait, 30s);\n"
	    "           exit 0 the change held, 1 rolled back and verified healthy, 2 usage,\n"
	    "           3 rolled back but not verified healthy (or the rollback failed)\n"
	    "  preflight [--skip STEP]... [--fix] [--source PATH]... [--format text|markdown|json]\n"
	    "           [--output FILE] | --install-hook [--force]\n"
	    "           the pre-push gate: config, environment, deps, scan, checks and\n"
	    "           permissions at once; exit 0 none failed, 1 one did (tend preflight --help)\n"
	    "  rebuild  NAME [--dry-run] [--wait DURATION] [--format text|json]\n"
	    "           run a rebuild: entry: snapshot its set, clear its paths, run its\n"
	    "           steps (with retries), restart and verify its service (default 60s);\n"
	    "           roll back if that fails. Exit 0 rebuilt, 1 rolled back and\n"
	    "           verified, 3 failed and not verified\n"
	    "  changes  [--since DURATION] [--format text|json]\n"
	    "           recorded changes (files of a set, reloads, marks, packages), newest\n"
	    "           first, with the snapshot after each and the incidents blamed on it\n"
	    "  report   [--since DURATION] [--compare] [--format text|markdown|json|html]\n"
	    "           [--output FILE]\n"
	    "           the period's intelligence report from the store (default: 7d):\n"
	    "           availability, incidents, MTTD/MTTR, healing, recommendations\n"
	    "  logs     SERVICE [-n N] [-f] [--grep REGEX]\n"
	    "           what a service printed (its captured output): the last N lines\n"
	    "           (50), then with -f new ones as they come; JSON lines by field\n"
	    "  logs patterns [SERVICE] [--grep REGEX]\n"
	    "           those lines grouped into templates, the most common first\n"
	    "  job      NAME [--timeout DURATION] -- CMD [ARG...]\n"
	    "           run a cron job: its heartbeat pinged, the run recorded; its exit\n"
	    "  jobs     [NAME] [--since DURATION] [--format text|json]\n"
	    "           the recorded runs of tend job, newest first\n"
	    "  change mark [--set SET] [--label TEXT]\n"
	    "           tell the daemon a deploy just changed things (SET: a snapshot set)\n"
	    "  chaos    list | history [--since DURATION] | run NAME... | run --all [--dry-run]\n"
	    "           [--force] [--standalone] [--format text|json]\n"
	    "           inject the faults of chaos: experiments into the running daemon's\n"
	    "           services and measure detection and recovery against their expect:;\n"
	    "           exit 0 every expectation held, 1 not (or refused: something unhealthy)\n"
	    "  version                         tend's and its libraries' versions\n"
	    "\n"
	    "  -c FILE (--config FILE) defaults to $TEND_CONFIG, then the embedded default\n"
	    "  config.\n"
	    "  The control commands find the daemon in its state dir: pass the same\n"
	    "  -c or --state-dir as the daemon's. DURATION is like 30m, 24h or 7d.\n",
	    out);
}

/* Long options without a letter of their own. */
enum {
	OPT_OPEN = 256,
	OPT_SINCE,
	OPT_AUTO,
	OPT_DRY_RUN,
	OPT_SERVICE,
	OPT_ACTION,
	OPT_CLEANUP,
	OPT_MONITOR_ONLY,
	OPT_NO_WEB,
	OPT_ENVIRONMENT,
	OPT_WAIT,
	OPT_TO,
	OPT_LKG,
	OPT_DELETE,
	OPT_WINDOW,
	OPT_SET,
	OPT_LABEL,
};

/*
 * getopt_long takes an exact name over a prefix, so --service and
 * --services are both reachable; a prefix of both ("--serv") is refused
 * as ambiguous.
 */
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
	{ "open", no_argument, NULL, OPT_OPEN },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "auto", no_argument, NULL, OPT_AUTO },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "service", required_argument, NULL, OPT_SERVICE },
	{ "action", required_argument, NULL, OPT_ACTION },
	{ "cleanup", no_argument, NULL, OPT_CLEANUP },
	{ "monitor-only", no_argument, NULL, OPT_MONITOR_ONLY },
	{ "no-web", no_argument, NULL, OPT_NO_WEB },
	{ "environment", no_argument, NULL, OPT_ENVIRONMENT },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "to", required_argument, NULL, OPT_TO },
	{ "lkg", no_argument, NULL, OPT_LKG },
	{ "delete", no_argument, NULL, OPT_DELETE },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "set", required_argument, NULL, OPT_SET },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ NULL, 0, NULL, 0 },
};

int
cli_parse_format(const char *cmd, const char *value, enum output_format *out)
{
	if (strcmp(value, "text") == 0)
		*out = OUTPUT_TEXT;
	else if (strcmp(value, "json") == 0)
		*out = OUTPUT_JSON;
	else {
		fprintf(stderr, "tend %s: format must be text or json, not '%s'\n",
		    cmd, value);
		return 2;
	}
	return 0;
}

/* --wait or --window DURATION: 0 or more ("0", "30s", "5m"). */
static int
cli_parse_wait(const char *cmd, const char *opt, const char *value, int64_t *ms)
{
	const char *expected;

	if (units_parse_duration(value, ms, &expected) < 0 || *ms < 0) {
		fprintf(stderr, "tend %s: --%s '%s': expected a duration like 0, 30s "
		    "or 5m\n", cmd, opt, value);
		return 2;
	}
	return 0;
}

int
cli_parse_options(const char *cmd, int argc, char **argv,
    struct cli_options *opts)
{
	enum output_format value;
	int c;

	memset(opts, 0, sizeof(*opts));
	opts->log_format = -1;
	opts->wait_ms = -1;
	opts->window_ms = -1;
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
			if (cli_parse_format(cmd, optarg, &opts->format) != 0)
				return 2;
			break;
		case 'L':
			if (cli_parse_format(cmd, optarg, &value) != 0)
				return 2;
			opts->log_format = value == OUTPUT_JSON ? LOG_FORMAT_JSON :
			    LOG_FORMAT_TEXT;
			break;
		case 'v':
			opts->verbose = true;
			break;
		case 'A':
			opts->select = 0;
			opts->all = true;
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
		case OPT_OPEN:
			opts->open_only = true;
			break;
		case OPT_SINCE:
			opts->since = optarg;
			break;
		case OPT_AUTO:
			opts->auto_heal = true;
			break;
		case OPT_DRY_RUN:
			opts->dry_run = true;
			break;
		case OPT_SERVICE:
			opts->service = optarg;
			break;
		case OPT_ACTION:
			opts->action = optarg;
			break;
		case OPT_CLEANUP:
			opts->cleanup = true;
			break;
		case OPT_MONITOR_ONLY:
			opts->monitor_only = true;
			break;
		case OPT_NO_WEB:
			opts->no_web = true;
			break;
		case OPT_ENVIRONMENT:
			opts->environment = true;
			break;
		case OPT_WAIT:
			if (cli_parse_wait(cmd, "wait", optarg, &opts->wait_ms) != 0)
				return 2;
			break;
		case OPT_TO:
			opts->rollback_to = optarg;
			break;
		case OPT_LKG:
			opts->rollback_lkg = true;
			break;
		case OPT_DELETE:
			opts->delete_added = true;
			break;
		case OPT_WINDOW:
			if (cli_parse_wait(cmd, "window", optarg, &opts->window_ms) != 0)
				return 2;
			break;
		case OPT_SET:
			opts->set = optarg;
			break;
		case OPT_LABEL:
			opts->label = optarg;
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
 * command that looks into it reads the same config when it is given one.
 */
struct tend_config *
cli_load_config(const char *path, FILE *errors)
{
	struct config_errors errs = { 0 };
	struct tend_config *cfg = config_load_auto(path, &errs);

	if (cfg == NULL) {
		config_errors_print(&errs, errors);
		config_errors_clear(&errs);
	}
	return cfg;
}

char *
cli_state_dir(const struct cli_options *opts)
{
	struct config_errors errs = { 0 };
	struct tend_config *cfg = NULL;
	const char *path = config_path_auto(opts->config_path);
	char *peeked = NULL, *dir;

	if (opts->state_dir == NULL && getenv("TEND_STATE_DIR") == NULL && path != NULL &&
	    config_peek_state_dir(path, &peeked) < 0) {
		cfg = config_load_auto(opts->config_path, &errs);
		config_errors_clear(&errs);
	}
	dir = statedir_resolve(opts->state_dir, cfg != NULL ? cfg->state_dir : peeked);
	config_free(cfg);
	free(peeked);
	return dir;
}

char *
cli_socket_path(const struct cli_options *opts)
{
	char *dir, *path;

	dir = cli_state_dir(opts);
	path = statedir_control_socket(dir);
	free(dir);
	return path;
}

/*
 * Read-only, so that looking never takes the daemon's write lock; the
 * busy timeout covers the moment a checkpoint holds the database.
 */
int
cli_store_open(const struct cli_options *opts, sqlite3 **db, char **path)
{
	struct stat sb;
	char *dir;

	dir = cli_state_dir(opts);
	*path = xasprintf("%s/tend.db", dir);
	free(dir);
	*db = NULL;
	if (stat(*path, &sb) == -1 && errno == ENOENT)
		return 1;
	if (sqlite3_open_v2(*path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW,
	    NULL) != SQLITE_OK) {
		fprintf(stderr, "tend: %s: %s\n", *path, sqlite3_errmsg(*db));
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	sqlite3_busy_timeout(*db, 2000);
	return 0;
}

int
cli_time_arg(const char *cmd, const char *opt, const char *value, int64_t *ms)
{
	const char *expected;
	int64_t span;

	if (clock_parse_iso(value, ms) == 0)
		return 0;
	/* A window reaching into the future would be empty. */
	if (units_parse_duration(value, &span, &expected) < 0 || span <= 0) {
		fprintf(stderr, "tend %s: %s '%s': expected a duration like 30m, 24h or 7d, "
		    "or a time like 2026-12-02T14:05\n", cmd, opt, value);
		return 2;
	}
	*ms = clock_wall_ms() - span;
	return 0;
}

int
cli_since(const char *cmd, const struct cli_options *opts, const char *fallback,
    int64_t *since_ms)
{
	const char *value = opts->since ? opts->since : fallback;

	if (value == NULL) {
		*since_ms = INT64_MIN;
		return 0;
	}
	return cli_time_arg(cmd, "--since", value, since_ms);
}

void
cli_format_time(int64_t ms, bool with_date, char *buf, size_t len)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	if (localtime_r(&secs, &tm) == NULL ||
	    strftime(buf, len, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)ms);
}

int
cli_print_json(json_t *doc)
{
	char *text;

	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15));
	if (text == NULL) {
		fprintf(stderr, "tend: could not encode the answer as JSON\n");
		return 1;
	}
	printf("%s\n", text);
	free(text);
	return 0;
}
