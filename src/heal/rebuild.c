/*
 * The rebuild engine: clear, then steps. rm -rf by path would follow a
 * link anyone who can write in a directory of the path put there (a user's
 * /srv/app/.venv -> /etc), and a directory swapped for a link between the
 * look and the removal (the tmpwatch bug) would take the removal with it.
 * Here the path is walked from / one component at a time (core/pathwalk),
 * each opened with O_NOFOLLOW relative to the directory before it; the
 * tree below is removed with unlinkat relative to descriptors of the very
 * directories that were opened, each checked to be the one looked at.
 * Whoever can write in one of them may add or rename names in it, but
 * can never make the removal leave it.
 */
#include "heal/rebuild.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "core/mem.h"
#include "core/pathwalk.h"
#include "core/strv.h"
#include "net/retry.h"

#define CLEAR_MAX_DEPTH		256	/* one descriptor per level is held */
#define CLEAR_MAX_PASSES	8	/* readdir passes over a directory still filling up */

struct clear {
	dev_t		 dev;		/* the filesystem of the path's parent: never left */
	struct rebuild_cleared *out;
	char		 path[PATH_MAX];	/* where the walk is, for messages */
	char		*err;
	size_t		 errlen;
};

static int	clear_entry(struct clear *, int, const char *, unsigned char, int);

static int
clear_fail(struct clear *c, const char *what)
{
	snprintf(c->err, c->errlen, "%s: %s", c->path, what);
	return -1;
}

/* c->path + "/" + name while the walk is in name; the old length to put back. */
static size_t
clear_push(struct clear *c, const char *name)
{
	size_t len = strlen(c->path);

	snprintf(c->path + len, sizeof(c->path) - len, "/%s", name);
	return len;
}

/*
 * Whether the directory open as fd is the root of a mount: a bind mount
 * of the same filesystem keeps st_dev, statx says it anyway (Linux 5.8).
 */
static bool
mount_root(int fd)
{
#ifdef STATX_ATTR_MOUNT_ROOT
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_INO, &sx) == 0 &&
	    (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
#else
	(void)fd;
#endif
	return false;
}

/*
 * Empties the directory open as fd (taken: closed here). Names are
 * removed as they are read; a pass that removed something is followed by
 * another, for names added meanwhile, at most CLEAR_MAX_PASSES.
 */
static int
clear_dir(struct clear *c, int fd, int depth)
{
	struct dirent *de;
	bool again = true;
	int pass, rc = 0;
	DIR *d;

	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return clear_fail(c, strerror(errno));
	}
	for (pass = 0; rc == 0 && again && pass < CLEAR_MAX_PASSES; pass++) {
		again = false;
		rewinddir(d);
		errno = 0;
		while (rc == 0 && (de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			rc = clear_entry(c, dirfd(d), de->d_name, de->d_type, depth);
			again = true;
			errno = 0;
		}
		if (rc == 0 && errno != 0)
			rc = clear_fail(c, strerror(errno));
	}
	closedir(d);
	return rc;
}

/*
 * The directory name of dfd (st, as looked at): opened without following,
 * checked to be what was looked at and on the same filesystem, emptied,
 * removed.
 */
static int
clear_subdir(struct clear *c, int dfd, const char *name, const struct stat *st, int depth)
{
	struct stat fst;
	int fd;

	if (st->st_dev != c->dev)
		return clear_fail(c, "a mount point: tend does not clear across filesystems");
	if (depth > CLEAR_MAX_DEPTH)
		return clear_fail(c, "more than 256 directories deep; not cleared");
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return clear_fail(c, errno == ELOOP || errno == ENOTDIR ?
		    "replaced while being cleared" : strerror(errno));
	if (fstat(fd, &fst) < 0 || fst.st_dev != st->st_dev || fst.st_ino != st->st_ino) {
		close(fd);
		return clear_fail(c, "replaced while being cleared");
	}
	if (mount_root(fd)) {
		close(fd);
		return clear_fail(c, "a mount point: tend does not clear across filesystems");
	}
	if (clear_dir(c, fd, depth) < 0)
		return -1;
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return clear_fail(c, strerror(errno));
	c->out->dirs++;
	return 0;
}

