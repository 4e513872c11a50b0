/* The shared process table: every process, found by pid and by parent; shared while recent. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/proctab.h"

/*
 * A child that forks a grandchild and waits, in a process group of its
 * own, so that both are killed at once; neither holds ctest's output.
 */
static pid_t
spawn_pair(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(1);
		close(2);
		if (fork() == 0) {
			pause();
			_exit(0);
		}
		pause();
		_exit(0);
	}
	setpgid(pid, pid);
	return pid;
}

static void
kill_pair(pid_t pid)
{
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The table holds the pair once the grandchild has been forked. */
static struct proctab *
table_with_grandchild(pid_t child, size_t *first)
{
	struct proctab *t = NULL;
	int i;

	for (i = 0; i < 500; i++) {
		t = proctab_get(clock_mono_ms());
		if (proctab_children(t, child, first) == 1)
			return t;
		proctab_put(t);
		usleep(2000);
	}
	fail_msg("the grandchild of %d never showed", (int)child);
	return NULL;
}

static void
a_table_finds_processes_and_their_children(void **state)
{
	pid_t child = spawn_pair();
	const struct proc_info *me, *pi;
	struct proctab *t;
	size_t first, n, i;

	(void)state;
	t = table_with_grandchild(child, &first);
	me = proctab_find(t, getpid());
	assert_non_null(me);
	assert_int_equal(me->id.pid, getpid());
	pi = proctab_find(t, child);
	assert_non_null(pi);
	assert_int_equal(pi->ppid, getpid());
	assert_int_equal(t->by_pid[t->by_ppid[first]].ppid, child);
	/* Our own children: the pair's first process among them. */
	n = proctab_children(t, getpid(), &first);
	for (i = 0; i < n && t->by_pid[t->by_ppid[first + i]].id.pid != child; i++)
		;
	assert_true(i < n);
	assert_null(proctab_find(t, 0));
	assert_true(t->uptime_s > 0);
	proctab_put(t);
	kill_pair(child);
}

static void
a_recent_table_is_shared_and_a_newer_one_read(void **state)
{
	struct proctab *a, *b, *c;
	int64_t now = clock_mono_ms();

	(void)state;
	a = proctab_get(now);
	b = proctab_get(now - 1000);
	assert_ptr_equal(a, b);
	/* Asked for one newer than the last: a new reading, the old one still held. */
	while (clock_mono_ms() <= a->taken_ms)
		usleep(1000);
	c = proctab_get(clock_mono_ms());
	assert_ptr_not_equal(a, c);
	assert_true(c->taken_ms > a->taken_ms);
	assert_non_null(proctab_find(a, getpid()));
	proctab_put(a);
	proctab_put(b);
	proctab_put(c);
}

static void
a_gone_process_is_not_in_a_later_table(void **state)
{
	pid_t child = spawn_pair();
	struct proctab *t;
	size_t first;

	(void)state;
	t = table_with_grandchild(child, &first);
	proctab_put(t);
	kill_pair(child);
	t = proctab_get(clock_mono_ms() + 1);
	assert_null(proctab_find(t, child));
	proctab_put(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_table_finds_processes_and_their_children),
		cmocka_unit_test(a_recent_table_is_shared_and_a_newer_one_read),
		cmocka_unit_test(a_gone_process_is_not_in_a_later_table),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	proctab_release();
	return rc;
}
