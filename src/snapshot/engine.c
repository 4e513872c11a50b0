/*
 * The engine: its directories in the state dir, the lock that lets one
 * create, restore or prune run at a time, the set's spec kept with each
 * snapshot, and the reads and marks that need no lock.
 */
#include "snapshot/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "snapshot/snapshot_internal.h"

struct snapshot_engine *
snapshot_engine_open(struct statedir *sd, struct store *st, snapshot_warn_fn warn,
    void *warn_arg, char *err, size_t errlen)
{
	struct snapshot_engine *eng = xcalloc(1, sizeof(*eng));
	struct stat sb;
	int i;

	eng->sd = sd;
	eng->st = st;
	eng->warn = warn;
	eng->warn_arg = warn_arg;
	eng->lockfd = eng->journalfd = -1;
	for (i = 0; i < 256; i++)
		eng->fanout[i] = -1;
	eng->objfd = statedir_subdir(sd, "snapshots/objects", 0750);
	eng->tmpfd = statedir_subdir(sd, "snapshots/tmp", 0700);
	if (eng->objfd < 0 || eng->tmpfd < 0 || stat(statedir_path(sd), &sb) < 0) {
		snprintf(err, errlen, "%s/snapshots: %s", statedir_path(sd), strerror(errno));
		snapshot_engine_close(eng);
		return NULL;
	}
	eng->state_dev = sb.st_dev;
	eng->state_ino = sb.st_ino;
	eng->buf = xmalloc(SNAPSHOT_BUF);
	return eng;
}

void
snapshot_engine_close(struct snapshot_engine *eng)
{
	int i;

	if (eng == NULL)
		return;
	for (i = 0; i < 256; i++)
		if (eng->fanout[i] >= 0)
			close(eng->fanout[i]);
	if (eng->objfd >= 0)
		close(eng->objfd);
	if (eng->tmpfd >= 0)
		close(eng->tmpfd);
	if (eng->lockfd >= 0)
		close(eng->lockfd);
	if (eng->journalfd >= 0)
		close(eng->journalfd);
	fsyncq_drop(&eng->unsynced);
	free(eng->buf);
	free(eng);
}

void
snapshot_engine_set_read_hook(struct snapshot_engine *eng, snapshot_read_hook fn, void *arg)
{
	eng->hook = fn;
	eng->hook_arg = arg;
}

void
engine_warn(struct snapshot_engine *eng, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (eng->warn != NULL)
		eng->warn(eng->warn_arg, msg);
	else
		log_warn(NULL, "%s", msg);
	free(msg);
}

/*
 * One create, restore or prune at a time, across processes (the CLI and
 * the daemon): an flock, released by the kernel when its holder dies, so
 * a killed run never leaves the store locked.
 */
int
engine_lock(struct snapshot_engine *eng, char *err, size_t errlen)
{
	if (eng->locks > 0) {
		eng->locks++;
		return 0;
	}
	if (eng->lockfd < 0 &&
	    (eng->lockfd = statedir_openat(eng->sd, "snapshots/lock", O_RDWR | O_CREAT,
	    0600)) < 0) {
		snprintf(err, errlen, "%s/snapshots/lock: %s", statedir_path(eng->sd),
		    strerror(errno));
		return -1;
	}
	if (flock(eng->lockfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen, "another snapshot, restore or prune is running "
			    "(%s/snapshots/lock is held): try again when it is done",
			    statedir_path(eng->sd));
		else
			snprintf(err, errlen, "%s/snapshots/lock: %s", statedir_path(eng->sd),
			    strerror(errno));
		return -1;
	}
	eng->locks = 1;
	/*
	 * Whatever a killed run left: tmp files, objects no snapshot came to
	 * use, files a restore staged and never renamed.
	 */
	objects_recover(eng);
	restore_recover(eng);
	return 0;
}

