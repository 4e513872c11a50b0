#include "checks/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/children.h"
#include "core/mem.h"
#include "core/strv.h"
#include "supervise/spawn.h"

/* Plugins print a line or a screenful; more is dropped. */
#define CAPTURE_KEEP	(64 * 1024)

struct capture {
	uv_process_t	 proc;
	uv_pipe_t	 out;
	uv_timer_t	 timer;
	capture_done_fn	 done;		/* NULL once reported or cancelled */
	void		*arg;
	char		*output;
	size_t		 len;
	int		 open;
	bool		 exited;
	bool		 eof;
	bool		 timed_out;
	int64_t		 code;
	int		 signal;
};

static void
capture_closed(uv_handle_t *handle)
{
	struct capture *c = handle->data;

	if (--c->open == 0) {
		free(c->output);
		free(c);
	}
}

static void
capture_close_all(struct capture *c)
{
	uv_timer_stop(&c->timer);
	if (!uv_is_closing((uv_handle_t *)&c->timer))
		uv_close((uv_handle_t *)&c->timer, capture_closed);
	if (!uv_is_closing((uv_handle_t *)&c->out))
		uv_close((uv_handle_t *)&c->out, capture_closed);
	if (c->exited && !uv_is_closing((uv_handle_t *)&c->proc))
		uv_close((uv_handle_t *)&c->proc, capture_closed);
}

/* The exit and the end of output (or the timeout) are both needed. */
static void
capture_maybe_report(struct capture *c)
{
	capture_done_fn done = c->done;

	if (done == NULL || !c->exited || !(c->eof || c->timed_out))
		return;
	c->done = NULL;
	done(c->arg, c->code, c->signal, c->timed_out, c->output ? c->output : "");
	capture_close_all(c);
}

static void
capture_exited(uv_process_t *proc, int64_t status, int term_signal)
{
	struct capture *c = proc->data;

	children_release(proc->pid);
	c->exited = true;
	c->code = status;
	c->signal = c->timed_out ? 0 : term_signal;
	/* Its children may hold the pipe open: end them with it. */
	kill(-proc->pid, SIGKILL);
	if (c->done == NULL) {
		uv_close((uv_handle_t *)proc, capture_closed);
		return;
	}
	capture_maybe_report(c);
}

static void
capture_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	struct capture *c = handle->data;

	c->output = xrealloc(c->output, c->len + 4096 + 1);
	buf->base = c->output + c->len;
	buf->len = 4096;
}

static void
capture_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
	struct capture *c = stream->data;

	if (n > 0 && c->len < CAPTURE_KEEP)
		c->len += (size_t)n;
	if (c->output != NULL)
		c->output[c->len] = '\0';
	if (n < 0) {
		c->eof = true;
		uv_read_stop(stream);
		capture_maybe_report(c);
	}
}

static void
capture_timed_out(uv_timer_t *timer)
{
	struct capture *c = timer->data;

	c->timed_out = true;
	if (!c->exited)
		kill(-c->proc.pid, SIGKILL);
	capture_maybe_report(c);
}

void
capture_cancel(struct capture *c)
{
	c->done = NULL;
	if (!c->exited)
		kill(-c->proc.pid, SIGKILL);
	capture_close_all(c);
}

struct capture *
capture_start(uv_loop_t *loop, char *const *argv, int64_t timeout_ms,
    capture_done_fn done, void *arg, int *err)
{
	return capture_start_env(loop, argv, NULL, timeout_ms, done, arg, err);
}

struct capture *
capture_start_env(uv_loop_t *loop, char *const *argv, char *const *extra,
    int64_t timeout_ms, capture_done_fn done, void *arg, int *err)
{
	struct capture *c;
	uv_process_options_t opts = { 0 };
	uv_stdio_container_t stdio[3];
	char **env;
	int fds[2];

	/* One pipe for stdout and stderr, as 2>&1: a plugin's error shows. */
	if (pipe2(fds, O_CLOEXEC) < 0) {
		*err = uv_translate_sys_error(errno);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->done = done;
	c->arg = arg;
	uv_pipe_init(loop, &c->out, 0);
	uv_pipe_open(&c->out, fds[0]);
	uv_timer_init(loop, &c->timer);
	c->out.data = c->timer.data = c->proc.data = c;
	c->open = 3;
	env = spawn_environment(extra);
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = stdio[2].flags = UV_INHERIT_FD;
	stdio[1].data.fd = stdio[2].data.fd = fds[1];
	opts.file = argv[0];
	opts.args = (char **)argv;
	opts.env = env;
	opts.flags = UV_PROCESS_DETACHED;
	opts.stdio = stdio;
	opts.stdio_count = 3;
	opts.exit_cb = capture_exited;
	*err = uv_spawn(loop, &c->proc, &opts);
	close(fds[1]);
	strv_free(env);
	if (*err != 0) {
		c->exited = true;
		c->done = NULL;
		capture_close_all(c);
		return NULL;
	}
	children_own(c->proc.pid);
	uv_read_start((uv_stream_t *)&c->out, capture_alloc, capture_read);
	uv_timer_start(&c->timer, capture_timed_out, (uint64_t)timeout_ms, 0);
	return c;
}
