/*
 * The service the integration tests supervise. Flags make it sleep,
 * listen, notify, crash, print, leave children and orphans, or daemonize
 * (or, with --flood N, flood NOTIFY_SOCKET with N datagrams and exit),
 * or (with --error-burst FILE, when FILE is absent: it creates it) print an
 * error line every 50 ms from 1.5 s after it starts, until stopped, or
 * (with --leak FILE, the same way) grow by 2 MB every 100 ms, to 400 MB,
 * and it records what it does in a file the tests read:
 *
 *   start NAME PID MONO_NS      ready NAME PID MONO_NS
 *   stop NAME PID MONO_NS       child NAME PID     orphan NAME PID
 *   post NAME PID MONO_NS       (a webhook receiver got a request)
 *   fds:0,1,2 NAME 0 MONO_NS    (--list-fds: the descriptors it was started with;
 *                                also printed on stdout)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct fake {
	const char	*name;
	const char	*record;
	int		 listen_port;
	int		 listen_after_ms;
	bool		 notify;
	int		 notify_after_ms;
	int		 watchdog_every_ms;
	int		 watchdog_for_ms;	/* stop pinging after this; -1 never */
	int		 exit_code;		/* -1: don't exit */
	int		 exit_after_ms;
	const char	*crash_unless_file;
	bool		 spawn_child;
	bool		 spawn_orphan;
	int		 orphan_after_ms;	/* the orphan left this late, silently */
	int		 print_lines;
	bool		 ignore_term;
	const char	*pidfile;
	bool		 daemonize;
	bool		 http;			/* answer connections with 200 OK */
	bool		 hang;			/* accept and never answer */
	const char	*reply;			/* write this to every connection */
	const char	*fail_when;		/* sick while this file is newer than us */
	int		 backend_port;		/* HTTP: 500 unless this port answers */
	int		 delay_ms;		/* HTTP: answer this late */
	const char	*receiver;		/* webhook: append each body as a line here */
	int		 fail_first;		/* webhook: answer 500 to the first N */
	bool		 list_fds;		/* record the fds it was started with */
	int		 flood;			/* send this many READY=1 and exit */
	const char	*error_burst;		/* errors unless this file exists */
	const char	*leak;			/* grows unless this file exists */
	int		 received;		/* webhook: requests so far */
	struct timespec	 started;	/* wall clock */
};

static volatile sig_atomic_t terminated;

static long long
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
record(const struct fake *f, const char *what, pid_t pid)
{
	char line[256];
	int fd, n;

	if (f->record == NULL)
		return;
	n = snprintf(line, sizeof(line), "%s %s %d %lld\n", what, f->name, (int)pid,
	    mono_ns());
	fd = open(f->record, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	/* One write with O_APPEND: lines of concurrent writers never mix. */
	if (write(fd, line, (size_t)n) < 0)
		perror("record");
	close(fd);
}

static void
on_term(int sig)
{
	terminated = 1;
}

/* NOTIFY_SOCKET as an address: its length, or 0 when there is none. */
static socklen_t
notify_address(struct sockaddr_un *sa)
{
	const char *path = getenv("NOTIFY_SOCKET");

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (path == NULL || strlen(path) >= sizeof(sa->sun_path))
		return 0;
	strcpy(sa->sun_path, path);
	if (sa->sun_path[0] == '@')
		sa->sun_path[0] = '\0';
	/* As libsystemd: an abstract name is exactly its bytes, no padding. */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
}

static void
sd_notify(const char *msg)
{
	struct sockaddr_un sa;
	socklen_t len = notify_address(&sa);
	int fd;

	if (len == 0)
		return;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, len);
	close(fd);
}

/*
 * The local attacker of the notify tests: n READY=1 datagrams to
 * NOTIFY_SOCKET as fast as they go, never waiting for room in the queue.
 * Exits 0 when not one was accepted, 1 otherwise.
 */
static int
flood(int n)
{
	struct sockaddr_un sa;
	socklen_t len = notify_address(&sa);
	int fd, i, accepted = 0, last_errno = 0;

	if (len == 0 || (fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return 2;
	for (i = 0; i < n; i++) {
		if (sendto(fd, "READY=1", 7, MSG_DONTWAIT, (struct sockaddr *)&sa, len) == 7)
			accepted++;
		else
			last_errno = errno;
	}
	close(fd);
	printf("flood: %d sent, %d accepted, last error: %s\n", n, accepted,
	    last_errno != 0 ? strerror(last_errno) : "none");
	return accepted == 0 ? 0 : 1;
}

static int
listen_on(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons((uint16_t)port) };
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		perror("listen");
		exit(3);
	}
	return fd;
}

