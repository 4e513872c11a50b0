#include "web/token.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ctcmp.h"
#include "core/fdio.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/statedir.h"

static bool
web_token_valid(const char *s)
{
	size_t i;

	for (i = 0; i < WEB_TOKEN_LEN; i++)
		if (strchr("0123456789abcdef", s[i]) == NULL || s[i] == '\0')
			return false;
	return true;
}

static int
web_token_create(struct statedir *sd, const char *path, char token[WEB_TOKEN_LEN + 1],
    char *err, size_t errlen)
{
	unsigned char raw[WEB_TOKEN_LEN / 2];
	char line[WEB_TOKEN_LEN + 2];
	size_t i;
	int fd;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(raw); i++)
		snprintf(token + 2 * i, 3, "%02x", raw[i]);
	snprintf(line, sizeof(line), "%s\n", token);
	/* O_EXCL: two daemons starting at once must not hand out two tokens. */
	fd = statedir_openat(sd, "token", O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (fd_write_all(fd, line, strlen(line)) < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		statedir_unlink(sd, "token");
		return -1;
	}
	close(fd);
	log_info(NULL, "created the API token in %s (mode 0600)", path);
	return 0;
}

/* Only tend's own user may have written the token, or read it. */
static int
web_token_trusted(const char *path, int fd, char *err, size_t errlen)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_uid != geteuid()) {
		snprintf(err, errlen, "%s is not a file of uid %u that tend runs as (owner "
		    "uid %u): refused; delete it to make a new token", path,
		    (unsigned)geteuid(), (unsigned)sb.st_uid);
		return -1;
	}
	if ((sb.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s can be read or written by others (mode %04o), so "
		    "it may be known: refused; delete it to make a new token", path,
		    (unsigned)(sb.st_mode & 07777));
		return -1;
	}
	return 0;
}

static int
web_token_read(const char *path, int fd, char token[WEB_TOKEN_LEN + 1], char *err,
    size_t errlen)
{
	char buf[WEB_TOKEN_LEN + 2];
	ssize_t n;

	if (web_token_trusted(path, fd, err, errlen) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	if (n < WEB_TOKEN_LEN || !web_token_valid(buf) ||
	    (n > WEB_TOKEN_LEN && buf[WEB_TOKEN_LEN] != '\n')) {
		snprintf(err, errlen, "%s: expected 64 lowercase hex characters; delete it "
		    "to make a new token", path);
		return -1;
	}
	memcpy(token, buf, WEB_TOKEN_LEN);
	token[WEB_TOKEN_LEN] = '\0';
	return 0;
}

int
web_token_load(struct web_token *t, struct statedir *sd, char *err, size_t errlen)
{
	char *path = statedir_file(sd, "token");
	int fd, rc;

	if (atomic_load_explicit(&t->ready, memory_order_acquire)) {
		free(path);
		return 0;
	}
	fd = statedir_openat(sd, "token", O_RDONLY, 0);
	if (fd < 0 && errno == ENOENT)
		rc = web_token_create(sd, path, t->value, err, errlen);
	else if (fd < 0) {
		snprintf(err, errlen, "cannot read %s: %s%s", path, strerror(errno),
		    errno == ELOOP ? " (a symbolic link: refused)" : "");
		rc = -1;
	} else {
		rc = web_token_read(path, fd, t->value, err, errlen);
		close(fd);
	}
	free(path);
	if (rc == 0)
		atomic_store_explicit(&t->ready, true, memory_order_release);
	return rc;
}

bool
web_token_equal(const struct web_token *t, const char *given, size_t given_len)
{
	if (!atomic_load_explicit(&t->ready, memory_order_acquire))
		return false;
	/* The length is no secret: every token has 64 characters. */
	if (given_len != WEB_TOKEN_LEN)
		return false;
	return ct_equal(given, t->value, WEB_TOKEN_LEN);
}
