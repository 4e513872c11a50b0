/*
 * tend chaos list | history [--since D] | run NAME... | run --all
 * [--dry-run] [--force]: faults
 * injected into the services of a running daemon, and what tend did about
 * them, measured from the daemon's own view (its status, polled every
 * CHAOS_POLL_MS, and its incidents) and held against each experiment's
 * `expect`; each run recorded in the store (chaos_runs, chaos_results).
 * Exit 0 when every expectation held, 1 when one did not (or a
 * fault could not be injected or undone), 2 for usage.
 *
 * Safety: only the config's services are targets; one experiment at a
 * time; none while something is already unhealthy unless --force; every
 * fault that must be undone is journaled first (chaos/fault.h) and undone
 * at the end, on SIGINT/SIGTERM and, after a kill, by the next run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "cli/chaos_run.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/statedir.h"
#include "cli/snapshot_open.h"
#include "snapshot/snapshot.h"
#include "store/chaos.h"
#include "store/store.h"

volatile sig_atomic_t chaos_stop_asked;

static void
chaos_on_signal(int sig)
{
	(void)sig;
	chaos_stop_asked = 1;
}

double
chaos_now_ms(void)
{
	return (double)clock_mono_ns() / 1e6;
}

void
chaos_sleep_ms(double ms)
{
	int64_t ns = ms > 0 ? (int64_t)(ms * 1e6) : 0;
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !chaos_stop_asked)
		;
}

/* The first regular file (by name) in directory dir, into file; whether there is one. */
static bool
first_file_in(const char *dir, char *file, size_t len)
{
	struct dirent **names;
	struct stat sb;
	bool found = false;
	int n, i;

	if ((n = scandir(dir, &names, NULL, alphasort)) < 0)
		return false;
	for (i = 0; i < n; i++) {
		snprintf(file, len, "%s/%s", dir, names[i]->d_name);
		if (!found && names[i]->d_name[0] != '.' && lstat(file, &sb) == 0 &&
		    S_ISREG(sb.st_mode))
			found = true;
		free(names[i]);
		if (found)
			break;
	}
	for (i++; i < n; i++)
		free(names[i]);
	free(names);
	return found;
}

/*
 * config: the file to break — the one named, else the first of the set's
 * paths that is a regular file, else the first file (by name) directly in
 * one of its directories.
 */
static int
chaos_config_file(struct chaos_cli *c, const struct chaos_experiment *x,
    struct chaos_injected *f)
{
	const struct snapshot_set_conf *set = config_find_snapshot_set(c->cfg, x->set);
	struct stat sb;
	size_t i;

