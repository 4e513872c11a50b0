/*
 * A restore: the plan (the snapshot against the live set), the objects it
 * needs verified, the live set snapshotted ("pre-rollback"), then
 *   1. missing directories made, with their mode and owner;
 *   2. every file and symlink staged beside its target under a temp name
 *      (content, owner, mode, mtime), then all fsync'd, nothing replaced yet;
 *   3. each renamed over its target (a symlink swapped atomically), then
 *      their directories fsync'd;
 *   4. modes, owners and mtimes put back where only they differ;
 *   5. with delete_added, what the snapshot does not have removed, deepest
 *      first.
 * A failure in 2 removes what was staged and nothing was replaced; one in
 * 3 removes what is still staged and names what was already renamed (the
 * pre-rollback snapshot puts it back).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fdio.h"
#include "core/fsyncq.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "core/pathwalk.h"
#include "snapshot/snapshot_internal.h"

#define RESTORE_JOURNAL		"snapshots/restore.journal"
#define RESTORE_STAGED		".tend-restore-"	/* then PID-N, beside the target */
#define RESTORE_JOURNAL_MAX	(64 * 1024 * 1024)	/* far above a set's paths */

struct restore {
	struct snapshot_engine *eng;
	struct snapshot_restore_result *out;
	const struct snapshot_entry **src;	/* per step: the snapshot's entry, or NULL */
	char		**tmp;			/* per step: its staged name, or NULL */
	int64_t		 id;
	struct fsyncq	 unsynced;		/* staged files, then renamed-in directories */
	char		*err;
	size_t		 errlen;
};

static void
add_step(struct restore *r, const char *path, enum snapshot_step_kind kind,
    enum snapshot_type type, const struct snapshot_entry *src)
{
	struct snapshot_restore_result *o = r->out;

	o->steps = xgrow(o->steps, o->n, sizeof(*o->steps));
	r->src = xgrow(r->src, o->n, sizeof(*r->src));
	r->tmp = xgrow(r->tmp, o->n, sizeof(*r->tmp));
	o->steps[o->n] = (struct snapshot_step){ .path = xstrdup(path), .kind = kind,
	    .type = type };
	r->src[o->n] = src;
	r->tmp[o->n++] = NULL;
}

/* A directory cannot become a file by a rename, nor the other way. */
static int
conflict(struct restore *r, const struct snapshot_entry *s, const struct snapshot_entry *l)
{
	if ((s->type == SNAPSHOT_DIR) == (l->type == SNAPSHOT_DIR))
		return 0;
	snprintf(r->err, r->errlen, "%s is a %s now and a %s in snapshot %lld: move it "
	    "aside first; nothing was restored", s->path, snapshot_type_name(l->type),
	    snapshot_type_name(s->type), (long long)r->id);
	return -1;
}

static int
plan(struct restore *r, const struct snapshot_entry *s, size_t ns,
    const struct snapshot_entry *l, size_t nl, bool delete_added)
{
	size_t i = 0, j = 0;
	int cmp;

	while (i < ns || j < nl) {
		cmp = i == ns ? 1 : j == nl ? -1 : strcmp(s[i].path, l[j].path);
		if (cmp < 0) {
			add_step(r, s[i].path, s[i].type == SNAPSHOT_DIR ? SNAPSHOT_STEP_MKDIR :
			    SNAPSHOT_STEP_WRITE, s[i].type, &s[i]);
			i++;
		} else if (cmp > 0) {
			add_step(r, l[j].path, delete_added ? SNAPSHOT_STEP_DELETE :
			    SNAPSHOT_STEP_ADDED, l[j].type, NULL);
			j++;
		} else {
			if (conflict(r, &s[i], &l[j]) < 0)
				return -1;
			if (entry_content_differs(&s[i], &l[j]))
				add_step(r, s[i].path, SNAPSHOT_STEP_WRITE, s[i].type, &s[i]);
			else if (entry_meta_differs(&s[i], &l[j]))
				add_step(r, s[i].path, SNAPSHOT_STEP_META, s[i].type, &s[i]);
			i++;
			j++;
		}
	}
	return 0;
}

