/*
 * The table of every check that the web server publishes (web/snapshot.h):
 * an entry per check, made again only when the check has a new result, so
 * that publishing ten thousand checks costs what changed since the last
 * publish, not the whole table. Kept only with the web server on.
 */
#ifndef TEND_DAEMON_CHECK_TABLE_H
#define TEND_DAEMON_CHECK_TABLE_H

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

#endif
