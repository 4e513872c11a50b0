#include "supervise/external.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "supervise/command.h"
#include "supervise/pidfile.h"
#include "supervise/pidwatch.h"
#include "supervise/reaper.h"
#include "supervise/service.h"

/* How often to look for the pidfile after a start command. */
#define EXTERNAL_PIDFILE_POLL_MS	50

struct external {
	struct service	*svc;
	struct proc_id	 id;		/* the adopted process; pid 0 when none */
	bool		 leads_group;	/* it leads its process group: signal the group */
	struct pidwatch	*watch;
	uv_timer_t	*timer;		/* the pidfile wait after a start command */
	int64_t		 started_cmd_ms;
	int		 commands;	/* running start/stop commands */
	bool		 freed;		/* free once commands are done */
	struct proc_id	 survivor;	/* a previous tend's, from the run record */
	char		 refused[1024];	/* the last refusal, logged once */
};

static void	external_gone(void *arg);

/* The pidfile's process if tend may take it on; each new refusal is logged. */
static enum pidfile_result
external_read(struct external *ext, struct proc_info *pi, char *why, size_t len)
{
	enum pidfile_result res;

	res = pidfile_read(ext->svc->conf->pidfile, pi, why, len);
	if (res == PIDFILE_REFUSED && strcmp(why, ext->refused) != 0) {
		log_error(ext->svc->name, "%s", why);
		snprintf(ext->refused, sizeof(ext->refused), "%s", why);
	}
	return res;
}

static void
external_handle_closed(uv_handle_t *handle)
{
	free(handle);
}

static void
external_unwatch(struct external *ext)
{
	pidwatch_stop(ext->watch);
	ext->watch = NULL;
	ext->id = (struct proc_id){ 0 };
	ext->svc->pid = 0;
}

/* Watches a verified process as the service's own. */
static void
external_take(struct external *ext, const struct proc_info *pi)
{
	struct service *svc = ext->svc;

	ext->id = pi->id;
	ext->leads_group = pi->pgid == pi->id.pid;
	ext->refused[0] = '\0';
	reaper_spare(svc->ctx->reaper, pi->id.pid);
	ext->watch = pidwatch_start(svc->ctx->loop, &ext->id, svc->conf->check_every_ms,
	    external_gone, ext);
	svc->pid = pi->id.pid;
}

static void
external_adopt(struct external *ext, const struct proc_info *pi)
{
	external_take(ext, pi);
	service_process_started(ext->svc, pi->id.pid);
}

/*
 * The process ended. A service may have replaced it (a re-exec, a binary
 * upgrade) and written the new pid: follow it, under the pidfile's rules.
 */
static void
external_gone(void *arg)
{
	struct external *ext = arg;
	struct service *svc = ext->svc;
	pid_t old = ext->id.pid;
	struct proc_info pi;
	char why[1024];

	external_unwatch(ext);
	if (external_read(ext, &pi, why, sizeof(why)) == PIDFILE_PID && pi.id.pid != old) {
		log_info(svc->name, "pid changed %d -> %d", (int)old, (int)pi.id.pid);
		external_take(ext, &pi);
		return;
	}
	log_info(svc->name, "pid %d is gone", (int)old);
	/* Not our child: there is no exit status to report. */
	service_exited(svc, -1, 0);
}

/* A start that cannot succeed as configured: say why, as a failed spawn does. */
static void
external_start_failed(struct external *ext, const char *why)
{
	struct service *svc = ext->svc;
	size_t n = strlen(why);

	/* The whole story was logged; the status keeps what fits. */
	if (n >= sizeof(svc->spawn_error))
		n = sizeof(svc->spawn_error) - 1;
	memcpy(svc->spawn_error, why, n);
	svc->spawn_error[n] = '\0';
	svc->kill_cause = KILL_SPAWN_FAILED;
	service_exited(svc, 1, 0);
}

static void
external_wait_pidfile(uv_timer_t *timer)
{
	struct external *ext = timer->data;
	struct service *svc = ext->svc;
	enum pidfile_result res;
	struct proc_info pi;
	char why[1024];

	if (svc->state != SVC_STARTING) {
		uv_timer_stop(timer);
		return;
	}
	res = external_read(ext, &pi, why, sizeof(why));
	if (res == PIDFILE_PID) {
		uv_timer_stop(timer);
		external_adopt(ext, &pi);
	} else if (res == PIDFILE_REFUSED) {
		uv_timer_stop(timer);
		external_start_failed(ext, why);
	} else if (clock_mono_ms() - ext->started_cmd_ms > svc->conf->ready.timeout_ms) {
		uv_timer_stop(timer);
		log_warn(svc->name, "no live pid in %s after the start command (%s)",
		    svc->conf->pidfile, why);
		service_exited(svc, 1, 0);
	}
}

