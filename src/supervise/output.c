#include "supervise/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/fdio.h"
#include "core/log.h"
#include "core/logindex.h"
#include "core/mem.h"
#include "core/selfhealth.h"
#include "core/statedir.h"

/*
 * How often a log looks whether its file is still there (logs/ deleted:
 * writes would go to a file no one can see) and retries an open that failed.
 */
#define LOG_CHECK_MS	1000
/* How far a line begun in a file may take it past its limit before it is cut. */
#define LOG_LINE_MAX	65536

struct service_log {
	int		 refs;
	int		 fd;		/* -1: the open failed; retried */
	int		 idx_fd;	/* NAME.log.idx (core/logindex.h), or -1 */
	bool		 idx_due;	/* to be opened at the first output */
	int64_t		 idx_last_ms;	/* its last record's time */
	int64_t		 size;
	bool		 mid_line;	/* the file does not end with a newline */
	bool		 failing;	/* the last open or write failed */
	int64_t		 next_check;	/* monotonic ms */
	struct statedir	*sd;
	char		*rel;		/* "logs/NAME.log" */
	char		*name;
	struct service_log_conf conf;
};

struct output_pipe {
	uv_pipe_t	 pipe;
	struct service_log *log;
};

/*
 * One read buffer for every service's pipe: libuv asks for a buffer, reads
 * into it and hands it to the read callback, which writes it to the log
 * before it returns, one pipe at a time on the loop thread. A buffer per
 * pipe was 16 KB a service (1.6 MB at 100 services, most of tend's heap).
 */
static char output_read_buf[65536];

/* A failed open or write: said (repeats are rate-limited), counted, and part of tend's health. */
static void
service_log_failed(struct service_log *log, const char *what)
{
	char problem[512];
	int err = errno;

	snprintf(problem, sizeof(problem), "cannot %s %s/%s: %s", what,
	    statedir_path(log->sd), log->rel, strerror(err));
	log_warn(log->name, "%s", problem);
	selfhealth_count(SELF_LOG_WRITE_ERRORS, 1);
	selfhealth_fail(log->rel, problem, err == ENOSPC || err == EDQUOT ?
	    "free space on the state dir's filesystem; the service's output is lost "
	    "meanwhile" : NULL);
	log->failing = true;
	/* Tried again in a second, not at every read of a chatty service's pipe. */
	log->next_check = clock_mono_ms() + LOG_CHECK_MS;
}

static void
service_log_worked(struct service_log *log)
{
	if (!log->failing)
		return;
	log->failing = false;
	selfhealth_ok(log->rel);
	log_info(log->name, "%s/%s is written again", statedir_path(log->sd), log->rel);
}

/* Whether the file ends mid-line: the next line must not start there after a rotation. */
static bool
service_log_ends_mid_line(int fd, int64_t size)
{
	char last;

	return size > 0 && pread(fd, &last, 1, size - 1) == 1 && last != '\n';
}

static void
service_log_close_index(struct service_log *log)
{
	if (log->idx_fd >= 0)
		close(log->idx_fd);
	log->idx_fd = -1;
}

/*
 * The time index beside the file, opened at the first output written to
 * it (a thousand quiet services starting made a thousand index files, half
 * the time of their start). Without one the log is still written: tend
 * logs --since falls back on the file's mtime.
 */
static void
service_log_open_index(struct service_log *log)
{
	char *rel = xasprintf("%s.idx", log->rel);

	service_log_close_index(log);
	log->idx_due = false;
	log->idx_fd = statedir_openat(log->sd, rel, O_RDWR | O_CREAT | O_APPEND, 0640);
	if (log->idx_fd < 0 || logindex_prepare(log->idx_fd, log->size,
	    &log->idx_last_ms) < 0) {
		log_warn(log->name, "cannot write %s/%s: %s; tend logs --since will place "
		    "its lines by the file's mtime", statedir_path(log->sd), rel,
		    strerror(errno));
		service_log_close_index(log);
	}
	free(rel);
}

