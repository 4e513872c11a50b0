/*
 * Two states of a set compared path by path: snapshot against snapshot,
 * or against the live files. A changed text file gets the unified diff of
 * /usr/bin/diff (diffutils is Essential in Debian), run with argv and the
 * two contents as its descriptors 3 and 4: no path of the world is handed
 * to it, so it cannot be sent elsewhere by a link.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "core/children.h"
#include "core/mem.h"
#include "core/pathwalk.h"
#include "core/text.h"
#include "snapshot/snapshot_internal.h"

#define DIFF_PROGRAM	"/usr/bin/diff"
#define TEXT_MAX	(1024 * 1024)	/* larger files are shown by size and hash */
#define TEXT_PROBE	8192		/* a NUL in this much makes a file binary */
#define UNIFIED_MAX	(1024 * 1024)	/* of diff's output kept */

bool
entry_content_differs(const struct snapshot_entry *a, const struct snapshot_entry *b)
{
	if (a->type != b->type)
		return true;
	if (a->type == SNAPSHOT_FILE)
		return strcmp(a->hash, b->hash) != 0;
	if (a->type == SNAPSHOT_SYMLINK)
		return strcmp(a->target != NULL ? a->target : "",
		    b->target != NULL ? b->target : "") != 0;
	return false;
}

bool
entry_meta_differs(const struct snapshot_entry *a, const struct snapshot_entry *b)
{
	if (a->uid != b->uid || a->gid != b->gid)
		return true;
	if (a->type != SNAPSHOT_SYMLINK && a->mode != b->mode)
		return true;
	return a->type == SNAPSHOT_FILE && a->mtime_ns != b->mtime_ns;
}

/* The live file, opened without following a link; -1. */
static int
open_live(const char *path)
{
	const char *base;
	int dfd = pathwalk_parent(path, O_PATH, &base), fd;

	if (dfd < 0)
		return -1;
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	return fd;
}

static bool
looks_text(int fd, int64_t size, unsigned char *buf)
{
	ssize_t r;

	if (size > TEXT_MAX)
		return false;
	r = pread(fd, buf, TEXT_PROBE, 0);
	return r >= 0 && memchr(buf, '\0', (size_t)r) == NULL;
}