static void
sleep_forever_child(const struct fake *f, bool orphan)
{
	pid_t pid = fork();

	if (pid != 0)
		return;
	signal(SIGTERM, SIG_DFL);
	if (orphan) {
		/*
		 * Double fork + setsid: escapes the process group, re-parented.
		 * Late, from a child of ours: tend hears no exit of its own child.
		 */
		if (f->orphan_after_ms > 0)
			usleep((useconds_t)f->orphan_after_ms * 1000);
		setsid();
		if (fork() != 0)
			_exit(0);
		record(f, "orphan", getpid());
	} else {
		record(f, "child", getpid());
	}
	for (;;)
		pause();
}

static void
daemonize(const struct fake *f)
{
	FILE *p;
	pid_t pid = fork();

	if (pid < 0)
		exit(4);
	if (pid > 0)
		_exit(0);
	setsid();
	p = fopen(f->pidfile, "w");
	if (p != NULL) {
		fprintf(p, "%d\n", (int)getpid());
		fclose(p);
	}
}

static void
parse_args(struct fake *f, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", 1, NULL, 'n' }, { "record", 1, NULL, 'r' },
		{ "listen", 1, NULL, 'l' }, { "listen-after", 1, NULL, 'L' },
		{ "notify", 0, NULL, 'N' }, { "notify-after", 1, NULL, 'A' },
		{ "watchdog-every", 1, NULL, 'w' }, { "watchdog-for", 1, NULL, 'W' },
		{ "exit", 1, NULL, 'e' }, { "after", 1, NULL, 'a' },
		{ "crash-unless-file", 1, NULL, 'c' }, { "spawn-child", 0, NULL, 'C' },
		{ "spawn-orphan", 0, NULL, 'O' }, { "print", 1, NULL, 'p' },
		{ "ignore-term", 0, NULL, 'i' }, { "pidfile", 1, NULL, 'P' },
		{ "daemonize", 0, NULL, 'D' }, { "http", 0, NULL, 'H' },
		{ "hang", 0, NULL, 'G' }, { "reply", 1, NULL, 'R' },
		{ "fail-when", 1, NULL, 'F' }, { "backend", 1, NULL, 'B' },
		{ "delay", 1, NULL, 'Y' }, { "receiver", 1, NULL, 'V' },
		{ "fail-first", 1, NULL, 'X' }, { "list-fds", 0, NULL, 'I' },
		{ "flood", 1, NULL, 'Z' }, { "error-burst", 1, NULL, 'E' },
		{ "leak", 1, NULL, 'K' }, { "orphan-after", 1, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*f = (struct fake){ .name = "fake", .exit_code = -1, .watchdog_for_ms = -1 };
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': f->name = optarg; break;
		case 'r': f->record = optarg; break;
		case 'l': f->listen_port = atoi(optarg); break;
		case 'L': f->listen_after_ms = atoi(optarg); break;
		case 'N': f->notify = true; break;
		case 'A': f->notify_after_ms = atoi(optarg); break;
		case 'w': f->watchdog_every_ms = atoi(optarg); break;
		case 'W': f->watchdog_for_ms = atoi(optarg); break;
		case 'e': f->exit_code = atoi(optarg); break;
		case 'a': f->exit_after_ms = atoi(optarg); break;
		case 'c': f->crash_unless_file = optarg; break;
		case 'C': f->spawn_child = true; break;
		case 'O': f->spawn_orphan = true; break;
		case 'o': f->spawn_orphan = true; f->orphan_after_ms = atoi(optarg); break;
		case 'p': f->print_lines = atoi(optarg); break;
		case 'i': f->ignore_term = true; break;
		case 'P': f->pidfile = optarg; break;
		case 'D': f->daemonize = true; break;
		case 'H': f->http = true; break;
		case 'G': f->hang = true; break;
		case 'R': f->reply = optarg; break;
		case 'F': f->fail_when = optarg; break;
		case 'B': f->backend_port = atoi(optarg); break;
		case 'Y': f->delay_ms = atoi(optarg); break;
		case 'V': f->receiver = optarg; break;
		case 'X': f->fail_first = atoi(optarg); break;
		case 'I': f->list_fds = true; break;
		case 'Z': f->flood = atoi(optarg); break;
		case 'E': f->error_burst = optarg; break;
		case 'K': f->leak = optarg; break;
		default: exit(2);
		}
	}
}

static void
print_lines(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		printf("stdout line %d of the fake service, padded to be long enough\n", i);
		fprintf(stderr, "stderr line %d of the fake service\n", i);
	}
	fflush(stdout);
}

/*
 * A service gone bad: the first of its kind (its file did not exist) logs
 * an error a line after a while (once a log check follows its output);
 * the next one, after a restart, is quiet.
 */
