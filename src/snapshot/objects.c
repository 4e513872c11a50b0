/*
 * Content-addressed objects: STATE/snapshots/objects/ab/<sha256>, 0400.
 * A file is copied into tmp/ while it is hashed, then renamed to its hash
 * (or dropped when that object is there already). Each new object is
 * written to tmp/journal first, so that the objects of a create that
 * never committed (killed, out of space) are found and removed by the
 * next holder of the lock. The new objects are fsync'd together, before
 * the snapshot that uses them is committed (objects_sync): until then
 * only the journal knows them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fdio.h"
#include "core/fsyncq.h"
#include "core/mem.h"
#include "core/sha256.h"
#include "core/statedir.h"
#include "snapshot/snapshot_internal.h"

#define TMP_OBJECT	"object"
#define JOURNAL		"journal"

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The fan-out directory of hash, opened (and verified) once. */
static int
fanout(struct snapshot_engine *eng, const char *hash)
{
	char rel[64];
	int i;

	if (!sha256_hex_valid(hash)) {
		errno = EINVAL;
		return -1;
	}
	i = hexval(hash[0]) * 16 + hexval(hash[1]);
	if (eng->fanout[i] < 0) {
		snprintf(rel, sizeof(rel), "snapshots/objects/%.2s", hash);
		eng->fanout[i] = statedir_subdir(eng->sd, rel, 0750);
	}
	return eng->fanout[i];
}

