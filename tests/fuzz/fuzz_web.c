/*
 * The web server's request path: bytes as what a client sends to the
 * dashboard's port (one request, several pipelined, or garbage), read by
 * the daemon's real libmicrohttpd server: routing, query strings, headers,
 * the token check, POST bodies, actions handed to the loop and answered,
 * history read from the store, live streams. Inputs may carry the token
 * planted in the state dir (FUZZ_TOKEN) to reach the actions.
 *
 * Invariants: an answer is HTTP; every 64 inputs, /healthz still answers
 * 200 (a client cannot take the server down).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_daemon.h"

/*
 * libmicrohttpd (epoll, edge-triggered) misses an end of input that came
 * with the last bytes of a partial request, and waits for its connection
 * timeout: the end is sent apart, once the server had a moment to read.
 */
#define FUZZ_WEB_SETTLE_MS	1
/* After the last byte, a live stream (/api/events) is not waited for longer. */
#define FUZZ_WEB_IDLE_MS	10

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_daemon();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_daemon *d = fuzz_daemon();
	static char answer[1 << 20];
	static unsigned runs;
	size_t n;

	n = fuzz_exchange(fuzz_connect(NULL, d->web_port), data, size, answer,
	    sizeof(answer), FUZZ_WEB_SETTLE_MS, FUZZ_WEB_IDLE_MS);
	if (n > 0)
		FUZZ_ASSERT(strncmp(answer, "HTTP/1.", 7) == 0, "not an HTTP answer: %.200s",
		    answer);
	if (++runs % 64 == 0)
		FUZZ_ASSERT(fuzz_daemon_healthy(), "/healthz does not answer 200");
	return 0;
}
