/*
 * tend retry [options] -- CMD [ARGS...]: runs a command until it works,
 * through net/retry (backoff with jitter, classified failures, fallbacks,
 * heals, timeouts); exits with the command's last exit code.
 */
#include "cli/cmd_retry.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config/units.h"

enum {
	OPT_INITIAL = 256,
	OPT_MAX_DELAY,
	OPT_MULTIPLIER,
	OPT_JITTER,
	OPT_TIMEOUT_GROWTH,
	OPT_MAX_TIME,
	OPT_KILL_AFTER,
	OPT_RETRY_ON,
	OPT_NO_RETRY_ON,
	OPT_FALLBACK,
	OPT_HEAL,
	OPT_STATE_DIR,
	OPT_NO_STORE,
};

static const struct option retry_long_options[] = {
	{ "max-retries", required_argument, NULL, 'n' },
	{ "initial", required_argument, NULL, OPT_INITIAL },
	{ "max-delay", required_argument, NULL, OPT_MAX_DELAY },
	{ "multiplier", required_argument, NULL, OPT_MULTIPLIER },
	{ "jitter", required_argument, NULL, OPT_JITTER },
	{ "timeout", required_argument, NULL, 't' },
	{ "timeout-growth", required_argument, NULL, OPT_TIMEOUT_GROWTH },
	{ "max-time", required_argument, NULL, OPT_MAX_TIME },
	{ "kill-after", required_argument, NULL, OPT_KILL_AFTER },
	{ "retry-on", required_argument, NULL, OPT_RETRY_ON },
	{ "no-retry-on", required_argument, NULL, OPT_NO_RETRY_ON },
	{ "fallback", required_argument, NULL, OPT_FALLBACK },
	{ "heal", required_argument, NULL, OPT_HEAL },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "config", required_argument, NULL, 'c' },
	{ "no-store", no_argument, NULL, OPT_NO_STORE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void
retry_cli_usage(FILE *out)
{
	fputs("usage: tend retry [options] -- CMD [ARGS...]\n"
	    "\n"
	    "  -n, --max-retries N      retries after the first attempt, per command (3)\n"
	    "      --initial DURATION   delay before the first retry (1s; CI 2s)\n"
	    "      --max-delay DURATION cap of any delay (30s; CI 1m)\n"
	    "      --multiplier X       each delay is X times the one before (2)\n"
	    "      --jitter full|equal|none  randomise delays: [0,d], [d/2,d], d (full)\n"
	    "  -t, --timeout DURATION   per attempt; its process group is killed (none; CI 10m)\n"
	    "      --timeout-growth X   after a timeout the next attempt gets X times longer (2)\n"
	    "      --max-time DURATION  for everything, attempts and waits (none)\n"
	    "      --kill-after DURATION  SIGTERM at a timeout, SIGKILL this much later (5s)\n"
	    "      --retry-on LIST      categories retried (network,timeout,resource,crash,unknown)\n"
	    "      --no-retry-on LIST   categories never retried\n"
	    "      --fallback 'CMD'     a shell command tried when the main one keeps failing\n"
	    "                           (repeatable; tried in order)\n"
	    "      --heal CATEGORY='CMD'  a shell command run before the next attempt after\n"
	    "                           a failure of CATEGORY (repeatable)\n"
	    "      --state-dir DIR      record the run in DIR/tend.db; -c FILE to find it\n"
	    "      --no-store           do not record the run\n"
	    "  -q, --quiet              no notes, no summary line\n"
	    "  -v, --verbose            also say when each attempt starts\n"
	    "\n"
	    "  Categories: network, timeout, dependency, config, permission, resource,\n"
	    "  crash, unknown, all. Exit: the command's last exit code; 128+N when it was\n"
	    "  killed by signal N; 124 when it timed out; 127 not found; 2 usage error.\n",
	    out);
}

static int
parse_duration(const char *opt, const char *s, bool zero_ok, int64_t *ms, char *err,
    size_t errlen)
{
	const char *expected;

	if (units_parse_duration(s, ms, &expected) < 0 || *ms < 0 || (*ms == 0 && !zero_ok)) {
		snprintf(err, errlen, "--%s '%s': expected a duration like 500ms, 2s or 1m",
		    opt, s);
		return -1;
	}
	return 0;
}

static int
parse_factor(const char *opt, const char *s, double *x, char *err, size_t errlen)
{
	char *end;

	errno = 0;
	*x = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(*x) || *x < 1.0) {
		snprintf(err, errlen, "--%s '%s': expected a number of at least 1", opt, s);
		return -1;
	}
	return 0;
}

static int
parse_count(const char *opt, const char *s, int *n, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1000000) {
		snprintf(err, errlen, "--%s '%s': expected a whole number, 0 or more", opt, s);
		return -1;
	}
	*n = (int)v;
	return 0;
}

/* A command given as one string runs through the shell, as written. */
static void
shell_argv(const char *command, char *argv[4])
{
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = (char *)command;
	argv[3] = NULL;
}

