#include "net/attempt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/fdio.h"
#include "core/mem.h"
#include "core/procspawn.h"
#include "core/strv.h"
#include "supervise/spawn.h"

/*
 * After the command exits, how long a child it left behind may keep its
 * output open before we stop reading: long enough for the last bytes of
 * an ordinary exit, short enough that a daemon it started does not hold
 * tend up.
 */
#define ATTEMPT_LINGER_MS	500

/* What the one timer is waiting for. */
enum attempt_phase {
	PHASE_RUNNING,		/* the timeout, if any */
	PHASE_TERMINATING,	/* SIGTERM sent: the grace period */
	PHASE_EXITED,		/* waiting for the output to end */
};

/*
 * The command is started as the supervisor starts services, through
 * core/procspawn: posix_spawn, glibc's vfork-style clone that copies none
 * of tend's page tables, and its exit seen through a pidfd.
 */
struct attempt {
	const struct attempt_spec *spec;
	struct attempt_result *res;
	uv_pipe_t	 out;
	uv_pipe_t	 err;
	uv_timer_t	 timer;
	enum attempt_phase phase;
	bool		 exited;
	int		 open_pipes;
	pid_t		 pgid;
	char		 buf[16384];	/* one read at a time: shared by both pipes */
	char		*ring;		/* the tail: ATTEMPT_TAIL_MAX bytes from ring_start */
	size_t		 ring_start;
	size_t		 ring_len;
};

static void	attempt_timer(uv_timer_t *timer);

static void
tail_append(struct attempt *a, const char *p, size_t n)
{
	size_t at, first;

	if (n >= ATTEMPT_TAIL_MAX) {
		memcpy(a->ring, p + n - ATTEMPT_TAIL_MAX, ATTEMPT_TAIL_MAX);
		a->ring_start = 0;
		a->ring_len = ATTEMPT_TAIL_MAX;
		return;
	}
	at = (a->ring_start + a->ring_len) % ATTEMPT_TAIL_MAX;
	first = ATTEMPT_TAIL_MAX - at < n ? ATTEMPT_TAIL_MAX - at : n;
	memcpy(a->ring + at, p, first);
	memcpy(a->ring, p + first, n - first);
	a->ring_len += n;
	if (a->ring_len > ATTEMPT_TAIL_MAX) {
		a->ring_start = (a->ring_start + a->ring_len - ATTEMPT_TAIL_MAX) %
		    ATTEMPT_TAIL_MAX;
		a->ring_len = ATTEMPT_TAIL_MAX;
	}
}

/* The tail in order, NUL bytes made spaces so that the classifier sees it all. */
static void
tail_finish(struct attempt *a)
{
	size_t i;
	char *t = xmalloc(a->ring_len + 1);

	for (i = 0; i < a->ring_len; i++) {
		t[i] = a->ring[(a->ring_start + i) % ATTEMPT_TAIL_MAX];
		if (t[i] == '\0')
			t[i] = ' ';
	}
	t[a->ring_len] = '\0';
	a->res->tail = t;
	a->res->tail_len = a->ring_len;
}

/* Everything closes once the process has exited and both pipes ended. */
static void
attempt_maybe_finish(struct attempt *a)
{
	if (!a->exited || a->open_pipes > 0)
		return;
	uv_timer_stop(&a->timer);
	if (!uv_is_closing((uv_handle_t *)&a->timer))
		uv_close((uv_handle_t *)&a->timer, NULL);
}

static void
attempt_close_pipe(struct attempt *a, uv_pipe_t *pipe)
{
	if (uv_is_closing((uv_handle_t *)pipe))
		return;
	uv_close((uv_handle_t *)pipe, NULL);
	a->open_pipes--;
}

/* Once the process is reaped. */
static void
attempt_exited(void *arg, pid_t pid, int64_t status, int term_signal)
{
	struct attempt *a = arg;

	a->exited = true;
	a->res->exit_code = status;
	a->res->signal = term_signal;
	a->res->ended_at = clock_wall_ms();
	if (a->spec->running != NULL)
		*a->spec->running = 0;
	/* Timed out: whatever the group still holds goes with its leader. */
	if (a->res->timed_out)
		kill(-a->pgid, SIGKILL);
	if (a->open_pipes > 0) {
		/* Replaces the timeout or the grace period: it is over. */
		a->phase = PHASE_EXITED;
		uv_timer_start(&a->timer, attempt_timer, ATTEMPT_LINGER_MS, 0);
	}
	attempt_maybe_finish(a);
}

