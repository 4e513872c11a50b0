#include "supervise/supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "core/jitter.h"
#include "core/log.h"
#include "core/name_index.h"
#include "core/procid.h"
#include "core/mem.h"
#include "core/runtimedir.h"
#include "core/statedir.h"
#include "supervise/cgtree.h"
#include "supervise/external.h"
#include "supervise/reaper.h"
#include "supervise/runrecord.h"
#include "supervise/service.h"
#include "supervise/spawn.h"
#include "supervise/supervisor_internal.h"
#include "supervise/survivors.h"


static struct config_hold *
hold_new(struct tend_config *cfg)
{
	struct config_hold *h = xcalloc(1, sizeof(*h));

	h->cfg = cfg;
	h->refs = 1;
	return h;
}

static struct config_hold *
hold_ref(struct config_hold *h)
{
	h->refs++;
	return h;
}

static void
hold_unref(struct config_hold *h)
{
	if (h == NULL || --h->refs > 0)
		return;
	config_free(h->cfg);
	free(h);
}

/* The entries by name, remade when the list changed since. */
static void
supervisor_names_make(const struct supervisor *sup)
{
	struct supervisor_names *nm = sup->names;
	size_t i;

	name_index_free(&nm->ix);
	free(nm->v);
	nm->v = xcalloc(sup->n + 1, sizeof(*nm->v));
	for (i = 0; i < sup->n; i++)
		nm->v[i] = (struct named_entry){ sup->v[i]->svc->name, sup->v[i] };
	name_index_build(&nm->ix, nm->v, sup->n, sizeof(*nm->v),
	    offsetof(struct named_entry, name));
	nm->stale = false;
}

struct entry *
supervisor_find(const struct supervisor *sup, const char *name)
{
	const struct named_entry *ne;

	/* A process check asks for its service's pids a thousand times a second. */
	if (sup->names->stale)
		supervisor_names_make(sup);
	ne = name_index_find(&sup->names->ix, name);
	return ne != NULL ? ne->e : NULL;
}

static void
supervisor_orphans_changed(void *arg)
{
	supervisor_record_soon(arg);
}

/* For the reaper: a service's orphans outlive a run only while it has a main process. */
static bool
supervisor_service_running(void *arg, const char *name)
{
	struct supervisor *sup = arg;
	struct entry *e = supervisor_find(sup, name);

	return e != NULL && e->svc->pid > 0;
}

static void
supervisor_service_changed(void *arg, struct service *svc)
{
	struct supervisor *sup = arg;

	if (sup->observer != NULL)
		sup->observer(sup->observer_arg, svc->name,
		    service_state_name(svc->prev_state), service_state_name(svc->state),
		    svc->reason);
	supervisor_pump(sup);
}

void
supervisor_set_observer(struct supervisor *sup, supervisor_observer_fn fn, void *arg)
{
	sup->observer = fn;
	sup->observer_arg = arg;
}

/* The status a shell would give its last exit: the code, or 128 + the signal. */
static int
supervisor_exit_status(const struct service_exit *ex)
{
	if (!ex->valid)
		return 0;
	return ex->signal != 0 ? 128 + ex->signal : ex->code;
}

static void
supervisor_service_ended(void *arg, struct service *svc, bool gave_up)
{
	struct supervisor *sup = arg;

	if (gave_up && sup->alert != NULL)
		sup->alert(sup->alert_arg, svc->name, svc->reason);
	if (sup->ended != NULL)
		sup->ended(sup->ended_arg, svc->conf, supervisor_exit_status(&svc->last_exit),
		    svc->state == SVC_FAILED);
}

void
supervisor_set_ended(struct supervisor *sup, supervisor_ended_fn fn, void *arg)
{
	sup->ended = fn;
	sup->ended_arg = arg;
}

void
supervisor_set_alert(struct supervisor *sup, supervisor_alert_fn fn, void *arg)
{
	sup->alert = fn;
	sup->alert_arg = arg;
}

struct supervisor *
supervisor_new(uv_loop_t *loop, struct statedir *sd)
{
	struct supervisor *sup = xcalloc(1, sizeof(*sup));
	struct reaper_owner owner = { .changed = supervisor_orphans_changed,
	    .running = supervisor_service_running, .arg = sup };

	sup->state_dir = xstrdup(statedir_path(sd));
	sup->ctx.loop = loop;
	sup->ctx.reaper = reaper_start(loop);
	reaper_set_owner(sup->ctx.reaper, &owner);
	sup->ctx.state_dir = sup->state_dir;
	sup->ctx.statedir = sd;
	sup->ctx.changed = supervisor_service_changed;
	sup->ctx.ended = supervisor_service_ended;
	sup->ctx.arg = sup;
	sup->ctx.jitter = jitter_seed();
	sup->names = xcalloc(1, sizeof(*sup->names));
	sup->names->stale = true;
	supervisor_record_init(sup);
	return sup;
}