static void
external_start_done(void *arg, int64_t code, int signal)
{
	struct external *ext = arg;
	struct service *svc = ext->svc;

	if (--ext->commands == 0 && ext->freed) {
		free(ext);
		return;
	}
	if (ext->freed || svc->state != SVC_STARTING || ext->id.pid > 0)
		return;
	if (code != 0 || signal != 0) {
		log_warn(svc->name, "start command failed (code %lld, signal %d)",
		    (long long)code, signal);
		service_exited(svc, code, signal);
		return;
	}
	uv_timer_start(ext->timer, external_wait_pidfile, 0, EXTERNAL_PIDFILE_POLL_MS);
}

static int
external_run(struct external *ext, char *const *argv)
{
	struct service *svc = ext->svc;
	int rc;

	rc = command_run(svc->ctx->loop, argv, svc->ctx->state_dir, NULL,
	    external_start_done, ext);
	if (rc == 0)
		ext->commands++;
	else
		log_error(svc->name, "cannot run %s: %s", argv[0], uv_strerror(rc));
	return rc;
}

/* The previous tend's process, when it is still the one it adopted. */
static bool
external_survivor(struct external *ext, struct proc_info *pi)
{
	struct proc_id id = ext->survivor;

	ext->survivor = (struct proc_id){ 0 };
	return id.pid > 0 && proc_id_alive(&id) && proc_info_read(id.pid, pi) == 0 &&
	    pi->id.start == id.start;
}

void
external_start(struct external *ext)
{
	struct service *svc = ext->svc;
	struct proc_info pi;
	char why[1024];

	if (external_read(ext, &pi, why, sizeof(why)) == PIDFILE_PID) {
		log_info(svc->name, "already running as pid %d (%s)", (int)pi.id.pid,
		    svc->conf->pidfile);
		external_adopt(ext, &pi);
		return;
	}
	if (external_survivor(ext, &pi)) {
		log_info(svc->name, "pid %d, adopted by the previous tend, still runs; "
		    "adopted again (%s)", (int)pi.id.pid, why);
		external_adopt(ext, &pi);
		return;
	}
	ext->started_cmd_ms = clock_mono_ms();
	service_set_state(svc, SVC_STARTING, "running the start command");
	if (external_run(ext, svc->conf->start_cmd) != 0)
		service_exited(svc, 127, 0);
}

void
external_stop(struct external *ext)
{
	struct service *svc = ext->svc;

	if (ext->id.pid == 0) {
		/* Still starting: there is nothing to stop yet. */
		service_exited(svc, 0, 0);
		return;
	}
	if (svc->conf->stop_cmd != NULL && external_run(ext, svc->conf->stop_cmd) == 0)
		return;
	external_kill(ext, svc->conf->stop.signal);
}

void
external_kill(struct external *ext, int sig)
{
	int rc;

	if (ext->id.pid <= 0)
		return;
	if (ext->leads_group)
		rc = proc_id_signal_group(&ext->id, sig, true);
	else
		rc = proc_id_signal(&ext->id, sig, true);
	if (rc < 0)
		log_warn(ext->svc->name, "pid %d not signalled: %s", (int)ext->id.pid,
		    errno == ESRCH ? "it is gone, or no longer the process adopted" :
		    strerror(errno));
}

bool
external_process(const struct external *ext, struct proc_id *id)
{
	*id = ext->id;
	return ext->id.pid > 0;
}

void
external_set_survivor(struct external *ext, const struct proc_id *id)
{
	ext->survivor = *id;
}

struct external *
external_new(struct service *svc)
{
	struct external *ext = xcalloc(1, sizeof(*ext));

	ext->svc = svc;
	ext->timer = xcalloc(1, sizeof(*ext->timer));
	uv_timer_init(svc->ctx->loop, ext->timer);
	ext->timer->data = ext;
	return ext;
}

/* The watch's fallback period may have changed with check_every. */
void
external_rebind(struct external *ext)
{
	struct service *svc = ext->svc;

	if (ext->watch == NULL)
		return;
	pidwatch_stop(ext->watch);
	ext->watch = pidwatch_start(svc->ctx->loop, &ext->id, svc->conf->check_every_ms,
	    external_gone, ext);
}

void
external_free(struct external *ext)
{
	if (ext == NULL)
		return;
	external_unwatch(ext);
	uv_close((uv_handle_t *)ext->timer, external_handle_closed);
	ext->freed = true;
	if (ext->commands == 0)
		free(ext);
}