	snprintf(f->set, sizeof(f->set), "%s", x->set);
	f->corrupt = x->corrupt;
	if (x->file != NULL) {
		snprintf(f->file, sizeof(f->file), "%s", x->file);
		return 0;
	}
	for (i = 0; set != NULL && set->paths != NULL && set->paths[i] != NULL; i++)
		if (lstat(set->paths[i], &sb) == 0 && S_ISREG(sb.st_mode)) {
			snprintf(f->file, sizeof(f->file), "%s", set->paths[i]);
			return 0;
		}
	for (i = 0; set != NULL && set->paths != NULL && set->paths[i] != NULL; i++)
		if (lstat(set->paths[i], &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    first_file_in(set->paths[i], f->file, sizeof(f->file)))
			return 0;
	fprintf(stderr, "tend chaos %s: set %s has no file among its paths or in its "
	    "directories: name one with file:\n", x->name, x->set);
	return -1;
}

/* The target's process, verified (pid and start time), into f; -1 after saying why. */
static int
chaos_target_process(struct chaos_cli *c, const struct chaos_experiment *x,
    struct chaos_injected *f)
{
	f->proc.pid = chaos_service_pid(c, x->target);
	if (f->proc.pid <= 0 || proc_id_of(f->proc.pid, &f->proc) < 0) {
		fprintf(stderr, "tend chaos %s: %s has no process to fault\n", x->name,
		    x->target);
		return -1;
	}
	return 0;
}

/* One fault of an experiment, injected, watched and undone. -1: it could not be. */
static int
chaos_once(struct chaos_cli *c, const struct chaos_experiment *x, struct chaos_seen *seen)
{
	struct chaos_injected f = { .fault = x->fault, .signal = x->signal,
	    .duration_ms = x->duration_ms, .leave = x->leave, .cores = x->cores,
	    .grow = x->grow, .max = x->max };
	char err[512];
	double t0;
	int rc = 0;

	memset(seen, 0, sizeof(*seen));
	seen->detected_ms = seen->healed_ms = -1;
	snprintf(f.service, sizeof(f.service), "%s", x->target != NULL ? x->target : "");
	snprintf(f.path, sizeof(f.path), "%s", x->path != NULL ? x->path : "");
	if (CHAOS_OF_SERVICE(x->fault, x->target) && chaos_target_process(c, x, &f) < 0)
		return -1;
	if (x->fault == CHAOS_CONFIG && chaos_config_file(c, x, &f) < 0)
		return -1;
	if (x->fault == CHAOS_PROXY) {
		snprintf(f.proxy, sizeof(f.proxy), "%s", x->proxy);
		f.mode = x->mode;
		f.delay_ms = x->delay_ms;
	}
	f.at_ms = clock_wall_ms();
	t0 = chaos_now_ms();
	if (chaos_inject(c->sd, &c->ops, &f, err, sizeof(err)) < 0) {
		fprintf(stderr, "tend chaos %s: %s\n", x->name, err);
		return -1;
	}
	/*
	 * A stopped dependency is tend's own doing: seen at once, and healthy
	 * again once started (its MTTR). Any other fault is watched until tend
	 * heals it; one it did not heal within `duration` (a hang, a full disk,
	 * a hog) is undone, which is no healing of tend's, but the next
	 * experiment waits for things to be well all the same.
	 */
	if (f.fault == CHAOS_STOP) {
		chaos_sleep_ms((double)x->duration_ms);
		seen->detected_ms = 0;
	} else {
		chaos_watch(c, x, &f, t0, seen);
	}
	/* Gone before the run ended it: the daemon ended it with the service's process. */
	seen->leak_ended = x->fault == CHAOS_MEMORY && f.service[0] != '\0' && f.n_hogs > 0 &&
	    !proc_id_alive(&f.hogs[0]);
	if (chaos_undo(c->sd, &c->ops, &f, err, sizeof(err)) < 0) {
		fprintf(stderr, "tend chaos %s: undoing it: %s\n", x->name, err);
		rc = -1;
	}
	if (f.fault == CHAOS_STOP)
		chaos_watch(c, x, &f, t0, seen);
	else if (f.fault != CHAOS_KILL && seen->healed_ms < 0)
		chaos_settle(c, x, t0);
	seen->rolled_back = x->fault == CHAOS_CONFIG && seen->healed_ms >= 0;
	chaos_incident(c, x, f.at_ms, seen);
	return rc;
}

/* Each expectation held or not, into result; whether all held. */
static bool
chaos_judge(const struct chaos_experiment *x, const struct chaos_seen *seen, json_t *result)
{
	const struct chaos_expect *e = &x->expect;
	json_t *failed = json_array();
	bool ok;

	if (e->healed_within_ms >= 0 && (seen->healed_ms < 0 ||
	    seen->healed_ms > (double)e->healed_within_ms))
		json_array_append_new(failed, json_sprintf("healed_within %lld ms",
		    (long long)e->healed_within_ms));
	if (e->detected_within_ms >= 0 && (seen->detected_ms < 0 ||
	    seen->detected_ms > (double)e->detected_within_ms))
		json_array_append_new(failed, json_sprintf("detected_within %lld ms",
		    (long long)e->detected_within_ms));
	if (e->escalated >= 0 && seen->escalated != (e->escalated != 0))
		json_array_append_new(failed, json_sprintf("escalated: %s",
		    e->escalated ? "true" : "false"));
	if (e->root_cause != NULL && strstr(seen->root_cause, e->root_cause) == NULL)
		json_array_append_new(failed, json_sprintf("root_cause %s", e->root_cause));
	if (e->rolled_back >= 0 && seen->rolled_back != (e->rolled_back != 0))
		json_array_append_new(failed, json_sprintf("rolled_back: %s",
		    e->rolled_back ? "true" : "false"));
	if (e->dependents_not_restarted == 1 && seen->restarted[0] != '\0')
		json_array_append_new(failed, json_sprintf("dependents_not_restarted (%s was)",
		    seen->restarted));
	ok = json_array_size(failed) == 0;
	json_object_set_new(result, "failed", failed);
	json_object_set_new(result, "ok", json_boolean(ok));
	return ok;
}

static json_t *
ms_json(double ms)
{
	return ms >= 0 ? json_real((double)(int64_t)(ms * 10) / 10) : json_null();
}

static void
chaos_say(const struct chaos_cli *c, const struct chaos_experiment *x, int n,
    const struct chaos_seen *seen)
{
	if (c->opts.format == OUTPUT_JSON)
		return;
	printf("%s #%d: %s of %s: ", x->name, n + 1, chaos_fault_name(x->fault),
	    chaos_subject(x));
	if (seen->detected_ms >= 0)
		printf("detected in %.1f ms, ", seen->detected_ms);
	else
		printf("never detected, ");
	if (seen->healed_ms >= 0)
		printf("healthy again in %.1f ms", seen->healed_ms);
	else
		printf("not healed by tend");
	if (seen->incident > 0)
		printf(", incident #%lld%s", (long long)seen->incident,
		    seen->escalated ? " escalated" : "");
	if (seen->leak_ended)
		printf("; the leak ended with %s's process", x->target);
	putchar('\n');
	fflush(stdout);
}

/*
 * The run in the store: its row and one per fault, read from result as an
 * import reads it (store/chaos.h), so the JSON printed has the row's key
 * and importing it where it was recorded adds nothing.
 */
static void
chaos_record(struct chaos_cli *c, const struct chaos_experiment *x, json_t *result,
    int64_t started_at)
{
	struct store_chaos_run row;
	char err[512];
	int64_t id;

	json_object_set_new(result, "started_at", json_integer(started_at));
	json_object_set_new(result, "ended_at", json_integer(clock_wall_ms()));
	if (c->st == NULL)
		return;
	if (store_chaos_from_json(result, &row, err, sizeof(err)) < 0 ||
	    store_chaos_insert(c->st, &row, &id, err, sizeof(err)) < 0)
		fprintf(stderr, "tend chaos %s: not recorded: %s\n", x->name, err);
	store_chaos_run_clear(&row);
}

/* One experiment: its repeats, then the judgement on the last of them. */
static bool
chaos_experiment_run(struct chaos_cli *c, const struct chaos_experiment *x)
{
	json_t *run, *result = json_pack("{s:s, s:s, s:s, s:[]}", "experiment", x->name,
	    "fault", chaos_fault_name(x->fault), "target", chaos_subject(x), "runs");
	struct chaos_seen seen = { .detected_ms = -1, .healed_ms = -1 }, any = { 0 };
	int64_t started_at = clock_wall_ms();
	json_t *restarts;
	char why[256];
	bool ok;
	int n;

	ok = chaos_may_run(c, x, why, sizeof(why), &restarts);
	if (!ok) {
		fprintf(stderr, "tend chaos %s: not run: %s\n", x->name, why);
		json_object_set_new(result, "ok", json_false());
		json_object_set_new(result, "refused", json_string(why));
		chaos_record(c, x, result, started_at);
		json_array_append_new(c->results, result);
		json_decref(restarts);
		return false;
	}
	for (n = 0; n < x->repeat && !chaos_stop_asked; n++) {
		if (n > 0)
			chaos_sleep_ms((double)x->every_ms);
		ok = chaos_once(c, x, &seen) == 0;
		any.escalated |= seen.escalated;
		run = json_pack("{s:o, s:o, s:I}", "mttd_ms", ms_json(seen.detected_ms),
		    "mttr_ms", ms_json(seen.healed_ms), "incident", (json_int_t)seen.incident);
		if (x->fault == CHAOS_MEMORY && CHAOS_OF_SERVICE(x->fault, x->target))
			json_object_set_new(run, "leak_ended", json_boolean(seen.leak_ended));
		json_array_append_new(json_object_get(result, "runs"), run);
		chaos_say(c, x, n, &seen);
		if (!ok)
			break;
	}
	seen.escalated |= any.escalated;
	chaos_dependents(c, x, restarts, &seen);
	json_decref(restarts);
	ok = chaos_judge(x, &seen, result) && ok && !chaos_stop_asked;
	if (c->opts.format != OUTPUT_JSON)
		printf("%s: %s\n", x->name, ok ? "every expectation held" :
		    "an expectation failed or the run did not finish");
	chaos_record(c, x, result, started_at);
	json_array_append_new(c->results, result);
	return ok;
}

char *
cli_chaos_plan(const struct chaos_experiment *x)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	fprintf(f, "%s: %s", x->name, chaos_fault_name(x->fault));
	if (CHAOS_OF_SERVICE(x->fault, x->target))
		fprintf(f, " of %s", x->target);
	if (x->fault == CHAOS_KILL)
		fprintf(f, " (SIG%s)", sigabbrev_np(x->signal));
	else if (x->fault == CHAOS_FILL_DISK)
		fprintf(f, " of %s but %lld bytes for %lld ms", x->path, (long long)x->leave,
		    (long long)x->duration_ms);
	else if (x->fault == CHAOS_CPU)
		fprintf(f, ": %d busy process%s for %lld ms", x->cores, x->cores == 1 ? "" :
		    "es", (long long)x->duration_ms);
	else if (x->fault == CHAOS_CONFIG)
		fprintf(f, " of set %s: %s %s for %lld ms", x->set, x->corrupt ==
		    CHAOS_CORRUPT_TRUNCATE ? "truncate" : "garbage appended to",
		    x->file != NULL ? x->file : "its first file", (long long)x->duration_ms);
	else if (x->fault == CHAOS_PROXY)
		fprintf(f, " %s: %s for %lld ms", x->proxy, x->mode == PROXY_LATENCY ? "late" :
		    x->mode == PROXY_RESET ? "resets" : x->mode == PROXY_ERROR ? "HTTP 503" :
		    "passes", (long long)x->duration_ms);
	else if (x->fault == CHAOS_MEMORY)
		fprintf(f, ": a process growing %lld bytes/s to %lld for %lld ms",
		    (long long)x->grow, (long long)x->max, (long long)x->duration_ms);
	else
		fprintf(f, " for %lld ms", (long long)x->duration_ms);
	if (x->repeat > 1)
		fprintf(f, ", %d times %lld ms apart", x->repeat, (long long)x->every_ms);
	fprintf(f, "; wait up to %lld ms for it to be healthy again", (long long)x->timeout_ms);
	if (x->expect.healed_within_ms >= 0)
		fprintf(f, "; expect healed within %lld ms", (long long)x->expect.healed_within_ms);
	if (x->expect.detected_within_ms >= 0)
		fprintf(f, "; expect detected within %lld ms",
		    (long long)x->expect.detected_within_ms);
	if (x->expect.escalated >= 0)
		fprintf(f, "; expect %sescalation", x->expect.escalated ? "" : "no ");
	fclose(f);
	return text;
}

