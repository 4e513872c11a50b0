/* A run of this very binary on a schedule (daemon/timed_run.h). */
#include "daemon/timed_run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/jitter.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/procspawn.h"
#include "core/statedir.h"
#include "core/strv.h"

struct timed_run {
	uv_timer_t	 timer;
	struct statedir	*sd;
	char		*what;		/* "chaos", "job backup" */
	char		*log_file;	/* STEM.log */
	char		*last_file;	/* STEM.last */
	struct schedule	 schedule;
	char		**args;
	int64_t		 jitter_ms;
	uint64_t	 rng;
	timed_run_ended_fn ended;
	void		*arg;
	int64_t		 due_ms;	/* when the timer fires, wall clock */
	int64_t		 last_ms;	/* the last run's scheduled time; 0: none known */
	pid_t		 running;	/* a run in flight, 0: none */
	bool		 freed;		/* freed while a run was in flight: it frees at the end */
};

static void
timed_run_destroy(struct timed_run *tr)
{
	free(tr->what);
	free(tr->log_file);
	free(tr->last_file);
	strv_free(tr->args);
	free(tr);
}

static void
timed_run_ended(void *arg, pid_t pid, int64_t status, int term_signal)
{
	struct timed_run *tr = arg;

	(void)pid;
	tr->running = 0;
	if (tr->freed) {
		timed_run_destroy(tr);
		return;
	}
	if (tr->ended != NULL)
		tr->ended(tr->arg, tr->what, status, term_signal);
	else if (term_signal > 0)
		log_warn(NULL, "scheduled %s run killed by signal %d", tr->what, term_signal);
	else
		log_msg(status == 0 ? LOG_INFO : LOG_WARN, NULL, "scheduled %s run ended with "
		    "exit %lld", tr->what, (long long)status);
}

/* This binary with the run's arguments; 0: started. */
static int
timed_run_start(struct timed_run *tr, uv_loop_t *loop)
{
	struct procspawn sp = { .umask = -1 };
	char self[PATH_MAX], err[256], **argv;
	ssize_t len;
	int log, rc;

	if ((len = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0) {
		log_warn(NULL, "scheduled %s: /proc/self/exe: %s", tr->what, strerror(errno));
		return -1;
	}
	self[len] = '\0';
	argv = strv_extend(strv_push(NULL, self), tr->args);
	log = statedir_openat(tr->sd, tr->log_file, O_WRONLY | O_CREAT | O_APPEND |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	sp.argv = argv;
	sp.env = environ;
	sp.fd[0] = -1;
	sp.fd[1] = sp.fd[2] = log;
	if ((rc = procspawn_start(&sp, &tr->running, err, sizeof(err))) != 0) {
		log_warn(NULL, "scheduled %s: %s", tr->what, err);
		tr->running = 0;
	} else {
		log_info(NULL, "scheduled %s run started (pid %d; its output in %s)", tr->what,
		    (int)tr->running, tr->log_file);
		procspawn_watch(loop, tr->running, timed_run_ended, tr);
	}
	if (log >= 0)
		close(log);
	strv_free(argv);
	return rc;
}

/* The last run's time from STATE_DIR/STEM.last; 0: none to trust. */
static int64_t
timed_run_last_read(struct timed_run *tr)
{
	char buf[32], *end;
	long long ms;
	ssize_t n;
	int fd;

	if ((fd = statedir_openat(tr->sd, tr->last_file, O_RDONLY, 0)) < 0) {
		if (errno != ENOENT)
			log_warn(NULL, "scheduled %s: %s: %s", tr->what, tr->last_file,
			    strerror(errno));
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
		log_warn(NULL, "scheduled %s: %s holds no time a run could have had; ignored",
		    tr->what, tr->last_file);
		return 0;
	}
	return ms;
}

static void
timed_run_last_write(struct timed_run *tr)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%lld\n", (long long)tr->last_ms);

	if (statedir_replace(tr->sd, tr->last_file, buf, (size_t)len, 0640) < 0)
		log_warn(NULL, "scheduled %s: writing %s: %s (a restart may run again what "
		    "ran)", tr->what, tr->last_file, strerror(errno));
}

static void	timed_run_arm(struct timed_run *tr);

/* The run's time: its slot is taken, whether the run starts or is skipped. */
static void
timed_run_fired(uv_timer_t *t)
{
	struct timed_run *tr = t->data;

	tr->last_ms = tr->due_ms;
	if (tr->running > 0)
		log_warn(NULL, "scheduled %s: the last run is still going; this one skipped",
		    tr->what);
	else if (timed_run_start(tr, t->loop) == 0)
		timed_run_last_write(tr);
	timed_run_arm(tr);
}

static void
timed_run_arm(struct timed_run *tr)
{
	int64_t now = clock_wall_ms();
	char when[64];

	uv_timer_stop(&tr->timer);
	if (tr->schedule.every_ms <= 0)
		return;
	tr->due_ms = schedule_next(&tr->schedule, tr->last_ms, now);
	/*
	 * A run missed while the daemon was down (or the host asleep) is not
	 * made up at once — at a start its services are still coming up: the
	 * period starts again from now.
	 */
	if (tr->due_ms <= now)
		tr->due_ms = schedule_next(&tr->schedule, 0, now);
	/* Spread, so that a fleet's jobs of one schedule do not all start at once. */
	if (tr->jitter_ms > 0)
		tr->due_ms += (int64_t)(jitter_next(&tr->rng) * (double)tr->jitter_ms);
	schedule_format_time(tr->due_ms, when, sizeof(when));
	log_info(NULL, "scheduled %s: next run at %s", tr->what, when);
	uv_timer_start(&tr->timer, timed_run_fired, (uint64_t)(tr->due_ms - now), 0);
}

struct timed_run *
timed_run_new(uv_loop_t *loop, struct statedir *sd, const char *what, const char *stem,
    timed_run_ended_fn ended, void *arg)
{
	struct timed_run *tr = xcalloc(1, sizeof(*tr));

	tr->sd = sd;
	tr->what = xstrdup(what);
	tr->log_file = xasprintf("%s.log", stem);
	tr->last_file = xasprintf("%s.last", stem);
	tr->ended = ended;
	tr->arg = arg;
	tr->rng = jitter_seed();
	uv_timer_init(loop, &tr->timer);
	tr->timer.data = tr;
	tr->last_ms = timed_run_last_read(tr);
	return tr;
}

void
timed_run_set(struct timed_run *tr, const struct schedule *s, char *const *args,
    int64_t jitter_ms)
{
	bool changed = !schedule_equal(s, &tr->schedule) || jitter_ms != tr->jitter_ms ||
	    tr->args == NULL;

	strv_free(tr->args);
	tr->args = strv_dup((char **)args);
	tr->schedule = *s;
	tr->jitter_ms = jitter_ms;
	if (changed)
		timed_run_arm(tr);
}

static void
timed_run_closed(uv_handle_t *h)
{
	struct timed_run *tr = h->data;

	/* A run still going finishes on its own; its watch frees what is left. */
	if (tr->running > 0)
		tr->freed = true;
	else
		timed_run_destroy(tr);
}

void
timed_run_free(struct timed_run *tr)
{
	if (tr != NULL)
		uv_close((uv_handle_t *)&tr->timer, timed_run_closed);
}
