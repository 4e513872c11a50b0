#include "heal/autoscale.h"

void
autoscale_note(struct autoscale_memory *m, int64_t now)
{
	m->last_ms = now;
	/* A new count is watched afresh for down_when. */
	m->healthy_since = 0;
}

static bool
autoscale_cooled(const struct autoscale_memory *m, const struct scale_conf *sc,
    int64_t now)
{
	return m->last_ms == 0 || now - m->last_ms >= sc->cooldown_ms;
}

int
autoscale_decide(struct autoscale_memory *m, const struct scale_conf *sc, int count,
    enum health_state worst, bool all_healthy, int64_t now)
{
	bool up = worst == HEALTH_CRITICAL || (sc->up_state == 1 && worst == HEALTH_WARNING);

	if (!all_healthy)
		m->healthy_since = 0;
	else if (m->healthy_since == 0)
		m->healthy_since = now;
	if (!autoscale_cooled(m, sc, now))
		return 0;
	if (up && count < sc->max) {
		autoscale_note(m, now);
		return 1;
	}
	if (all_healthy && sc->down_after_ms > 0 && count > sc->min &&
	    now - m->healthy_since >= sc->down_after_ms) {
		autoscale_note(m, now);
		return -1;
	}
	return 0;
}
