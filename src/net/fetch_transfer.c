#include "net/fetch_transfer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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
fetch_part_open(struct fetch_part *p, const char *path, int64_t limit,
    char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->limit = limit;
	if ((p->fd = fetch_part_lock(path)) < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	p->path = xstrdup(path);
	p->hash = cache_sha256_new();
	/* What an earlier run left is part of the artifact: hash it again. */
	if (cache_sha256_fd(p->hash, p->fd, &p->size) < 0) {
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
	cache_sha256_reset(p->hash);
	return 0;
}

void
fetch_part_digest(struct fetch_part *p, char hex[CACHE_HEX_LEN + 1])
{
	cache_sha256_peek(p->hash, hex);
}

void
fetch_part_close(struct fetch_part *p, bool remove)
{
	if (remove && p->path != NULL)
		unlink(p->path);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	cache_sha256_free(p->hash);
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
	cache_sha256_update(p->hash, data, len);
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
	/* The manifest's schemes only; a redirect never leads to a local file. */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https,file");
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
fetch_classify(CURLcode code, long status, bool connected, const struct fetch_part *p)
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
		return connected ? FETCH_RETRY : FETCH_NEXT_MIRROR;
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

void
fetch_transfer(CURL *curl, const char *url, struct fetch_part *p,
    const struct fetch_timeouts *t, struct fetch_attempt *out)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_off_t total_us = 0, connect_us = 0;
	long status = 0;
	CURLcode code;

	memset(out, 0, sizeof(*out));
	out->from = p->size;
	p->too_large = false;
	p->write_errno = 0;
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
	out->verdict = fetch_classify(code, status, connect_us > 0 || status > 0, p);
	if (code == CURLE_OK)
		return;
	if (code == CURLE_HTTP_RETURNED_ERROR)
		snprintf(out->error, sizeof(out->error), "HTTP %ld", status);
	else if (code == CURLE_WRITE_ERROR && p->too_large)
		snprintf(out->error, sizeof(out->error), "sent more than the %lld bytes "
		    "the manifest says", (long long)p->limit);
	else if (code == CURLE_WRITE_ERROR)
		snprintf(out->error, sizeof(out->error), "cannot write %s: %s", p->path,
		    strerror(p->write_errno));
	else if (code == CURLE_FILESIZE_EXCEEDED)
		snprintf(out->error, sizeof(out->error), "larger than the %lld bytes the "
		    "manifest says", (long long)p->limit);
	else
		snprintf(out->error, sizeof(out->error), "%s",
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code));
	if (out->received > 0 && out->verdict == FETCH_RETRY) {
		size_t n = strlen(out->error);

		snprintf(out->error + n, sizeof(out->error) - n, " (after %lld bytes "
		    "from offset %lld)", (long long)out->received, (long long)out->from);
	}
}
