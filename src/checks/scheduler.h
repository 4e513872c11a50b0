/*
 * The daemon's checks: each on its own timer (`every`, else the global
 * interval), first runs spread so that many checks do not fire in the same
 * millisecond, a run never overlapping the previous one, results judged by
 * a health tracker, every state change logged and passed to subscribers.
 */
#ifndef TEND_CHECKS_SCHEDULER_H
#define TEND_CHECKS_SCHEDULER_H

#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "checks/check_run.h"
#include "checks/heartbeat.h"
#include "checks/result.h"
#include "config/model.h"

struct scheduler;
struct http_engine;

/* A state change: what later features (store, healer, alerts) listen to. */
typedef void	(*check_change_fn)(void *arg, const struct check_conf *conf,
		    enum health_state from, enum health_state to,
		    const struct check_result *r);

/* cfg must outlive the scheduler; env is copied. */
struct scheduler *scheduler_start(const struct check_env *env,
		    const struct tend_config *cfg);
void		scheduler_subscribe(struct scheduler *s, check_change_fn fn, void *arg);
/* Every result, changed or not, with the tracked state after it. */
typedef void	(*check_result_fn)(void *arg, const struct check_conf *conf,
		    const struct check_result *r, enum health_state tracked);
void		scheduler_on_result(struct scheduler *s, check_result_fn fn, void *arg);
/*
 * The results that are samples, for what keeps them (the store, the
 * anomaly watch): a check's runs at most once per the config's
 * sample_every (every run when 0, or when the check runs no more often),
 * and a run whose state differs from the last sample's.
 */
void		scheduler_on_sample(struct scheduler *s, check_result_fn fn, void *arg);
/* Runs a check now, off its schedule (right after a run in flight); -1 if unknown. */
int		scheduler_run_now(struct scheduler *s, const char *check);
/*
 * enable_monitoring: runs check every every_ms (if that is more often than
 * its own) from now for for_ms, then at its own interval; -1 if unknown.
 */
int		scheduler_monitor(struct scheduler *s, const char *check, int64_t every_ms,
		    int64_t for_ms);
/*
 * A ping of a heartbeat check (checks/heartbeat.h), recorded in its memory,
 * then the check run now; message may be NULL. 0, -1 if the check is
 * unknown, -2 if it is not a heartbeat.
 */
int		scheduler_ping(struct scheduler *s, const char *check,
		    enum heartbeat_ping kind, const char *message);
/* A service started: its heartbeat checks count from now (heartbeat_service_started). */
void		scheduler_service_started(struct scheduler *s, const char *service);
/*
 * Multiplies a check's timeout for its next runs, up to max_ms (never
 * lowering it); returns the new timeout, or -1 if the check is unknown.
 */
int64_t		scheduler_adjust_timeout(struct scheduler *s, const char *check,
		    double factor, int64_t max_ms);
/* Cancels runs, closes timers, frees from the close callbacks; NULL is fine. */
/*
 * Pauses (or resumes) the checks of a service: a copy scaled down. A
 * paused check is not run, reports nothing and starts afresh when resumed.
 */
void		scheduler_pause_service(struct scheduler *s, const char *service,
		    bool paused);
/* A check's tracked state; unknown for an unknown or paused check. */
enum health_state scheduler_check_state(struct scheduler *s, const char *check);
void		scheduler_close(struct scheduler *s);
/* [{name, service, type, state, message, latency_ms, value, metrics, path?}] */
json_t		*scheduler_status(const struct scheduler *s);
/* The same for the checks that are not healthy (paused ones left out). */
json_t		*scheduler_status_problems(const struct scheduler *s);
/* {"healthy": N, "critical": N, "paused": N, ...}: the states with any checks. */
json_t		*scheduler_counts(const struct scheduler *s);
/* The worst tracked state of a service's checks (healthy when it has none). */
enum health_state scheduler_service_health(const struct scheduler *s, const char *service);
/* How many checks a service has. */
size_t		 scheduler_service_count(const struct scheduler *s, const char *service);
/* The names of a service's checks, in the config's order. */
json_t		*scheduler_service_checks(const struct scheduler *s, const char *service);
/* How many check runs have completed since the start, for rates. */
uint64_t	scheduler_runs(const struct scheduler *s);
/* The worst tracked state of all checks. */
enum health_state scheduler_overall(const struct scheduler *s);

#endif