/* Output about to be written at the end of the file: when, in the index. */
static void
service_log_note_time(struct service_log *log)
{
	if (log->idx_due)
		service_log_open_index(log);
	if (log->idx_fd < 0 || logindex_note(log->idx_fd, log->size, clock_wall_ms(),
	    &log->idx_last_ms) >= 0)
		return;
	log_warn(log->name, "cannot write %s/%s.idx: %s", statedir_path(log->sd), log->rel,
	    strerror(errno));
	service_log_close_index(log);
}

static void
service_log_open_file(struct service_log *log)
{
	struct stat st;

	log->next_check = clock_mono_ms() + LOG_CHECK_MS;
	/* Relative to the state dir's descriptor: a deleted logs/ is made again. */
	log->fd = statedir_openat(log->sd, log->rel, O_WRONLY | O_CREAT | O_APPEND, 0640);
	if (log->fd < 0) {
		service_log_failed(log, "open");
		return;
	}
	log->size = fstat(log->fd, &st) == 0 ? st.st_size : 0;
	log->mid_line = service_log_ends_mid_line(log->fd, log->size);
	service_log_worked(log);
	service_log_close_index(log);
	log->idx_due = true;
}

struct service_log *
service_log_new(struct statedir *sd, const char *name,
    const struct service_log_conf *conf)
{
	struct service_log *log = xcalloc(1, sizeof(*log));

	log->refs = 1;
	log->idx_fd = -1;
	log->sd = sd;
	log->rel = xasprintf("logs/%s.log", name);
	log->name = xstrdup(name);
	log->conf = *conf;
	service_log_open_file(log);
	return log;
}

struct service_log *
service_log_ref(struct service_log *log)
{
	log->refs++;
	return log;
}

void
service_log_unref(struct service_log *log)
{
	if (log == NULL || --log->refs > 0)
		return;
	if (log->fd >= 0)
		close(log->fd);
	service_log_close_index(log);
	free(log->rel);
	free(log->name);
	free(log);
}

/* from -> to within the state dir; a missing from is no error. */
static void
service_log_rename(struct service_log *log, const char *from, const char *to)
{
	if (statedir_rename(log->sd, from, to) < 0 && errno != ENOENT)
		log_warn(log->name, "cannot rotate %s/%s: %s", statedir_path(log->sd), from,
		    strerror(errno));
}

/* A log file and its time index (FILE.idx), from -> to. */
static void
service_log_rename_with_index(struct service_log *log, const char *from, const char *to)
{
	char *idx_from = xasprintf("%s.idx", from), *idx_to = xasprintf("%s.idx", to);

	service_log_rename(log, from, to);
	service_log_rename(log, idx_from, idx_to);
	free(idx_from);
	free(idx_to);
}

/*
 * NAME.log -> NAME.log.1 -> ... -> NAME.log.KEEP, the oldest dropped, each
 * file's time index (NAME.log.N.idx) moved with it.
 */
static void
service_log_rotate(struct service_log *log)
{
	char *from, *to;
	int i;

	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
	service_log_close_index(log);
	for (i = log->conf.keep - 1; i >= 0; i--) {
		from = i == 0 ? xstrdup(log->rel) : xasprintf("%s.%d", log->rel, i);
		to = xasprintf("%s.%d", log->rel, i + 1);
		service_log_rename_with_index(log, from, to);
		free(from);
		free(to);
	}
	if (log->conf.keep <= 0) {
		statedir_unlink(log->sd, log->rel);
		from = xasprintf("%s.idx", log->rel);
		statedir_unlink(log->sd, from);
		free(from);
	}
	service_log_open_file(log);
}

/*
 * Once a second: reopens a file whose name is gone (deleted, or its
 * directory: writes would vanish), or one that could not be opened.
 */
