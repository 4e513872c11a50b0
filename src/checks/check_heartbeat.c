/*
 * heartbeat checks: a dead-man's switch. Pings (tend ping, POST
 * /api/ping/NAME) are recorded into the check's memory by the scheduler; a
 * run judges the time since the last one. With `file:`, the file's mtime is
 * a ping too, read on the thread pool (a slow disk must not stall the
 * loop) through a walk from / that follows no symlink, so no other user
 * can point the check at a file of their choosing.
 */
#include "checks/heartbeat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checks/check_kinds.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/pathwalk.h"
#include "core/text.h"
#include "core/workpool.h"

static void
heartbeat_state_free(void *state)
{
	free(state);
}

struct heartbeat_state *
heartbeat_state(struct check_memory *m, int64_t now_ms)
{
	struct heartbeat_state *hb;

	if (m->state != NULL)
		return m->state;
	hb = xcalloc(1, sizeof(*hb));
	hb->since_ms = now_ms;
	hb->duration_ms = -1;
	m->state = hb;
	m->state_free = heartbeat_state_free;
	return hb;
}

void
heartbeat_record(struct heartbeat_state *hb, enum heartbeat_ping kind,
    const char *message, int64_t now_ms)
{
	hb->pings++;
	if (kind == HEARTBEAT_START) {
		/* A run begun is no sign of life: the job may still hang. */
		hb->started_ms = now_ms;
		return;
	}
	if (hb->started_ms > 0)
		hb->duration_ms = now_ms - hb->started_ms;
	hb->started_ms = 0;
	hb->last_ms = now_ms;
	hb->failed = kind == HEARTBEAT_FAIL;
	/*
	 * Shown in the check's result, so stored and published: whatever sent
	 * it (a job's last line, an HTTP body), credentials are hidden and the
	 * cut falls on a character boundary.
	 */
	text_copy(hb->message, sizeof(hb->message), message != NULL ? message : "");
	text_sanitize(hb->message, sizeof(hb->message));
}

void
heartbeat_service_started(struct heartbeat_state *hb, int64_t now_ms)
{
	hb->since_ms = now_ms;
	hb->since_service = true;
	hb->failed = false;
	hb->started_ms = 0;
}

int
heartbeat_ping_parse(const char *word, enum heartbeat_ping *kind)
{
	static const char *const words[] = { "ping", "fail", "start" };
	size_t i;

	for (i = 0; word != NULL && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(word, words[i]) == 0) {
			*kind = (enum heartbeat_ping)i;
			return 0;
		}
	return -1;
}

/* "2026-12-02T12:00:00Z" */
static const char *
heartbeat_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)ms);
	return buf;
}

/* ", a run started at T" when one is going, else "". */
static void
heartbeat_running(const struct heartbeat_state *hb, char *buf, size_t len)
{
	char t[32];

	if (hb->started_ms > 0)
		snprintf(buf, len, "; a run started at %s", heartbeat_time(hb->started_ms, t,
		    sizeof(t)));
	else
		buf[0] = '\0';
}

void
heartbeat_judge(const struct check_conf *c, const struct heartbeat_state *hb,
    int64_t mtime_ms, const char *file_note, int64_t now_ms, struct check_result *r)
{
	const struct heartbeat_check_conf *h = &c->heartbeat;
	int64_t last = hb->last_ms > mtime_ms ? hb->last_ms : mtime_ms;
	int64_t due = (last > hb->since_ms ? last : hb->since_ms) + h->period_ms +
	    h->grace_ms;
	char at[32], by[32], running[64];
	const char *note = file_note != NULL ? file_note : "";

	heartbeat_running(hb, running, sizeof(running));
	heartbeat_time(due, by, sizeof(by));
	if (hb->failed && hb->last_ms >= mtime_ms)
		check_result_set(r, HEALTH_CRITICAL, "failed at %s: %s%s",
		    heartbeat_time(hb->last_ms, at, sizeof(at)),
		    hb->message[0] != '\0' ? hb->message : "(no message)", running);
	else if (now_ms > due && last <= hb->since_ms)
		check_result_set(r, HEALTH_CRITICAL, "no ping since %s%s started%s at %s; "
		    "one was due by %s%s%s", hb->since_service ? "" : "tend",
		    hb->since_service ? c->service : "", hb->since_service ? "" : " watching",
		    heartbeat_time(hb->since_ms, at, sizeof(at)), by, note, running);
	else if (now_ms > due)
		check_result_set(r, HEALTH_CRITICAL, "no ping since %s (%llds ago); one was "
		    "due by %s%s%s", heartbeat_time(last, at, sizeof(at)),
		    (long long)((now_ms - last) / 1000), by, note, running);
	else if (last <= hb->since_ms)
		check_result_set(r, HEALTH_HEALTHY, "waiting for a first ping, due by %s%s%s",
		    by, note, running);
	else
		check_result_set(r, HEALTH_HEALTHY, "last ping at %s%s%s; next due by %s%s",
		    heartbeat_time(last, at, sizeof(at)), hb->message[0] != '\0' &&
		    last == hb->last_ms ? ": " : "", last == hb->last_ms ? hb->message : "",
		    by, running);
	if (last > 0)
		check_result_add_clock(r, "age", (double)(now_ms - last) / 1000.0);
	if (hb->duration_ms >= 0)
		check_result_add_metric(r, "duration", (double)hb->duration_ms, "ms");
}

