#include "health/tracker.h"

void
health_tracker_init(struct health_tracker *t, int fail_after, int fail_n,
    int fail_of, int recover_after)
{
	*t = (struct health_tracker){
		.fail_after = fail_after > 0 ? fail_after : 1,
		.fail_n = fail_n,
		.fail_of = fail_of > 64 ? 64 : fail_of,
		.recover_after = recover_after > 0 ? recover_after : 1,
		.state = HEALTH_UNKNOWN,
	};
}

static int
health_tracker_recent_failures(const struct health_tracker *t, int window)
{
	int i, n = 0;

	for (i = 0; i < window && i < t->runs; i++)
		if (t->history & ((uint64_t)1 << i))
			n++;
	return n;
}

static bool
health_tracker_tripped(const struct health_tracker *t)
{
	if (t->fail_of > 0)
		return health_tracker_recent_failures(t, t->fail_of) >= t->fail_n;
	return t->consecutive_fail >= t->fail_after;
}

bool
health_tracker_feed(struct health_tracker *t, enum health_state raw)
{
	enum health_state old = t->state;
	bool failing = raw != HEALTH_HEALTHY;

	t->history = (t->history << 1) | (failing ? 1 : 0);
	if (t->runs < 64)
		t->runs++;
	if (!failing) {
		t->consecutive_ok++;
		t->consecutive_fail = 0;
		/* The first pass is believed at once: there is nothing to recover. */
		if (old == HEALTH_UNKNOWN || t->consecutive_ok >= t->recover_after)
			t->state = HEALTH_HEALTHY;
		return t->state != old;
	}
	t->consecutive_fail++;
	t->consecutive_ok = 0;
	/* Once failed, it follows the raw state (warning <-> critical) at once. */
	if (health_tracker_tripped(t) ||
	    (old != HEALTH_HEALTHY && old != HEALTH_UNKNOWN))
		t->state = raw;
	return t->state != old;
}
