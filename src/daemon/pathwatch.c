#include "daemon/pathwatch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/pathwalk.h"
#include "core/strv.h"

/*
 * Everything that changes a name or what it holds; never the reads. The
 * watch is added through /proc/self/fd of a directory opened without
 * following a link: that magic link is the one followed.
 */
#define PW_EVENTS	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
			 IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | \
			 IN_EXCL_UNLINK | IN_ONLYDIR)
#define PW_BUF		(64 * 1024)

/* One reason to watch a directory: several may share its descriptor. */
struct pw_watch {
	int		 wd;
	char		*dir;
	char		*root;		/* what was asked for */
	char		*only;		/* the one name watched in dir; NULL: a tree */
	size_t		 group;
};

struct pw_group {
	char		**paths;	/* collected, unique, at most PATHWATCH_MAX_PATHS */
	size_t		 n;
	size_t		 more;
	int64_t		 first_ms;	/* monotonic: its first change not reported yet */
	char		**exclude;
	char		**roots;
};

struct pathwatch {
	int		 fd;
	uv_poll_t	 poll;
	uv_timer_t	 timer;
	int		 handles;
	struct pw_watch	*w;
	size_t		 n_w;
	struct pw_group	*groups;
	size_t		 n_groups;
	int64_t		 quiet_ms;
	int64_t		 max_ms;
	int64_t		 first_ms;	/* the oldest change not reported yet; 0: none */
	pathwatch_fn	 fn;
	void		*arg;
};

static struct pw_group *
pw_group(struct pathwatch *pw, size_t group)
{
	if (group >= pw->n_groups) {
		pw->groups = xrealloc(pw->groups, (group + 1) * sizeof(*pw->groups));
		memset(pw->groups + pw->n_groups, 0,
		    (group + 1 - pw->n_groups) * sizeof(*pw->groups));
		pw->n_groups = group + 1;
	}
	return &pw->groups[group];
}

/* Whether rel (a path under a root, "a/b/c.log") is excluded from g. */
static bool
pw_excluded(const struct pw_group *g, const char *rel)
{
	const char *base = strrchr(rel, '/'), *p;
	char comp[NAME_MAX + 1];
	size_t i, len, plen;

	base = base != NULL ? base + 1 : rel;
	for (i = 0; g->exclude != NULL && g->exclude[i] != NULL; i++) {
		plen = strlen(g->exclude[i]);
		if (plen > 0 && g->exclude[i][plen - 1] != '/') {
			if (fnmatch(g->exclude[i], base, FNM_PERIOD) == 0)
				return true;
			continue;
		}
		/* "cache/": any directory component of rel. */
		for (p = rel; (len = strcspn(p, "/")) > 0 && p[len] == '/'; p += len + 1) {
			if (len > NAME_MAX || plen - 1 > NAME_MAX)
				continue;
			snprintf(comp, sizeof(comp), "%.*s/", (int)len, p);
			if (fnmatch(g->exclude[i], comp, FNM_PERIOD) == 0)
				return true;
		}
	}
	return false;
}

/* The same for rel when it names a directory: "cache/" matches it too. */
static bool
pw_excluded_as(const struct pw_group *g, const char *rel, bool is_dir)
{
	char *slashed;
	bool out;

	if (!is_dir)
		return pw_excluded(g, rel);
	slashed = xasprintf("%s/", rel);
	out = pw_excluded(g, slashed);
	free(slashed);
	return out;
}

static int
pw_path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void	pw_report(uv_timer_t *timer);

static void
pw_arm(struct pathwatch *pw)
{
	int64_t now = clock_mono_ms(), wait = pw->quiet_ms;

	if (pw->first_ms == 0)
		pw->first_ms = now;
	if (now - pw->first_ms + wait > pw->max_ms)
		wait = pw->max_ms - (now - pw->first_ms);
	uv_timer_start(&pw->timer, pw_report, (uint64_t)(wait > 0 ? wait : 0), 0);
}

static void
pw_note(struct pathwatch *pw, size_t group, const char *path)
{
	struct pw_group *g = pw_group(pw, group);
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->paths[i], path) == 0)
			return;
	if (g->n == 0 && g->more == 0)
		g->first_ms = clock_mono_ms();
	if (g->n == PATHWATCH_MAX_PATHS) {
		g->more++;
	} else {
		g->paths = xgrow(g->paths, g->n, sizeof(*g->paths));
		g->paths[g->n++] = xstrdup(path);
	}
	pw_arm(pw);
}

static void
pw_forget(struct pw_group *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->paths[i]);
	free(g->paths);
	g->paths = NULL;
	g->n = 0;
	g->more = 0;
}

static void
pw_report(uv_timer_t *timer)
{
	struct pathwatch *pw = timer->data;
	struct pw_group *g;
	size_t i;

	pw->first_ms = 0;
	for (i = 0; i < pw->n_groups; i++) {
		g = &pw->groups[i];
		if (g->n == 0)
			continue;
		qsort(g->paths, g->n, sizeof(*g->paths), pw_path_cmp);
		pw->fn(pw->arg, i, (const char *const *)g->paths, g->n, g->more, g->first_ms);
		pw_forget(g);
	}
}

