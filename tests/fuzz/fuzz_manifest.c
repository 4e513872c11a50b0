/*
 * Fetch manifests (`tend fetch --manifest FILE`): bytes as a file read by
 * the manifest loader (config_load_file, which also reads the config's
 * `assets:`), then what `tend fetch` derives from each asset before it
 * touches the network: the cache dir, the cache's object and part paths,
 * each mirror's host key and the order the mirrors are tried in.
 *
 * The file is a memfd named through /proc/self/fd, so the loader's own
 * reading (sizes, NULs, no trailing newline) is fuzzed too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config/config.h"
#include "core/fdio.h"
#include "net/cache.h"
#include "net/fetch.h"
#include "net/fetch_mirrors.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* An input's include: patterns are parsed, never globbed over the disk. */
	config_includes_read = false;
	return 0;
}

/* One memfd for the whole run, rewritten for each input; its path in path. */
static void
fuzz_manifest_file(const uint8_t *data, size_t size, char *path, size_t len)
{
	static int fd = -1;

	if (fd < 0)
		fd = memfd_create("manifest.yaml", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0 ||
	    fd_write_all(fd, data, size) < 0) {
		perror("fuzz_manifest: memfd");
		abort();
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
}

static void
fuzz_manifest_mirrors(const struct asset_conf *a)
{
	struct mirror_memory mem[16] = { { 0 } };
	size_t order[16], n, i;
	char *key;

	for (n = 0; a->mirrors != NULL && a->mirrors[n] != NULL; n++) {
		key = mirror_key(a->mirrors[n]);
		FUZZ_ASSERT(key != NULL, "no key for mirror %s", a->mirrors[n]);
		free(key);
	}
	if (n > 16)
		n = 16;
	for (i = 0; i < n; i++)
		mem[i].known = i % 2 == 0;
	mirror_order(mem, NULL, n, order);
	for (i = 0; i < n; i++)
		FUZZ_ASSERT(order[i] < n, "mirror order %zu out of range", order[i]);
}

static void
fuzz_manifest_assets(const struct tend_config *m)
{
	char *dir = fetch_cache_dir(NULL, m, NULL, "/nonexistent/state"), *p;
	size_t i;

	for (i = 0; i < m->n_assets; i++) {
		if (m->assets[i].sha256 != NULL) {
			FUZZ_ASSERT(sha256_hex_valid(m->assets[i].sha256),
			    "asset '%s': sha256 '%s' loaded but invalid", m->assets[i].name,
			    m->assets[i].sha256);
			p = cache_object_path(dir, m->assets[i].sha256);
			free(p);
			p = cache_part_path(dir, m->assets[i].sha256);
			free(p);
		}
		fuzz_manifest_mirrors(&m->assets[i]);
	}
	free(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_errors errs = { 0 };
	struct tend_config *m;
	char path[64];

	fuzz_manifest_file(data, size, path, sizeof(path));
	m = config_load_file(path, &errs);
	if (m != NULL)
		fuzz_manifest_assets(m);
	config_free(m);
	config_errors_clear(&errs);
	return 0;
}
