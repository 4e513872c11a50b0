/*
 * Runs a command on the loop and captures its output (stdout and stderr
 * together), with a timeout that kills its process group. Shared by the
 * command and deps checks, exec actions and command alert channels.
 */
#ifndef TEND_CHECKS_CAPTURE_H
#define TEND_CHECKS_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

struct capture;

/* output is NUL-terminated (maybe empty); valid during the call only. */
typedef void	(*capture_done_fn)(void *arg, int64_t code, int signal,
		    bool timed_out, const char *output);

/*
 * Returns the capture, or NULL with *err set to a libuv error when the
 * program could not be started (done is then never called).
 */
struct capture	*capture_start(uv_loop_t *loop, char *const *argv, int64_t timeout_ms,
		    capture_done_fn done, void *arg, int *err);
/* The same with `extra` ("K=V", may be NULL) added to the child's environment. */
struct capture	*capture_start_env(uv_loop_t *loop, char *const *argv,
		    char *const *extra, int64_t timeout_ms, capture_done_fn done,
		    void *arg, int *err);
/* Kills it; done will not be called. */
void		 capture_cancel(struct capture *c);

#endif