/* diff -u of descriptors a and b; its text, or NULL when it could not run. */
static char *
run_diff(int a, int b, const char *la, const char *lb)
{
	char *const argv[] = { "diff", "-u", "--label", (char *)la, "--label", (char *)lb,
	    "/dev/fd/3", "/dev/fd/4", NULL };
	char *out = xmalloc(UNIFIED_MAX + 1), chunk[4096];
	size_t len = 0;
	ssize_t r;
	pid_t pid;
	int p[2], status, ha, hb, null;

	if (pipe2(p, O_CLOEXEC) < 0) {
		free(out);
		return NULL;
	}
	if ((pid = fork()) == 0) {
		/* Async-signal-safe calls only: the daemon has threads. */
		ha = fcntl(a, F_DUPFD, 10);
		hb = fcntl(b, F_DUPFD, 10);
		null = open("/dev/null", O_RDWR);
		if (ha < 0 || hb < 0 || null < 0 || dup2(ha, 3) < 0 || dup2(hb, 4) < 0 ||
		    dup2(p[1], 1) < 0 || dup2(null, 0) < 0 || dup2(null, 2) < 0)
			_exit(127);
		closefrom(5);
		execv(DIFF_PROGRAM, argv);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		free(out);
		return NULL;
	}
	children_own(pid);
	while ((r = read(p[0], chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (len + (size_t)r <= UNIFIED_MAX) {
			memcpy(out + len, chunk, (size_t)r);
			len += (size_t)r;
		}
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	children_release(pid);
	out[len] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		free(out);
		return NULL;
	}
	return out;
}

/* The unified diff of a changed file, or binary set. */
static void
unified(struct snapshot_engine *eng, struct snapshot_change *c, int64_t from, int64_t to)
{
	char err[512], *la, *lb;
	int a, b;

	if ((a = object_open(eng, c->from.hash, err, sizeof(err))) < 0)
		return;
	b = to > 0 ? object_open(eng, c->to.hash, err, sizeof(err)) : open_live(c->path);
	if (b < 0) {
		close(a);
		return;
	}
	if (!looks_text(a, c->from.size, eng->buf) || !looks_text(b, c->to.size, eng->buf)) {
		c->binary = true;
	} else {
		la = xasprintf("%s@%lld", c->path, (long long)from);
		lb = to > 0 ? xasprintf("%s@%lld", c->path, (long long)to) :
		    xasprintf("%s@live", c->path);
		c->unified = run_diff(a, b, la, lb);
		free(la);
		free(lb);
	}
	close(a);
	close(b);
}

static struct snapshot_change *
add_change(struct snapshot_diff *d, const char *path, enum snapshot_change_kind kind)
{
	struct snapshot_change *c;

	d->v = xgrow(d->v, d->n, sizeof(*d->v));
	c = &d->v[d->n++];
	memset(c, 0, sizeof(*c));
	c->path = xstrdup(path);
	c->kind = kind;
	return c;
}

static void
compare(struct snapshot_engine *eng, const struct snapshot_entry *a, size_t na,
    const struct snapshot_entry *b, size_t nb, bool want_text, int64_t from, int64_t to,
    struct snapshot_diff *d)
{
	struct snapshot_change *c;
	size_t i = 0, j = 0;
	int cmp;

	while (i < na || j < nb) {
		cmp = i == na ? 1 : j == nb ? -1 : strcmp(a[i].path, b[j].path);
		if (cmp < 0) {
			snapshot_entry_copy(&add_change(d, a[i].path, SNAPSHOT_REMOVED)->from, &a[i]);
			i++;
		} else if (cmp > 0) {
			snapshot_entry_copy(&add_change(d, b[j].path, SNAPSHOT_ADDED)->to, &b[j]);
			j++;
		} else {
			if (entry_content_differs(&a[i], &b[j]) ||
			    entry_meta_differs(&a[i], &b[j])) {
				c = add_change(d, a[i].path, SNAPSHOT_CHANGED);
				snapshot_entry_copy(&c->from, &a[i]);
				snapshot_entry_copy(&c->to, &b[j]);
				c->content = entry_content_differs(&a[i], &b[j]);
				if (c->content && want_text && a[i].type == SNAPSHOT_FILE &&
				    b[j].type == SNAPSHOT_FILE)
					unified(eng, c, from, to);
			}
			i++;
			j++;
		}
	}
}

int
snapshot_diff(struct snapshot_engine *eng, int64_t from, int64_t to, bool want_text,
    struct snapshot_diff *out, char *err, size_t errlen)
{
	struct snapshot_info info, info2;
	struct snapshot_entry *a = NULL, *b = NULL;
	struct snapshot_stats stats = { 0 };
	struct owned_spec spec;
	struct entry_list live = { 0 }, base;
	size_t na = 0, nb = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (store_snapshot_get(eng->st, from, &info, &a, &na, err, errlen) != 0)
		return -1;
	if (to > 0) {
		if (store_snapshot_get(eng->st, to, &info2, &b, &nb, err, errlen) != 0)
			goto done;
		snapshot_info_clear(&info2);
	} else {
		if (spec_from_json(info.set_name, info.spec, &spec, err, errlen) < 0)
			goto done;
		rc = walk_set(eng, &spec.spec, false, &base, &live, &stats, err, errlen);
		owned_spec_free(&spec);
		entry_list_free(&base);
		if (rc < 0)
			goto done;
		b = live.v;
		nb = live.n;
		live.v = NULL;
		live.n = 0;
	}
	compare(eng, a, na, b, nb, want_text, from, to, out);
	rc = 0;
done:
	entry_list_free(&live);
	snapshot_entries_free(a, na);
	snapshot_entries_free(b, nb);
	snapshot_info_clear(&info);
	return rc;
}

static const char *const change_names[] = {
	[SNAPSHOT_ADDED] = "added", [SNAPSHOT_REMOVED] = "removed",
	[SNAPSHOT_CHANGED] = "changed",
};

const char *
snapshot_change_name(enum snapshot_change_kind kind)
{
	return (size_t)kind < sizeof(change_names) / sizeof(change_names[0]) ?
	    change_names[kind] : "?";
}

/* One side of a change: null when the path is not on that side. */
static json_t *
side_json(const struct snapshot_entry *e)
{
	if (e->path == NULL)
		return json_null();
	return json_pack("{ss si sI ss* ss*}", "type", snapshot_type_name(e->type), "mode",
	    (int)e->mode, "size", (json_int_t)e->size, "sha256",
	    e->hash[0] != '\0' ? e->hash : NULL, "target", e->target);
}

json_t *
snapshot_diff_json(const struct snapshot_diff *d)
{
	json_t *out = json_array();
	char *text;
	size_t i;

	for (i = 0; i < d->n; i++) {
		/* What a file says may hold a URL with its password: never shown. */
		text = d->v[i].unified != NULL ? text_redact(d->v[i].unified) : NULL;
		json_array_append_new(out, json_pack("{ss ss sb sb ss* so so}", "path",
		    d->v[i].path, "change", snapshot_change_name(d->v[i].kind), "content",
		    d->v[i].content, "binary", d->v[i].binary, "diff", text, "from",
		    side_json(&d->v[i].from), "to", side_json(&d->v[i].to)));
		free(text);
	}
	return out;
}

void
snapshot_diff_free(struct snapshot_diff *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].path);
		snapshot_entry_clear(&d->v[i].from);
		snapshot_entry_clear(&d->v[i].to);
		free(d->v[i].unified);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}