bool
object_exists(struct snapshot_engine *eng, const char *hash, int64_t size)
{
	struct stat sb;
	int dfd = fanout(eng, hash);

	return dfd >= 0 && fstatat(dfd, hash, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(sb.st_mode) && sb.st_size == size;
}

int
object_open(struct snapshot_engine *eng, const char *hash, char *err, size_t errlen)
{
	int dfd = fanout(eng, hash), fd = -1;

	if (dfd >= 0)
		fd = openat(dfd, hash, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		snprintf(err, errlen, "%s/snapshots/objects/%.2s/%s: %s",
		    statedir_path(eng->sd), hash, hash, strerror(errno));
	return fd;
}

int
object_verify(struct snapshot_engine *eng, const char *hash, const char *path, char *err,
    size_t errlen)
{
	char got[SHA256_HEX_LEN + 1];
	struct sha256 *h;
	int64_t len;
	int fd, rc;

	if ((fd = object_open(eng, hash, err, errlen)) < 0)
		return -1;
	h = sha256_new();
	rc = sha256_fd(h, fd, &len);
	sha256_final(h, got);
	sha256_free(h);
	close(fd);
	if (rc < 0 || strcmp(got, hash) != 0) {
		snprintf(err, errlen, "%s: its stored copy (object %.12s...) is corrupt: the "
		    "content no longer has its sha256; this snapshot cannot be restored", path,
		    hash);
		return -1;
	}
	return 0;
}

static bool
same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* One read of fd from its start, hashed and (out >= 0) copied; -1 with errno. */
static int
read_once(struct snapshot_engine *eng, int fd, int out, struct sha256 *h, int64_t *len)
{
	ssize_t r;

	*len = 0;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	if (out >= 0 && (ftruncate(out, 0) < 0 || lseek(out, 0, SEEK_SET) < 0))
		return -1;
	for (;;) {
		r = read(fd, eng->buf, SNAPSHOT_BUF);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		sha256_update(h, eng->buf, (size_t)r);
		if (out >= 0 && fd_write_all(out, eng->buf, (size_t)r) < 0)
			return -1;
		*len += r;
	}
}

static void
journal_add(struct snapshot_engine *eng, const char *hash)
{
	char line[SHA256_HEX_LEN + 2];

	if (eng->journalfd < 0)
		eng->journalfd = openat(eng->tmpfd, JOURNAL, O_WRONLY | O_CREAT | O_APPEND |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
	snprintf(line, sizeof(line), "%s\n", hash);
	/* Written before the object is named: a kill between them leaves a harmless line. */
	if (eng->journalfd >= 0)
		fd_write_all(eng->journalfd, line, strlen(line));
}

/*
 * The copy in tmp becomes the object hash, unless it is there already; a
 * new one's descriptor (*out) goes to the queue of objects to sync.
 */
static int
object_commit(struct snapshot_engine *eng, int *out, const char *hash, int64_t len,
    bool *added)
{
	int dfd = fanout(eng, hash), rc;

	*added = false;
	if (dfd < 0)
		return -1;
	if (object_exists(eng, hash, len))
		return unlinkat(eng->tmpfd, TMP_OBJECT, 0);
	if (fchmod(*out, 0400) < 0)
		return -1;
	journal_add(eng, hash);
	if (renameat(eng->tmpfd, TMP_OBJECT, dfd, hash) < 0)
		return -1;
	*added = true;
	rc = fsyncq_add(&eng->unsynced, *out);
	*out = -1;
	return rc;
}

int
objects_sync(struct snapshot_engine *eng, char *err, size_t errlen)
{
	if (fsyncq_flush(&eng->unsynced) == 0)
		return 0;
	snprintf(err, errlen, "syncing the new objects in %s/snapshots: %s",
	    statedir_path(eng->sd), strerror(errno));
	return -1;
}

int
object_from_fd(struct snapshot_engine *eng, int fd, const char *path, bool keep,
    char hash[SHA256_HEX_LEN + 1], struct stat *after, bool *added, char *err,
    size_t errlen)
{
	struct sha256 *h = sha256_new();
	struct stat before;
	int64_t len = 0;
	int out = -1, tries, rc = -1;

	*added = false;
	if (keep && (out = openat(eng->tmpfd, TMP_OBJECT, O_RDWR | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, "%s/snapshots/tmp: %s", statedir_path(eng->sd),
		    strerror(errno));
		goto done;
	}
	for (tries = 0; tries < SNAPSHOT_READ_TRIES; tries++) {
		sha256_reset(h);
		if (fstat(fd, &before) < 0 || read_once(eng, fd, out, h, &len) < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto done;
		}
		if (eng->hook != NULL)
			eng->hook(eng->hook_arg, path);
		if (fstat(fd, after) < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto done;
		}
		if (same_stat(&before, after) && len == after->st_size)
			break;
	}
	if (tries == SNAPSHOT_READ_TRIES) {
		snprintf(err, errlen, "%s changed while it was read (%d tries): snapshot it "
		    "again when it is quiet", path, SNAPSHOT_READ_TRIES);
		goto done;
	}
	sha256_final(h, hash);
	if (keep && object_commit(eng, &out, hash, len, added) < 0) {
		snprintf(err, errlen, "%s: storing its copy in %s/snapshots: %s", path,
		    statedir_path(eng->sd), strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (out >= 0) {
		close(out);
		if (rc < 0)
			unlinkat(eng->tmpfd, TMP_OBJECT, 0);
	}
	sha256_free(h);
	return rc;
}

/* Removes the object hash when no snapshot uses it. */
static void
drop_unused(struct snapshot_engine *eng, const char *hash)
{
	char err[256];
	int dfd;

	if (!sha256_hex_valid(hash) || store_snapshot_hash_used(eng->st, hash, err,
	    sizeof(err)) != 0)
		return;
	if ((dfd = fanout(eng, hash)) >= 0)
		unlinkat(dfd, hash, 0);
}

static void
replay_journal(struct snapshot_engine *eng)
{
	char line[SHA256_HEX_LEN + 2];
	FILE *f;
	int fd = openat(eng->tmpfd, JOURNAL, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 || (f = fdopen(fd, "r")) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		drop_unused(eng, line);
	}
	fclose(f);
}

void
objects_recover(struct snapshot_engine *eng)
{
	struct dirent *de;
	DIR *d;
	int fd;

	fsyncq_drop(&eng->unsynced);
	if (eng->journalfd >= 0) {
		close(eng->journalfd);
		eng->journalfd = -1;
	}
	replay_journal(eng);
	/* The lock is held: nothing in tmp belongs to a live run. */
	if ((fd = openat(eng->tmpfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(eng->tmpfd, de->d_name, 0);
	closedir(d);
}

void
objects_journal_end(struct snapshot_engine *eng)
{
	if (eng->journalfd >= 0) {
		close(eng->journalfd);
		eng->journalfd = -1;
	}
	unlinkat(eng->tmpfd, JOURNAL, 0);
}

/* The hashes in use, sorted, for a binary search per object. */
struct hashes {
	char		**v;
	size_t		 n;
};

static void
add_hash(void *arg, const char *hash)
{
	struct hashes *hs = arg;

	hs->v = xgrow(hs->v, hs->n, sizeof(*hs->v));
	hs->v[hs->n++] = xstrdup(hash);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
collect_dir(struct snapshot_engine *eng, int dfd, const struct hashes *hs, int64_t *objects,
    int64_t *bytes)
{
	struct dirent *de;
	struct stat sb;
	const char *key;
	DIR *d;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		key = de->d_name;
		if (hs->n > 0 && bsearch(&key, hs->v, hs->n, sizeof(*hs->v), cmp_str) != NULL)
			continue;
		if (fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    unlinkat(dfd, de->d_name, 0) == 0) {
			(*objects)++;
			*bytes += sb.st_size;
		}
	}
	closedir(d);
}

int
objects_collect(struct snapshot_engine *eng, int64_t *objects, int64_t *bytes, char *err,
    size_t errlen)
{
	struct hashes hs = { 0 };
	char name[3], hash[SHA256_HEX_LEN + 1];
	size_t i;
	int b, dfd;

	if (store_snapshot_each_hash(eng->st, add_hash, &hs, err, errlen) < 0)
		return -1;
	if (hs.n > 0)
		qsort(hs.v, hs.n, sizeof(*hs.v), cmp_str);
	for (b = 0; b < 256; b++) {
		snprintf(name, sizeof(name), "%02x", b);
		memset(hash, '0', SHA256_HEX_LEN);
		hash[SHA256_HEX_LEN] = '\0';
		memcpy(hash, name, 2);
		if (faccessat(eng->objfd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0 ||
		    (dfd = fanout(eng, hash)) < 0)
			continue;
		collect_dir(eng, dfd, &hs, objects, bytes);
	}
	for (i = 0; i < hs.n; i++)
		free(hs.v[i]);
	free(hs.v);
	return 0;
}
