/*
 * The killer of the restart benchmark: N times, read the supervised
 * program's stamp, SIGKILL it, wait (inotify, not polling) for a stamp
 * with a new pid, and then for its port to accept again. Prints each kill
 * and the medians.
 *
 * usage: killwatch STAMPFILE PORT COUNT PAUSE_MS
 */
#include <errno.h>
#include <libgen.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WAIT_LIMIT_MS	10000

static long long
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
read_stamp(const char *path, int *pid, long long *ns)
{
	FILE *f = fopen(path, "r");
	int n;

	if (f == NULL)
		return -1;
	n = fscanf(f, "%d %lld", pid, ns);
	fclose(f);
	return n == 2 ? 0 : -1;
}

/* Waits for a stamp whose pid is not old_pid; returns its start time or -1. */
static long long
wait_new_stamp(int ifd, const char *path, int old_pid, int *new_pid)
{
	long long deadline = mono_ns() + WAIT_LIMIT_MS * 1000000LL, ns;
	struct pollfd pfd = { .fd = ifd, .events = POLLIN };
	char buf[4096];

	for (;;) {
		if (read_stamp(path, new_pid, &ns) == 0 && *new_pid != old_pid)
			return ns;
		if (mono_ns() > deadline)
			return -1;
		if (poll(&pfd, 1, 100) > 0 && read(ifd, buf, sizeof(buf)) < 0)
			return -1;
	}
}

static int
port_answers(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static long long
wait_port(int port)
{
	long long deadline = mono_ns() + WAIT_LIMIT_MS * 1000000LL;
	struct timespec ms = { 0, 1000000 };

	while (mono_ns() < deadline) {
		if (port_answers(port))
			return mono_ns();
		nanosleep(&ms, NULL);
	}
	return -1;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
percentile(double *v, int n, double p)
{
	if (n == 0)
		return -1;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[(int)((n - 1) * p + 0.5)];
}

int
main(int argc, char **argv)
{
	double to_pid[1000], to_port[1000];
	int port, count, pause_ms, i, n_pid = 0, n_port = 0, timeouts = 0;
	int ifd, pid, new_pid;
	long long t0, started, answered;
	char *dir;
	struct timespec pause;

	if (argc != 5) {
		fprintf(stderr, "usage: killwatch STAMPFILE PORT COUNT PAUSE_MS\n");
		return 2;
	}
	port = atoi(argv[2]);
	count = atoi(argv[3]);
	pause_ms = atoi(argv[4]);
	if (count > 1000)
		count = 1000;
	pause = (struct timespec){ pause_ms / 1000, (long)(pause_ms % 1000) * 1000000L };
	dir = strdup(argv[1]);
	ifd = inotify_init1(IN_CLOEXEC);
	if (ifd < 0 || inotify_add_watch(ifd, dirname(dir), IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
		perror("inotify");
		return 1;
	}
	for (i = 0; i < count; i++) {
		nanosleep(&pause, NULL);
		if (read_stamp(argv[1], &pid, &t0) < 0 || wait_port(port) < 0) {
			fprintf(stderr, "kill %d: the service is not running\n", i + 1);
			return 1;
		}
		t0 = mono_ns();
		kill(pid, SIGKILL);
		started = wait_new_stamp(ifd, argv[1], pid, &new_pid);
		answered = started > 0 ? wait_port(port) : -1;
		if (started < 0 || answered < 0) {
			printf("kill %2d: timeout\n", i + 1);
			timeouts++;
			continue;
		}
		to_pid[n_pid++] = (double)(started - t0) / 1e6;
		to_port[n_port++] = (double)(answered - t0) / 1e6;
		printf("kill %2d: new pid %d after %.2f ms, port after %.2f ms\n", i + 1,
		    new_pid, to_pid[n_pid - 1], to_port[n_port - 1]);
	}
	printf("RESULT pid_median_ms=%.2f pid_p90_ms=%.2f port_median_ms=%.2f "
	    "port_p90_ms=%.2f timeouts=%d\n", percentile(to_pid, n_pid, 0.5),
	    percentile(to_pid, n_pid, 0.9), percentile(to_port, n_port, 0.5),
	    percentile(to_port, n_port, 0.9), timeouts);
	free(dir);
	return timeouts == count ? 1 : 0;
}
