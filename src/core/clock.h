/* Time: monotonic milliseconds for durations, wall time for records. */
#ifndef TEND_CORE_CLOCK_H
#define TEND_CORE_CLOCK_H

#include <stdint.h>

int64_t	clock_mono_ms(void);
int64_t	clock_mono_ns(void);
int64_t	clock_wall_ms(void);

#endif
