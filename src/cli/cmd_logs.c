/*
 * tend logs SERVICE [-n N] [-f] [--grep RE] [--since T] [--until T]: what a
 * service printed, from the files tend captures it into (STATE/logs/NAME.log
 * and, for the lines before it, NAME.log.1): the last N lines (those --grep
 * matches), or every line written between --since and --until (found in
 * the files' time indexes, core/logindex.h, across every rotation), then,
 * with -f, every new line as it comes, through rotation and truncation
 * (the log checks' follower). Each line is shown escaped for the terminal,
 * credentials hidden; a JSON object line is shown by field, message first.
 * tend logs patterns [SERVICE] [--grep RE]: those lines grouped into
 * templates (diagnose/templates.h), the most common first.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "checks/logfollow.h"
#include "cli/cli.h"
#include "config/config.h"
#include "core/logindex.h"
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
	long		 lines;		/* -1: not given */
	bool		 follow;
	const char	*grep;
	const char	*since, *until;
	int64_t		 since_ms, until_ms;	/* INT64_MIN, INT64_MAX: not given */
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
	fprintf(f, "usage: tend logs SERVICE [-n N] [-f] [--grep REGEX] [--since T] "
	    "[--until T]\n                 [-c FILE] [--state-dir DIR]\n"
	    "       tend logs patterns [SERVICE] [--grep REGEX] [--since T] [--until T] "
	    "[-c FILE]\n                 [--state-dir DIR]\n"
	    "T: a duration back from now (10m, 2h) or a time (2026-12-02T14:05)\n"
	    "-n, --lines N: the last N lines (50); -f, --follow: then new ones as they come\n");
}

/* 0, 2 after a usage error, or -1 for --help. */
static int
logs_parse(int argc, char **argv, struct logs_args *a)
{
	enum { OPT_STATE_DIR = 256, OPT_GREP, OPT_SINCE, OPT_UNTIL };
	static const struct option options[] = {
		{ "config", 1, NULL, 'c' }, { "state-dir", 1, NULL, OPT_STATE_DIR },
		{ "lines", 1, NULL, 'n' }, { "follow", 0, NULL, 'f' },
		{ "grep", 1, NULL, OPT_GREP }, { "since", 1, NULL, OPT_SINCE },
		{ "until", 1, NULL, OPT_UNTIL }, { "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	memset(a, 0, sizeof(*a));
	a->lines = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:n:fh", options, NULL)) != -1) {
		switch (c) {
		case 'c': a->opts.config_path = optarg; break;
		case OPT_STATE_DIR: a->opts.state_dir = optarg; break;
		case 'f': a->follow = true; break;
		case OPT_GREP: a->grep = optarg; break;
		case OPT_SINCE: a->since = optarg; break;
		case OPT_UNTIL: a->until = optarg; break;
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
	    (a->patterns && a->follow) || (a->follow && a->until != NULL)) {
		logs_usage(stderr);
		return 2;
	}
	a->service = optind < argc ? argv[optind] : NULL;
	a->since_ms = INT64_MIN;
	a->until_ms = INT64_MAX;
	if ((a->since != NULL && cli_time_arg("logs", "--since", a->since, &a->since_ms)) ||
	    (a->until != NULL && cli_time_arg("logs", "--until", a->until, &a->until_ms)))
		return 2;
	if (a->since_ms > a->until_ms) {
		fprintf(stderr, "tend logs: --since '%s' is after --until '%s': no time is "
		    "between them\n", a->since, a->until);
		return 2;
	}
	return 0;
}

/* Whether a window of time was asked for: then every rotation is read. */
static bool
logs_windowed(const struct logs_args *a)
{
	return a->since != NULL || a->until != NULL;
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

struct logs_reader {
	logline_fn	 fn;
	void		*arg;
};

static void
logs_line(void *arg, const char *line, size_t len)
{
	struct logs_reader *r = arg;

	r->fn(r->arg, line, len, 0);
}

/*
 * Every line of service's files written in the window a asks for (of the
 * current file and the last rotation when none), oldest first, to fn;
 * whether there was a file. A file without a usable time index is said.
 */
static bool
logs_read(const char *dir, const char *service, const struct logs_args *a, logline_fn fn,
    void *arg)
{
	struct logindex_span spans[LOGINDEX_FILES_MAX];
	struct logs_reader r = { fn, arg };
	char *path = xasprintf("%s/logs", dir), *base = xasprintf("%s.log", service);
	int dirfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	size_t n = 0, i;

	if (dirfd >= 0)
		n = logindex_spans(dirfd, base, a->since_ms, a->until_ms, spans,
		    logs_windowed(a) ? LOGINDEX_FILES_MAX : 2);
	for (i = 0; i < n; i++) {
		if (spans[i].approx && logs_windowed(a))
			fprintf(stderr, "tend logs: %s/%s has no usable time index (%s.idx); "
			    "its lines are placed by the file's mtime\n", path, spans[i].name,
			    spans[i].name);
		if (logindex_read(&spans[i], LOGFOLLOW_LINE_MAX, logs_line, &r) < 0)
			fprintf(stderr, "tend logs: %s/%s: %s\n", path, spans[i].name,
			    strerror(errno));
	}
	logindex_spans_close(spans, n);
	if (dirfd >= 0)
		close(dirfd);
	free(base);
	free(path);
	return n > 0;
}

/* The last lines kept in t, printed. */
static void
logs_print_tail(const struct logs_tail *t)
{
	long i, at;

	for (i = 0; i < t->count; i++) {
		at = (t->head - t->count + i + t->n) % t->n;
		logs_print(t->ring[at], strlen(t->ring[at]));
	}
	fflush(stdout);
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

/* service's lines (the rotated and current file's, or a's window) by template. */
static void
logs_patterns(const char *dir, const char *service, const struct logs_args *a,
    struct regexset *grep)
{
	struct logs_grouping g = { .t = templates_new(), .grep = grep };
	struct template_info info;
	size_t i, n, *order;
	char *shown;

	logs_read(dir, service, a, logs_group, &g);
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
}

/*
 * The last lines (or every line of a window of time unless -n is given),
 * then (-f) the new ones.
 */
static int
logs_service(const struct logs_args *a, const char *dir, struct regexset *grep)
{
	struct logs_tail t = { .grep = grep, .n = a->lines };
	char *path = xasprintf("%s/logs/%s.log", dir, a->service);
	bool any;
	int rc = 0;
	long i;

	if (t.n < 0)
		t.n = logs_windowed(a) ? 0 : LOGS_DEFAULT_LINES;
	t.ring = xcalloc((size_t)t.n + 1, sizeof(*t.ring));
	if (t.n == 0 && a->lines < 0)
		any = logs_read(dir, a->service, a, logs_show, grep);
	else
		any = logs_read(dir, a->service, a, logs_keep, &t);
	logs_print_tail(&t);
	if (!any && !a->follow) {
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
		fprintf(stderr, "tend logs: no service named '%s' in %s%s%s%s\n", a.service,
		    cfg->source, config_is_group(cfg, a.service) ? " (it runs as copies: " : "",
		    config_is_group(cfg, a.service) ? a.service : "",
		    config_is_group(cfg, a.service) ? "@0, @1, ...)" : "");
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
		logs_patterns(dir, a.service, &a, grep);
	else
		for (i = 0; i < cfg->n_services; i++)
			logs_patterns(dir, cfg->services[i].name, &a, grep);
	config_free(cfg);
	regexset_free(grep);
	free(dir);
	return rc;
}
