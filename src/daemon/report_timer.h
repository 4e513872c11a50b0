/*
 * The scheduled report (`report:`, docs/report.md): at each run the
 * period's report is read from the store off the loop and written as
 * STATE_DIR/reports/report-YYYYMMDD-HHMM.{md,html,json}; the newest
 * `keep` sets stay; then it is posted to the alert channels of `to`.
 */
#ifndef TEND_DAEMON_REPORT_TIMER_H
#define TEND_DAEMON_REPORT_TIMER_H

#include <uv.h>

#include "alert/alert.h"
#include "config/model.h"
#include "core/statedir.h"

struct report_timer;

/*
 * Armed when conf->enabled; sd and al (which posts each report to the
 * channels of conf->to) must outlive it.
 */
struct report_timer *report_timer_new(uv_loop_t *loop, struct statedir *sd,
		    const struct report_conf *conf, struct alerter *al);
/* A reload's settings: the schedule starts again from now when they changed. */
void		 report_timer_set_config(struct report_timer *rt, const struct report_conf *conf);
void		 report_timer_free(struct report_timer *rt);

#endif
