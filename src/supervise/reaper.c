#include "supervise/reaper.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/children.h"
#include "core/log.h"
#include "core/mem.h"

/*
 * Orphans arrive without a signal: how often to look for new ones. Every
 * second after something started, exited or was adopted, then half as
 * often each time nothing was new, down to every 8 s: an idle tend with a
 * hundred services read their list 60 times a minute for nothing.
 */
#define REAPER_SCAN_MS		1000
#define REAPER_SCAN_MAX_MS	8000

/* A child tend adopted, and the service it came from. */
struct orphan {
	struct proc_id	 id;
	char		*service;	/* its TEND_SERVICE; NULL when it has none */
};

struct reaper {
	uv_signal_t	 sigchld;
	uv_timer_t	 scan;
	uint64_t	 scan_ms;	/* the next scan's delay */
	int		 handles;	/* open ones; freed when none is left */
	pid_t		 spared[64];
	size_t		 n_spared;
	struct orphan	*orphans;
	size_t		 n_orphans;
	size_t		 cap_orphans;
	struct reaper_owner owner;
};

typedef void	(*child_visit_fn)(struct reaper *r, pid_t pid, void *arg);

static bool
reaper_is_spared(const struct reaper *r, pid_t pid)
{
	size_t i;

	for (i = 0; i < r->n_spared; i++)
		if (r->spared[i] == pid)
			return true;
	return false;
}

static struct orphan *
reaper_find_orphan(struct reaper *r, pid_t pid)
{
	size_t i;

	for (i = 0; i < r->n_orphans; i++)
		if (r->orphans[i].id.pid == pid)
			return &r->orphans[i];
	return NULL;
}

static void
reaper_changed(struct reaper *r)
{
	if (r->owner.changed != NULL)
		r->owner.changed(r->owner.arg);
}

