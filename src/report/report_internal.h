/* What the report's files share and no one else needs. */
#ifndef TEND_REPORT_INTERNAL_H
#define TEND_REPORT_INTERNAL_H

#include "report/report.h"

/* p->targets and p->anomalies from state_changes; an SQLite code. */
int	report_collect_targets(sqlite3 *db, struct report_period *p);

#endif