static void
attempt_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	struct attempt *a = handle->data;

	buf->base = a->buf;
	buf->len = sizeof(a->buf);
}

static void
attempt_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
	struct attempt *a = stream->data;
	int fd = stream == (uv_stream_t *)&a->out ? a->spec->out_fd : a->spec->err_fd;

	if (n > 0) {
		/* Closed or broken: the output is lost, the run goes on. */
		if (fd >= 0)
			(void)fd_write_all(fd, buf->base, (size_t)n);
		tail_append(a, buf->base, (size_t)n);
		return;
	}
	if (n < 0) {
		attempt_close_pipe(a, (uv_pipe_t *)stream);
		attempt_maybe_finish(a);
	}
}

static void
attempt_timer(uv_timer_t *timer)
{
	struct attempt *a = timer->data;

	switch (a->phase) {
	case PHASE_RUNNING:
		a->res->timed_out = true;
		kill(-a->pgid, SIGTERM);
		a->phase = PHASE_TERMINATING;
		uv_timer_start(&a->timer, attempt_timer, (uint64_t)a->spec->grace_ms, 0);
		break;
	case PHASE_TERMINATING:
		kill(-a->pgid, SIGKILL);
		break;
	case PHASE_EXITED:
		attempt_close_pipe(a, &a->out);
		attempt_close_pipe(a, &a->err);
		attempt_maybe_finish(a);
		break;
	}
}

/* Returns 0, or a libuv error (a negative errno). */
static int
attempt_spawn(uv_loop_t *loop, struct attempt *a)
{
	struct procspawn sp = { .argv = a->spec->argv, .umask = -1 };
	char **env;
	int out[2], err[2], rc;

	if (pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(err, O_CLOEXEC) < 0) {
		rc = -errno;
		close(out[0]);
		close(out[1]);
		return rc;
	}
	env = spawn_environment(NULL);
	sp.env = env;
	sp.fd[0] = fcntl(0, F_GETFD) >= 0 ? 0 : -1;	/* ours, if we have one */
	sp.fd[1] = out[1];
	sp.fd[2] = err[1];
	/* Its own session and process group: a timeout kills the whole group. */
	rc = -procspawn_start(&sp, &a->pgid, NULL, 0);
	strv_free(env);
	close(out[1]);
	close(err[1]);
	if (rc != 0) {
		close(out[0]);
		close(err[0]);
		return rc;
	}
	uv_pipe_open(&a->out, out[0]);
	uv_pipe_open(&a->err, err[0]);
	procspawn_watch(loop, a->pgid, attempt_exited, a);
	return 0;
}

void
attempt_run(uv_loop_t *loop, const struct attempt_spec *spec, struct attempt_result *res)
{
	struct attempt *a = xcalloc(1, sizeof(*a));
	int64_t t0 = clock_mono_ms();

	memset(res, 0, sizeof(*res));
	a->spec = spec;
	a->res = res;
	a->ring = xmalloc(ATTEMPT_TAIL_MAX);
	uv_pipe_init(loop, &a->out, 0);
	uv_pipe_init(loop, &a->err, 0);
	uv_timer_init(loop, &a->timer);
	a->out.data = a->err.data = a->timer.data = a;
	a->open_pipes = 2;
	res->started_at = clock_wall_ms();
	res->spawn_error = attempt_spawn(loop, a);
	if (res->spawn_error != 0) {
		res->ended_at = clock_wall_ms();
		a->exited = true;
		attempt_close_pipe(a, &a->out);
		attempt_close_pipe(a, &a->err);
		attempt_maybe_finish(a);
	} else {
		if (spec->running != NULL)
			*spec->running = a->pgid;
		uv_read_start((uv_stream_t *)&a->out, attempt_alloc, attempt_read);
		uv_read_start((uv_stream_t *)&a->err, attempt_alloc, attempt_read);
		if (spec->timeout_ms > 0)
			uv_timer_start(&a->timer, attempt_timer, (uint64_t)spec->timeout_ms, 0);
	}
	uv_run(loop, UV_RUN_DEFAULT);
	res->elapsed_ms = clock_mono_ms() - t0;
	tail_finish(a);
	free(a->ring);
	free(a);
}

void
attempt_result_free(struct attempt_result *res)
{
	free(res->tail);
	res->tail = NULL;
}
