/*
 * One recovery action on the loop: restart, stop or start a service, run a
 * command with a timeout, clean up old files (on the thread pool: deleting
 * thousands of files must not stall the loop), raise a check's timeout,
 * roll back, or wait. Exactly one outcome comes back, unless detached.
 */
#ifndef TEND_HEAL_ACTION_H
#define TEND_HEAL_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "heal/plan.h"

/* What the healer needs from the daemon (or from a one-shot `tend heal`). */
struct heal_ops {
	void	*arg;
	/* "restart", "stop", "start"; 0, or -1 with a message in err. */
	int	(*service_control)(void *arg, const char *cmd, const char *service,
		    char *err, size_t errlen);
	/* The service's state as a word ("up", "failed", ...), NULL if unknown. */
	const char *(*service_state)(void *arg, const char *service);
	/* Runs a check now, off its schedule; its result comes as usual. */
	void	(*run_check)(void *arg, const char *check);
	/* Multiplies a check's timeout (capped); returns the new one, or -1. */
	int64_t	(*adjust_timeout)(void *arg, const char *check, double factor,
		    int64_t max_ms);
	/* Runs a check every every_ms for for_ms, then as configured; 0, or -1. */
	int	(*monitor)(void *arg, const char *check, int64_t every_ms, int64_t for_ms);
	/*
	 * Adds by copies (negative: removes) to the group of service (a copy
	 * or the group's name); 0 with what it did in detail, or -1 with why
	 * not. NULL where nothing scales (tend heal without a daemon).
	 */
	int	(*scale)(void *arg, const char *service, int by, char *detail, size_t len);
	/*
	 * increase_resources on service: 0 raised live, 1 raised for its next
	 * start, -1 not raised; detail says what became what, or why not.
	 */
	int	(*increase_resources)(void *arg, const char *service,
		    const struct heal_action *a, char *detail, size_t len);
	/*
	 * The change an incident opened at detected_ms (monotonic) on service
	 * (NULL: none) is blamed on: its id with a sentence in why ("change 7
	 * of app, 3 s before"), or 0. When the change's set rolls back by
	 * itself (auto_rollback, a critical incident), its name is put in
	 * rollback (else ""): the plan starts with that rollback. May be NULL.
	 */
	int64_t	(*blame)(void *arg, const char *service, bool critical, int64_t detected_ms,
		    char *why, size_t len, char *rollback, size_t rollback_len);
	/*
	 * The command that runs the rebuild named (`tend rebuild NAME` of this
	 * daemon's config and state dir): a new argv (strv_free), or NULL
	 * when rebuilds cannot run here. May be NULL.
	 */
	char	**(*rebuild_argv)(void *arg, const char *name);
	/*
	 * Rolls a snapshot set back to its last known good and restarts its
	 * services: set is the action's (`rollback: SET`), or NULL for the
	 * set whose `restart:` has target's service. 0 when it started — done
	 * is then called once, later, on the loop — or -1 with err. NULL
	 * when there is no snapshot engine (tend heal without a daemon).
	 */
	int	(*rollback)(void *arg, const char *target, const char *set,
		    void (*done)(void *token, bool ok, const char *detail), void *token,
		    char *err, size_t errlen);
	/*
	 * An incident's alert: event "incident" (opened), "escalated",
	 * "resolved", or "closed" (merged into another, or interrupted by a
	 * reload); "rejoined" or "rejoined-escalated" when tend starts again
	 * with the incident still open (its alert was sent by the previous
	 * run: it is not sent again). state is the target's: the incident's
	 * severity (critical, warning) while it is open, healthy once resolved.
	 */
	void	(*alert)(void *arg, const char *event, const char *target,
		    const char *state, const char *message, int64_t incident);
	/*
	 * What changed, for live views: "incident" (as healer_incident_json
	 * shows it) after each write of its record, and "action" ({incident,
	 * action, outcome, detail, at}) when an action ends. data is borrowed.
	 */
	void	(*changed)(void *arg, const char *what, json_t *data);
};

enum action_result {
	ACTION_DONE,		/* it ran; verification decides if it helped */
	ACTION_FAILED,		/* it could not run, or said it failed */
	ACTION_SKIPPED,		/* not applicable here (no rollback hook) */
	ACTION_NOTED,		/* it changed how the target is watched, not the target */
};

struct action_outcome {
	enum action_result result;
	char		 detail[512];
};

typedef void	(*action_done_fn)(void *arg, const struct action_outcome *o);

struct action_run;

/*
 * Starts step. checks (NULL-terminated, may be NULL) are the failing checks,
 * for adjust_timeout. done may be called before this returns.
 */
struct action_run *action_start(uv_loop_t *loop, const struct heal_ops *ops,
		    const struct plan_step *step, const char *target,
		    const char *const *checks, bool dry_run, action_done_fn done,
		    void *arg);
/* done will not be called; what runs is stopped where it can be. */
void		 action_detach(struct action_run *run);
const char	*action_result_name(enum action_result r);

#endif