/* One name of the directory dfd: a directory is emptied first; anything else unlinked. */
static int
clear_entry(struct clear *c, int dfd, const char *name, unsigned char type, int depth)
{
	struct stat st;
	size_t len = clear_push(c, name);
	int rc = 0;

	if (type == DT_DIR || type == DT_UNKNOWN) {
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = errno == ENOENT ? 0 : clear_fail(c, strerror(errno));
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			rc = clear_subdir(c, dfd, name, &st, depth + 1);
			goto out;
		}
	}
	/* unlinkat never follows a link: a link goes, its target stays. */
	if (unlinkat(dfd, name, 0) == 0)
		c->out->files++;
	else if (errno != ENOENT)
		rc = clear_fail(c, errno == EISDIR ? "replaced while being cleared" :
		    strerror(errno));
out:
	c->path[len] = '\0';
	return rc;
}

/* Whether path is one tend may walk: absolute, not /, no "." or "..", names that fit. */
static const char *
clear_path_refusal(const char *path)
{
	const char *s = path, *e;
	size_t n, names = 0;

	if (path[0] != '/')
		return "not an absolute path";
	if (strlen(path) >= PATH_MAX)
		return "too long";
	for (; *s != '\0'; s = e) {
		while (*s == '/')
			s++;
		e = s + strcspn(s, "/");
		if ((n = (size_t)(e - s)) == 0)
			break;
		if (n > NAME_MAX)
			return "a name in it is too long";
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return "'.' and '..' are not followed";
		names++;
	}
	return names == 0 ? "the root directory" : NULL;
}

/*
 * The directory holding path's last name, as an O_PATH descriptor (its
 * stat in *st, the name in base), walked without following a link: -1
 * with c's error, -2 when a directory on the way is missing (nothing to
 * clear).
 */
static int
clear_parent(struct clear *c, const char *path, char *base, size_t baselen,
    struct stat *st)
{
	char comp[NAME_MAX + 1];
	struct pathwalk pw;
	struct stat est;
	bool last = false;
	int e, en;

	if (pathwalk_start(&pw, path) < 0)
		return clear_fail(c, strerror(errno));
	c->path[0] = '\0';
	while (pathwalk_next(&pw, comp, sizeof(comp), &last) && !last) {
		clear_push(c, comp);
		if ((e = openat(pw.dirfd, comp, PATHWALK_OPEN)) < 0 || fstat(e, &est) < 0) {
			en = errno;
			if (e >= 0)
				close(e);
			pathwalk_end(&pw);
			return en == ENOENT ? -2 : clear_fail(c, strerror(en));
		}
		if (!S_ISDIR(est.st_mode)) {
			close(e);
			pathwalk_end(&pw);
			return S_ISLNK(est.st_mode) ? clear_fail(c, "a symlink: tend follows "
			    "none on the way to a path it clears (name the real path)") : -2;
		}
		pathwalk_enter(&pw, e, &est, comp);
	}
	snprintf(base, baselen, "%s", comp);
	*st = pw.dst;
	return pw.dirfd;
}

int
rebuild_clear(const char *path, struct rebuild_cleared *out, char *err, size_t errlen)
{
	struct clear c = { .out = out, .err = err, .errlen = errlen };
	char base[NAME_MAX + 1];
	const char *no;
	struct stat pst, st;
	int pfd, rc;

	out->existed = out->link = false;
	out->files = out->dirs = 0;
	if ((no = clear_path_refusal(path)) != NULL) {
		snprintf(err, errlen, "%s: %s; not cleared", path, no);
		return -1;
	}
	if ((pfd = clear_parent(&c, path, base, sizeof(base), &pst)) == -2)
		return 0;
	if (pfd < 0)
		return -1;
	c.dev = pst.st_dev;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		close(pfd);
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	out->existed = true;
	out->link = S_ISLNK(st.st_mode);
	/* The entry's own name: c.path is the walk's "/a/b", clear_entry adds "/base". */
	rc = clear_entry(&c, pfd, base, S_ISDIR(st.st_mode) ? DT_DIR : DT_UNKNOWN, 0);
	close(pfd);
	return rc;
}