static int
verify(struct restore *r)
{
	const struct snapshot_entry *e;
	size_t i;

	for (i = 0; i < r->out->n; i++) {
		e = r->src[i];
		if (r->out->steps[i].kind == SNAPSHOT_STEP_WRITE && e->type == SNAPSHOT_FILE &&
		    object_verify(r->eng, e->hash, e->path, r->err, r->errlen) < 0)
			return -1;
	}
	return 0;
}

static int
fail(struct restore *r, const char *path, const char *what)
{
	snprintf(r->err, r->errlen, "%s: %s: %s", path, what, strerror(errno));
	return -1;
}

/* Owner, then mode (a chown clears set-id bits), then mtime. */
static int
set_meta_fd(int fd, const struct snapshot_entry *e)
{
	struct timespec ts[2];

	ts[0].tv_sec = ts[1].tv_sec = e->mtime_ns / 1000000000LL;
	ts[0].tv_nsec = ts[1].tv_nsec = e->mtime_ns % 1000000000LL;
	if (fchown(fd, e->uid, e->gid) < 0 || fchmod(fd, e->mode) < 0)
		return -1;
	return e->type == SNAPSHOT_FILE ? futimens(fd, ts) : 0;
}

static int
set_meta_link(int dfd, const char *name, const struct snapshot_entry *e)
{
	struct timespec ts[2];

	ts[0].tv_sec = ts[1].tv_sec = e->mtime_ns / 1000000000LL;
	ts[0].tv_nsec = ts[1].tv_nsec = e->mtime_ns % 1000000000LL;
	if (fchownat(dfd, name, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

static int
make_dir(struct restore *r, size_t i)
{
	const struct snapshot_entry *e = r->src[i];
	const char *base;
	int dfd, fd = -1, rc = -1;

	if ((dfd = pathwalk_parent(e->path, O_PATH, &base)) < 0)
		return fail(r, e->path, "its parent");
	if (mkdirat(dfd, base, 0700) < 0 && errno != EEXIST)
		fail(r, e->path, "mkdir");
	else if ((fd = openat(dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		fail(r, e->path, "open");
	else if (set_meta_fd(fd, e) < 0)
		fail(r, e->path, "mode and owner");
	else
		rc = 0;
	if (fd >= 0)
		close(fd);
	close(dfd);
	r->out->steps[i].done = rc == 0;
	return rc;
}

static int
copy_object(struct restore *r, const struct snapshot_entry *e, int out)
{
	int in = object_open(r->eng, e->hash, r->err, r->errlen);
	ssize_t n;

	if (in < 0)
		return -1;
	while ((n = read(in, r->eng->buf, SNAPSHOT_BUF)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && fd_write_all(out, r->eng->buf, (size_t)n) < 0)
			break;
	close(in);
	return n == 0 ? 0 : -1;
}

static int
stage_one(struct restore *r, size_t i, int dfd, const char *tmp)
{
	const struct snapshot_entry *e = r->src[i];
	int fd;

	if (e->type == SNAPSHOT_SYMLINK) {
		if (symlinkat(e->target, dfd, tmp) < 0)
			return fail(r, e->path, "staging");
		return set_meta_link(dfd, tmp, e) < 0 ? fail(r, e->path, "staging") : 0;
	}
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(r, e->path, "staging");
	if (copy_object(r, e, fd) < 0 || set_meta_fd(fd, e) < 0) {
		fail(r, e->path, "staging");
		close(fd);
		return -1;
	}
	/* Synced with the others once all are staged, before any is renamed. */
	return fsyncq_add(&r->unsynced, fd) < 0 ? fail(r, e->path, "staging (fsync)") : 0;
}

/* The name step i is staged under, beside its target. */
static char *
staged_name(size_t i)
{
	return xasprintf(RESTORE_STAGED "%d-%zu", (int)getpid(), i);
}

/*
 * What is about to be staged, each target and its staged name, NUL
 * after each: a restore killed before its renames leaves these, and the
 * next lock removes them (restore_recover).
 */
static int
journal_write(struct restore *r)
{
	char *buf = NULL, *tmp;
	size_t len = 0, i, a, b;
	int rc;

	for (i = 0; i < r->out->n; i++) {
		if (r->out->steps[i].kind != SNAPSHOT_STEP_WRITE)
			continue;
		tmp = staged_name(i);
		a = strlen(r->out->steps[i].path) + 1;
		b = strlen(tmp) + 1;
		buf = xrealloc(buf, len + a + b);
		memcpy(buf + len, r->out->steps[i].path, a);
		memcpy(buf + len + a, tmp, b);
		len += a + b;
		free(tmp);
	}
	rc = len == 0 ? 0 : statedir_replace(r->eng->sd, RESTORE_JOURNAL, buf, len, 0600);
	free(buf);
	if (rc < 0)
		snprintf(r->err, r->errlen, "%s/%s: %s", statedir_path(r->eng->sd),
		    RESTORE_JOURNAL, strerror(errno));
	return rc;
}

void
restore_recover(struct snapshot_engine *eng)
{
	char *buf = NULL, *p, *tmp;
	const char *base;
	struct stat st;
	int fd, dfd, removed = 0;
	ssize_t n = 0, k;

	if ((fd = statedir_openat(eng->sd, RESTORE_JOURNAL, O_RDONLY, 0)) < 0)
		return;
	if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size <= RESTORE_JOURNAL_MAX) {
		buf = xmalloc((size_t)st.st_size + 1);
		while (n < st.st_size && (k = read(fd, buf + n, (size_t)(st.st_size - n))) > 0)
			n += k;
	}
	close(fd);
	if (n > 0)
		buf[n] = '\0';
	for (p = buf; n > 0 && p < buf + n; p = tmp + strlen(tmp) + 1) {
		tmp = p + strlen(p) + 1;
		if (tmp >= buf + n || strchr(tmp, '/') != NULL ||
		    strncmp(tmp, RESTORE_STAGED, strlen(RESTORE_STAGED)) != 0)
			break;		/* not ours: stop, touch nothing */
		if ((dfd = pathwalk_parent(p, O_PATH, &base)) < 0)
			continue;
		if (fstatat(dfd, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) && st.st_uid == geteuid() &&
		    unlinkat(dfd, tmp, 0) == 0)
			removed++;
		close(dfd);
	}
	if (removed > 0)
		log_warn(NULL, "a restore was killed half way: its %d staged files are removed; "
		    "the files it had renamed into place stay (the pre-rollback snapshot has "
		    "what was there before)", removed);
	free(buf);
	statedir_unlink(eng->sd, RESTORE_JOURNAL);
}

static int
stage(struct restore *r, size_t i)
{
	const char *base;
	char *tmp;
	int dfd, rc;

	if ((dfd = pathwalk_parent(r->src[i]->path, O_PATH, &base)) < 0)
		return fail(r, r->src[i]->path, "its parent");
	tmp = staged_name(i);
	r->tmp[i] = tmp;
	if ((rc = stage_one(r, i, dfd, tmp)) < 0) {
		unlinkat(dfd, tmp, 0);
		free(tmp);
		r->tmp[i] = NULL;
	} else if (r->eng->hook != NULL) {
		r->eng->hook(r->eng->hook_arg, r->src[i]->path);	/* tests: a kill here */
	}
	close(dfd);
	return rc;
}

static int
put_in_place(struct restore *r, size_t i)
{
	const char *base;
	int dfd, rc;

	if ((dfd = pathwalk_parent(r->out->steps[i].path, O_RDONLY, &base)) < 0)
		return fail(r, r->out->steps[i].path, "its parent");
	rc = renameat(dfd, r->tmp[i], dfd, base);
	if (rc < 0) {
		fail(r, r->out->steps[i].path, "rename");
		close(dfd);
	} else {
		fsyncq_add(&r->unsynced, dfd);	/* the directory, synced after the last rename */
	}
	if (rc == 0) {
		free(r->tmp[i]);
		r->tmp[i] = NULL;
		r->out->steps[i].done = true;
	}
	return rc;
}

/* Removes whatever is still staged. */
static void
unstage(struct restore *r)
{
	const char *base;
	size_t i;
	int dfd;

	for (i = 0; i < r->out->n; i++) {
		if (r->tmp[i] == NULL)
			continue;
		if ((dfd = pathwalk_parent(r->out->steps[i].path, O_PATH, &base)) >= 0) {
			unlinkat(dfd, r->tmp[i], 0);
			close(dfd);
		}
		free(r->tmp[i]);
		r->tmp[i] = NULL;
	}
}

/* What was already renamed, for the message of a restore that failed in step 3. */
static void
name_done(struct restore *r)
{
	size_t i, len = strlen(r->err), k = 0;

	for (i = 0; i < r->out->n && len + 1 < r->errlen; i++) {
		if (!r->out->steps[i].done || r->out->steps[i].kind != SNAPSHOT_STEP_WRITE)
			continue;
		snprintf(r->err + len, r->errlen - len, "%s%s", k++ == 0 ?
		    "; already restored: " : ", ", r->out->steps[i].path);
		len = strlen(r->err);
	}
	if (k > 0 && len + 1 < r->errlen)
		snprintf(r->err + len, r->errlen - len, " (snapshot %lld puts them back)",
		    (long long)r->out->pre_id);
}

static int
set_meta(struct restore *r, size_t i)
{
	const struct snapshot_entry *e = r->src[i];
	const char *base;
	int dfd, fd, rc;

	if ((dfd = pathwalk_parent(e->path, O_PATH, &base)) < 0)
		return fail(r, e->path, "its parent");
	if (e->type == SNAPSHOT_SYMLINK) {
		rc = set_meta_link(dfd, base, e);
	} else if ((fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) <
	    0) {
		rc = -1;
	} else {
		rc = set_meta_fd(fd, e);
		close(fd);
	}
	close(dfd);
	r->out->steps[i].done = rc == 0;
	return rc < 0 ? fail(r, e->path, "mode, owner or mtime") : 0;
}

static int
delete_added(struct restore *r, size_t i)
{
	struct snapshot_step *s = &r->out->steps[i];
	const char *base;
	int dfd, rc;

	if ((dfd = pathwalk_parent(s->path, O_PATH, &base)) < 0)
		return errno == ENOENT ? 0 : fail(r, s->path, "its parent");
	rc = unlinkat(dfd, base, s->type == SNAPSHOT_DIR ? AT_REMOVEDIR : 0);
	close(dfd);
	if (rc < 0 && errno != ENOENT)
		return fail(r, s->path, "delete");
	s->done = true;
	return 0;
}

static int
apply(struct restore *r)
{
	size_t i, n = r->out->n;
	enum snapshot_step_kind k;

	for (i = 0; i < n; i++)
		if (r->out->steps[i].kind == SNAPSHOT_STEP_MKDIR && make_dir(r, i) < 0)
			return -1;
	if (journal_write(r) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (r->out->steps[i].kind == SNAPSHOT_STEP_WRITE && stage(r, i) < 0) {
			fsyncq_drop(&r->unsynced);
			unstage(r);
			statedir_unlink(r->eng->sd, RESTORE_JOURNAL);
			return -1;
		}
	if (fsyncq_flush(&r->unsynced) < 0) {
		snprintf(r->err, r->errlen, "syncing the staged files: %s; nothing was restored",
		    strerror(errno));
		unstage(r);
		statedir_unlink(r->eng->sd, RESTORE_JOURNAL);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (r->tmp[i] != NULL && put_in_place(r, i) < 0) {
			fsyncq_flush(&r->unsynced);
			unstage(r);
			name_done(r);
			statedir_unlink(r->eng->sd, RESTORE_JOURNAL);
			return -1;
		}
	fsyncq_flush(&r->unsynced);
	statedir_unlink(r->eng->sd, RESTORE_JOURNAL);
	for (i = 0; i < n; i++)
		if (r->out->steps[i].kind == SNAPSHOT_STEP_META && set_meta(r, i) < 0)
			return -1;
	for (i = n; i-- > 0;) {
		k = r->out->steps[i].kind;
		if (k == SNAPSHOT_STEP_DELETE && delete_added(r, i) < 0)
			return -1;
	}
	return 0;
}

/*
 * The live set (snapshotted first when the restore is real: pre_id) and
 * snapshot id's manifest, from the set's newest one until then (base).
 */
static int
live_state(struct restore *r, const struct snapshot_spec *spec, bool dry_run,
    struct entry_list *live, struct entry_list *target)
{
	struct snapshot_stats stats;
	struct entry_list base;
	char *label;
	int rc;

	if (dry_run)
		rc = walk_set(r->eng, spec, false, &base, live, &stats, r->err, r->errlen);
	else {
		label = xasprintf("before restoring snapshot %lld", (long long)r->id);
		rc = create_locked(r->eng, spec, label, "pre-rollback", &r->out->pre_id,
		    &stats, live, &base, r->err, r->errlen);
		free(label);
	}
	if (rc < 0)
		return -1;
	rc = store_manifest_at(r->eng->st, spec->name, r->id, r->out->pre_id, &base.v,
	    &base.n, &target->v, &target->n, r->err, r->errlen);
	entry_list_free(&base);
	if (rc < 0)
		entry_list_free(live);
	return rc;
}

static int
restore_locked(struct restore *r, const struct snapshot_spec *spec,
    struct entry_list *target, const struct snapshot_restore_opts *opts)
{
	struct entry_list live;
	char ignored[256];
	int rc;

	rc = live_state(r, spec, opts->dry_run, &live, target);
	if (rc == 0) {
		rc = plan(r, target->v, target->n, live.v, live.n, opts->delete_added);
		entry_list_free(&live);
	}
	if (rc == 0)
		rc = verify(r);
	if (rc < 0 && r->out->pre_id > 0) {
		/* Refused before anything was written: no pre-rollback snapshot either. */
		store_snapshot_delete(r->eng->st, &r->out->pre_id, 1, ignored, sizeof(ignored));
		r->out->pre_id = 0;
	}
	if (rc < 0 || opts->dry_run)
		return rc;
	return apply(r);
}

int
snapshot_restore(struct snapshot_engine *eng, int64_t id,
    const struct snapshot_restore_opts *opts, struct snapshot_restore_result *out,
    char *err, size_t errlen)
{
	struct restore r = { .eng = eng, .out = out, .id = id, .err = err, .errlen = errlen };
	struct entry_list target = { 0 };
	struct snapshot_info info;
	struct owned_spec spec;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store_snapshot_get(eng->st, id, &info, NULL, NULL, err, errlen) != 0)
		return -1;
	rc = spec_from_json(info.set_name, info.spec, &spec, err, errlen);
	snapshot_info_clear(&info);
	if (rc == 0 && (rc = engine_lock(eng, err, errlen)) == 0) {
		rc = restore_locked(&r, &spec.spec, &target, opts);
		engine_unlock(eng);
	}
	owned_spec_free(&spec);
	entry_list_free(&target);
	free(r.src);
	free(r.tmp);
	return rc;
}

void
snapshot_restore_result_free(struct snapshot_restore_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->steps[i].path);
	free(r->steps);
	memset(r, 0, sizeof(*r));
}
