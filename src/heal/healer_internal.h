/*
 * Inside the healer (src/heal/healer.c, incident.c, incident_record.c,
 * hold.c, rejoin.c): its state, an incident's, and the functions the files
 * share. healer.c routes events and requests to incidents; incident.c is
 * an incident's life; incident_record.c is how one is written down;
 * hold.c what the healer leaves alone; rejoin.c what a previous run left
 * open.
 */
#ifndef TEND_HEAL_HEALER_INTERNAL_H
#define TEND_HEAL_HEALER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "config/model.h"
#include "diagnose/classify.h"
#include "heal/action.h"
#include "heal/healer.h"
#include "heal/plan.h"

/* Closed incidents kept in memory for `tend heal` and the API to follow. */
#define HEALER_KEEP_CLOSED	50
/* How often open incidents are looked at (escalation timeouts). */
#define HEALER_TICK_MS		250
/* The same target failing the same way this often in an hour is recurring. */
#define HEALER_RECURRING_COUNT	3
#define HEALER_RECURRING_MS	3600000

enum incident_phase {
	PHASE_DIAGNOSING,	/* probing what the target depends on */
	PHASE_COOLDOWN,		/* too soon after the last incident of the target */
	PHASE_ACTING,		/* an action runs */
	PHASE_VERIFYING,	/* re-running the failing checks */
	PHASE_MONITORING,	/* auto-heal is off: watched, recorded, not acted on */
	PHASE_HELD,		/* what it depends on was stopped by the operator, or is
				   the supervisor's business (starting, backoff, ...) */
	PHASE_ESCALATED,	/* waiting for a human, or for it to recover */
	PHASE_RESOLVED,
	PHASE_MERGED,		/* part of a deeper incident now */
	PHASE_INTERRUPTED,	/* a reload took its plan away mid-way */
};

/* The phases as words, for the log, the store and JSON. */
extern const char *const incident_phase_names[];

/* What the healer knows of each check, by its index in the config. */
struct watch {
	enum health_state tracked;
	enum health_state raw;
	int64_t		 result_mono;	/* when the last result came */
	int64_t		 healthy_wall;	/* the last healthy result, 0 if none */
	char		*message;	/* the last result's; NULL: none yet */
};

/* The last result's message, "" before the first. */
const char	*watch_message(const struct watch *w);

struct incident {
	struct healer	*h;
	struct incident	*next;
	int64_t		 id;
	char		*target;	/* a check, a service, or an action */
	char		*service;	/* may be NULL */
	const char	*error_type;	/* check, service, manual */
	enum failure_category category;
	enum health_state severity;
	enum incident_phase phase;
	int64_t		 detected_wall;
	int64_t		 detected_mono;
	int64_t		 resolved_wall;
	int64_t		 mttd_ms;
	char		**checks;	/* its own checks, verified after each action */
	char		**symptoms;	/* dependents' failures correlated into it */
	char		*root_cause;
	int64_t		 change_id;	/* the change it is blamed on; 0: none */
	struct heal_action rollback;	/* auto_rollback: its first step, when kind is HEAL_ROLLBACK */
	char		 diagnosis[1024];
	char		*resolution;
	json_t		*actions;	/* [{action, outcome, detail, at}] */
	struct heal_steps steps;
	size_t		 next_step;
	int		 attempts;
	bool		 recurring;
	bool		 acked;
	bool		 requested;	/* by an operator: no cooldown */
	bool		 announced;	/* its opening alert went out */
	bool		 rejoined;	/* from a previous run: waits for fresh results */
	char		*held_by;	/* PHASE_HELD: the service it waits for */
	int64_t		 phase_until;	/* mono: end of diagnosis, cooldown, verify */
	int64_t		 verify_since;	/* mono: results after this count */
	int64_t		 last_rerun;	/* mono: verify re-runs are paced */
	struct action_run *run;
	const struct plan_step *current;
	char		 ran[512];	/* what the current action reported */
	int64_t		 attempt_id;
	json_t		*closed_json;	/* once closed */
};

/* When each target's last incident ended, for the cooldown. */
struct last_end {
	char		*target;
	int64_t		 mono;
};

