/*
 * A small HTTP/1.1 file server for the fetch tests and bench/fetch, with
 * the faults a mirror has on a bad day. It serves the files of --root,
 * one connection at a time, each response ending the connection:
 *
 *   --fail-first N     answer the first N requests with --status (500)
 *   --drop-after K     end each response after K bytes of its body
 *   --drop-rst         ... with a reset (RST) rather than a FIN
 *   --corrupt          flip one byte (the middle of the file) in what it sends
 *   --no-range         ignore Range headers: always the whole file, 200
 *   --rate BPS         send at most BPS bytes a second
 *   --endless          answer every GET with a body that never ends (zeros,
 *                      no Content-Length) until the client leaves
 *   --stall            send the head of the answer, then nothing, until
 *                      the client leaves
 *
 * With --record FILE it appends, as fakesvc does (the harness reads these
 * and kills every PID it finds at teardown):
 *
 *   start NAME PID MONO_NS                       listening
 *   request NAME PID MONO_NS PATH RANGE STATUS BYTES
 *
 * RANGE is the first byte asked for (-1: no Range header), BYTES what the
 * body is to hold (before a drop). The line is written before the body is
 * sent, so a client that has its answer finds it recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>

#define CHUNK	(64 * 1024)

struct server {
	const char	*name;
	const char	*record;
	const char	*root;
	int		 port;
	int		 fail_first;
	int		 fail_status;
	long long	 drop_after;	/* 0: never */
	bool		 drop_rst;
	bool		 corrupt;
	bool		 no_range;
	long long	 rate;		/* bytes a second, 0: as fast as it goes */
	bool		 endless;
	bool		 stall;
	int		 requests;
};

static long long
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
record(const struct server *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
record(const struct server *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int fd, n;

	if (s->record == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(line))
		return;
	fd = open(s->record, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	/* One write with O_APPEND: lines of concurrent writers never mix. */
	if (write(fd, line, (size_t)n) < 0)
		perror("record");
	close(fd);
}

static int
send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads the request head; its length, or -1 (nothing came, or too much). */
static int
read_head(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < len) {
		n = recv(fd, buf + got, len - 1 - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			return (int)got;
	}
	return -1;
}

static void
pace(const struct server *s, long long sent, long long started_ns)
{
	long long due_ns, now;
	struct timespec ts;

	if (s->rate <= 0)
		return;
	due_ns = started_ns + sent * 1000000000LL / s->rate;
	now = mono_ns();
	if (due_ns <= now)
		return;
	ts.tv_sec = (due_ns - now) / 1000000000LL;
	ts.tv_nsec = (due_ns - now) % 1000000000LL;
	nanosleep(&ts, NULL);
}

/*
 * An abortive close after the client has everything sent so far (the
 * send queue drained, for at most 2 s): it sees its bytes, then a reset.
 */
static void
reset_connection(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	long long deadline = mono_ns() + 2000000000LL;
	struct timespec ts = { 0, 1000000 };
	int queued = 0;

	while (ioctl(fd, SIOCOUTQ, &queued) == 0 && queued > 0 && mono_ns() < deadline)
		nanosleep(&ts, NULL);
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static void
respond_status(int fd, int status, const char *extra)
{
	char head[512];
	int n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %d Fault\r\nContent-Length: 6\r\n"
	    "%sConnection: close\r\n\r\nfault\n", status, extra);
	send_all(fd, head, (size_t)n);
}

/* --endless: zeros until the client hangs up (a minute at most). */
static void
serve_endless(const struct server *s, int fd, const char *path)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
	long long deadline = mono_ns() + 60000000000LL;
	char *buf = calloc(1, CHUNK);

	record(s, "request %s %d %lld %s -1 200 -1\n", s->name, (int)getpid(), mono_ns(),
	    path);
	if (send_all(fd, head, sizeof(head) - 1) == 0)
		while (mono_ns() < deadline && send_all(fd, buf, CHUNK) == 0)
			;
	free(buf);
}

/* --stall: a head promising a body, then silence until the client hangs up. */
static void
serve_stalled(const struct server *s, int fd, const char *path)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n"
	    "Connection: close\r\n\r\n";
	long long deadline = mono_ns() + 60000000000LL;
	char buf[512];
	ssize_t n;

	record(s, "request %s %d %lld %s -1 200 0\n", s->name, (int)getpid(), mono_ns(),
	    path);
	if (send_all(fd, head, sizeof(head) - 1) < 0)
		return;
	/* recv times out every 5 s (SO_RCVTIMEO); 0 is the client gone. */
	while (mono_ns() < deadline &&
	    ((n = recv(fd, buf, sizeof(buf), 0)) > 0 || (n < 0 && (errno == EAGAIN ||
	    errno == EINTR))))
		;
}

