/*
 * The healer: turns failures into incidents and works each one through
 * diagnosis, its plan of actions, verification and, when nothing worked,
 * escalation to a human. Every step is logged and written to the store.
 *
 * An incident's life:
 *
 *   diagnosing ──► (cooldown) ──► acting ──► verifying ──► resolved (healed)
 *       │                           ▲            │
 *       │                           └── next ────┘ not verified
 *       ├──► merged into the incident of a failing dependency
 *       └──► monitoring (auto-heal off)       spent or timed out ──► escalated
 *
 * and from any open phase to resolved when the target recovers by itself
 * or a human resolves it. While an incident is open its target is not
 * healed by anyone else, and failures of what depends on it join it as
 * symptoms instead of being healed on their own.
 */
#ifndef TEND_HEAL_HEALER_H
#define TEND_HEAL_HEALER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "checks/result.h"
#include "config/model.h"
#include "heal/action.h"

struct healer;
struct store;

/* cfg must outlive the healer (or the next healer_set_config); st may be NULL. */
struct healer	*healer_new(uv_loop_t *loop, const struct tend_config *cfg,
		    struct store *st, const struct heal_ops *ops, bool monitor_only);
/*
 * A daemon's start: the incidents a previous run left open in the store
 * are rejoined (those whose target the config still has), or closed.
 * Call once, after healer_new, before the first results.
 */
void		 healer_rejoin_open(struct healer *h);
/* Stops what runs and frees; open incidents stay open in the store. */
void		 healer_free(struct healer *h);
/* A reload: checks and services are looked up again by name. */
void		 healer_set_config(struct healer *h, const struct tend_config *cfg);

/* Every check result, with the check's tracked state after it. */
void		 healer_check_result(struct healer *h, const struct check_conf *conf,
		    const struct check_result *r, enum health_state tracked);
/* Every service transition ("up", "failed", ...). */
void		 healer_service_state(struct healer *h, const char *service,
		    const char *to, const char *reason);

/*
 * An operator started, stopped or restarted a service (tend start/stop/
 * restart, the API): a service the operator stopped is left alone until
 * it is started again, and its dependents' failures are put down to it.
 */
/*
 * A change was recorded: open incidents not yet blamed on one are asked
 * again (a change on disk is recorded once its files are quiet, often
 * after the failure it caused).
 */
void		 healer_changes_recorded(struct healer *h);
void		 healer_operator_control(struct healer *h, const char *cmd,
		    const char *service);
/* Closes the incidents of services now parked (copies scaled down). */
void		 healer_services_parked(struct healer *h);

/*
 * Opens incidents now for every failing check not yet in one, skipping
 * cooldowns (an operator asked). With dry_run nothing is opened or run:
 * the answer says what would be done. Returns a JSON array describing
 * each incident opened (or planned).
 */
json_t		*healer_heal_now(struct healer *h, bool dry_run);
/*
 * Runs one named action (`tend recover --action`), every declared cleanup
 * (action NULL), or restarts a service, as an incident of its own.
 * Returns its id, or -1 with a message in err.
 */
int64_t		 healer_recover(struct healer *h, const char *action, const char *service,
		    char *err, size_t errlen);
/* 0, or -1 with a message in err (no such open incident). */
int		 healer_ack(struct healer *h, int64_t id, char *err, size_t errlen);
int		 healer_resolve(struct healer *h, int64_t id, char *err, size_t errlen);
/* Open incidents and the most recently closed ones, newest first. */
json_t		*healer_incidents_json(const struct healer *h);
/* One incident, open or recently closed; NULL if unknown. */
json_t		*healer_incident_json(const struct healer *h, int64_t id);
/*
 * The longest an incident stays in a phase that moves on by itself
 * (diagnosing to verifying): escalation_timeout comes then. What a caller
 * following an incident waits at most.
 */
int64_t		 healer_settle_ms(const struct healer *h);
/* How many incidents are open; *escalated: how many of them wait for a human. */
size_t		 healer_open_count(const struct healer *h, size_t *escalated);

#endif
