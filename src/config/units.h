/*
 * Every number tend.yaml holds, read by one parser. A number is written in
 * decimal digits: no hex, no inf or nan, no blanks before it. Its kind
 * says what else it may have: a fraction, an exponent, a sign, a unit, and
 * its range. Durations (250ms 5s 2m 1h 1d; a bare number is seconds),
 * sizes (512KB 10MB 1GB; a bare number is bytes; KB is 1024 bytes) and
 * percentages (85% or 85) carry a unit. Each parser returns 0, or -1 with
 * *expected set to a description of what a valid value looks like.
 */
#ifndef TEND_CONFIG_UNITS_H
#define TEND_CONFIG_UNITS_H

#include <stddef.h>
#include <stdint.h>

enum number_kind {
	NUMBER_COUNT,		/* a whole number from 0 to 1e9: 3 */
	NUMBER_REAL,		/* a finite number, maybe negative: 2, 1.5, 2e3 */
	NUMBER_RATIO,		/* a fraction from 0 to 1: 0.1 */
	NUMBER_DURATION,	/* milliseconds, maybe negative: 250ms, 1.5s */
	NUMBER_SIZE,		/* bytes: 512KB */
	NUMBER_PERCENT,		/* 0 to 100: 85% */
};

/* The number in s as kind (after its unit's factor) in *out. */
int	units_parse_number(const char *s, enum number_kind kind, double *out,
	    const char **expected);
/* Durations also refuse what rounds to 0ms but is not 0 ("1e-9" never parses). */
int	units_parse_duration(const char *s, int64_t *ms, const char **expected);
int	units_parse_size(const char *s, int64_t *bytes, const char **expected);
int	units_parse_percent(const char *s, double *pct, const char **expected);
/* Formats a duration as the largest exact unit ("1500ms", "2m"). */
void	units_format_duration(int64_t ms, char *buf, size_t len);
/* Formats a size in bytes: "800 B", "12.4 MiB". */
void	units_format_size(double bytes, char *buf, size_t len);

#endif
