#include "net/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fdio.h"
#include "core/mem.h"
#include "core/sha256.h"
#include "core/statedir.h"

#define CACHE_OBJECT_MODE	0444
#define CACHE_BUF		(256 * 1024)

const char *const cache_placement_names[] = {
	[CACHE_PLACED_ALREADY] = "in place",
	[CACHE_PLACED_LINK] = "linked",
	[CACHE_PLACED_COPY] = "copied",
};

int
cache_init(const char *dir)
{
	char *sub;
	int rc;

	if (statedir_mkdir_p(dir, 0755) < 0)
		return -1;
	sub = xasprintf("%s/sha256", dir);
	rc = statedir_mkdir_p(sub, 0755);
	free(sub);
	if (rc < 0)
		return -1;
	sub = xasprintf("%s/tmp", dir);
	rc = statedir_mkdir_p(sub, 0700);
	free(sub);
	return rc;
}

char *
cache_object_path(const char *dir, const char *sha256)
{
	return xasprintf("%s/sha256/%.2s/%s", dir, sha256, sha256);
}

char *
cache_part_path(const char *dir, const char *sha256)
{
	return xasprintf("%s/tmp/%s.part", dir, sha256);
}

int
cache_commit(const char *dir, const char *path, const char *sha256)
{
	char *object = cache_object_path(dir, sha256), *sub;
	int rc;

	sub = xasprintf("%s/sha256/%.2s", dir, sha256);
	rc = statedir_mkdir_p(sub, 0755);
	free(sub);
	if (rc == 0)
		rc = chmod(path, CACHE_OBJECT_MODE);
	if (rc == 0)
		rc = rename(path, object);
	free(object);
	return rc;
}

