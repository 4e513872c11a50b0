/* tend's daemon in a thread of the fuzzer's process (fuzz_daemon.h). */
#include "fuzz_daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/fdio.h"
#include "daemon/control.h"
#include "daemon/daemon.h"
#include "fuzz.h"

/*
 * The services live while the fuzzer does (a crash leaves no orphan for
 * long). db has the heal list of a service; app's check has its own, with
 * every kind of step; the disk check's failure would run `tidy`. Inputs
 * name the server "Host: fuzz.test", which needs no port (the port is
 * chosen at start).
 */
static const char fuzz_config[] =
    "state_dir: %1$s/state\n"
    "interval: 1h\n"
    "heal: { verify_timeout: 2s, verify_every: 200ms, cooldown: 1s, "
    "escalation_timeout: 10s }\n"
    "actions:\n"
    "  note: { exec: [true], timeout: 5s }\n"
    "  tidy: { cleanup: { paths: ['%1$s/junk/*.log'], older_than: 1d, keep_newest: 1 } }\n"
    "  slower: { adjust_timeout: { factor: 2, max: 10s } }\n"
    "web:\n"
    "  listen: 127.0.0.1:0\n"
    "  max_connections: 512\n"
    "  per_ip_connections: 512\n"
    "  connection_timeout: 2s\n"
    "  sse_clients: 4\n"
    "  allowed_hosts: [fuzz.test]\n"
    "services:\n"
    "  db:\n"
    "    run: [/bin/sh, -c, 'while kill -0 %2$d 2>/dev/null; do sleep 1; done']\n"
    "    stop: { timeout: 1s }\n"
    "    backoff: { initial: 10ms, max: 100ms }\n"
    "    limit: { restarts: 1000, within: 1s }\n"
    "    heal: [restart, note]\n"
    "  app:\n"
    "    run: [/bin/sh, -c, 'while kill -0 %2$d 2>/dev/null; do sleep 1; done']\n"
    "    depends_on: [db]\n"
    "    stop: { timeout: 1s }\n"
    "    checks:\n"
    "      alive:\n"
    "        type: command\n"
    "        run: [true]\n"
    "        every: 1h\n"
    "        heal: [restart, { any: [note, slower] }, { wait: 100ms }, escalate]\n"
    "checks:\n"
    "  disk: { type: resource, metric: disk, path: /, warn: 99.9, crit: 100, every: 1h }\n";

static struct fuzz_daemon daemon_info;
static pthread_t daemon_thread;

static void *
fuzz_daemon_main(void *arg)
{
	struct daemon_options opts = { .config_path = arg, .log_format = -1 };
	int rc = daemon_run(&opts);

	fuzz_fail(__FILE__, __LINE__, "daemon_run", "tend's daemon stopped (exit %d)", rc);
}

