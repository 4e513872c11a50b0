/*
 * Checks run again and again on a loop of the test's own, each with its
 * memory kept between runs, against loop_http.h's servers on the same
 * loop: a round starts every check at once and waits (5 s at most) for
 * every result. For the tests of the network checks.
 */
#ifndef TEND_TEST_CHECK_RIG_H
#define TEND_TEST_CHECK_RIG_H

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uv.h>

#include "checks/check_run.h"
#include "checks/http_engine.h"
#include "config/config.h"
#include "core/dl_curl.h"
#include "loop_http.h"

#define MAX_PROBES	8

/* One check run again and again, and what its last run said. */
struct probe {
	const struct check_conf *conf;
	struct check_memory memory;
	bool		 done;
	enum health_state state;
	char		 message[512];
};

struct rig {
	uv_loop_t	 loop;
	uv_timer_t	 tick;		/* never lets UV_RUN_ONCE block for long */
	struct check_env env;
	struct tend_config *cfg;
	struct probe	 p[MAX_PROBES];
	size_t		 n;
	struct loop_http srv[2];
	size_t		 n_srv;
};

static void
tick(uv_timer_t *t)
{
}

static void
rig_init(struct rig *r, size_t n_srv)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	assert_int_equal(uv_loop_init(&r->loop), 0);
	uv_timer_init(&r->loop, &r->tick);
	uv_timer_start(&r->tick, tick, 20, 20);
	r->env.loop = &r->loop;
	r->env.http = http_engine_new(&r->loop);
	r->n_srv = n_srv;
	for (i = 0; i < n_srv; i++)
		assert_int_equal(loop_http_start(&r->loop, &r->srv[i]), 0);
}

static void	rig_load(struct rig *r, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* Loads the config fmt makes (its checks are the probes, in order). */
static void
rig_load(struct rig *r, const char *fmt, ...)
{
	struct config_errors errs = { 0 };
	char yaml[2048];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	assert_true(vsnprintf(yaml, sizeof(yaml), fmt, ap) < (int)sizeof(yaml));
	va_end(ap);
	r->cfg = config_load_string("t.yaml", yaml, &errs);
	assert_non_null(r->cfg);
	r->n = r->cfg->n_checks;
	assert_true(r->n <= MAX_PROBES);
	for (i = 0; i < r->n; i++)
		r->p[i].conf = &r->cfg->checks[i];
	http_engine_expect(r->env.http, r->n);
}

static void
rig_free(struct rig *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		check_memory_clear(&r->p[i].memory);
	http_engine_free(r->env.http);
	for (i = 0; i < r->n_srv; i++)
		loop_http_stop(&r->srv[i]);
	uv_close((uv_handle_t *)&r->tick, NULL);
	uv_run(&r->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&r->loop), 0);
	config_free(r->cfg);
	dl_curl_stop();
}

static void
probe_done(void *arg, const struct check_conf *conf, struct check_result *r)
{
	struct probe *p = arg;

	p->done = true;
	p->state = r->state;
	snprintf(p->message, sizeof(p->message), "%s", r->message);
}

static bool
rig_all_done(const struct rig *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!r->p[i].done)
			return false;
	return true;
}

/* Runs the loop until cond holds or ms have passed. */
static void
rig_wait(struct rig *r, bool (*cond)(const struct rig *), uint64_t ms)
{
	uint64_t deadline;

	uv_update_time(&r->loop);
	deadline = uv_now(&r->loop) + ms;
	while (!cond(r) && uv_now(&r->loop) < deadline)
		uv_run(&r->loop, UV_RUN_ONCE);
}

/* Every probe's check once, all together, each with its own memory. */
static void
rig_round(struct rig *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		r->p[i].done = false;
		check_run_start(&r->env, r->p[i].conf, &r->p[i].memory, probe_done, &r->p[i]);
	}
	rig_wait(r, rig_all_done, 5000);
	assert_true(rig_all_done(r));
}

/* Probe i's check once without memory (tend check's way), waited for. */
static void __attribute__((unused))
rig_run_alone(struct rig *r, size_t i)
{
	r->p[i].done = false;
	check_run_start(&r->env, r->p[i].conf, NULL, probe_done, &r->p[i]);
	rig_wait(r, rig_all_done, 5000);
	assert_true(r->p[i].done);
}

static bool __attribute__((unused))
never(const struct rig *r)
{
	return false;
}

/* Lets what is in flight (a FIN, a reset) arrive: a few loop turns. */
static void __attribute__((unused))
rig_settle(struct rig *r)
{
	rig_wait(r, never, 30);
}

static void
assert_probe(const struct probe *p, enum health_state state, const char *words, int round)
{
	if (p->state != state || strstr(p->message, words) == NULL)
		fail_msg("round %d, check %s: %s '%s', wanted %s with '%s'", round,
		    p->conf->name, health_state_name(p->state), p->message,
		    health_state_name(state), words);
}

/* A port nothing listens on (just bound and closed). */
static int __attribute__((unused))
closed_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

#endif