/*
 * dir, opened from / without following a link on the way: a directory
 * another user can write may hold a link where the set has a directory,
 * and tend must not watch (and report the names of) what it points to.
 * flags: O_PATH to watch it, O_RDONLY to read it. -1 with errno.
 */
static int
pw_open_dir(const char *dir, int flags)
{
	const char *base;
	int pfd, fd, saved;

	if (strcmp(dir, "/") == 0)
		return open("/", flags | O_DIRECTORY | O_CLOEXEC);
	if ((pfd = pathwalk_parent(dir, O_PATH, &base)) < 0)
		return -1;
	fd = openat(pfd, base, flags | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	saved = errno;
	close(pfd);
	errno = saved;
	return fd;
}

static int
pw_watch_dir(struct pathwatch *pw, const char *dir, const char *root, const char *only,
    size_t group, char *err, size_t errlen)
{
	struct pw_watch *w;
	char proc[64];
	int wd = -1, fd, saved;

	if (pw->n_w >= PATHWATCH_MAX_WATCHES) {
		snprintf(err, errlen, "%s: more than %d directories watched", dir,
		    PATHWATCH_MAX_WATCHES);
		return -1;
	}
	if ((fd = pw_open_dir(dir, O_PATH)) >= 0) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		wd = inotify_add_watch(pw->fd, proc, PW_EVENTS);
		saved = errno;
		close(fd);
		errno = saved;
	}
	if (wd < 0) {
		snprintf(err, errlen, "cannot watch %s: %s%s", dir, strerror(errno),
		    errno == ENOSPC ? " (raise the sysctl fs.inotify.max_user_watches)" : "");
		return -1;
	}
	pw->w = xgrow(pw->w, pw->n_w, sizeof(*pw->w));
	w = &pw->w[pw->n_w++];
	w->wd = wd;
	w->dir = xstrdup(dir);
	w->root = xstrdup(root);
	w->only = only != NULL ? xstrdup(only) : NULL;
	w->group = group;
	return 0;
}

/* dir and every directory under it (links are not followed). */
static int
pw_watch_tree(struct pathwatch *pw, const char *dir, const char *root, size_t group,
    char *err, size_t errlen)
{
	struct dirent *de;
	char *sub;
	DIR *d;
	int rc = 0, fd;

	if (pw_watch_dir(pw, dir, root, NULL, group, err, errlen) < 0)
		return -1;
	if ((fd = pw_open_dir(dir, O_RDONLY)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;	/* gone meanwhile, or unreadable: its watch says more */
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		sub = xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, de->d_name);
		if (!pw_excluded_as(pw_group(pw, group), sub + strlen(root) + 1, true))
			rc = pw_watch_tree(pw, sub, root, group, err, errlen);
		free(sub);
	}
	closedir(d);
	return rc;
}

/* The name in its directory, for a file, a link or a root not made yet. */
static int
pw_watch_name(struct pathwatch *pw, const char *path, size_t group, char *err,
    size_t errlen)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int rc;

	*slash = '\0';
	rc = pw_watch_dir(pw, *dir == '\0' ? "/" : dir, path, slash + 1, group, err, errlen);
	free(dir);
	return rc;
}

int
pathwatch_add(struct pathwatch *pw, size_t group, const char *path, char *err,
    size_t errlen)
{
	struct pw_group *g = pw_group(pw, group);
	int fd;

	if (path[0] != '/' || strcmp(path, "/") == 0) {
		snprintf(err, errlen, "%s: an absolute path below / is needed", path);
		return -1;
	}
	g->roots = strv_push(g->roots, path);
	/* A directory, reached without a link, is a tree; anything else a name. */
	if ((fd = pw_open_dir(path, O_PATH)) >= 0) {
		close(fd);
		return pw_watch_tree(pw, path, path, group, err, errlen);
	}
	return pw_watch_name(pw, path, group, err, errlen);
}

void
pathwatch_exclude(struct pathwatch *pw, size_t group, const char *pattern)
{
	struct pw_group *g = pw_group(pw, group);

	g->exclude = strv_push(g->exclude, pattern);
}

static void
pw_drop_wd(struct pathwatch *pw, int wd)
{
	size_t i, j;

	for (i = j = 0; i < pw->n_w; i++) {
		if (pw->w[i].wd == wd) {
			free(pw->w[i].dir);
			free(pw->w[i].root);
			free(pw->w[i].only);
			continue;
		}
		pw->w[j++] = pw->w[i];
	}
	pw->n_w = j;
}

