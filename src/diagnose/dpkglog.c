#include "diagnose/dpkglog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"

#define DPKGLOG_READ_MAX	(1024 * 1024)
#define DPKGLOG_LINE_MAX	4096	/* a longer line is no line of dpkg's */

static const char *const dpkg_actions[] = { "install", "upgrade", "remove", "purge", NULL };

/* The next space-separated field of [*p, end) into out; false when there is none or it does not fit. */
static bool
field(const char **p, const char *end, char *out, size_t len)
{
	const char *s = *p, *e;

	while (s < end && *s == ' ')
		s++;
	for (e = s; e < end && *e != ' '; e++)
		if ((unsigned char)*e < 0x21 || *e == 0x7f)
			return false;
	if (e == s || (size_t)(e - s) >= len)
		return false;
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	*p = e;
	return true;
}

/* "YYYY-MM-DD HH:MM:SS", local time, to ms since the epoch; -1 when it is not that. */
static int64_t
dpkg_time(const char *date, const char *clock)
{
	struct tm tm = { 0 };
	char *end;
	time_t t;

	end = strptime(date, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	end = strptime(clock, "%H:%M:%S", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	return (int64_t)t * 1000;
}

static void
version_of(const char *field_text, char *out, size_t len)
{
	snprintf(out, len, "%s", strcmp(field_text, "<none>") == 0 ? "" : field_text);
}

bool
dpkglog_parse_line(const char *line, size_t len, struct dpkg_event *ev)
{
	const char *p = line, *end = line + len;
	char date[16], clock[16], from[DPKGLOG_VERSION_MAX], to[DPKGLOG_VERSION_MAX];
	size_t i;

	if (len > 0 && end[-1] == '\n')
		end--;
	memset(ev, 0, sizeof(*ev));
	if (!field(&p, end, date, sizeof(date)) || !field(&p, end, clock, sizeof(clock)) ||
	    !field(&p, end, ev->action, sizeof(ev->action)))
		return false;
	for (i = 0; dpkg_actions[i] != NULL; i++)
		if (strcmp(ev->action, dpkg_actions[i]) == 0)
			break;
	if (dpkg_actions[i] == NULL)
		return false;
	if (!field(&p, end, ev->package, sizeof(ev->package)) ||
	    !field(&p, end, from, sizeof(from)) || !field(&p, end, to, sizeof(to)))
		return false;
	while (p < end && *p == ' ')
		p++;
	if (p != end || (ev->at_ms = dpkg_time(date, clock)) < 0)
		return false;
	version_of(from, ev->from, sizeof(ev->from));
	version_of(to, ev->to, sizeof(ev->to));
	return true;
}

int
dpkglog_open(struct dpkglog *dl, const char *path)
{
	struct stat st;

	memset(dl, 0, sizeof(*dl));
	dl->path = xstrdup(path);
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		dl->dev = st.st_dev;
		dl->ino = st.st_ino;
		dl->offset = st.st_size;
	}
	return 0;
}

/* Each whole line of buf (partial's start before it) to fn; what is left is kept. */
static int
dpkglog_lines(struct dpkglog *dl, const char *buf, size_t n, dpkglog_fn fn, void *arg)
{
	const char *p = buf, *nl;
	struct dpkg_event ev;
	int lines = 0;
	char *line;
	size_t len;

	while ((nl = memchr(p, '\n', (size_t)(buf + n - p))) != NULL) {
		len = (size_t)(nl - p);
		line = dl->partial;
		if (dl->partial_len + len <= DPKGLOG_LINE_MAX) {
			line = xrealloc(dl->partial, dl->partial_len + len + 1);
			memcpy(line + dl->partial_len, p, len);
			if (dpkglog_parse_line(line, dl->partial_len + len, &ev))
				fn(arg, &ev);
		}
		free(line);
		dl->partial = NULL;
		dl->partial_len = 0;
		lines++;
		p = nl + 1;
	}
	len = (size_t)(buf + n - p);
	if (len > 0 && dl->partial_len + len <= DPKGLOG_LINE_MAX) {
		dl->partial = xrealloc(dl->partial, dl->partial_len + len + 1);
		memcpy(dl->partial + dl->partial_len, p, len);
		dl->partial_len += len;
	} else if (len > 0) {
		dl->partial_len = DPKGLOG_LINE_MAX + 1;	/* dropped up to its end */
	}
	return lines;
}

int
dpkglog_poll(struct dpkglog *dl, dpkglog_fn fn, void *arg)
{
	struct stat st;
	ssize_t n;
	char *buf;
	int fd, lines;

	fd = open(dl->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	/* Rotated (another file) or truncated: the new one from its start. */
	if (st.st_dev != dl->dev || st.st_ino != dl->ino || st.st_size < dl->offset) {
		dl->dev = st.st_dev;
		dl->ino = st.st_ino;
		dl->offset = 0;
		free(dl->partial);
		dl->partial = NULL;
		dl->partial_len = 0;
	}
	/* Most polls: nothing written since (the 1 MB buffer was a mmap and munmap each). */
	if (st.st_size == dl->offset) {
		close(fd);
		return 0;
	}
	buf = xmalloc(DPKGLOG_READ_MAX);
	n = pread(fd, buf, DPKGLOG_READ_MAX, dl->offset);
	close(fd);
	if (n < 0) {
		free(buf);
		return -1;
	}
	dl->offset += n;
	lines = dpkglog_lines(dl, buf, (size_t)n, fn, arg);
	free(buf);
	return lines;
}

void
dpkglog_close(struct dpkglog *dl)
{
	free(dl->path);
	free(dl->partial);
	memset(dl, 0, sizeof(*dl));
}