static int
fuzz_remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void
fuzz_daemon_cleanup(void)
{
	nftw(daemon_info.dir, fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
fuzz_write(const char *path, const char *text, mode_t mode)
{
	if (file_replace(path, text, strlen(text), mode) < 0)
		fuzz_fail(__FILE__, __LINE__, "file_replace", "%s: %s", path, strerror(errno));
}

/* The web server writes its URL once it listens: the last thing to wait for. */
static int
fuzz_daemon_port(void)
{
	char path[128], url[128] = "";
	int64_t deadline = clock_mono_ms() + 20000;
	unsigned port;
	FILE *f;

	snprintf(path, sizeof(path), "%s/state/web.url", daemon_info.dir);
	while (clock_mono_ms() < deadline) {
		if (control_daemon_alive(daemon_info.socket) && (f = fopen(path, "re")) != NULL) {
			if (fgets(url, sizeof(url), f) == NULL)
				url[0] = '\0';
			fclose(f);
			if (sscanf(url, "http://127.0.0.1:%u/", &port) == 1)
				return (int)port;
		}
		usleep(10000);
	}
	fuzz_fail(__FILE__, __LINE__, "started", "tend did not start in %s", daemon_info.dir);
}

/* The first snapshot comes a moment after the server listens: until then, 503s. */
static void
fuzz_daemon_wait_healthy(void)
{
	int64_t deadline = clock_mono_ms() + 20000;

	while (!fuzz_daemon_healthy()) {
		if (clock_mono_ms() > deadline)
			fuzz_fail(__FILE__, __LINE__, "healthy", "/healthz never answered 200");
		usleep(10000);
	}
}

static void
fuzz_daemon_start(void)
{
	static char config_path[128];
	char path[128], *text;

	snprintf(daemon_info.dir, sizeof(daemon_info.dir), "/tmp/tend-fuzz-XXXXXX");
	if (mkdtemp(daemon_info.dir) == NULL)
		fuzz_fail(__FILE__, __LINE__, "mkdtemp", "%s", strerror(errno));
	atexit(fuzz_daemon_cleanup);
	snprintf(path, sizeof(path), "%s/state", daemon_info.dir);
	if (mkdir(path, 0700) < 0)
		fuzz_fail(__FILE__, __LINE__, "mkdir", "%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/state/token", daemon_info.dir);
	fuzz_write(path, FUZZ_TOKEN "\n", 0600);
	snprintf(config_path, sizeof(config_path), "%s/tend.yaml", daemon_info.dir);
	if (asprintf(&text, fuzz_config, daemon_info.dir, (int)getpid()) < 0)
		abort();
	fuzz_write(config_path, text, 0600);
	free(text);
	snprintf(daemon_info.socket, sizeof(daemon_info.socket), "%s/state/tend.sock",
	    daemon_info.dir);
	if (pthread_create(&daemon_thread, NULL, fuzz_daemon_main, config_path) != 0)
		abort();
	daemon_info.web_port = fuzz_daemon_port();
	fuzz_daemon_wait_healthy();
	/*
	 * The loop took SIGINT and SIGTERM for a graceful stop; they are the
	 * fuzzer's (libFuzzer only installs its handlers where none is set).
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

const struct fuzz_daemon *
fuzz_daemon(void)
{
	if (daemon_info.web_port == 0)
		fuzz_daemon_start();
	return &daemon_info;
}

/* Waits for events on fd until the deadline; the poll's result. */
static int
fuzz_wait(int fd, short events, int64_t until)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int64_t left = until - clock_mono_ms();
	int rc;

	if (left <= 0)
		return 0;
	do
		rc = poll(&pfd, 1, (int)left);
	while (rc < 0 && errno == EINTR);
	return rc;
}

/*
 * A source address of its own in 127.1.0.0/16 for each TCP connection, in
 * turn: the client closes first, and hundreds of connections a second
 * would otherwise leave every ephemeral port of 127.0.0.1 in TIME_WAIT.
 */
static void
fuzz_bind_source(int fd)
{
	static unsigned next;
	struct sockaddr_in src = { .sin_family = AF_INET };
	unsigned n = next++ % (256 * 254);

	src.sin_addr.s_addr = htonl(0x7f010000u | (n / 254) << 8 | (n % 254 + 1));
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
		fuzz_fail(__FILE__, __LINE__, "bind", "%s", strerror(errno));
}

/*
 * connect(2) on a non-blocking socket, through signals (libFuzzer's timer,
 * the daemon's children) and a full backlog, within the deadline.
 */
static int
fuzz_connect_wait(int fd, const struct sockaddr *sa, socklen_t len)
{
	int64_t deadline = clock_mono_ms() + FUZZ_DEADLINE_MS;
	socklen_t errlen = sizeof(int);
	int err = 0;

	while (connect(fd, sa, len) < 0) {
		if (errno == EISCONN)
			return 0;
		if (errno != EINPROGRESS && errno != EALREADY && errno != EINTR &&
		    errno != EAGAIN)
			return -1;
		if (clock_mono_ms() >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno == EAGAIN) {		/* a Unix socket's backlog is full */
			usleep(1000);
			continue;
		}
		if (fuzz_wait(fd, POLLOUT, deadline) <= 0)
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0)
			return -1;
		errno = err;
		return err == 0 ? 0 : -1;
	}
	return 0;
}

int
fuzz_connect(const char *path, int port)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(path != NULL ? AF_UNIX : AF_INET,
	    SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int rc;

	if (fd < 0)
		fuzz_fail(__FILE__, __LINE__, "socket", "%s", strerror(errno));
	if (path != NULL) {
		snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
		rc = fuzz_connect_wait(fd, (struct sockaddr *)&un, sizeof(un));
	} else {
		fuzz_bind_source(fd);
		rc = fuzz_connect_wait(fd, (struct sockaddr *)&in, sizeof(in));
	}
	if (rc < 0)
		fuzz_fail(__FILE__, __LINE__, "connect", "%s: %s", path != NULL ? path : "web",
		    strerror(errno));
	return fd;
}

static void
fuzz_send(int fd, const uint8_t *data, size_t size, int64_t deadline)
{
	size_t off = 0;
	ssize_t n;

	while (off < size) {
		n = send(fd, data + off, size - off, MSG_NOSIGNAL);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return;		/* the peer is done with us: read its answer */
		if (fuzz_wait(fd, POLLOUT, deadline) <= 0)
			return;		/* it stopped reading */
	}
}

size_t
fuzz_exchange(int fd, const uint8_t *data, size_t size, char *buf, size_t len,
    int settle_ms, int idle_ms)
{
	int64_t deadline = clock_mono_ms() + FUZZ_DEADLINE_MS, until;
	char sink[4096];
	size_t got = 0;
	ssize_t n;

	fuzz_send(fd, data, size, clock_mono_ms() + 1000);
	/*
	 * The end of the input apart from its bytes: a server polling edge-
	 * triggered that read them with it in one wake-up may never see it.
	 */
	if (settle_ms > 0)
		fuzz_wait(fd, POLLIN, clock_mono_ms() + settle_ms);
	shutdown(fd, SHUT_WR);
	for (;;) {
		until = got > 0 && clock_mono_ms() + idle_ms < deadline ?
		    clock_mono_ms() + idle_ms : deadline;
		if (fuzz_wait(fd, POLLIN, until) <= 0) {
			FUZZ_ASSERT(got > 0, "no answer in %d ms", FUZZ_DEADLINE_MS);
			break;
		}
		n = got + 1 < len ? recv(fd, buf + got, len - got - 1, 0) :
		    recv(fd, sink, sizeof(sink), 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		if (got + 1 < len)
			got += (size_t)n;
	}
	if (len > 0)
		buf[got < len ? got : len - 1] = '\0';
	close(fd);
	/* For triage: what the daemon answered. */
	if (getenv("FUZZ_ECHO") != NULL)
		fprintf(stderr, "fuzz: answer (%zu bytes):\n%s\n", got, len > 0 ? buf : "");
	return got;
}

bool
fuzz_daemon_healthy(void)
{
	char req[128], answer[4096];

	snprintf(req, sizeof(req), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	    "Connection: close\r\n\r\n", daemon_info.web_port);
	fuzz_exchange(fuzz_connect(NULL, daemon_info.web_port), (const uint8_t *)req,
	    strlen(req), answer, sizeof(answer), 1, 50);
	return strncmp(answer, "HTTP/1.1 200 ", 13) == 0;
}
