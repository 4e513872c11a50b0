#include "core/proctab.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/mem.h"

static pthread_mutex_t	 proctab_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 proctab_read_done = PTHREAD_COND_INITIALIZER;
static struct proctab	*proctab_last;	/* one reference held here */
static bool		 proctab_reading;

static int
by_pid_cmp(const void *a, const void *b)
{
	const struct proc_info *x = a, *y = b;

	return (x->id.pid > y->id.pid) - (x->id.pid < y->id.pid);
}

/* qsort has no argument for the table; the sort runs under no lock, so a thread's own. */
static _Thread_local const struct proc_info *sorting;

static int
by_ppid_cmp(const void *a, const void *b)
{
	pid_t x = sorting[*(const size_t *)a].ppid, y = sorting[*(const size_t *)b].ppid;

	return (x > y) - (x < y);
}

/* One process's stat, read relative to /proc's fd; 0, or -1 when it is gone. */
static int
proctab_read_one(int proc_fd, const char *name, struct proc_info *pi)
{
	char path[32], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/stat", name);
	if ((fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return proc_stat_parse((pid_t)atoi(name), buf, pi);
}

static double
proctab_uptime(int proc_fd)
{
	char buf[64];
	ssize_t n;
	int fd;

	if ((fd = openat(proc_fd, "uptime", O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtod(buf, NULL);
}

static struct proctab *
proctab_read(void)
{
	struct proctab *t = xcalloc(1, sizeof(*t));
	size_t cap = 0, i;
	struct dirent *de;
	DIR *d;

	t->taken_ms = clock_mono_ms();
	t->refs = 1;
	if ((d = opendir("/proc")) == NULL)
		return t;
	t->uptime_s = proctab_uptime(dirfd(d));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (t->n == cap)
			t->by_pid = xrealloc(t->by_pid,
			    (cap = cap ? cap * 2 : 512) * sizeof(*t->by_pid));
		if (proctab_read_one(dirfd(d), de->d_name, &t->by_pid[t->n]) == 0)
			t->n++;
	}
	closedir(d);
	qsort(t->by_pid, t->n, sizeof(*t->by_pid), by_pid_cmp);
	t->by_ppid = xcalloc(t->n + 1, sizeof(*t->by_ppid));
	for (i = 0; i < t->n; i++)
		t->by_ppid[i] = i;
	sorting = t->by_pid;
	qsort(t->by_ppid, t->n, sizeof(*t->by_ppid), by_ppid_cmp);
	return t;
}

static void
proctab_free(struct proctab *t)
{
	free(t->by_pid);
	free(t->by_ppid);
	free(t);
}

/* The last table, referenced, if read at or after not_before_ms; under the lock. */
static struct proctab *
proctab_last_since(int64_t not_before_ms)
{
	if (proctab_last == NULL || proctab_last->taken_ms < not_before_ms)
		return NULL;
	proctab_last->refs++;
	return proctab_last;
}

struct proctab *
proctab_get(int64_t not_before_ms)
{
	struct proctab *t, *old;

	pthread_mutex_lock(&proctab_lock);
	for (;;) {
		if ((t = proctab_last_since(not_before_ms)) != NULL) {
			pthread_mutex_unlock(&proctab_lock);
			return t;
		}
		if (!proctab_reading)
			break;
		pthread_cond_wait(&proctab_read_done, &proctab_lock);
	}
	proctab_reading = true;
	pthread_mutex_unlock(&proctab_lock);
	t = proctab_read();
	pthread_mutex_lock(&proctab_lock);
	old = proctab_last;
	proctab_last = t;
	t->refs++;
	proctab_reading = false;
	pthread_cond_broadcast(&proctab_read_done);
	pthread_mutex_unlock(&proctab_lock);
	if (old != NULL)
		proctab_put(old);
	return t;
}

struct proctab *
proctab_recent(int64_t not_before_ms)
{
	struct proctab *t;

	pthread_mutex_lock(&proctab_lock);
	t = proctab_last_since(not_before_ms);
	pthread_mutex_unlock(&proctab_lock);
	return t;
}

void
proctab_put(struct proctab *t)
{
	bool last;

	if (t == NULL)
		return;
	pthread_mutex_lock(&proctab_lock);
	last = --t->refs == 0;
	pthread_mutex_unlock(&proctab_lock);
	if (last)
		proctab_free(t);
}

void
proctab_release(void)
{
	struct proctab *t;

	pthread_mutex_lock(&proctab_lock);
	t = proctab_last;
	proctab_last = NULL;
	pthread_mutex_unlock(&proctab_lock);
	proctab_put(t);
}

const struct proc_info *
proctab_find(const struct proctab *t, pid_t pid)
{
	struct proc_info key = { .id.pid = pid };

	return bsearch(&key, t->by_pid, t->n, sizeof(*t->by_pid), by_pid_cmp);
}

size_t
proctab_children(const struct proctab *t, pid_t ppid, size_t *first)
{
	size_t lo = 0, hi = t->n, end;

	/* The first entry whose parent is not below ppid. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->by_pid[t->by_ppid[mid]].ppid < ppid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	for (end = lo; end < t->n && t->by_pid[t->by_ppid[end]].ppid == ppid; end++)
		;
	return end - lo;
}
