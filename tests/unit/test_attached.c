/*
 * Processes counted as a service's own (supervise/attached.h): only the
 * process meant is taken, those that ended are forgotten, and ending them
 * signals each only as itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervise/attached.h"

static pid_t
spawn_pause(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pause();
		_exit(0);
	}
	return pid;
}

static void
only_the_process_meant_is_taken(void **state)
{
	struct attached_set a = { 0 };
	struct proc_id id, wrong;
	char err[128];
	pid_t pid = spawn_pause(), pids[4];

	assert_int_equal(proc_id_of(pid, &id), 0);
	wrong = id;
	wrong.start++;
	assert_int_equal(attached_add(&a, &wrong, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no longer the process meant"));
	assert_int_equal(attached_add(&a, &id, err, sizeof(err)), 0);
	assert_int_equal(attached_add(&a, &id, err, sizeof(err)), 0);	/* once */
	assert_int_equal(a.n, 1);
	assert_int_equal(attached_pids(&a, pids, 4), 1);
	assert_int_equal(pids[0], pid);
	attached_end(&a);
	assert_int_equal(a.n, 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);	/* SIGKILLed: reaped at once */
}

static void
those_that_ended_are_forgotten_and_make_room(void **state)
{
	struct attached_set a = { 0 };
	struct proc_id ids[ATTACHED_MAX + 1];
	pid_t pids[ATTACHED_MAX + 1], out[ATTACHED_MAX];
	char err[128];
	int i;

	for (i = 0; i <= ATTACHED_MAX; i++) {
		pids[i] = spawn_pause();
		assert_int_equal(proc_id_of(pids[i], &ids[i]), 0);
	}
	for (i = 0; i < ATTACHED_MAX; i++)
		assert_int_equal(attached_add(&a, &ids[i], err, sizeof(err)), 0);
	assert_int_equal(attached_add(&a, &ids[ATTACHED_MAX], err, sizeof(err)), -1);
	assert_non_null(strstr(err, "already"));
	/* One ends: its place is free again. */
	kill(pids[0], SIGKILL);
	assert_int_equal(waitpid(pids[0], NULL, 0), pids[0]);
	assert_int_equal(attached_pids(&a, out, ATTACHED_MAX), ATTACHED_MAX - 1);
	assert_int_equal(attached_add(&a, &ids[ATTACHED_MAX], err, sizeof(err)), 0);
	attached_end(&a);
	for (i = 1; i <= ATTACHED_MAX; i++)
		assert_int_equal(waitpid(pids[i], NULL, 0), pids[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_the_process_meant_is_taken),
		cmocka_unit_test(those_that_ended_are_forgotten_and_make_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
