/*
 * tend preflight's steps that reuse another command's work: the
 * environment (tend validate --environment), the deps (tend deps check,
 * and with --fix tend deps install), the source scan (tend deps scan) and
 * every check once (tend check). Each returns an outcome (preflight.h).
 */
#include "cli/preflight.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "checks/batch.h"
#include "config/config.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "core/strv.h"
#include "deps/environment.h"
#include "deps/install.h"
#include "deps/scan.h"
#include "deps/status.h"
#include "health/state.h"

json_t *
preflight_outcome(const char *status, const char *fmt, ...)
{
	va_list ap;
	char *reason;
	json_t *o;

	va_start(ap, fmt);
	reason = xvasprintf(fmt, ap);
	va_end(ap);
	o = json_pack("{s:s, s:s}", "status", status, "reason", reason);
	free(reason);
	return o;
}

void
preflight_note(json_t *outcome, const char *key, const char *fmt, ...)
{
	json_t *list = json_object_get(outcome, key);
	va_list ap;
	char *line;

	if (list == NULL) {
		list = json_array();
		json_object_set_new(outcome, key, list);
	}
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	json_array_append_new(list, json_string(line));
	free(line);
}

json_t *
preflight_environment(const struct preflight *p)
{
	struct env_report r;
	enum env_status worst;
	json_t *o;
	size_t i;

	cli_environment_check(&p->opts, p->cfg, &r);
	worst = env_report_worst(&r);
	o = preflight_outcome(worst == ENV_ERROR ? "failed" : worst == ENV_WARNING ?
	    "warning" : "ok", "%zu items, %zu errors, %zu warnings", r.n,
	    env_report_count(&r, ENV_ERROR), env_report_count(&r, ENV_WARNING));
	for (i = 0; i < r.n; i++)
		if (r.v[i].status != ENV_OK)
			preflight_note(o, "details", "%s %s %s: %s",
			    env_status_name(r.v[i].status), r.v[i].check, r.v[i].subject,
			    r.v[i].reason);
	env_report_free(&r);
	return o;
}

static void
preflight_deps_failing(json_t *o, const struct dep_status *st)
{
	const struct dep_row *r;
	size_t i;

	for (i = 0; i < st->n; i++) {
		r = &st->v[i];
		if (!dep_row_ok(r))
			preflight_note(o, "details", "%s: %s %s (%s): %s", r->check->name,
			    dep_kind_name(r->item->kind), r->item->name, r->status, r->message);
	}
}

/*
 * --fix: what is missing, through tend deps install's plan and runner
 * (installers' retries, mirrors, cache), in the state dir's cache.
 */
static void
preflight_deps_install(const struct preflight *p, struct dep_status *st, json_t *o)
{
	struct install_options io = { .state_dir = p->state_dir, .out = stderr };
	struct install_plan plan;
	char err[1024], *root, *pkgs;
	size_t i;
	int failed;

	if (statedir_prepare_subdir(p->state_dir, "cache", 0750, err, sizeof(err)) < 0) {
		preflight_note(o, "details", "not installing: %s", err);
		return;
	}
	root = xasprintf("%s/cache", p->state_dir);
	deps_plan_install(p->cfg, st, root, &plan);
	free(root);
	failed = deps_plan_run(&plan, &io);
	for (i = 0; i < plan.n; i++) {
		pkgs = strv_join(plan.v[i].packages, ", ");
		preflight_note(o, "fixed", "ran installer %s for %s", plan.v[i].installer->name,
		    pkgs);
		free(pkgs);
	}
	if (failed > 0)
		preflight_note(o, "details", "%d installer steps failed", failed);
	deps_plan_free(&plan);
	deps_status_free(st);
	deps_status_run(p->cfg, NULL, st);
}

json_t *
preflight_deps(const struct preflight *p)
{
	struct dep_status st;
	size_t failing, installable = 0, i;
	json_t *o;

	deps_status_run(p->cfg, NULL, &st);
	if (st.n == 0) {
		deps_status_free(&st);
		return preflight_outcome("skipped", "no deps check in the config");
	}
	o = json_object();
	for (i = 0; i < st.n; i++)
		installable += dep_row_installable(&st.v[i]);
	if (p->fix && installable > 0)
		preflight_deps_install(p, &st, o);
	failing = deps_status_failing(&st);
	json_object_set_new(o, "status", json_string(failing ? "failed" : "ok"));
	json_object_set_new(o, "reason", failing ? json_sprintf("%zu of %zu dependencies "
	    "missing, too old or unknown", failing, st.n) : json_sprintf("%zu dependencies "
	    "present", st.n));
	preflight_deps_failing(o, &st);
	deps_status_free(&st);
	return o;
}

