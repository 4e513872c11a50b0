/*
 * log checks: the lines a file (or a service's captured output) gained
 * since the last run, read on libuv's thread pool by the follower
 * (logfollow.c), matched against `match` and `ignore` (core/regexset.c),
 * counted into the windows of `warn` and `crit` (logwindow.c); a check of
 * a service's output counts anew when the service was restarted. The state
 * lives in the check's memory between runs; a run in flight marks it busy,
 * and a state freed meanwhile (the scheduler closed) is freed by the run's
 * end instead, so no work on the pool ever refers to freed memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "checks/check_kinds.h"
#include "checks/check_log.h"
#include "checks/logfollow.h"
#include "checks/logwindow.h"
#include "checks/tplwindow.h"
#include "config/units.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/regexset.h"
#include "core/text.h"
#include "core/workpool.h"
#include "diagnose/templates.h"

/* What the message shows of the last matching line, in bytes. */
#define LOG_SHOWN_MAX	300

struct log_state {
	struct logfollow follow;
	struct regexset	*match;		/* NULL: every line */
	struct regexset	*ignore;	/* NULL: none */
	char		 error[256];	/* a pattern that did not compile */
	struct logwindow warn;
	struct logwindow crit;
	struct templates *templates;	/* of the matching lines, since tend started */
	struct tplwindow by_template;	/* their lines per template, over the window */
	bool		 warmed;	/* a run is done: a new template is news now */
	char		 last[LOG_SHOWN_MAX * 4 + 1];	/* escaped, redacted */
	int64_t		 last_ms;	/* monotonic; 0: none yet */
	uint64_t	 binary;	/* lines with a NUL, since tend started */
	uint64_t	 cut;		/* lines over the limit, cut */
	bool		 busy;		/* a read is on the thread pool */
	bool		 dead;		/* freed while busy: by the read's end */
	bool		 once;		/* no memory (tend check): one run */
	pid_t		 pid;		/* the service's main pid last run, 0 */
};

struct log_run {
	uv_work_t	 work;
	struct check_run *run;		/* NULL once cancelled */
	struct log_state *st;
	bool		 new_process;	/* the service restarted since */
	/* Filled on the thread pool. */
	struct logfollow_report rep;
	uint64_t	 lines;
	uint64_t	 matched;
	uint64_t	 binary;
	uint64_t	 cut;
	char		 last[LOG_SHOWN_MAX];	/* raw bytes of the last match */
	size_t		 last_len;
	uint64_t	 new_patterns;	/* templates this read made */
	char		 new_pattern[LOG_SHOWN_MAX];	/* the first of them */
};

static void
log_state_destroy(struct log_state *st)
{
	logfollow_close(&st->follow);
	templates_free(st->templates);
	tplwindow_free(&st->by_template);
	regexset_free(st->match);
	regexset_free(st->ignore);
	free(st);
}

/* Called by check_memory_clear: a busy state is left to its read's end. */
static void
log_state_free(void *p)
{
	struct log_state *st = p;

	if (st->busy)
		st->dead = true;
	else
		log_state_destroy(st);
}

/* The threshold whose window the metrics and the message are about: crit's, else warn's. */
static const struct log_threshold *
log_shown(const struct log_check_conf *lc)
{
	return lc->crit.value >= 0 || lc->warn.value < 0 ? &lc->crit : &lc->warn;
}

static struct log_state *
log_state_new(const struct check_run *run, const char *path)
{
	const struct log_check_conf *lc = &run->conf->log;
	struct log_state *st = xcalloc(1, sizeof(*st));

	/* tend's own output logs: a symlink there was not made by tend. */
	logfollow_init(&st->follow, path, lc->file == NULL, LOGFOLLOW_LINE_MAX);
	if (lc->match != NULL && lc->match[0] != NULL)
		st->match = regexset_new(lc->match, st->error, sizeof(st->error));
	if (st->error[0] == '\0' && lc->ignore != NULL && lc->ignore[0] != NULL)
		st->ignore = regexset_new(lc->ignore, st->error, sizeof(st->error));
	logwindow_init(&st->warn, lc->warn.within_ms);
	logwindow_init(&st->crit, lc->crit.within_ms);
	st->templates = templates_new();
	tplwindow_init(&st->by_template, log_shown(lc)->within_ms);
	return st;
}

