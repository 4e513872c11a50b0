/*
 * tend's sha256 (core/sha256.c) against libcrypto's, which it replaced:
 * MB megabytes (default 100) hashed in memory, the best of ROUNDS (5), with
 * tend's fastest compression, its portable one, and libcrypto's EVP sha256
 * (dlopen'd here: tend no longer builds against OpenSSL's headers); then a
 * file of that size, in the page cache, by sha256_file().
 *
 *	shabench [MB] [ROUNDS]
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/fdio.h"
#include "core/sha256.h"

static double
mono_ms(void)
{
	return (double)clock_mono_ns() / 1e6;
}

struct evp {
	void	*(*ctx_new)(void);
	void	 (*ctx_free)(void *);
	const void *(*md)(void);
	int	 (*init)(void *, const void *, void *);
	int	 (*update)(void *, const void *, size_t);
	int	 (*final)(void *, unsigned char *, unsigned int *);
};

static int
evp_load(struct evp *e)
{
	void *lib = dlopen("libcrypto.so.3", RTLD_NOW);

	if (lib == NULL)
		return -1;
	e->ctx_new = (void *(*)(void))dlsym(lib, "EVP_MD_CTX_new");
	e->ctx_free = (void (*)(void *))dlsym(lib, "EVP_MD_CTX_free");
	e->md = (const void *(*)(void))dlsym(lib, "EVP_sha256");
	e->init = (int (*)(void *, const void *, void *))dlsym(lib, "EVP_DigestInit_ex");
	e->update = (int (*)(void *, const void *, size_t))dlsym(lib, "EVP_DigestUpdate");
	e->final = (int (*)(void *, unsigned char *, unsigned int *))dlsym(lib,
	    "EVP_DigestFinal_ex");
	return e->ctx_new && e->ctx_free && e->md && e->init && e->update && e->final ? 0 : -1;
}

/* Hashes buf in 256 KB pieces, as sha256_fd() reads; the time in ms. */
static double
time_tend(const unsigned char *buf, size_t len, char hex[SHA256_HEX_LEN + 1])
{
	double t0 = mono_ms();
	struct sha256 *h = sha256_new();
	size_t off;

	for (off = 0; off < len; off += 256 * 1024)
		sha256_update(h, buf + off, len - off < 256 * 1024 ? len - off : 256 * 1024);
	sha256_final(h, hex);
	sha256_free(h);
	return mono_ms() - t0;
}

static double
time_evp(const struct evp *e, const unsigned char *buf, size_t len, char hex[65])
{
	double t0 = mono_ms();
	unsigned char md[32];
	unsigned int n, i;
	void *ctx = e->ctx_new();
	size_t off;

	e->init(ctx, e->md(), NULL);
	for (off = 0; off < len; off += 256 * 1024)
		e->update(ctx, buf + off, len - off < 256 * 1024 ? len - off : 256 * 1024);
	e->final(ctx, md, &n);
	e->ctx_free(ctx);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return mono_ms() - t0;
}

static void
report(const char *what, double best_ms, size_t len, const char *hex)
{
	printf("%-28s %8.1f ms %8.0f MB/s  %.16s...\n", what, best_ms,
	    (double)len / 1e6 / (best_ms / 1000), hex);
}

int
main(int argc, char **argv)
{
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 100, len = mb * 1000 * 1000, i;
	int rounds = argc > 2 ? atoi(argv[2]) : 5, r, fd;
	unsigned char *buf = malloc(len);
	char hex[SHA256_HEX_LEN + 1], path[] = "/tmp/tend-shabench-XXXXXX";
	double fast = 1e9, portable = 1e9, evp = 1e9, file = 1e9, t;
	int64_t size;
	struct evp e;

	if (buf == NULL)
		return 1;
	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 2654435761u >> 13);
	printf("%zu MB, best of %d; tend's engine here: %s\n", mb, rounds, sha256_engine());
	for (r = 0; r < rounds; r++) {
		sha256_force_portable(false);
		if ((t = time_tend(buf, len, hex)) < fast)
			fast = t;
	}
	report("tend (fastest engine)", fast, len, hex);
	for (r = 0; r < rounds; r++) {
		sha256_force_portable(true);
		if ((t = time_tend(buf, len, hex)) < portable)
			portable = t;
	}
	sha256_force_portable(false);
	report("tend (portable)", portable, len, hex);
	if (evp_load(&e) == 0) {
		for (r = 0; r < rounds; r++)
			if ((t = time_evp(&e, buf, len, hex)) < evp)
				evp = t;
		report("libcrypto EVP_sha256", evp, len, hex);
	} else {
		printf("libcrypto.so.3: not here\n");
	}
	if ((fd = mkstemp(path)) < 0 || fd_write_all(fd, buf, len) < 0)
		return 1;
	close(fd);
	for (r = 0; r < rounds; r++) {
		t = mono_ms();
		if (sha256_file(path, hex, &size) < 0)
			return 1;
		if ((t = mono_ms() - t) < file)
			file = t;
	}
	report("tend sha256_file (cached)", file, len, hex);
	printf("file: %s\n", path);	/* for `openssl dgst` and sha256sum; run.sh removes it */
	free(buf);
	return 0;
}
