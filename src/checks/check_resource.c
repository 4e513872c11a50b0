/*
 * resource checks as one-shot runs. CPU needs an interval: the sampler
 * takes a baseline at the start and the sample comes a moment later.
 */
#include <stdlib.h>
#include <string.h>

#include "checks/check_kinds.h"
#include "checks/resource.h"
#include "core/mem.h"

/* Long enough for /proc/stat to move, short enough not to be noticed. */
#define RESOURCE_CPU_WINDOW_MS	250

struct resource_run {
	struct check_run *run;
	struct resource_sampler *sampler;
	uv_timer_t	 timer;
};

static void
resource_run_closed(uv_handle_t *handle)
{
	struct resource_run *rr = handle->data;

	resource_sampler_free(rr->sampler);
	free(rr);
}

static void
resource_run_sample(uv_timer_t *timer)
{
	struct resource_run *rr = timer->data;
	struct check_run *run = rr->run;
	struct resource_result sample;
	struct check_result r;

	resource_sample(rr->sampler, run->conf, &sample);
	check_result_init(&r);
	r.state = sample.state;
	memcpy(r.message, sample.message, sizeof(sample.message));
	r.latency_ms = check_run_elapsed_ms(run);
	if (sample.state != HEALTH_UNKNOWN)
		check_result_add_metric(&r, resource_metric_name(run->conf->metric),
		    sample.value, run->conf->metric == RESOURCE_LOAD ? "" : "%");
	uv_close((uv_handle_t *)timer, resource_run_closed);
	check_run_finish(run, &r);
	check_result_clear(&r);
}

static void
resource_run_cancel(struct check_run *run)
{
	struct resource_run *rr = run->kind;

	uv_close((uv_handle_t *)&rr->timer, resource_run_closed);
}

void
check_resource_start(struct check_run *run)
{
	struct resource_run *rr = xcalloc(1, sizeof(*rr));

	rr->run = run;
	rr->sampler = resource_sampler_new(NULL);
	uv_timer_init(run->env->loop, &rr->timer);
	rr->timer.data = rr;
	uv_timer_start(&rr->timer, resource_run_sample,
	    run->conf->metric == RESOURCE_CPU ? RESOURCE_CPU_WINDOW_MS : 0, 0);
	run->kind = rr;
	run->cancel = resource_run_cancel;
}
