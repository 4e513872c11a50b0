/* The windows of log checks (logwindow.h). */
#include "checks/logwindow.h"

#include <string.h>

void
logwindow_init(struct logwindow *w, int64_t within_ms)
{
	memset(w, 0, sizeof(*w));
	w->within_ms = within_ms > 0 ? within_ms : 60000;
	w->width_ms = (w->within_ms + LOGWINDOW_BUCKETS - 1) / LOGWINDOW_BUCKETS;
	if (w->width_ms < 1000)
		w->width_ms = 1000;
}

void
logwindow_add(struct logwindow *w, int64_t now_ms, uint64_t matched, uint64_t lines)
{
	/* Starts are offset by one width so that 0 can mean "empty". */
	int64_t start = (now_ms / w->width_ms + 1) * w->width_ms;
	size_t i = (size_t)((now_ms / w->width_ms) % LOGWINDOW_BUCKETS);

	if (w->b[i].start != start) {
		w->b[i].start = start;
		w->b[i].matched = 0;
		w->b[i].lines = 0;
	}
	w->b[i].matched += matched;
	w->b[i].lines += lines;
}

void
logwindow_sum(const struct logwindow *w, int64_t now_ms, uint64_t *matched,
    uint64_t *lines)
{
	int64_t now_start = (now_ms / w->width_ms + 1) * w->width_ms;
	size_t i;

	*matched = 0;
	*lines = 0;
	for (i = 0; i < LOGWINDOW_BUCKETS; i++) {
		if (w->b[i].start == 0 || w->b[i].start > now_start ||
		    now_start - w->b[i].start >= w->within_ms)
			continue;
		*matched += w->b[i].matched;
		*lines += w->b[i].lines;
	}
}
