#include "supervise/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fdio.h"
#include "core/log.h"
#include "core/mem.h"

struct service_log {
	int		 refs;
	int		 fd;
	int64_t		 size;
	char		*path;
	char		*name;
	struct service_log_conf conf;
};

struct output_pipe {
	uv_pipe_t	 pipe;
	struct service_log *log;
	char		 buf[16384];
};

static void
service_log_open_file(struct service_log *log)
{
	struct stat st;

	log->fd = open(log->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (log->fd < 0) {
		log_warn(log->name, "cannot open %s: %s", log->path, strerror(errno));
		return;
	}
	log->size = fstat(log->fd, &st) == 0 ? st.st_size : 0;
}

struct service_log *
service_log_new(const char *dir, const char *name,
    const struct service_log_conf *conf)
{
	struct service_log *log = xcalloc(1, sizeof(*log));

	log->refs = 1;
	log->path = xasprintf("%s/%s.log", dir, name);
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
	free(log->path);
	free(log->name);
	free(log);
}

/* NAME.log -> NAME.log.1 -> ... -> NAME.log.KEEP, the oldest dropped. */
static void
service_log_rotate(struct service_log *log)
{
	char *from, *to;
	int i;

	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
	for (i = log->conf.keep - 1; i >= 0; i--) {
		from = i == 0 ? xstrdup(log->path) : xasprintf("%s.%d", log->path, i);
		to = xasprintf("%s.%d", log->path, i + 1);
		if (rename(from, to) < 0 && errno != ENOENT)
			log_warn(log->name, "cannot rotate %s: %s", from, strerror(errno));
		free(from);
		free(to);
	}
	if (log->conf.keep <= 0)
		unlink(log->path);
	service_log_open_file(log);
}

static void
service_log_write_all(struct service_log *log, const char *buf, size_t len)
{
	if (log->fd < 0)
		return;
	if (fd_write_all(log->fd, buf, len) < 0) {
		log_warn(log->name, "cannot write %s: %s", log->path, strerror(errno));
		return;
	}
	log->size += (int64_t)len;
}

/*
 * How much of buf fits in the current file: up to its last newline within
 * the room left, so that lines stay whole where they can.
 */
static size_t
service_log_fit(const struct service_log *log, const char *buf, size_t len)
{
	int64_t room = log->conf.max_size - log->size;
	const char *nl;

	if (log->conf.max_size <= 0 || (int64_t)len <= room)
		return len;
	if (room <= 0)
		return 0;
	nl = memrchr(buf, '\n', (size_t)room);
	return nl != NULL ? (size_t)(nl - buf) + 1 : (size_t)room;
}

void
service_log_write(struct service_log *log, const char *buf, size_t len)
{
	size_t n;

	while (len > 0) {
		n = service_log_fit(log, buf, len);
		if (n == 0) {
			service_log_rotate(log);
			if (log->fd < 0)
				return;
			/* A fresh file takes at least a piece, however long the line. */
			n = service_log_fit(log, buf, len);
			if (n == 0)
				n = len;
		}
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
	struct output_pipe *op = handle->data;

	buf->base = op->buf;
	buf->len = sizeof(op->buf);
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
