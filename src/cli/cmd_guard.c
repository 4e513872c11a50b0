/*
 * tend guard [SET] [--window D] [--wait D] [--delete] -- CMD [ARGS]: a
 * guarded change. Snapshots the set, runs CMD (an argv, no shell) with
 * its output passed through, then runs the checks of the set's services
 * (every check when it restarts none) every 500 ms for the window. When
 * CMD fails, a check turns critical or a signal interrupts, the snapshot
 * is put back as tend rollback does (cli/rollback_run.c), the state the
 * change left is marked bad, and the result says what was rolled back and
 * why. Exit 0 the change held, 1 rolled back and verified healthy, 2 usage
 * or config error (nothing run), 3 rolled back but not verified healthy,
 * or the rollback failed.
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "checks/batch.h"
#include "cli/rollback_run.h"
#include "cli/snapshot_open.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/github.h"
#include "core/mem.h"
#include "core/procspawn.h"
#include "core/strv.h"
#include "core/text.h"
#include "net/retry.h"
#include "snapshot/snapshot.h"
#include "store/changes.h"
#include "supervise/spawn.h"

#define GUARD_ROUND_MS	500

enum guard_result {
	GUARD_HELD,		/* exit 0 */
	GUARD_ROLLED_BACK,	/* exit 1: verified healthy */
	GUARD_USAGE,		/* exit 2 */
	GUARD_NOT_RECOVERED,	/* exit 3 */
};

static const char *const result_names[] = {
	[GUARD_HELD] = "held", [GUARD_ROLLED_BACK] = "rolled back",
	[GUARD_USAGE] = "usage", [GUARD_NOT_RECOVERED] = "rolled back, not verified healthy",
};

struct guard {
	struct cli_options opts;
	char		**cmd;		/* the change: argv after "--" */
	char		*shown;		/* cmd quoted as a shell would, credentials hidden */
	struct snapshot_cli c;
	const struct snapshot_set_conf *set;
	int64_t		 window_ms;
	int64_t		 before;	/* the snapshot taken before the change */
	int64_t		 change;	/* its row in the store's changes, 0 when not recorded */
	bool		 every;		/* every check watched: the set restarts no service */
	bool		 daemon;	/* a daemon runs on the state dir: told of the change */
	bool		 text;		/* progress lines on stdout (not --format json) */
	char		 reason[1024];	/* why it was rolled back; "" when it held */
	sigset_t	 unblocked;	/* the mask to wait in: INT, TERM, HUP let through */
	json_t		*doc;		/* the report */
};

/* The signal that came while the signals were let through, else 0. */
static volatile sig_atomic_t guard_signal;

static void
guard_on_signal(int sig)
{
	guard_signal = sig;
}

/* A signal taken, once: 0 when none came. */
static int
guard_take_signal(void)
{
	int sig = guard_signal;

	guard_signal = 0;
	return sig;
}

/*
 * INT, TERM and HUP are blocked but while guard waits (ppoll with
 * g->unblocked), so one cannot slip in between a look at guard_signal
 * and the wait, and never during a rollback: that one finishes.
 */
static void
guard_signals_block(struct guard *g)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = guard_on_signal;
	sigemptyset(&block);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &g->unblocked);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigdelset(&g->unblocked, sigs[i]);
}

