/*
 * tend under systemd (Type=notify): READY=1 once started, WATCHDOG=1 at
 * half the watchdog interval, STOPPING=1 on SIGTERM; and the services it
 * runs never see systemd's socket meant for tend.
 */
#include "harness.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
teardown(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	return harness_test_teardown(state);
}

/* Waits (bounded) for a datagram containing text. */
static bool
receive_containing(int fd, const char *text, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[512];
	ssize_t n;

	while (harness_mono_ms() < deadline) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (strstr(buf, text) != NULL)
			return true;
	}
	return false;
}

static void
tend_speaks_sd_notify_and_keeps_it_from_its_services(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char env_file[400], line[256] = "";
	FILE *f;
	int fd;

	assert_true(strlen(t.dir) + sizeof("/systemd.sock") <= sizeof(sa.sun_path));
	strcpy(sa.sun_path, t.dir);
	strcat(sa.sun_path, "/systemd.sock");
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	setenv("WATCHDOG_USEC", "200000", 1);

	harness_write_config(&t,
	    "services:\n"
	    "  envy:\n"
	    "    run: [/bin/sh, -c, 'echo \"NS=$NOTIFY_SOCKET WD=$WATCHDOG_USEC\" > @DIR@/env; exec sleep 60']\n");
	harness_start(&t);
	assert_true(receive_containing(fd, "READY=1", 5000));
	assert_true(receive_containing(fd, "WATCHDOG=1", 1000));

	snprintf(env_file, sizeof(env_file), "%s/env", t.dir);
	/* The shell creates the file, then writes the line: wait for the line. */
	for (int i = 0; i < 200 && strchr(line, '\n') == NULL; i++) {
		if ((f = fopen(env_file, "r")) != NULL) {
			if (fgets(line, sizeof(line), f) == NULL)
				line[0] = '\0';
			fclose(f);
		}
		if (strchr(line, '\n') == NULL)
			harness_pause_ms(10);
	}
	assert_string_equal(line, "NS= WD=\n");

	kill(t.pid, SIGTERM);
	assert_true(receive_containing(fd, "STOPPING=1", 5000));
	assert_int_equal(harness_wait_exit(&t, 10000), 0);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(tend_speaks_sd_notify_and_keeps_it_from_its_services, harness_test_setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