static void
service_log_check(struct service_log *log)
{
	struct stat st;

	if (clock_mono_ms() < log->next_check)
		return;
	log->next_check = clock_mono_ms() + LOG_CHECK_MS;
	if (log->fd >= 0 && fstat(log->fd, &st) == 0 && st.st_nlink > 0)
		return;
	if (log->fd >= 0) {
		log_warn(log->name, "%s/%s was deleted; making it again",
		    statedir_path(log->sd), log->rel);
		close(log->fd);
		log->fd = -1;
	}
	service_log_open_file(log);
}

static void
service_log_write_all(struct service_log *log, const char *buf, size_t len)
{
	if (log->fd < 0)
		return;
	service_log_note_time(log);
	if (fd_write_all(log->fd, buf, len) < 0) {
		service_log_failed(log, "write");
		return;
	}
	service_log_worked(log);
	log->size += (int64_t)len;
	log->mid_line = buf[len - 1] != '\n';
}

/*
 * How much of buf goes in the current file before it is rotated, keeping
 * lines whole: a line begun in this file ends in it (unless it has run
 * LOG_LINE_MAX past the limit), and a line that does not fit starts the
 * next file. 0: rotate first.
 */
static size_t
service_log_fit(const struct service_log *log, const char *buf, size_t len)
{
	int64_t room = log->conf.max_size - log->size;
	const char *nl;

	if (log->conf.max_size <= 0 || (int64_t)len <= room)
		return len;
	if (log->mid_line && log->size < log->conf.max_size + LOG_LINE_MAX) {
		nl = memchr(buf, '\n', len);
		return nl != NULL ? (size_t)(nl - buf) + 1 : len;
	}
	if (room <= 0)
		return 0;
	nl = memrchr(buf, '\n', (size_t)room);
	return nl != NULL ? (size_t)(nl - buf) + 1 : 0;
}

void
service_log_write(struct service_log *log, const char *buf, size_t len)
{
	bool rotated = false;
	const char *nl;
	size_t n;

	if (log->failing && clock_mono_ms() < log->next_check)
		return;
	service_log_check(log);
	while (len > 0 && log->fd >= 0) {
		n = service_log_fit(log, buf, len);
		if (n == 0 && log->size > 0 && !rotated) {
			service_log_rotate(log);
			rotated = true;
			continue;
		}
		if (n == 0) {
			/*
			 * A line longer than the limit: a fresh file takes it
			 * whole (and so does one a failed rename left full).
			 */
			nl = memchr(buf, '\n', len);
			n = nl != NULL ? (size_t)(nl - buf) + 1 : len;
		}
		rotated = false;
		service_log_write_all(log, buf, n);
		buf += n;
		len -= n;
	}
}

static void
output_pipe_closed(uv_handle_t *handle)
{
	struct output_pipe *op = handle->data;

	service_log_unref(op->log);
	free(op);
}

static void
output_pipe_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	(void)handle, (void)suggested;
	buf->base = output_read_buf;
	buf->len = sizeof(output_read_buf);
}

static void
output_pipe_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct output_pipe *op = stream->data;

	if (nread > 0) {
		service_log_write(op->log, buf->base, (size_t)nread);
		return;
	}
	if (nread < 0)
		uv_close((uv_handle_t *)stream, output_pipe_closed);
}

int
output_pipe_open(uv_loop_t *loop, struct service_log *log, int *child_fd)
{
	struct output_pipe *op;
	int fds[2], rc;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	op = xcalloc(1, sizeof(*op));
	op->log = service_log_ref(log);
	op->pipe.data = op;
	rc = uv_pipe_init(loop, &op->pipe, 0);
	if (rc == 0)
		rc = uv_pipe_open(&op->pipe, fds[0]);
	if (rc == 0)
		rc = uv_read_start((uv_stream_t *)&op->pipe, output_pipe_alloc,
		    output_pipe_read);
	if (rc != 0) {
		close(fds[1]);
		uv_close((uv_handle_t *)&op->pipe, output_pipe_closed);
		return rc;
	}
	*child_fd = fds[1];
	return 0;
}
