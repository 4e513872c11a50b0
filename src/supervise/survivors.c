#include "supervise/survivors.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "supervise/pidwatch.h"
#include "supervise/runrecord.h"

/* A service no longer configured has no stop settings of its own. */
#define SURVIVORS_STOP_SIG		SIGTERM
#define SURVIVORS_STOP_TIMEOUT_MS	10000
/* Where there is no pidfd, how often /proc is asked. */
#define SURVIVORS_POLL_MS		50

/* One process a previous tend left, being stopped. */
struct survivor {
	struct stopping	*st;
	struct proc_id	 id;
	bool		 main;		/* the service's main process */
	struct pidwatch	*watch;		/* NULL once it is gone */
};

/* One service's survivors on their way out. */
struct stopping {
	char		*name;
	struct survivor	*v;
	size_t		 n;
	size_t		 alive;
	uv_timer_t	 timer;
	survivors_done_fn done;
	void		*arg;
	struct stopping	*next;
};

struct survivors {
	uv_loop_t	*loop;
	struct run_record rec;
	bool		*claimed;
	struct stopping	*stops;
};

/* The process is the one recorded: same start time, same owner. */
static bool
survivor_checked(const struct run_proc *rp, const char *name)
{
	struct proc_info pi;

	if (proc_info_read(rp->id.pid, &pi) < 0 || pi.state == 'Z')
		return false;
	if (pi.id.start == rp->id.start && pi.uid == rp->uid)
		return true;
	log_info(name, "pid %d in the run record is another process now (%s %s); "
	    "left alone", (int)rp->id.pid, pi.comm, pi.id.start != rp->id.start ?
	    "started at another time" : "runs as another user");
	return false;
}

/* Keeps only what is still the process recorded. */
static void
survivors_check(struct run_entry *e)
{
	size_t i, kept = 0;

	if (!survivor_checked(&e->main, e->name))
		e->main.id.pid = 0;
	for (i = 0; i < e->n_orphans; i++)
		if (survivor_checked(&e->orphans[i], e->name))
			e->orphans[kept++] = e->orphans[i];
	e->n_orphans = kept;
}

/* Whether the record may be acted on at all; says why not. */
static bool
survivors_usable(const struct run_record *rec, const char *path)
{
	char boot[40];

	proc_boot_id(boot, sizeof(boot));
	if (strcmp(boot, rec->boot_id) != 0) {
		log_info(NULL, "run record %s is from an earlier boot; nothing survived",
		    path);
		return false;
	}
	if (rec->tend.pid != getpid() && proc_id_alive(&rec->tend)) {
		log_warn(NULL, "the tend that wrote %s (pid %d) still runs; its "
		    "processes are left to it", path, (int)rec->tend.pid);
		return false;
	}
	return true;
}

struct survivors *
survivors_load(uv_loop_t *loop, struct statedir *sd)
{
	struct survivors *s = xcalloc(1, sizeof(*s));
	char why[512], *path = statedir_file(sd, RUN_RECORD_FILE);
	size_t i;
	int rc;

	s->loop = loop;
	rc = run_record_read(sd, &s->rec, why, sizeof(why));
	if (rc < 0)
		log_error(NULL, "run record ignored: %s", why);
	if (rc != 0 || !survivors_usable(&s->rec, path))
		run_record_clear(&s->rec);
	free(path);
	for (i = 0; i < s->rec.n; i++)
		survivors_check(&s->rec.v[i]);
	s->claimed = xcalloc(s->rec.n + 1, sizeof(*s->claimed));
	return s;
}

static struct run_entry *
survivors_claim(struct survivors *s, const char *name, bool external)
{
	size_t i;

	for (i = 0; i < s->rec.n; i++) {
		if (!s->claimed[i] && s->rec.v[i].external == external &&
		    strcmp(s->rec.v[i].name, name) == 0) {
			s->claimed[i] = true;
			return &s->rec.v[i];
		}
	}
	return NULL;
}

/* Signals a survivor: the main process's whole group when it leads one. */
static void
survivor_signal(const struct survivor *sv, int sig)
{
	if (sv->main && proc_id_signal_group(&sv->id, sig, true) == 0)
		return;
	proc_id_signal(&sv->id, sig, true);
}

/*
 * What was left in the main process's group once it has gone: members
 * started after it (the group cannot have been formed anew while they
 * hold its id).
 */
static bool
survivor_group_member(const struct proc_info *pi, void *arg)
{
	const struct proc_id *main = arg;

	if (pi->pgid == main->pid && pi->id.pid != main->pid && pi->id.start >= main->start)
		proc_id_signal(&pi->id, SIGKILL, false);
	return true;
}

static void
stopping_closed(uv_handle_t *handle)
{
	struct stopping *st = handle->data;

	free(st->name);
	free(st->v);
	free(st);
}

