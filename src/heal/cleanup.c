/*
 * The cleanup action: for each pattern, the walk (cleanup_walk.c) finds
 * the regular files it matches; they are sorted newest first, the newest
 * kept, and the old enough among the rest removed, directory by
 * directory, through a descriptor of the directory they were found in. A
 * file is decided by the first pattern that matches it.
 */
#include "heal/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/units.h"
#include "core/pathglob.h"
#include "core/clock.h"
#include "core/mem.h"
#include "heal/cleanup_walk.h"

/*
 * The files (inodes) earlier patterns matched: a file reached by two
 * spellings (/var/run/x, /run/x) is still one. Only v[0..sorted) is
 * sorted and searched; the pattern at hand appends its own unsorted.
 */
struct idset {
	struct fileid {
		dev_t	 dev;
		ino_t	 ino;
	}		*v;
	size_t		 len;
	size_t		 cap;
	size_t		 sorted;
};

void
cleanup_note_error(struct cleanup_report *r, const char *fmt, ...)
{
	va_list ap;

	r->errors++;
	if (r->first_error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(r->first_error, sizeof(r->first_error), fmt, ap);
	va_end(ap);
}

void
cleanup_note_skip(struct cleanup_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->skipped < CLEANUP_SKIPS_KEPT) {
		va_start(ap, fmt);
		vsnprintf(r->skips[r->skipped], sizeof(r->skips[0]), fmt, ap);
		va_end(ap);
	}
	r->skipped++;
}

