#include "web/token.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dl_crypto.h"
#include "core/fdio.h"
#include "core/log.h"
#include "core/mem.h"

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
web_token_create(const char *path, char token[WEB_TOKEN_LEN + 1], char *err,
    size_t errlen)
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
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (fd_write_all(fd, line, strlen(line)) < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	log_info(NULL, "created the API token in %s (mode 0600)", path);
	return 0;
}

static int
web_token_read(const char *path, int fd, char token[WEB_TOKEN_LEN + 1], char *err,
    size_t errlen)
{
	char buf[WEB_TOKEN_LEN + 2];
	struct stat sb;
	ssize_t n = read(fd, buf, sizeof(buf));

	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) != 0)
		log_warn(NULL, "%s can be read by others (mode %03o): chmod 600 it",
		    path, (unsigned)(sb.st_mode & 0777));
	close(fd);
	if (n < WEB_TOKEN_LEN || !web_token_valid(buf) ||
	    (n > WEB_TOKEN_LEN && buf[WEB_TOKEN_LEN] != '\n')) {
		snprintf(err, errlen, "%s: expected 64 lowercase hex characters; delete it "
		    "and restart to make a new token", path);
		return -1;
	}
	memcpy(token, buf, WEB_TOKEN_LEN);
	token[WEB_TOKEN_LEN] = '\0';
	return 0;
}

int
web_token_load(const char *state_dir, char token[WEB_TOKEN_LEN + 1], char *err,
    size_t errlen)
{
	char *path = xasprintf("%s/token", state_dir);
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		rc = web_token_create(path, token, err, errlen);
	else if (fd < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		rc = -1;
	} else
		rc = web_token_read(path, fd, token, err, errlen);
	free(path);
	return rc;
}

bool
web_token_equal(const char *given, size_t given_len, const char *token)
{
	/* The length is no secret: every token has 64 characters. */
	if (given_len != WEB_TOKEN_LEN)
		return false;
	return CRYPTO_memcmp(given, token, WEB_TOKEN_LEN) == 0;
}