/* One event as seen by one of the watches of its directory. */
static void
pw_event_for(struct pathwatch *pw, size_t wi, const struct inotify_event *ev)
{
	struct pw_watch *w = &pw->w[wi];
	char *path, err[256];
	const char *rel;
	size_t group = w->group;

	if (ev->len == 0 || ev->name[0] == '\0') {
		/* The directory itself went: its root changed. */
		pw_note(pw, group, w->only != NULL ? w->root : w->dir);
		return;
	}
	if (w->only != NULL && strcmp(ev->name, w->only) != 0)
		return;
	/* tend's own staging names (a restore's): what it renames into place is seen. */
	if (strncmp(ev->name, PATHWATCH_OWN_PREFIX, strlen(PATHWATCH_OWN_PREFIX)) == 0)
		return;
	path = xasprintf("%s/%s", strcmp(w->dir, "/") == 0 ? "" : w->dir, ev->name);
	rel = strcmp(path, w->root) == 0 ? ev->name : path + strlen(w->root) + 1;
	if (!pw_excluded_as(pw_group(pw, group), rel, (ev->mask & IN_ISDIR) != 0)) {
		if (w->only == NULL && (ev->mask & IN_ISDIR) &&
		    (ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
		    pw_watch_tree(pw, path, pw->w[wi].root, group, err, sizeof(err)) < 0)
			log_warn(NULL, "%s", err);
		pw_note(pw, group, path);
	}
	free(path);
}

static void
pw_overflow(struct pathwatch *pw)
{
	size_t i, j;

	for (i = 0; i < pw->n_groups; i++)
		for (j = 0; pw->groups[i].roots != NULL && pw->groups[i].roots[j] != NULL; j++)
			pw_note(pw, i, pw->groups[i].roots[j]);
}

static void
pw_event(struct pathwatch *pw, const struct inotify_event *ev)
{
	size_t i, n = pw->n_w;

	if (ev->mask & IN_Q_OVERFLOW) {
		pw_overflow(pw);
		return;
	}
	/* pw_event_for may add watches: only those there before are asked. */
	for (i = 0; i < n && i < pw->n_w; i++)
		if (pw->w[i].wd == ev->wd && !(ev->mask & IN_IGNORED))
			pw_event_for(pw, i, ev);
	if (ev->mask & IN_IGNORED)
		pw_drop_wd(pw, ev->wd);
}

/* What the kernel queued, all of it; false when nothing was there. */
static bool
pw_read(struct pathwatch *pw)
{
	char *buf = xmalloc(PW_BUF), *p;
	const struct inotify_event *ev;
	bool any = false;
	ssize_t n;

	while ((n = read(pw->fd, buf, PW_BUF)) > 0) {
		any = true;
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			pw_event(pw, ev);
		}
	}
	free(buf);
	return any;
}

static void
pw_readable(uv_poll_t *poll, int status, int events)
{
	(void)status;
	(void)events;
	pw_read(poll->data);
}

struct pathwatch *
pathwatch_new(uv_loop_t *loop, int64_t quiet_ms, int64_t max_ms, pathwatch_fn fn,
    void *arg, char *err, size_t errlen)
{
	struct pathwatch *pw;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "inotify: %s%s", strerror(errno), errno == EMFILE ?
		    " (raise the sysctl fs.inotify.max_user_instances)" : "");
		return NULL;
	}
	pw = xcalloc(1, sizeof(*pw));
	pw->fd = fd;
	pw->quiet_ms = quiet_ms;
	pw->max_ms = max_ms > quiet_ms ? max_ms : quiet_ms;
	pw->fn = fn;
	pw->arg = arg;
	uv_poll_init(loop, &pw->poll, fd);
	pw->poll.data = pw;
	uv_poll_start(&pw->poll, UV_READABLE, pw_readable);
	uv_timer_init(loop, &pw->timer);
	pw->timer.data = pw;
	pw->handles = 2;
	return pw;
}

void
pathwatch_discard(struct pathwatch *pw, size_t group)
{
	pw_read(pw);
	if (group < pw->n_groups)
		pw_forget(&pw->groups[group]);
}

void
pathwatch_flush(struct pathwatch *pw)
{
	pw_read(pw);
	if (pw->first_ms != 0) {
		uv_timer_stop(&pw->timer);
		pw_report(&pw->timer);
	}
}

size_t
pathwatch_count(const struct pathwatch *pw)
{
	return pw->n_w;
}

static void
pw_closed(uv_handle_t *handle)
{
	struct pathwatch *pw = handle->data;
	size_t i;

	if (--pw->handles > 0)
		return;
	close(pw->fd);
	for (i = 0; i < pw->n_w; i++) {
		free(pw->w[i].dir);
		free(pw->w[i].root);
		free(pw->w[i].only);
	}
	free(pw->w);
	for (i = 0; i < pw->n_groups; i++) {
		pw_forget(&pw->groups[i]);
		strv_free(pw->groups[i].exclude);
		strv_free(pw->groups[i].roots);
	}
	free(pw->groups);
	free(pw);
}

void
pathwatch_free(struct pathwatch *pw)
{
	if (pw == NULL)
		return;
	uv_poll_stop(&pw->poll);
	uv_timer_stop(&pw->timer);
	uv_close((uv_handle_t *)&pw->poll, pw_closed);
	uv_close((uv_handle_t *)&pw->timer, pw_closed);
}
