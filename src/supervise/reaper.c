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

struct reaper {
	uv_signal_t	 sigchld;
	pid_t		 spared[64];
	size_t		 n_spared;
};

typedef void	(*child_visit_fn)(struct reaper *r, pid_t pid, void *arg);

/*
 * Our children are listed per thread in /proc/self/task/TID/children. Only
 * those tend did not start itself are visited: waiting on a pid that a
 * procspawn watch owns would steal its exit status.
 */
static void
reaper_visit_children(struct reaper *r, child_visit_fn fn, void *arg)
{
	char path[300], buf[4096], *p, *end;
	struct dirent *de;
	DIR *tasks;
	FILE *f;
	size_t n;
	long pid;

	tasks = opendir("/proc/self/task");
	if (tasks == NULL)
		return;
	while ((de = readdir(tasks)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", de->d_name);
		f = fopen(path, "re");
		if (f == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		for (p = buf; *p != '\0'; p = end) {
			pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (pid > 0 && !children_is_own((pid_t)pid))
				fn(r, (pid_t)pid, arg);
		}
	}
	closedir(tasks);
}

static void
reaper_reap_one(struct reaper *r, pid_t pid, void *arg)
{
	int status;

	if (waitpid(pid, &status, WNOHANG) == pid)
		log_debug(NULL, "reaped orphan %d", (int)pid);
}

void
reaper_reap(struct reaper *r)
{
	reaper_visit_children(r, reaper_reap_one, NULL);
}

void
reaper_spare(struct reaper *r, pid_t pid)
{
	size_t i;

	for (i = 0; i < r->n_spared; i++)
		if (r->spared[i] == pid)
			return;
	if (r->n_spared == sizeof(r->spared) / sizeof(r->spared[0]))
		memmove(r->spared, r->spared + 1, --r->n_spared * sizeof(pid_t));
	r->spared[r->n_spared++] = pid;
}

static void
reaper_signal_one(struct reaper *r, pid_t pid, void *arg)
{
	int *sig_and_count = arg;
	size_t i;

	for (i = 0; i < r->n_spared; i++)
		if (r->spared[i] == pid)
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

static void
reaper_on_sigchld(uv_signal_t *handle, int signum)
{
	reaper_reap(handle->data);
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
	return r;
}

static void
reaper_closed(uv_handle_t *handle)
{
	free(handle->data);
}

void
reaper_close(struct reaper *r)
{
	if (r != NULL)
		uv_close((uv_handle_t *)&r->sigchld, reaper_closed);
}
