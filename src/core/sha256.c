/*
 * sha256 through libcrypto's EVP interface, loaded when first used
 * (core/dl_crypto.h).
 */
#include "core/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dl_crypto.h"

#include "core/mem.h"

#define SHA256_BUF	(256 * 1024)

struct sha256 {
	EVP_MD_CTX	*ctx;
};

bool
sha256_hex_valid(const char *hex)
{
	return hex != NULL && strlen(hex) == SHA256_HEX_LEN &&
	    strspn(hex, "0123456789abcdef") == SHA256_HEX_LEN;
}

struct sha256 *
sha256_new(void)
{
	struct sha256 *h = xcalloc(1, sizeof(*h));

	h->ctx = EVP_MD_CTX_new();
	if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		fprintf(stderr, "tend: libcrypto cannot compute sha256\n");
		abort();
	}
	return h;
}

void
sha256_update(struct sha256 *h, const void *buf, size_t len)
{
	EVP_DigestUpdate(h->ctx, buf, len);
}

void
sha256_reset(struct sha256 *h)
{
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
}

void
sha256_final(struct sha256 *h, char hex[SHA256_HEX_LEN + 1])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	EVP_DigestFinal_ex(h->ctx, digest, &len);
	for (i = 0; i < len && i < SHA256_HEX_LEN / 2; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	hex[SHA256_HEX_LEN] = '\0';
	sha256_reset(h);
}

void
sha256_peek(const struct sha256 *h, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256 copy;

	copy.ctx = EVP_MD_CTX_new();
	if (copy.ctx == NULL || EVP_MD_CTX_copy_ex(copy.ctx, h->ctx) != 1) {
		fprintf(stderr, "tend: libcrypto cannot copy a sha256 context\n");
		abort();
	}
	sha256_final(&copy, hex);
	EVP_MD_CTX_free(copy.ctx);
}

void
sha256_free(struct sha256 *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

int
sha256_fd(struct sha256 *h, int fd, int64_t *len)
{
	char *buf = xmalloc(SHA256_BUF);
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, SHA256_BUF, off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return -1;
		}
		sha256_update(h, buf, (size_t)n);
		off += n;
	}
	free(buf);
	*len = (int64_t)off;
	return 0;
}

int
sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1], int64_t *size)
{
	struct sha256 *h;
	int fd, rc, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	h = sha256_new();
	rc = sha256_fd(h, fd, size);
	saved = errno;
	if (rc == 0)
		sha256_final(h, hex);
	sha256_free(h);
	close(fd);
	errno = saved;
	return rc;
}