/* A whole /proc file (a thousand children's pids pass 4 KB); NULL if unreadable. */
static char *
reaper_read_all(const char *path)
{
	size_t len = 0, cap = 8192, n;
	char *buf;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	buf = xmalloc(cap);
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/*
 * Our children are listed per thread in /proc/self/task/TID/children. Only
 * those tend did not start itself are visited: waiting on a pid that a
 * procspawn watch owns would steal its exit status.
 */
static void
reaper_visit_children(struct reaper *r, child_visit_fn fn, void *arg)
{
	char path[300], *buf, *p, *end;
	struct dirent *de;
	DIR *tasks;
	long pid;

	tasks = opendir("/proc/self/task");
	if (tasks == NULL)
		return;
	while ((de = readdir(tasks)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", de->d_name);
		if ((buf = reaper_read_all(path)) == NULL)
			continue;
		for (p = buf; *p != '\0'; p = end) {
			pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (pid > 0 && !children_is_own((pid_t)pid))
				fn(r, (pid_t)pid, arg);
		}
		free(buf);
	}
	closedir(tasks);
}

static void
reaper_forget(struct reaper *r, pid_t pid)
{
	struct orphan *o = reaper_find_orphan(r, pid);

	if (o == NULL)
		return;
	free(o->service);
	*o = r->orphans[--r->n_orphans];
	reaper_changed(r);
}

static void
reaper_reap_one(struct reaper *r, pid_t pid, void *arg)
{
	int status;

	if (waitpid(pid, &status, WNOHANG) == pid) {
		log_debug(NULL, "reaped orphan %d", (int)pid);
		reaper_forget(r, pid);
	}
}

void
reaper_reap(struct reaper *r)
{
	reaper_visit_children(r, reaper_reap_one, NULL);
}

struct learning {
	bool	 changed;
	bool	 kill_strays;	/* kill what a run that has ended left */
};

/* An orphan seen for the first time: whose is it? */
static void
reaper_learn_one(struct reaper *r, pid_t pid, void *arg)
{
	struct learning *l = arg;
	struct proc_info pi;
	struct orphan *o;

	if (reaper_find_orphan(r, pid) != NULL || reaper_is_spared(r, pid) ||
	    proc_stat_read(pid, &pi) < 0 || pi.state == 'Z')
		return;		/* known, an external service's, or reaped soon */
	if (r->n_orphans == r->cap_orphans) {
		r->cap_orphans = r->cap_orphans ? r->cap_orphans * 2 : 16;
		r->orphans = xrealloc(r->orphans, r->cap_orphans * sizeof(*r->orphans));
	}
	o = &r->orphans[r->n_orphans++];
	o->id = pi.id;
	o->service = proc_environ_get(pid, "TEND_SERVICE");
	l->changed = true;
	log_debug(o->service, "adopted orphan %d (%s)", (int)pid, pi.comm);
	/* What a run left behind after its end goes the way of the rest. */
	if (l->kill_strays && o->service != NULL && r->owner.running != NULL &&
	    !r->owner.running(r->owner.arg, o->service)) {
		log_info(o->service, "pid %d (%s) was left behind by a run that has "
		    "ended; killing it", (int)pid, pi.comm);
		proc_kill(pid, SIGKILL, false);
	}
}

static void	reaper_on_scan(uv_timer_t *timer);

/* Scans at the fast pace again, from now. */
static void
reaper_scan_soon(struct reaper *r)
{
	r->scan_ms = REAPER_SCAN_MS;
	uv_timer_start(&r->scan, reaper_on_scan, r->scan_ms, 0);
}

static bool
reaper_learn(struct reaper *r, bool kill_strays)
{
	struct learning l = { .kill_strays = kill_strays };

	reaper_visit_children(r, reaper_learn_one, &l);
	if (l.changed)
		reaper_changed(r);
	return l.changed;
}

void
reaper_expect(struct reaper *r)
{
	if (r->scan_ms != REAPER_SCAN_MS)
		reaper_scan_soon(r);
}

void
reaper_spare(struct reaper *r, pid_t pid)
{
	if (reaper_is_spared(r, pid))
		return;
	if (r->n_spared == sizeof(r->spared) / sizeof(r->spared[0]))
		memmove(r->spared, r->spared + 1, --r->n_spared * sizeof(pid_t));
	r->spared[r->n_spared++] = pid;
	reaper_forget(r, pid);
}

static void
reaper_signal_one(struct reaper *r, pid_t pid, void *arg)
{
	int *sig_and_count = arg;

	if (reaper_is_spared(r, pid))
		return;
	if (kill(pid, sig_and_count[0]) == 0)
		sig_and_count[1]++;
}

int
reaper_signal_orphans(struct reaper *r, int sig)
{
	int sig_and_count[2] = { sig, 0 };

	reaper_reap(r);
	reaper_visit_children(r, reaper_signal_one, sig_and_count);
	return sig_and_count[1];
}

int
reaper_signal_service(struct reaper *r, const char *service, int sig)
{
	struct orphan *o;
	size_t i;
	int n = 0;

	reaper_learn(r, false);
	for (i = 0; i < r->n_orphans; i++) {
		o = &r->orphans[i];
		if (o->service != NULL && strcmp(o->service, service) == 0 &&
		    proc_kill(o->id.pid, sig, true) == 0)
			n++;
	}
	return n;
}

void
reaper_service_ended(struct reaper *r, const char *service)
{
	int n = reaper_signal_service(r, service, SIGKILL);

	if (n > 0)
		log_info(service, "killed %d process%s it had left outside its process "
		    "group", n, n == 1 ? "" : "es");
}

size_t
reaper_orphans(const struct reaper *r, const char *service, struct proc_id *ids,
    size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_orphans && n < max; i++)
		if (r->orphans[i].service != NULL &&
		    strcmp(r->orphans[i].service, service) == 0)
			ids[n++] = r->orphans[i].id;
	return n;
}

static void
reaper_on_sigchld(uv_signal_t *handle, int signum)
{
	reaper_reap(handle->data);
	reaper_learn(handle->data, true);
	reaper_expect(handle->data);
}

static void
reaper_on_scan(uv_timer_t *timer)
{
	struct reaper *r = timer->data;

	if (reaper_learn(r, true))
		r->scan_ms = REAPER_SCAN_MS;
	else if ((r->scan_ms *= 2) > REAPER_SCAN_MAX_MS)
		r->scan_ms = REAPER_SCAN_MAX_MS;
	uv_timer_start(&r->scan, reaper_on_scan, r->scan_ms, 0);
}

struct reaper *
reaper_start(uv_loop_t *loop)
{
	struct reaper *r = xcalloc(1, sizeof(*r));

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_warn(NULL, "cannot become a child subreaper: %s", strerror(errno));
	uv_signal_init(loop, &r->sigchld);
	r->sigchld.data = r;
	uv_signal_start(&r->sigchld, reaper_on_sigchld, SIGCHLD);
	uv_timer_init(loop, &r->scan);
	r->scan.data = r;
	reaper_scan_soon(r);
	r->handles = 2;
	return r;
}

void
reaper_set_owner(struct reaper *r, const struct reaper_owner *owner)
{
	r->owner = *owner;
}

static void
reaper_closed(uv_handle_t *handle)
{
	struct reaper *r = handle->data;
	size_t i;

	if (--r->handles > 0)
		return;
	for (i = 0; i < r->n_orphans; i++)
		free(r->orphans[i].service);
	free(r->orphans);
	free(r);
}

void
reaper_close(struct reaper *r)
{
	if (r == NULL)
		return;
	r->owner = (struct reaper_owner){ 0 };
	uv_close((uv_handle_t *)&r->sigchld, reaper_closed);
	uv_close((uv_handle_t *)&r->scan, reaper_closed);
}
