#include "daemon/change_watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/procid.h"
#include "core/statedir.h"
#include "core/strv.h"
#include "core/text.h"
#include "core/workpool.h"
#include "daemon/pathwatch.h"
#include "diagnose/dpkglog.h"
#include "heal/changes.h"
#include "snapshot/snapshot.h"
#include "store/changes.h"
#include "store/store.h"

#define CW_QUIET_MS		500	/* a set quiet this long: its change is over */
#define CW_MAX_MS		5000	/* steady churn is reported this often */
#define CW_TICK_MS		1000
#define CW_DPKG_EVERY		5	/* ticks between reads of dpkg's log */
#define CW_PACKAGES_WINDOW_MS	120000	/* a package change's guard window */
#define CW_LABEL_NAMES		3	/* paths or packages named in a label */

/* A snapshot to take on the thread pool, and what came of it. */
struct cw_job {
	struct cw_job	*next;
	struct change_watch *cw;
	char		*set;
	char		**paths, **exclude, **symlinks;
	int64_t		 change_id;	/* 0: the state tend found */
	bool		 lkg;		/* mark it last known good */
	int64_t		 snapshot_id;
	int		 rc;
	char		 err[512];
	/* A rollback to the last known good instead of a snapshot. */
	void		(*done)(void *token, bool ok, const char *detail);
	void		*token;
	char		**restart;	/* the set's services, restarted after */
	size_t		 restored;	/* files written */
};

struct cw_hold;

struct change_watch {
	uv_loop_t	*loop;
	struct statedir	*sd;
	struct store	*st;
	const struct tend_config *cfg;
	struct change_watch_ops ops;
	struct pathwatch *pw;
	struct change_tracker *ct;
	struct dpkglog	 dpkg;
	bool		 dpkg_on;
	int		 ticks;
	uv_timer_t	 tick;
	/* The thread pool's side: an engine on a store connection of its own. */
	struct store	*wst;
	struct snapshot_engine *eng;
	struct cw_job	*queue;
	uv_work_t	 work;
	struct cw_job	*running;
	bool		 flushing;	/* an incident asked: no `recorded` call back */
	bool		 closing;
	/* Sets a `tend guard` is changing: its change, not the daemon's to judge. */
	struct cw_hold	*holds;
	size_t		 n_holds;
};

struct cw_hold {
	char		*set;
	struct proc_id	 guard;		/* held while it lives */
};

static void	cw_next_job(struct change_watch *cw);
static void	cw_arm(struct change_watch *cw);

/* Whether a live `tend guard` holds set. */
static bool
cw_held(const struct change_watch *cw, const char *set)
{
	size_t i;

	for (i = 0; set != NULL && i < cw->n_holds; i++)
		if (strcmp(cw->holds[i].set, set) == 0 && proc_id_alive(&cw->holds[i].guard))
			return true;
	return false;
}

/* What a guard's own writes did is dropped; the hold ends. */
static void
cw_release(struct change_watch *cw, size_t i)
{
	size_t group;

	for (group = 0; cw->pw != NULL && group < cw->cfg->n_snapshots; group++)
		if (strcmp(cw->cfg->snapshots[group].name, cw->holds[i].set) == 0)
			pathwatch_discard(cw->pw, group);
	log_info(NULL, "%s: tend guard (pid %d) is done with it", cw->holds[i].set,
	    (int)cw->holds[i].guard.pid);
	free(cw->holds[i].set);
	cw->holds[i] = cw->holds[--cw->n_holds];
}

static void
cw_job_free(struct cw_job *job)
{
	free(job->set);
	strv_free(job->paths);
	strv_free(job->exclude);
	strv_free(job->symlinks);
	strv_free(job->restart);
	free(job);
}

