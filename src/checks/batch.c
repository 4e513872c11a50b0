#include "checks/batch.h"

#include <stdlib.h>

#include "core/dl_curl.h"
#include <uv.h>

#include "checks/http_engine.h"
#include "core/mem.h"

void
check_batch_add(struct check_batch *b, const struct check_conf *conf)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 8;
		b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	b->v[b->n].conf = conf;
	check_result_init(&b->v[b->n].result);
	b->v[b->n].done = false;
	b->n++;
}

/* Keeps the result: the run's own is gone after the callback. */
static void
check_batch_done(void *arg, const struct check_conf *conf, struct check_result *r)
{
	struct check_outcome *o = arg;

	/* The metrics move here; the caller then clears an empty result. */
	check_result_move(&o->result, r);
	o->done = true;
}

static int
check_batch_no_pids(void *arg, const char *service, pid_t *pids, int max)
{
	return 0;
}

void
check_batch_run(struct check_batch *b, service_pids_fn pids, void *pids_arg)
{
	struct check_env env = { 0 };	/* what a one-shot run has not: none */
	uv_loop_t loop;
	size_t i;

	uv_loop_init(&loop);
	env.loop = &loop;
	env.http = http_engine_new(&loop);
	env.service_pids = pids ? pids : check_batch_no_pids;
	env.service_pids_arg = pids_arg;
	for (i = 0; i < b->n; i++)
		check_run_start(&env, b->v[i].conf, NULL, check_batch_done, &b->v[i]);
	uv_run(&loop, UV_RUN_DEFAULT);
	http_engine_free(env.http);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	dl_curl_stop();
}

enum health_state
check_batch_overall(const struct check_batch *b)
{
	enum health_state s = HEALTH_HEALTHY;
	size_t i;

	for (i = 0; i < b->n; i++)
		s = health_state_worst(s, b->v[i].result.state);
	return s;
}

void
check_batch_clear(struct check_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		check_result_clear(&b->v[i].result);
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
}
