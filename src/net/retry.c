/*
 * retry_command(): the life of a run. Each command — the main one, then
 * each fallback — gets up to 1 + max_retries attempts; a failure is
 * classified from the last line of its output that a rule matches (else
 * from its exit status or signal), and decides what comes next: try again
 * after a delay (when its category is retried), move on to the next
 * fallback, or give up. A heal command for the category runs before the
 * next attempt, whichever command that is. Everything runs on a loop of
 * its own, so the caller blocks and nothing else is disturbed.
 */
#include "net/retry.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/units.h"
#include "core/clock.h"
#include "core/fdio.h"
#include "core/mem.h"
#include "core/strv.h"
#include "core/text.h"
#include "net/attempt.h"
#include "core/jitter.h"
#include "net/retry_internal.h"

static const int retry_signals[] = { SIGINT, SIGTERM, SIGHUP };

void
retry_printf(int fd, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (fd < 0)
		return;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	/* Closed or broken: the message is lost, the run goes on. */
	(void)fd_write_all(fd, s, strlen(s));
	free(s);
}

static bool
needs_quotes(const char *s)
{
	if (*s == '\0')
		return true;
	for (; *s != '\0'; s++)
		if (strchr(" \t\n'\"\\$`*?[]{}()<>|&;#~!", *s) != NULL)
			return true;
	return false;
}

char *
retry_format_argv(char *const *argv)
{
	size_t cap = 64, len = 0, i;
	char *out = xmalloc(cap), *shown;
	const char *p;

	out[0] = '\0';
	for (i = 0; argv[i] != NULL; i++) {
		/* Room for the worst case: every byte a quote ('\'' is 4 bytes). */
		size_t need = len + 4 * strlen(argv[i]) + 4;

		if (need > cap) {
			cap = need * 2;
			out = xrealloc(out, cap);
		}
		if (i > 0)
			out[len++] = ' ';
		if (!needs_quotes(argv[i])) {
			len += (size_t)sprintf(out + len, "%s", argv[i]);
			continue;
		}
		out[len++] = '\'';
		for (p = argv[i]; *p != '\0'; p++) {
			if (*p == '\'') {
				memcpy(out + len, "'\\''", 4);
				len += 4;
			} else {
				out[len++] = *p;
			}
		}
		out[len++] = '\'';
		out[len] = '\0';
	}
	/* It is shown (and logged): a URL's credentials are not. */
	shown = text_redact(out);
	free(out);
	return shown;
}

char *
retry_argv_json(char *const *argv)
{
	json_t *a = json_array();
	char *s, *redacted;
	size_t i;

	/* Stored: URL credentials hidden, and valid UTF-8 for the JSON. */
	for (i = 0; argv[i] != NULL; i++) {
		redacted = text_redact(argv[i]);
		s = text_utf8(redacted);
		json_array_append_new(a, json_string(s));
		free(s);
		free(redacted);
	}
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s != NULL ? s : xstrdup("[]");
}

void
retry_format_elapsed(int64_t ms, char *buf, size_t len)
{
	if (ms < 1000)
		snprintf(buf, len, "%lldms", (long long)ms);
	else if (ms < 60000)
		snprintf(buf, len, "%.1fs", (double)ms / 1000.0);
	else
		snprintf(buf, len, "%lldm%02llds", (long long)(ms / 60000),
		    (long long)(ms / 1000 % 60));
}

static bool
retry_quiet(const struct retry_run *r)
{
	return !r->o->summary;
}

static void
retry_on_signal(uv_signal_t *handle, int signum)
{
	struct retry_run *r = handle->data;

	r->interrupt = signum;
	r->interrupts++;
	/* The command has a session of its own: pass the signal on, then insist. */
	if (r->running > 0)
		kill(-r->running, r->interrupts > 1 ? SIGKILL : signum);
	uv_timer_stop(&r->delay);
}

