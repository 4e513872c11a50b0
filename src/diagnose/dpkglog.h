/*
 * Debian package changes, read from dpkg's log (/var/log/dpkg.log) as it
 * grows: every install, upgrade, removal and purge, for the changes that
 * incidents are correlated with. A line reads
 *
 *   2026-12-02 04:00:01 upgrade libssl3:amd64 3.0.11-1~deb12u1 3.0.11-1~deb12u2
 *
 * (the time is local; "<none>" stands for no version). Other lines
 * (status, configure, trigproc, startup) are not changes and are skipped.
 */
#ifndef TEND_DIAGNOSE_DPKGLOG_H
#define TEND_DIAGNOSE_DPKGLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DPKGLOG_PATH		"/var/log/dpkg.log"
#define DPKGLOG_NAME_MAX	128	/* a package name with its architecture */
#define DPKGLOG_VERSION_MAX	96

struct dpkg_event {
	int64_t		 at_ms;		/* wall clock, from the line's local time */
	char		 action[8];	/* install, upgrade, remove, purge */
	char		 package[DPKGLOG_NAME_MAX];	/* "libssl3:amd64" */
	char		 from[DPKGLOG_VERSION_MAX];	/* "" for none */
	char		 to[DPKGLOG_VERSION_MAX];	/* "" for none */
};

/* One line (no newline needed): true when it is a change, filled in ev. */
bool	dpkglog_parse_line(const char *line, size_t len, struct dpkg_event *ev);

typedef void	(*dpkglog_fn)(void *arg, const struct dpkg_event *ev);

/* Where reading stopped, across polls; a rotated or truncated log starts over. */
struct dpkglog {
	char		*path;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 offset;
	char		*partial;	/* a last line not ended yet */
	size_t		 partial_len;
};

/*
 * Starts following path from its current end (what happened before tend
 * started is not a change it can correlate). A log that does not exist
 * yet is read from its start once it does. 0.
 */
int	dpkglog_open(struct dpkglog *dl, const char *path);
/*
 * Reads what was appended since the last poll (at most 1 MB a poll: the
 * rest at the next) and calls fn for each change. How many lines were
 * read, or -1 with errno when the log cannot be read (not a regular
 * file, a symbolic link, unreadable).
 */
int	dpkglog_poll(struct dpkglog *dl, dpkglog_fn fn, void *arg);
void	dpkglog_close(struct dpkglog *dl);

#endif
