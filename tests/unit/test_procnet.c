/* Who listens on a port, and whether it is the service's own process. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/procnet.h"
#include "supervise/listener.h"

static int listen_fd = -1;
static int port;

static int
setup(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);

	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(listen_fd, 4) < 0 ||
	    getsockname(listen_fd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	port = ntohs(sa.sin_port);
	return 0;
}

static int
teardown(void **state)
{
	close(listen_fd);
	return 0;
}

static void
the_listening_socket_and_its_holder_are_found(void **state)
{
	unsigned long inodes[8];
	size_t n;

	n = procnet_listeners(port, inodes, 8);
	assert_int_equal(n, 1);
	assert_int_equal(procnet_holds(getpid(), inodes, n), 1);
	assert_int_equal(procnet_holds(getppid(), inodes, n), 0);
	assert_int_equal(procnet_holder(inodes, n), getpid());
	/* Nothing listens on a port this test just closed. */
	assert_int_equal(procnet_listeners(0, inodes, 8), 0);
}

static void
a_service_holding_the_port_is_ready_another_is_not(void **state)
{
	char why[256], want[128];
	pid_t other;

	assert_int_equal(listener_check("web", getpid(), port, why, sizeof(why)),
	    LISTENER_OURS);
	other = fork();
	assert_true(other >= 0);
	if (other == 0) {
		/* A service of its own: a new session, without the socket. */
		close(listen_fd);
		setsid();
		pause();
		_exit(0);
	}
	for (int i = 0; i < 500 && getsid(other) != other; i++)
		usleep(2000);
	assert_int_equal(listener_check("web", other, port, why, sizeof(why)),
	    LISTENER_FOREIGN);
	snprintf(want, sizeof(want), "port %d is held by pid %d (test_procnet), "
	    "not by this service", port, (int)getpid());
	assert_string_equal(why, want);
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	/* Where nothing listens, there is nothing to say. */
	assert_int_equal(listener_check("web", getpid(), 0, why, sizeof(why)),
	    LISTENER_UNKNOWN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_listening_socket_and_its_holder_are_found),
		cmocka_unit_test(a_service_holding_the_port_is_ready_another_is_not),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