static void
retry_delay_done(uv_timer_t *timer)
{
}

/* Waits ms on the loop; a signal cuts it short. */
static void
retry_sleep(struct retry_run *r, int64_t ms)
{
	if (ms <= 0 || r->interrupt != 0)
		return;
	uv_timer_start(&r->delay, retry_delay_done, (uint64_t)ms, 0);
	uv_run(&r->loop, UV_RUN_DEFAULT);
}

static int64_t
retry_remaining(const struct retry_run *r)
{
	if (r->deadline == 0)
		return INT64_MAX;
	return r->deadline - clock_mono_ms();
}

static const struct classifier *
retry_classifier(struct retry_run *r)
{
	if (r->o->classifier != NULL)
		return r->o->classifier;
	/* Compiled only once something failed: a success costs no regcomp. */
	if (r->own_classifier == NULL)
		r->own_classifier = classifier_new();
	return r->own_classifier;
}

/*
 * The error is usually near the end of the output: the last line that a
 * rule matches decides, and becomes the failure's detail. Returns -1 when
 * no line matched.
 */
static int
retry_classify_lines(struct retry_run *r, char *text, size_t len, struct retry_try *t)
{
	const struct classifier *c = retry_classifier(r);
	char why[256];
	size_t end = len, start;
	enum failure_category cat;
	char saved;

	while (end > 0) {
		start = end;
		while (start > 0 && text[start - 1] != '\n')
			start--;
		if (end > start) {
			saved = text[end];
			text[end] = '\0';
			cat = classify_failure(c, 0, 0, false, text + start, why, sizeof(why));
			text[end] = saved;
			if (why[0] != '\0') {
				size_t n = end - start;

				while (n > 0 && (text[start + n - 1] == '\r' ||
				    text[start + n - 1] == ' '))
					n--;
				if (n > sizeof(t->why) - 1)
					n = sizeof(t->why) - 1;
				memcpy(t->why, text + start, n);
				t->why[n] = '\0';
				return (int)cat;
			}
		}
		end = start > 0 ? start - 1 : 0;
	}
	return -1;
}

static void
retry_classify(struct retry_run *r, struct retry_try *t, struct attempt_result *res,
    int64_t timeout_ms)
{
	const struct classifier *c;
	char text[160], dur[32];
	int cat;

	if (res->spawn_error != 0) {
		c = retry_classifier(r);
		/* As a shell would say it, so that the rules see what they know. */
		snprintf(text, sizeof(text), "%s: %s", t->argv[0],
		    res->spawn_error == UV_ENOENT ? "command not found" :
		    res->spawn_error == UV_EACCES ? "permission denied" :
		    uv_strerror(res->spawn_error));
		t->category = (int)classify_failure(c, t->exit_code, 0, false, text, NULL, 0);
		snprintf(t->why, sizeof(t->why), "%s", text);
		return;
	}
	if (t->timed_out) {
		t->category = FAILURE_TIMEOUT;
		if (r->rep.max_time_reached) {
			units_format_duration(r->o->max_time_ms, dur, sizeof(dur));
			snprintf(t->why, sizeof(t->why), "stopped at --max-time %s", dur);
		} else {
			units_format_duration(timeout_ms, dur, sizeof(dur));
			snprintf(t->why, sizeof(t->why), "timed out after %s", dur);
		}
		return;
	}
	cat = retry_classify_lines(r, res->tail, res->tail_len, t);
	if (cat >= 0) {
		t->category = cat;
		return;
	}
	t->category = (int)classify_failure(retry_classifier(r),
	    t->status < 0 ? 0 : t->status, t->signal, false, NULL, t->why, sizeof(t->why));
	if (t->why[0] == '\0')
		snprintf(t->why, sizeof(t->why), "exit %d; no rule matched its output",
		    t->exit_code);
}

