#include "core/workpool.h"

#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "core/mem.h"

static bool workpool_started;

static void
workpool_nothing(uv_work_t *req)
{
	(void)req;
}

static void
workpool_nothing_done(uv_work_t *req, int status)
{
	(void)status;
	free(req);
}

void
workpool_start(uv_loop_t *loop)
{
	struct rlimit saved, low;
	uv_work_t *req;
	bool lowered;

	if (workpool_started)
		return;
	workpool_started = true;
	/*
	 * libuv makes every thread of the pool inside the first
	 * uv_queue_work, with RLIMIT_STACK's soft limit as their stacks'
	 * size. Lowered only that long: the loop's own stack is shallow here,
	 * and no child is spawned meanwhile (spawns are the loop's).
	 */
	lowered = getrlimit(RLIMIT_STACK, &saved) == 0 &&
	    (saved.rlim_cur == RLIM_INFINITY || saved.rlim_cur > WORKPOOL_STACK);
	if (lowered) {
		low = saved;
		low.rlim_cur = WORKPOOL_STACK;
		lowered = setrlimit(RLIMIT_STACK, &low) == 0;
	}
	req = xcalloc(1, sizeof(*req));
	if (uv_queue_work(loop, req, workpool_nothing, workpool_nothing_done) != 0)
		free(req);
	if (lowered)
		setrlimit(RLIMIT_STACK, &saved);
}

int
workpool_queue(uv_loop_t *loop, uv_work_t *req, uv_work_cb work, uv_after_work_cb after)
{
	workpool_start(loop);
	return uv_queue_work(loop, req, work, after);
}
