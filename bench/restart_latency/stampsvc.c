/*
 * The supervised program of the restart benchmark. First thing on start it
 * takes CLOCK_MONOTONIC (system-wide, so comparable with the killer's
 * clock) and publishes "PID NS" atomically in a stamp file; then it listens
 * on 127.0.0.1:PORT and accepts connections until killed.
 *
 * usage: stampsvc STAMPFILE PORT [PIDFILE]
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
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
	for (;;) {
		conn = accept(fd, NULL, NULL);
		if (conn >= 0)
			close(conn);
	}
}
