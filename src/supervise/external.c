#include "supervise/external.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <uv.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "supervise/command.h"
#include "supervise/reaper.h"
#include "supervise/service.h"

/* How often to look for the pidfile after a start command. */
#define EXTERNAL_PIDFILE_POLL_MS	50

struct external {
	struct service	*svc;
	pid_t		 pid;		/* watched pid, 0 when none */
	int		 pidfd;
	uv_poll_t	*poll;		/* on pidfd */
	uv_timer_t	*timer;		/* pidfile wait, liveness fallback */
	int64_t		 started_cmd_ms;
	int		 commands;	/* running start/stop commands */
	bool		 freed;		/* free once commands are done */
};

static void	external_watch(struct external *ext, pid_t pid);

pid_t
external_read_pidfile(const char *path)
{
	char buf[32];
	FILE *f;
	long pid;

	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return 0;
	}
	fclose(f);
	pid = strtol(buf, NULL, 10);
	if (pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH))
		return 0;
	return (pid_t)pid;
}

static void
external_handle_closed(uv_handle_t *handle)
{
	free(handle);
}

static void
external_unwatch(struct external *ext)
{
	if (ext->poll != NULL) {
		uv_close((uv_handle_t *)ext->poll, external_handle_closed);
		ext->poll = NULL;
	}
	if (ext->pidfd >= 0) {
		close(ext->pidfd);
		ext->pidfd = -1;
	}
	ext->pid = 0;
	ext->svc->pid = 0;
	uv_timer_stop(ext->timer);
}

static void
external_pid_gone(struct external *ext)
{
	struct service *svc = ext->svc;

	log_info(svc->name, "pid %d is gone", (int)ext->pid);
	external_unwatch(ext);
	/* Not our child: there is no exit status to report. */
	service_exited(svc, -1, 0);
}

static void
external_pidfd_readable(uv_poll_t *poll, int status, int events)
{
	external_pid_gone(poll->data);
}

/*
 * The fallback and the pid follower: a service may replace its own
 * process (a reload that re-execs), writing a new pid to its pidfile.
 */
static void
external_check(uv_timer_t *timer)
{
	struct external *ext = timer->data;
	pid_t now = external_read_pidfile(ext->svc->conf->pidfile);

	if (kill(ext->pid, 0) < 0 && errno == ESRCH) {
		if (now > 0 && now != ext->pid) {
			log_info(ext->svc->name, "pid changed %d -> %d", (int)ext->pid,
			    (int)now);
			external_unwatch(ext);
			external_watch(ext, now);
			ext->svc->pid = now;
			return;
		}
		external_pid_gone(ext);
	}
}

static void
external_watch(struct external *ext, pid_t pid)
{
	struct service *svc = ext->svc;
	int64_t every = svc->conf->check_every_ms;

	ext->pid = pid;
	reaper_spare(svc->ctx->reaper, pid);
	ext->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (ext->pidfd >= 0) {
		ext->poll = xcalloc(1, sizeof(*ext->poll));
		uv_poll_init(svc->ctx->loop, ext->poll, ext->pidfd);
		ext->poll->data = ext;
		uv_poll_start(ext->poll, UV_READABLE, external_pidfd_readable);
	}
	uv_timer_start(ext->timer, external_check, (uint64_t)every, (uint64_t)every);
}

static void
external_adopt(struct external *ext, pid_t pid)
{
	external_watch(ext, pid);
	service_process_started(ext->svc, pid);
}

static void
external_wait_pidfile(uv_timer_t *timer)
{
	struct external *ext = timer->data;
	struct service *svc = ext->svc;
	pid_t pid;

	if (svc->state != SVC_STARTING) {
		uv_timer_stop(timer);
		return;
	}
	pid = external_read_pidfile(svc->conf->pidfile);
	if (pid > 0) {
		uv_timer_stop(timer);
		external_adopt(ext, pid);
	} else if (clock_mono_ms() - ext->started_cmd_ms > svc->conf->ready.timeout_ms) {
		uv_timer_stop(timer);
		log_warn(svc->name, "no live pid in %s after the start command",
		    svc->conf->pidfile);
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
	if (ext->freed || svc->state != SVC_STARTING || ext->pid > 0)
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

void
external_start(struct external *ext)
{
	struct service *svc = ext->svc;
	pid_t pid = external_read_pidfile(svc->conf->pidfile);

	if (pid > 0) {
		log_info(svc->name, "already running as pid %d (%s)", (int)pid,
		    svc->conf->pidfile);
		external_adopt(ext, pid);
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

	if (ext->pid == 0) {
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
	if (ext->pid > 0)
		kill(ext->pid, sig);
}

struct external *
external_new(struct service *svc)
{
	struct external *ext = xcalloc(1, sizeof(*ext));

	ext->svc = svc;
	ext->pidfd = -1;
	ext->timer = xcalloc(1, sizeof(*ext->timer));
	uv_timer_init(svc->ctx->loop, ext->timer);
	ext->timer->data = ext;
	return ext;
}

void
external_rebind(struct external *ext)
{
	int64_t every = ext->svc->conf->check_every_ms;

	if (ext->pid > 0)
		uv_timer_start(ext->timer, external_check, (uint64_t)every,
		    (uint64_t)every);
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
