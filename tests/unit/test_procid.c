/* Process identity: pid and start time, and signals only to the process meant. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/procid.h"

static pid_t
spawn_sleeper(bool own_group)
{
	char *const argv[] = { "sleep", "60", NULL };
	char *const envp[] = { "TEND_SERVICE=web", "OTHER=1", NULL };
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		/* A failed assertion must not leave it holding ctest's pipe for 60 s. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (own_group)
			setpgid(0, 0);
		execve("/bin/sleep", argv, envp);
		_exit(127);
	}
	/* Until the exec is done, /proc shows the fork, not sleep. */
	for (int i = 0; i < 500; i++) {
		struct proc_info pi;

		if (proc_stat_read(pid, &pi) == 0 && strcmp(pi.comm, "sleep") == 0)
			break;
		usleep(2000);
	}
	return pid;
}

/* Waits up to 10 s (a loaded machine); the signal that ended pid, or 0. */
static int
wait_signal(pid_t pid)
{
	int status;

	for (int i = 0; i < 5000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
		usleep(2000);
	}
	return 0;
}

static void
stat_names_the_process_and_its_start(void **state)
{
	struct proc_info pi;

	assert_int_equal(proc_info_read(getpid(), &pi), 0);
	assert_int_equal(pi.id.pid, getpid());
	assert_int_equal(pi.ppid, getppid());
	assert_int_equal(pi.pgid, getpgid(0));
	assert_int_equal(pi.sid, getsid(0));
	assert_true(pi.id.start > 0);
	assert_int_equal(pi.uid, getuid());
	assert_int_equal(pi.euid, geteuid());
	assert_string_equal(pi.comm, "test_procid");
	assert_int_equal(proc_stat_read(0, &pi), -1);
	assert_int_equal(errno, ESRCH);
}

static void
a_wrong_start_time_is_never_signalled(void **state)
{
	struct proc_id id, stale;
	pid_t pid = spawn_sleeper(false);

	assert_int_equal(proc_id_of(pid, &id), 0);
	stale = id;
	stale.start++;
	assert_int_equal(proc_id_signal(&stale, SIGTERM, true), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(proc_id_pidfd(&stale), -1);
	assert_true(proc_id_alive(&id));
	assert_false(proc_id_alive(&stale));
	assert_int_equal(proc_id_signal(&id, SIGTERM, true), 0);
	assert_int_equal(wait_signal(pid), SIGTERM);
	/* Reaped: the pid names no one now. */
	assert_false(proc_id_alive(&id));
	assert_int_equal(proc_id_signal(&id, SIGKILL, false), -1);
}

static void
a_zombie_is_not_alive(void **state)
{
	struct proc_id id;
	pid_t pid = spawn_sleeper(false);
	int status;

	assert_int_equal(proc_id_of(pid, &id), 0);
	kill(pid, SIGKILL);
	for (int i = 0; i < 1000 && proc_id_alive(&id); i++)
		usleep(2000);
	assert_false(proc_id_alive(&id));
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

static void
sigterm_reaches_a_stopped_process_with_sigcont(void **state)
{
	struct proc_id id;
	pid_t pid = spawn_sleeper(true);

	assert_int_equal(proc_id_of(pid, &id), 0);
	assert_int_equal(kill(pid, SIGSTOP), 0);
	assert_int_equal(proc_id_signal_group(&id, SIGTERM, true), 0);
	assert_int_equal(wait_signal(pid), SIGTERM);
}

static void
only_a_group_leader_has_its_group_signalled(void **state)
{
	struct proc_id id;
	pid_t pid = spawn_sleeper(false);

	assert_int_equal(proc_id_of(pid, &id), 0);
	assert_int_equal(proc_id_signal_group(&id, SIGTERM, true), -1);
	assert_int_equal(errno, EPERM);
	assert_true(proc_id_alive(&id));
	kill(pid, SIGKILL);
	assert_int_equal(wait_signal(pid), SIGKILL);
}

static void
the_environment_is_read_as_exec_gave_it(void **state)
{
	pid_t pid = spawn_sleeper(false);
	char *v;

	v = proc_environ_get(pid, "TEND_SERVICE");
	assert_non_null(v);
	assert_string_equal(v, "web");
	free(v);
	assert_null(proc_environ_get(pid, "TEND"));
	assert_null(proc_environ_get(pid, "MISSING"));
	kill(pid, SIGKILL);
	wait_signal(pid);
}

static void
the_boot_has_an_id(void **state)
{
	char id[64];

	proc_boot_id(id, sizeof(id));
	assert_int_equal(strlen(id), 36);
}

static void
a_stat_line_is_parsed_past_a_name_with_parentheses(void **state)
{
	const char *line = "42 (a) b (c) S 7 42 40 0 -1 4194560 100 0 0 0 11 22 0 0 20 0 3 0 "
	    "123456 9000000 345 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
	struct proc_info pi;

	(void)state;
	assert_int_equal(proc_stat_parse(42, line, &pi), 0);
	assert_string_equal(pi.comm, "a) b (c");
	assert_int_equal(pi.state, 'S');
	assert_int_equal(pi.ppid, 7);
	assert_int_equal(pi.pgid, 42);
	assert_int_equal(pi.sid, 40);
	assert_int_equal(pi.cpu_ticks, 33);
	assert_int_equal(pi.threads, 3);
	assert_int_equal(pi.id.start, 123456);
	assert_int_equal(pi.rss_pages, 345);
	assert_int_equal(proc_stat_parse(42, "42 (x) S 1 2 3", &pi), -1);
	assert_int_equal(proc_stat_parse(42, "42 (x)", &pi), -1);
	assert_int_equal(proc_stat_parse(42, "no name", &pi), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_names_the_process_and_its_start),
		cmocka_unit_test(a_wrong_start_time_is_never_signalled),
		cmocka_unit_test(a_zombie_is_not_alive),
		cmocka_unit_test(sigterm_reaches_a_stopped_process_with_sigcont),
		cmocka_unit_test(only_a_group_leader_has_its_group_signalled),
		cmocka_unit_test(the_environment_is_read_as_exec_gave_it),
		cmocka_unit_test(the_boot_has_an_id),
		cmocka_unit_test(a_stat_line_is_parsed_past_a_name_with_parentheses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
