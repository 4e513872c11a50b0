/*
 * The supervised program of the restart benchmark. First thing on start it
 * takes CLOCK_MONOTONIC (system-wide, so comparable with the killer's
 * clock) and publishes "PID NS" atomically in a stamp file; then it listens
 * on 127.0.0.1:PORT and accepts connections until killed. Under NOTIFY_SOCKET
 * (ready: notify) it sends READY=1 once it listens.
 *
 * usage: stampsvc STAMPFILE PORT [PIDFILE]
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void
write_atomically(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if ((f = fopen(tmp, "w")) == NULL)
		exit(1);
	fputs(text, f);
	fclose(f);
	if (rename(tmp, path) < 0)
		exit(1);
}

/* sd_notify's READY=1, to a path or an abstract ("@...") NOTIFY_SOCKET. */
static void
notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (path == NULL || strlen(path) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, strlen(path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path)));
	close(fd);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timespec ts;
	char text[64];
	int fd, one = 1, conn;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (argc < 3) {
		fprintf(stderr, "usage: stampsvc STAMPFILE PORT [PIDFILE]\n");
		return 2;
	}
	snprintf(text, sizeof(text), "%d %lld\n", (int)getpid(),
	    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	if (argc > 3) {
		char pid[32];

		snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		write_atomically(argv[3], pid);
	}
	write_atomically(argv[1], text);

	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		perror("stampsvc: listen");
		return 1;
	}
	notify_ready();
	for (;;) {
		conn = accept(fd, NULL, NULL);
		if (conn >= 0)
			close(conn);
	}
}
