/*
 * The table of every check that the web server publishes (web/snapshot.h):
 * an entry per check, made again only when the check has a new result, so
 * that publishing ten thousand checks costs what changed since the last
 * publish, not the whole table. Kept only with the web server on.
 */
#ifndef TEND_DAEMON_CHECK_TABLE_H
#define TEND_DAEMON_CHECK_TABLE_H

#include <jansson.h>

#include "checks/result.h"
#include "config/model.h"
#include "health/state.h"

struct check_table;
struct scheduler;
struct web_checks;

struct check_table *check_table_new(void);
/* NULL is fine. */
void		 check_table_free(struct check_table *t);
/* The checks of a new config (at start, after a reload); their entries made at the next take. */
void		 check_table_reset(struct check_table *t, const struct tend_config *cfg);
/* Every entry made again at the next take: checks were paused or resumed. */
void		 check_table_stale(struct check_table *t);
/* A check's result, with its tracked state after it (scheduler_on_result's). */
void		 check_table_result(struct check_table *t, const struct check_conf *conf,
		    const struct check_result *r, enum health_state tracked);
/*
 * The table as it is now (a new reference): the last one taken when
 * nothing changed; what is stale made from scheduler_status(s).
 */
struct web_checks *check_table_take(struct check_table *t, const struct scheduler *s);
/*
 * As of the last take: the checks that are not healthy (nor paused), the
 * worst first (critical, warning, unknown; each in the config's order), at
 * most max of them as CHECK objects; *more counts those left out.
 */
json_t		*check_table_problems(const struct check_table *t, size_t max, size_t *more);
/*
 * As of the last take: by_service's values (objects, one per service name)
 * filled with their service's checks by state, {"healthy": 9, "critical": 1}.
 */
void		 check_table_counts(const struct check_table *t, json_t *by_service);

#endif
