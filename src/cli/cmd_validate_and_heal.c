/*
 * tend validate-and-heal: the pass an operator or a CI job runs after a
 * change, as one command. It validates the config (as tend validate; a
 * broken config stops here, nothing is run) and the environment (as tend
 * validate --environment), runs every check once (as tend check), heals
 * what fails with the healer's plan (as tend heal --auto: through the
 * daemon when one runs, so its services are never started twice), runs
 * the failed checks again to verify, and exits with the resulting state.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "checks/batch.h"
#include "cli/table.h"
#include "config/config.h"
#include "core/clock.h"
#include "deps/environment.h"
#include "health/state.h"

struct vah {
	const struct cli_options *opts;
	struct tend_config *cfg;
	struct env_report env;
	struct check_batch first;	/* every check, once */
	struct check_batch again;	/* the failed ones, after healing */
	json_t		*incidents;	/* what healing did; NULL when nothing failed */
	enum health_state state;
};

/* Environment errors leave the machine critical; warnings, a warning. */
static enum health_state
vah_env_state(const struct env_report *r)
{
	switch (env_report_worst(r)) {
	case ENV_ERROR:
		return HEALTH_CRITICAL;
	case ENV_WARNING:
		return HEALTH_WARNING;
	default:
		return HEALTH_HEALTHY;
	}
}

/* The worst of the environment and of each check as it ended: as re-run when it failed. */
static enum health_state
vah_final_state(const struct vah *v)
{
	enum health_state s = vah_env_state(&v->env);
	size_t i;

	for (i = 0; v->again.n == 0 && i < v->first.n; i++)
		s = health_state_worst(s, v->first.v[i].result.state);
	for (i = 0; i < v->again.n; i++)
		s = health_state_worst(s, v->again.v[i].result.state);
	return s;
}

static size_t
vah_count(const struct check_batch *b, bool healthy)
{
	size_t i, n = 0;

	for (i = 0; i < b->n; i++)
		n += (b->v[i].result.state == HEALTH_HEALTHY) == healthy;
	return n;
}

static void
vah_print_outcomes(const struct check_batch *b, bool failed_only)
{
	const struct check_outcome *o;
	size_t i;

	for (i = 0; i < b->n; i++) {
		o = &b->v[i];
		if (failed_only && o->result.state == HEALTH_HEALTHY)
			continue;
		cli_printf(stdout, "  %-9s %s%s%s: %s\n", health_state_name(o->result.state),
		    o->conf->name, o->conf->service ? " of " : "",
		    o->conf->service ? o->conf->service : "", o->result.message);
	}
}

static void
vah_print_text(const struct vah *v)
{
	size_t failed = vah_count(&v->first, false);

	printf("config: ok (%s)\n", v->cfg->source);
	if (env_report_worst(&v->env) != ENV_OK)
		cli_environment_print(&v->env);
	else
		printf("environment: ok\n");
	if (failed == 0) {
		printf("checks: %zu run, all healthy: nothing to heal\n", v->first.n);
	} else {
		printf("checks: %zu run, %zu failing:\n", v->first.n, failed);
		vah_print_outcomes(&v->first, true);
		printf("healing%s:\n", v->opts->dry_run ? " (dry run: nothing done)" : "");
		cli_heal_print(v->opts, v->incidents);
		if (v->again.n > 0) {
			printf("verified (the failing checks run again): %zu of %zu healthy "
			    "now\n", vah_count(&v->again, true), v->again.n);
			vah_print_outcomes(&v->again, false);
		}
	}
	printf("overall: %s\n", health_state_name(v->state));
}

static json_t *
vah_outcomes_json(const struct check_batch *b, bool failed_only)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < b->n; i++)
		if (!failed_only || b->v[i].result.state != HEALTH_HEALTHY)
			json_array_append_new(a, cli_check_outcome_json(&b->v[i]));
	return a;
}

static void
vah_print_json(const struct vah *v)
{
	json_t *doc = json_pack("{s:s, s:{s:b, s:s}, s:o, s:I, s:o, s:O, s:o}",
	    "state", health_state_name(v->state),
	    "config", "ok", 1, "file", v->cfg->source,
	    "environment", env_report_json(&v->env),
	    "checks", (json_int_t)v->first.n,
	    "failed", vah_outcomes_json(&v->first, true),
	    "healed", v->incidents != NULL ? v->incidents : json_null(),
	    "verified", vah_outcomes_json(&v->again, false));

	json_object_set_new(doc, "dry_run", json_boolean(v->opts->dry_run));
	cli_print_json(doc);
	json_decref(doc);
}

