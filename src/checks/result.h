/*
 * What one run of a check found: a state, a message, how long it took, and
 * any metrics it reported (Nagios perfdata, or the value a check measured).
 */
#ifndef TEND_CHECKS_RESULT_H
#define TEND_CHECKS_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "health/state.h"

/* 'label'=value[UOM];[warn];[crit];[min];[max] */
struct perf_metric {
	char		*label;		/* the result's own, unless label_static */
	double		 value;		/* NAN: unknown (Nagios's U) */
	char		 uom[7];	/* Nagios's are two letters at most */
	/*
	 * label is a check type's literal ("cpu", "rss"), not a copy: 10,000
	 * checks keep their last result's six or seven, 2 MB of copies.
	 */
	bool		 label_static;
	char		*warn;		/* a Nagios range, kept as written; may be NULL */
	char		*crit;
	double		 min;		/* NAN when absent */
	double		 max;
};

struct check_result {
	enum health_state state;
	char		 message[512];
	double		 latency_ms;
	struct perf_metric *perf;
	size_t		 n_perf;
	/*
	 * Bit i: perf[i] says what the check's last sample said (set on the
	 * samples scheduler_on_sample gives: see scheduled_mark_repeats).
	 */
	uint32_t	 perf_repeated;
	/*
	 * Bit i: perf[i] is seconds that pass as time does (an uptime, an
	 * age): a sample on that line says nothing new. Bits, not a field of
	 * each metric: 10,000 checks keep their last metrics.
	 */
	uint32_t	 perf_clock;
	json_t		*versions;	/* deps: {name: version}, else NULL */
	/*
	 * deps: one object per dependency, else NULL: name, kind, status (ok,
	 * missing, too-old, too-new, unknown), version and constraint (or
	 * null), message.
	 */
	json_t		*dependencies;
	/*
	 * What a run noticed besides its state, for the daemon to say (NULL:
	 * nothing): [{"kind": "new_pattern", "template": ..., "count": N}]
	 * from a log check whose matching lines made a template never seen.
	 */
	json_t		*events;
};

/*
 * A result as a check keeps it once reported: its message at its length
 * (ten thousand checks each holding a 512-byte buffer were 5 MB).
 */
struct check_kept {
	enum health_state state;
	double		 latency_ms;
	char		*message;	/* NULL before the first result */
	struct perf_metric *perf;
	size_t		 n_perf;
	json_t		*versions;
	json_t		*dependencies;
};

void	check_result_init(struct check_result *r);
void	check_result_clear(struct check_result *r);
/* Replaces what k holds with r's result (its parts moved): r is left empty. */
void	check_kept_take(struct check_kept *k, struct check_result *r);
void	check_kept_clear(struct check_kept *k);
/* A result borrowing k's parts, for reading only: never clear it. */
void	check_kept_view(const struct check_kept *k, struct check_result *view);
/* Moves src (metrics and all) into dst, which must be clear; src is left empty. */
void	check_result_move(struct check_result *dst, struct check_result *src);
/* Notes the version found of a dependency (deps checks). */
void	check_result_set_version(struct check_result *r, const char *name,
	    const char *version);
void	check_result_set(struct check_result *r, enum health_state state,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* label: a string that outlives every result (a literal); it is not copied. */
void	check_result_add_metric(struct check_result *r, const char *label,
	    double value, const char *uom);
/* A metric in seconds that grow as time passes (check_result.perf_clock). */
void	check_result_add_clock(struct check_result *r, const char *label, double seconds);
/*
 * Whether metric i is the result's latency again (the http and tcp checks'
 * `time`, in s): recorded and watched once, as the latency, not twice.
 */
bool	check_result_metric_is_latency(const struct check_result *r, size_t i);
/* Whether metric i says what the check's last sample said (perf_repeated). */
bool	check_result_metric_is_repeated(const struct check_result *r, size_t i);
/* Whether metric i is a clock (perf_clock). */
bool	check_result_metric_is_clock(const struct check_result *r, size_t i);
/*
 * Makes a result fit to be shown, stored and serialized, once, where every
 * run ends (check_run_finish): the message with its URLs' credentials
 * hidden and, like the metrics' labels, units and ranges, valid UTF-8;
 * every value that is not a finite number becomes NAN, unknown.
 */
void	check_result_sanitize(struct check_result *r);
/* Unknown values are null. */
json_t	*check_result_json(const struct check_result *r);

/*
 * Parses a Nagios plugin's output: the first line's text before '|' is the
 * message; perfdata after '|' on the first line and on the long-text lines
 * become metrics. Returns the number of malformed perfdata items skipped.
 */
int	perfdata_parse_output(const char *output, struct check_result *r);
/* Parses one perfdata item; returns 0, or -1 when malformed. */
int	perfdata_parse_item(const char *item, struct perf_metric *m);
void	perf_metric_clear(struct perf_metric *m);

#endif
