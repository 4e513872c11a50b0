/*
 * The targets of the check benchmarks: COUNT HTTP endpoints on consecutive
 * loopback ports from BASE, of which the first HUNG accept a connection and
 * never answer. One process, one epoll loop; it stops by itself after
 * LIFETIME seconds so that nothing is left behind.
 *
 * MODE says how a connection ends: `close` (the default) answers with
 * `Connection: close` and closes; `keepalive` keeps it open for the next
 * request, as a server with HTTP/1.1 keep-alive does.
 *
 * usage: endpoints BASE COUNT HUNG LIFETIME [close|keepalive]
 */
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS		65536
#define MAX_EVENTS	256

static const char reply_close[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
static const char reply_keep[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";

/* What an fd is: a listener (hung or not), or a connection (hung or not). */
enum fd_kind { FD_NONE, FD_LISTENER, FD_HUNG_LISTENER, FD_CONN, FD_HUNG_CONN };

static enum fd_kind kinds[MAX_FDS];
/*
 * A connection's last three bytes, so that a "\r\n\r\n" split across reads
 * is seen (three: four would count the end of the last request again).
 */
static char tails[MAX_FDS][3];

static void
drop(int ep, int fd)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	kinds[fd] = FD_NONE;
}

/* The requests that ended in buf (each ends with an empty line). */
static int
count_requests(int fd, const char *buf, size_t len)
{
	char scan[4096 + 3];
	size_t i;
	int n = 0;

	memcpy(scan, tails[fd], 3);
	memcpy(scan + 3, buf, len);
	for (i = 0; i + 4 <= len + 3; i++)
		if (memcmp(scan + i, "\r\n\r\n", 4) == 0)
			n++;
	memcpy(tails[fd], scan + len, 3);
	return n;
}

/* A request (or more) came: answer each; close unless keep-alive. */
static void
serve(int ep, int fd, bool keep)
{
	char buf[4096];
	ssize_t got;
	int n;

	got = read(fd, buf, sizeof(buf));
	if (got <= 0) {
		drop(ep, fd);
		return;
	}
	if (!keep) {
		if (write(fd, reply_close, sizeof(reply_close) - 1) < 0)
			perror("write");
		drop(ep, fd);
		return;
	}
	for (n = count_requests(fd, buf, (size_t)got); n > 0; n--)
		if (write(fd, reply_keep, sizeof(reply_keep) - 1) < 0) {
			drop(ep, fd);
			return;
		}
}

static void
accept_one(int ep, int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (fd >= MAX_FDS) {
		close(fd);
		return;
	}
	kinds[fd] = kinds[lfd] == FD_HUNG_LISTENER ? FD_HUNG_CONN : FD_CONN;
	memset(tails[fd], 0, 3);
	/* A hung connection is watched for nothing: it is never answered. */
	ev.events = kinds[fd] == FD_HUNG_CONN ? 0 : EPOLLIN;
	ev.data.fd = fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int
listen_on(int ep, int port, bool hung)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons((uint16_t)port) };
	struct epoll_event ev = { .events = EPOLLIN };
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0 || fd >= MAX_FDS)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1024) < 0)
		return -1;
	kinds[fd] = hung ? FD_HUNG_LISTENER : FD_LISTENER;
	ev.data.fd = fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	return 0;
}

int
main(int argc, char **argv)
{
	struct epoll_event evs[MAX_EVENTS];
	int base, count, n_hung, ep, i, n, fd;
	bool keep;
	time_t end;

	if (argc != 5 && argc != 6)
		return 2;
	base = atoi(argv[1]);
	count = atoi(argv[2]);
	n_hung = atoi(argv[3]);
	end = time(NULL) + atoi(argv[4]);
	keep = argc == 6 && strcmp(argv[5], "keepalive") == 0;
	if (argc == 6 && !keep && strcmp(argv[5], "close") != 0)
		return 2;
	/* A client gone while its answer is written is no reason to stop. */
	signal(SIGPIPE, SIG_IGN);
	if ((ep = epoll_create1(0)) < 0)
		return 1;
	for (i = 0; i < count; i++)
		if (listen_on(ep, base + i, i < n_hung) < 0) {
			fprintf(stderr, "endpoints: port %d: in use\n", base + i);
			return 1;
		}
	printf("ready\n");
	fflush(stdout);
	while (time(NULL) < end) {
		n = epoll_wait(ep, evs, MAX_EVENTS, 200);
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (kinds[fd] == FD_LISTENER || kinds[fd] == FD_HUNG_LISTENER)
				accept_one(ep, fd);
			else if (kinds[fd] == FD_CONN)
				serve(ep, fd, keep);
			else if (evs[i].events & (EPOLLHUP | EPOLLERR))
				drop(ep, fd);	/* a hung one's client gone */
		}
	}
	return 0;
}
