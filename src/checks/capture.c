#include "checks/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/procspawn.h"
#include "core/strv.h"
#include "supervise/spawn.h"

/* Plugins print a line or a screenful; more is dropped. */
#define CAPTURE_KEEP	(64 * 1024)

/*
 * Freed once its three parts are done: the pipe and the timer closed, and
 * the process reaped (its watch holds the capture until then).
 */
struct capture {
	pid_t		 pid;
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
capture_release(struct capture *c)
{
	if (--c->open == 0) {
		free(c->output);
		free(c);
	}
}

static void
capture_closed(uv_handle_t *handle)
{
	capture_release(handle->data);
}

static void
capture_close_all(struct capture *c)
{
	uv_timer_stop(&c->timer);
	if (!uv_is_closing((uv_handle_t *)&c->timer))
		uv_close((uv_handle_t *)&c->timer, capture_closed);
	if (!uv_is_closing((uv_handle_t *)&c->out))
		uv_close((uv_handle_t *)&c->out, capture_closed);
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
capture_exited(void *arg, pid_t pid, int64_t status, int term_signal)
{
	struct capture *c = arg;

	c->exited = true;
	c->code = status;
	c->signal = c->timed_out ? 0 : term_signal;
	/* Its children may hold the pipe open: end them with it. */
	kill(-pid, SIGKILL);
	capture_maybe_report(c);
	capture_release(c);
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
		kill(-c->pid, SIGKILL);
	capture_maybe_report(c);
}

void
capture_cancel(struct capture *c)
{
	c->done = NULL;
	if (!c->exited)
		kill(-c->pid, SIGKILL);
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
	struct procspawn sp = { .argv = argv, .umask = -1 };
	struct capture *c;
	char **env;
	int fds[2];

	/* One pipe for stdout and stderr, as 2>&1: a plugin's error shows. */
	if (pipe2(fds, O_CLOEXEC) < 0) {
		*err = uv_translate_sys_error(errno);
		return NULL;
	}
	env = spawn_environment(extra);
	sp.env = env;
	sp.fd[0] = -1;
	sp.fd[1] = sp.fd[2] = fds[1];
	c = xcalloc(1, sizeof(*c));
	*err = -procspawn_start(&sp, &c->pid, NULL, 0);
	close(fds[1]);
	strv_free(env);
	if (*err != 0) {
		close(fds[0]);
		free(c);
		return NULL;
	}
	c->done = done;
	c->arg = arg;
	uv_pipe_init(loop, &c->out, 0);
	uv_pipe_open(&c->out, fds[0]);
	uv_timer_init(loop, &c->timer);
	c->out.data = c->timer.data = c;
	c->open = 3;
	procspawn_watch(loop, c->pid, capture_exited, c);
	uv_read_start((uv_stream_t *)&c->out, capture_alloc, capture_read);
	uv_timer_start(&c->timer, capture_timed_out, (uint64_t)timeout_ms, 0);
	return c;
}