/* A step's retry: the entry's `retry:` (attempts and backoff), the caller's output and store. */
static void
step_options(const struct rebuild_conf *rb, const struct rebuild_options *opts,
    const char *label, struct retry_options *ro)
{
	retry_options_init(ro);
	ro->max_retries = rb->retry.attempts > 0 ? rb->retry.attempts - 1 : 0;
	ro->initial_ms = rb->retry.backoff.initial_ms;
	ro->max_delay_ms = rb->retry.backoff.max_ms;
	ro->multiplier = rb->retry.backoff.multiplier;
	ro->jitter = BACKOFF_JITTER_SPREAD;
	ro->jitter_spread = rb->retry.backoff.jitter;
	ro->store = opts->store;
	ro->state_dir = opts->state_dir;
	ro->label = label;
	ro->summary = !opts->quiet;
	if (opts->out_fd > 0)
		ro->out_fd = opts->out_fd;
	if (opts->err_fd > 0)
		ro->err_fd = opts->err_fd;
}

static int
rebuild_clear_all(const struct rebuild_conf *rb, const struct rebuild_options *opts,
    struct rebuild_report *r)
{
	struct rebuild_cleared *cl;
	size_t n = strv_len(rb->clear), i;

	r->cleared = xcalloc(n + 1, sizeof(*r->cleared));
	for (i = 0; i < n; i++) {
		cl = &r->cleared[r->n_cleared++];
		cl->path = xstrdup(rb->clear[i]);
		if (rebuild_clear(rb->clear[i], cl, r->error, sizeof(r->error)) < 0)
			return -1;
		if (opts->cleared != NULL)
			opts->cleared(opts->arg, cl);
	}
	return 0;
}

static int
rebuild_steps(const struct rebuild_conf *rb, const struct rebuild_options *opts,
    struct rebuild_report *r)
{
	struct rebuild_step_result *s;
	struct retry_options ro;
	struct retry_report rep;
	char label[256], *shown;
	size_t i;

	r->steps = xcalloc(rb->n_steps + 1, sizeof(*r->steps));
	for (i = 0; i < rb->n_steps; i++) {
		snprintf(label, sizeof(label), "rebuild %s: step %zu", rb->name, i + 1);
		step_options(rb, opts, label, &ro);
		retry_command(&ro, rb->steps[i].argv, &rep);
		retry_options_clear(&ro);
		s = &r->steps[r->n_steps++];
		s->exit_code = rep.exit_code;
		s->attempts = rep.attempts;
		s->elapsed_ms = rep.elapsed_ms;
		if (rep.exit_code != 0 || rep.interrupted) {
			shown = retry_format_argv(rb->steps[i].argv);
			snprintf(r->error, sizeof(r->error), "step %zu (%s) failed after %d "
			    "attempt%s: exit %d%s", i + 1, shown, rep.attempts,
			    rep.attempts == 1 ? "" : "s", rep.exit_code,
			    rep.interrupted ? " (interrupted)" : "");
			free(shown);
			return -1;
		}
	}
	return 0;
}

int
rebuild_run(const struct rebuild_conf *rb, const struct rebuild_options *opts,
    struct rebuild_report *report)
{
	memset(report, 0, sizeof(*report));
	if (rebuild_clear_all(rb, opts, report) < 0 || rebuild_steps(rb, opts, report) < 0)
		return -1;
	report->ok = true;
	return 0;
}

void
rebuild_report_free(struct rebuild_report *r)
{
	size_t i;

	for (i = 0; i < r->n_cleared; i++)
		free(r->cleared[i].path);
	free(r->cleared);
	free(r->steps);
	memset(r, 0, sizeof(*r));
}