/* The engine of the pool's thread, opened at its first job. */
static struct snapshot_engine *
cw_engine(struct change_watch *cw, char *err, size_t errlen)
{
	char *path;

	if (cw->eng != NULL)
		return cw->eng;
	if (cw->wst == NULL) {
		path = statedir_file(cw->sd, "tend.db");
		cw->wst = store_open(path, err, errlen);
		free(path);
		if (cw->wst == NULL)
			return NULL;
	}
	cw->eng = snapshot_engine_open(cw->sd, cw->wst, NULL, NULL, err, errlen);
	return cw->eng;
}

/* The pool's side of a rollback: the set's last known good, put back. */
static void
cw_restore_lkg(struct snapshot_engine *eng, struct cw_job *job)
{
	struct snapshot_restore_opts opts = { 0 };
	struct snapshot_restore_result r;
	size_t i;

	job->snapshot_id = snapshot_lkg(eng, job->set, job->err, sizeof(job->err));
	if (job->snapshot_id == 0)
		snprintf(job->err, sizeof(job->err), "no last known good snapshot of %s yet",
		    job->set);
	if (job->snapshot_id <= 0)
		return;
	job->rc = snapshot_restore(eng, job->snapshot_id, &opts, &r, job->err,
	    sizeof(job->err));
	for (i = 0; i < r.n; i++)
		job->restored += r.steps[i].done && r.steps[i].kind != SNAPSHOT_STEP_ADDED;
	snapshot_restore_result_free(&r);
}

static void
cw_work(uv_work_t *work)
{
	struct cw_job *job = work->data;
	struct snapshot_engine *eng = cw_engine(job->cw, job->err, sizeof(job->err));
	struct snapshot_spec spec = {
		.name = job->set,
		.paths = (const char *const *)job->paths, .n_paths = strv_len(job->paths),
		.exclude = (const char *const *)job->exclude, .n_exclude = strv_len(job->exclude),
		.symlinks = (const char *const *)job->symlinks,
		.n_symlinks = strv_len(job->symlinks),
	};
	char label[64];

	job->rc = -1;
	if (eng == NULL)
		return;
	if (job->done != NULL) {
		cw_restore_lkg(eng, job);
		return;
	}
	if (job->change_id > 0)
		snprintf(label, sizeof(label), "after change %lld", (long long)job->change_id);
	else
		snprintf(label, sizeof(label), "%s", job->lkg ? "as tend found it" :
		    "after a change");
	job->rc = snapshot_create(eng, &spec, label, job->lkg ? "lkg" : "change",
	    &job->snapshot_id, NULL, job->err, sizeof(job->err));
	if (job->rc == 0 && job->lkg)
		job->rc = snapshot_mark_lkg(eng, job->snapshot_id, true, job->err,
		    sizeof(job->err));
}

/* A rollback ended, for the live views. */
static void
cw_rollback_event(struct change_watch *cw, const struct cw_job *job, bool ok,
    const char *detail)
{
	if (!cw->closing && cw->ops.event != NULL)
		cw->ops.event(cw->ops.arg, "rollback", json_pack("{ss sI sb ss sI}", "set",
		    job->set, "snapshot", (json_int_t)job->snapshot_id, "ok", ok, "detail",
		    detail, "at", (json_int_t)clock_wall_ms()));
}

