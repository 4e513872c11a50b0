#include "health/state.h"

static const char *const health_state_names[] = {
	[HEALTH_HEALTHY] = "healthy",
	[HEALTH_WARNING] = "warning",
	[HEALTH_CRITICAL] = "critical",
	[HEALTH_UNKNOWN] = "unknown",
};

/* An unknown state hides what it should have seen: worse than a warning. */
static const int health_state_severity[] = {
	[HEALTH_HEALTHY] = 0,
	[HEALTH_WARNING] = 1,
	[HEALTH_UNKNOWN] = 2,
	[HEALTH_CRITICAL] = 3,
};

const char *
health_state_name(enum health_state state)
{
	return health_state_names[state];
}

enum health_state
health_state_worst(enum health_state a, enum health_state b)
{
	return health_state_severity[a] >= health_state_severity[b] ? a : b;
}

enum health_state
health_state_from_thresholds(double value, double warn, double crit)
{
	if (value >= crit)
		return HEALTH_CRITICAL;
	if (value >= warn)
		return HEALTH_WARNING;
	return HEALTH_HEALTHY;
}