/* One source tree: what its code uses that no deps check declares. */
static void
preflight_scan_one(const struct preflight *p, const char *root, json_t *o, size_t *missing,
    size_t *unmapped)
{
	const struct scan_finding *f;
	struct scan_result r;
	char err[512], ref[300];
	size_t i;

	if (scan_tree(root, &r, err, sizeof(err)) < 0) {
		preflight_note(o, "details", "%s", err);
		(*missing)++;
		return;
	}
	scan_mark_declared(&r, p->cfg);
	for (i = 0; i < r.n_needs; i++) {
		f = &r.needs[i];
		if (f->declared)
			continue;
		scan_ref_text(f, ref, sizeof(ref));
		preflight_note(o, "details", "%s/%s:%d: %s needs %s %s (%s: %s), not declared",
		    root, f->file, f->line, ref, dep_kind_name(f->need.kind), f->need.name,
		    f->need.installer, f->need.package);
	}
	for (i = 0; i < r.n_unmapped; i++) {
		scan_ref_text(&r.unmapped[i], ref, sizeof(ref));
		preflight_note(o, "details", "%s/%s:%d: %s is in no table", root,
		    r.unmapped[i].file, r.unmapped[i].line, ref);
	}
	*missing += scan_missing(&r);
	*unmapped += r.n_unmapped;
	scan_result_free(&r);
}

json_t *
preflight_scan(const struct preflight *p)
{
	size_t missing = 0, unmapped = 0, i;
	json_t *o;

	if (p->sources == NULL)
		return preflight_outcome("skipped", "no --source PATH given");
	o = json_object();
	for (i = 0; p->sources[i] != NULL; i++)
		preflight_scan_one(p, p->sources[i], o, &missing, &unmapped);
	json_object_set_new(o, "status", json_string(missing ? "failed" : unmapped ?
	    "warning" : "ok"));
	json_object_set_new(o, "reason", json_sprintf("%zu source paths: %zu dependencies "
	    "used and not declared, %zu headers unknown", strv_len(p->sources), missing,
	    unmapped));
	return o;
}

/*
 * Every check once, as tend check runs them. A check that could not tell
 * (unknown: a process check with no daemon to ask) is a warning; a
 * critical one fails the step.
 */
json_t *
preflight_checks(const struct preflight *p)
{
	struct check_batch b = { 0 };
	const struct check_outcome *c;
	enum health_state worst;
	size_t i, bad = 0;
	json_t *o;

	if (p->cfg->n_checks == 0)
		return preflight_outcome("skipped", "the config has no checks");
	for (i = 0; i < p->cfg->n_checks; i++)
		check_batch_add(&b, &p->cfg->checks[i]);
	cli_check_batch_run(&b, &p->opts);
	worst = check_batch_overall(&b);
	for (i = 0; i < b.n; i++)
		bad += b.v[i].result.state != HEALTH_HEALTHY;
	o = preflight_outcome(worst == HEALTH_CRITICAL ? "failed" : worst == HEALTH_HEALTHY ?
	    "ok" : "warning", "%zu checks run, %zu not healthy", b.n, bad);
	for (i = 0; i < b.n; i++) {
		c = &b.v[i];
		if (c->result.state != HEALTH_HEALTHY)
			preflight_note(o, "details", "%s %s: %s",
			    health_state_name(c->result.state), c->conf->name,
			    c->result.message);
	}
	check_batch_clear(&b);
	return o;
}

/*
 * chaos: the experiments' plans, as `tend chaos run --all --dry-run` says
 * them (the config step has already refused a fault not built or a
 * target that is no service); nothing is injected.
 */
json_t *
preflight_chaos(const struct preflight *p)
{
	json_t *o;
	char *plan;
	size_t i;

	if (p->cfg->n_chaos == 0)
		return preflight_outcome("skipped", "no chaos: experiments in the config");
	o = preflight_outcome("ok", "%zu experiment%s, each a dry run: nothing injected",
	    p->cfg->n_chaos, p->cfg->n_chaos == 1 ? "" : "s");
	for (i = 0; i < p->cfg->n_chaos; i++)
		if ((plan = cli_chaos_plan(&p->cfg->chaos[i])) != NULL) {
			preflight_note(o, "details", "%s", plan);
			free(plan);
		}
	return o;
}