/* The loop's side of a rollback: what tend wrote is no change; restart, report. */
static void
cw_rolled_back(struct change_watch *cw, struct cw_job *job, int status)
{
	char detail[768], err[256];
	int64_t change;
	size_t i, group;

	if (status != 0 || job->rc != 0) {
		snprintf(detail, sizeof(detail), "rollback of %s: %s", job->set,
		    status != 0 ? "cancelled" : job->err);
		cw_rollback_event(cw, job, false, detail);
		job->done(job->token, false, detail);
		return;
	}
	for (group = 0; !cw->closing && group < cw->cfg->n_snapshots; group++)
		if (strcmp(cw->cfg->snapshots[group].name, job->set) == 0 && cw->pw != NULL)
			pathwatch_discard(cw->pw, group);
	if (!cw->closing && (change = change_tracker_newest(cw->ct, job->set)) > 0) {
		if (store_change_rolled_back(cw->st, change, clock_wall_ms(), err,
		    sizeof(err)) < 0)
			log_warn(NULL, "change %lld: %s", (long long)change, err);
		change_tracker_rolled_back(cw->ct, job->set);
	}
	snprintf(detail, sizeof(detail), "restored snapshot %lld of %s (last known good, %zu "
	    "files)", (long long)job->snapshot_id, job->set, job->restored);
	for (i = 0; !cw->closing && job->restart != NULL && job->restart[i] != NULL; i++)
		if (cw->ops.restart != NULL &&
		    cw->ops.restart(cw->ops.arg, job->restart[i], err, sizeof(err)) < 0)
			log_warn(NULL, "after the rollback of %s: %s", job->set, err);
	log_info(NULL, "%s", detail);
	cw_rollback_event(cw, job, true, detail);
	job->done(job->token, true, detail);
}

static void
cw_worked(uv_work_t *work, int status)
{
	struct cw_job *job = work->data;
	struct change_watch *cw = job->cw;
	char err[256];

	if (job->done != NULL) {
		cw_rolled_back(cw, job, status);
	} else if (status != 0 || job->rc != 0) {
		log_warn(NULL, "snapshot of %s: %s", job->set, status != 0 ? "cancelled" :
		    job->err);
	} else if (!cw->closing) {	/* closing: the store may be gone */
		log_info(NULL, "snapshot %lld of %s%s", (long long)job->snapshot_id, job->set,
		    job->lkg ? ": last known good" : "");
		if (job->change_id > 0 && !job->lkg && store_change_set_snapshot(cw->st,
		    job->change_id, job->snapshot_id, err, sizeof(err)) < 0)
			log_warn(NULL, "change %lld: %s", (long long)job->change_id, err);
		if (cw->ops.event != NULL)
			cw->ops.event(cw->ops.arg, "snapshot", json_pack("{sI ss sb sI}", "id",
			    (json_int_t)job->snapshot_id, "set", job->set, "lkg", job->lkg,
			    "change", (json_int_t)job->change_id));
	}
	cw->running = NULL;
	cw_job_free(job);
	cw_next_job(cw);
}

static void	cw_finish(struct change_watch *cw);

static void
cw_next_job(struct change_watch *cw)
{
	struct cw_job *job;

	if (cw->running != NULL)
		return;
	if (cw->closing) {
		cw_finish(cw);
		return;
	}
	if ((job = cw->queue) == NULL)
		return;
	cw->queue = job->next;
	cw->running = job;
	cw->work.data = job;
	if (workpool_queue(cw->loop, &cw->work, cw_work, cw_worked) != 0) {
		log_warn(NULL, "snapshot of %s: the thread pool refused it", job->set);
		cw->running = NULL;
		cw_job_free(job);
	}
}

static void
cw_queue(struct change_watch *cw, const struct snapshot_set_conf *set, int64_t change_id,
    bool lkg)
{
	struct cw_job *job = xcalloc(1, sizeof(*job)), **p;

	job->cw = cw;
	job->set = xstrdup(set->name);
	job->paths = strv_dup(set->paths);
	job->exclude = strv_dup(set->exclude);
	job->symlinks = strv_dup(set->symlinks);
	job->change_id = change_id;
	job->lkg = lkg;
	for (p = &cw->queue; *p != NULL; p = &(*p)->next)
		;
	*p = job;
	cw_next_job(cw);
}

/* "a.conf, b.conf and 3 more" of names, for a change's label. */
static char *
cw_label(const char *verb, const char *const *names, size_t n, size_t more)
{
	char *label = xasprintf("%s", verb), *next;
	size_t i;

	for (i = 0; i < n && i < CW_LABEL_NAMES; i++) {
		next = xasprintf("%s%s %s", label, i == 0 ? ":" : ",", names[i]);
		free(label);
		label = next;
	}
	if (n + more > i) {
		next = xasprintf("%s and %zu more", label, n + more - i);
		free(label);
		label = next;
	}
	return label;
}