/* user: and group: need root; without it the service runs as tend does. */
static void
supervisor_warn_ids(const struct service_conf *conf)
{
	char what[300];

	if (spawn_ids_ignored(conf, what, sizeof(what)))
		log_warn(conf->name, "%s ignored: tend does not run as root, so the "
		    "service runs as tend's own user", what);
}

static struct entry *
supervisor_add(struct supervisor *sup, const struct service_conf *conf)
{
	struct entry *e = xcalloc(1, sizeof(*e));

	supervisor_warn_ids(conf);
	e->svc = service_new(&sup->ctx, conf);
	e->svc->parked = conf->parked_at_start;
	e->hold = hold_ref(sup->current);
	sup->v = xrealloc(sup->v, (sup->n + 1) * sizeof(*sup->v));
	sup->v[sup->n++] = e;
	sup->names->stale = true;
	return e;
}

static void
entry_free(struct entry *e)
{
	service_free(e->svc);
	hold_unref(e->hold);
	hold_unref(e->next_hold);
	free(e);
}

static void
supervisor_survivors_gone(void *arg, const char *name)
{
	struct supervisor *sup = arg;
	struct entry *e = supervisor_find(sup, name);

	if (e != NULL)
		e->survivors_pending = false;
	supervisor_pump(sup);
}

/*
 * What a killed tend left running: a supervised service starts only once
 * its survivors are gone; an external one takes its process back.
 */
static void
supervisor_take_survivors(struct supervisor *sup)
{
	const struct service_conf *conf;
	struct proc_id id;
	struct entry *e;
	size_t i;

	sup->survivors = survivors_load(sup->ctx.loop, sup->ctx.statedir);
	for (i = 0; i < sup->n; i++) {
		e = sup->v[i];
		conf = e->svc->conf;
		if (e->svc->ext != NULL && survivors_external(sup->survivors, conf->name, &id))
			external_set_survivor(e->svc->ext, &id);
		else if (e->svc->ext == NULL)
			e->survivors_pending = survivors_stop(sup->survivors, conf->name,
			    conf->stop.signal, conf->stop.timeout_ms,
			    supervisor_survivors_gone, sup);
	}
	survivors_stop_rest(sup->survivors);
}

void
supervisor_start(struct supervisor *sup, struct tend_config *cfg)
{
	size_t i;

	sup->current = hold_new(cfg);
	for (i = 0; i < cfg->n_services; i++)
		supervisor_add(sup, &cfg->services[i]);
	supervisor_take_survivors(sup);
	/* One pass for them all: each start request alone would walk every service. */
	sup->pumping = true;
	for (i = 0; i < sup->n; i++)
		if (!sup->v[i]->svc->parked)
			service_want_start(sup->v[i]->svc);
	sup->pumping = false;
	supervisor_pump(sup);
}

const struct tend_config *
supervisor_config(const struct supervisor *sup)
{
	return sup->current->cfg;
}

/* Keeps a service whose config did not change, pointing it at the new one. */
static void
supervisor_rebind(struct supervisor *sup, struct entry *e,
    const struct service_conf *conf)
{
	hold_unref(e->hold);
	e->hold = hold_ref(sup->current);
	service_rebind(e->svc, conf);
}

static void
supervisor_reload_one(struct supervisor *sup, struct entry *e)
{
	const struct service_conf *conf;
	bool back;

	conf = config_find_service(sup->current->cfg, e->svc->name);
	if (conf == NULL) {
		if (!e->svc->removed)
			log_info(e->svc->name, "removed from the config; stopping");
		e->svc->removed = true;
		return;
	}
	/*
	 * Back in the config while an earlier reload's removal still stops
	 * it: it is no longer removed, and runs again once it is down.
	 */
	back = e->svc->removed;
	if (back) {
		log_info(e->svc->name, "back in the config; starting again once stopped");
		e->svc->removed = false;
	}
	if (service_conf_equal(conf, e->svc->conf)) {
		supervisor_rebind(sup, e, conf);
		/* A change an earlier reload made, undone before it was applied. */
		if (e->next_conf != NULL) {
			back |= e->start_next;
			hold_unref(e->next_hold);
			e->next_hold = NULL;
			e->next_conf = NULL;
		}
		if (back)
			service_want_start(e->svc);
		return;
	}
	log_info(e->svc->name, "changed in the config; restarting");
	supervisor_warn_ids(conf);
	hold_unref(e->next_hold);
	if (e->next_conf == NULL || back)
		e->start_next = back || e->svc->want_up;
	e->next_conf = conf;
	e->next_hold = hold_ref(sup->current);
}

