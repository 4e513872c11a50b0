/*
 * tend logs SERVICE [-n N] [-f] [--grep RE]: what a service printed, from
 * the files tend captures it into (STATE/logs/NAME.log and, for the lines
 * before it, NAME.log.1): the last N lines (those --grep matches), then,
 * with -f, every new line as it comes, through rotation and truncation
 * (the log checks' follower). Each line is shown escaped for the terminal,
 * credentials hidden; a JSON object line is shown by field, message first.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "checks/logfollow.h"
#include "cli/cli.h"
#include "config/config.h"
#include "core/mem.h"
#include "core/regexset.h"
#include "core/text.h"

#define LOGS_DEFAULT_LINES	50
#define LOGS_MAX_LINES		100000
#define LOGS_FOLLOW_MS		200
#define LOGS_READ_BUDGET	(64LL << 20)

struct logs_args {
	struct cli_options opts;
	const char	*service;
	long		 lines;
	bool		 follow;
	const char	*grep;
};

/* The newest lines kept while a file is read through: a ring of n. */
struct logs_tail {
	struct regexset	*grep;		/* NULL: every line */
	char		**ring;
	long		 n, head, count;
};

static volatile sig_atomic_t logs_stop;

static void
logs_on_signal(int sig)
{
	(void)sig;
	logs_stop = 1;
}

static void
logs_usage(FILE *f)
{
	fprintf(f, "usage: tend logs SERVICE [-n N] [-f] [--grep REGEX] [-c FILE] "
	    "[--state-dir DIR]\n");
}

/* 0, 2 after a usage error, or -1 for --help. */
static int
logs_parse(int argc, char **argv, struct logs_args *a)
{
	enum { OPT_STATE_DIR = 256, OPT_GREP };
	static const struct option options[] = {
		{ "config", 1, NULL, 'c' }, { "state-dir", 1, NULL, OPT_STATE_DIR },
		{ "lines", 1, NULL, 'n' }, { "follow", 0, NULL, 'f' },
		{ "grep", 1, NULL, OPT_GREP }, { "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	memset(a, 0, sizeof(*a));
	a->lines = LOGS_DEFAULT_LINES;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:n:fh", options, NULL)) != -1) {
		switch (c) {
		case 'c': a->opts.config_path = optarg; break;
		case OPT_STATE_DIR: a->opts.state_dir = optarg; break;
		case 'f': a->follow = true; break;
		case OPT_GREP: a->grep = optarg; break;
		case 'n':
			errno = 0;
			a->lines = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || a->lines < 0 ||
			    a->lines > LOGS_MAX_LINES) {
				fprintf(stderr, "tend logs: -n '%s': expected a number of lines "
				    "from 0 to %d\n", optarg, LOGS_MAX_LINES);
				return 2;
			}
			break;
		case 'h':
			logs_usage(stdout);
			return -1;
		default:
			logs_usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		logs_usage(stderr);
		return 2;
	}
	a->service = argv[optind];
	return 0;
}

/* A JSON object line by field: its message first, then key=value. */
static char *
logs_fields(const char *line)
{
	static const char *const message_keys[] = { "msg", "message", "MESSAGE", NULL };
	json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, NULL), *v;
	const char *key, *msg = NULL;
	char *out = NULL, *val;
	size_t len = 0, i;
	FILE *f;

	if (!json_is_object(o) || (f = open_memstream(&out, &len)) == NULL) {
		json_decref(o);
		return NULL;
	}
	for (i = 0; message_keys[i] != NULL && msg == NULL; i++)
		if ((msg = json_string_value(json_object_get(o, message_keys[i]))) != NULL)
			fprintf(f, "%s", msg);
	json_object_foreach(o, key, v) {
		if (msg != NULL && json_string_value(v) == msg)
			continue;
		val = json_is_string(v) ? xstrdup(json_string_value(v)) :
		    json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		fprintf(f, "%s%s=%s", ftell(f) > 0 ? " " : "", key, val != NULL ? val : "");
		free(val);
	}
	fclose(f);
	json_decref(o);
	return out;
}

/* line as the terminal shows it: by field if JSON, redacted and escaped. */
static void
logs_print(const char *line, size_t len)
{
	char *copy = xstrndup(line, len), *fields = NULL, *shown;

	if (len > 0 && line[0] == '{')
		fields = logs_fields(copy);
	shown = text_show(fields != NULL ? fields : copy);
	puts(shown);
	free(shown);
	free(fields);
	free(copy);
}