static struct retry_try *
retry_new_try(struct retry_run *r, char *const *argv, int command)
{
	struct retry_try *t;

	r->tries = xrealloc(r->tries, (r->n_tries + 1) * sizeof(*r->tries));
	t = &r->tries[r->n_tries++];
	memset(t, 0, sizeof(*t));
	t->n = (int)r->n_tries;
	t->command = command;
	t->argv = argv;
	t->category = -1;
	return t;
}

/* The per-attempt timeout, bounded by what is left of --max-time. */
static int64_t
retry_bounded_timeout(struct retry_run *r, int64_t timeout_ms, bool *by_deadline)
{
	int64_t left = retry_remaining(r);

	*by_deadline = false;
	if (r->deadline != 0 && (timeout_ms <= 0 || left < timeout_ms)) {
		*by_deadline = true;
		return left > 1 ? left : 1;
	}
	return timeout_ms;
}

static void
retry_fill_status(struct retry_try *t, const struct attempt_result *res)
{
	t->started_at = res->started_at;
	t->ended_at = res->ended_at;
	t->elapsed_ms = res->elapsed_ms;
	t->timed_out = res->timed_out;
	t->signal = res->signal;
	t->status = res->signal != 0 ? -1 : (int)res->exit_code;
	if (res->spawn_error != 0)
		t->exit_code = res->spawn_error == UV_ENOENT ? RETRY_EXIT_NOTFOUND :
		    RETRY_EXIT_NOEXEC;
	else if (res->timed_out)
		t->exit_code = RETRY_EXIT_TIMEOUT;
	else if (res->signal != 0)
		t->exit_code = 128 + res->signal;
	else
		t->exit_code = (int)res->exit_code;
}

/* Runs one attempt of argv; the try is filled in, classified and recorded. */
static struct retry_try *
retry_attempt(struct retry_run *r, char *const *argv, int command, int64_t timeout_ms)
{
	const struct retry_options *o = r->o;
	struct retry_try *t = retry_new_try(r, argv, command);
	struct attempt_result res;
	struct attempt_spec spec = {
		.argv = argv,
		.grace_ms = o->kill_grace_ms,
		.out_fd = o->out_fd,
		.err_fd = o->err_fd,
		.running = &r->running,
	};
	bool by_deadline;
	char *cmd;

	spec.timeout_ms = retry_bounded_timeout(r, timeout_ms, &by_deadline);
	if (o->verbose && !retry_quiet(r)) {
		cmd = retry_format_argv(argv);
		retry_printf(o->err_fd, "%s: attempt %d: %s\n", o->label, t->n, cmd);
		free(cmd);
	}
	retry_github_group(r, t);
	attempt_run(&r->loop, &spec, &res);
	retry_github_endgroup(r, res.tail);
	r->rep.attempts++;
	r->rep.command = command;
	retry_fill_status(t, &res);
	if (t->timed_out && by_deadline)
		r->rep.max_time_reached = true;
	if (t->exit_code != 0)
		retry_classify(r, t, &res, spec.timeout_ms);
	/* Kept until the try is recorded, after its heal. */
	t->output = res.tail;
	t->recent = res.tail_len > RETRY_RECENT_MAX ?
	    res.tail + res.tail_len - RETRY_RECENT_MAX : res.tail;
	return t;
}

