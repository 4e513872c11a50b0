#include "supervise/svc_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "core/cgroup.h"
#include "core/log.h"
#include "core/mem.h"
#include "supervise/cgtree.h"
#include "supervise/raise.h"
#include "supervise/service.h"

void
svc_cgroup_init(struct svc_cgroup *c)
{
	memset(c, 0, sizeof(*c));
	c->dir = -1;
}

static void
note_add(struct svc_cgroup *c, const char *fmt, ...)
{
	char *more, *note;
	va_list ap;

	va_start(ap, fmt);
	more = xvasprintf(fmt, ap);
	va_end(ap);
	note = c->note != NULL ? xasprintf("%s; %s", c->note, more) : more;
	if (note != more)
		free(more);
	free(c->note);
	c->note = note;
}

/* The subtree for every service, found when the first one needs it. */
static struct cgtree *
svc_cgtree(struct supervise_ctx *ctx)
{
	if (ctx->cgroups == NULL) {
		ctx->cgroups = xcalloc(1, sizeof(*ctx->cgroups));
		cgtree_open(ctx->cgroups);
		if (ctx->cgroups->base < 0)
			log_warn(NULL, "cgroups: %s; services with cgroup: run in their "
			    "process group, bounded by their rlimits", ctx->cgroups->why);
		else
			log_info(NULL, "cgroups: services in %s (controllers: %s)",
			    ctx->cgroups->path, *ctx->cgroups->controllers ?
			    ctx->cgroups->controllers : "none");
	}
	return ctx->cgroups;
}

/* Limits whose controller is missing, to be said in one sentence per reason. */
struct missing {
	const char	*ctrl[4];
	const char	*key[4];
	int		 n;
};

/* One limit written, or kept in m with its controller. */
static void
svc_cgroup_limit(struct service *svc, struct cgtree *t, struct missing *m,
    const char *ctrl, const char *key, const char *file, const char *value)
{
	struct svc_cgroup *c = &svc->cg;
	int rc;

	if (!cgtree_has(t, ctrl)) {
		m->ctrl[m->n] = ctrl;
		m->key[m->n++] = key;
		return;
	}
	if ((rc = cgroup_write(c->dir, file, value)) != 0)
		note_add(c, "%s not applied: %s/%s: %s", key, c->path, file, strerror(rc));
}

/*
 * "the memory, pids controllers are not enabled in X (not available in
 * Y): memory_max, pids_max not applied" — one sentence for the limits
 * whose controllers are missing for the same reason as the first's.
 */
static void
svc_cgroup_say_missing(struct svc_cgroup *c, struct cgtree *t, struct missing *m)
{
	char ctrls[64], keys[96];
	const char *why;
	int i, n;

	while (m->n > 0) {
		why = cgtree_missing(t, m->ctrl[0]);
		*ctrls = *keys = '\0';
		for (i = n = 0; i < m->n; i++) {
			if (strcmp(cgtree_missing(t, m->ctrl[i]), why) != 0) {
				m->ctrl[n] = m->ctrl[i];
				m->key[n++] = m->key[i];
				continue;
			}
			if (strstr(ctrls, m->ctrl[i]) == NULL)
				snprintf(ctrls + strlen(ctrls), sizeof(ctrls) - strlen(ctrls),
				    "%s%s", *ctrls ? ", " : "", m->ctrl[i]);
			snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys), "%s%s",
			    *keys ? ", " : "", m->key[i]);
		}
		note_add(c, "%s not applied: %s %s not enabled in %s (%s)", keys, ctrls,
		    strchr(ctrls, ',') != NULL ? "controllers are" : "controller is", t->path,
		    why);
		m->n = n;
	}
}

static void
svc_cgroup_limits(struct service *svc, struct cgtree *t)
{
	struct missing m = { .n = 0 };
	struct svc_limits l;
	char v[64];

	svc_limits_effective(svc, &l);
	if (l.memory_max != 0) {
		svc_limit_text(l.memory_max, v, sizeof(v));
		svc_cgroup_limit(svc, t, &m, "memory", "memory_max", "memory.max", v);
	}
	if (l.memory_high != 0) {
		svc_limit_text(l.memory_high, v, sizeof(v));
		svc_cgroup_limit(svc, t, &m, "memory", "memory_high", "memory.high", v);
	}
	if (l.cpu_quota_us != 0) {
		svc_cpu_max_text(l.cpu_quota_us, l.cpu_period_us, v, sizeof(v));
		svc_cgroup_limit(svc, t, &m, "cpu", "cpu_max", "cpu.max", v);
	}
	if (l.pids_max != 0) {
		svc_limit_text(l.pids_max, v, sizeof(v));
		svc_cgroup_limit(svc, t, &m, "pids", "pids_max", "pids.max", v);
	}
	svc_cgroup_say_missing(&svc->cg, t, &m);
}

static void
svc_cgroup_unwatch(struct svc_cgroup *c)
{
	if (c->watch == NULL)
		return;
	c->watch->data = NULL;
	uv_close((uv_handle_t *)c->watch, (uv_close_cb)free);
	c->watch = NULL;
}

