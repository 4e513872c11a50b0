/*
 * The supervisor's side of the run record (supervise/runrecord.h): what
 * runs, made at the end of a loop turn in which it may have changed, and
 * written when it did. A thousand services starting change it a thousand
 * times; made after each change, reading each running service's /proc
 * entry every time, it was the start's quadratic cost. So it is made once
 * per turn (a check handle runs after the turn's I/O), and a service's
 * main process is read from /proc once per start of it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "supervise/external.h"
#include "supervise/reaper.h"
#include "supervise/runrecord.h"
#include "supervise/supervisor_internal.h"

/* Orphans recorded per service in the run record, at most. */
#define SUPERVISOR_RECORD_ORPHANS	64

/* The main process of a running service, read once per start of it. */
static bool
record_main(struct entry *e, struct run_proc *main)
{
	const struct service *svc = e->svc;
	struct proc_id id;

	if (e->recorded.id.pid == svc->pid && e->recorded_spawn == svc->spawned_mono_ms) {
		*main = e->recorded;
		return true;
	}
	/* Our unreaped child: the pid is still the one we spawned. */
	if (proc_id_of(svc->pid, &id) < 0 || !run_proc_read(&id, main))
		return false;
	e->recorded = *main;
	e->recorded_spawn = svc->spawned_mono_ms;
	return true;
}

/* The main process of a running service and its orphans, if it has one. */
static void
record_service(struct supervisor *sup, struct run_record *rec, struct entry *e)
{
	const struct service *svc = e->svc;
	struct proc_id orphans[SUPERVISOR_RECORD_ORPHANS], id;
	struct run_proc main;
	size_t n;

	if (svc->ext != NULL) {
		if (external_process(svc->ext, &id))
			run_record_add(rec, svc->name, true, &id, NULL, 0);
		return;
	}
	if (svc->pid <= 0 || !record_main(e, &main))
		return;
	n = reaper_orphans(sup->ctx.reaper, svc->name, orphans, SUPERVISOR_RECORD_ORPHANS);
	run_record_add_read(rec, svc->name, false, &main, orphans, n);
}

/* Replaces the run record when what runs has changed. */
static void
record_write(struct supervisor *sup)
{
	struct run_record rec;
	size_t i;
	char *text;

	run_record_init(&rec);
	for (i = 0; i < sup->n; i++)
		record_service(sup, &rec, sup->v[i]);
	text = run_record_text(&rec);
	run_record_clear(&rec);
	if (sup->record_text != NULL && strcmp(text, sup->record_text) == 0) {
		free(text);
		return;
	}
	if (run_record_write(sup->ctx.statedir, text) < 0) {
		if (!sup->record_failed)
			log_warn(NULL, "cannot write %s/%s: %s", sup->state_dir,
			    RUN_RECORD_FILE, strerror(errno));
		sup->record_failed = true;
		free(text);
		text = NULL;
	} else {
		sup->record_failed = false;
	}
	free(sup->record_text);
	sup->record_text = text;
}

static void
record_due(uv_check_t *check)
{
	struct supervisor *sup = check->data;

	uv_check_stop(check);
	/* A pass under way asks again when it ends. */
	if (!sup->pumping)
		record_write(sup);
}

void
supervisor_record_init(struct supervisor *sup)
{
	sup->record_due = xcalloc(1, sizeof(*sup->record_due));
	uv_check_init(sup->ctx.loop, sup->record_due);
	sup->record_due->data = sup;
}

void
supervisor_record_soon(struct supervisor *sup)
{
	if (sup->pumping)
		return;
	uv_check_start(sup->record_due, record_due);
}

static void
record_closed(uv_handle_t *handle)
{
	free(handle);
}

void
supervisor_record_close(struct supervisor *sup)
{
	if (uv_is_active((uv_handle_t *)sup->record_due))
		record_write(sup);
	uv_close((uv_handle_t *)sup->record_due, record_closed);
	sup->record_due = NULL;
	free(sup->record_text);
}