void
engine_unlock(struct snapshot_engine *eng)
{
	if (eng->locks == 0 || --eng->locks > 0)
		return;
	flock(eng->lockfd, LOCK_UN);
}

static json_t *
strings_json(const char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

char *
spec_to_json(const struct snapshot_spec *spec)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "paths", strings_json(spec->paths, spec->n_paths));
	json_object_set_new(o, "exclude", strings_json(spec->exclude, spec->n_exclude));
	json_object_set_new(o, "symlinks", strings_json(spec->symlinks, spec->n_symlinks));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static const char *
own(struct owned_spec *o, const char *s)
{
	o->strings = xgrow(o->strings, o->n_strings, sizeof(*o->strings));
	return o->strings[o->n_strings++] = xstrdup(s);
}

static const char *const *
strings_of(struct owned_spec *o, json_t *root, const char *key, size_t *n)
{
	json_t *a = json_object_get(root, key), *x;
	const char **v;
	size_t i;

	*n = json_is_array(a) ? json_array_size(a) : 0;
	v = xcalloc(*n + 1, sizeof(*v));
	json_array_foreach(a, i, x)
		v[i] = own(o, json_is_string(x) ? json_string_value(x) : "");
	/* The vector itself is freed with the strings. */
	o->strings = xgrow(o->strings, o->n_strings, sizeof(*o->strings));
	o->strings[o->n_strings++] = (char *)v;
	return v;
}

int
spec_from_json(const char *name, const char *json, struct owned_spec *out, char *err,
    size_t errlen)
{
	json_t *root;
	json_error_t je;

	memset(out, 0, sizeof(*out));
	if ((root = json_loads(json != NULL ? json : "", 0, &je)) == NULL ||
	    !json_is_object(root)) {
		snprintf(err, errlen, "snapshot of %s: its paths cannot be read: %s", name,
		    je.text);
		json_decref(root);
		return -1;
	}
	out->spec.name = own(out, name);
	out->spec.paths = strings_of(out, root, "paths", &out->spec.n_paths);
	out->spec.exclude = strings_of(out, root, "exclude", &out->spec.n_exclude);
	out->spec.symlinks = strings_of(out, root, "symlinks", &out->spec.n_symlinks);
	json_decref(root);
	return 0;
}

void
owned_spec_free(struct owned_spec *o)
{
	size_t i;

	for (i = 0; i < o->n_strings; i++)
		free(o->strings[i]);
	free(o->strings);
	memset(o, 0, sizeof(*o));
}

int
snapshot_list(struct snapshot_engine *eng, const char *set, struct snapshot_info **v,
    size_t *n, char *err, size_t errlen)
{
	return store_snapshot_list(eng->st, set, v, n, err, errlen);
}

int
snapshot_get(struct snapshot_engine *eng, int64_t id, struct snapshot_info *info,
    struct snapshot_entry **entries, size_t *n, char *err, size_t errlen)
{
	return store_snapshot_get(eng->st, id, info, entries, n, err, errlen);
}

int64_t
snapshot_lkg(struct snapshot_engine *eng, const char *set, char *err, size_t errlen)
{
	struct snapshot_info *v;
	size_t n, i;
	int64_t id = 0;

	if (store_snapshot_list(eng->st, set, &v, &n, err, errlen) < 0)
		return -1;
	for (i = 0; i < n && id == 0; i++)
		if (v[i].lkg && !v[i].bad)
			id = v[i].id;
	snapshot_infos_free(v, n);
	return id;
}

int
snapshot_mark_lkg(struct snapshot_engine *eng, int64_t id, bool lkg, char *err,
    size_t errlen)
{
	return store_snapshot_mark(eng->st, id, true, lkg, err, errlen);
}

int
snapshot_mark_bad(struct snapshot_engine *eng, int64_t id, bool bad, char *err,
    size_t errlen)
{
	return store_snapshot_mark(eng->st, id, false, bad, err, errlen);
}
