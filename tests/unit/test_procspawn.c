/*
 * core/procspawn: what a child gets (three descriptors and nothing else,
 * whichever way it is started), which step of a failed start is named, and
 * how its end is seen (pidfd, or SIGCHLD without one).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uv.h>

#include "core/procspawn.h"

extern char **environ;

/* Reads fd to its end into buf (bounded), then closes it. */
static void
read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
}

/* Runs sp with its stdout (and stderr) into a pipe; returns what it wrote. */
static int
run_capture(struct procspawn *sp, char *out, size_t len)
{
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	sp->fd[0] = -1;
	sp->fd[1] = sp->fd[2] = fds[1];
	sp->env = environ;
	assert_int_equal(procspawn_start(sp, &pid, NULL, 0), 0);
	close(fds[1]);
	read_all(fds[0], out, len);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* fds that leak unless the spawn closes them: no close-on-exec on either. */
static void
open_leaky_fds(int *a, int *pair)
{
	*a = open("/dev/null", O_RDONLY);
	assert_true(*a >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
}

static void
close_leaky_fds(int a, int *pair)
{
	close(a);
	close(pair[0]);
	close(pair[1]);
}

static void
child_has_only_its_three_fds(struct procspawn *sp)
{
	char *argv[] = { "ls", "/proc/self/fd", NULL };
	char out[256];
	int extra, pair[2];

	open_leaky_fds(&extra, pair);
	sp->argv = argv;
	assert_int_equal(run_capture(sp, out, sizeof(out)), 0);
	close_leaky_fds(extra, pair);
	/* 3 is the directory ls reads. */
	assert_string_equal(out, "0\n1\n2\n3\n");
}

static void
posix_spawn_child_gets_only_its_fds(void **state)
{
	struct procspawn sp = { .umask = -1 };

	child_has_only_its_three_fds(&sp);
}

static void
forked_child_gets_only_its_fds(void **state)
{
	struct procspawn sp = { .umask = 022 };	/* a umask takes the fork path */

	child_has_only_its_three_fds(&sp);
}

static void
umask_is_the_childs_alone(void **state)
{
	char *argv[] = { "sh", "-c", "umask", NULL };
	struct procspawn sp = { .argv = argv, .umask = 027 };
	mode_t ours = umask(022);
	char out[64];

	assert_int_equal(run_capture(&sp, out, sizeof(out)), 0);
	assert_string_equal(out, "0027\n");
	assert_int_equal(umask(ours), 022);
}

/* The child's 1 and 2 swapped: no source is overwritten before it is used. */
static void
low_sources_are_not_overwritten(void **state)
{
	char *argv[] = { "sh", "-c", "echo out; echo err >&2", NULL };
	struct procspawn sp = { .argv = argv, .umask = -1, .env = environ,
	    .fd = { -1, 2, 1 } };
	int saved1 = dup(1), saved2 = dup(2), a[2], b[2], status;
	char got_a[64], got_b[64];
	pid_t pid;

	assert_int_equal(pipe2(a, O_CLOEXEC), 0);
	assert_int_equal(pipe2(b, O_CLOEXEC), 0);
	dup2(a[1], 1);
	dup2(b[1], 2);
	close(a[1]);
	close(b[1]);
	assert_int_equal(procspawn_start(&sp, &pid, NULL, 0), 0);
	dup2(saved1, 1);
	dup2(saved2, 2);
	close(saved1);
	close(saved2);
	read_all(a[0], got_a, sizeof(got_a));
	read_all(b[0], got_b, sizeof(got_b));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_string_equal(got_a, "err\n");
	assert_string_equal(got_b, "out\n");
}

static void
failure_names_the_step(struct procspawn *sp)
{
	char *missing[] = { "/nonexistent/prog", NULL }, *sh[] = { "sh", NULL };
	char err[256];
	pid_t pid;

	sp->env = environ;
	sp->fd[0] = sp->fd[1] = sp->fd[2] = -1;
	sp->argv = sh;
	sp->cwd = "/nonexistent-cwd";
	assert_int_equal(procspawn_start(sp, &pid, err, sizeof(err)), ENOENT);
	assert_string_equal(err, "cwd /nonexistent-cwd: No such file or directory");
	sp->cwd = "/etc/passwd";
	assert_int_equal(procspawn_start(sp, &pid, err, sizeof(err)), ENOTDIR);
	assert_string_equal(err, "cwd /etc/passwd: Not a directory");
	sp->argv = missing;
	sp->cwd = "/";
	assert_int_equal(procspawn_start(sp, &pid, err, sizeof(err)), ENOENT);
	assert_string_equal(err, "/nonexistent/prog: No such file or directory");
}

static void
posix_spawn_failure_names_the_step(void **state)
{
	struct procspawn sp = { .umask = -1 };

	failure_names_the_step(&sp);
}

static void
forked_failure_names_the_step(void **state)
{
	struct procspawn sp = { .umask = 022 };

	failure_names_the_step(&sp);
}

/* As root: the uid, gid and every supplementary group given. */
static void
ids_are_switched_with_their_groups(void **state)
{
	char *argv[] = { "sh", "-c", "id -u; id -g; id -G", NULL };
	static const gid_t groups[] = { 65534, 100, 4 };
	struct procspawn_ids ids = { .uid = 65534, .gid = 65534, .groups = groups,
	    .n_groups = 3 };
	struct procspawn sp = { .argv = argv, .umask = -1, .ids = &ids };
	char out[128];

	if (geteuid() != 0)
		skip();
	assert_int_equal(run_capture(&sp, out, sizeof(out)), 0);
	assert_string_equal(out, "65534\n65534\n65534 4 100\n");
}

struct ended {
	pid_t	 pid;
	int64_t	 status;
	int	 signal;
	int	 calls;
};

static void
on_exit_cb(void *arg, pid_t pid, int64_t status, int term_signal)
{
	struct ended *e = arg;

	e->pid = pid;
	e->status = status;
	e->signal = term_signal;
	e->calls++;
}

/* With a pidfd, or without one (out of descriptors): on SIGCHLD. */
static void
watch_one(bool without_pidfd)
{
	char *argv[] = { "sh", "-c", "exit 7", NULL };
	struct procspawn sp = { .argv = argv, .umask = -1, .env = environ,
	    .fd = { -1, -1, -1 } };
	struct ended e = { 0 };
	struct rlimit old, low;
	uv_loop_t loop;
	pid_t pid;
	int probe;

	uv_loop_init(&loop);
	assert_int_equal(procspawn_start(&sp, &pid, NULL, 0), 0);
	if (without_pidfd) {
		/* No descriptor to spare: pidfd_open fails with EMFILE. */
		probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
		assert_true(probe >= 0);
		close(probe);
		getrlimit(RLIMIT_NOFILE, &old);
		low = old;
		low.rlim_cur = (rlim_t)probe;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
		assert_true(procspawn_pidfd(pid) < 0);
	}
	procspawn_watch(&loop, pid, on_exit_cb, &e);
	if (without_pidfd)
		setrlimit(RLIMIT_NOFILE, &old);
	/* The watch is the loop's only handle: the run ends once it reported. */
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(e.calls, 1);
	assert_int_equal(e.pid, pid);
	assert_int_equal(e.status, 7);
	assert_int_equal(e.signal, 0);
	assert_int_equal(uv_loop_close(&loop), 0);
}

static void
exit_is_seen_through_a_pidfd(void **state)
{
	watch_one(false);
}

static void
exit_is_seen_on_sigchld_without_a_pidfd(void **state)
{
	watch_one(true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(posix_spawn_child_gets_only_its_fds),
		cmocka_unit_test(forked_child_gets_only_its_fds),
		cmocka_unit_test(umask_is_the_childs_alone),
		cmocka_unit_test(low_sources_are_not_overwritten),
		cmocka_unit_test(posix_spawn_failure_names_the_step),
		cmocka_unit_test(forked_failure_names_the_step),
		cmocka_unit_test(ids_are_switched_with_their_groups),
		cmocka_unit_test(exit_is_seen_through_a_pidfd),
		cmocka_unit_test(exit_is_seen_on_sigchld_without_a_pidfd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