/* A matching line's template; one never seen before (once warmed) is news. */
static void
log_template(struct log_run *l, const char *line, size_t len)
{
	struct template_info info;
	bool is_new;
	int i;

	if ((i = templates_add(l->st->templates, line, len, l->lines, &is_new)) < 0)
		return;
	tplwindow_add(&l->st->by_template, (size_t)i);
	if (!is_new || !l->st->warmed)
		return;
	if (l->new_patterns++ == 0) {
		templates_get(l->st->templates, (size_t)i, &info);
		snprintf(l->new_pattern, sizeof(l->new_pattern), "%s", info.text);
	}
}

/* On the thread pool, for each line read. */
static void
log_line(void *arg, const char *line, size_t len, unsigned flags)
{
	struct log_run *l = arg;
	struct log_state *st = l->st;

	l->lines++;
	if (memchr(line, '\0', len) != NULL)
		l->binary++;
	if (flags & LOGLINE_CUT)
		l->cut++;
	if (st->match != NULL && !regexset_match(st->match, line, len))
		return;
	if (st->ignore != NULL && regexset_match(st->ignore, line, len))
		return;
	l->matched++;
	l->last_len = len < sizeof(l->last) ? len : sizeof(l->last);
	memcpy(l->last, line, l->last_len);
	log_template(l, line, len);
}

static void
log_work(uv_work_t *req)
{
	struct log_run *l = req->data;

	logfollow_read(&l->st->follow, CHECK_LOG_READ_MAX, log_line, l, &l->rep);
}

/* The last match as the message shows it: NULs as \x00, then text_show. */
static void
log_keep_last(struct log_state *st, const struct log_run *l)
{
	char raw[LOG_SHOWN_MAX * 4 + 1], *shown;
	size_t i, n = 0;

	for (i = 0; i < l->last_len && n + 5 < sizeof(raw); i++) {
		if (l->last[i] == '\0') {
			memcpy(raw + n, "\\x00", 4);
			n += 4;
		} else {
			raw[n++] = l->last[i];
		}
	}
	raw[n] = '\0';
	shown = text_show(raw);
	text_copy(st->last, sizeof(st->last), shown);
	free(shown);
}

/* Whether a level is reached by matched of lines. */
static bool
log_reached(const struct log_threshold *t, uint64_t matched, uint64_t lines)
{
	if (t->value < 0)
		return false;
	if (!t->rate)
		return (double)matched >= t->value && matched > 0;
	return lines > 0 && lines >= (uint64_t)t->min_lines && matched > 0 &&
	    100.0 * (double)matched / (double)lines >= t->value;
}

static void
log_threshold_text(const struct log_threshold *t, char *buf, size_t len)
{
	char within[32];

	units_format_duration(t->within_ms, within, sizeof(within));
	if (t->rate)
		snprintf(buf, len, "%g%% of lines in %s", t->value, within);
	else
		snprintf(buf, len, "%g in %s", t->value, within);
}

static void
log_cannot_see(const struct log_run *l, const char *path, struct check_result *r)
{
	const struct logfollow_report *rep = &l->rep;

	if (rep->status == LOGFOLLOW_MISSING)
		check_result_set(r, HEALTH_UNKNOWN, "%s is not there (read again from its "
		    "start when it comes back)", path);
	else if (rep->status == LOGFOLLOW_NOT_FILE && S_ISDIR(rep->mode))
		check_result_set(r, HEALTH_UNKNOWN, "%s is a directory, not a log file",
		    path);
	else if (rep->status == LOGFOLLOW_NOT_FILE)
		check_result_set(r, HEALTH_UNKNOWN, "%s is not a regular file (a log check "
		    "reads files%s)", path, l->st->follow.nofollow ? ", not symlinks" : "");
	else
		check_result_set(r, HEALTH_UNKNOWN, "cannot read %s: %s", path,
		    strerror(rep->err));
}

