/*
 * Shared by the snapshot tests: a state dir, a store and an engine in a
 * temp dir, a data tree beside them, and small file helpers.
 */
#ifndef TEND_TEST_SNAPSHOT_FIXTURE_H
#define TEND_TEST_SNAPSHOT_FIXTURE_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fdio.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "snapshot/snapshot.h"
#include "store/store.h"

static char fx_dir[64];
static char fx_data[128];
static char fx_state[128];
static struct statedir *fx_sd;
static struct store *fx_st;
static struct snapshot_engine *fx_eng;
static int fx_warnings;

static inline __attribute__((unused)) void
fx_warn(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
	fx_warnings++;
}

static inline __attribute__((unused)) void
fx_open(void)
{
	char err[512], *db;

	assert_non_null(fx_sd = statedir_open(fx_state, err, sizeof(err)));
	assert_int_equal(store_prepare_file(fx_sd, err, sizeof(err)), 0);
	db = statedir_file(fx_sd, "tend.db");
	fx_st = store_open(db, err, sizeof(err));
	free(db);
	assert_non_null(fx_st);
	fx_eng = snapshot_engine_open(fx_sd, fx_st, fx_warn, NULL, err, sizeof(err));
	if (fx_eng == NULL)
		fail_msg("%s", err);
}

static inline __attribute__((unused)) void
fx_close(void)
{
	snapshot_engine_close(fx_eng);
	store_close(fx_st);
	statedir_close(fx_sd);
	fx_eng = NULL;
	fx_st = NULL;
	fx_sd = NULL;
}

static inline __attribute__((unused)) int
fx_setup(void **state)
{
	(void)state;
	strcpy(fx_dir, "/tmp/tend-snap-XXXXXX");
	assert_non_null(mkdtemp(fx_dir));
	snprintf(fx_data, sizeof(fx_data), "%s/data", fx_dir);
	snprintf(fx_state, sizeof(fx_state), "%s/state", fx_dir);
	assert_int_equal(mkdir(fx_data, 0755), 0);
	fx_warnings = 0;
	fx_open();
	return 0;
}

static inline __attribute__((unused)) int
fx_teardown(void **state)
{
	char cmd[128];

	(void)state;
	fx_close();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx_dir);
	return system(cmd);
}

/* PATH under the data dir, in a static buffer of four in turn. */
static inline __attribute__((unused)) const char *
fx_path(const char *rel)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", fx_data, rel);
	return buf[i];
}

static inline __attribute__((unused)) void
fx_write(const char *rel, const char *text)
{
	int fd = open(fx_path(rel), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(fd_write_all(fd, text, strlen(text)), 0);
	close(fd);
}

/* The file's text (up to 64 KB), in a static buffer; "" when missing. */
static inline __attribute__((unused)) const char *
fx_read(const char *rel)
{
	static char buf[65536];
	ssize_t n;
	int fd = open(fx_path(rel), O_RDONLY | O_CLOEXEC);

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static inline __attribute__((unused)) void
fx_mkdir(const char *rel)
{
	assert_int_equal(mkdir(fx_path(rel), 0755), 0);
}

/*
 * Waits (2 s at most) until the kernel's coarse clock is past the newest
 * change made so far: files are trusted by the stat cache only when
 * changed before the walk began.
 */
static inline __attribute__((unused)) void
fx_settle(void)
{
	struct timespec now;
	struct stat sb;
	int i;

	fx_write(".settle", "x");
	assert_int_equal(stat(fx_path(".settle"), &sb), 0);
	unlink(fx_path(".settle"));
	for (i = 0; i < 2000; i++) {
		clock_gettime(CLOCK_REALTIME_COARSE, &now);
		if (now.tv_sec > sb.st_ctim.tv_sec || (now.tv_sec == sb.st_ctim.tv_sec &&
		    now.tv_nsec > sb.st_ctim.tv_nsec))
			return;
		usleep(1000);
	}
	fail_msg("the coarse clock did not move");
}

/* Regular files under dir (recursively), and their bytes. */
static inline __attribute__((unused)) int
fx_count_files(const char *dir, long long *bytes)
{
	char *sub;
	struct dirent *de;
	struct stat sb;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		sub = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			n += fx_count_files(sub, bytes);
		} else if (lstat(sub, &sb) == 0) {
			n++;
			if (bytes != NULL)
				*bytes += sb.st_size;
		}
		free(sub);
	}
	closedir(d);
	return n;
}

static inline __attribute__((unused)) int
fx_objects(long long *bytes)
{
	char path[PATH_MAX];

	if (bytes != NULL)
		*bytes = 0;
	snprintf(path, sizeof(path), "%s/snapshots/objects", fx_state);
	return fx_count_files(path, bytes);
}

static inline __attribute__((unused)) int
fx_tmp_files(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/snapshots/tmp", fx_state);
	return fx_count_files(path, NULL);
}

/* The set of one path, the data tree, named name. */
static inline __attribute__((unused)) struct snapshot_spec
fx_set(const char *name)
{
	static const char *one_path[1];
	struct snapshot_spec s = { .name = name, .paths = one_path, .n_paths = 1 };

	one_path[0] = fx_data;
	return s;
}

static inline __attribute__((unused)) int64_t
fx_create(const struct snapshot_spec *spec, struct snapshot_stats *stats)
{
	char err[512];
	int64_t id = 0;

	if (snapshot_create(fx_eng, spec, NULL, "test", &id, stats, err, sizeof(err)) < 0)
		fail_msg("create: %s", err);
	return id;
}

static inline __attribute__((unused)) size_t
fx_count_snapshots(void)
{
	struct snapshot_info *v;
	char err[256];
	size_t n;

	assert_int_equal(snapshot_list(fx_eng, NULL, &v, &n, err, sizeof(err)), 0);
	snapshot_infos_free(v, n);
	return n;
}

static inline __attribute__((unused)) const struct snapshot_entry *
fx_find(const struct snapshot_entry *v, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].path, path) == 0)
			return &v[i];
	return NULL;
}

#endif
