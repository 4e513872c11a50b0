/*
 * Durations (250ms 5s 2m 1h 1d; a bare number is seconds), sizes (512KB
 * 10MB 1GB; a bare number is bytes; KB is 1024 bytes) and percentages (85%
 * or 85). Each returns 0, or -1 with *expected set to a description of
 * what a valid value looks like.
 */
#ifndef TEND_CONFIG_UNITS_H
#define TEND_CONFIG_UNITS_H

#include <stddef.h>
#include <stdint.h>

int	units_parse_duration(const char *s, int64_t *ms, const char **expected);
int	units_parse_size(const char *s, int64_t *bytes, const char **expected);
int	units_parse_percent(const char *s, double *pct, const char **expected);
/* Formats a duration as the largest exact unit ("1500ms", "2m"). */
void	units_format_duration(int64_t ms, char *buf, size_t len);
/* Formats a size in bytes: "800 B", "12.4 MiB". */
void	units_format_size(double bytes, char *buf, size_t len);

#endif
