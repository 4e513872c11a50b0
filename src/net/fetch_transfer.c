#include "net/fetch_transfer.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/units.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"

/*
 * Opens path and locks it. The lock holder may have renamed the file into
 * the cache meanwhile: then the locked file is no longer the part, and the
 * path is opened again.
 */
static int
fetch_part_lock(const char *path)
{
	struct stat locked, named;
	bool waited = false;
	int fd;

	for (;;) {
		if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
			return -1;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (!waited)
				log_info(NULL, "%s is being downloaded by another tend; "
				    "waiting for it", path);
			waited = true;
			while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
				;
		}
		if (fstat(fd, &locked) == 0 && stat(path, &named) == 0 &&
		    locked.st_dev == named.st_dev && locked.st_ino == named.st_ino)
			return fd;
		close(fd);
	}
}

int
fetch_part_open(struct fetch_part *p, const char *path, int64_t limit, bool exact,
    char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->limit = limit;
	p->exact = exact;
	if ((p->fd = fetch_part_lock(path)) < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	p->path = xstrdup(path);
	p->hash = sha256_new();
	/* What an earlier run left is part of the artifact: hash it again. */
	if (sha256_fd(p->hash, p->fd, &p->size) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		fetch_part_close(p, false);
		return -1;
	}
	return 0;
}

int
fetch_part_truncate(struct fetch_part *p)
{
	if (ftruncate(p->fd, 0) < 0)
		return -1;
	p->size = 0;
	sha256_reset(p->hash);
	return 0;
}

void
fetch_part_digest(struct fetch_part *p, char hex[SHA256_HEX_LEN + 1])
{
	sha256_peek(p->hash, hex);
}

void
fetch_part_close(struct fetch_part *p, bool remove)
{
	if (remove && p->path != NULL)
		unlink(p->path);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	sha256_free(p->hash);
	p->hash = NULL;
	free(p->path);
	p->path = NULL;
}

/* libcurl's write callback: append, hash, and hold the manifest's size. */
static size_t
fetch_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch_part *p = arg;
	size_t len = size * nmemb, done = 0;
	ssize_t n;

	if (p->limit >= 0 && p->size + (int64_t)len > p->limit) {
		p->too_large = true;
		return 0;
	}
	while (done < len) {
		n = pwrite(p->fd, data + done, len - done, (off_t)(p->size + (int64_t)done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			p->write_errno = n < 0 ? errno : EIO;
			/* What was half written is not in the hash: cut it off. */
			if (ftruncate(p->fd, (off_t)p->size) < 0)
				p->write_errno = errno;
			return 0;
		}
		done += (size_t)n;
	}
	sha256_update(p->hash, data, len);
	p->size += (int64_t)len;
	return len;
}

static void
fetch_setup(CURL *curl, const char *url, struct fetch_part *p,
    const struct fetch_timeouts *t, char *errbuf)
{
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "tend/" TEND_VERSION);
	/* A 4xx or 5xx is an error, not a body to be saved as the artifact. */
	curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
	/* The network's schemes only (file:// is read by fetch_file). */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, t->connect_ms);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, t->low_speed_bytes);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, t->low_speed_s);
	curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
	/* Fewer, larger writes and hash updates than the 16 KB default. */
	curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 256L * 1024);
	if (p->size > 0)
		curl_easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)p->size);
	if (p->limit > p->size)
		curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)(p->limit - p->size));
}

/* What a failed transfer means for the next one. */
static enum fetch_verdict
fetch_classify(CURLcode code, long status, bool connected, int64_t received,
    const struct fetch_part *p)
{
	switch (code) {
	case CURLE_OK:
		return FETCH_DONE;
	case CURLE_WRITE_ERROR:
		return p->too_large ? FETCH_NEXT_MIRROR : FETCH_LOCAL_ERROR;
	case CURLE_RANGE_ERROR:
	case CURLE_BAD_DOWNLOAD_RESUME:
		return FETCH_RESTART;
	case CURLE_HTTP_RETURNED_ERROR:
		if (status == 416)
			return FETCH_RESTART;
		if (status >= 500 || status == 408 || status == 429)
			return FETCH_RETRY;
		return FETCH_NEXT_MIRROR;
	case CURLE_OPERATION_TIMEDOUT:
		/* Stalled before its first byte: this mirror is not serving. */
		return connected && received > 0 ? FETCH_RETRY : FETCH_NEXT_MIRROR;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_FILE_COULDNT_READ_FILE:
	case CURLE_REMOTE_FILE_NOT_FOUND:
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_LOGIN_DENIED:
		return FETCH_NEXT_MIRROR;
	default:
		/* Dropped, reset, nothing sent, a TLS or HTTP/2 error mid-way. */
		return FETCH_RETRY;
	}
}

/* Why a mirror sent too much: more than the manifest says, or than the cap. */
static void
fetch_too_large(const struct fetch_part *p, struct fetch_attempt *out)
{
	char cap[32];

	if (p->exact) {
		snprintf(out->error, sizeof(out->error), "sent more than the %lld bytes "
		    "the manifest says", (long long)p->limit);
		return;
	}
	units_format_size((double)p->limit, cap, sizeof(cap));
	snprintf(out->error, sizeof(out->error), "sent more than %s, the most taken "
	    "for an asset without a size (max_size:, --max-size)", cap);
}