static void
guard_say(const struct guard *g, const char *fmt, ...)
{
	va_list ap;

	if (!g->text)
		return;
	fputs("tend guard: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* The set named, or the only one the config declares. NULL after saying why. */
static const struct snapshot_set_conf *
guard_set(const struct guard *g)
{
	const struct tend_config *cfg = g->c.cfg;
	const struct snapshot_set_conf *only = NULL;
	size_t i, n = 0;

	if (g->opts.n_args == 1)
		return snapshot_cli_set("guard", cfg, g->opts.args[0]);
	for (i = 0; i < cfg->n_snapshots; i++)
		if (!cfg->snapshots[i].implicit) {
			only = &cfg->snapshots[i];
			n++;
		}
	if (n == 1)
		return only;
	fprintf(stderr, "tend guard: name the set to guard (the config has:");
	for (i = 0; i < cfg->n_snapshots; i++)
		fprintf(stderr, " %s", cfg->snapshots[i].name);
	fprintf(stderr, ")\n");
	return NULL;
}

/* Why CMD's end is a failure, into g->reason; false when it exited 0. */
static bool
guard_command_failed(struct guard *g, int status, int interrupted)
{
	json_t *res = json_object();

	json_object_set_new(g->doc, "command_result", res);
	if (WIFEXITED(status)) {
		json_object_set_new(res, "exit", json_integer(WEXITSTATUS(status)));
		if (WEXITSTATUS(status) != 0)
			snprintf(g->reason, sizeof(g->reason), "the change exited with status %d",
			    WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		json_object_set_new(res, "signal", json_integer(WTERMSIG(status)));
		snprintf(g->reason, sizeof(g->reason), "the change was killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	}
	if (interrupted != 0)
		snprintf(g->reason, sizeof(g->reason), "interrupted by signal %d (%s) while the "
		    "change ran", interrupted, strsignal(interrupted));
	return g->reason[0] != '\0';
}

/*
 * Runs CMD in a session of its own, its output ours (stdout on stderr
 * under --format json, which keeps stdout for the report). A signal to
 * guard is passed on to CMD's process group: CMD is our unreaped child, so
 * the group's id is still its own. True when the change failed.
 */
static bool
guard_run_command(struct guard *g)
{
	struct procspawn sp = { .argv = g->cmd, .umask = -1 };
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	struct pollfd pfd;
	int status = 0, interrupted = 0, sig, pidfd;
	char err[512], **env;
	pid_t pid, r;

	sp.fd[0] = fcntl(0, F_GETFD) >= 0 ? 0 : -1;
	sp.fd[1] = g->text ? 1 : 2;
	sp.fd[2] = 2;
	sp.env = env = spawn_environment(NULL);
	fflush(stdout);
	fflush(stderr);
	if (procspawn_start(&sp, &pid, err, sizeof(err)) != 0) {
		strv_free(env);
		snprintf(g->reason, sizeof(g->reason), "the change could not start: %s", err);
		json_object_set_new(g->doc, "command_result", json_pack("{ss}", "error", err));
		return true;
	}
	strv_free(env);
	/* Without a pidfd (an old kernel), a look every 100 ms. */
	pidfd = procspawn_pidfd(pid);
	for (;;) {
		pfd.fd = pidfd;
		pfd.events = POLLIN;
		ppoll(pidfd >= 0 ? &pfd : NULL, pidfd >= 0 ? 1 : 0, pidfd >= 0 ? NULL : &tick,
		    &g->unblocked);
		if ((sig = guard_take_signal()) != 0) {
			interrupted = sig;
			kill(-pid, sig);
		}
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			break;
	}
	if (pidfd >= 0)
		close(pidfd);
	return guard_command_failed(g, status, interrupted);
}

/* Waits ms, or less when a signal comes: the signal, or 0. */
static int
guard_pause(struct guard *g, int64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	if (ms > 0)
		ppoll(NULL, 0, &ts, &g->unblocked);
	return guard_take_signal();
}

/*
 * One round of the watch: a check critical fail_after rounds in a row
 * (as the daemon counts it) is the reason to roll back; a warning, or a
 * check that could not say, is told once when it starts. True to roll back.
 */
static bool
guard_judge(struct guard *g, const struct check_batch *b, int *critical,
    enum health_state *last)
{
	const struct check_outcome *o;
	int need;
	size_t i;

	for (i = 0; i < b->n; i++) {
		o = &b->v[i];
		need = o->conf->fail_after > 1 ? o->conf->fail_after : 1;
		critical[i] = o->result.state == HEALTH_CRITICAL ? critical[i] + 1 : 0;
		if (critical[i] >= need) {
			snprintf(g->reason, sizeof(g->reason), "check %s turned critical: %s",
			    o->conf->name, o->result.message);
			json_object_set_new(g->doc, "critical_check",
			    cli_check_outcome_json(o));
			return true;
		}
		if (o->result.state != last[i] && o->result.state != HEALTH_HEALTHY &&
		    o->result.state != HEALTH_CRITICAL)
			guard_say(g, "%s: check %s: %s", health_state_name(o->result.state),
			    o->conf->name, o->result.message);
		last[i] = o->result.state;
	}
	return false;
}

/* The checks' outcomes into the report: the last round's. */
static void
guard_checks_json(struct guard *g, const struct check_batch *b)
{
	json_t *checks = json_array();
	size_t i;

	for (i = 0; i < b->n; i++)
		json_array_append_new(checks, cli_check_outcome_json(&b->v[i]));
	json_object_set_new(g->doc, "checks", checks);
}

static void
guard_say_watching(struct guard *g, const struct check_batch *b)
{
	char *names = xstrdup(""), *more;
	size_t i;

	for (i = 0; i < b->n; i++) {
		more = xasprintf("%s%s%s", names, i > 0 ? ", " : "", b->v[i].conf->name);
		free(names);
		names = more;
	}
	guard_say(g, "the change exited 0; watching %zu check%s for %" PRId64 " ms%s: %s",
	    b->n, b->n == 1 ? "" : "s", g->window_ms, g->every ?
	    " (every check: the set restarts no service)" : "", names);
	free(names);
}

/* Watches the checks for the window: true (a reason given) to roll back. */
static bool
guard_watch(struct guard *g)
{
	int64_t deadline = clock_mono_ms() + g->window_ms, left;
	struct check_batch b = { 0 };
	enum health_state *last;
	bool bad = false;
	int *critical, sig;

	g->every = rollback_checks(g->c.cfg, g->set, true, &b);
	json_object_set_new(g->doc, "every_check", json_boolean(g->every));
	if (b.n == 0) {
		guard_say(g, "the change exited 0; no check to watch: it held");
		guard_checks_json(g, &b);
		return false;
	}
	guard_say_watching(g, &b);
	critical = xcalloc(b.n, sizeof(*critical));
	last = xcalloc(b.n, sizeof(*last));
	for (;;) {
		cli_check_batch_run(&b, &g->opts);
		if ((bad = guard_judge(g, &b, critical, last)))
			break;
		left = deadline - clock_mono_ms();
		if ((sig = guard_pause(g, left < GUARD_ROUND_MS ? left : GUARD_ROUND_MS)) != 0) {
			snprintf(g->reason, sizeof(g->reason), "interrupted by signal %d (%s) "
			    "while the checks were watched", sig, strsignal(sig));
			bad = true;
			break;
		}
		if (clock_mono_ms() >= deadline)
			break;
		check_batch_clear(&b);
		rollback_checks(g->c.cfg, g->set, true, &b);
	}
	guard_checks_json(g, &b);
	check_batch_clear(&b);
	free(critical);
	free(last);
	return bad;
}

/*
 * The change, in the store's changes (kind guard) beside those the daemon
 * records: `tend changes` lists it, with the state it left when it was
 * rolled back. A store that refuses it is told and the guard goes on.
 */
static void
guard_record(struct guard *g)
{
	struct store_change sc = { .at = clock_wall_ms(), .kind = CHANGE_KIND_GUARD,
	    .set = g->set->name, .label = g->shown };
	char err[1024], *detail;

	detail = xasprintf("{\"before\": %" PRId64 "}", g->before);
	sc.detail = detail;
	if (store_change_insert(g->c.st, &sc, &g->change, err, sizeof(err)) != 0) {
		fprintf(stderr, "tend guard: the change is not recorded: %s\n", err);
		g->change = 0;
	}
	free(detail);
}

/* A rolled-back change: the state it left (snapshot bad) and that it was undone. */
static void
guard_record_rollback(struct guard *g, int64_t bad)
{
	char err[1024];

	if (g->change == 0)
		return;
	if ((bad > 0 && store_change_set_snapshot(g->c.st, g->change, bad, err,
	    sizeof(err)) != 0) ||
	    store_change_rolled_back(g->c.st, g->change, clock_wall_ms(), err, sizeof(err)) != 0)
		fprintf(stderr, "tend guard: %s\n", err);
}

/* Only the state the change left: marked bad, so nothing takes it for good. */
static int64_t
guard_mark_bad(struct guard *g, const struct rollback_outcome *o)
{
	char err[1024];

	if (o->r.pre_id <= 0 || o->r.n == 0)
		return 0;
	if (snapshot_mark_bad(g->c.eng, o->r.pre_id, true, err, sizeof(err)) != 0) {
		fprintf(stderr, "tend guard: %s\n", err);
		return 0;
	}
	return o->r.pre_id;
}

static enum guard_result
guard_roll_back(struct guard *g, struct rollback_outcome *o)
{
	enum guard_result res;
	int64_t bad;

	guard_say(g, "%s; rolling back %s to snapshot %" PRId64, g->reason, g->set->name,
	    g->before);
	rollback_apply(&g->opts, &g->c, g->set, g->before, true, o);
	bad = guard_mark_bad(g, o);
	guard_record_rollback(g, bad);
	if (g->text)
		rollback_print("guard", &g->opts, o);
	res = o->rc == 0 && o->state == HEALTH_HEALTHY ? GUARD_ROLLED_BACK :
	    GUARD_NOT_RECOVERED;
	json_object_set_new(g->doc, "rollback", json_incref(o->report));
	if (bad > 0) {
		json_object_set_new(g->doc, "bad", json_integer(bad));
		guard_say(g, "snapshot %" PRId64 " (the files as the change left them) is "
		    "marked bad", bad);
	}
	guard_say(g, "rolled back%s: %s", res == GUARD_ROLLED_BACK ? " and verified healthy" :
	    o->rc != 0 ? ", but the restore FAILED" : ", but NOT verified healthy", g->reason);
	return res;
}

/* Under GitHub Actions: an ::error:: line and a summary of the run. */
static void
guard_github(const struct guard *g, enum guard_result res, const struct rollback_outcome *o)
{
	const char *path = github_step_summary();
	char *msg, *esc;
	json_t *c;
	size_t i;
	FILE *f;

	if (res != GUARD_HELD && github_actions()) {
		msg = xasprintf("tend guard: %s: %s", result_names[res], g->reason);
		esc = github_escape(msg);
		printf("::error::%s\n", esc);
		free(esc);
		free(msg);
	}
	if (path == NULL || (f = fopen(path, "a")) == NULL)
		return;
	fputs("### tend guard ", f);
	github_cell(f, g->set->name);
	fputs(": `", f);
	github_cell(f, g->shown);
	fprintf(f, "`\n\n%s **", res == GUARD_HELD ? "✅" : "❌");
	if (res == GUARD_HELD)
		fprintf(f, "the change held for %" PRId64 " ms", g->window_ms);
	else
		fputs(result_names[res], f);
	fputs("**", f);
	if (res != GUARD_HELD) {
		fputs(": ", f);
		github_cell(f, g->reason);
		fputs("\n\n| path | step |\n| --- | --- |\n", f);
		for (i = 0; i < o->r.n; i++) {
			fputs("| ", f);
			github_cell(f, o->r.steps[i].path);
			fprintf(f, " | %s |\n", json_string_value(json_object_get(json_array_get(
			    json_object_get(o->report, "steps"), i), "step")));
		}
	}
	fputs("\n\n| check | state | message |\n| --- | --- | --- |\n", f);
	c = json_object_get(res == GUARD_HELD ? g->doc : o->report, "checks");
	for (i = 0; i < json_array_size(c); i++) {
		fputs("| ", f);
		github_cell(f, json_string_value(json_object_get(json_array_get(c, i), "name")));
		fputs(" | ", f);
		github_cell(f, json_string_value(json_object_get(json_array_get(c, i), "state")));
		fputs(" | ", f);
		github_cell(f, json_string_value(json_object_get(json_array_get(c, i), "message")));
		fputs(" |\n", f);
	}
	fputc('\n', f);
	if (fclose(f) != 0)
		fprintf(stderr, "tend guard: %s: %s\n", path, strerror(errno));
}

/* The snapshot before the change; false after saying why (nothing run). */
static bool
guard_snapshot(struct guard *g)
{
	struct snapshot_spec spec;
	char err[1024], *label;
	int rc;

	snapshot_cli_spec(g->set, &spec);
	label = xasprintf("guard: %s", g->shown);
	rc = snapshot_create(g->c.eng, &spec, label, "pre-guard", &g->before, NULL, err,
	    sizeof(err));
	free(label);
	if (rc != 0) {
		fprintf(stderr, "tend guard: the change was not run: %s\n", err);
		return false;
	}
	json_object_set_new(g->doc, "snapshot", json_integer(g->before));
	guard_record(g);
	guard_say(g, "snapshot %" PRId64 " of %s taken; running: %s", g->before, g->set->name,
	    g->shown);
	return true;
}

/*
 * A daemon on the state dir hears that this guard changes the set: the
 * files it writes are not the daemon's changes to judge, nor to roll back
 * (it holds until told, or until this process is gone).
 */
static void
guard_tell_daemon(struct guard *g, bool hold)
{
	json_t *answer;

	if (!g->daemon)
		return;
	answer = cli_call(&g->opts, json_pack("{s:s, s:s, s:I, s:b}", "cmd", "guard", "set",
	    g->set->name, "pid", (json_int_t)getpid(), "hold", hold));
	json_decref(answer);
}

static enum guard_result
guard_run(struct guard *g)
{
	struct rollback_outcome o = { 0 };
	enum guard_result res = GUARD_HELD;

	if ((g->set = guard_set(g)) == NULL)
		return GUARD_USAGE;
	g->window_ms = g->opts.window_ms >= 0 ? g->opts.window_ms : g->set->guard_window_ms;
	json_object_set_new(g->doc, "set", json_string(g->set->name));
	json_object_set_new(g->doc, "window_ms", json_integer(g->window_ms));
	if (!guard_snapshot(g))
		return GUARD_USAGE;
	g->daemon = cli_daemon_alive(&g->opts);
	guard_tell_daemon(g, true);
	guard_signals_block(g);
	if (guard_run_command(g) || guard_watch(g))
		res = guard_roll_back(g, &o);
	else
		guard_say(g, "the change held for %" PRId64 " ms", g->window_ms);
	guard_tell_daemon(g, false);
	json_object_set_new(g->doc, "result", json_string(result_names[res]));
	if (g->reason[0] != '\0')
		json_object_set_new(g->doc, "reason", json_string(g->reason));
	guard_github(g, res, &o);
	rollback_outcome_free(&o);
	return res;
}

/* The options before "--", the change after it; false after saying why. */
static bool
guard_parse(int argc, char **argv, struct guard *g)
{
	int dash;

	for (dash = 1; dash < argc && strcmp(argv[dash], "--") != 0; dash++)
		;
	if (cli_parse_options("guard", dash, argv, &g->opts) != 0)
		return false;
	if (dash >= argc - 1) {
		fprintf(stderr, "tend guard: no command to guard: tend guard [SET] [--window "
		    "DURATION] -- CMD [ARGS...]\n");
		return false;
	}
	if (g->opts.n_args > 1) {
		fprintf(stderr, "tend guard: one set at a time; the command goes after --\n");
		return false;
	}
	if (g->opts.dry_run || g->opts.rollback_to != NULL || g->opts.rollback_lkg) {
		fprintf(stderr, "tend guard: --dry-run, --to and --lkg are tend rollback's; "
		    "guard rolls back to the snapshot it takes\n");
		return false;
	}
	g->cmd = argv + dash + 1;
	return true;
}

int
cmd_guard(int argc, char **argv)
{
	enum guard_result res;
	struct guard g;
	char *cmd;

	memset(&g, 0, sizeof(g));
	if (!guard_parse(argc, argv, &g))
		return 2;
	/* A config or state dir that cannot be opened: nothing was run. */
	if (snapshot_cli_open("guard", g.opts.config_path, g.opts.state_dir, &g.c) != 0)
		return 2;
	g.text = g.opts.format != OUTPUT_JSON;
	cmd = retry_format_argv(g.cmd);
	g.shown = text_show(cmd);
	free(cmd);
	g.doc = json_pack("{s:o}", "command", json_string(g.shown));
	res = guard_run(&g);
	if (!g.text && res != GUARD_USAGE)
		cli_print_json(g.doc);
	json_decref(g.doc);
	free(g.shown);
	snapshot_cli_close(&g.c);
	return (int)res;
}