/* A broken config: every error, and nothing run. */
static int
vah_invalid(const struct cli_options *opts, struct config_errors *errs)
{
	json_t *doc, *list = json_array();
	size_t i;
	char *line;

	if (opts->format == OUTPUT_JSON) {
		for (i = 0; i < errs->n; i++) {
			line = config_error_line(&errs->v[i]);
			json_array_append_new(list, json_string(line));
			free(line);
		}
		doc = json_pack("{s:s, s:{s:b, s:o}}", "state", "invalid", "config", "ok", 0,
		    "errors", list);
		cli_print_json(doc);
		json_decref(doc);
	} else {
		json_decref(list);
		config_errors_print(errs, stdout);
		printf("config: invalid; nothing was checked or healed\n");
	}
	config_errors_clear(errs);
	return 2;
}

/* The daemon's tracked state of a check, or NULL. */
static const char *
vah_daemon_state(json_t *status, const char *check)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(status, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")) ?: "", check) == 0)
			return json_string_value(json_object_get(c, "state"));
	return NULL;
}

/* Whether the daemon tracks every check that failed here as failing too. */
static bool
vah_daemon_agrees(const struct vah *v)
{
	json_t *status = cli_call(v->opts, json_pack("{s:s}", "cmd", "status"));
	const char *state;
	bool agrees = status != NULL;
	size_t i;

	for (i = 0; agrees && i < v->first.n; i++) {
		if (v->first.v[i].result.state == HEALTH_HEALTHY)
			continue;
		state = vah_daemon_state(status, v->first.v[i].conf->name);
		agrees = state != NULL && (strcmp(state, "warning") == 0 ||
		    strcmp(state, "critical") == 0);
	}
	json_decref(status);
	return agrees;
}

/*
 * How long the daemon may take to see what failed here: each failed
 * check's next run, as many as it takes to fail (fail_after, fail.n),
 * and its timeout; a second more.
 */
static int64_t
vah_daemon_catch_up_ms(const struct vah *v)
{
	const struct check_conf *c;
	int64_t longest = 0, ms;
	size_t i;
	int runs;

	for (i = 0; i < v->first.n; i++) {
		if (v->first.v[i].result.state == HEALTH_HEALTHY)
			continue;
		c = v->first.v[i].conf;
		runs = c->fail_n > c->fail_after ? c->fail_n : c->fail_after;
		ms = (c->every_ms ? c->every_ms : v->cfg->interval_ms) * runs + c->timeout_ms;
		if (ms > longest)
			longest = ms;
	}
	if (v->opts->wait_ms >= 0 && v->opts->wait_ms < longest)
		return v->opts->wait_ms;
	return longest + 1000;
}

/*
 * The daemon heals what fails in its own view, which may lag this
 * command's run of the checks by up to an interval: wait (bounded) until
 * it agrees, so that what failed here is healed there. Past the bound it
 * heals what it sees, and the re-run says what the result is.
 */
static void
vah_wait_for_daemon(const struct vah *v)
{
	int64_t deadline = clock_mono_ms() + vah_daemon_catch_up_ms(v);

	while (!vah_daemon_agrees(v) && clock_mono_ms() < deadline)
		usleep(100 * 1000);
}

/* What failed is healed, then run again; with --dry-run, only planned. */
static void
vah_heal(struct vah *v)
{
	size_t i;

	if (cli_daemon_alive(v->opts))
		vah_wait_for_daemon(v);
	cli_heal_now(v->opts, v->cfg, &v->incidents);
	if (v->opts->dry_run)
		return;
	for (i = 0; i < v->first.n; i++)
		if (v->first.v[i].result.state != HEALTH_HEALTHY)
			check_batch_add(&v->again, v->first.v[i].conf);
	cli_check_batch_run(&v->again, v->opts);
}

int
cmd_validate_and_heal(struct cli_options *opts)
{
	struct config_errors errs = { 0 };
	struct vah v = { .opts = opts };
	size_t i;

	if ((v.cfg = cli_validate_config(opts, &errs)) == NULL)
		return vah_invalid(opts, &errs);
	/* Not a question to ask: this command heals (or, --dry-run, says how). */
	opts->auto_heal = true;
	cli_environment_check(opts, v.cfg, &v.env);
	for (i = 0; i < v.cfg->n_checks; i++)
		check_batch_add(&v.first, &v.cfg->checks[i]);
	cli_check_batch_run(&v.first, opts);
	if (check_batch_overall(&v.first) != HEALTH_HEALTHY)
		vah_heal(&v);
	v.state = vah_final_state(&v);
	if (opts->format == OUTPUT_JSON)
		vah_print_json(&v);
	else
		vah_print_text(&v);
	json_decref(v.incidents);
	check_batch_clear(&v.first);
	check_batch_clear(&v.again);
	env_report_free(&v.env);
	config_free(v.cfg);
	return (int)v.state;
}