static void
chaos_plan(const struct chaos_experiment *x)
{
	char *text = cli_chaos_plan(x);

	if (text != NULL)
		puts(text);
	free(text);
}

/* The experiments named (or all): false after saying which one is unknown. */
static bool
chaos_selected(struct chaos_cli *c, const struct chaos_experiment ***v, size_t *n)
{
	size_t i;
	int a;

	*v = NULL;
	*n = 0;
	if (c->all) {
		*v = calloc(c->cfg->n_chaos + 1, sizeof(**v));
		for (i = 0; i < c->cfg->n_chaos; i++)
			(*v)[(*n)++] = &c->cfg->chaos[i];
		return true;
	}
	*v = calloc((size_t)c->opts.n_args + 1, sizeof(**v));
	for (a = 1; a < c->opts.n_args; a++) {
		if (((*v)[*n] = config_find_chaos(c->cfg, c->opts.args[a])) == NULL) {
			fprintf(stderr, "tend chaos: no experiment named '%s' under chaos: "
			    "experiments:\n", c->opts.args[a]);
			return false;
		}
		(*n)++;
	}
	return true;
}

/* The daemon's store, for the record of the runs: a run goes on without it. */
static void
chaos_store_open(struct chaos_cli *c)
{
	char err[512], *db = statedir_file(c->sd, "tend.db");

	if ((c->st = store_open_brief(db, err, sizeof(err))) == NULL)
		fprintf(stderr, "tend chaos: the runs will not be recorded: %s\n", err);
	free(db);
}