/* The template with the most lines in the window, in the message; how many. */
static uint64_t
log_top_template(const struct log_state *st, struct check_result *r)
{
	struct template_info info;
	uint64_t count = 0;
	size_t i, len;
	char *shown;

	if (tplwindow_top(&st->by_template, &i, &count)) {
		templates_get(st->templates, i, &info);
		shown = text_show(info.text);
		len = strlen(r->message);
		snprintf(r->message + len, sizeof(r->message) - len, ", most: %llu x %.200s",
		    (unsigned long long)count, shown);
		free(shown);
	}
	return count;
}

/* The window that the metrics and the message are about: crit's, else warn's. */
static void
log_judge(struct log_run *l, struct check_result *r)
{
	const struct log_check_conf *lc = &l->run->conf->log;
	struct log_state *st = l->st;
	const struct log_threshold *shown = log_shown(lc);
	uint64_t cm, cn, wm, wn, m, n, top;
	int64_t now = clock_mono_ms();
	enum health_state state = HEALTH_HEALTHY;
	char within[32], level[80] = "";
	size_t len;

	logwindow_sum(&st->crit, now, &cm, &cn);
	logwindow_sum(&st->warn, now, &wm, &wn);
	m = shown == &lc->crit ? cm : wm;
	n = shown == &lc->crit ? cn : wn;
	if (log_reached(&lc->crit, cm, cn)) {
		state = HEALTH_CRITICAL;
		log_threshold_text(&lc->crit, level, sizeof(level));
	} else if (log_reached(&lc->warn, wm, wn)) {
		state = HEALTH_WARNING;
		log_threshold_text(&lc->warn, level, sizeof(level));
	}
	units_format_duration(shown->within_ms, within, sizeof(within));
	check_result_set(r, state, "%llu matching line%s in %s (%.1f%% of %llu)%s%s",
	    (unsigned long long)m, m == 1 ? "" : "s", within, n ? 100.0 * (double)m /
	    (double)n : 0.0, (unsigned long long)n, level[0] ? ", at or over " : "",
	    level);
	len = strlen(r->message);
	if (l->rep.behind > 0)
		snprintf(r->message + len, sizeof(r->message) - len, ", behind by %lld "
		    "bytes", (long long)l->rep.behind);
	top = m > 0 ? log_top_template(st, r) : 0;
	len = strlen(r->message);
	if (m > 0 && st->last_ms > 0 && now - st->last_ms < shown->within_ms)
		snprintf(r->message + len, sizeof(r->message) - len, "%s%s",
		    CHECK_LOG_LAST, st->last);
	check_result_add_metric(r, "matched", (double)m, "");
	check_result_add_metric(r, "lines", (double)n, "");
	check_result_add_metric(r, "match_rate", n ? 100.0 * (double)m / (double)n : 0,
	    "%");
	check_result_add_metric(r, "binary_lines", (double)st->binary, "c");
	check_result_add_metric(r, "cut_lines", (double)st->cut, "c");
	check_result_add_metric(r, "behind", (double)l->rep.behind, "B");
	check_result_add_metric(r, "top_pattern_lines", (double)top, "");
}

/* A template this read made, for the daemon to say: shown as a message is. */
static void
log_new_patterns(const struct log_run *l, struct check_result *r)
{
	char *shown;

	if (l->new_patterns == 0)
		return;
	shown = text_show(l->new_pattern);
	r->events = json_pack("[{s:s, s:s, s:I}]", "kind", "new_pattern", "template", shown,
	    "count", (json_int_t)l->new_patterns);
	free(shown);
}