static bool
logs_wanted(struct regexset *grep, const char *line, size_t len)
{
	return grep == NULL || regexset_match(grep, line, len);
}

static void
logs_keep(void *arg, const char *line, size_t len, unsigned flags)
{
	struct logs_tail *t = arg;

	(void)flags;
	if (t->n == 0 || !logs_wanted(t->grep, line, len))
		return;
	free(t->ring[t->head]);
	t->ring[t->head] = xstrndup(line, len);
	t->head = (t->head + 1) % t->n;
	if (t->count < t->n)
		t->count++;
}

static void
logs_show(void *arg, const char *line, size_t len, unsigned flags)
{
	(void)flags;
	if (logs_wanted(arg, line, len))
		logs_print(line, len);
}

/* Every line of path into the tail; whether the file was there. */
static bool
logs_read_whole(const char *path, struct logs_tail *t)
{
	struct logfollow_report rep;
	struct logfollow f;

	logfollow_init(&f, path, true, LOGFOLLOW_LINE_MAX);
	f.seen = true;		/* from its start, not its end */
	do
		logfollow_read(&f, LOGS_READ_BUDGET, logs_keep, t, &rep);
	while (rep.status == LOGFOLLOW_OK && rep.behind > 0);
	logfollow_close(&f);
	return rep.status == LOGFOLLOW_OK;
}

/* The last lines: the rotated file's, then the current one's. */
static bool
logs_tail(const char *path, struct logs_tail *t)
{
	char *older = xasprintf("%s.1", path);
	bool any;
	long i;

	logs_read_whole(older, t);
	any = logs_read_whole(path, t);
	free(older);
	for (i = 0; i < t->count; i++)
		logs_print(t->ring[(t->head - t->count + i + t->n) % t->n],
		    strlen(t->ring[(t->head - t->count + i + t->n) % t->n]));
	fflush(stdout);
	return any;
}

/* New lines as they come, until SIGINT or SIGTERM. */
static void
logs_follow(const char *path, struct regexset *grep)
{
	struct timespec pause = { 0, LOGS_FOLLOW_MS * 1000000L };
	struct logfollow_report rep;
	struct logfollow f;

	signal(SIGINT, logs_on_signal);
	signal(SIGTERM, logs_on_signal);
	logfollow_init(&f, path, true, LOGFOLLOW_LINE_MAX);
	logfollow_read(&f, LOGS_READ_BUDGET, logs_show, grep, &rep);	/* to its end */
	while (!logs_stop) {
		logfollow_read(&f, LOGS_READ_BUDGET, logs_show, grep, &rep);
		fflush(stdout);
		if (rep.behind == 0)
			nanosleep(&pause, NULL);
	}
	logfollow_close(&f);
}

int
cmd_logs(int argc, char **argv)
{
	struct logs_tail t = { 0 };
	struct tend_config *cfg;
	struct logs_args a;
	char *dir, *path, *patterns[2] = { NULL, NULL }, err[256];
	int rc = logs_parse(argc, argv, &a);
	long i;

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if ((cfg = cli_load_config(a.opts.config_path, stderr)) == NULL)
		return 2;
	if (config_find_service(cfg, a.service) == NULL) {
		fprintf(stderr, "tend logs: no service named '%s' in %s\n", a.service,
		    cfg->source);
		config_free(cfg);
		return 2;
	}
	config_free(cfg);
	patterns[0] = (char *)a.grep;
	if (a.grep != NULL && (t.grep = regexset_new(patterns, err, sizeof(err))) == NULL) {
		fprintf(stderr, "tend logs: --grep: %s\n", err);
		return 2;
	}
	t.n = a.lines;
	t.ring = xcalloc((size_t)t.n + 1, sizeof(*t.ring));
	dir = cli_state_dir(&a.opts);
	path = xasprintf("%s/logs/%s.log", dir, a.service);
	rc = 0;
	if (!logs_tail(path, &t) && !a.follow) {
		fprintf(stderr, "tend logs: %s: nothing captured yet\n", path);
		rc = 1;
	}
	if (a.follow)
		logs_follow(path, t.grep);
	for (i = 0; i < t.n; i++)
		free(t.ring[i]);
	free(t.ring);
	regexset_free(t.grep);
	free(path);
	free(dir);
	return rc;
}
