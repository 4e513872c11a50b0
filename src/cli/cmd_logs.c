/*
 * tend logs SERVICE [-n N] [-f] [--grep RE]: what a service printed, from
 * the files tend captures it into (STATE/logs/NAME.log and, for the lines
 * before it, NAME.log.1): the last N lines (those --grep matches), then,
 * with -f, every new line as it comes, through rotation and truncation
 * (the log checks' follower). Each line is shown escaped for the terminal,
 * credentials hidden; a JSON object line is shown by field, message first.
 * tend logs patterns [SERVICE] [--grep RE]: those lines grouped into
 * templates (diagnose/templates.h), the most common first.
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
#include "diagnose/templates.h"

#define LOGS_DEFAULT_LINES	50
#define LOGS_MAX_LINES		100000
#define LOGS_FOLLOW_MS		200
#define LOGS_READ_BUDGET	(64LL << 20)

struct logs_args {
	struct cli_options opts;
	bool		 patterns;	/* tend logs patterns [SERVICE] */
	const char	*service;	/* NULL: every service (patterns) */
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
	    "[--state-dir DIR]\n       tend logs patterns [SERVICE] [--grep REGEX] "
	    "[-c FILE] [--state-dir DIR]\n");
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
	a->patterns = optind < argc && strcmp(argv[optind], "patterns") == 0;
	if (a->patterns)
		optind++;
	if (optind < argc - 1 || (optind == argc && !a->patterns) ||
	    (a->patterns && a->follow)) {
		logs_usage(stderr);
		return 2;
	}
	a->service = optind < argc ? argv[optind] : NULL;
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

/* Every line of path, from its start, to fn; whether the file was there. */
static bool
logs_read_whole(const char *path, logline_fn fn, void *arg)
{
	struct logfollow_report rep;
	struct logfollow f;

	logfollow_init(&f, path, true, LOGFOLLOW_LINE_MAX);
	f.seen = true;		/* from its start, not its end */
	do
		logfollow_read(&f, LOGS_READ_BUDGET, fn, arg, &rep);
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

	logs_read_whole(older, logs_keep, t);
	any = logs_read_whole(path, logs_keep, t);
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

struct logs_grouping {
	struct templates *t;
	struct regexset	*grep;
	uint64_t	 line;		/* of the files read, in order */
};

static void
logs_group(void *arg, const char *line, size_t len, unsigned flags)
{
	struct logs_grouping *g = arg;
	bool is_new;

	(void)flags;
	g->line++;
	if (logs_wanted(g->grep, line, len))
		templates_add(g->t, line, len, g->line, &is_new);
}

static const struct templates *sort_by;

static int
logs_by_count(const void *a, const void *b)
{
	struct template_info x, y;

	templates_get(sort_by, *(const size_t *)a, &x);
	templates_get(sort_by, *(const size_t *)b, &y);
	return x.count < y.count ? 1 : x.count > y.count ? -1 : x.first < y.first ? -1 : 1;
}

/* service's lines (the rotated file's, then the current one's) by template. */
static void
logs_patterns(const char *dir, const char *service, struct regexset *grep)
{
	struct logs_grouping g = { .t = templates_new(), .grep = grep };
	char *path = xasprintf("%s/logs/%s.log", dir, service), *older, *shown;
	struct template_info info;
	size_t i, n, *order;

	older = xasprintf("%s.1", path);
	logs_read_whole(older, logs_group, &g);
	logs_read_whole(path, logs_group, &g);
	n = templates_count(g.t);
	printf("%s: %zu templates in %llu lines\n", service, n, (unsigned long long)g.line);
	order = xcalloc(n + 1, sizeof(*order));
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_by = g.t;
	qsort(order, n, sizeof(*order), logs_by_count);
	for (i = 0; i < n; i++) {
		templates_get(g.t, order[i], &info);
		shown = text_show(info.text);
		printf("%8llu  lines %llu-%llu  %s\n", (unsigned long long)info.count,
		    (unsigned long long)info.first, (unsigned long long)info.last, shown);
		free(shown);
	}
	if (templates_other(g.t) > 0)
		printf("%8llu  (past %d templates)\n", (unsigned long long)templates_other(g.t),
		    TEMPLATES_MAX);
	free(order);
	templates_free(g.t);
	free(older);
	free(path);
}

/* The last lines, then (-f) the new ones. */
static int
logs_service(const struct logs_args *a, const char *dir, struct regexset *grep)
{
	struct logs_tail t = { .grep = grep, .n = a->lines };
	char *path = xasprintf("%s/logs/%s.log", dir, a->service);
	int rc = 0;
	long i;

	t.ring = xcalloc((size_t)t.n + 1, sizeof(*t.ring));
	if (!logs_tail(path, &t) && !a->follow) {
		fprintf(stderr, "tend logs: %s: nothing captured yet\n", path);
		rc = 1;
	}
	if (a->follow)
		logs_follow(path, grep);
	for (i = 0; i < t.n; i++)
		free(t.ring[i]);
	free(t.ring);
	free(path);
	return rc;
}

int
cmd_logs(int argc, char **argv)
{
	char *dir, *patterns[2] = { NULL, NULL }, err[256];
	struct regexset *grep = NULL;
	struct tend_config *cfg;
	struct logs_args a;
	int rc = logs_parse(argc, argv, &a);
	size_t i;

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if ((cfg = cli_load_config(a.opts.config_path, stderr)) == NULL)
		return 2;
	if (a.service != NULL && config_find_service(cfg, a.service) == NULL) {
		fprintf(stderr, "tend logs: no service named '%s' in %s\n", a.service,
		    cfg->source);
		config_free(cfg);
		return 2;
	}
	patterns[0] = (char *)a.grep;
	if (a.grep != NULL && (grep = regexset_new(patterns, err, sizeof(err))) == NULL) {
		fprintf(stderr, "tend logs: --grep: %s\n", err);
		config_free(cfg);
		return 2;
	}
	dir = cli_state_dir(&a.opts);
	if (!a.patterns)
		rc = logs_service(&a, dir, grep);
	else if (a.service != NULL)
		logs_patterns(dir, a.service, grep);
	else
		for (i = 0; i < cfg->n_services; i++)
			logs_patterns(dir, cfg->services[i].name, grep);
	config_free(cfg);
	regexset_free(grep);
	free(dir);
	return rc;
}
