/*
 * The targets of the check-cycle benchmark: COUNT HTTP endpoints on
 * consecutive loopback ports from BASE, of which the first HUNG accept a
 * connection and never answer. One process, one poll loop; it stops by
 * itself after LIFETIME seconds so that nothing is left behind.
 *
 * usage: endpoints BASE COUNT HUNG LIFETIME
 */
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS	8192

static const char reply[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";

int
main(int argc, char **argv)
{
	struct pollfd pfd[MAX_FDS];
	int is_listener[MAX_FDS], hung[MAX_FDS];
	int base, count, n_hung, lifetime, n = 0, i, fd, one = 1;
	time_t end;
	char buf[4096];

	if (argc != 5)
		return 2;
	base = atoi(argv[1]);
	count = atoi(argv[2]);
	n_hung = atoi(argv[3]);
	lifetime = atoi(argv[4]);
	end = time(NULL) + lifetime;
	for (i = 0; i < count && n < MAX_FDS; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
		    .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		    .sin_port = htons((uint16_t)(base + i)) };

		fd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0) {
			fprintf(stderr, "endpoints: port %d: in use\n", base + i);
			return 1;
		}
		pfd[n] = (struct pollfd){ .fd = fd, .events = POLLIN };
		is_listener[n] = 1;
		hung[n++] = i < n_hung;
	}
	printf("ready\n");
	fflush(stdout);
	while (time(NULL) < end) {
		if (poll(pfd, (nfds_t)n, 200) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP)))
				continue;
			if (is_listener[i]) {
				fd = accept(pfd[i].fd, NULL, NULL);
				if (fd < 0 || n >= MAX_FDS) {
					if (fd >= 0)
						close(fd);
					continue;
				}
				pfd[n] = (struct pollfd){ .fd = fd,
				    .events = hung[i] ? 0 : POLLIN };
				is_listener[n] = 0;
				hung[n++] = hung[i];
				continue;
			}
			/* A request: answer, close, and drop the slot. */
			if (read(pfd[i].fd, buf, sizeof(buf)) > 0 &&
			    write(pfd[i].fd, reply, sizeof(reply) - 1) < 0)
				perror("write");
			close(pfd[i].fd);
			pfd[i] = pfd[--n];
			is_listener[i] = is_listener[n];
			hung[i] = hung[n];
			i--;
		}
	}
	return 0;
}