/* Runs the heal for t's category, if there is one, before the next attempt. */
static void
retry_heal(struct retry_run *r, struct retry_try *t)
{
	const struct retry_options *o = r->o;
	const struct retry_heal *h = retry_heal_for(o, (enum failure_category)t->category);
	struct attempt_result res;
	struct attempt_spec spec = {
		.grace_ms = o->kill_grace_ms,
		.out_fd = o->out_fd,
		.err_fd = o->err_fd,
		.running = &r->running,
	};
	bool by_deadline;
	char *cmd, how[64];

	if (h == NULL || r->interrupt != 0)
		return;
	spec.argv = h->argv;
	spec.timeout_ms = retry_bounded_timeout(r, o->timeout_ms, &by_deadline);
	cmd = retry_format_argv(h->argv);
	if (!retry_quiet(r))
		retry_printf(o->err_fd, "%s: %s failure: healing with %s\n", o->label,
		    failure_category_name((enum failure_category)t->category), cmd);
	retry_github_heal_group(r, t, cmd);
	attempt_run(&r->loop, &spec, &res);
	retry_github_endgroup(r, res.tail);
	r->rep.heals++;
	if (res.spawn_error != 0)
		snprintf(how, sizeof(how), "could not start: %s", uv_strerror(res.spawn_error));
	else if (res.timed_out)
		snprintf(how, sizeof(how), "timed out");
	else if (res.signal != 0)
		snprintf(how, sizeof(how), "killed by signal %d", res.signal);
	else
		snprintf(how, sizeof(how), "exit %lld", (long long)res.exit_code);
	t->heal = xasprintf("%s -> %s", cmd, how);
	if (!retry_quiet(r) && (res.spawn_error != 0 || res.timed_out || res.signal != 0 ||
	    res.exit_code != 0))
		retry_printf(o->err_fd, "%s: heal %s failed (%s); trying anyway\n", o->label,
		    cmd, how);
	free(cmd);
	attempt_result_free(&res);
}

/* The try is over (and healed after): into the store, and its output let go. */
static void
retry_try_done(struct retry_run *r, struct retry_try *t)
{
	retry_record_attempt(r, t);
	free(t->output);
	t->output = NULL;
	t->recent = NULL;
}

/* " (network ×2, timeout ×1)": failures per category, in the order first seen. */
static void
retry_categories(const struct retry_run *r, char *buf, size_t len)
{
	bool listed[RETRY_CATEGORIES] = { false };
	size_t n = 0, i;
	int c;

	buf[0] = '\0';
	for (i = 0; i < r->n_tries; i++) {
		c = r->tries[i].category;
		if (c < 0 || listed[c] || r->rep.failures[c] == 0)
			continue;
		listed[c] = true;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s ×%d",
		    n == 0 ? " (" : ", ", failure_category_name((enum failure_category)c),
		    r->rep.failures[c]);
	}
	if (n > 0 && n + 2 < len)
		strcat(buf, ")");
}

/* What the run ended on, for the summary: why it gave up. */
enum retry_end {
	END_SUCCESS,
	END_NOT_RETRIED,
	END_EXHAUSTED,
	END_MAX_TIME,
	END_INTERRUPTED,
};

static void
retry_summarize(struct retry_run *r, enum retry_end end)
{
	struct retry_report *rep = &r->rep;
	char cats[128], took[32], why[64], fb[32], limit[32];
	const char *s = rep->attempts == 1 ? "" : "s";

	retry_categories(r, cats, sizeof(cats));
	retry_format_elapsed(rep->elapsed_ms, took, sizeof(took));
	fb[0] = '\0';
	if (rep->command > 0)
		snprintf(fb, sizeof(fb), " with fallback %d", rep->command);
	if (end == END_SUCCESS) {
		snprintf(rep->summary, sizeof(rep->summary), "%s: succeeded after %d attempt%s%s%s in %s",
		    r->o->label, rep->attempts, s, cats, fb, took);
		return;
	}
	switch (end) {
	case END_NOT_RETRIED:
		snprintf(why, sizeof(why), "; %s failures are not retried",
		    failure_category_name(rep->last_category));
		break;
	case END_MAX_TIME:
		units_format_duration(r->o->max_time_ms, limit, sizeof(limit));
		snprintf(why, sizeof(why), "; --max-time %s reached", limit);
		break;
	case END_INTERRUPTED:
		snprintf(why, sizeof(why), "; interrupted by SIG%s", sigabbrev_np(r->interrupt));
		break;
	default:
		why[0] = '\0';
	}
	snprintf(rep->summary, sizeof(rep->summary), "%s: gave up after %d attempt%s%s in %s: exit %d%s",
	    r->o->label, rep->attempts, s, cats, took, rep->exit_code, why);
}

