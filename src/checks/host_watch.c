#include "checks/host_watch.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/resource.h"
#include "core/log.h"
#include "core/mem.h"

/* The first sample of every check comes within this, so `make run` shows something at once. */
#define HOST_FIRST_SAMPLE_SPREAD_MS	1000

struct host_check {
	struct host_watch *hw;
	const struct check_conf *conf;
	struct resource_sampler *sampler;
	uv_timer_t	 timer;
	struct resource_result last;
	bool		 sampled;
};

struct host_watch {
	struct host_check *checks;
	size_t		 n;
	uv_timer_t	 summary;
	int		 open_handles;
	int64_t		 interval_ms;
};

static void
host_check_log(const struct host_check *hc, const struct resource_result *r,
    bool changed)
{
	enum log_level level = r->state == HEALTH_HEALTHY ? LOG_INFO : LOG_WARN;

	if (!changed) {
		log_debug(NULL, "check %s: %s", hc->conf->name, r->message);
		return;
	}
	log_msg(level, NULL, "check %s: %s: %s", hc->conf->name,
	    health_state_name(r->state), r->message);
}

static void
host_check_run(uv_timer_t *timer)
{
	struct host_check *hc = timer->data;
	struct resource_result r;
	bool changed;

	resource_sample(hc->sampler, hc->conf, &r);
	changed = !hc->sampled || r.state != hc->last.state;
	hc->last = r;
	hc->sampled = true;
	host_check_log(hc, &r, changed);
}

static void
host_watch_summary(uv_timer_t *timer)
{
	struct host_watch *hw = timer->data;
	char line[1024] = "host:";
	const struct host_check *hc;
	size_t i, len;

	for (i = 0; i < hw->n; i++) {
		hc = &hw->checks[i];
		len = strlen(line);
		if (!hc->sampled)
			continue;
		if (hc->conf->metric == RESOURCE_LOAD)
			snprintf(line + len, sizeof(line) - len, " load %.2f/core",
			    hc->last.value);
		else if (hc->conf->metric == RESOURCE_DISK ||
		    hc->conf->metric == RESOURCE_INODES)
			snprintf(line + len, sizeof(line) - len, " %s %s %.1f%%",
			    resource_metric_name(hc->conf->metric), hc->conf->path,
			    hc->last.value);
		else
			snprintf(line + len, sizeof(line) - len, " %s %.1f%%",
			    resource_metric_name(hc->conf->metric), hc->last.value);
	}
	log_info(NULL, "%s", line);
}

struct host_watch *
host_watch_start(uv_loop_t *loop, const struct tend_config *cfg)
{
	struct host_watch *hw;
	struct host_check *hc;
	int64_t every, first;
	size_t i;

	hw = xcalloc(1, sizeof(*hw));
	hw->checks = xcalloc(cfg->n_checks + 1, sizeof(*hw->checks));
	for (i = 0; i < cfg->n_checks; i++)
		if (cfg->checks[i].type == CHECK_RESOURCE)
			hw->checks[hw->n++].conf = &cfg->checks[i];
	if (hw->n == 0) {
		free(hw->checks);
		free(hw);
		return NULL;
	}
	hw->interval_ms = cfg->interval_ms;
	for (i = 0; i < hw->n; i++) {
		hc = &hw->checks[i];
		hc->hw = hw;
		hc->sampler = resource_sampler_new(NULL);
		every = hc->conf->every_ms ? hc->conf->every_ms : cfg->interval_ms;
		/* Spread the first runs so that many checks don't fire together. */
		first = 100 + (int64_t)i * HOST_FIRST_SAMPLE_SPREAD_MS / (int64_t)hw->n;
		uv_timer_init(loop, &hc->timer);
		hc->timer.data = hc;
		uv_timer_start(&hc->timer, host_check_run, (uint64_t)first, (uint64_t)every);
	}
	uv_timer_init(loop, &hw->summary);
	hw->summary.data = hw;
	uv_timer_start(&hw->summary, host_watch_summary,
	    HOST_FIRST_SAMPLE_SPREAD_MS + 200, (uint64_t)cfg->interval_ms);
	return hw;
}

static void
host_watch_release(uv_handle_t *handle)
{
	struct host_watch *hw = handle->data;
	size_t i;

	if (--hw->open_handles > 0)
		return;
	for (i = 0; i < hw->n; i++)
		resource_sampler_free(hw->checks[i].sampler);
	free(hw->checks);
	free(hw);
}

void
host_watch_close(struct host_watch *hw)
{
	size_t i;

	if (hw == NULL)
		return;
	hw->open_handles = (int)hw->n + 1;
	for (i = 0; i < hw->n; i++) {
		/* Every handle's data leads the close callback back to the watch. */
		hw->checks[i].timer.data = hw;
		uv_close((uv_handle_t *)&hw->checks[i].timer, host_watch_release);
	}
	uv_close((uv_handle_t *)&hw->summary, host_watch_release);
}

json_t *
host_watch_status(const struct host_watch *hw)
{
	const struct host_check *hc;
	json_t *arr = json_array(), *o;
	size_t i;

	for (i = 0; hw != NULL && i < hw->n; i++) {
		hc = &hw->checks[i];
		o = json_pack("{s:s, s:s, s:s, s:o, s:s}",
		    "name", hc->conf->name,
		    "metric", resource_metric_name(hc->conf->metric),
		    "state", hc->sampled ? health_state_name(hc->last.state) : "unknown",
		    "value", hc->sampled ? json_real(hc->last.value) : json_null(),
		    "message", hc->sampled ? hc->last.message : "not sampled yet");
		if (hc->conf->metric == RESOURCE_DISK || hc->conf->metric == RESOURCE_INODES)
			json_object_set_new(o, "path", json_string(hc->conf->path));
		json_array_append_new(arr, o);
	}
	return arr;
}
