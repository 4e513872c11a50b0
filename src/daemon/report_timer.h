/*
 * The scheduled report (`report:`, docs/report.md): at each run the
 * period's report is read from the store off the loop and written as
 * STATE_DIR/reports/report-YYYYMMDD-HHMM.{md,html,json}; the newest
 * `keep` sets stay.
 */
#ifndef TEND_DAEMON_REPORT_TIMER_H
#define TEND_DAEMON_REPORT_TIMER_H

#include <uv.h>

#include "config/model.h"
#include "core/statedir.h"

struct report_timer;

/* Armed when conf->enabled; sd must outlive it. */
struct report_timer *report_timer_new(uv_loop_t *loop, struct statedir *sd,
		    const struct report_conf *conf);
/* A reload's settings: the schedule starts again from now when they changed. */
void		 report_timer_set_config(struct report_timer *rt, const struct report_conf *conf);
void		 report_timer_free(struct report_timer *rt);

#endif
