/*
 * glob(3) would do this walk by path: every directory component of every
 * match is looked up again from /, following symlinks, so a user's link
 * /var/tmp/app/x -> /etc takes root's cleanup of /var/tmp/app/ * /cache/ *
 * into /etc, and a directory swapped for a link between the look and the
 * unlink redirects the unlink (the tmpwatch bug). Here each component is
 * opened relative to the descriptor of the directory before it, with
 * O_NOFOLLOW; a directory is entered only when it is root's or tend's
 * user's and not writable by everyone without the sticky bit; what is
 * matched is remembered as (directory, name, inode), so that the removal
 * can act on the very directories that were examined.
 *
 * Matching is glob's: a component without * ? [ ] is a name (a backslash
 * quotes the next character), one with them is an fnmatch(3) pattern with
 * FNM_PERIOD (a leading dot must be matched by a dot), matched against
 * readdir of the directory. Unlike glob, a wildcard never matches . or ..
 * and a symlink is never followed, except in the fixed part of a pattern
 * (before its first wildcard), where one that no other user could have put
 * there is (/var/run -> /run).
 */
#include "heal/cleanup_walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/mem.h"
#include "core/owner.h"
#include "core/pathglob.h"
#include "core/pathwalk.h"

#define WALK_CLOCK_EVERY	256	/* names between looks at the clock */

/* A name a wildcard matched, with what readdir said it is. */
struct name {
	char		*name;
	unsigned char	 type;
};

struct walk {
	struct cw_budget *b;
	struct cw_result *res;
	struct cleanup_report *r;
	struct pathglob_comp *comps;
	size_t		 n;
};

static void	walk_in(struct walk *, size_t, int, size_t);

/* One more name looked at: false once the run must stop. */
static bool
budget_take(struct cw_budget *b)
{
	if (b->stopped)
		return false;
	if (++b->names > b->max_names) {
		b->stopped = true;
		return false;
	}
	if (b->names % WALK_CLOCK_EVERY == 0)
		return cleanup_budget_time_left(b);
	return true;
}

bool
cleanup_budget_time_left(struct cw_budget *b)
{
	if (!b->stopped && b->deadline_ms > 0 && clock_mono_ms() >= b->deadline_ms)
		b->stopped = true;
	return !b->stopped;
}

/*
 * Why root must not enter the directory st, or NULL: its owner (or anyone,
 * where everyone may write without the sticky bit) can rearrange it at any
 * moment. The sticky bit (/tmp) lets others add names, never replace ours.
 */
static const char *
dir_refusal(const struct stat *st, char *buf, size_t len)
{
	char who[128];

	if (!owner_trusted(st->st_uid)) {
		owner_name(st->st_uid, who, sizeof(who));
		snprintf(buf, len, "owned by %s", who);
		return buf;
	}
	if ((st->st_mode & S_IWOTH) && !(st->st_mode & S_ISVTX))
		return "writable by everyone, without the sticky bit";
	return NULL;
}

/*
 * Whether a link in a pattern's fixed part may be followed: only if no
 * other user could have put it there. Its directory was entered, so its
 * owner is trusted; others may write in it only through the sticky bit
 * (then they cannot replace a link that is not theirs) or as root's group.
 */
