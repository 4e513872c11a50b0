/*
 * Command channels: the program runs as exec actions and command checks
 * do (capture: its own process group, no shell, killed at the timeout),
 * with the alert in TEND_* variables. Exit 0 is delivered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "alert/deliver.h"
#include "checks/capture.h"
#include "core/mem.h"

struct command_call {
	struct capture	*capture;
	deliver_done_fn	 done;
	void		*arg;
	int64_t		 timeout_ms;
};

static void
command_done(void *arg, int64_t code, int signal, bool timed_out, const char *output)
{
	struct command_call *c = arg;
	char detail[512];
	size_t n = strcspn(output, "\r\n");
	bool ok = false;

	if (timed_out)
		snprintf(detail, sizeof(detail), "timed out after %lld ms; killed",
		    (long long)c->timeout_ms);
	else if (signal != 0)
		snprintf(detail, sizeof(detail), "killed by SIG%s", sigabbrev_np(signal) ?
		    sigabbrev_np(signal) : "?");
	else {
		ok = code == 0;
		snprintf(detail, sizeof(detail), "exit %lld%s%.*s", (long long)code,
		    n > 0 ? ": " : "", (int)(n > 200 ? 200 : n), output);
	}
	c->done(c->arg, ok, true, detail);
	free(c);
}

struct command_call *
command_deliver(uv_loop_t *loop, char *const *argv, char *const *env, int64_t timeout_ms,
    deliver_done_fn done, void *arg, char *err, size_t errlen)
{
	struct command_call *c = xcalloc(1, sizeof(*c));
	int rc;

	c->done = done;
	c->arg = arg;
	c->timeout_ms = timeout_ms;
	c->capture = capture_start_env(loop, argv, env, timeout_ms, command_done, c, &rc);
	if (c->capture == NULL) {
		snprintf(err, errlen, "cannot run %s: %s", argv[0], uv_strerror(rc));
		free(c);
		return NULL;
	}
	return c;
}

void
command_deliver_cancel(struct command_call *c)
{
	capture_cancel(c->capture);
	free(c);
}