static void
retry_run_init(struct retry_run *r, const struct retry_options *o, char *const argv[])
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->o = o;
	r->argv = argv;
	r->t0_mono = clock_mono_ms();
	r->t0_wall = clock_wall_ms();
	if (o->max_time_ms > 0)
		r->deadline = r->t0_mono + o->max_time_ms;
	r->rng = o->seed != 0 ? o->seed : jitter_seed();
	r->store = o->store;
	uv_loop_init(&r->loop);
	uv_timer_init(&r->loop, &r->delay);
	r->delay.data = r;
	for (i = 0; i < sizeof(retry_signals) / sizeof(retry_signals[0]); i++) {
		uv_signal_init(&r->loop, &r->sigs[i]);
		r->sigs[i].data = r;
		uv_signal_start(&r->sigs[i], retry_on_signal, retry_signals[i]);
		/* Waiting for a signal alone must not keep the loop running. */
		uv_unref((uv_handle_t *)&r->sigs[i]);
	}
}

static void
retry_run_free(struct retry_run *r)
{
	size_t i;

	for (i = 0; i < sizeof(retry_signals) / sizeof(retry_signals[0]); i++)
		uv_close((uv_handle_t *)&r->sigs[i], NULL);
	uv_close((uv_handle_t *)&r->delay, NULL);
	uv_run(&r->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&r->loop) != 0)
		retry_printf(r->o->err_fd, "%s: a handle was left open\n", r->o->label);
	classifier_free(r->own_classifier);
	for (i = 0; i < r->n_tries; i++) {
		free(r->tries[i].heal);
		free(r->tries[i].output);
	}
	free(r->tries);
}

/* After a failure: says what happened and what comes next. */
static void
retry_note_failure(struct retry_run *r, const struct retry_try *t, const char *next)
{
	const char *cat = failure_category_name((enum failure_category)t->category);

	retry_github_warning(r, t);
	if (retry_quiet(r))
		return;
	if (t->why[0] != '\0')
		retry_printf(r->o->err_fd, "%s: attempt %d failed: exit %d, %s: %s%s\n",
		    r->o->label, t->n, t->exit_code, cat, t->why, next);
	else
		retry_printf(r->o->err_fd, "%s: attempt %d failed: exit %d, %s%s\n",
		    r->o->label, t->n, t->exit_code, cat, next);
}

/* What follows a failure that ends this command's turn. */
static const char *
retry_give_up_note(enum retry_end end, bool more)
{
	if (end == END_NOT_RETRIED)
		return more ? "; not retried, trying the fallback" : "; not retried";
	return more ? "; retries spent, trying the fallback" : "";
}

/*
 * Tries one command (the main one or a fallback) until it works, its
 * failures are not retried, its retries are spent, time runs out or tend
 * is interrupted. Returns how it ended.
 */
