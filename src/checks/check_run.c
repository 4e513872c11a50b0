#include "checks/check_kinds.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/mem.h"
#include "core/workpool.h"

static const char *const check_type_names[] = {
	[CHECK_RESOURCE] = "resource",
	[CHECK_HTTP] = "http",
	[CHECK_TCP] = "tcp",
	[CHECK_COMMAND] = "command",
	[CHECK_FILE] = "file",
	[CHECK_PROCESS] = "process",
	[CHECK_DEPS] = "deps",
	[CHECK_LOG] = "log",
	[CHECK_HEARTBEAT] = "heartbeat",
};

void
check_memory_clear(struct check_memory *m)
{
	if (m->state != NULL && m->state_free != NULL)
		m->state_free(m->state);
	*m = (struct check_memory){ 0 };
}

const char *
check_type_name(enum check_type type)
{
	return check_type_names[type];
}

struct check_run *
check_run_start(struct check_env *env, const struct check_conf *conf,
    struct check_memory *memory, check_done_fn done, void *arg)
{
	struct check_run *run = xcalloc(1, sizeof(*run));

	run->env = env;
	run->conf = conf;
	run->memory = memory;
	run->done = done;
	run->arg = arg;
	run->started_ns = clock_mono_ns();
	switch (conf->type) {
	case CHECK_HTTP:
		check_http_start(run);
		break;
	case CHECK_TCP:
		check_tcp_start(run);
		break;
	case CHECK_COMMAND:
		check_command_start(run);
		break;
	case CHECK_RESOURCE:
		check_resource_start(run);
		break;
	case CHECK_FILE:
		check_file_start(run);
		break;
	case CHECK_PROCESS:
		workpool_start(env->loop);	/* before check_process.c queues its work */
		check_process_start(run);
		break;
	case CHECK_DEPS:
		check_deps_start(run);
		break;
	case CHECK_LOG:
		check_log_start(run);
		break;
	case CHECK_HEARTBEAT:
		check_heartbeat_start(run);
		break;
	}
	return run;
}

void
check_run_cancel(struct check_run *run)
{
	if (run->cancel != NULL)
		run->cancel(run);
	free(run);
}

void
check_run_finish(struct check_run *run, struct check_result *r)
{
	check_result_sanitize(r);
	run->done(run->arg, run->conf, r);
	free(run);
}

struct finish_soon {
	uv_timer_t	 timer;		/* without a queue */
	struct finish_soon *next;	/* in the queue */
	struct check_run *run;
	struct check_result result;
	bool		 closing;
	bool		 cancelled;
};

static void
finish_soon_report(struct finish_soon *f)
{
	if (!f->cancelled)
		check_run_finish(f->run, &f->result);
	check_result_clear(&f->result);
	free(f);
}

static void
finish_soon_closed(uv_handle_t *handle)
{
	finish_soon_report(handle->data);
}

static void
finish_soon_fire(uv_timer_t *timer)
{
	struct finish_soon *f = timer->data;

	f->closing = true;
	uv_close((uv_handle_t *)timer, finish_soon_closed);
}

static void
finish_soon_cancel(struct check_run *run)
{
	struct finish_soon *f = run->kind;

	f->cancelled = true;
	if (!f->closing)
		uv_close((uv_handle_t *)&f->timer, finish_soon_closed);
}

/* A queued result is dropped when the queue is drained or cleared. */
static void
finish_soon_cancel_queued(struct check_run *run)
{
	struct finish_soon *f = run->kind;

	f->cancelled = true;
}

/* What a result's done queues meanwhile is reported in the same drain. */
static void
check_soon_drain(uv_prepare_t *handle)
{
	struct check_soon *q = (struct check_soon *)handle;
	struct finish_soon *f;

	while ((f = q->head) != NULL) {
		if ((q->head = f->next) == NULL)
			q->tail = &q->head;
		finish_soon_report(f);
	}
	uv_prepare_stop(handle);
}

void
check_soon_init(uv_loop_t *loop, struct check_soon *q)
{
	uv_prepare_init(loop, &q->prepare);
	q->head = NULL;
	q->tail = &q->head;
}

void
check_soon_close(struct check_soon *q, uv_close_cb cb)
{
	uv_close((uv_handle_t *)&q->prepare, cb);
}

void
check_soon_clear(struct check_soon *q)
{
	struct finish_soon *f;

	while ((f = q->head) != NULL) {
		q->head = f->next;
		f->cancelled = true;
		finish_soon_report(f);
	}
	q->tail = &q->head;
}

void
check_run_report_soon(struct check_run *run, struct check_result *r)
{
	struct check_soon *q = run->env->soon;
	struct finish_soon *f = xcalloc(1, sizeof(*f));

	f->run = run;
	check_result_move(&f->result, r);
	run->kind = f;
	if (q != NULL) {
		run->cancel = finish_soon_cancel_queued;
		*q->tail = f;
		q->tail = &f->next;
		if (!uv_is_active((uv_handle_t *)&q->prepare))
			uv_prepare_start(&q->prepare, check_soon_drain);
		return;
	}
	uv_timer_init(run->env->loop, &f->timer);
	f->timer.data = f;
	run->cancel = finish_soon_cancel;
	uv_timer_start(&f->timer, finish_soon_fire, 0, 0);
}

void
check_run_finish_soon(struct check_run *run, enum health_state state,
    const char *fmt, ...)
{
	struct check_result r;
	va_list ap;

	check_result_init(&r);
	r.state = state;
	va_start(ap, fmt);
	vsnprintf(r.message, sizeof(r.message), fmt, ap);
	va_end(ap);
	r.latency_ms = check_run_elapsed_ms(run);
	check_run_report_soon(run, &r);
}

double
check_run_elapsed_ms(const struct check_run *run)
{
	return (double)(clock_mono_ns() - run->started_ns) / 1e6;
}

void
check_run_judge_latency(const struct check_run *run, struct check_result *r)
{
	const struct check_conf *c = run->conf;
	size_t len;

	if (r->state != HEALTH_HEALTHY)
		return;
	if (c->latency_crit_ms > 0 && r->latency_ms >= (double)c->latency_crit_ms)
		r->state = HEALTH_CRITICAL;
	else if (c->latency_warn_ms > 0 && r->latency_ms >= (double)c->latency_warn_ms)
		r->state = HEALTH_WARNING;
	else
		return;
	len = strlen(r->message);
	snprintf(r->message + len, sizeof(r->message) - len, " (slow: over %lldms)",
	    (long long)(r->state == HEALTH_CRITICAL ? c->latency_crit_ms :
	    c->latency_warn_ms));
}