void
supervisor_reload(struct supervisor *sup, struct tend_config *cfg)
{
	size_t i, n_old = sup->n;
	struct entry *e;

	hold_unref(sup->current);
	sup->current = hold_new(cfg);
	for (i = 0; i < n_old; i++)
		supervisor_reload_one(sup, sup->v[i]);
	for (i = 0; i < cfg->n_services; i++) {
		if (supervisor_find(sup, cfg->services[i].name) != NULL)
			continue;
		log_info(cfg->services[i].name, cfg->services[i].parked_at_start ?
		    "added to the config; parked (scaled down)" :
		    "added to the config; starting");
		e = supervisor_add(sup, &cfg->services[i]);
		if (!e->svc->parked)
			service_want_start(e->svc);
	}
	supervisor_scale_clamp(sup);
	supervisor_pump(sup);
}

static bool
service_depends_on(const struct service *svc, const char *name)
{
	char **dep;

	for (dep = svc->conf->depends_on; dep != NULL && *dep != NULL; dep++)
		if (strcmp(*dep, name) == 0)
			return true;
	return false;
}

static bool
supervisor_deps_up(const struct supervisor *sup, const struct service *svc)
{
	struct entry *dep;
	char **name;

	for (name = svc->conf->depends_on; name != NULL && *name != NULL; name++) {
		dep = supervisor_find(sup, *name);
		if (dep != NULL && dep->svc->state != SVC_UP)
			return false;
	}
	return true;
}

static bool
supervisor_dependents_running(const struct supervisor *sup,
    const struct service *svc)
{
	size_t i;

	for (i = 0; i < sup->n; i++) {
		if (service_is_running(sup->v[i]->svc) &&
		    service_depends_on(sup->v[i]->svc, svc->name))
			return true;
	}
	return false;
}

static bool
service_is_settled(const struct service *svc)
{
	return svc->state == SVC_DOWN || svc->state == SVC_FAILED;
}

/* Whether the supervisor itself wants this service stopped now. */
static bool
supervisor_wants_stopped(const struct supervisor *sup, const struct entry *e)
{
	if (e->svc->removed)
		return true;
	return sup->shutting_down && e->svc->conf->kind == SERVICE_SUPERVISED;
}

/* One pass; returns true when it changed something. */
static bool
supervisor_step(struct supervisor *sup, size_t i)
{
	struct entry *e = sup->v[i];
	struct service *svc = e->svc;

	if (supervisor_wants_stopped(sup, e)) {
		if (svc->state == SVC_STOPPING || svc->state == SVC_DOWN ||
		    supervisor_dependents_running(sup, svc))
			return false;
		service_want_stop(svc);
		return true;
	}
	if (e->next_conf != NULL) {
		if (service_is_running(svc) || svc->state == SVC_WAITING ||
		    svc->state == SVC_BACKOFF) {
			if (svc->state == SVC_STOPPING)
				return false;
			if (e->start_next && svc->state != SVC_WAITING &&
			    svc->state != SVC_BACKOFF)
				service_count_restart(svc, RESTARTED_RELOAD);
			service_want_stop(svc);
			return true;
		}
		hold_unref(e->hold);
		e->hold = e->next_hold;
		e->next_hold = NULL;
		service_rebind(svc, e->next_conf);
		e->next_conf = NULL;
		/* The healer's raises were of the old config's limits; its notes too. */
		memset(&svc->raised, 0, sizeof(svc->raised));
		svc->cg.said = false;
		restart_window_free(&svc->window);
		restart_window_init(&svc->window, (size_t)svc->conf->limit.restarts);
		if (e->start_next)
			service_want_start(svc);
		return true;
	}
	if (svc->state == SVC_WAITING && svc->want_up && !sup->shutting_down &&
	    !e->survivors_pending && supervisor_deps_up(sup, svc)) {
		service_spawn(svc);
		return true;
	}
	return false;
}