/* The service's cgroup directory, made if need be; false after a note. */
static bool
svc_cgroup_make(struct service *svc, struct cgtree *t)
{
	struct svc_cgroup *c = &svc->cg;

	if (t->base < 0) {
		note_add(c, "no cgroup: %s", t->why);
		return false;
	}
	svc_cgroup_unwatch(c);
	free(c->path);
	c->path = xasprintf("%s/%s", t->path, svc->name);
	if (c->dir < 0 && (c->dir = cgroup_open_child(t->base, svc->name, true)) < 0) {
		note_add(c, "no cgroup: cannot make %s: %s", c->path, strerror(errno));
		return false;
	}
	/* Only tend puts processes here: these are a previous run's. */
	if (cgroup_populated(c->dir) == 1) {
		log_warn(svc->name, "cgroup %s still holds processes from before; killing "
		    "them", c->path);
		cgroup_kill(c->dir);
	}
	return true;
}

int
svc_cgroup_prepare(struct service *svc)
{
	struct svc_cgroup *c = &svc->cg;
	struct cgtree *t;
	int procs = -1;

	if (!svc->conf->cgroup.enabled)
		return -1;
	t = svc_cgtree(svc->ctx);
	free(c->note);
	c->note = NULL;
	if (svc_cgroup_make(svc, t)) {
		svc_cgroup_limits(svc, t);
		procs = openat(c->dir, "cgroup.procs", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (procs < 0)
			note_add(c, "no cgroup: %s/cgroup.procs: %s", c->path, strerror(errno));
	}
	if (c->note != NULL && !c->said) {
		log_warn(svc->name, "cgroup: %s%s", c->note, procs < 0 ? " (process group "
		    "and rlimits instead)" : "");
		c->said = true;
	}
	return procs;
}

/* Removes the cgroup if nothing is in it and the service has not started again. */
static bool
svc_cgroup_remove(struct service *svc)
{
	struct svc_cgroup *c = &svc->cg;
	struct cgtree *t = svc->ctx->cgroups;

	if (c->dir < 0 || svc->pid > 0 || cgroup_populated(c->dir) != 0 || t == NULL ||
	    t->base < 0)
		return c->dir < 0 || svc->pid > 0;
	if (unlinkat(t->base, svc->name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
		log_warn(svc->name, "cannot remove cgroup %s: %s", c->path, strerror(errno));
		return true;
	}
	close(c->dir);
	c->dir = -1;
	return true;
}

static void
svc_cgroup_changed(uv_fs_event_t *ev, const char *file, int events, int status)
{
	struct service *svc = ev->data;

	if (svc != NULL && svc_cgroup_remove(svc))
		svc_cgroup_unwatch(&svc->cg);
}

void
svc_cgroup_ended(struct service *svc)
{
	struct svc_cgroup *c = &svc->cg;
	char *events;
	int rc;

	if (c->dir < 0)
		return;
	/* What escaped the process group and the reaper's view ends here too. */
	if ((rc = cgroup_kill(c->dir)) != 0 && rc != ENOENT)
		log_warn(svc->name, "cgroup.kill of %s: %s", c->path, strerror(rc));
	if (svc_cgroup_remove(svc) || c->watch != NULL)
		return;
	/* The kill is not waited for: cgroup.events says when it is empty. */
	c->watch = xcalloc(1, sizeof(*c->watch));
	uv_fs_event_init(svc->ctx->loop, c->watch);
	c->watch->data = svc;
	events = xasprintf("%s/cgroup.events", c->path);
	if (uv_fs_event_start(c->watch, svc_cgroup_changed, events, 0) != 0)
		svc_cgroup_unwatch(c);
	else
		svc_cgroup_remove(svc);	/* emptied between the kill and the watch */
	free(events);
}

void
svc_cgroup_free(struct service *svc)
{
	svc_cgroup_unwatch(&svc->cg);
	svc_cgroup_remove(svc);
	if (svc->cg.dir >= 0)
		close(svc->cg.dir);
	svc->cg.dir = -1;
	free(svc->cg.path);
	free(svc->cg.note);
	svc->cg.path = svc->cg.note = NULL;
}

int
svc_cgroup_set(struct service *svc, const char *file, const char *value)
{
	if (svc->cg.dir < 0)
		return ENOENT;
	return cgroup_write(svc->cg.dir, file, value);
}

bool
svc_cgroup_has(const struct service *svc, const char *controller)
{
	/* The tree's controllers are fixed once it is found, before any cgroup is made. */
	return svc->cg.dir >= 0 && cgtree_has(svc->ctx->cgroups, controller);
}

int
svc_cgroup_dup(const struct service *svc)
{
	if (svc->cg.dir < 0)
		return -1;
	return fcntl(svc->cg.dir, F_DUPFD_CLOEXEC, 3);
}

json_t *
svc_cgroup_json(const struct service *svc)
{
	static const char *const names[] = { "memory", "cpu", "pids" };
	const struct svc_cgroup *c = &svc->cg;
	json_t *ctrl;
	int i;

	if (!svc->conf->cgroup.enabled)
		return json_null();
	ctrl = json_array();
	for (i = 0; i < 3; i++)
		if (svc_cgroup_has(svc, names[i]))
			json_array_append_new(ctrl, json_string(names[i]));
	return json_pack("{s:o, s:o, s:o}", "path", c->dir >= 0 ? json_string(c->path) :
	    json_null(), "controllers", ctrl, "note", c->note != NULL ? json_string(c->note) :
	    json_null());
}
