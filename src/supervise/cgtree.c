#include "supervise/cgtree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cgroup.h"
#include "core/log.h"
#include "core/mem.h"

#define CGTREE_NAME	"tend.services"
#define CGTREE_LEAF	"tend"		/* where tend moves itself to free its cgroup */

static const char *const cgtree_wanted[] = { "memory", "cpu", "pids", NULL };

/* A whole /proc file (they are generated: read until the end); free it. */
static char *
proc_text(const char *path)
{
	size_t len = 0, cap = 16384;
	char *buf = xmalloc(cap);
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		free(buf);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - 1 - len)) > 0 || (n < 0 && errno == EINTR)) {
		len += n > 0 ? (size_t)n : 0;
		if (len + 1 == cap && cap < (4u << 20))
			buf = xrealloc(buf, cap *= 2);
		else if (len + 1 == cap)
			break;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* The directory of tend's own cgroup in t->path, or -1 with t->why. */
static int
cgtree_own(struct cgtree *t, bool *is_root, bool *hybrid)
{
	char mnt[PATH_MAX], root[PATH_MAX], own[PATH_MAX];
	char *mi = proc_text("/proc/self/mountinfo"), *cg = proc_text("/proc/self/cgroup");
	int rc = -1, dir;

	if (mi == NULL || cgroup_find_mount(mi, mnt, sizeof(mnt), root, sizeof(root)) < 0)
		snprintf(t->why, sizeof(t->why), "cgroup v2 not mounted");
	else if (cg == NULL || cgroup_find_own(cg, own, sizeof(own)) < 0)
		snprintf(t->why, sizeof(t->why), "tend is in no cgroup v2 (/proc/self/cgroup "
		    "has no 0:: line)");
	else if (cgroup_dir_path(mnt, root, own, t->path, sizeof(t->path)) < 0)
		snprintf(t->why, sizeof(t->why), "tend's cgroup %s is outside the cgroup2 "
		    "mount at %s", own, mnt);
	else if ((dir = cgroup_open(t->path)) < 0)
		snprintf(t->why, sizeof(t->why), "cannot open %s: %s", t->path,
		    strerror(errno));
	else
		rc = dir;
	*is_root = rc >= 0 && strcmp(own, "/") == 0;
	/* cgroup v1 mounted too: the controllers v2 lacks are likely bound there. */
	*hybrid = mi != NULL && strstr(mi, " - cgroup ") != NULL;
	free(mi);
	free(cg);
	return rc;
}

/* Whether the cgroup's only process is tend: then tend may leave it for a leaf. */
static bool
cgtree_only_tend(int dir)
{
	char buf[256];
	long n = cgroup_read(dir, "cgroup.procs", buf, sizeof(buf));

	return n > 0 && atol(buf) == (long)getpid() && strchr(buf, '\n') == buf + n - 1;
}

/*
 * Enables what dir's children may have: each wanted controller that dir
 * has. A cgroup that holds processes cannot hand controllers down (the
 * no-internal-processes rule); when tend is its only process, tend moves
 * into a leaf of its own, CGTREE_LEAF, as systemd asks of a delegated
 * service.
 */
static void
cgtree_enable(struct cgtree *t, int dir, const char *where, bool root)
{
	char avail[256] = "", ctrl[16], pid[24];
	int i, rc, leaf;

	if (cgroup_read(dir, "cgroup.controllers", avail, sizeof(avail)) < 0)
		return;
	for (i = 0; cgtree_wanted[i] != NULL; i++) {
		if (!cgroup_list_has(avail, cgtree_wanted[i]))
			continue;
		snprintf(ctrl, sizeof(ctrl), "+%s", cgtree_wanted[i]);
		rc = cgroup_write(dir, "cgroup.subtree_control", ctrl);
		if (rc == EBUSY && !root && cgtree_only_tend(dir) &&
		    (leaf = cgroup_open_child(dir, CGTREE_LEAF, true)) >= 0) {
			snprintf(pid, sizeof(pid), "%d", (int)getpid());
			if (cgroup_write(leaf, "cgroup.procs", pid) == 0)
				log_info(NULL, "cgroups: moved tend into %s/%s so that %s can "
				    "hand controllers to its services", where, CGTREE_LEAF, where);
			close(leaf);
			rc = cgroup_write(dir, "cgroup.subtree_control", ctrl);
		}
		if (rc != 0 && *t->missing[i] == '\0')
			snprintf(t->missing[i], sizeof(t->missing[i]), "cannot enable it in "
			    "%s/cgroup.subtree_control: %s%s", where, strerror(rc), rc == EBUSY ?
			    " (the cgroup holds processes other than tend's)" : "");
	}
}

void
cgtree_open(struct cgtree *t)
{
	char own_path[PATH_MAX + 32];
	bool hybrid, root;
	int own, i;

	memset(t, 0, sizeof(*t));
	t->base = -1;
	if ((own = cgtree_own(t, &root, &hybrid)) < 0)
		return;
	snprintf(own_path, sizeof(own_path), "%s", t->path);
	cgtree_enable(t, own, own_path, root);
	t->base = cgroup_open_child(own, CGTREE_NAME, true);
	if (t->base < 0) {
		snprintf(t->why, sizeof(t->why), "cannot make %s/%s: %s (is the cgroup "
		    "delegated to tend?)", own_path, CGTREE_NAME, strerror(errno));
		close(own);
		return;
	}
	snprintf(t->path, sizeof(t->path), "%.4000s/%s", own_path, CGTREE_NAME);
	cgtree_enable(t, t->base, t->path, false);
	if (cgroup_read(t->base, "cgroup.subtree_control", t->controllers,
	    sizeof(t->controllers)) < 0)
		*t->controllers = '\0';
	for (i = 0; cgtree_wanted[i] != NULL; i++)
		if (!cgroup_list_has(t->controllers, cgtree_wanted[i]) &&
		    *t->missing[i] == '\0')
			snprintf(t->missing[i], sizeof(t->missing[i]), "not available in %s, "
			    "tend's cgroup%s", own_path, hybrid ?
			    "; this is a hybrid system, where they may be bound to cgroup v1" :
			    "");
	close(own);
}

void
cgtree_close(struct cgtree *t)
{
	char parent[sizeof(t->path)], *slash;
	int dir;

	if (t->base < 0)
		return;
	close(t->base);
	t->base = -1;
	/* Only if empty: rmdir of a cgroup with children or processes is EBUSY. */
	snprintf(parent, sizeof(parent), "%s", t->path);
	if ((slash = strrchr(parent, '/')) == NULL)
		return;
	*slash = '\0';
	if ((dir = cgroup_open(parent)) < 0)
		return;
	unlinkat(dir, CGTREE_NAME, AT_REMOVEDIR);
	close(dir);
}

bool
cgtree_has(const struct cgtree *t, const char *controller)
{
	return t->base >= 0 && cgroup_list_has(t->controllers, controller);
}

const char *
cgtree_missing(const struct cgtree *t, const char *controller)
{
	int i;

	if (t->base < 0)
		return t->why;
	for (i = 0; cgtree_wanted[i] != NULL; i++)
		if (strcmp(cgtree_wanted[i], controller) == 0)
			return t->missing[i];
	return "";
}
