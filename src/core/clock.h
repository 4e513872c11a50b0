/* Time: monotonic milliseconds for durations, wall time for records. */
#ifndef TEND_CORE_CLOCK_H
#define TEND_CORE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

int64_t	clock_mono_ms(void);
int64_t	clock_mono_ns(void);
int64_t	clock_wall_ms(void);
/*
 * An ISO 8601 time as people write it, to wall-clock ms: 2026-12-02,
 * 2026-12-02T14:05 or 2026-12-02 14:05:30, local time unless it ends in Z
 * or +HH:MM. 0, or -1 when s is not one.
 */
int	clock_parse_iso(const char *s, int64_t *ms);

#endif