/* Records a change, tells the tracker and the live views; its id, or 0. */
static int64_t
cw_record(struct change_watch *cw, const char *kind, const char *set, const char *label,
    json_t *detail, int64_t window_ms, int64_t since_mono)
{
	/* A deploy tool's label may name a URL with its credentials: never kept. */
	char *shown = text_redact(label), *text = json_dumps(detail, JSON_COMPACT), err[256];
	struct store_change c = { .at = clock_wall_ms() - (clock_mono_ms() - since_mono),
	    .kind = kind, .set = set, .label = shown };
	int64_t id = 0;

	c.detail = text;
	if (store_change_insert(cw->st, &c, &id, err, sizeof(err)) < 0) {
		log_warn(NULL, "change of %s not recorded: %s", set != NULL ? set : "packages",
		    err);
		id = 0;
	} else {
		log_info(NULL, "change %lld (%s%s%s): %s", (long long)id, kind, set ? " of " : "",
		    set ? set : "", shown);
	}
	if (id > 0) {
		change_tracker_change(cw->ct, set, id, window_ms, since_mono);
		cw_arm(cw);
	}
	if (id > 0 && cw->ops.recorded != NULL && !cw->flushing)
		cw->ops.recorded(cw->ops.arg);
	if (cw->ops.event != NULL)
		cw->ops.event(cw->ops.arg, "change", json_pack("{sI sI ss ss* ss sO}", "id",
		    (json_int_t)id, "at", (json_int_t)c.at, "kind", kind, "set", set, "label",
		    shown, "detail", detail));
	free(text);
	free(shown);
	return id;
}

static void
cw_files_changed(void *arg, size_t group, const char *const *paths, size_t n, size_t more,
    int64_t first_ms)
{
	struct change_watch *cw = arg;
	const struct snapshot_set_conf *set;
	json_t *detail, *list;
	char *label;
	int64_t id;
	size_t i;

	if (group >= cw->cfg->n_snapshots)
		return;
	set = &cw->cfg->snapshots[group];
	if (cw_held(cw, set->name))
		return;		/* tend guard records its change and judges it */
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, json_string(paths[i]));
	detail = json_pack("{so sI}", "paths", list, "more", (json_int_t)more);
	label = cw_label(n + more == 1 ? "1 file changed" : "files changed", paths, n, more);
	id = cw_record(cw, CHANGE_KIND_FILES, set->name, label, detail, 0, first_ms);
	json_decref(detail);
	free(label);
	cw_queue(cw, set, id, false);
}

/* Watches each set that asks for it; groups are the sets' indexes. */
static void
cw_watch_sets(struct change_watch *cw)
{
	const struct snapshot_set_conf *set;
	char err[512];
	size_t i, j;

	pathwatch_free(cw->pw);
	cw->pw = pathwatch_new(cw->loop, CW_QUIET_MS, CW_MAX_MS, cw_files_changed, cw, err,
	    sizeof(err));
	if (cw->pw == NULL) {
		log_warn(NULL, "changes on disk are not watched: %s", err);
		return;
	}
	for (i = 0; i < cw->cfg->n_snapshots; i++) {
		set = &cw->cfg->snapshots[i];
		if (!set->watch)
			continue;
		for (j = 0; set->exclude != NULL && set->exclude[j] != NULL; j++)
			pathwatch_exclude(cw->pw, i, set->exclude[j]);
		for (j = 0; set->paths != NULL && set->paths[j] != NULL; j++)
			if (pathwatch_add(cw->pw, i, set->paths[j], err, sizeof(err)) < 0)
				log_warn(NULL, "snapshot set %s: %s", set->name, err);
		for (j = 0; set->symlinks != NULL && set->symlinks[j] != NULL; j++)
			if (pathwatch_add(cw->pw, i, set->symlinks[j], err, sizeof(err)) < 0)
				log_warn(NULL, "snapshot set %s: %s", set->name, err);
	}
}