static int
cmp_id(const void *a, const void *b)
{
	const struct fileid *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static bool
idset_has(const struct idset *s, dev_t dev, ino_t ino)
{
	struct fileid key = { dev, ino };

	if (s->sorted == 0)
		return false;
	return bsearch(&key, s->v, s->sorted, sizeof(*s->v), cmp_id) != NULL;
}

static void
idset_add(struct idset *s, dev_t dev, ino_t ino)
{
	if (s->len == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->len].dev = dev;
	s->v[s->len++].ino = ino;
}

static void
idset_sort(struct idset *s)
{
	if (s->len > 0)
		qsort(s->v, s->len, sizeof(*s->v), cmp_id);
	s->sorted = s->len;
}

/* Newest first; equal mtimes by directory and name, so that the order is repeatable. */
static int
cmp_newest_first(const void *a, const void *b)
{
	const struct cw_file *x = *(const struct cw_file *const *)a;
	const struct cw_file *y = *(const struct cw_file *const *)b;

	if (x->mtime_ms != y->mtime_ms)
		return x->mtime_ms > y->mtime_ms ? -1 : 1;
	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* By directory, so that each is reopened once for its removals. */
static int
cmp_dir(const void *a, const void *b)
{
	const struct cw_file *x = *(const struct cw_file *const *)a;
	const struct cw_file *y = *(const struct cw_file *const *)b;

	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * The pattern's files that no earlier pattern took, into *out; returns how
 * many. Each is marked as taken. Two names of one file (hard links) in
 * the same pattern are two matches, as glob had them.
 */
static size_t
collect_matches(struct cw_result *res, struct idset *seen, struct cw_file ***out)
{
	struct cw_file **m;
	size_t i, n = 0;

	m = xcalloc(res->nfiles + 1, sizeof(*m));
	for (i = 0; i < res->nfiles; i++) {
		if (idset_has(seen, res->files[i].dev, res->files[i].ino))
			continue;
		idset_add(seen, res->files[i].dev, res->files[i].ino);
		m[n++] = &res->files[i];
	}
	*out = m;
	return n;
}

/*
 * Removes f from the directory dfd, if it is still the regular file that
 * was examined: the look and the unlink are relative to the same
 * descriptor, so a directory swapped for a link meanwhile cannot redirect
 * the unlink, and whatever stands at the name now is at worst left alone.
 */
static void
remove_one(const struct cw_result *res, int dfd, const struct cw_file *f,
    struct cleanup_report *r)
{
	char path[PATH_MAX];
	struct stat st;

	cleanup_walk_path(res, f, path, sizeof(path));
	if (fstatat(dfd, f->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		/* Removed by someone else meanwhile: gone, not freed by us. */
		if (errno != ENOENT)
			cleanup_note_error(r, "%s: %s", path, strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode) || st.st_dev != f->dev || st.st_ino != f->ino) {
		cleanup_note_skip(r, "skipped %s: replaced since it was examined", path);
		return;
	}
	if (unlinkat(dfd, f->name, 0) < 0) {
		if (errno != ENOENT)
			cleanup_note_error(r, "%s: %s", path, strerror(errno));
		return;
	}
	r->removed++;
	r->bytes_freed += st.st_size;
}

/* The chosen files m[0..n), directory by directory. */
static void
remove_chosen(const struct cw_result *res, struct cw_file **m, size_t n,
    struct cw_budget *b, struct cleanup_report *r)
{
	size_t i = 0, j;
	int dfd;

	qsort(m, n, sizeof(*m), cmp_dir);
	while (i < n && cleanup_budget_time_left(b)) {
		for (j = i; j < n && m[j]->dir == m[i]->dir; j++)
			;
		if ((dfd = cleanup_walk_reopen(res, m[i]->dir, r)) >= 0) {
			for (; i < j && cleanup_budget_time_left(b); i++)
				remove_one(res, dfd, m[i], r);
			close(dfd);
		}
		i = j;
	}
}

static bool
old_enough(const struct cw_file *f, const struct cleanup_spec *spec, int64_t now_ms)
{
	if (spec->older_than_ms <= 0)
		return true;
	return f->mtime_ms <= now_ms - spec->older_than_ms;
}

static void
cleanup_pattern(const char *pattern, const struct cleanup_spec *spec, int64_t now_ms,
    bool dry_run, struct idset *seen, struct cw_budget *b, struct cleanup_report *r)
{
	struct cw_result res;
	struct cw_file **m;
	size_t i, n, keep, chosen = 0;

	cleanup_walk(pattern, b, &res, r);
	n = collect_matches(&res, seen, &m);
	r->matched += n;
	qsort(m, n, sizeof(*m), cmp_newest_first);
	keep = spec->keep_newest > 0 ? (size_t)spec->keep_newest : 0;
	for (i = keep; i < n; i++)
		if (old_enough(m[i], spec, now_ms))
			m[chosen++] = m[i];
	if (dry_run) {
		r->removed += chosen;
		for (i = 0; i < chosen; i++)
			r->bytes_freed += m[i]->size;
	} else {
		remove_chosen(&res, m, chosen, b, r);
	}
	idset_sort(seen);
	free(m);
	cleanup_walk_free(&res);
}

/* Checked before anything is deleted, so a bad spec deletes nothing. */
static int
validate_patterns(char *const *paths, struct cleanup_report *r)
{
	for (; *paths != NULL; paths++)
		if (pathglob_check(*paths, r->first_error, sizeof(r->first_error)) < 0)
			return -1;
	return 0;
}

int
cleanup_run(const struct cleanup_spec *spec, int64_t now_ms, bool dry_run,
    struct cleanup_report *report)
{
	struct idset seen = { 0 };
	struct cw_budget b = { 0 };
	char *const *p;

	memset(report, 0, sizeof(*report));
	if (spec->paths == NULL)
		return 0;
	if (validate_patterns(spec->paths, report) == -1)
		return -1;
	b.max_names = spec->max_names > 0 ? spec->max_names : CLEANUP_MAX_NAMES;
	if (spec->timeout_ms > 0)
		b.deadline_ms = clock_mono_ms() + spec->timeout_ms;
	for (p = spec->paths; *p != NULL && !b.stopped; p++)
		cleanup_pattern(*p, spec, now_ms, dry_run, &seen, &b, report);
	if (b.stopped && b.names > b.max_names)
		cleanup_note_error(report, "stopped after looking at %zu names (cleanup's "
		    "limit), in %s", b.max_names, p[-1]);
	else if (b.stopped)
		cleanup_note_error(report, "stopped at the timeout (%lld ms), in %s",
		    (long long)spec->timeout_ms, p[-1]);
	free(seen.v);
	return 0;
}

static size_t
append(char *buf, size_t len, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Formats at buf + off, cut to len; the new length of the text. */
static size_t
append(char *buf, size_t len, size_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (off >= len)
		return off;
	va_start(ap, fmt);
	n = vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
	if (n < 0)
		return off;
	return off + (size_t)n < len ? off + (size_t)n : len;
}

void
cleanup_report_format(const struct cleanup_report *r, bool dry_run,
    char *buf, size_t len)
{
	char size[32];
	size_t off;

	if (len == 0)
		return;
	units_format_size(r->bytes_freed, size, sizeof(size));
	off = append(buf, len, 0, "%zu file%s, %s %s", r->removed,
	    r->removed == 1 ? "" : "s", size, dry_run ? "would be freed" : "freed");
	if (r->errors == 1)
		off = append(buf, len, off, "; 1 error: %s", r->first_error);
	else if (r->errors > 1)
		off = append(buf, len, off, "; %zu errors, first: %s", r->errors,
		    r->first_error);
	else if (r->first_error[0] != '\0')
		off = append(buf, len, off, "; %s", r->first_error);
	if (r->skipped == 1)
		append(buf, len, off, "; %s", r->skips[0]);
	else if (r->skipped > 1)
		append(buf, len, off, "; %zu skipped, first: %s", r->skipped, r->skips[0]);
}
