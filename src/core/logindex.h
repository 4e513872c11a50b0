/*
 * The time index of a captured log. Operators read STATE/logs/NAME.log raw,
 * so its bytes stay what the service printed; when each part was written is
 * kept beside it in NAME.log.idx (and NAME.log.N.idx beside each rotation):
 * a 16-byte header, then records of (offset, unix ms), native byte order,
 * 16 bytes each, saying "the bytes from offset on were written at or after
 * ms". The writer adds one when output arrives at least LOGINDEX_STEP_MS
 * after the last, so the index costs 16 bytes per second of output at most,
 * and a time is found to within a step by a binary search.
 *
 * A log without a usable index (missing, another file's, damaged) is judged
 * by its mtime instead: its lines all placed at once (span.approx says so).
 */
#ifndef TEND_CORE_LOGINDEX_H
#define TEND_CORE_LOGINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOGINDEX_STEP_MS	1000
#define LOGINDEX_HEADER		16
#define LOGINDEX_RECORD		16
/* Rotations looked at, the current file's included. */
#define LOGINDEX_FILES_MAX	64

/*
 * Makes fd (an index opened for reading and appending) fit to append to a
 * log of log_size bytes: a header written to an empty file; a record torn
 * by a crash cut off; an index of another file (bad header, or records past
 * the log's end) emptied. *last_ms is its last record's time, or INT64_MIN.
 * 0, or -1 with errno.
 */
int	logindex_prepare(int fd, int64_t log_size, int64_t *last_ms);
/*
 * Output arrived at now_ms, to be written at offset: a record when a step
 * has passed since *last_ms (a clock set back writes none until it catches
 * up: the records' times never go back). 1 written, 0 not due, -1 errno.
 */
int	logindex_note(int fd, int64_t offset, int64_t now_ms, int64_t *last_ms);
/*
 * Where lines written at or after ms begin in a log of log_size bytes: the
 * first record whose step reaches past ms (so up to a step early, never
 * late), or log_size when none does. 0, or -1 when fd is not an index.
 */
int	logindex_offset(int fd, int64_t ms, int64_t log_size, int64_t *offset);

/* Part of one log file: bytes [start, end) of fd. */
struct logindex_span {
	int		 fd;		/* open for reading; logindex_spans_close */
	int64_t		 start, end;
	bool		 approx;	/* no usable index: placed by mtime */
	char		 name[256];	/* "web.log.1" */
};

/*
 * The parts of base ("web.log", in the directory dirfd) and its rotations
 * base.1, base.2, ... that hold lines written from since_ms to until_ms
 * (INT64_MIN, INT64_MAX: open), oldest first, of the newest max files at
 * most. Opened without following links. Returns how many (0: no file).
 */
size_t	logindex_spans(int dirfd, const char *base, int64_t since_ms, int64_t until_ms,
	    struct logindex_span *out, size_t max);
void	logindex_spans_close(struct logindex_span *spans, size_t n);

typedef void	(*logindex_line_fn)(void *arg, const char *line, size_t len);
/*
 * Each line of a span to fn, without its newline: a line begun before the
 * span (start mid-line) is left out; one longer than line_max is cut there
 * and its rest dropped. 0, or -1 with errno when reading fails.
 */
int	logindex_read(const struct logindex_span *span, size_t line_max, logindex_line_fn fn,
	    void *arg);

#endif