static void
cw_rules(struct change_watch *cw)
{
	size_t i, n = cw->cfg->n_snapshots;
	struct change_set_rules *rules = xcalloc(n > 0 ? n : 1, sizeof(*rules));

	for (i = 0; i < n; i++) {
		rules[i].name = cw->cfg->snapshots[i].name;
		rules[i].guard_window_ms = cw->cfg->snapshots[i].guard_window_ms;
		rules[i].lkg_after_ms = cw->cfg->snapshots[i].lkg_after_ms;
		rules[i].auto_rollback = cw->cfg->snapshots[i].auto_rollback;
		rules[i].restart = cw->cfg->snapshots[i].restart;
	}
	change_tracker_set_rules(cw->ct, rules, n, clock_mono_ms());
	free(rules);
}

static void
cw_package(void *arg, const struct dpkg_event *ev)
{
	json_array_append_new(arg, json_pack("{ss ss ss ss}", "action", ev->action,
	    "package", ev->package, "from", ev->from, "to", ev->to));
}

/* What dpkg did since the last look: one change of no set. */
static void
cw_read_dpkg(struct change_watch *cw)
{
	json_t *packages = json_array(), *p, *detail;
	const char **names;
	char *label;
	size_t i, n;

	if (dpkglog_poll(&cw->dpkg, cw_package, packages) > 0 &&
	    (n = json_array_size(packages)) > 0) {
		names = xcalloc(n, sizeof(*names));
		json_array_foreach(packages, i, p)
			names[i] = json_string_value(json_object_get(p, "package"));
		label = cw_label(n == 1 ? "1 package changed" : "packages changed", names, n, 0);
		detail = json_pack("{sO}", "packages", packages);
		cw_record(cw, CHANGE_KIND_PACKAGES, NULL, label, detail, CW_PACKAGES_WINDOW_MS,
		    clock_mono_ms());
		json_decref(detail);
		free(label);
		free(names);
	}
	json_decref(packages);
}

static void	cw_tick(uv_timer_t *timer);

/*
 * The tick comes every second, and sooner when a set is due to be marked
 * last known good before then: lkg_after is kept to the millisecond. Only
 * ever brought forward, so frequent health reports cannot hold it off.
 */
static void
cw_arm(struct change_watch *cw)
{
	int64_t due;

	if (cw->ct == NULL || (due = change_tracker_next_due(cw->ct, clock_mono_ms())) < 0)
		return;
	if ((uint64_t)due < uv_timer_get_due_in(&cw->tick))
		uv_timer_start(&cw->tick, cw_tick, (uint64_t)due, CW_TICK_MS);
}

static void
cw_tick(uv_timer_t *timer)
{
	struct change_watch *cw = timer->data;
	const struct snapshot_set_conf *set;
	const char *name;
	int64_t change_id;

	size_t i;

	if (cw->dpkg_on && ++cw->ticks % CW_DPKG_EVERY == 0)
		cw_read_dpkg(cw);
	for (i = cw->n_holds; i-- > 0;)
		if (!proc_id_alive(&cw->holds[i].guard))
			cw_release(cw, i);
	while ((name = change_tracker_lkg_due(cw->ct, clock_mono_ms(), &change_id)) != NULL)
		if ((set = config_find_snapshot_set(cw->cfg, name)) != NULL)
			cw_queue(cw, set, change_id, true);
	cw_arm(cw);
}

struct change_watch *
change_watch_new(uv_loop_t *loop, struct statedir *sd, struct store *st,
    const struct tend_config *cfg, const char *dpkg_log, const struct change_watch_ops *ops)
{
	struct change_watch *cw = xcalloc(1, sizeof(*cw));

	cw->loop = loop;
	cw->sd = sd;
	cw->st = st;
	cw->cfg = cfg;
	if (ops != NULL)
		cw->ops = *ops;
	cw->ct = change_tracker_new();
	cw_rules(cw);
	cw_watch_sets(cw);
	if (dpkg_log != NULL) {
		dpkglog_open(&cw->dpkg, dpkg_log);
		cw->dpkg_on = true;
	}
	uv_timer_init(loop, &cw->tick);
	cw->tick.data = cw;
	uv_timer_start(&cw->tick, cw_tick, CW_TICK_MS, CW_TICK_MS);
	return cw;
}

