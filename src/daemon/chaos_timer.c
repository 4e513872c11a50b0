/*
 * Scheduled chaos (daemon/chaos_timer.h): a one-shot timer armed for the
 * schedule's next run (core/schedule.h), the run a child `tend chaos run`,
 * and the last run's time kept in STATE_DIR/chaos-scheduled.last so that
 * a restarted daemon goes on from it.
 */
#include "daemon/chaos_timer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/procspawn.h"
#include "core/schedule.h"
#include "core/statedir.h"
#include "core/strv.h"

#define LAST_FILE	"chaos-scheduled.last"

struct chaos_timer {
	uv_timer_t	 timer;
	struct statedir	*sd;
	char		*config_path;
	struct schedule	 schedule;
	char		**names;	/* NULL: --all */
	int64_t		 due_ms;	/* when the timer fires, wall clock */
	int64_t		 last_ms;	/* the last run's scheduled time; 0: none known */
	pid_t		 running;	/* a run in flight, 0: none */
	bool		 freed;		/* freed while a run was in flight: it frees at the end */
};

static void
chaos_run_ended(void *arg, pid_t pid, int64_t status, int term_signal)
{
	struct chaos_timer *ct = arg;

	(void)pid;
	ct->running = 0;
	if (term_signal > 0)
		log_warn(NULL, "scheduled chaos run killed by signal %d", term_signal);
	else if (status == 0)
		log_info(NULL, "scheduled chaos run: every expectation held");
	else
		log_warn(NULL, "scheduled chaos run ended with exit %lld: an expectation failed "
		    "or a run was refused (tend chaos history)", (long long)status);
	if (ct->freed)
		free(ct);
}

