#include "supervise/pidwatch.h"

#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/mem.h"

struct pidwatch {
	struct proc_id	 id;
	int		 pidfd;
	uv_poll_t	 poll;
	uv_timer_t	 timer;
	int		 handles;	/* open ones; freed when none is left */
	bool		 over;		/* fired or stopped */
	pidwatch_cb	 cb;
	void		*arg;
};

static void
pidwatch_closed(uv_handle_t *handle)
{
	struct pidwatch *w = handle->data;

	if (--w->handles > 0)
		return;
	if (w->pidfd >= 0)
		close(w->pidfd);
	free(w);
}

static void
pidwatch_fire(struct pidwatch *w)
{
	if (w->over)
		return;
	w->over = true;
	uv_timer_stop(&w->timer);
	if (w->pidfd >= 0)
		uv_poll_stop(&w->poll);
	w->cb(w->arg);
}

static void
pidwatch_readable(uv_poll_t *poll, int status, int events)
{
	pidwatch_fire(poll->data);
}

static void
pidwatch_look(uv_timer_t *timer)
{
	struct pidwatch *w = timer->data;

	if (!proc_id_alive(&w->id))
		pidwatch_fire(w);
}

struct pidwatch *
pidwatch_start(uv_loop_t *loop, const struct proc_id *id, int64_t poll_ms,
    pidwatch_cb cb, void *arg)
{
	struct pidwatch *w = xcalloc(1, sizeof(*w));

	w->id = *id;
	w->cb = cb;
	w->arg = arg;
	uv_timer_init(loop, &w->timer);
	w->timer.data = w;
	w->handles = 1;
	w->pidfd = proc_id_pidfd(id);
	if (w->pidfd >= 0 && uv_poll_init(loop, &w->poll, w->pidfd) == 0) {
		w->poll.data = w;
		w->handles++;
		uv_poll_start(&w->poll, UV_READABLE, pidwatch_readable);
		return w;
	}
	if (w->pidfd >= 0) {
		close(w->pidfd);
		w->pidfd = -1;
	}
	/* No pidfd, or the process is gone already: /proc says which, soon. */
	uv_timer_start(&w->timer, pidwatch_look, 0, (uint64_t)(poll_ms > 0 ? poll_ms : 1000));
	return w;
}

void
pidwatch_stop(struct pidwatch *w)
{
	if (w == NULL)
		return;
	w->over = true;
	uv_close((uv_handle_t *)&w->timer, pidwatch_closed);
	if (w->pidfd >= 0)
		uv_close((uv_handle_t *)&w->poll, pidwatch_closed);
}
