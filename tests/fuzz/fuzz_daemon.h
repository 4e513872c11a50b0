/*
 * tend's daemon inside the fuzzer, for the harnesses of what it serves
 * (the control socket, the web server): daemon_run() with a config of two
 * services, checks, named actions and the web server on 127.0.0.1 and a
 * free port, in a thread of its own, once per process. Each input is then
 * a real connection, answered by the daemon's real loop and web threads.
 */
#ifndef TEND_FUZZ_DAEMON_H
#define TEND_FUZZ_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The API token planted in the state dir, so inputs can carry it. */
#define FUZZ_TOKEN \
	"f00df00df00df00df00df00df00df00df00df00df00df00df00df00df00df00d"

struct fuzz_daemon {
	char	 dir[64];		/* tend.yaml and state/, removed at exit */
	char	 socket[128];		/* the control socket */
	int	 web_port;
};

/*
 * Starts it the first time (aborts when it cannot), and waits until its
 * status is published; the same one after.
 */
const struct fuzz_daemon *fuzz_daemon(void);
/* Whether GET /healthz answers 200. */
bool	fuzz_daemon_healthy(void);

/*
 * Connects to the control socket (path) or to 127.0.0.1:port (path NULL);
 * aborts when nothing answers: the daemon died.
 */
int	fuzz_connect(const char *path, int port);

/*
 * Sends data on fd (a peer that stops reading ends the sending), half-
 * closes it (after an answer begins, or settle_ms), and reads the answer into buf (NUL-terminated, the rest
 * dropped) until the peer closes, or idle_ms after the last byte, or
 * nothing for FUZZ_DEADLINE_MS (which aborts: a hang). Closes fd and
 * returns the bytes read. With FUZZ_ECHO set in the environment, the
 * answer is printed (for triage).
 */
#define FUZZ_DEADLINE_MS	8000
size_t	fuzz_exchange(int fd, const uint8_t *data, size_t size, char *buf, size_t len,
	    int settle_ms, int idle_ms);

#endif
