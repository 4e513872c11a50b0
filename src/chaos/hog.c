#include "chaos/hog.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chaos/fault.h"
#include "config/config.h"
#include "core/pathwalk.h"

/* The directory f->path, opened from / without following a link; -1 with errno. */
static int
open_dir(const struct chaos_injected *f)
{
	const char *base;
	int pfd, dfd;

	if ((pfd = pathwalk_parent(f->path, O_PATH, &base)) < 0)
		return -1;
	dfd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(pfd);
	return dfd;
}

int
chaos_fill(struct chaos_injected *f, char *err, size_t errlen)
{
	struct statvfs vfs;
	struct stat sb;
	char ignored[256];
	int dfd, fd, rc;

	if ((dfd = open_dir(f)) < 0 || fstatvfs(dfd, &vfs) < 0) {
		snprintf(err, errlen, "%s: %s", f->path, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	f->filled = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize - f->leave;
	if (f->filled <= 0) {
		close(dfd);
		snprintf(err, errlen, "%s has less than %lld bytes free already: nothing to fill",
		    f->path, (long long)f->leave);
		return -1;
	}
	fd = openat(dfd, CHAOS_FILL_NAME, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s/%s: %s", f->path, CHAOS_FILL_NAME, strerror(errno));
		close(dfd);
		return -1;
	}
	if (fstat(fd, &sb) == 0) {
		f->fill_dev = (int64_t)sb.st_dev;
		f->fill_ino = (int64_t)sb.st_ino;
	}
	/* Blocks allocated, not written: a full disk in an instant, whatever its size. */
	rc = posix_fallocate(fd, 0, (off_t)f->filled);
	close(fd);
	close(dfd);
	if (rc != 0) {
		snprintf(err, errlen, "%s/%s: %s", f->path, CHAOS_FILL_NAME, strerror(rc));
		chaos_unfill(f, ignored, sizeof(ignored));	/* the first error is the one said */
		return -1;
	}
	return 0;
}

int
chaos_unfill(const struct chaos_injected *f, char *err, size_t errlen)
{
	struct stat sb;
	int dfd, rc = 0;

	if ((dfd = open_dir(f)) < 0)
		return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s: %s", f->path,
		    strerror(errno)), -1);
	/* Only the file made here: a regular file of tend's, the same inode if known. */
	if (fstatat(dfd, CHAOS_FILL_NAME, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_uid == geteuid() && (f->fill_ino == 0 || ((int64_t)sb.st_ino == f->fill_ino &&
	    (int64_t)sb.st_dev == f->fill_dev)) && unlinkat(dfd, CHAOS_FILL_NAME, 0) < 0) {
		snprintf(err, errlen, "%s/%s: %s", f->path, CHAOS_FILL_NAME, strerror(errno));
		rc = -1;
	}
	close(dfd);
	return rc;
}

/* A hog's life: busy, or growing by grow a second to max, until its alarm. */
static void __attribute__((noreturn))
hog_run(const struct chaos_injected *f)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	int64_t held = 0, step = f->grow / 10;
	volatile unsigned long spin = 0;
	char *p;

	if (f->fault == CHAOS_CPU)
		for (;;)
			spin++;
	for (;;) {
		if (held + step <= f->max && (p = malloc((size_t)step)) != NULL) {
			memset(p, 0x5a, (size_t)step);		/* touched: resident */
			held += step;
		}
		nanosleep(&tick, NULL);
	}
}

/* A hog: named, bound to its spawner's life and its duration's, said ready on fd ready. */
static void __attribute__((noreturn))
hog_child(const struct chaos_injected *f, pid_t parent, int ready)
{
	signal(SIGALRM, SIG_DFL);
	/* It ends with its spawner, or after its duration, whatever else happens. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(0);
	prctl(PR_SET_NAME, CHAOS_HOG_COMM);
	/* Named before the spawner goes on: the daemon asks a hog for its name. */
	(void)!write(ready, "", 1);
	closefrom(3);
	alarm((unsigned)((f->duration_ms + 999) / 1000 + 1));
	hog_run(f);
}

int
chaos_hogs_start(struct chaos_injected *f, char *err, size_t errlen)
{
	int i, n = f->fault == CHAOS_CPU ? f->cores : 1, ready[2], saved;
	pid_t parent = getpid(), pid;
	char byte;

	if (n > CHAOS_HOGS_MAX)
		n = CHAOS_HOGS_MAX;
	for (i = 0; i < n; i++) {
		if (pipe2(ready, O_CLOEXEC) < 0)
			pid = -1;
		else if ((pid = fork()) < 0) {
			saved = errno;
			close(ready[0]);
			close(ready[1]);
			errno = saved;
		}
		if (pid < 0) {
			snprintf(err, errlen, "starting a hog: %s", strerror(errno));
			chaos_hogs_end(f);
			return -1;
		}
		if (pid == 0)
			hog_child(f, parent, ready[1]);
		close(ready[1]);
		while (read(ready[0], &byte, 1) < 0 && errno == EINTR)
			;
		close(ready[0]);
		if (proc_id_of(pid, &f->hogs[f->n_hogs]) == 0)
			f->n_hogs++;
	}
	return 0;
}

void
chaos_hogs_end(const struct chaos_injected *f)
{
	int i;

	for (i = 0; i < f->n_hogs; i++) {
		if (proc_id_alive(&f->hogs[i]))
			proc_id_signal(&f->hogs[i], SIGKILL, false);
		/* Reaped when they are this process's (not after a run that was killed). */
		waitpid(f->hogs[i].pid, NULL, 0);
	}
}
