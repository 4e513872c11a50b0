/*
 * bench/logs: lines per second through a log check's path, on one core:
 * the follower reading a file from its start and the regex set (PCRE2,
 * JIT) matching each line against the patterns; and, for the why, the
 * same patterns through glibc's regcomp/regexec, line by line; and the
 * whole of a log check's read: matching lines also grouped into templates
 * (diagnose/templates.c) and counted per template over the window
 * (checks/tplwindow.c).
 *
 * usage: logbench LOGFILE PATTERNS_FILE ROUNDS  (prints the best round)
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks/logfollow.h"
#include "checks/tplwindow.h"
#include "diagnose/templates.h"
#include "core/regexset.h"
#include "core/strv.h"

struct count {
	struct regexset	*set;
	regex_t		*re;
	size_t		 n_re;
	char		 line[LOGFOLLOW_LINE_MAX + 1];
	long		 lines;
	long		 matched;
	struct templates *templates;
	struct tplwindow by_template;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
by_pcre2(void *arg, const char *line, size_t len, unsigned flags)
{
	struct count *c = arg;

	c->lines++;
	if (regexset_match(c->set, line, len))
		c->matched++;
}

/* As a log check reads: match, then the matching line's template counted. */
static void
by_check(void *arg, const char *line, size_t len, unsigned flags)
{
	struct count *c = arg;
	bool is_new;
	int i;

	c->lines++;
	if (!regexset_match(c->set, line, len))
		return;
	c->matched++;
	if ((i = templates_add(c->templates, line, len, (uint64_t)c->lines, &is_new)) >= 0)
		tplwindow_add(&c->by_template, (size_t)i);
}

/* regexec needs a C string: the copy is part of its cost here. */
static void
by_glibc(void *arg, const char *line, size_t len, unsigned flags)
{
	struct count *c = arg;
	size_t i;

	c->lines++;
	memcpy(c->line, line, len);
	c->line[len] = '\0';
	for (i = 0; i < c->n_re; i++) {
		if (regexec(&c->re[i], c->line, 0, NULL, 0) == 0) {
			c->matched++;
			return;
		}
	}
}

static double
one_round(const char *path, struct count *c, logline_fn fn)
{
	struct logfollow f;
	struct logfollow_report rep;
	double t;

	c->lines = c->matched = 0;
	logfollow_init(&f, path, false, 0);
	f.seen = true;		/* from its start, as a file that appears */
	t = now();
	logfollow_read(&f, (int64_t)1 << 40, fn, c, &rep);
	t = now() - t;
	logfollow_close(&f);
	return t;
}

static char **
read_patterns(const char *path)
{
	char line[1024], **v = NULL;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return NULL;
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] != '\0')
			v = strv_push(v, line);
	}
	fclose(fp);
	return v;
}

int
main(int argc, char **argv)
{
	struct count c = { 0 };
	char **pats, err[256];
	double best_p = 1e9, best_g = 1e9, best_c = 1e9, t;
	int rounds, i;

	if (argc != 4 || (pats = read_patterns(argv[2])) == NULL) {
		fprintf(stderr, "usage: logbench LOGFILE PATTERNS_FILE ROUNDS\n");
		return 2;
	}
	rounds = atoi(argv[3]);
	if ((c.set = regexset_new(pats, err, sizeof(err))) == NULL) {
		fprintf(stderr, "logbench: %s\n", err);
		return 1;
	}
	c.n_re = strv_len(pats);
	c.re = calloc(c.n_re, sizeof(*c.re));
	for (i = 0; i < (int)c.n_re; i++)
		if (regcomp(&c.re[i], pats[i], REG_EXTENDED | REG_NOSUB) != 0)
			return 1;
	for (i = 0; i < rounds; i++) {
		if ((t = one_round(argv[1], &c, by_pcre2)) < best_p)
			best_p = t;
	}
	printf("tend (follower + PCRE2 JIT, %zu patterns): %ld lines, %ld matched, "
	    "%.3f s, %.0f lines/s\n", c.n_re, c.lines, c.matched, best_p,
	    (double)c.lines / best_p);
	for (i = 0; i < rounds; i++) {
		c.templates = templates_new();
		tplwindow_init(&c.by_template, 60000);
		if ((t = one_round(argv[1], &c, by_check)) < best_c)
			best_c = t;
		if (i + 1 == rounds)
			printf("tend, + templates (a check's read): %ld lines, %ld matched, "
			    "%zu templates, %.3f s, %.0f lines/s\n", c.lines, c.matched,
			    templates_count(c.templates), best_c, (double)c.lines / best_c);
		templates_free(c.templates);
		tplwindow_free(&c.by_template);
	}
	for (i = 0; i < rounds; i++) {
		if ((t = one_round(argv[1], &c, by_glibc)) < best_g)
			best_g = t;
	}
	printf("glibc regexec (same follower):     %ld lines, %ld matched, %.3f s, "
	    "%.0f lines/s\n", c.lines, c.matched, best_g, (double)c.lines / best_g);
	regexset_free(c.set);
	for (i = 0; i < (int)c.n_re; i++)
		regfree(&c.re[i]);
	free(c.re);
	strv_free(pats);
	return 0;
}