static void
serve(struct server *s, int fd)
{
	char req[8192], method[16], path[1024], file[2048], head[512], *buf;
	const char *range_hdr;
	long long start = -1, size, off, end, sent = 0, started, flip;
	struct stat st;
	int status = 200, in, n;

	if (read_head(fd, req, sizeof(req)) < 0)
		return;		/* a probe: connected, sent nothing */
	s->requests++;
	if (sscanf(req, "%15s %1023s", method, path) != 2 || strstr(path, "..") != NULL) {
		record(s, "request %s %d %lld %s -1 400 0\n", s->name, (int)getpid(),
		    mono_ns(), "?");
		respond_status(fd, 400, "");
		return;
	}
	if (s->endless || s->stall) {
		(s->endless ? serve_endless : serve_stalled)(s, fd, path);
		return;
	}
	range_hdr = strcasestr(req, "\r\nRange: bytes=");
	if (range_hdr != NULL)
		start = strtoll(range_hdr + 15, NULL, 10);
	if (s->requests <= s->fail_first) {
		record(s, "request %s %d %lld %s %lld %d 0\n", s->name, (int)getpid(),
		    mono_ns(), path, start, s->fail_status);
		respond_status(fd, s->fail_status, "");
		return;
	}
	/* A query is not part of the file's name. */
	snprintf(file, sizeof(file), "%s%.*s", s->root, (int)strcspn(path, "?"), path);
	if ((in = open(file, O_RDONLY | O_CLOEXEC)) < 0 || fstat(in, &st) < 0) {
		record(s, "request %s %d %lld %s %lld 404 0\n", s->name, (int)getpid(),
		    mono_ns(), path, start);
		respond_status(fd, 404, "");
		if (in >= 0)
			close(in);
		return;
	}
	size = (long long)st.st_size;
	off = 0;
	if (start >= 0 && !s->no_range) {
		if (start >= size) {
			snprintf(head, sizeof(head), "Content-Range: bytes */%lld\r\n", size);
			record(s, "request %s %d %lld %s %lld 416 0\n", s->name,
			    (int)getpid(), mono_ns(), path, start);
			respond_status(fd, 416, head);
			close(in);
			return;
		}
		off = start;
		status = 206;
	}
	if (status == 206)
		n = snprintf(head, sizeof(head), "HTTP/1.1 206 Partial Content\r\n"
		    "Content-Length: %lld\r\nContent-Range: bytes %lld-%lld/%lld\r\n"
		    "Accept-Ranges: bytes\r\nConnection: close\r\n\r\n", size - off, off,
		    size - 1, size);
	else
		n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %lld\r\n"
		    "%sConnection: close\r\n\r\n", size,
		    s->no_range ? "" : "Accept-Ranges: bytes\r\n");
	sent = size - off;
	if (s->drop_after > 0 && sent > s->drop_after)
		sent = s->drop_after;
	record(s, "request %s %d %lld %s %lld %d %lld\n", s->name, (int)getpid(),
	    mono_ns(), path, start, status, sent);
	sent = 0;
	buf = malloc(CHUNK);
	flip = s->corrupt ? size / 2 : -1;
	started = mono_ns();
	if (strcmp(method, "HEAD") != 0 && send_all(fd, head, (size_t)n) == 0) {
		while (off < size) {
			end = off + CHUNK < size ? off + CHUNK : size;
			if (s->rate > 0 && end - off > s->rate / 20 + 1)
				end = off + s->rate / 20 + 1;
			if (s->drop_after > 0 && sent + (end - off) > s->drop_after)
				end = off + (s->drop_after - sent);
			if (end <= off)
				break;
			if (pread(in, buf, (size_t)(end - off), off) != end - off)
				break;
			if (flip >= off && flip < end)
				buf[flip - off] ^= 0x5a;
			if (send_all(fd, buf, (size_t)(end - off)) < 0)
				break;
			sent += end - off;
			off = end;
			if (s->drop_after > 0 && sent >= s->drop_after && off < size) {
				if (s->drop_rst)
					reset_connection(fd);
				break;
			}
			pace(s, sent, started);
		}
	} else if (strcmp(method, "HEAD") == 0)
		send_all(fd, head, (size_t)n);
	free(buf);
	close(in);
}

static int
listen_on(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons((uint16_t)port) };
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 64) < 0) {
		perror("fakehttp: listen");
		exit(3);
	}
	return fd;
}

static void
usage(void)
{
	fprintf(stderr, "usage: fakehttp --listen PORT --root DIR [--name NAME] "
	    "[--record FILE]\n  [--fail-first N] [--status CODE] [--drop-after BYTES] "
	    "[--drop-rst]\n  [--corrupt] [--no-range] [--rate BYTES_PER_SECOND] "
	    "[--endless] [--stall]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", 1, NULL, 'l' }, { "root", 1, NULL, 'R' },
		{ "name", 1, NULL, 'n' }, { "record", 1, NULL, 'r' },
		{ "fail-first", 1, NULL, 'f' }, { "status", 1, NULL, 's' },
		{ "drop-after", 1, NULL, 'd' }, { "drop-rst", 0, NULL, 'D' },
		{ "corrupt", 0, NULL, 'c' }, { "no-range", 0, NULL, 'N' },
		{ "rate", 1, NULL, 'b' }, { "endless", 0, NULL, 'E' },
		{ "stall", 0, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct server s = { .name = "http", .fail_status = 500 };
	struct timeval tv = { 5, 0 };
	int c, lfd, fd;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': s.port = atoi(optarg); break;
		case 'R': s.root = optarg; break;
		case 'n': s.name = optarg; break;
		case 'r': s.record = optarg; break;
		case 'f': s.fail_first = atoi(optarg); break;
		case 's': s.fail_status = atoi(optarg); break;
		case 'd': s.drop_after = atoll(optarg); break;
		case 'D': s.drop_rst = true; break;
		case 'c': s.corrupt = true; break;
		case 'N': s.no_range = true; break;
		case 'b': s.rate = atoll(optarg); break;
		case 'E': s.endless = true; break;
		case 'S': s.stall = true; break;
		default: usage();
		}
	}
	if (s.port <= 0 || s.root == NULL)
		usage();
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(s.port);
	record(&s, "start %s %d %lld\n", s.name, (int)getpid(), mono_ns());
	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("fakehttp: accept");
			return 1;
		}
		/* A client that connects and says nothing is not waited for long. */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		serve(&s, fd);
		close(fd);
	}
}