/* The touch file's mtime, read on the thread pool. */
struct heartbeat_file_run {
	struct check_run *run;		/* NULL once cancelled; loop thread only */
	uv_work_t	 work;
	char		*path;		/* copied: the config may go meanwhile */
	int64_t		 mtime_ms;	/* 0: none */
	char		 note[160];	/* why there is none */
};

/* The entry at path's end, found from / without following any symlink. */
static void
heartbeat_file_work(uv_work_t *req)
{
	struct heartbeat_file_run *f = req->data;
	const char *base;
	struct stat st;
	int dirfd;

	dirfd = pathwalk_parent(f->path, O_PATH, &base);
	if (dirfd < 0) {
		snprintf(f->note, sizeof(f->note), " (%s: %s)", f->path, errno == ENOTDIR ?
		    "a symlink or a file on the way, not followed" : strerror(errno));
		return;
	}
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		snprintf(f->note, sizeof(f->note), " (%s: %s)", f->path, strerror(errno));
	else if (S_ISLNK(st.st_mode))
		snprintf(f->note, sizeof(f->note), " (%s is a symlink: not followed)",
		    f->path);
	else
		f->mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 +
		    st.st_mtim.tv_nsec / 1000000;
	close(dirfd);
}

static void
heartbeat_report(struct check_run *run, int64_t mtime_ms, const char *note)
{
	int64_t now = clock_wall_ms();
	struct heartbeat_state *hb;
	struct check_memory scratch = { 0 };
	struct check_result r;

	/* Without memory (tend check), every run is the first: watching from now. */
	hb = heartbeat_state(run->memory != NULL ? run->memory : &scratch, now);
	check_result_init(&r);
	heartbeat_judge(run->conf, hb, mtime_ms, note, now, &r);
	r.latency_ms = check_run_elapsed_ms(run);
	check_memory_clear(&scratch);
	check_run_report_soon(run, &r);
}

static void
heartbeat_file_done(uv_work_t *req, int status)
{
	struct heartbeat_file_run *f = req->data;
	struct check_run *run = f->run;

	if (run != NULL) {
		run->kind = NULL;
		run->cancel = NULL;
		heartbeat_report(run, f->mtime_ms, f->note);
	}
	free(f->path);
	free(f);
}

static void
heartbeat_file_cancel(struct check_run *run)
{
	struct heartbeat_file_run *f = run->kind;

	f->run = NULL;
	/* A queued job is dropped; a running one finishes and frees itself. */
	uv_cancel((uv_req_t *)&f->work);
}

void
check_heartbeat_start(struct check_run *run)
{
	struct heartbeat_file_run *f;

	if (run->conf->heartbeat.file == NULL) {
		heartbeat_report(run, 0, NULL);
		return;
	}
	f = xcalloc(1, sizeof(*f));
	f->run = run;
	f->path = xstrdup(run->conf->heartbeat.file);
	f->work.data = f;
	if (workpool_queue(run->env->loop, &f->work, heartbeat_file_work,
	    heartbeat_file_done) != 0) {
		free(f->path);
		free(f);
		check_run_finish_soon(run, HEALTH_UNKNOWN, "cannot queue the file's stat");
		return;
	}
	run->kind = f;
	run->cancel = heartbeat_file_cancel;
}