static void
supervisor_drop_removed(struct supervisor *sup)
{
	size_t i = 0;

	while (i < sup->n) {
		if (sup->v[i]->svc->removed && service_is_settled(sup->v[i]->svc)) {
			log_info(sup->v[i]->svc->name, "removed");
			entry_free(sup->v[i]);
			memmove(&sup->v[i], &sup->v[i + 1],
			    (sup->n - i - 1) * sizeof(*sup->v));
			sup->n--;
			sup->names->stale = true;
		} else {
			i++;
		}
	}
}

static void	supervisor_finish_shutdown(struct supervisor *sup);

/*
 * Re-evaluates every service after any change. Services' callbacks call
 * back into the pump; those calls only ask for one more pass, so the
 * walk never runs inside itself.
 */
void
supervisor_pump(struct supervisor *sup)
{
	bool changed;
	size_t i;

	if (sup->pumping) {
		sup->pump_again = true;
		return;
	}
	sup->pumping = true;
	do {
		sup->pump_again = false;
		changed = false;
		for (i = 0; i < sup->n; i++)
			changed |= supervisor_step(sup, i);
		supervisor_drop_removed(sup);
	} while (changed || sup->pump_again);
	sup->pumping = false;
	supervisor_record_soon(sup);
	if (sup->shutting_down)
		supervisor_finish_shutdown(sup);
}

static bool
supervisor_all_down(const struct supervisor *sup)
{
	size_t i;

	for (i = 0; i < sup->n; i++)
		if (sup->v[i]->svc->conf->kind == SERVICE_SUPERVISED &&
		    !service_is_settled(sup->v[i]->svc))
			return false;
	return true;
}

/*
 * What services left behind outside their process groups (double-forked
 * daemons) was re-parented to tend, the subreaper: end it too.
 */
static void
supervisor_sweep_orphans(struct supervisor *sup)
{
	struct reaper *r = sup->ctx.reaper;
	int i, n;

	n = reaper_signal_orphans(r, SIGTERM);
	for (i = 0; i < 100 && n > 0; i++) {
		usleep(10000);
		n = reaper_signal_orphans(r, 0);
	}
	if (n > 0) {
		log_warn(NULL, "%d leftover processes ignored SIGTERM; killing", n);
		reaper_signal_orphans(r, SIGKILL);
		for (i = 0; i < 100 && reaper_signal_orphans(r, 0) > 0; i++)
			usleep(10000);
	}
}

static void
supervisor_finish_shutdown(struct supervisor *sup)
{
	void (*done)(void *);

	if (sup->shutdown_done == NULL || !supervisor_all_down(sup))
		return;
	supervisor_sweep_orphans(sup);
	done = sup->shutdown_done;
	sup->shutdown_done = NULL;
	done(sup->shutdown_arg);
}

void
supervisor_shutdown(struct supervisor *sup, void (*done)(void *arg), void *arg)
{
	sup->shutting_down = true;
	sup->shutdown_done = done;
	sup->shutdown_arg = arg;
	supervisor_pump(sup);
}

void
supervisor_free(struct supervisor *sup)
{
	size_t i;

	if (sup == NULL)
		return;
	supervisor_record_close(sup);
	for (i = 0; i < sup->n; i++)
		entry_free(sup->v[i]);
	free(sup->v);
	name_index_free(&sup->names->ix);
	free(sup->names->v);
	free(sup->names);
	/* The services' cgroups are gone with them: then their parent. */
	if (sup->ctx.cgroups != NULL) {
		cgtree_close(sup->ctx.cgroups);
		free(sup->ctx.cgroups);
	}
	hold_unref(sup->current);
	survivors_free(sup->survivors);
	/* The services' notify sockets are gone with them: then their directory. */
	runtimedir_remove(sup->ctx.runtime);
	reaper_close(sup->ctx.reaper);
	free(sup->state_dir);
	free(sup);
}

/* `tend start` also starts what the service needs. */
static void
supervisor_start_with_deps(struct supervisor *sup, struct entry *e, int depth)
{
	struct entry *dep;
	char **name;

	if (depth > (int)sup->n)
		return;		/* validated configs have no cycles; be safe */
	for (name = e->svc->conf->depends_on; name && *name; name++) {
		dep = supervisor_find(sup, *name);
		if (dep != NULL && !dep->svc->want_up)
			supervisor_start_with_deps(sup, dep, depth + 1);
	}
	service_want_start(e->svc);
}

/* One service's start, stop or restart. */
static void
supervisor_control_one(struct supervisor *sup, struct entry *e, const char *cmd,
    enum control_origin by)
{
	if (strcmp(cmd, "start") == 0)
		supervisor_start_with_deps(sup, e, 0);
	else if (strcmp(cmd, "stop") == 0)
		service_want_stop(e->svc);
	else
		service_want_restart(e->svc, by == CONTROL_HEALER ? RESTARTED_HEALER :
		    RESTARTED_OPERATOR);
}