static int
chaos_run(struct chaos_cli *c)
{
	const struct chaos_experiment **v;
	struct sigaction sa = { .sa_handler = chaos_on_signal };
	char what[512], err[512] = "";
	bool all_ok = true;
	pid_t daemon = 0;
	json_t *doc;
	size_t n, i;

	if (!chaos_selected(c, &v, &n) || n == 0) {
		if (n == 0 && (c->all || c->opts.n_args < 2))
			fprintf(stderr, "tend chaos run: name experiments, or --all\n");
		free(v);
		return 2;
	}
	if (c->opts.dry_run) {
		for (i = 0; i < n; i++)
			chaos_plan(v[i]);
		free(v);
		return 0;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (c->standalone && chaos_standalone_start(c, &daemon) < 0) {
		free(v);
		return 1;
	}
	if (!cli_daemon_alive(&c->opts)) {
		fprintf(stderr, "tend chaos: no tend runs on this state dir: chaos runs "
		    "through the daemon that is to heal what it breaks (or give --standalone)\n");
		free(v);
		return 1;
	}
	chaos_store_open(c);
	if (chaos_recover(c->sd, &c->ops, what, sizeof(what), err, sizeof(err)) != 0)
		fprintf(stderr, "tend chaos: %s %s\n", err[0] != '\0' ? err : "undone:",
		    err[0] != '\0' ? "" : what);
	c->results = json_array();
	for (i = 0; i < n && !chaos_stop_asked; i++)
		all_ok &= chaos_experiment_run(c, v[i]);
	cli_chaos_github(c->results);
	if (c->opts.format == OUTPUT_JSON) {
		doc = json_pack("{s:b, s:O}", "ok", all_ok && !chaos_stop_asked, "experiments",
		    c->results);
		cli_print_json(doc);
		json_decref(doc);
	}
	json_decref(c->results);
	snapshot_engine_close(c->eng);
	store_close(c->st);
	chaos_standalone_stop(daemon);
	free(v);
	return all_ok && !chaos_stop_asked ? 0 : 1;
}

static int
chaos_list(const struct chaos_cli *c)
{
	size_t i;

	if (c->cfg->n_chaos == 0)
		printf("no experiments (chaos: experiments: in the config, docs/chaos.md)\n");
	for (i = 0; i < c->cfg->n_chaos; i++)
		chaos_plan(&c->cfg->chaos[i]);
	return 0;
}

/*
 * --all, --force and --standalone are chaos's own; the rest are every command's, parsed
 * in place (the options keep pointers into argv).
 */
static int
chaos_parse(int argc, char **argv, struct chaos_cli *c)
{
	int i, n = 0;

	for (i = 0; i < argc; i++) {
		if (i > 0 && strcmp(argv[i], "--all") == 0)
			c->all = true;
		else if (i > 0 && strcmp(argv[i], "--force") == 0)
			c->force = true;
		else if (i > 0 && strcmp(argv[i], "--standalone") == 0)
			c->standalone = true;
		else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	return cli_parse_options("chaos", n, argv, &c->opts);
}

int
cmd_chaos(int argc, char **argv)
{
	struct chaos_cli c = { 0 };
	char err[512], *dir;
	int rc;

	chaos_ops_init(&c);
	if (chaos_parse(argc, argv, &c) != 0)
		return 2;
	if (c.opts.n_args < 1 || (strcmp(c.opts.args[0], "list") != 0 &&
	    strcmp(c.opts.args[0], "run") != 0 && strcmp(c.opts.args[0], "history") != 0)) {
		fprintf(stderr, "usage: tend chaos list | history [--since DURATION] | run "
		    "NAME... | run --all [--dry-run] [--force] [--standalone] [-c FILE] "
		    "[--state-dir DIR] [--format json]\n");
		return 2;
	}
	if (strcmp(c.opts.args[0], "history") == 0)
		return cli_chaos_history(&c.opts);
	if ((c.cfg = cli_load_config(c.opts.config_path, stderr)) == NULL)
		return 2;
	if (strcmp(c.opts.args[0], "list") == 0) {
		rc = chaos_list(&c);
		config_free(c.cfg);
		return rc;
	}
	dir = cli_state_dir(&c.opts);
	c.sd = statedir_open(dir, err, sizeof(err));
	free(dir);
	if (c.sd == NULL) {
		fprintf(stderr, "tend chaos: refusing the state dir: %s\n", err);
		config_free(c.cfg);
		return 1;
	}
	rc = chaos_run(&c);
	statedir_close(c.sd);
	config_free(c.cfg);
	return rc;
}
