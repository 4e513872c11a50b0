/*
 * Following a log file as `tail -F` does, for log checks: from its end the
 * first time it is seen, never reading a byte twice; a new file at the path
 * (rotation) is read from its start once the old one is finished; a file
 * shorter than what was read (truncation) is read again from 0; a file that
 * is gone is waited for, and read from its start when it comes back.
 * Lines are cut at line_max bytes (the rest, up to the newline, skipped:
 * a 10 MB line is one line). Each read takes at most `budget` bytes.
 * Blocking I/O: run it on libuv's thread pool, never on the loop.
 */
#ifndef TEND_CHECKS_LOGFOLLOW_H
#define TEND_CHECKS_LOGFOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LOGFOLLOW_LINE_MAX	65536

enum logfollow_status {
	LOGFOLLOW_OK,
	LOGFOLLOW_MISSING,	/* nothing at the path (yet, or any more) */
	LOGFOLLOW_NOT_FILE,	/* a directory, a symlink (nofollow), a device, ... */
	LOGFOLLOW_ERROR,	/* err says why */
};

/* A line was cut at line_max: what follows it up to the newline is skipped. */
#define LOGLINE_CUT	0x1

/* One line, without its newline (nor a \r before it); valid during the call. */
typedef void	(*logline_fn)(void *arg, const char *line, size_t len, unsigned flags);

struct logfollow {
	char		*path;
	bool		 nofollow;	/* a symlink is no log (tend's own files) */
	size_t		 line_max;
	bool		 seen;		/* looked once: new files read whole */
	int		 fd;		/* the file at path, -1 */
	dev_t		 dev;
	ino_t		 ino;
	int64_t		 off;
	int		 old_fd;	/* rotated away and not finished, -1 */
	int64_t		 old_off;
	char		*line;		/* a line begun and not ended */
	size_t		 len;
	bool		 skipping;	/* after a cut: up to the next newline */
	char		*buf;
};

/* What one read found. */
struct logfollow_report {
	enum logfollow_status status;
	int		 err;
	mode_t		 mode;		/* NOT_FILE: what is there */
	int64_t		 bytes;		/* read */
	int64_t		 behind;	/* left for the next read (budget used up) */
	bool		 started;	/* first seen now: from its end */
	bool		 rotated;
	bool		 truncated;
};

void	logfollow_init(struct logfollow *f, const char *path, bool nofollow,
	    size_t line_max);
/* Reads what was added since the last read, up to budget bytes; fn gets each line. */
void	logfollow_read(struct logfollow *f, int64_t budget, logline_fn fn, void *arg,
	    struct logfollow_report *rep);
void	logfollow_close(struct logfollow *f);

#endif