/* Copies from to a new file at fd, hashing what it copies when h is set. */
static int
cache_copy_fd(int from, int to, struct sha256 *h)
{
	char *buf = xmalloc(CACHE_BUF);
	ssize_t n;

	for (;;) {
		n = read(from, buf, CACHE_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (h != NULL)
			sha256_update(h, buf, (size_t)n);
		if (fd_write_all(to, buf, (size_t)n) < 0) {
			n = -1;
			break;
		}
	}
	free(buf);
	return n < 0 ? -1 : 0;
}

int
cache_ingest(const char *dir, const char *path, const char *sha256)
{
	char hex[SHA256_HEX_LEN + 1], *base = xasprintf("%s/tmp/%s", dir, sha256), *tmp;
	struct sha256 *h;
	int from, to, rc, saved;

	if ((from = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		free(base);
		return -1;
	}
	to = fd_temp_beside(base, &tmp);
	free(base);
	if (to < 0) {
		saved = errno;
		close(from);
		errno = saved;
		return -1;
	}
	h = sha256_new();
	rc = cache_copy_fd(from, to, h);
	saved = errno;
	sha256_final(h, hex);
	sha256_free(h);
	close(from);
	if (close(to) < 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc == 0 && strcmp(hex, sha256) != 0)
		rc = 1;
	if (rc == 0 && cache_commit(dir, tmp, sha256) < 0) {
		rc = -1;
		saved = errno;
	}
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	errno = saved;
	return rc;
}

int
cache_touch(const char *path)
{
	struct timespec times[2] = {
		{ .tv_nsec = UTIME_NOW }, { .tv_nsec = UTIME_OMIT },
	};

	return utimensat(AT_FDCWD, path, times, 0);
}

static int
cache_mkdir_parent(const char *path)
{
	char *copy = xstrdup(path);
	int rc = statedir_mkdir_p(dirname(copy), 0755);

	free(copy);
	return rc;
}

/* dest becomes a copy of object, through a temp file and rename. */
static int
cache_place_copy(const char *object, const char *dest, int mode, char *err,
    size_t errlen)
{
	char *tmp = NULL;
	int from, to, rc;

	if ((from = open(object, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", object, strerror(errno));
		return -1;
	}
	if ((to = fd_temp_beside(dest, &tmp)) < 0) {
		snprintf(err, errlen, "cannot create a file beside %s: %s", dest,
		    strerror(errno));
		close(from);
		return -1;
	}
	rc = cache_copy_fd(from, to, NULL);
	if (rc < 0)
		snprintf(err, errlen, "cannot copy to %s: %s", tmp, strerror(errno));
	close(from);
	if (rc == 0 && fchmod(to, (mode_t)mode) < 0) {
		snprintf(err, errlen, "cannot chmod %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (close(to) < 0 && rc == 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp, dest) < 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, dest,
		    strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/*
 * dest becomes a hard link to object, through a temp name and rename; -1
 * (errno set, nothing changed) when the file system will not link.
 */
static int
cache_place_link(const char *object, const char *dest)
{
	char *tmp = NULL;
	int fd, rc, saved;

	/* A free temp name: made by mkostemp, then taken over by the link. */
	if ((fd = fd_temp_beside(dest, &tmp)) < 0)
		return -1;
	close(fd);
	unlink(tmp);
	rc = link(object, tmp);
	if (rc == 0 && (rc = rename(tmp, dest)) < 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
	}
	free(tmp);
	return rc;
}

int
cache_place(const char *object, const char *dest, int mode,
    enum cache_placement *how, char *err, size_t errlen)
{
	struct stat obj, cur;
	bool have_dest;

	if (stat(object, &obj) < 0) {
		snprintf(err, errlen, "%s: %s", object, strerror(errno));
		return -1;
	}
	have_dest = lstat(dest, &cur) == 0;
	if (have_dest && S_ISDIR(cur.st_mode)) {
		snprintf(err, errlen, "%s is a directory", dest);
		return -1;
	}
	if (have_dest && cur.st_dev == obj.st_dev && cur.st_ino == obj.st_ino) {
		if ((int)(obj.st_mode & 07777) == mode) {
			*how = CACHE_PLACED_ALREADY;
			return 0;
		}
		/* The same inode: renaming a link over it would do nothing. */
		if ((mode & 0222) == 0 && obj.st_nlink == 2 &&
		    chmod(object, (mode_t)mode) == 0) {
			*how = CACHE_PLACED_LINK;
			return 0;
		}
		*how = CACHE_PLACED_COPY;
		return cache_place_copy(object, dest, mode, err, errlen);
	}
	if (cache_mkdir_parent(dest) < 0) {
		snprintf(err, errlen, "cannot create the folder of %s: %s", dest,
		    strerror(errno));
		return -1;
	}
	/*
	 * A link shares the object's mode: only a read-only one, and only when
	 * no other link depends on the object's current mode.
	 */
	if ((mode & 0222) == 0 && ((int)(obj.st_mode & 07777) == mode ||
	    (obj.st_nlink == 1 && chmod(object, (mode_t)mode) == 0)) &&
	    cache_place_link(object, dest) == 0) {
		*how = CACHE_PLACED_LINK;
		return 0;
	}
	*how = CACHE_PLACED_COPY;
	return cache_place_copy(object, dest, mode, err, errlen);
}

static void
cache_list_add(struct cache_entry **v, size_t *n, const char *path,
    const struct stat *st, bool object)
{
	struct cache_entry *e;
	int64_t atime = (int64_t)st->st_atim.tv_sec * 1000000000LL + st->st_atim.tv_nsec;
	int64_t mtime = (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;

	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	e = &(*v)[(*n)++];
	e->path = xstrdup(path);
	e->size = (int64_t)st->st_size;
	e->used_ns = object && atime > mtime ? atime : mtime;
	e->object = object;
}

/* The regular files directly in dir. */
static int
cache_list_dir(const char *dir, bool object, struct cache_entry **v, size_t *n)
{
	struct dirent *de;
	struct stat st;
	char *path;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			cache_list_add(v, n, path, &st, object);
		free(path);
	}
	closedir(d);
	return 0;
}

/* Every file of the cache, least recently used first. 0, or -1 with errno. */
static int
cache_list(const char *dir, struct cache_entry **v, size_t *n)
{
	struct dirent *de;
	char *sub, *fan;
	DIR *d;
	int rc = 0;

	*v = NULL;
	*n = 0;
	sub = xasprintf("%s/sha256", dir);
	if ((d = opendir(sub)) == NULL && errno != ENOENT)
		rc = -1;
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strlen(de->d_name) != 2)
			continue;
		fan = xasprintf("%s/%s", sub, de->d_name);
		if (cache_list_dir(fan, true, v, n) < 0)
			rc = -1;
		free(fan);
	}
	if (d != NULL)
		closedir(d);
	free(sub);
	sub = xasprintf("%s/tmp", dir);
	if (cache_list_dir(sub, false, v, n) < 0)
		rc = -1;
	free(sub);
	if (rc == 0)
		cache_sort_lru(*v, *n);
	return rc;
}

static void
cache_entries_free(struct cache_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

static int
cache_lru_cmp(const void *a, const void *b)
{
	const struct cache_entry *x = a, *y = b;

	if (x->used_ns != y->used_ns)
		return x->used_ns < y->used_ns ? -1 : 1;
	return strcmp(x->path, y->path);
}

void
cache_sort_lru(struct cache_entry *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cache_lru_cmp);
}

size_t
cache_prune_count(const struct cache_entry *v, size_t n, int64_t limit)
{
	int64_t total = 0;
	size_t i;

	for (i = 0; i < n; i++)
		total += v[i].size;
	for (i = 0; i < n && total > limit; i++)
		total -= v[i].size;
	return i;
}

/* True when another process holds the lock of a part file (fetch_transfer.c). */
static bool
cache_part_busy(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool busy;

	if (fd < 0)
		return false;
	busy = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

int
cache_prune(const char *dir, int64_t limit, struct cache_prune_report *r,
    char *err, size_t errlen)
{
	struct cache_entry *v;
	size_t n, i;

	memset(r, 0, sizeof(*r));
	if (cache_list(dir, &v, &n) < 0) {
		snprintf(err, errlen, "cannot list %s: %s", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		r->before += v[i].size;
	r->after = r->before;
	/* As cache_prune_count() would, but around a busy part. */
	for (i = 0; i < n && r->after > limit; i++) {
		if (!v[i].object && cache_part_busy(v[i].path))
			continue;
		if (unlink(v[i].path) < 0 && errno != ENOENT) {
			snprintf(err, errlen, "cannot remove %s: %s", v[i].path,
			    strerror(errno));
			cache_entries_free(v, n);
			return -1;
		}
		r->after -= v[i].size;
		r->removed = xrealloc(r->removed, (r->n_removed + 1) * sizeof(*r->removed));
		r->removed[r->n_removed] = v[i];
		r->removed[r->n_removed++].path = xstrdup(v[i].path);
	}
	cache_entries_free(v, n);
	return 0;
}

void
cache_prune_report_free(struct cache_prune_report *r)
{
	cache_entries_free(r->removed, r->n_removed);
	memset(r, 0, sizeof(*r));
}