/* tend chaos run NAMES|--all -c CONFIG --state-dir DIR, on this very binary; 0: started. */
static int
chaos_run_start(struct chaos_timer *ct, uv_loop_t *loop)
{
	struct procspawn sp = { .umask = -1 };
	char self[PATH_MAX], err[256], **argv = NULL;
	ssize_t len;
	int log, rc;

	if ((len = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0) {
		log_warn(NULL, "scheduled chaos: /proc/self/exe: %s", strerror(errno));
		return -1;
	}
	self[len] = '\0';
	argv = strv_push(argv, self);
	argv = strv_push(argv, "chaos");
	argv = strv_push(argv, "run");
	argv = ct->names != NULL ? strv_extend(argv, ct->names) : strv_push(argv, "--all");
	if (ct->config_path != NULL) {
		argv = strv_push(argv, "-c");
		argv = strv_push(argv, ct->config_path);
	}
	argv = strv_push(argv, "--state-dir");
	argv = strv_push(argv, statedir_path(ct->sd));
	log = statedir_openat(ct->sd, "chaos-scheduled.log", O_WRONLY | O_CREAT | O_APPEND |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	sp.argv = argv;
	sp.env = environ;
	sp.fd[0] = -1;
	sp.fd[1] = sp.fd[2] = log;
	if ((rc = procspawn_start(&sp, &ct->running, err, sizeof(err))) != 0) {
		log_warn(NULL, "scheduled chaos: %s", err);
		ct->running = 0;
	} else {
		log_info(NULL, "scheduled chaos run started (pid %d; its output in "
		    "chaos-scheduled.log)", (int)ct->running);
		procspawn_watch(loop, ct->running, chaos_run_ended, ct);
	}
	if (log >= 0)
		close(log);
	strv_free(argv);
	return rc;
}

/* The last run's time from STATE_DIR/chaos-scheduled.last; 0: none to trust. */
static int64_t
chaos_last_read(struct chaos_timer *ct)
{
	char buf[32], *end;
	long long ms;
	ssize_t n;
	int fd;

	if ((fd = statedir_openat(ct->sd, LAST_FILE, O_RDONLY, 0)) < 0) {
		if (errno != ENOENT)
			log_warn(NULL, "scheduled chaos: %s: %s", LAST_FILE, strerror(errno));
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	errno = 0;
	ms = strtoll(buf, &end, 10);
	/*
	 * Garbage, or a time well to come (the clock was set back): the
	 * schedule starts afresh. A run's time can be a little ahead of the
	 * clock: its timer may fire early.
	 */
	if (n <= 0 || errno != 0 || end == buf || (*end != '\n' && *end != '\0') || ms <= 0 ||
	    ms > clock_wall_ms() + SCHEDULE_SLACK_MS) {
		log_warn(NULL, "scheduled chaos: %s holds no time a run could have had; "
		    "ignored", LAST_FILE);
		return 0;
	}
	return ms;
}

static void
chaos_last_write(struct chaos_timer *ct)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%lld\n", (long long)ct->last_ms);

	if (statedir_replace(ct->sd, LAST_FILE, buf, (size_t)len, 0640) < 0)
		log_warn(NULL, "scheduled chaos: writing %s: %s (a restart may run again what "
		    "ran)", LAST_FILE, strerror(errno));
}

static void	chaos_timer_arm(struct chaos_timer *ct);

/* The run's time: its slot is taken, whether the run starts or is skipped. */
static void
chaos_timer_fired(uv_timer_t *t)
{
	struct chaos_timer *ct = t->data;

	ct->last_ms = ct->due_ms;
	if (ct->running > 0)
		log_warn(NULL, "scheduled chaos: the last run is still going; this one skipped");
	else if (chaos_run_start(ct, t->loop) == 0)
		chaos_last_write(ct);
	chaos_timer_arm(ct);
}

static void
chaos_timer_arm(struct chaos_timer *ct)
{
	int64_t now = clock_wall_ms();
	char when[64];

	uv_timer_stop(&ct->timer);
	if (ct->schedule.every_ms <= 0)
		return;
	ct->due_ms = schedule_next(&ct->schedule, ct->last_ms, now);
	/*
	 * A run missed while the daemon was down (or the host asleep) is not
	 * made up at once — at a start its services are still coming up: the
	 * period starts again from now.
	 */
	if (ct->due_ms <= now)
		ct->due_ms = schedule_next(&ct->schedule, 0, now);
	schedule_format_time(ct->due_ms, when, sizeof(when));
	log_info(NULL, "scheduled chaos: next run at %s", when);
	uv_timer_start(&ct->timer, chaos_timer_fired, (uint64_t)(ct->due_ms - now), 0);
}

static void
chaos_timer_configure(struct chaos_timer *ct, const struct tend_config *cfg)
{
	strv_free(ct->names);
	ct->names = strv_dup(cfg->chaos_scheduled);
	ct->schedule = cfg->chaos_schedule;
	chaos_timer_arm(ct);
}

struct chaos_timer *
chaos_timer_new(uv_loop_t *loop, struct statedir *sd, const char *config_path,
    const struct tend_config *cfg)
{
	struct chaos_timer *ct = xcalloc(1, sizeof(*ct));

	ct->sd = sd;
	ct->config_path = config_path != NULL ? xstrdup(config_path) : NULL;
	uv_timer_init(loop, &ct->timer);
	ct->timer.data = ct;
	ct->last_ms = chaos_last_read(ct);
	chaos_timer_configure(ct, cfg);
	return ct;
}

void
chaos_timer_set_config(struct chaos_timer *ct, const struct tend_config *cfg)
{
	const struct schedule *s = &cfg->chaos_schedule;

	if (ct == NULL)
		return;
	if (s->every_ms != ct->schedule.every_ms || s->at_wday != ct->schedule.at_wday ||
	    s->at_min != ct->schedule.at_min || !strv_equal(cfg->chaos_scheduled, ct->names))
		chaos_timer_configure(ct, cfg);
}

static void
chaos_timer_closed(uv_handle_t *h)
{
	struct chaos_timer *ct = h->data;

	strv_free(ct->names);
	free(ct->config_path);
	/* A run still going finishes on its own; its watch frees what is left. */
	if (ct->running > 0)
		ct->freed = true;
	else
		free(ct);
}

void
chaos_timer_free(struct chaos_timer *ct)
{
	if (ct != NULL)
		uv_close((uv_handle_t *)&ct->timer, chaos_timer_closed);
}
