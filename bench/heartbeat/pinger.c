/*
 * The heartbeat bench's load: POST /api/ping/hbN (N round-robin over COUNT
 * checks, each with its key "KEYPREFIX-N") at RATE a second for SECONDS,
 * open loop, over CONNS keep-alive connections to 127.0.0.1:PORT. A ping's
 * latency counts from when it was due, not from when a connection was free
 * to send it, so a server that falls behind is seen (no coordinated
 * omission). Prints one line: sent, 200s, others, p50/p90/p99/max in ms.
 *
 * usage: pinger PORT COUNT RATE SECONDS CONNS KEYPREFIX
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS	256

struct conn {
	int	 fd;
	bool	 busy;
	double	 due;		/* when its request in flight was due, s */
	char	 buf[4096];
	size_t	 len;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
conn_open(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void
conn_send(struct conn *c, int port, long n, long count, const char *prefix)
{
	char req[512];
	int len;
	long i = n % count;

	len = snprintf(req, sizeof(req), "POST /api/ping/hb%ld HTTP/1.1\r\nHost: 127.0.0.1:%d"
	    "\r\nAuthorization: Bearer %s-%ld\r\nContent-Length: 0\r\n\r\n", i, port, prefix, i);
	if (write(c->fd, req, (size_t)len) != len) {
		perror("write");
		exit(1);
	}
	c->busy = true;
}

/* A whole response in c->buf: its status, or 0 while it is not complete. */
static int
conn_response(struct conn *c)
{
	char *end, *cl;
	size_t head, body = 0;
	int status;

	c->buf[c->len] = '\0';
	end = strstr(c->buf, "\r\n\r\n");
	if (end == NULL)
		return 0;
	head = (size_t)(end - c->buf) + 4;
	cl = strcasestr(c->buf, "\r\nContent-Length:");
	if (cl != NULL && cl < end)
		body = strtoul(cl + 17, NULL, 10);
	if (c->len < head + body)
		return 0;
	status = atoi(c->buf + 9);
	memmove(c->buf, c->buf + head + body, c->len - head - body);
	c->len -= head + body;
	return status;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct conn conns[MAX_CONNS];
	struct pollfd pfd[MAX_CONNS];
	long port, count, total, sent = 0, done = 0, ok = 0, other = 0, i, n;
	double rate, seconds, start, t, *lat;
	int nconn, status, next = 0;
	ssize_t r;

	if (argc != 7) {
		fprintf(stderr, "usage: pinger PORT COUNT RATE SECONDS CONNS KEYPREFIX\n");
		return 2;
	}
	port = atol(argv[1]);
	count = atol(argv[2]);
	rate = atof(argv[3]);
	seconds = atof(argv[4]);
	nconn = atoi(argv[5]);
	if (nconn < 1 || nconn > MAX_CONNS || count < 1 || rate <= 0)
		return 2;
	total = (long)(rate * seconds);
	lat = calloc((size_t)total + 1, sizeof(*lat));
	for (i = 0; i < nconn; i++) {
		conns[i] = (struct conn){ .fd = conn_open((int)port) };
		pfd[i] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
	}
	start = now_s();
	while (done < total) {
		t = now_s();
		/*
		 * Every ping due by now goes out on a free connection, taken
		 * in turn: each stays in use (an idle one the server closes
		 * after its connection_timeout).
		 */
		for (i = 0; i < nconn && sent < total && start + (double)sent / rate <= t; i++) {
			next = (next + 1) % nconn;
			if (conns[next].busy)
				continue;
			conns[next].due = start + (double)sent / rate;
			conn_send(&conns[next], (int)port, sent, count, argv[6]);
			sent++;
		}
		n = poll(pfd, (nfds_t)nconn, 1);
		if (n < 0 && errno != EINTR) {
			perror("poll");
			return 1;
		}
		for (i = 0; n > 0 && i < nconn; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(conns[i].fd, conns[i].buf + conns[i].len,
			    sizeof(conns[i].buf) - 1 - conns[i].len);
			if (r <= 0) {
				fprintf(stderr, "connection %ld closed after %ld pings\n", i, done);
				return 1;
			}
			conns[i].len += (size_t)r;
			while (conns[i].busy && (status = conn_response(&conns[i])) != 0) {
				lat[done++] = (now_s() - conns[i].due) * 1000.0;
				if (status == 200)
					ok++;
				else
					other++;
				conns[i].busy = false;
			}
		}
	}
	t = now_s() - start;
	qsort(lat, (size_t)done, sizeof(*lat), cmp_double);
	printf("sent %ld in %.2f s (%.0f/s), 200: %ld, other: %ld, latency ms p50 %.2f "
	    "p90 %.2f p99 %.2f max %.2f\n", sent, t, (double)sent / t, ok, other,
	    lat[done / 2], lat[done * 9 / 10], lat[done * 99 / 100], lat[done - 1]);
	return other > 0;
}