void
change_watch_set_config(struct change_watch *cw, const struct tend_config *cfg)
{
	const struct snapshot_set_conf *own;

	cw->cfg = cfg;
	cw_rules(cw);
	cw_watch_sets(cw);
	own = config_find_snapshot_set(cfg, "tend");
	if (own != NULL && own->implicit)
		change_watch_mark(cw, CHANGE_KIND_RELOAD, "tend", "the config was reloaded",
		    NULL, 0);
}

void
change_watch_health(struct change_watch *cw, bool all_healthy)
{
	if (cw != NULL && cw->ct != NULL) {
		change_tracker_health(cw->ct, all_healthy, clock_mono_ms());
		cw_arm(cw);
	}
}

int64_t
change_watch_mark(struct change_watch *cw, const char *kind, const char *set,
    const char *label, char *err, size_t errlen)
{
	const struct snapshot_set_conf *s = NULL;
	json_t *detail = json_object();
	int64_t id;

	if (set != NULL && (s = config_find_snapshot_set(cw->cfg, set)) == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "no snapshot set named '%s'", set);
		json_decref(detail);
		return -1;
	}
	id = cw_record(cw, kind, set, label != NULL ? label : kind, detail,
	    s != NULL ? s->guard_window_ms : CW_PACKAGES_WINDOW_MS, clock_mono_ms());
	json_decref(detail);
	if (s != NULL)
		cw_queue(cw, s, id, false);
	return id;
}

/* The set whose restart: has target's service (target: a check or a service). */
static const char *
cw_set_of(const struct change_watch *cw, const char *target)
{
	const struct check_conf *check = config_find_check(cw->cfg, target);
	const char *service = check != NULL ? check->service : target;
	size_t i;

	for (i = 0; service != NULL && i < cw->cfg->n_snapshots; i++)
		if (strv_contains(cw->cfg->snapshots[i].restart, service))
			return cw->cfg->snapshots[i].name;
	return NULL;
}

int
change_watch_rollback(struct change_watch *cw, const char *target, const char *set,
    void (*done)(void *token, bool ok, const char *detail), void *token, char *err,
    size_t errlen)
{
	const struct snapshot_set_conf *s;
	struct cw_job *job, **p;

	if (set == NULL && (set = cw_set_of(cw, target)) == NULL) {
		snprintf(err, errlen, "no snapshot set restarts what %s is about (say which: "
		    "rollback: SET)", target);
		return -1;
	}
	if ((s = config_find_snapshot_set(cw->cfg, set)) == NULL) {
		snprintf(err, errlen, "no snapshot set named '%s'", set);
		return -1;
	}
	if (cw_held(cw, set)) {
		snprintf(err, errlen, "tend guard is changing %s: it rolls back its own change",
		    set);
		return -1;
	}
	job = xcalloc(1, sizeof(*job));
	job->cw = cw;
	job->set = xstrdup(set);
	job->restart = strv_dup(s->restart);
	job->done = done;
	job->token = token;
	for (p = &cw->queue; *p != NULL; p = &(*p)->next)
		;
	*p = job;
	cw_next_job(cw);
	return 0;
}

