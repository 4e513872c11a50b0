/*
 * The live state of a set: its paths walked by directory descriptors,
 * never following a link (a link is recorded as one, with its target), so
 * a symlink loop cannot happen; excluded names skipped; each regular file
 * hashed, unless the stat cache says it has not changed since it was last
 * hashed (git's index trick: same device, inode, size, mtime and ctime).
 * The stat cache is the set's newest manifest (the base), whose rows keep
 * the stat of their file.
 *
 * Two passes: the tree is walked and every entry stat'd while a second
 * thread reads the base from the store (the two take about as long, and
 * a restore waits for both); then the files the base does not vouch for
 * are opened again (from /, following nothing) and read.
 *
 * A file's stat is kept only when its ctime is before the walk began
 * (read on the coarse clock the kernel stamps files with): a file changed
 * in the same clock tick as it was read could otherwise change again,
 * same size, same stamps, and never be read again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/statedir.h"
#include "core/pathwalk.h"
#include "snapshot/snapshot_internal.h"

struct walker {
	struct snapshot_engine *eng;
	const struct snapshot_spec *spec;
	bool		 keep;
	struct entry_list *out;
	struct snapshot_stats *stats;
	int64_t		 start_ns;
	const char	*root;		/* the set path being walked, for relative excludes */
	char		*err;
	size_t		 errlen;
};

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct snapshot_entry *)a)->path,
	    ((const struct snapshot_entry *)b)->path);
}

/* Whether name (at relpath under the set path) is excluded. */
static bool
excluded(const struct walker *w, const char *path, const char *rel, const char *name,
    bool dir)
{
	char pat[PATH_MAX];
	size_t i, len;
	const char *subject;

	for (i = 0; i < w->spec->n_exclude; i++) {
		len = strlen(w->spec->exclude[i]);
		if (len == 0 || len >= sizeof(pat))
			continue;
		memcpy(pat, w->spec->exclude[i], len + 1);
		if (pat[len - 1] == '/') {
			if (!dir)
				continue;
			pat[len - 1] = '\0';
		}
		if (strchr(pat, '/') == NULL)
			subject = name;
		else
			subject = pat[0] == '/' ? path : rel;
		if (fnmatch(pat, subject, strchr(pat, '/') != NULL ? FNM_PATHNAME : 0) == 0)
			return true;
	}
	return false;
}

static struct snapshot_entry *
add_entry(struct walker *w, const char *path, enum snapshot_type type, const struct stat *sb)
{
	struct snapshot_entry *e;

	w->out->v = xgrow(w->out->v, w->out->n, sizeof(*w->out->v));
	e = &w->out->v[w->out->n++];
	memset(e, 0, sizeof(*e));
	e->path = xstrdup(path);
	e->type = type;
	e->mode = sb->st_mode & 07777;
	e->uid = sb->st_uid;
	e->gid = sb->st_gid;
	e->mtime_ns = fspath_ns(&sb->st_mtim);
	e->size = type == SNAPSHOT_DIR ? 0 : sb->st_size;
	w->stats->files++;
	return e;
}

/* The first pass: a file's stat, to be compared with the base's. */
static int
record_file(struct walker *w, const char *path, const struct stat *sb)
{
	struct snapshot_entry *e = add_entry(w, path, SNAPSHOT_FILE, sb);

	e->dev = (int64_t)sb->st_dev;
	e->ino = (int64_t)sb->st_ino;
	e->ctime_ns = fspath_ns(&sb->st_ctim);
	return 0;
}

static int
record_link(struct walker *w, int dfd, const char *name, const char *path,
    const struct stat *sb)
{
	char target[PATH_MAX];
	ssize_t len = readlinkat(dfd, name, target, sizeof(target) - 1);

	if (len < 0) {
		snprintf(w->err, w->errlen, "%s cannot be read: %s", path, strerror(errno));
		return -1;
	}
	target[len] = '\0';
	add_entry(w, path, SNAPSHOT_SYMLINK, sb)->target = xstrdup(target);
	return 0;
}

static int	walk_dir(struct walker *w, int dfd, const char *path);

static int
record(struct walker *w, int dfd, const char *name, const char *path, const struct stat *sb)
{
	int sub, rc;