static void
log_done(uv_work_t *req, int status)
{
	struct log_run *l = req->data;
	struct log_state *st = l->st;
	struct check_run *run = l->run;
	struct check_result r;
	int64_t now = clock_mono_ms();

	st->busy = false;
	if (run == NULL) {		/* cancelled: the state may be gone too */
		if (st->dead || st->once)
			log_state_destroy(st);
		free(l);
		return;
	}
	if (l->new_process) {
		/* The last words of a replaced process say nothing of this one. */
		logwindow_init(&st->warn, st->warn.within_ms);
		logwindow_init(&st->crit, st->crit.within_ms);
		tplwindow_free(&st->by_template);
		tplwindow_init(&st->by_template, log_shown(&run->conf->log)->within_ms);
		st->last_ms = 0;
		l->matched = l->lines = 0;
	}
	logwindow_add(&st->warn, now, l->matched, l->lines);
	logwindow_add(&st->crit, now, l->matched, l->lines);
	st->binary += l->binary;
	st->cut += l->cut;
	if (l->matched > 0) {
		log_keep_last(st, l);
		st->last_ms = now;
	}
	check_result_init(&r);
	if (status != 0)
		check_result_set(&r, HEALTH_UNKNOWN, "the read did not run: %s",
		    uv_strerror(status));
	else if (l->rep.status != LOGFOLLOW_OK)
		log_cannot_see(l, st->follow.path, &r);
	else
		log_judge(l, &r);
	r.latency_ms = check_run_elapsed_ms(run);
	log_new_patterns(l, &r);
	st->warmed = true;
	free(l);
	if (st->once)
		log_state_destroy(st);
	check_run_finish(run, &r);
	check_result_clear(&r);
}

static void
log_cancel(struct check_run *run)
{
	struct log_run *l = run->kind;

	l->run = NULL;
	/* A queued read is dropped (log_done sees UV_ECANCELED); a running one ends. */
	uv_cancel((uv_req_t *)&l->work);
}

/* The file: `file:`, else the owning service's captured output. */
static char *
log_path(const struct check_run *run)
{
	const struct check_conf *c = run->conf;

	if (c->log.file != NULL)
		return xstrdup(c->log.file);
	if (c->service == NULL || run->env->state_dir == NULL)
		return NULL;
	return xasprintf("%s/logs/%s.log", run->env->state_dir, c->service);
}

static struct log_state *
log_state_get(struct check_run *run)
{
	struct check_memory *mem = run->memory;
	struct log_state *st;
	char *path;

	if (mem != NULL && mem->state != NULL)
		return mem->state;
	if ((path = log_path(run)) == NULL)
		return NULL;
	st = log_state_new(run, path);
	free(path);
	if (mem != NULL) {
		mem->state = st;
		mem->state_free = log_state_free;
	}
	return st;
}

/*
 * Whether the service's main process is another than at the last run (a
 * restart): a check of its output then counts from the new one.
 */
static bool
log_new_process(struct check_run *run, struct log_state *st)
{
	const struct check_conf *c = run->conf;
	pid_t pid, was = st->pid;

	if (c->log.file != NULL || c->service == NULL || run->env->service_pids == NULL ||
	    run->env->service_pids(run->env->service_pids_arg, c->service, &pid, 1) < 1)
		return false;
	st->pid = pid;
	return was != 0 && was != pid;
}

void
check_log_start(struct check_run *run)
{
	struct log_state *st = log_state_get(run);
	struct log_run *l;

	if (st == NULL) {
		check_run_finish_soon(run, HEALTH_UNKNOWN, "service %s's output is not "
		    "known here (the daemon's state dir)", run->conf->service);
		return;
	}
	if (st->error[0] != '\0' || st->busy) {
		check_run_finish_soon(run, HEALTH_UNKNOWN, "%s", st->busy ? "the last read "
		    "is still going" : st->error);
		if (run->memory == NULL)
			log_state_destroy(st);
		return;
	}
	l = xcalloc(1, sizeof(*l));
	l->run = run;
	l->st = st;
	l->new_process = log_new_process(run, st);
	l->work.data = l;
	/* Without memory (tend check): the state lives for this run only. */
	st->once = run->memory == NULL;
	/*
	 * The template window moves on before the read adds to it: rolled
	 * after, a read that came a whole window after the last would have
	 * its own lines cleared.
	 */
	tplwindow_roll(&st->by_template, clock_mono_ms());
	if (workpool_queue(run->env->loop, &l->work, log_work, log_done) != 0) {
		free(l);
		if (run->memory == NULL)
			log_state_destroy(st);
		check_run_finish_soon(run, HEALTH_UNKNOWN, "cannot queue the log read");
		return;
	}
	st->busy = true;
	run->kind = l;
	run->cancel = log_cancel;
}