int64_t
change_watch_blame(struct change_watch *cw, const char *service, bool critical,
    int64_t at_ms, char *why, size_t len, char *rollback, size_t rollback_len)
{
	struct change_blame b;

	if (cw == NULL)
		return 0;
	if (cw->pw != NULL) {
		cw->flushing = true;
		pathwatch_flush(cw->pw);
		cw->flushing = false;
	}
	if (!change_tracker_blame(cw->ct, service, critical, at_ms, &b))
		return 0;
	snprintf(why, len, "change %lld%s%s, %.1f s before", (long long)b.change_id,
	    b.set != NULL ? " of " : "", b.set != NULL ? b.set : "",
	    (double)(at_ms - b.at_ms) / 1000);
	snprintf(rollback, rollback_len, "%s", b.rollback && b.set != NULL &&
	    !cw_held(cw, b.set) ? b.set : "");
	return b.change_id;
}

/*
 * {"cmd": "guard", "set": S, "pid": P, "hold": true|false}: tend guard
 * changes S; the files it writes are not changes of the daemon's, and
 * the daemon rolls nothing back in S until it says it is done or exits.
 */
static json_t *
cw_guard_request(struct change_watch *cw, json_t *req)
{
	const char *set = json_string_value(json_object_get(req, "set"));
	pid_t pid = (pid_t)json_integer_value(json_object_get(req, "pid"));
	struct proc_id guard;
	size_t i;

	if (set == NULL || config_find_snapshot_set(cw->cfg, set) == NULL)
		return json_pack("{s:b, s:s}", "ok", 0, "error", "no such snapshot set");
	if (!json_is_true(json_object_get(req, "hold"))) {
		for (i = cw->n_holds; i-- > 0;)
			if (strcmp(cw->holds[i].set, set) == 0 && cw->holds[i].guard.pid == pid)
				cw_release(cw, i);
		return json_pack("{s:b}", "ok", 1);
	}
	if (pid <= 0 || proc_id_of(pid, &guard) != 0)
		return json_pack("{s:b, s:s}", "ok", 0, "error", "expected \"pid\", a live process");
	cw->holds = xgrow(cw->holds, cw->n_holds, sizeof(*cw->holds));
	cw->holds[cw->n_holds].set = xstrdup(set);
	cw->holds[cw->n_holds++].guard = guard;
	log_info(NULL, "%s: tend guard (pid %d) is changing it", set, (int)pid);
	return json_pack("{s:b}", "ok", 1);
}

json_t *
change_watch_request(struct change_watch *cw, json_t *req)
{
	const char *label = json_string_value(json_object_get(req, "label"));
	char err[256];
	int64_t id;

	if (strcmp(json_string_value(json_object_get(req, "cmd")), "guard") == 0)
		return cw_guard_request(cw, req);
	id = change_watch_mark(cw, CHANGE_KIND_MARK, json_string_value(json_object_get(req,
	    "set")), label != NULL ? label : "marked", err, sizeof(err));
	if (id < 0)
		return json_pack("{s:b, s:s}", "ok", 0, "error", err);
	return json_pack("{s:b, s:I}", "ok", 1, "id", (json_int_t)id);
}

static void
cw_closed(uv_handle_t *handle)
{
	struct change_watch *cw = handle->data;

	snapshot_engine_close(cw->eng);
	store_close(cw->wst);
	free(cw);
}

/* Once nothing runs on the pool any more. */
static void
cw_finish(struct change_watch *cw)
{
	struct cw_job *job;

	while ((job = cw->queue) != NULL) {
		cw->queue = job->next;
		if (job->done != NULL)
			job->done(job->token, false, "tend is stopping");
		cw_job_free(job);
	}
	uv_close((uv_handle_t *)&cw->tick, cw_closed);
}

void
change_watch_free(struct change_watch *cw)
{
	if (cw == NULL)
		return;
	pathwatch_free(cw->pw);
	cw->pw = NULL;
	uv_timer_stop(&cw->tick);
	if (cw->dpkg_on)
		dpkglog_close(&cw->dpkg);
	change_tracker_free(cw->ct);
	cw->ct = NULL;
	while (cw->n_holds > 0)
		free(cw->holds[--cw->n_holds].set);
	free(cw->holds);
	cw->holds = NULL;
	cw->closing = true;
	cw_next_job(cw);
}