static enum retry_end
retry_one_command(struct retry_run *r, char *const *argv, int command, bool more)
{
	const struct retry_options *o = r->o;
	int64_t timeout = o->timeout_ms, delay;
	struct retry_try *t;
	enum retry_end end;
	char next[128], wait[32];
	int retry;

	for (retry = 0;; retry++) {
		/* A heal or the wait may have used up what was left. */
		if (retry > 0 && retry_remaining(r) <= 0) {
			r->rep.max_time_reached = true;
			return END_MAX_TIME;
		}
		t = retry_attempt(r, argv, command, timeout);
		if (t->exit_code == 0) {
			retry_try_done(r, t);
			return END_SUCCESS;
		}
		/* Stopped by the signal tend passed on: not a failure of its own. */
		if (r->interrupt != 0) {
			retry_try_done(r, t);
			return END_INTERRUPTED;
		}
		r->rep.failures[t->category]++;
		r->rep.last_category = (enum failure_category)t->category;
		if (r->rep.max_time_reached) {
			retry_note_failure(r, t, "");
			retry_try_done(r, t);
			return END_MAX_TIME;
		}
		end = retry_category_retried(o, (enum failure_category)t->category) ?
		    END_EXHAUSTED : END_NOT_RETRIED;
		if (end == END_NOT_RETRIED || retry >= o->max_retries) {
			/* The next attempt, if any, is the fallback's: heal before it too. */
			retry_note_failure(r, t, retry_give_up_note(end, more));
			if (more)
				retry_heal(r, t);
			retry_try_done(r, t);
			if (r->interrupt != 0) {
				r->interrupted_between = true;
				return END_INTERRUPTED;
			}
			return end;
		}
		delay = retry_delay_ms(o, retry + 1, jitter_next(&r->rng));
		if (r->deadline != 0 && delay >= retry_remaining(r)) {
			retry_note_failure(r, t, "; no time left for another attempt");
			retry_try_done(r, t);
			r->rep.max_time_reached = true;
			return END_MAX_TIME;
		}
		retry_format_elapsed(delay, wait, sizeof(wait));
		snprintf(next, sizeof(next), "; retrying in %s", wait);
		retry_note_failure(r, t, next);
		retry_heal(r, t);
		retry_try_done(r, t);
		retry_sleep(r, delay);
		if (r->interrupt != 0) {
			r->interrupted_between = true;
			return END_INTERRUPTED;
		}
		timeout = retry_next_timeout(o, timeout, t->timed_out);
	}
}

int
retry_command(const struct retry_options *o, char *const argv[], struct retry_report *out)
{
	struct retry_run r;
	struct retry_try *last = NULL;
	enum retry_end end = END_EXHAUSTED;
	const char *outcome;
	char *cmd;
	size_t i;

	retry_run_init(&r, o, argv);
	for (i = 0; i <= o->n_fallbacks; i++) {
		char *const *this = i == 0 ? argv : o->fallbacks[i - 1];

		if (i > 0 && !retry_quiet(&r)) {
			cmd = retry_format_argv(this);
			retry_printf(o->err_fd, "%s: fallback %zu: %s\n", o->label, i, cmd);
			free(cmd);
		}
		end = retry_one_command(&r, this, (int)i, i < o->n_fallbacks);
		if (end == END_SUCCESS || end == END_MAX_TIME || end == END_INTERRUPTED)
			break;
		if (retry_remaining(&r) <= 0) {
			r.rep.max_time_reached = true;
			end = END_MAX_TIME;
			break;
		}
	}
	/* The tries array may have moved as it grew: the last one is looked up now. */
	last = r.n_tries > 0 ? &r.tries[r.n_tries - 1] : NULL;
	r.rep.succeeded = end == END_SUCCESS;
	r.rep.interrupted = r.interrupt != 0;
	if (last != NULL)
		r.rep.exit_code = last->exit_code;
	/* Stopped while waiting or healing: the signal's code, as a shell would. */
	if (end == END_INTERRUPTED && r.interrupted_between)
		r.rep.exit_code = 128 + r.interrupt;
	r.rep.elapsed_ms = clock_mono_ms() - r.t0_mono;
	retry_summarize(&r, end);
	if (o->summary)
		retry_printf(o->err_fd, "%s\n", r.rep.summary);
	if (!r.rep.succeeded)
		retry_github_error(&r);
	retry_github_step_summary(&r);
	outcome = end == END_SUCCESS ? "succeeded" : end == END_INTERRUPTED ? "interrupted" :
	    last != NULL && last->timed_out ? "timed out" : "failed";
	retry_record_end(&r, outcome);
	retry_run_free(&r);
	if (out != NULL)
		*out = r.rep;
	return r.rep.exit_code;
}