static void
survivor_gone(void *arg)
{
	struct survivor *sv = arg;
	struct stopping *st = sv->st;

	pidwatch_stop(sv->watch);
	sv->watch = NULL;
	if (sv->main)
		proc_walk(survivor_group_member, &sv->id);
	if (--st->alive > 0)
		return;
	uv_timer_stop(&st->timer);
	log_info(st->name, "the previous tend's processes are gone");
	if (st->done != NULL)
		st->done(st->arg, st->name);
}

static void
stopping_timeout(uv_timer_t *timer)
{
	struct stopping *st = timer->data;
	size_t i;

	log_warn(st->name, "the previous tend's processes still run; sending SIGKILL");
	for (i = 0; i < st->n; i++)
		if (st->v[i].watch != NULL)
			survivor_signal(&st->v[i], SIGKILL);
}

static void
stopping_add(struct stopping *st, const struct proc_id *id, bool main)
{
	st->v[st->n++] = (struct survivor){ .st = st, .id = *id, .main = main };
}

/* "pid 12 and 2 detached processes" for the log line. */
static void
stopping_describe(const struct run_entry *e, char *buf, size_t len)
{
	if (e->main.id.pid > 0 && e->n_orphans > 0)
		snprintf(buf, len, "pid %d and %zu detached process%s", (int)e->main.id.pid,
		    e->n_orphans, e->n_orphans == 1 ? "" : "es");
	else if (e->main.id.pid > 0)
		snprintf(buf, len, "pid %d", (int)e->main.id.pid);
	else
		snprintf(buf, len, "%zu detached process%s", e->n_orphans,
		    e->n_orphans == 1 ? "" : "es");
}

static bool
survivors_stop_entry(struct survivors *s, const struct run_entry *e, int sig,
    int64_t timeout_ms, survivors_done_fn done, void *arg, const char *then)
{
	struct stopping *st;
	char what[128];
	size_t i;

	if (e->main.id.pid == 0 && e->n_orphans == 0)
		return false;
	stopping_describe(e, what, sizeof(what));
	log_info(e->name, "%s survived the previous tend: stopping %s, %s", what,
	    e->main.id.pid > 0 && e->n_orphans == 0 ? "it" : "them", then);
	st = xcalloc(1, sizeof(*st));
	st->name = xstrdup(e->name);
	st->v = xcalloc(e->n_orphans + 1, sizeof(*st->v));
	if (e->main.id.pid > 0)
		stopping_add(st, &e->main.id, true);
	for (i = 0; i < e->n_orphans; i++)
		stopping_add(st, &e->orphans[i].id, false);
	st->alive = st->n;
	st->done = done;
	st->arg = arg;
	uv_timer_init(s->loop, &st->timer);
	st->timer.data = st;
	uv_timer_start(&st->timer, stopping_timeout, (uint64_t)timeout_ms, 0);
	for (i = 0; i < st->n; i++) {
		survivor_signal(&st->v[i], sig);
		st->v[i].watch = pidwatch_start(s->loop, &st->v[i].id, SURVIVORS_POLL_MS,
		    survivor_gone, &st->v[i]);
	}
	st->next = s->stops;
	s->stops = st;
	return true;
}

bool
survivors_stop(struct survivors *s, const char *name, int sig, int64_t timeout_ms,
    survivors_done_fn done, void *arg)
{
	struct run_entry *e = survivors_claim(s, name, false);

	return e != NULL && survivors_stop_entry(s, e, sig, timeout_ms, done, arg,
	    "then starting it afresh: their output went to the old tend");
}

bool
survivors_external(struct survivors *s, const char *name, struct proc_id *id)
{
	struct run_entry *e = survivors_claim(s, name, true);

	if (e == NULL || e->main.id.pid == 0)
		return false;
	*id = e->main.id;
	return true;
}

void
survivors_stop_rest(struct survivors *s)
{
	struct run_entry *e;
	size_t i;

	for (i = 0; i < s->rec.n; i++) {
		if (s->claimed[i])
			continue;
		s->claimed[i] = true;
		e = &s->rec.v[i];
		if (!e->external)
			survivors_stop_entry(s, e, SURVIVORS_STOP_SIG,
			    SURVIVORS_STOP_TIMEOUT_MS, NULL, NULL,
			    "as the service is no longer configured");
		else if (e->main.id.pid > 0)
			log_info(e->name, "pid %d, adopted by the previous tend, is no "
			    "longer configured; left running", (int)e->main.id.pid);
	}
}

void
survivors_free(struct survivors *s)
{
	struct stopping *st, *next;
	size_t i;

	if (s == NULL)
		return;
	for (st = s->stops; st != NULL; st = next) {
		next = st->next;
		for (i = 0; i < st->n; i++) {
			if (st->v[i].watch == NULL)
				continue;
			survivor_signal(&st->v[i], SIGKILL);
			pidwatch_stop(st->v[i].watch);
		}
		uv_close((uv_handle_t *)&st->timer, stopping_closed);
	}
	run_record_clear(&s->rec);
	free(s->claimed);
	free(s);
}