static void
error_burst(const struct fake *f)
{
	struct timespec pause = { 0, 50 * 1000000 };
	int fd = open(f->error_burst, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	int i;

	if (fd >= 0)
		close(fd);
	nanosleep(&(struct timespec){ 1, 500 * 1000000 }, NULL);
	for (i = 0; !terminated; i++) {
		printf("ERROR db: connect to 10.0.0.1:5432: connection refused (try %d)\n", i);
		fflush(stdout);
		nanosleep(&pause, NULL);
	}
	exit(0);
}

/* A leak, the first of its kind (as error_burst): 20 MB/s of touched memory. */
static void
leak(const struct fake *f)
{
	struct timespec pause = { 0, 100 * 1000000 };
	int fd = open(f->leak, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	size_t held = 0, step = 2 << 20;
	char *p;

	if (fd >= 0)
		close(fd);
	while (!terminated) {
		if (held < (400u << 20) && (p = malloc(step)) != NULL) {
			memset(p, 0x5a, step);
			held += step;
		}
		nanosleep(&pause, NULL);
	}
	record(f, "stop", getpid());
	exit(0);
}

/*
 * Sick: the fail-when file was touched after this process started. A
 * restart (a new process) is what cures it, as with a leak or a wedged
 * connection pool.
 */
static bool
is_sick(const struct fake *f)
{
	struct stat st;

	return f->fail_when != NULL && stat(f->fail_when, &st) == 0 &&
	    (st.st_mtim.tv_sec > f->started.tv_sec ||
	    (st.st_mtim.tv_sec == f->started.tv_sec &&
	    st.st_mtim.tv_nsec >= f->started.tv_nsec));
}

/* The backend answers a line within 300 ms. */
static bool
backend_ok(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[64];
	bool ok;

	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    write(fd, "PING\r\n", 6) == 6 && poll(&pfd, 1, 300) > 0 &&
	    read(fd, buf, sizeof(buf)) > 0;
	close(fd);
	return ok;
}

/* Enough HTTP for a probe: read the request, answer 200 (500 when sick). */
static void
answer_http(const struct fake *f, int conn)
{
	static const char ok[] = "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
	static const char bad[] = "HTTP/1.0 500 Sick\r\nContent-Length: 5\r\n\r\nsick\n";
	struct pollfd pfd = { .fd = conn, .events = POLLIN };
	bool healthy = !is_sick(f) && (f->backend_port == 0 || backend_ok(f->backend_port));
	const char *reply = healthy ? ok : bad;
	char buf[2048];

	if (poll(&pfd, 1, 1000) <= 0 || read(conn, buf, sizeof(buf)) <= 0)
		return;
	if (f->delay_ms > 0)
		usleep((useconds_t)f->delay_ms * 1000);
	if (write(conn, reply, strlen(reply)) < 0)
		perror("http");
}

/* Reads one HTTP request into buf: headers, then Content-Length bytes of body. */
static char *
read_request(int conn, char *buf, size_t len)
{
	struct pollfd pfd = { .fd = conn, .events = POLLIN };
	size_t got = 0, want = 0;
	char *body = NULL, *cl;
	ssize_t n;

	while (got < len - 1 && (body == NULL || got < want)) {
		if (poll(&pfd, 1, 2000) <= 0 || (n = read(conn, buf + got, len - 1 - got)) <= 0)
			return NULL;
		got += (size_t)n;
		buf[got] = '\0';
		if (body == NULL && (body = strstr(buf, "\r\n\r\n")) != NULL) {
			body += 4;
			cl = strcasestr(buf, "\r\nContent-Length:");
			want = (size_t)(body - buf) + (cl != NULL && cl < body ?
			    strtoul(cl + 17, NULL, 10) : 0);
		}
	}
	return body;
}

/*
 * A webhook receiver: every request is recorded ("post"); the first
 * fail_first are answered 500, the others 200, and their bodies appended
 * to the receiver file, one line each.
 */
static void
answer_receiver(struct fake *f, int conn)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n";
	static const char bad[] = "HTTP/1.1 500 Not Now\r\nContent-Length: 8\r\n"
	    "Connection: close\r\n\r\nnot now\n";
	static char buf[256 * 1024];
	const char *reply = ok;
	char *body, *p;
	int fd;

	if ((body = read_request(conn, buf, sizeof(buf))) == NULL)
		return;
	record(f, "post", getpid());
	if (f->received++ < f->fail_first)
		reply = bad;
	else if ((fd = open(f->receiver, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) >= 0) {
		for (p = body; *p != '\0'; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		*p++ = '\n';
		if (write(fd, body, (size_t)(p - body)) < 0)
			perror("receiver");
		close(fd);
	}
	if (write(conn, reply, strlen(reply)) < 0)
		perror("receiver");
}

/* A line protocol: read a request, answer with reply (Redis PING -> +PONG). */
static void
answer_line(int conn, const char *reply)
{
	struct pollfd pfd = { .fd = conn, .events = POLLIN };
	char buf[512];

	if (poll(&pfd, 1, 1000) > 0 && read(conn, buf, sizeof(buf)) > 0 &&
	    (write(conn, reply, strlen(reply)) < 0 || write(conn, "\r\n", 2) < 0))
		perror("reply");
}

/*
 * The descriptors this process was started with, in order ("fds:0,1,2"),
 * on stdout and in the record (with pid 0: the harness must not kill it).
 */
static void
list_fds(const struct fake *f)
{
	char what[200] = "fds:";
	bool open_fd[64] = { false };
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int fd, n = 0;

	while (d != NULL && (de = readdir(d)) != NULL) {
		fd = atoi(de->d_name);
		if (de->d_name[0] != '.' && fd != dirfd(d))
			open_fd[fd < 64 ? fd : 63] = true;
	}
	if (d != NULL)
		closedir(d);
	for (fd = 0; fd < 64; fd++)
		if (open_fd[fd])
			snprintf(what + strlen(what), sizeof(what) - strlen(what), "%s%d",
			    n++ > 0 ? "," : "", fd);
	printf("%s\n", what);
	fflush(stdout);
	record(f, what, 0);
}

/* Runs the timed events until SIGTERM: listen, notify, pings, exit. */
static void
run(struct fake *f)
{
	long long start = mono_ns(), now, last_ping = 0;
	bool ready_done = false;
	struct pollfd pfd = { .fd = -1, .events = POLLIN };
	int elapsed, conn;

	for (;;) {
		if (terminated) {
			record(f, "stop", getpid());
			/*
			 * Not exit(): in the sanitizer build that runs LeakSanitizer,
			 * whose tracer stops this process with ptrace; the SIGCONT tend
			 * sends after SIGTERM can cancel that stop and leave the
			 * tracer waiting for good. Nothing is buffered.
			 */
			_exit(0);
		}
		now = mono_ns();
		elapsed = (int)((now - start) / 1000000);
		if (f->listen_port && pfd.fd < 0 && elapsed >= f->listen_after_ms) {
			pfd.fd = listen_on(f->listen_port);
			record(f, "ready", getpid());
		}
		if (f->notify && !ready_done && elapsed >= f->notify_after_ms) {
			record(f, "ready", getpid());
			sd_notify("READY=1\nSTATUS=fake ready");
			ready_done = true;
		}
		if (ready_done && f->watchdog_every_ms > 0 &&
		    (f->watchdog_for_ms < 0 || elapsed < f->notify_after_ms + f->watchdog_for_ms) &&
		    (now - last_ping) / 1000000 >= f->watchdog_every_ms) {
			sd_notify("WATCHDOG=1");
			last_ping = now;
		}
		if (f->exit_code >= 0 && elapsed >= f->exit_after_ms)
			exit(f->exit_code);
		if (poll(&pfd, 1, 5) > 0 && (pfd.revents & POLLIN)) {
			conn = accept(pfd.fd, NULL, NULL);
			if (conn >= 0 && f->http)
				answer_http(f, conn);
			if (conn >= 0 && f->receiver != NULL)
				answer_receiver(f, conn);
			if (conn >= 0 && f->reply != NULL && !is_sick(f))
				answer_line(conn, f->reply);
			/* Hung: the connection stays open, unanswered, until exit. */
			if (conn >= 0 && !f->hang)
				close(conn);
		}
	}
}

int
main(int argc, char **argv)
{
	struct fake f;
	struct sigaction sa = { .sa_handler = on_term };

	parse_args(&f, argc, argv);
	if (f.flood > 0)
		return flood(f.flood);
	clock_gettime(CLOCK_REALTIME, &f.started);
	if (f.list_fds)
		list_fds(&f);
	if (f.daemonize && f.pidfile != NULL)
		daemonize(&f);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	if (f.ignore_term)
		signal(SIGTERM, SIG_IGN);
	record(&f, "start", getpid());
	if (f.crash_unless_file != NULL && access(f.crash_unless_file, F_OK) != 0)
		return 1;
	print_lines(f.print_lines);
	if (f.error_burst != NULL && access(f.error_burst, F_OK) != 0)
		error_burst(&f);
	if (f.leak != NULL && access(f.leak, F_OK) != 0)
		leak(&f);
	if (f.spawn_child)
		sleep_forever_child(&f, false);
	if (f.spawn_orphan)
		sleep_forever_child(&f, true);
	run(&f);
	return 0;
}
