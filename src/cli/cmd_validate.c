#include "cli/cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "checks/check_run.h"
#include "cli/table.h"
#include "checks/resource.h"
#include "config/config.h"
#include "config/units.h"
#include "core/abspath.h"
#include "core/strv.h"
#include "core/statedir.h"
#include "deps/environment.h"
#include "supervise/spawn.h"

static const char *const restart_names[] = { "always", "on-failure", "never" };
static const char *const ready_names[] = { "started", "notify", "tcp", "http", "delay" };

static void
validate_print_service(const struct service_conf *s)
{
	char within[32], deps_buf[8] = "-";
	char *cmd = strv_join(s->kind == SERVICE_EXTERNAL ? s->start_cmd : s->run, " ");
	char *deps = s->depends_on ? strv_join(s->depends_on, ", ") : deps_buf;

	units_format_duration(s->limit.within_ms, within, sizeof(within));
	if (s->kind == SERVICE_EXTERNAL)
		cli_printf(stdout, "service %s: external, pidfile %s, start %s; depends on %s\n",
		    s->name, s->pidfile, cmd, deps);
	else
		cli_printf(stdout, "service %s: run %s; restart %s, limit %d in %s; ready %s; "
		    "depends on %s\n", s->name, cmd, restart_names[s->restart],
		    s->limit.restarts, within, ready_names[s->ready.kind], deps);
	free(cmd);
	if (deps != deps_buf)
		free(deps);
}

/* "restart, any(poke, bounce), escalate" */
static void
validate_format_heal(const struct heal_action *v, size_t n, char *buf, size_t len)
{
	size_t i, used;

	for (i = 0; i < n; i++) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", i ? ", " : "", v[i].name ?
		    v[i].name : heal_action_kind_name(v[i].kind));
		if (v[i].kind != HEAL_ANY)
			continue;
		used = strlen(buf);
		snprintf(buf + used, len - used, "(");
		validate_format_heal(v[i].alternatives, v[i].n_alternatives, buf, len);
		used = strlen(buf);
		snprintf(buf + used, len - used, ")");
	}
}

static void
validate_print_log(const struct check_conf *c, const char *every)
{
	char what[1024];

	log_check_describe(c, what, sizeof(what));
	printf("check %s: %s, every %s", c->name, what, every);
}

static void
validate_print_check(const struct tend_config *cfg, const struct check_conf *c)
{
	char every[32], heal[512] = "";

	units_format_duration(c->every_ms ? c->every_ms : cfg->interval_ms, every,
	    sizeof(every));
	if (c->heal.present)
		validate_format_heal(c->heal.v, c->heal.n, heal, sizeof(heal));
	if (c->type == CHECK_RESOURCE)
		printf("check %s: resource %s%s%s, warn %g, crit %g, every %s", c->name,
		    resource_metric_name(c->metric),
		    c->metric == RESOURCE_DISK || c->metric == RESOURCE_INODES ? " " : "",
		    c->metric == RESOURCE_DISK || c->metric == RESOURCE_INODES ? c->path : "",
		    c->warn, c->crit, every);
	else if (c->type == CHECK_LOG)
		validate_print_log(c, every);
	else
		printf("check %s: %s%s%s, every %s", c->name, check_type_name(c->type),
		    c->service ? " of " : "", c->service ? c->service : "", every);
	printf("; heal %s\n", c->heal.present ? heal : "by default");
}