static bool
link_trusted(const struct stat *dir, const struct stat *link)
{
	if ((dir->st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return true;
	if (dir->st_mode & S_ISVTX)
		return owner_trusted(link->st_uid);
	return (dir->st_mode & S_IWOTH) == 0 && dir->st_gid == 0;
}

static size_t
add_dir(struct cw_result *res, size_t parent, const char *name, const char *path,
    const struct stat *st)
{
	struct cw_dir *d;

	if (res->ndirs == res->capdirs) {
		res->capdirs = res->capdirs ? res->capdirs * 2 : 16;
		res->dirs = xrealloc(res->dirs, res->capdirs * sizeof(*res->dirs));
	}
	d = &res->dirs[res->ndirs];
	d->parent = parent;
	d->name = name != NULL ? xstrdup(name) : NULL;
	d->path = xstrdup(path);
	d->dev = st->st_dev;
	d->ino = st->st_ino;
	return res->ndirs++;
}

static void
add_file(struct cw_result *res, size_t dir, const char *name, const struct stat *st)
{
	struct cw_file *f;

	if (res->nfiles == res->capfiles) {
		res->capfiles = res->capfiles ? res->capfiles * 2 : 64;
		res->files = xrealloc(res->files, res->capfiles * sizeof(*res->files));
	}
	f = &res->files[res->nfiles++];
	f->dir = dir;
	f->name = xstrdup(name);
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->mtime_ms = (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
	f->size = st->st_size;
}

/*
 * One step of a fixed part: into comp of the directory reached, or through
 * the link comp is. 1 when the walk goes on, 0 when it ends here (said
 * why, or silently when there is nothing), -1 on an error (said).
 */
static int
prefix_step(struct walk *w, struct pathwalk *pw, const char *comp)
{
	char epath[PATH_MAX + NAME_MAX + 2], why[192];
	const char *no = NULL;
	struct stat st;
	int e, err;

	snprintf(epath, sizeof(epath), "%s/%s", pw->dpath, comp);
	if ((e = openat(pw->dirfd, comp, PATHWALK_OPEN)) < 0 || fstat(e, &st) < 0) {
		err = errno;
		if (e >= 0)
			close(e);
		if (err == ENOENT || err == ENOTDIR)
			return 0;
		cleanup_note_error(w->r, "%s: %s", epath, strerror(err));
		return -1;
	}
	if (S_ISLNK(st.st_mode) && !link_trusted(&pw->dst, &st)) {
		cleanup_note_skip(w->r, "skipped %s: a symlink where others can write", epath);
		close(e);
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		if (pathwalk_follow(pw, e) < 0) {
			cleanup_note_error(w->r, "%s: %s", epath, errno == ELOOP ?
			    "too many symlinks" : strerror(errno));
			close(e);
			return -1;
		}
		close(e);
		return 1;
	}
	if (S_ISDIR(st.st_mode) && (no = dir_refusal(&st, why, sizeof(why))) != NULL)
		cleanup_note_skip(w->r, "not entering %s: %s", epath, no);
	if (!S_ISDIR(st.st_mode) || no != NULL) {
		close(e);
		return 0;
	}
	pathwalk_enter(pw, e, &st, comp);
	return 1;
}

/*
 * The fixed part (comps[0..n), all names) walked from /: its directory as
 * an O_PATH descriptor, its stat in *st; -1 when the walk ends before it.
 */
static int
walk_prefix(struct walk *w, size_t n, struct stat *st)
{
	char prefix[2 * PATH_MAX], comp[NAME_MAX + 1];
	struct pathwalk pw;
	size_t i, len = 1;
	bool last;
	int rc = 1;

	snprintf(prefix, sizeof(prefix), "/");
	for (i = 0; i < n && len < sizeof(prefix); i++)
		len += (size_t)snprintf(prefix + len, sizeof(prefix) - len, "%s/",
		    w->comps[i].text);
	if (pathwalk_start(&pw, prefix) < 0) {
		cleanup_note_error(w->r, "/: %s", strerror(errno));
		return -1;
	}
	while (rc == 1 && pathwalk_next(&pw, comp, sizeof(comp), &last))
		if (strcmp(comp, ".") != 0)
			rc = prefix_step(w, &pw, comp);
	if (rc != 1) {
		pathwalk_end(&pw);
		return -1;
	}
	*st = pw.dst;
	return pw.dirfd;
}

static void
dir_path(const struct cw_result *res, size_t dir, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", res->dirs[dir].path, name);
}

void
cleanup_walk_path(const struct cw_result *res, const struct cw_file *f, char *buf,
    size_t len)
{
	dir_path(res, f->dir, f->name, buf, len);
}

/* The last component: a regular file is a match, a link is said and left. */
static void
walk_file(struct walk *w, size_t dir, int fd, const char *name, unsigned char type)
{
	char path[PATH_MAX + NAME_MAX + 2];
	struct stat st;

	if (type == DT_DIR)
		return;
	dir_path(w->res, dir, name, path, sizeof(path));
	if (type != DT_LNK &&
	    fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			cleanup_note_error(w->r, "%s: %s", path, strerror(errno));
		return;
	}
	if (type == DT_LNK || S_ISLNK(st.st_mode))
		cleanup_note_skip(w->r, "skipped %s: a symlink", path);
	else if (S_ISREG(st.st_mode))
		add_file(w->res, dir, name, &st);
}

/* A directory component: entered when it is a directory fit to enter. */
static void
walk_subdir(struct walk *w, size_t dir, int fd, const char *name, unsigned char type,
    size_t i)
{
	char path[PATH_MAX + NAME_MAX + 2], why[192];
	const char *no;
	struct stat st;
	size_t child;
	int e, err;

	if (type != DT_UNKNOWN && type != DT_DIR && type != DT_LNK)
		return;
	dir_path(w->res, dir, name, path, sizeof(path));
	if (type == DT_LNK) {
		cleanup_note_skip(w->r, "skipped %s: a symlink", path);
		return;
	}
	if ((e = openat(fd, name, PATHWALK_OPEN)) < 0 || fstat(e, &st) < 0) {
		err = errno;
		if (e >= 0)
			close(e);
		if (err != ENOENT && err != ENOTDIR)
			cleanup_note_error(w->r, "%s: %s", path, strerror(err));
		return;
	}
	if (S_ISLNK(st.st_mode))
		cleanup_note_skip(w->r, "skipped %s: a symlink", path);
	else if (S_ISDIR(st.st_mode) && (no = dir_refusal(&st, why, sizeof(why))) != NULL)
		cleanup_note_skip(w->r, "not entering %s: %s", path, no);
	else if (S_ISDIR(st.st_mode)) {
		child = add_dir(w->res, dir, name, path, &st);
		walk_in(w, child, e, i + 1);
	}
	close(e);
}

static void
walk_entry(struct walk *w, size_t dir, int fd, const char *name, unsigned char type,
    size_t i)
{
	if (i + 1 == w->n)
		walk_file(w, dir, fd, name, type);
	else
		walk_subdir(w, dir, fd, name, type, i);
}

/*
 * The names of the directory fd that pat matches, read through a
 * descriptor of its own (fd is O_PATH) and closed before the walk goes
 * deeper, so that it holds one descriptor per level.
 */
static struct name *
list_matching(struct walk *w, size_t dir, int fd, const char *pat, size_t *n)
{
	struct name *v = NULL;
	struct dirent *de;
	size_t cap = 0;
	DIR *d;
	int lfd;

	*n = 0;
	lfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lfd < 0 || (d = fdopendir(lfd)) == NULL) {
		cleanup_note_error(w->r, "%s: %s", w->res->dirs[dir].path[0] != '\0' ?
		    w->res->dirs[dir].path : "/", strerror(errno));
		if (lfd >= 0)
			close(lfd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL && budget_take(w->b)) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fnmatch(pat, de->d_name, FNM_PERIOD) != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[*n].name = xstrdup(de->d_name);
		v[(*n)++].type = de->d_type;
	}
	closedir(d);
	return v;
}

/* comps[i] in the directory dirs[dir], open as fd. */
static void
walk_in(struct walk *w, size_t dir, int fd, size_t i)
{
	struct name *v;
	size_t n, k;

	if (!w->comps[i].wild) {
		if (budget_take(w->b))
			walk_entry(w, dir, fd, w->comps[i].text, DT_UNKNOWN, i);
		return;
	}
	v = list_matching(w, dir, fd, w->comps[i].text, &n);
	for (k = 0; k < n; k++) {
		if (!w->b->stopped)
			walk_entry(w, dir, fd, v[k].name, v[k].type, i);
		free(v[k].name);
	}
	free(v);
}

/* "/a/b" of comps[0..n): the fixed part as the pattern spells it ("" for /). */
static char *
prefix_path(const struct walk *w, size_t n)
{
	char buf[PATH_MAX];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "/%s", w->comps[i].text);
	return xstrdup(buf);
}

void
cleanup_walk(const char *pattern, struct cw_budget *b, struct cw_result *res,
    struct cleanup_report *r)
{
	struct walk w = { .b = b, .res = res, .r = r };
	struct stat st;
	size_t fixed;
	char *path;

	memset(res, 0, sizeof(*res));
	res->base = -1;
	w.comps = pathglob_split(pattern, &w.n);
	/* The fixed part: every name before the first wildcard, or before the last name. */
	for (fixed = 0; fixed + 1 < w.n && !w.comps[fixed].wild; fixed++)
		;
	if (w.n > 0 && (res->base = walk_prefix(&w, fixed, &st)) >= 0) {
		path = prefix_path(&w, fixed);
		add_dir(res, 0, NULL, path, &st);
		free(path);
		walk_in(&w, 0, res->base, fixed);
	}
	pathglob_free(w.comps, w.n);
}

/* The directory fd still the one the walk entered as d, and still fit to enter. */
static bool
same_dir(int fd, const struct cw_dir *d)
{
	struct stat st;
	char why[192];

	return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_dev == d->dev &&
	    st.st_ino == d->ino && dir_refusal(&st, why, sizeof(why)) == NULL;
}

int
cleanup_walk_reopen(const struct cw_result *res, size_t dir, struct cleanup_report *r)
{
	size_t chain[PATHGLOB_MAX_DEPTH + 1], n = 0, i;
	int fd, e;

	for (i = dir; i != 0 && n < PATHGLOB_MAX_DEPTH; i = res->dirs[i].parent)
		chain[n++] = i;
	fd = fcntl(res->base, F_DUPFD_CLOEXEC, 3);
	if (fd >= 0 && !same_dir(fd, &res->dirs[0])) {
		close(fd);
		fd = -1;
	}
	while (fd >= 0 && n > 0) {
		i = chain[--n];
		e = openat(fd, res->dirs[i].name, PATHWALK_OPEN | O_DIRECTORY);
		close(fd);
		fd = e;
		if (fd >= 0 && !same_dir(fd, &res->dirs[i])) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		cleanup_note_skip(r, "skipped %s: changed while cleanup ran",
		    res->dirs[dir].path);
	return fd;
}

void
cleanup_walk_free(struct cw_result *res)
{
	size_t i;

	for (i = 0; i < res->ndirs; i++) {
		free(res->dirs[i].name);
		free(res->dirs[i].path);
	}
	for (i = 0; i < res->nfiles; i++)
		free(res->files[i].name);
	free(res->dirs);
	free(res->files);
	if (res->base >= 0)
		close(res->base);
	memset(res, 0, sizeof(*res));
	res->base = -1;
}
