/*
 * The four health states, with the Nagios plugin exit codes as values, so
 * that `tend check` slots into Nagios, CI and shell scripts alike.
 */
#ifndef TEND_HEALTH_STATE_H
#define TEND_HEALTH_STATE_H

enum health_state {
	HEALTH_HEALTHY = 0,
	HEALTH_WARNING = 1,
	HEALTH_CRITICAL = 2,
	HEALTH_UNKNOWN = 3,
};
#define HEALTH_STATE_COUNT	4

const char	*health_state_name(enum health_state state);
/* The worse of two: healthy < warning < unknown < critical. */
enum health_state health_state_worst(enum health_state a, enum health_state b);
/* critical at or above crit, warning at or above warn, else healthy. */
enum health_state health_state_from_thresholds(double value, double warn, double crit);

#endif