struct healer {
	uv_loop_t	*loop;
	const struct tend_config *cfg;
	struct store	*store;
	struct heal_ops	 ops;
	bool		 monitor_only;
	struct classifier *classifier;
	struct dep_closure *deps;
	struct learning	*learning;
	struct watch	*watch;		/* by check index */
	size_t		 n_watch;
	struct incident	*open;		/* newest first */
	json_t		*closed;	/* array, newest first */
	struct last_end	*ends;
	size_t		 n_ends;
	char		**stopped;	/* services the operator stopped: left alone */
	uv_timer_t	*tick;
	/*
	 * An incident is never freed while a call stack may hold it: every
	 * way into the healer (its API, its timer, an action's end) counts
	 * itself in depth, incident_close moves the incident to `closing`,
	 * and the last one out frees what closed meanwhile.
	 */
	int		 depth;
	struct incident	*closing;
};

/* healer.c: the way in and out of the healer (see struct healer's depth). */
void		 healer_enter(struct healer *h);
void		 healer_leave(struct healer *h);

/* healer.c: lookups. */
long		 check_index(const struct healer *h, const char *name);
struct watch	*watch_of(const struct healer *h, const char *check);
bool		 healer_auto(const struct healer *h);
bool		 incident_is_open(const struct incident *inc);
/* The open incident a check already belongs to, as a target, check or symptom. */
struct incident	*incident_covering(const struct healer *h, const char *check);
/* The open incident a failure of service belongs to (its own, or a dependency's). */
struct incident	*incident_for_service(const struct healer *h, const char *service);
int64_t		 healer_next_id(struct healer *h);
/* Opens an incident for a failing check; returns its id (it may be merged by then). */
int64_t		 healer_open_for_check(struct healer *h, const struct check_conf *conf,
		    const struct watch *w, bool requested);

/* incident.c: an incident's life. */
/* id 0: a new one. Linked to the open list. */
/* Names the change it is blamed on (ops.blame), once: true when it did now. */
bool		 incident_blame(struct incident *inc);
struct incident	*incident_new(struct healer *h, int64_t id, const char *target,
		    const char *service, const char *error_type,
		    enum failure_category category, enum health_state severity);
/* Recurrence, correlation, the first record and alert, then diagnosis. */
void		 incident_start(struct incident *inc);
void		 incident_diagnose(struct incident *inc);
void		 incident_escalate(struct incident *inc, const char *why);
void		 incident_rerun_checks(struct incident *inc);
/* rerun: from the tick; a result itself never triggers another run at once. */
void		 incident_verify(struct incident *inc, bool rerun);
/* What moves an incident along besides results: deadlines. */
void		 incident_timer_tick(struct incident *inc);
/* Whether what it is about is healthy again by its own schedule. */
bool		 incident_recovered(const struct incident *inc);
/*
 * Records, alerts and unlinks it; it is freed once the healer's call
 * stack unwinds (healer_leave), so callers may still read it. Closing a
 * closed incident does nothing.
 */
void		 incident_close(struct incident *inc, enum incident_phase phase,
		    const char *resolution);
void		 incident_free(struct incident *inc);
void		 healer_unlink(struct healer *h, struct incident *inc);

/* hold.c: what the healer leaves alone. */
/*
 * Why the healer must leave a service alone now, in why, or NULL: the
 * operator stopped it, or the supervisor is busy with it.
 */
const char	*healer_hands_off(const struct healer *h, const char *service, char *why,
		    size_t len);
/* A service incident of this service: its state is what it heals, not a reason to wait. */
bool		 incident_is_about(const struct incident *inc, const char *service);
/* Holds the incident while something holds its service; true when it does. */
bool		 incident_hold(struct incident *inc);
/* A held incident, each tick: released once nothing holds it, after a grace. */
void		 incident_held_tick(struct incident *inc);

/* rejoin.c: what a previous run left open. */
/* healer_rejoin_open's work: open incidents rejoined, duplicates merged, the rest closed. */
void		 healer_rejoin(struct healer *h);
/* Closes the open incidents whose target the config no longer has. */
void		 healer_close_orphans(struct healer *h);

/* incident_record.c: the store row, JSON, the diagnosis, alerts, learning. */
void		 incident_write(struct incident *inc);
json_t		*incident_json(const struct incident *inc);
/* Appends a sentence to the diagnosis. */
void		 incident_note(struct incident *inc, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* "classified as network (rule: connection-refused)": why is what decided, or "". */
void		 incident_note_category(struct incident *inc, const char *why);
void		 incident_alert(struct incident *inc, const char *event, const char *message);
/*
 * Its opening alert, once it is known to be an incident of its own:
 * diagnosis found no failing dependency to merge into, and nothing holds it.
 */
void		 incident_announce(struct incident *inc);
void		 incident_record_action(struct incident *inc, const char *outcome,
		    const char *detail);
/* One more outcome of the current action, for learning. */
void		 incident_learn(struct incident *inc, bool success);

#endif
