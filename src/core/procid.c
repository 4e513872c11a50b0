#include "core/procid.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/mem.h"

/* An environment is read up to this much; TEND_SERVICE sits near its end. */
#define PROC_ENVIRON_MAX	(1024 * 1024)

/* Reads a small /proc file whole; its length, or -1 with errno. */
static ssize_t
proc_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* The next field of a stat line after p, or NULL at its end. */
static const char *
stat_next(const char *p)
{
	p = strchr(p, ' ');
	return p != NULL ? p + 1 : NULL;
}

int
proc_stat_parse(pid_t pid, const char *buf, struct proc_info *pi)
{
	const char *open_paren, *close_paren, *p;
	unsigned long long v[25];
	size_t len;
	int field;
	char *end;

	/* The name may hold spaces and parentheses: it ends at the last ')'. */
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (open_paren == NULL || close_paren == NULL || close_paren < open_paren ||
	    close_paren[1] != ' ' || close_paren[2] == '\0') {
		errno = EINVAL;
		return -1;
	}
	memset(pi, 0, sizeof(*pi));
	pi->id.pid = pid;
	len = (size_t)(close_paren - open_paren - 1);
	if (len >= sizeof(pi->comm))
		len = sizeof(pi->comm) - 1;
	memcpy(pi->comm, open_paren + 1, len);
	pi->state = close_paren[2];
	/* Fields 4 to 24 (proc(5)), each a number; sscanf cost a tenth of a scan. */
	p = close_paren + 2;
	for (field = 4; field <= 24; field++) {
		if ((p = stat_next(p)) == NULL) {
			errno = EINVAL;
			return -1;
		}
		v[field] = (unsigned long long)strtoll(p, &end, 10);
		if (end == p) {
			errno = EINVAL;
			return -1;
		}
	}
	pi->ppid = (pid_t)v[4];
	pi->pgid = (pid_t)v[5];
	pi->sid = (pid_t)v[6];
	pi->cpu_ticks = v[14] + v[15];
	pi->threads = (long)v[20];
	pi->id.start = v[22];
	pi->rss_pages = (long)v[24];
	return 0;
}

int
proc_stat_read(pid_t pid, struct proc_info *pi)
{
	char path[64], buf[1024];

	if (pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (proc_read_file(path, buf, sizeof(buf)) < 0)
		return errno == ENOENT ? (errno = ESRCH, -1) : -1;
	return proc_stat_parse(pid, buf, pi);
}

int
proc_info_read(pid_t pid, struct proc_info *pi)
{
	char path[64], buf[4096], *uid;
	unsigned int r, e, s;

	if (proc_stat_read(pid, pi) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (proc_read_file(path, buf, sizeof(buf)) < 0)
		return errno == ENOENT ? (errno = ESRCH, -1) : -1;
	if ((uid = strstr(buf, "\nUid:")) == NULL ||
	    sscanf(uid + 5, "%u %u %u", &r, &e, &s) != 3) {
		errno = EINVAL;
		return -1;
	}
	pi->uid = r;
	pi->euid = e;
	pi->suid = s;
	return 0;
}

void
proc_walk(bool (*fn)(const struct proc_info *pi, void *arg), void *arg)
{
	struct proc_info pi;
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (proc_stat_read((pid_t)atoi(de->d_name), &pi) == 0 && !fn(&pi, arg))
			break;
	}
	closedir(d);
}

int
proc_id_of(pid_t pid, struct proc_id *id)
{
	struct proc_info pi;

	if (proc_stat_read(pid, &pi) < 0)
		return -1;
	*id = pi.id;
	return 0;
}

static bool
proc_id_same(const struct proc_id *id, struct proc_info *now)
{
	return proc_stat_read(id->pid, now) == 0 && now->id.start == id->start;
}

bool
proc_id_alive(const struct proc_id *id)
{
	struct proc_info now;

	return id->pid > 0 && proc_id_same(id, &now) && now.state != 'Z' &&
	    now.state != 'X';
}

int
proc_id_pidfd(const struct proc_id *id)
{
	struct proc_info now;
	int fd;

	if (id->pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	if ((fd = (int)syscall(SYS_pidfd_open, id->pid, 0)) < 0)
		return -1;
	/*
	 * Checked after the open: if the pid still shows the start time
	 * remembered, the process the fd holds is the one meant.
	 */
	if (!proc_id_same(id, &now)) {
		close(fd);
		errno = ESRCH;
		return -1;
	}
	return fd;
}

static bool
proc_wants_cont(int sig, bool cont)
{
	return cont && sig != SIGKILL && sig != SIGCONT && sig != 0;
}

/* Signals id's process or, with group, the group it leads: checked first. */
static int
proc_id_send(const struct proc_id *id, int sig, bool cont, bool group)
{
	struct proc_info now;
	int fd, rc = 0;

	fd = proc_id_pidfd(id);
	if (fd < 0 && errno != ENOSYS)
		return -1;
	/* Without pidfd_open (before Linux 5.3): checked just before instead. */
	if (fd < 0 && !proc_id_same(id, &now)) {
		errno = ESRCH;
		return -1;
	}
	if (group && (proc_stat_read(id->pid, &now) < 0 || now.pgid != id->pid)) {
		rc = -1;
		errno = EPERM;
	} else if (group) {
		rc = proc_kill(-id->pid, sig, cont);
	} else if (fd >= 0) {
		rc = (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
		if (rc == 0 && proc_wants_cont(sig, cont))
			syscall(SYS_pidfd_send_signal, fd, SIGCONT, NULL, 0);
	} else {
		rc = proc_kill(id->pid, sig, cont);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

int
proc_id_signal(const struct proc_id *id, int sig, bool cont)
{
	return proc_id_send(id, sig, cont, false);
}

int
proc_id_signal_group(const struct proc_id *leader, int sig, bool cont)
{
	return proc_id_send(leader, sig, cont, true);
}

int
proc_kill(pid_t target, int sig, bool cont)
{
	if (kill(target, sig) < 0)
		return -1;
	if (proc_wants_cont(sig, cont))
		kill(target, SIGCONT);
	return 0;
}

/* Looks for "name=" among the NUL-separated entries of buf. */
static char *
proc_environ_find(const char *buf, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = buf, *end = buf + len, *nul;

	while (p < end) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL)
			nul = end;
		if ((size_t)(nul - p) > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=')
			return xstrndup(p + nlen + 1, (size_t)(nul - p) - nlen - 1);
		p = nul + 1;
	}
	return NULL;
}

char *
proc_environ_get(pid_t pid, const char *name)
{
	char path[64], *buf = NULL, *value = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	do {
		if (len == cap)
			buf = xrealloc(buf, cap = cap ? cap * 2 : 8192);
		n = read(fd, buf + len, cap - len);
		if (n > 0)
			len += (size_t)n;
	} while (n > 0 && len < PROC_ENVIRON_MAX);
	close(fd);
	if (len > 0)
		value = proc_environ_find(buf, len, name);
	free(buf);
	return value;
}

void
proc_boot_id(char *buf, size_t len)
{
	if (proc_read_file("/proc/sys/kernel/random/boot_id", buf, len) < 0)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

const char *
proc_describe(pid_t pid, char *buf, size_t len)
{
	struct proc_info pi;

	if (proc_info_read(pid, &pi) == 0)
		snprintf(buf, len, "pid %d (%s), uid %u", (int)pid, pi.comm,
		    (unsigned)pi.uid);
	else
		snprintf(buf, len, "pid %d", (int)pid);
	return buf;
}
