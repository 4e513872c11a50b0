/*
 * Changes and what they are blamed for: the timing rules of change
 * safety, apart from the files and the store so that they can be tested
 * on their own.
 *
 * A change (files of a snapshot set changed on disk, a reload, a guarded
 * deploy, a deploy tool's mark, a package upgrade) opens its set's guard
 * window. An incident that opens inside a window names the change as its
 * probable cause: the newest change of a set that restarts the incident's
 * service, else the newest change of any set (or of none: a package
 * upgrade), inside its window. With the set's auto_rollback and a
 * critical incident, the heal plan starts with a rollback of that set to
 * its last known good snapshot.
 *
 * Last known good: once every check has stayed healthy for the set's
 * lkg_after since its last change (counted from when all became healthy,
 * if they were not at the change), the set's current state is due to be
 * snapshotted and marked last known good, once per change.
 */
#ifndef TEND_HEAL_CHANGES_H
#define TEND_HEAL_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A snapshot set's rules, as the config gives them. */
struct change_set_rules {
	const char	*name;
	int64_t		 guard_window_ms;
	int64_t		 lkg_after_ms;
	bool		 auto_rollback;
	char *const	*restart;	/* services the set restarts (NULL-terminated, may be NULL) */
};

/* What an incident is blamed on. */
struct change_blame {
	int64_t		 change_id;
	const char	*set;		/* NULL: a change of no set (a package upgrade) */
	int64_t		 at_ms;
	bool		 rollback;	/* auto_rollback applies: start the plan with it */
};

struct change_tracker;

struct change_tracker *change_tracker_new(void);
void		 change_tracker_free(struct change_tracker *ct);
/*
 * The sets (at start and on a reload): rules are copied; what is known of
 * a set that is still there is kept, by name. A new set's state at now_ms
 * is its first candidate for last known good (as change id 0), blamed
 * for nothing.
 */
void		 change_tracker_set_rules(struct change_tracker *ct,
		    const struct change_set_rules *sets, size_t n, int64_t now_ms);
/*
 * A change of set (NULL for a change of no set, with window_ms its guard
 * window) recorded as change_id at now_ms. It is the set's newest.
 */
void		 change_tracker_change(struct change_tracker *ct, const char *set,
		    int64_t change_id, int64_t window_ms, int64_t now_ms);
/* The newest change of set: its id, 0 for none (or the state tend found). */
int64_t		 change_tracker_newest(const struct change_tracker *ct, const char *set);
/* A set's change was rolled back: no longer a candidate for blame or LKG. */
void		 change_tracker_rolled_back(struct change_tracker *ct, const char *set);
/* Whether every check is healthy now (call on every change of that). */
void		 change_tracker_health(struct change_tracker *ct, bool all_healthy,
		    int64_t now_ms);
/*
 * What an incident opened at now_ms on service (may be NULL), critical or
 * not, is blamed on: true with *blame filled, or false for no change.
 */
bool		 change_tracker_blame(const struct change_tracker *ct, const char *service,
		    bool critical, int64_t now_ms, struct change_blame *blame);
/*
 * The next set whose current state is last known good at now_ms (each
 * once per change), or NULL; its change id in *change_id.
 */
const char	*change_tracker_lkg_due(struct change_tracker *ct, int64_t now_ms,
		    int64_t *change_id);
/* When change_tracker_lkg_due may next say something: ms, or -1 for never. */
int64_t		 change_tracker_next_due(const struct change_tracker *ct, int64_t now_ms);

#endif
