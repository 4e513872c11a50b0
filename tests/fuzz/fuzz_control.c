/*
 * The control socket (docs/cli.md): bytes as what a client writes to
 * STATE_DIR/tend.sock, read by the daemon's real server and answered by
 * its real request handler (status, start/stop/restart, heal, recover,
 * incidents, ack, resolve) against two running services.
 *
 * Invariant: whatever was sent, the answer is one line holding a JSON
 * object with "ok"; nothing sent, nothing answered.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_daemon.h"

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
	json_error_t jerr;
	json_t *doc;
	size_t n;
	char *nl;

	n = fuzz_exchange(fuzz_connect(d->socket, 0), data, size, answer, sizeof(answer), 0, 1000);
	if (size == 0)
		return 0;
	nl = memchr(answer, '\n', n);
	FUZZ_ASSERT(nl != NULL && (size_t)(nl - answer) == n - 1,
	    "the answer is not one line (%zu bytes): %.200s", n, answer);
	doc = json_loadb(answer, n, 0, &jerr);
	FUZZ_ASSERT(json_is_object(doc) && json_is_boolean(json_object_get(doc, "ok")),
	    "the answer is not a JSON object with \"ok\": %.200s", answer);
	json_decref(doc);
	return 0;
}