	if (S_ISREG(sb->st_mode))
		return record_file(w, path, sb);
	if (S_ISLNK(sb->st_mode))
		return record_link(w, dfd, name, path, sb);
	if (!S_ISDIR(sb->st_mode)) {
		engine_warn(w->eng, "%s: not a file, directory or symlink: left out of set %s",
		    path, w->spec->name);
		w->stats->warnings++;
		return 0;
	}
	if (sb->st_dev == w->eng->state_dev && sb->st_ino == w->eng->state_ino) {
		snprintf(w->err, w->errlen, "set %s includes tend's state dir (%s): a snapshot "
		    "cannot hold itself", w->spec->name, path);
		return -1;
	}
	add_entry(w, path, SNAPSHOT_DIR, sb);
	if ((sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(w->err, w->errlen, "%s cannot be read: %s", path, strerror(errno));
		return -1;
	}
	rc = walk_dir(w, sub, path);
	close(sub);
	return rc;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The names in dfd (a directory just opened: read from its start), sorted;
 * NULL with errno. getdents64 on the walk's own descriptor: no dup, no
 * DIR, three system calls fewer per directory than readdir(3).
 */
static char **
dir_names(int dfd, size_t *n)
{
	char buf[32 * 1024], **v = NULL;
	const struct dirent64 *de;
	ssize_t len, off;
	int saved;

	*n = 0;
	while ((len = getdents64(dfd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < len; off += de->d_reclen) {
			de = (const struct dirent64 *)(buf + off);
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			v = xgrow(v, *n, sizeof(*v));
			v[(*n)++] = xstrdup(de->d_name);
		}
	}
	if (len < 0) {
		saved = errno;
		while (*n > 0)
			free(v[--*n]);
		free(v);
		errno = saved;
		return NULL;
	}
	if (*n > 0)
		qsort(v, *n, sizeof(*v), cmp_name);
	return v != NULL ? v : xcalloc(1, sizeof(*v));
}

static int
walk_dir(struct walker *w, int dfd, const char *path)
{
	struct stat sb;
	char **names, *child;
	size_t n, i, len, plen = strlen(path), rootlen = strlen(w->root);
	int rc = 0;

	if ((names = dir_names(dfd, &n)) == NULL) {
		snprintf(w->err, w->errlen, "%s cannot be read: %s", path, strerror(errno));
		return -1;
	}
	/* The children's paths, built in one buffer (a set holds thousands). */
	child = xmalloc(PATH_MAX);
	memcpy(child, path, plen);
	child[plen] = '/';
	for (i = 0; i < n && rc == 0; i++) {
		len = strlen(names[i]);
		if (plen + 1 + len >= PATH_MAX) {
			snprintf(w->err, w->errlen, "%s/%s: the path is too long", path,
			    names[i]);
			rc = -1;
			break;
		}
		memcpy(child + plen + 1, names[i], len + 1);
		if (fstatat(dfd, names[i], &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			/* Gone since the directory was read: as if it never was. */
			if (errno != ENOENT) {
				snprintf(w->err, w->errlen, "%s: %s", child, strerror(errno));
				rc = -1;
			}
		} else if (!excluded(w, child, child + rootlen + 1, names[i],
		    S_ISDIR(sb.st_mode)))
			rc = record(w, dfd, names[i], child, &sb);
	}
	free(child);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* Whether path is the state dir, in it, or holds it. */
static bool
holds_state(const char *path, const char *state)
{
	size_t lp = strlen(path), ls = strlen(state);

	if (lp <= ls)
		return strncmp(state, path, lp) == 0 && (lp == ls || state[lp] == '/' ||
		    (lp == 1 && path[0] == '/'));
	return strncmp(path, state, ls) == 0 && path[ls] == '/';
}

static int
walk_root(struct walker *w, const char *path, bool link)
{
	const char *base;
	struct stat sb;
	int dfd, rc;

	if (holds_state(path, statedir_path(w->eng->sd))) {
		snprintf(w->err, w->errlen, "set %s: %s includes tend's state dir (%s): a "
		    "snapshot cannot hold itself", w->spec->name, path,
		    statedir_path(w->eng->sd));
		return -1;
	}
	if ((dfd = pathwalk_parent(path, O_PATH, &base)) < 0 ||
	    fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			snprintf(w->err, w->errlen, "set %s: %s: %s", w->spec->name, path,
			    strerror(errno));
			rc = -1;
		} else {
			engine_warn(w->eng, "set %s: %s does not exist (or a directory on its "
			    "way is a symlink): left out", w->spec->name, path);
			w->stats->warnings++;
			rc = 0;
		}
		if (dfd >= 0)
			close(dfd);
		return rc;
	}
	if (link && !S_ISLNK(sb.st_mode)) {
		close(dfd);
		snprintf(w->err, w->errlen, "set %s: %s is listed under symlinks but is not a "
		    "symlink", w->spec->name, path);
		return -1;
	}
	w->root = path;
	rc = record(w, dfd, base, path, &sb);
	close(dfd);
	return rc;
}

/* Sorted by path, each path once (a set may name a file and its directory). */
static void
sort_entries(struct entry_list *out, struct snapshot_stats *stats)
{
	size_t i, j = 0;

	if (out->n > 0)
		qsort(out->v, out->n, sizeof(*out->v), cmp_entry);
	for (i = 0; i < out->n; i++) {
		if (j > 0 && strcmp(out->v[j - 1].path, out->v[i].path) == 0) {
			stats->files--;
			snapshot_entry_clear(&out->v[i]);
			continue;
		}
		out->v[j++] = out->v[i];
	}
	out->n = j;
}

/* Whether base entry c vouches for file e's hash: the same file, unchanged. */
static bool
vouches(const struct snapshot_entry *c, const struct snapshot_entry *e)
{
	return c->type == SNAPSHOT_FILE && c->ino != 0 && c->hash[0] != '\0' &&
	    c->dev == e->dev && c->ino == e->ino && c->size == e->size &&
	    c->mtime_ns == e->mtime_ns && c->ctime_ns == e->ctime_ns;
}

/* e as the file read says it is now (it may have changed since the first pass). */
static void
refresh(struct snapshot_entry *e, const struct stat *sb)
{
	e->mode = sb->st_mode & 07777;
	e->uid = sb->st_uid;
	e->gid = sb->st_gid;
	e->mtime_ns = fspath_ns(&sb->st_mtim);
	e->size = sb->st_size;
	e->dev = (int64_t)sb->st_dev;
	e->ino = (int64_t)sb->st_ino;
	e->ctime_ns = fspath_ns(&sb->st_ctim);
}

/*
 * Reads file e (hashed, and stored with keep), opened again from / without
 * following a link. 1: it is gone since the first pass.
 */
static int
read_file(struct walker *w, struct snapshot_entry *e)
{
	const char *name;
	struct stat after;
	bool added;
	int dfd, fd;

	if ((dfd = pathwalk_parent(e->path, O_PATH, &name)) < 0)
		fd = -1;
	else {
		/* O_NONBLOCK: a fifo swapped in since the stat does not hang the walk. */
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		close(dfd);
	}
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0) {
		snprintf(w->err, w->errlen, "%s cannot be read: %s", e->path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &after) < 0 || !S_ISREG(after.st_mode)) {
		close(fd);
		snprintf(w->err, w->errlen, "%s changed while it was read (no longer a file)",
		    e->path);
		return -1;
	}
	if (object_from_fd(w->eng, fd, e->path, w->keep, e->hash, &after, &added, w->err,
	    w->errlen) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	refresh(e, &after);
	w->stats->read_files++;
	w->stats->read_bytes += after.st_size;
	if (added) {
		w->stats->new_objects++;
		w->stats->new_bytes += after.st_size;
	}
	return 0;
}

/*
 * The second pass, over the sorted entries and the base side by side: a
 * file's hash from the base when it vouches for it, else from reading it;
 * its stat kept for the cache only if trusted; files gone since dropped.
 */
static int
hash_files(struct walker *w, const struct entry_list *base)
{
	struct entry_list *out = w->out;
	struct snapshot_entry *e;
	size_t i, j = 0, k = 0;
	int rc;

	for (i = 0; i < out->n; i++) {
		e = &out->v[i];
		if (e->type == SNAPSHOT_FILE) {
			while (j < base->n && strcmp(base->v[j].path, e->path) < 0)
				j++;
			if (j < base->n && strcmp(base->v[j].path, e->path) == 0 &&
			    vouches(&base->v[j], e))
				memcpy(e->hash, base->v[j].hash, sizeof(e->hash));
			else if ((rc = read_file(w, e)) < 0)
				return -1;
			else if (rc == 1) {
				w->stats->files--;
				snapshot_entry_clear(e);
				continue;
			}
			if (e->ctime_ns >= w->start_ns)
				e->dev = e->ino = e->ctime_ns = 0;
			w->stats->bytes += e->size;
		}
		out->v[k++] = *e;
	}
	out->n = k;
	return 0;
}

/* The base, read by a second thread while the first pass walks. */
struct base_reader {
	struct store	*st;
	const char	*set_name;
	struct entry_list base;
	int		 rc;
	char		 err[256];
};

static void *
read_base(void *arg)
{
	struct base_reader *b = arg;

	b->rc = store_manifest_newest(b->st, b->set_name, &b->base.v, &b->base.n, b->err,
	    sizeof(b->err));
	return NULL;
}

int
walk_set(struct snapshot_engine *eng, const struct snapshot_spec *spec, bool keep,
    struct entry_list *base, struct entry_list *out, struct snapshot_stats *stats,
    char *err, size_t errlen)
{
	struct walker w = { .eng = eng, .spec = spec, .keep = keep, .out = out,
	    .stats = stats, .err = err, .errlen = errlen };
	struct base_reader br = { .st = eng->st, .set_name = spec->name };
	struct timespec now;
	pthread_t reader;
	bool threaded;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(base, 0, sizeof(*base));
	clock_gettime(CLOCK_REALTIME_COARSE, &now);
	w.start_ns = fspath_ns(&now);
	if (!(threaded = pthread_create(&reader, NULL, read_base, &br) == 0))
		read_base(&br);
	for (i = 0; i < spec->n_paths && rc == 0; i++)
		rc = walk_root(&w, spec->paths[i], false);
	for (i = 0; i < spec->n_symlinks && rc == 0; i++)
		rc = walk_root(&w, spec->symlinks[i], true);
	if (threaded)
		pthread_join(reader, NULL);
	*base = br.base;
	if (rc == 0 && br.rc < 0) {
		snprintf(err, errlen, "%s", br.err);
		rc = -1;
	}
	if (rc == 0) {
		sort_entries(out, stats);
		rc = hash_files(&w, base);
	}
	if (rc < 0) {
		entry_list_free(out);
		entry_list_free(base);
		return -1;
	}
	return 0;
}

void
entry_list_free(struct entry_list *l)
{
	snapshot_entries_free(l->v, l->n);
	memset(l, 0, sizeof(*l));
}