static int
parse_heal(const char *s, struct retry_options *o, char *err, size_t errlen)
{
	const char *eq = strchr(s, '=');
	char name[32], *argv[4];
	int c;

	if (eq == NULL || eq == s || eq[1] == '\0' || (size_t)(eq - s) >= sizeof(name)) {
		snprintf(err, errlen, "--heal '%s': expected CATEGORY='COMMAND'", s);
		return -1;
	}
	memcpy(name, s, (size_t)(eq - s));
	name[eq - s] = '\0';
	if ((c = failure_category_from_name(name)) < 0) {
		snprintf(err, errlen, "--heal '%s': '%s' is not a category (network, timeout, "
		    "dependency, config, permission, resource, crash, unknown)", s, name);
		return -1;
	}
	shell_argv(eq + 1, argv);
	retry_options_add_heal(o, (enum failure_category)c, argv);
	return 0;
}

static int
parse_option(int c, const char *arg, struct retry_cli *cli, bool *retry_on_set, char *err,
    size_t errlen)
{
	struct retry_options *o = &cli->opts;
	char *argv[4], why[160];
	unsigned mask;

	switch (c) {
	case 'n':
		return parse_count("max-retries", arg, &o->max_retries, err, errlen);
	case OPT_INITIAL:
		return parse_duration("initial", arg, true, &o->initial_ms, err, errlen);
	case OPT_MAX_DELAY:
		return parse_duration("max-delay", arg, true, &o->max_delay_ms, err, errlen);
	case OPT_MULTIPLIER:
		return parse_factor("multiplier", arg, &o->multiplier, err, errlen);
	case OPT_JITTER:
		if (retry_parse_jitter(arg, &o->jitter) == 0)
			return 0;
		snprintf(err, errlen, "--jitter '%s': expected full, equal or none", arg);
		return -1;
	case 't':
		return parse_duration("timeout", arg, true, &o->timeout_ms, err, errlen);
	case OPT_TIMEOUT_GROWTH:
		return parse_factor("timeout-growth", arg, &o->timeout_growth, err, errlen);
	case OPT_MAX_TIME:
		return parse_duration("max-time", arg, true, &o->max_time_ms, err, errlen);
	case OPT_KILL_AFTER:
		return parse_duration("kill-after", arg, true, &o->kill_grace_ms, err, errlen);
	case OPT_RETRY_ON:
	case OPT_NO_RETRY_ON:
		if (retry_parse_categories(arg, &mask, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "--%s '%s': %s", c == OPT_RETRY_ON ? "retry-on" :
			    "no-retry-on", arg, why);
			return -1;
		}
		if (c == OPT_NO_RETRY_ON) {
			o->never |= mask;
			return 0;
		}
		/* The first --retry-on replaces the default set; more add to it. */
		o->retry_on = *retry_on_set ? o->retry_on | mask : mask;
		*retry_on_set = true;
		return 0;
	case OPT_FALLBACK:
		if (*arg == '\0') {
			snprintf(err, errlen, "--fallback: the command is empty");
			return -1;
		}
		shell_argv(arg, argv);
		retry_options_add_fallback(o, argv);
		return 0;
	case OPT_HEAL:
		return parse_heal(arg, o, err, errlen);
	case OPT_STATE_DIR:
		cli->state_dir = arg;
		return 0;
	case 'c':
		cli->config_path = arg;
		return 0;
	case OPT_NO_STORE:
		cli->no_store = true;
		return 0;
	case 'q':
		o->summary = false;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case 'h':
		cli->help = true;
		return 0;
	}
	return -1;
}

int
retry_cli_parse(int argc, char **argv, struct retry_cli *cli, char *err, size_t errlen)
{
	bool retry_on_set = false;
	int c;

	memset(cli, 0, sizeof(*cli));
	retry_options_init(&cli->opts);
	/* '+': stop at the command, so that its options stay its own; ':' reports a missing value. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:n:t:c:qvh", retry_long_options, NULL)) != -1) {
		if (c == '?') {
			snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return 2;
		}
		if (c == ':') {
			snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
			return 2;
		}
		if (parse_option(c, optarg, cli, &retry_on_set, err, errlen) < 0)
			return 2;
	}
	if (cli->help)
		return 0;
	if (optind >= argc) {
		snprintf(err, errlen, "no command given (tend retry [options] -- CMD [ARGS...])");
		return 2;
	}
	if (cli->opts.max_delay_ms < cli->opts.initial_ms) {
		snprintf(err, errlen, "--max-delay is shorter than --initial");
		return 2;
	}
	cli->command = argv + optind;
	return 0;
}

int
cmd_retry(int argc, char **argv)
{
	struct cli_options where = { 0 };
	struct retry_report rep;
	struct retry_cli cli;
	char err[512], *state_dir = NULL;
	int rc;

	rc = retry_cli_parse(argc, argv, &cli, err, sizeof(err));
	if (rc != 0 || cli.help) {
		if (rc != 0)
			fprintf(stderr, "tend retry: %s\n", err);
		retry_cli_usage(rc != 0 ? stderr : stdout);
		retry_options_clear(&cli.opts);
		return rc;
	}
	if (!cli.no_store) {
		where.state_dir = cli.state_dir;
		where.config_path = cli.config_path;
		state_dir = cli_state_dir(&where);
		cli.opts.state_dir = state_dir;
	}
	retry_command(&cli.opts, cli.command, &rep);
	retry_options_clear(&cli.opts);
	free(state_dir);
	return rep.exit_code;
}