/*
 * file:///path or file://localhost/path, its %XX decoded; NULL when it is
 * not one (or decodes to a NUL). Free it.
 */
static char *
fetch_file_path(const char *url)
{
	const char *p = url + strlen("file://");
	char *path, *out, hex[3] = "";

	if (strncmp(p, "localhost/", 10) == 0)
		p += strlen("localhost");
	if (strncmp(url, "file://", 7) != 0 || *p != '/')
		return NULL;
	path = out = xmalloc(strlen(p) + 1);
	for (; *p != '\0'; p++, out++) {
		*out = *p;
		if (*p != '%' || !isxdigit((unsigned char)p[1]) ||
		    !isxdigit((unsigned char)p[2]))
			continue;
		memcpy(hex, p + 1, 2);
		if ((*out = (char)strtol(hex, NULL, 16)) == '\0') {
			free(path);
			return NULL;
		}
		p += 2;
	}
	*out = '\0';
	return path;
}

/*
 * Opens what a file:// mirror names, if it is a regular file: opened
 * without blocking (a FIFO would wait for a writer), then checked, so that
 * nothing can be swapped in between. -1 with out->error filled.
 */
static int
fetch_file_open(const char *url, struct stat *st, struct fetch_attempt *out)
{
	char *path = fetch_file_path(url);
	int fd;

	if (path == NULL) {
		snprintf(out->error, sizeof(out->error), "not a file:/// URL");
		return -1;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		snprintf(out->error, sizeof(out->error), "cannot open %s: %s", path,
		    strerror(errno));
	else if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		snprintf(out->error, sizeof(out->error), "%s is not a regular file",
		    path);
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

/* A file:// mirror: the regular file copied into the part from its size on. */
static void
fetch_file(const char *url, struct fetch_part *p, struct fetch_attempt *out)
{
	int64_t started = clock_mono_ns(), off = p->size;
	size_t chunk = 256 * 1024;
	char *buf;
	struct stat st;
	ssize_t n;
	int fd;

	out->verdict = FETCH_NEXT_MIRROR;
	if ((fd = fetch_file_open(url, &st, out)) < 0)
		return;
	if (off > (int64_t)st.st_size) {
		out->verdict = FETCH_RESTART;
		snprintf(out->error, sizeof(out->error), "shorter (%lld bytes) than what "
		    "is already downloaded", (long long)st.st_size);
		close(fd);
		return;
	}
	buf = xmalloc(chunk);
	out->verdict = FETCH_DONE;
	while ((n = pread(fd, buf, chunk, (off_t)off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			out->verdict = FETCH_NEXT_MIRROR;
			snprintf(out->error, sizeof(out->error), "read: %s", strerror(errno));
			break;
		}
		if (fetch_write(buf, 1, (size_t)n, p) != (size_t)n) {
			out->verdict = p->too_large ? FETCH_NEXT_MIRROR : FETCH_LOCAL_ERROR;
			if (p->too_large)
				fetch_too_large(p, out);
			else
				snprintf(out->error, sizeof(out->error), "cannot write %s: %s",
				    p->path, strerror(p->write_errno));
			break;
		}
		off += n;
	}
	free(buf);
	close(fd);
	out->received = p->size - out->from;
	out->seconds = (double)(clock_mono_ns() - started) / 1e9;
}

void
fetch_transfer(CURL *curl, const char *url, struct fetch_part *p,
    const struct fetch_timeouts *t, struct fetch_attempt *out)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_off_t total_us = 0, connect_us = 0;
	long status = 0;
	CURLcode code;
	bool connected;

	memset(out, 0, sizeof(*out));
	out->from = p->size;
	p->too_large = false;
	p->write_errno = 0;
	if (strncmp(url, "file:", 5) == 0) {
		fetch_file(url, p, out);
		return;
	}
	fetch_setup(curl, url, p, t, errbuf);
	code = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &total_us);
	curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connect_us);
	/* Nothing of ours points into this stack frame once it returns. */
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, NULL);
	out->received = p->size - out->from;
	out->seconds = (double)total_us / 1e6;
	connected = connect_us > 0 || status > 0;
	out->verdict = fetch_classify(code, status, connected, out->received, p);
	if (code == CURLE_OK)
		return;
	if (code == CURLE_HTTP_RETURNED_ERROR)
		snprintf(out->error, sizeof(out->error), "HTTP %ld", status);
	else if ((code == CURLE_WRITE_ERROR && p->too_large) ||
	    code == CURLE_FILESIZE_EXCEEDED)
		fetch_too_large(p, out);
	else if (code == CURLE_WRITE_ERROR)
		snprintf(out->error, sizeof(out->error), "cannot write %s: %s", p->path,
		    strerror(p->write_errno));
	else if (code == CURLE_OPERATION_TIMEDOUT && out->received == 0 && connected)
		snprintf(out->error, sizeof(out->error), "stalled: no data for %ld s",
		    t->low_speed_s);
	else
		snprintf(out->error, sizeof(out->error), "%s",
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code));
	if (out->received > 0 && out->verdict == FETCH_RETRY) {
		size_t n = strlen(out->error);

		snprintf(out->error + n, sizeof(out->error) - n, " (after %lld bytes "
		    "from offset %lld)", (long long)out->received, (long long)out->from);
	}
}