int
supervisor_control(struct supervisor *sup, const char *cmd, const char *name,
    enum control_origin by, char *err, size_t errlen)
{
	struct entry *e = name ? supervisor_find(sup, name) : NULL;
	bool group = e == NULL && name != NULL && config_is_group(sup->current->cfg, name);
	size_t i;

	if (!group && (e == NULL || e->svc->removed)) {
		snprintf(err, errlen, "no such service: %s", name ? name : "(none)");
		return -1;
	}
	if (sup->shutting_down) {
		snprintf(err, errlen, "tend is shutting down");
		return -1;
	}
	if (strcmp(cmd, "start") != 0 && strcmp(cmd, "stop") != 0 &&
	    strcmp(cmd, "restart") != 0) {
		snprintf(err, errlen, "unknown command: %s", cmd);
		return -1;
	}
	if (!group && e->svc->parked) {
		snprintf(err, errlen, "%s is scaled down: tend scale %s %d starts it",
		    name, e->svc->conf->instance_of, e->svc->conf->instance + 1);
		return -1;
	}
	/* A group's command is each running copy's. */
	for (i = 0; group && i < sup->n; i++)
		if (sup->v[i]->svc->conf->instance_of != NULL && !sup->v[i]->svc->parked &&
		    !sup->v[i]->svc->removed &&
		    strcmp(sup->v[i]->svc->conf->instance_of, name) == 0)
			supervisor_control_one(sup, sup->v[i], cmd, by);
	if (!group)
		supervisor_control_one(sup, e, cmd, by);
	supervisor_pump(sup);
	return 0;
}

const char *
supervisor_service_state(const struct supervisor *sup, const char *name)
{
	struct entry *e = supervisor_find(sup, name);

	if (e == NULL || e->svc->removed)
		return NULL;
	/* Scaled down: neither failed nor the operator's stop; the healer keeps off. */
	if (e->svc->parked && (e->svc->state == SVC_DOWN || e->svc->state == SVC_STOPPING))
		return "parked";
	return service_state_name(e->svc->state);
}

bool
supervisor_service_ended_unseen(const struct supervisor *sup, const char *name)
{
	struct entry *e = supervisor_find(sup, name);
	struct proc_info pi;

	/* Our unreaped child: its pid is still its own, a zombie once it has ended. */
	if (e == NULL || e->svc->ext != NULL || e->svc->pid <= 0)
		return false;
	return proc_stat_read(e->svc->pid, &pi) < 0 || pi.state == 'Z';
}

json_t *
supervisor_status_json(const struct supervisor *sup, bool brief)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < sup->n; i++)
		json_array_append_new(arr, service_status_json(sup->v[i]->svc, brief));
	return arr;
}

int
supervisor_service_pids(const struct supervisor *sup, const char *name, pid_t *pids, int max)
{
	struct entry *e = supervisor_find(sup, name);

	if (e == NULL || !service_is_running(e->svc) || e->svc->pid <= 0 || max < 1)
		return 0;
	pids[0] = e->svc->pid;
	return 1 + attached_pids(&e->svc->attached, pids + 1, max - 1);
}

int
supervisor_attach(struct supervisor *sup, const char *name, const struct proc_id *id,
    char *err, size_t errlen)
{
	struct entry *e = supervisor_find(sup, name);

	if (e == NULL || !service_is_running(e->svc) || e->svc->pid <= 0) {
		snprintf(err, errlen, "%s: %s", name, e == NULL ? "no such service" :
		    "not running");
		return -1;
	}
	return attached_add(&e->svc->attached, id, err, errlen);
}

int
supervisor_service_cgroup(const struct supervisor *sup, const char *name)
{
	struct entry *e = supervisor_find(sup, name);

	if (e == NULL || !service_is_running(e->svc))
		return -1;
	return svc_cgroup_dup(e->svc);
}

int
supervisor_increase_resources(struct supervisor *sup, const char *name,
    const struct heal_action *a, char *detail, size_t len)
{
	struct entry *e = supervisor_find(sup, name);

	if (e == NULL || e->svc->removed || e->svc->conf->kind != SERVICE_SUPERVISED) {
		snprintf(detail, len, "%s: %s", name, e == NULL || e->svc->removed ?
		    "no such service" : "an external service's limits are its own");
		return RAISE_FAILED;
	}
	return (int)svc_increase_resources(e->svc, a, detail, len);
}
