/*
 * The cleanup healing action. Matches are examined with lstat, so a
 * symlink is judged as itself and never as what it points to, and only
 * regular files are deleted. Each pattern keeps its own newest files; a
 * path is decided by the first pattern that matches it.
 */
#include "heal/cleanup.h"

#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "config/units.h"

struct match {
	const char	*path;		/* owned by the glob_t */
	int64_t		 mtime_ms;
	int64_t		 size;
};

/*
 * The paths earlier patterns matched. Only v[0..sorted) is sorted and
 * searched: the paths of the pattern at hand are appended unsorted, which
 * is enough because glob never returns the same path twice.
 */
struct pathset {
	char		**v;
	size_t		 len;
	size_t		 cap;
	size_t		 sorted;
};

static void	report_error(struct cleanup_report *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
report_error(struct cleanup_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->first_error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(r->first_error, sizeof(r->first_error), fmt, ap);
	va_end(ap);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
pathset_has(const struct pathset *s, const char *path)
{
	if (s->sorted == 0)
		return false;
	return bsearch(&path, s->v, s->sorted, sizeof(*s->v), cmp_str) != NULL;
}

static void
pathset_add(struct pathset *s, const char *path)
{
	if (s->len == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->len++] = xstrdup(path);
}

static void
pathset_sort(struct pathset *s)
{
	if (s->len > 0)
		qsort(s->v, s->len, sizeof(*s->v), cmp_str);
	s->sorted = s->len;
}

static void
pathset_free(struct pathset *s)
{
	size_t i;

	for (i = 0; i < s->len; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->len = s->cap = s->sorted = 0;
}

/* Newest first; equal mtimes by path, so that the order is repeatable. */
static int
cmp_newest_first(const void *a, const void *b)
{
	const struct match *x = a, *y = b;

	if (x->mtime_ms != y->mtime_ms)
		return x->mtime_ms > y->mtime_ms ? -1 : 1;
	return strcmp(x->path, y->path);
}

/*
 * The regular files among a pattern's matches that no earlier pattern
 * took, into *out; returns how many. Every new path is marked as taken,
 * whatever it turns out to be. A name that vanished since glob read the
 * directory is simply gone; one that cannot be examined is an error,
 * since it cannot be cleaned up either.
 */
static size_t
collect_matches(const glob_t *g, struct pathset *seen, struct match **out,
    struct cleanup_report *r)
{
	struct match *m;
	struct stat st;
	size_t i, n = 0;

	m = xcalloc(g->gl_pathc, sizeof(*m));
	for (i = 0; i < g->gl_pathc; i++) {
		if (pathset_has(seen, g->gl_pathv[i]))
			continue;
		pathset_add(seen, g->gl_pathv[i]);
		if (lstat(g->gl_pathv[i], &st) == -1) {
			if (errno != ENOENT) {
				r->errors++;
				report_error(r, "%s: %s", g->gl_pathv[i],
				    strerror(errno));
			}
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		m[n].path = g->gl_pathv[i];
		m[n].mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 +
		    st.st_mtim.tv_nsec / 1000000;
		m[n].size = st.st_size;
		n++;
	}
	*out = m;
	return n;
}

static void
remove_one(const struct match *m, bool dry_run, struct cleanup_report *r)
{
	if (!dry_run && unlink(m->path) == -1) {
		/* Removed by someone else meanwhile: gone, not freed by us. */
		if (errno == ENOENT)
			return;
		r->errors++;
		report_error(r, "%s: %s", m->path, strerror(errno));
		return;
	}
	r->removed++;
	r->bytes_freed += m->size;
}

static bool
old_enough(const struct match *m, const struct cleanup_spec *spec,
    int64_t now_ms)
{
	if (spec->older_than_ms <= 0)
		return true;
	return m->mtime_ms <= now_ms - spec->older_than_ms;
}

/* Returns glob's result: 0, or a GLOB_ error other than GLOB_NOMATCH. */
static int
cleanup_pattern(const char *pattern, const struct cleanup_spec *spec,
    int64_t now_ms, bool dry_run, struct pathset *seen,
    struct cleanup_report *r)
{
	struct match *m;
	glob_t g;
	size_t i, n, keep;
	int rc;

	memset(&g, 0, sizeof(g));
	rc = glob(pattern, GLOB_NOSORT, NULL, &g);
	if (rc != 0) {
		globfree(&g);
		return rc == GLOB_NOMATCH ? 0 : rc;
	}
	n = collect_matches(&g, seen, &m, r);
	r->matched += n;
	qsort(m, n, sizeof(*m), cmp_newest_first);
	keep = spec->keep_newest > 0 ? (size_t)spec->keep_newest : 0;
	for (i = keep; i < n; i++)
		if (old_enough(&m[i], spec, now_ms))
			remove_one(&m[i], dry_run, r);
	pathset_sort(seen);
	free(m);
	globfree(&g);
	return 0;
}

static const char *
glob_strerror(int rc)
{
	switch (rc) {
	case GLOB_NOSPACE:
		return "glob: out of memory";
	case GLOB_ABORTED:
		return "glob: read error";
	default:
		return "glob failed";
	}
}

/* Checked before anything is deleted, so a bad spec deletes nothing. */
static int
validate_patterns(char *const *paths, struct cleanup_report *r)
{
	for (; *paths != NULL; paths++) {
		if (**paths == '\0') {
			snprintf(r->first_error, sizeof(r->first_error),
			    "empty pattern");
			return -1;
		}
	}
	return 0;
}

int
cleanup_run(const struct cleanup_spec *spec, int64_t now_ms, bool dry_run,
    struct cleanup_report *report)
{
	struct pathset seen = { 0 };
	char *const *p;
	int rc, ret = 0;

	memset(report, 0, sizeof(*report));
	if (spec->paths == NULL)
		return 0;
	if (validate_patterns(spec->paths, report) == -1)
		return -1;
	/*
	 * A pattern glob fails on does not stop the others from freeing
	 * disk; its message replaces any file error, as it is the reason
	 * for the -1.
	 */
	for (p = spec->paths; *p != NULL; p++) {
		rc = cleanup_pattern(*p, spec, now_ms, dry_run, &seen, report);
		if (rc != 0 && ret == 0) {
			snprintf(report->first_error,
			    sizeof(report->first_error), "%s: %s", *p,
			    glob_strerror(rc));
			ret = -1;
		}
	}
	pathset_free(&seen);
	return ret;
}

void
cleanup_report_format(const struct cleanup_report *r, bool dry_run,
    char *buf, size_t len)
{
	char size[32];
	size_t off;
	int n;

	if (len == 0)
		return;
	units_format_size(r->bytes_freed, size, sizeof(size));
	n = snprintf(buf, len, "%zu file%s, %s %s", r->removed,
	    r->removed == 1 ? "" : "s", size,
	    dry_run ? "would be freed" : "freed");
	if (n < 0 || (size_t)n >= len || r->first_error[0] == '\0')
		return;
	off = (size_t)n;
	if (r->errors == 0)
		snprintf(buf + off, len - off, "; %s", r->first_error);
	else if (r->errors == 1)
		snprintf(buf + off, len - off, "; 1 error: %s", r->first_error);
	else
		snprintf(buf + off, len - off, "; %zu errors, first: %s",
		    r->errors, r->first_error);
}