/* The effective settings, after defaults, self_healing and the environment. */
static void
validate_print_settings(const struct tend_config *cfg)
{
	char interval[32], escalation[32], verify[32], cooldown[32], window[32], sample[32];
	size_t i;

	units_format_duration(cfg->interval_ms, interval, sizeof(interval));
	units_format_duration(cfg->sample_every_ms, sample, sizeof(sample));
	units_format_duration(cfg->heal.escalation_timeout_ms, escalation,
	    sizeof(escalation));
	units_format_duration(cfg->heal.verify_timeout_ms, verify, sizeof(verify));
	units_format_duration(cfg->heal.cooldown_ms, cooldown, sizeof(cooldown));
	units_format_duration(cfg->heal.correlation_window_ms, window, sizeof(window));
	printf("config %s\n", cfg->source);
	for (i = 0; cfg->include_files != NULL && cfg->include_files[i] != NULL; i++)
		printf("  includes %s\n", cfg->include_files[i]);
	printf("interval %s; auto-heal %s, max attempts %d, escalation after %s; "
	    "runs sampled every %s\n", interval, cfg->heal.auto_heal ? "on" : "off",
	    cfg->heal.max_attempts, escalation, cfg->sample_every_ms ? sample : "run");
	printf("heal: verify within %s, cooldown %s, correlation window %s; %zu named "
	    "actions, %zu classify rules; anomaly detection %s\n", verify, cooldown, window,
	    cfg->n_actions, cfg->n_classify, cfg->anomaly.enabled ? "on" : "off");
	for (i = 0; i < cfg->n_services; i++)
		validate_print_service(&cfg->services[i]);
	for (i = 0; i < cfg->n_checks; i++)
		validate_print_check(cfg, &cfg->checks[i]);
}

void
cli_environment_check(const struct cli_options *opts, const struct tend_config *cfg,
    struct env_report *r)
{
	char *state_dir = statedir_resolve(opts->state_dir, cfg != NULL ? cfg->state_dir : NULL);

	environment_check(cfg, state_dir, r);
	free(state_dir);
}

void
cli_environment_print(const struct env_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		cli_printf(stdout, "%-8s %-10s %s: %s\n", env_status_name(r->v[i].status),
		    r->v[i].check, r->v[i].subject, r->v[i].reason);
	printf("environment: %zu errors, %zu warnings\n",
	    env_report_count(r, ENV_ERROR), env_report_count(r, ENV_WARNING));
}

/* --environment: this machine, item by item; 1 when anything is an error. */
static int
validate_environment(const struct cli_options *opts, const struct tend_config *cfg)
{
	struct env_report r;
	json_t *doc;
	int rc;

	cli_environment_check(opts, cfg, &r);
	if (opts->format == OUTPUT_JSON) {
		doc = env_report_json(&r);
		cli_print_json(doc);
		json_decref(doc);
	} else {
		cli_environment_print(&r);
	}
	rc = env_report_worst(&r) == ENV_ERROR ? 1 : 0;
	env_report_free(&r);
	return rc;
}

/* user:/group: mean nothing to a tend that is not root: say so (stderr). */
static void
validate_warn_ids(const struct tend_config *cfg)
{
	char what[300];
	size_t i;

	for (i = 0; i < cfg->n_services; i++)
		if (spawn_ids_ignored(&cfg->services[i], what, sizeof(what)))
			fprintf(stderr, "warning: service '%s': %s would be ignored: tend "
			    "does not run as root here\n", cfg->services[i].name, what);
}

struct tend_config *
cli_validate_config(const struct cli_options *opts, struct config_errors *errs)
{
	char norm[PATH_MAX], err[PATH_MAX + 64];
	struct tend_config *cfg;

	if ((cfg = config_load_auto(opts->config_path, errs)) == NULL)
		return NULL;
	config_validate_system(cfg, errs);
	/* Loading checked the state dir it would pick; --state-dir picks another. */
	if (opts->state_dir != NULL && abspath_normalize(opts->state_dir, norm,
	    sizeof(norm), err, sizeof(err)) == 0)
		config_validate_state_dir(cfg, norm, errs);
	if (errs->n > 0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

int
cmd_validate(struct cli_options *opts)
{
	struct config_errors errs = { 0 };
	struct tend_config *cfg;
	int rc = 0;

	if ((cfg = cli_validate_config(opts, &errs)) == NULL) {
		config_errors_print(&errs, stdout);
		config_errors_clear(&errs);
		return 2;
	}
	if (!(opts->environment && opts->format == OUTPUT_JSON))
		printf("ok\n");
	validate_warn_ids(cfg);
	if (opts->verbose)
		validate_print_settings(cfg);
	if (opts->environment)
		rc = validate_environment(opts, cfg);
	config_free(cfg);
	return rc;
}
