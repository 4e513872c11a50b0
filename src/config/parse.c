#include "config/parse.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/include.h"
#include "core/logindex.h"
#include "core/version.h"
#include "core/mem.h"
#include "core/strv.h"

#define OFF(type, field)	offsetof(struct type, field)

static const char *const restart_words[] = { "always", "on-failure", "never", NULL };
static const char *const log_format_words[] = { "text", "json", NULL };
static const char *const metric_words[] = {
	"cpu", "memory", "swap", "disk", "inodes", "load", "open_files", NULL,
};

static const struct key_spec backoff_specs[] = {
	{ "initial", parse_duration_or_zero, OFF(backoff_conf, initial_ms), NULL },
	{ "max", parse_duration, OFF(backoff_conf, max_ms), NULL },
	{ "multiplier", parse_number, OFF(backoff_conf, multiplier), NULL },
	{ "jitter", parse_fraction, OFF(backoff_conf, jitter), NULL },
	{ "reset_after", parse_duration, OFF(backoff_conf, reset_after_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec limit_specs[] = {
	{ "restarts", parse_count, OFF(limit_conf, restarts), NULL },
	{ "within", parse_duration, OFF(limit_conf, within_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec stop_specs[] = {
	{ "signal", parse_signal, OFF(stop_conf, signal), NULL },
	{ "timeout", parse_duration, OFF(stop_conf, timeout_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

/*
 * Rotated files kept: at most what `tend logs --since` and the dashboard
 * read back (core/logindex.h: LOGINDEX_FILES_MAX, the current file too).
 */
static void
parse_log_keep(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	int *keep = target;

	parse_count(w, node, target, spec);
	if (*keep > LOGINDEX_FILES_MAX - 1) {
		walk_error(w, node, "'keep': expected at most %d rotated files (what tend logs "
		    "reads back), got %d", LOGINDEX_FILES_MAX - 1, *keep);
		*keep = LOGINDEX_FILES_MAX - 1;
	}
}

static const struct key_spec service_log_specs[] = {
	{ "max_size", parse_size, OFF(service_log_conf, max_size), NULL },
	{ "keep", parse_log_keep, OFF(service_log_conf, keep), NULL },
	{ NULL, NULL, 0, NULL },
};

static void	parse_ready(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_ready_tcp(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_restart(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_stop(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_service_checks(struct walk *, yaml_node_t *, void *, const struct key_spec *);

static const struct key_spec ready_specs[] = {
	{ "tcp", parse_ready_tcp, 0, NULL },
	{ "http", parse_string, OFF(ready_conf, url), NULL },
	{ "delay", parse_duration, OFF(ready_conf, delay_ms), NULL },
	{ "timeout", parse_duration, OFF(ready_conf, timeout_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec service_specs[] = {
	{ "run", parse_argv, OFF(service_conf, run), NULL },
	{ "cwd", parse_string, OFF(service_conf, cwd), NULL },
	{ "env", parse_env, OFF(service_conf, env), NULL },
	{ "user", parse_string, OFF(service_conf, user), NULL },
	{ "group", parse_string, OFF(service_conf, group), NULL },
	{ "umask", parse_octal, OFF(service_conf, umask), NULL },
	{ "rlimits", parse_rlimits, 0, NULL },
	{ "cgroup", parse_cgroup, OFF(service_conf, cgroup), NULL },
	{ "restart", parse_restart, 0, NULL },
	{ "backoff", parse_nested, OFF(service_conf, backoff), backoff_specs },
	{ "limit", parse_nested, OFF(service_conf, limit), limit_specs },
	{ "stop", parse_stop, 0, NULL },
	{ "ready", parse_ready, OFF(service_conf, ready), NULL },
	{ "watchdog", parse_duration, OFF(service_conf, watchdog_ms), NULL },
	{ "log", parse_nested, OFF(service_conf, log), service_log_specs },
	{ "depends_on", parse_string_list, OFF(service_conf, depends_on), NULL },
	{ "pidfile", parse_string, OFF(service_conf, pidfile), NULL },
	{ "start", parse_argv, OFF(service_conf, start_cmd), NULL },
	{ "check_every", parse_duration, OFF(service_conf, check_every_ms), NULL },
	{ "checks", parse_service_checks, 0, NULL },
	{ "heal", parse_heal_plan, OFF(service_conf, heal), NULL },
	{ NULL, NULL, 0, NULL },
};

/* Indexed by enum check_type. */
static const char *const check_types[] = {
	"resource", "http", "tcp", "command", "file", "process", "deps",
	"log",
	"heartbeat",
	NULL,
};
/* As enum health_state: the state a changed file puts the check in. */
static const char *const state_words[] = {
	"healthy", "warning", "critical", "unknown", NULL,
};

static void	parse_fail_rule(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_status_list(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_tcp_target(struct walk *, yaml_node_t *, void *, const struct key_spec *);

/* What every check has, whatever its type. */
static const struct key_spec check_common_specs[] = {
	{ "type", parse_enum, OFF(check_conf, type), check_types },
	{ "every", parse_duration, OFF(check_conf, every_ms), NULL },
	{ "timeout", parse_duration, OFF(check_conf, timeout_ms), NULL },
	{ "fail_after", parse_positive_int, OFF(check_conf, fail_after), NULL },
	{ "fail", parse_fail_rule, 0, NULL },
	{ "recover_after", parse_positive_int, OFF(check_conf, recover_after), NULL },
	{ "heal", parse_heal_plan, OFF(check_conf, heal), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec check_resource_specs[] = {
	{ "metric", parse_enum, OFF(check_conf, metric), metric_words },
	{ "path", parse_string, OFF(check_conf, path), NULL },
	{ "warn", parse_threshold, OFF(check_conf, warn), NULL },
	{ "crit", parse_threshold, OFF(check_conf, crit), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec check_http_specs[] = {
	{ "url", parse_string, OFF(check_conf, http.url), NULL },
	{ "method", parse_string, OFF(check_conf, http.method), NULL },
	{ "headers", parse_header_map, OFF(check_conf, http.headers), NULL },
	{ "body", parse_string, OFF(check_conf, http.body), NULL },
	{ "status", parse_status_list, OFF(check_conf, http), NULL },
	{ "contains", parse_string, OFF(check_conf, http.contains), NULL },
	{ "regex", parse_string, OFF(check_conf, http.regex), NULL },
	{ "insecure", parse_bool, OFF(check_conf, http.insecure), NULL },
	{ "redirects", parse_bool, OFF(check_conf, http.redirects), NULL },
	{ "latency_warn", parse_duration, OFF(check_conf, latency_warn_ms), NULL },
	{ "latency_crit", parse_duration, OFF(check_conf, latency_crit_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec check_tcp_specs[] = {
	{ "host", parse_string, OFF(check_conf, tcp.host), NULL },
	{ "port", parse_tcp_target, OFF(check_conf, tcp), NULL },
	{ "send", parse_string, OFF(check_conf, tcp.send), NULL },
	{ "expect", parse_string, OFF(check_conf, tcp.expect), NULL },
	{ "latency_warn", parse_duration, OFF(check_conf, latency_warn_ms), NULL },
	{ "latency_crit", parse_duration, OFF(check_conf, latency_crit_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec check_command_specs[] = {
	{ "run", parse_argv, OFF(check_conf, command.argv), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec check_file_specs[] = {
	{ "path", parse_string, OFF(check_conf, path), NULL },
	{ "exists", parse_bool, OFF(check_conf, file.exists), NULL },
	{ "mode", parse_octal, OFF(check_conf, file.mode), NULL },
	{ "owner", parse_string, OFF(check_conf, file.owner), NULL },
	{ "max_age", parse_duration, OFF(check_conf, file.max_age_ms), NULL },
	{ "min_size", parse_size, OFF(check_conf, file.min_size), NULL },
	{ "max_size", parse_size, OFF(check_conf, file.max_size), NULL },
	{ "sha256", parse_string, OFF(check_conf, file.sha256), NULL },
	{ "changed", parse_enum, OFF(check_conf, file.changed), state_words },
	{ NULL, NULL, 0, NULL },
};

#define LIMIT_SPECS(name, parser) \
static const struct key_spec name[] = { \
	{ "warn", parser, OFF(limits, warn), NULL }, \
	{ "crit", parser, OFF(limits, crit), NULL }, \
	{ NULL, NULL, 0, NULL }, \
}

static void	parse_size_double(struct walk *, yaml_node_t *, void *, const struct key_spec *);
LIMIT_SPECS(number_limit_specs, parse_threshold);
LIMIT_SPECS(size_limit_specs, parse_size_double);

static const struct key_spec leak_specs[] = {
	{ "window", parse_duration, OFF(leak_conf, window_ms), NULL },
	{ "within", parse_duration, OFF(leak_conf, within_ms), NULL },
	{ "limit", parse_size_double, OFF(leak_conf, limit), NULL },
	{ NULL, NULL, 0, NULL },
};

/* leak: {window, within, limit}, or `leak: true` for the defaults. */
static void
parse_leak(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	struct leak_conf *l = target;
	const char *v;

	*l = (struct leak_conf){ .window_ms = 10 * 60 * 1000LL, .within_ms = 3600 * 1000LL };
	if (node->type != YAML_SCALAR_NODE) {
		walk_mapping(w, node, leak_specs, l, "'leak'");
	} else if ((v = walk_scalar(w, node, "true or {window, within, limit}")) != NULL &&
	    strcmp(v, "true") != 0) {
		walk_error(w, node, "'leak': expected true or {window, within, limit}, got '%s'",
		    v);
		l->window_ms = 0;
	}
	(void)spec;
}

static const struct key_spec check_process_specs[] = {
	{ "pidfile", parse_string, OFF(check_conf, process.pidfile), NULL },
	{ "cpu", parse_nested, OFF(check_conf, process.cpu), number_limit_specs },
	{ "rss", parse_nested, OFF(check_conf, process.rss), size_limit_specs },
	{ "threads", parse_nested, OFF(check_conf, process.threads), number_limit_specs },
	{ "fds", parse_nested, OFF(check_conf, process.fds), number_limit_specs },
	{ "min_uptime", parse_duration, OFF(check_conf, process.min_uptime_ms), NULL },
	{ "leak", parse_leak, OFF(check_conf, process.leak), NULL },
	{ NULL, NULL, 0, NULL },
};

/* A size as a double, for limits shared with plain numbers. */
static void
parse_size_double(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	int64_t bytes = -1;

	parse_size(w, node, &bytes, spec);
	if (bytes >= 0)
		*(double *)target = (double)bytes;
}

/* Indexed by enum check_type. */
static const struct key_spec *const check_type_specs[] = {
	[CHECK_RESOURCE] = check_resource_specs,
	[CHECK_HTTP] = check_http_specs,
	[CHECK_TCP] = check_tcp_specs,
	[CHECK_COMMAND] = check_command_specs,
	[CHECK_FILE] = check_file_specs,
	[CHECK_PROCESS] = check_process_specs,
	[CHECK_DEPS] = check_deps_specs,
	[CHECK_LOG] = check_log_specs,
	[CHECK_HEARTBEAT] = check_heartbeat_specs,
};

static const struct key_spec fail_rule_specs[] = {
	{ "n", parse_positive_int, OFF(check_conf, fail_n), NULL },
	{ "of", parse_positive_int, OFF(check_conf, fail_of), NULL },
	{ NULL, NULL, 0, NULL },
};

/* fail: {n: 3, of: 5}: its keys land in the check itself. */
static void
parse_fail_rule(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	walk_mapping(w, node, fail_rule_specs, target, "'fail'");
}

static bool
parse_one_status(struct walk *w, yaml_node_t *node, struct status_range *r)
{
	const char *v = walk_scalar(w, node, "an HTTP status or range"), *dash, *e;
	char lo[16];
	double a = 0, b = 0;
	bool ok;

	if (v == NULL)
		return false;
	dash = strchr(v, '-');
	snprintf(lo, sizeof(lo), "%.*s", dash ? (int)(dash - v) : (int)strlen(v), v);
	ok = (dash == NULL || (size_t)(dash - v) < sizeof(lo)) &&
	    units_parse_number(lo, NUMBER_COUNT, &a, &e) == 0 &&
	    units_parse_number(dash ? dash + 1 : lo, NUMBER_COUNT, &b, &e) == 0;
	if (!ok || a < 100 || b > 599 || a > b) {
		walk_error(w, node, "'status': expected an HTTP status (200) or range "
		    "(200-299), got '%s'", v);
		return false;
	}
	r->lo = (int)a;
	r->hi = (int)b;
	return true;
}

/* status: 200 | "200-299" | [200, 204, "300-399"] */
static void
parse_status_list(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct http_check_conf *http = target;
	yaml_node_item_t *item;
	struct status_range r;

	free(http->status);
	http->status = NULL;
	http->n_status = 0;
	if (node->type != YAML_SEQUENCE_NODE) {
		if (parse_one_status(w, node, &r)) {
			http->status = xmalloc(sizeof(r));
			http->status[http->n_status++] = r;
		}
		return;
	}
	for (item = node->data.sequence.items.start;
	    item < node->data.sequence.items.top; item++) {
		if (!parse_one_status(w, yaml_document_get_node(w->doc, *item), &r))
			continue;
		http->status = xgrow(http->status, http->n_status,
		    sizeof(*http->status));
		http->status[http->n_status++] = r;
	}
}

/* port: 6379 or "host:port" */
static void
parse_tcp_target(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct tcp_check_conf *tcp = target;
	struct ready_conf parsed = { 0 };

	parse_ready_tcp(w, node, &parsed, spec);
	if (parsed.kind != READY_TCP)
		return;
	tcp->port = parsed.port;
	if (parsed.host != NULL) {
		free(tcp->host);
		tcp->host = parsed.host;
	}
}

static const struct key_spec log_specs[] = {
	{ "format", parse_enum, 0, log_format_words },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec heal_specs[] = {
	{ "auto", parse_bool, OFF(heal_conf, auto_heal), NULL },
	{ "max_attempts", parse_positive_int, OFF(heal_conf, max_attempts), NULL },
	{ "escalation_timeout", parse_duration, OFF(heal_conf, escalation_timeout_ms), NULL },
	{ "cooldown", parse_duration_or_zero, OFF(heal_conf, cooldown_ms), NULL },
	{ "verify_timeout", parse_duration, OFF(heal_conf, verify_timeout_ms), NULL },
	{ "verify_every", parse_duration, OFF(heal_conf, verify_every_ms), NULL },
	{ "correlation_window", parse_duration_or_zero, OFF(heal_conf, correlation_window_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

static void	parse_services(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_checks(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_self_healing(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_heal(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_auto_heal(struct walk *, yaml_node_t *, void *, const struct key_spec *);

static const struct key_spec root_specs[] = {
	{ "state_dir", parse_string, OFF(tend_config, state_dir), NULL },
	{ "interval", parse_duration, OFF(tend_config, interval_ms), NULL },
	{ "sample_every", parse_duration_or_zero, OFF(tend_config, sample_every_ms), NULL },
	{ "log", parse_nested, OFF(tend_config, log_format), log_specs },
	{ "heal", parse_heal, OFF(tend_config, heal), NULL },
	{ "auto_heal", parse_auto_heal, OFF(tend_config, heal), NULL },
	{ "services", parse_services, 0, NULL },
	{ "checks", parse_checks, 0, NULL },
	{ "self_healing", parse_self_healing, OFF(tend_config, self_healing), NULL },
	{ "actions", parse_named_actions, 0, NULL },
	{ "classify", parse_classify, 0, NULL },
	{ "anomaly", parse_anomaly, OFF(tend_config, anomaly), NULL },
	{ "web", parse_nested, OFF(tend_config, web), web_specs },
	{ "metrics", parse_nested, OFF(tend_config, metrics), metrics_specs },
	{ "alerts", parse_alerts, OFF(tend_config, alerts), NULL },
	{ "installers", parse_installers, 0, NULL },
	{ "environment", parse_environment, OFF(tend_config, environment), NULL },
	{ "cache_dir", parse_string, OFF(tend_config, cache_dir), NULL },
	{ "assets", parse_assets, 0, NULL },
	{ "snapshots", parse_snapshots, 0, NULL },
	{ "rebuild", parse_rebuilds, 0, NULL },
	{ "jobs", parse_jobs, 0, NULL },
	{ "chaos", parse_chaos, 0, NULL },
	{ "report", parse_report, OFF(tend_config, report), NULL },
	{ "proxies", parse_proxies, 0, NULL },
	{ "include", parse_include, 0, NULL },
	{ "exit_when", parse_exit_when, OFF(tend_config, exit_when), NULL },
	{ NULL, NULL, 0, NULL },
};

/* `restart:` is the policy of a supervised service, a command of an external one. */
static void
parse_restart(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	static const struct key_spec policy = { "restart", parse_enum, 0, restart_words };
	static const struct key_spec command = { "restart", parse_argv, 0, NULL };
	struct service_conf *svc = target;

	if (node->type == YAML_SEQUENCE_NODE)
		parse_argv(w, node, &svc->restart_cmd, &command);
	else
		parse_enum(w, node, &svc->restart, &policy);
}

/* `stop:` is {signal, timeout} for a supervised service, a command for an external one. */
static void
parse_stop(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	static const struct key_spec conf = { "stop", parse_nested, 0, stop_specs };
	static const struct key_spec command = { "stop", parse_argv, 0, NULL };
	struct service_conf *svc = target;

	if (node->type == YAML_MAPPING_NODE)
		parse_nested(w, node, &svc->stop, &conf);
	else
		parse_argv(w, node, &svc->stop_cmd, &command);
}

static void
parse_ready_tcp(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct ready_conf *ready = target;
	const char *v = walk_scalar(w, node, "a port or host:port"), *colon, *e;
	double port;

	if (v == NULL)
		return;
	colon = strrchr(v, ':');
	if (units_parse_number(colon ? colon + 1 : v, NUMBER_COUNT, &port, &e) < 0 ||
	    port < 1 || port > 65535) {
		walk_error(w, node, "'tcp': expected a port (1-65535) or host:port, "
		    "got '%s'", v);
		return;
	}
	ready->kind = READY_TCP;
	ready->port = (int)port;
	if (colon != NULL) {
		free(ready->host);
		ready->host = xstrndup(v, (size_t)(colon - v));
	}
}

static void
parse_ready(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct ready_conf *ready = target;
	const char *v;
	int kinds;

	if (node->type == YAML_SCALAR_NODE) {
		v = (const char *)node->data.scalar.value;
		if (strcmp(v, "notify") == 0)
			ready->kind = READY_NOTIFY;
		else if (strcmp(v, "started") == 0)
			ready->kind = READY_STARTED;
		else
			walk_error(w, node, "'ready': expected notify, started, or a "
			    "mapping with one of tcp, http, delay; got '%s'", v);
		return;
	}
	ready->delay_ms = 0;
	if (!walk_mapping(w, node, ready_specs, ready, "'ready'"))
		return;
	kinds = (ready->kind == READY_TCP) + (ready->url != NULL) + (ready->delay_ms > 0);
	if (kinds != 1) {
		walk_error(w, node, "'ready': expected exactly one of tcp, http, delay");
		return;
	}
	if (ready->url != NULL)
		ready->kind = READY_HTTP;
	else if (ready->delay_ms > 0)
		ready->kind = READY_DELAY;
}

/* "85%", "85" or 1.5: a threshold in the metric's own unit. */
void
parse_threshold(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	const char *v = walk_scalar(w, node, "a threshold"), *e;
	char num[64];
	size_t len;
	double d;

	if (v == NULL)
		return;
	len = strlen(v);
	if (len > 0 && v[len - 1] == '%')
		len--;
	snprintf(num, sizeof(num), "%.*s", (int)len, v);
	if (len >= sizeof(num) || units_parse_number(num, NUMBER_REAL, &d, &e) < 0 ||
	    d < 0) {
		walk_error(w, node, "'%s': expected a threshold like 85%% or 1.5, "
		    "got '%s'", spec->name, v);
		return;
	}
	*(double *)target = d;
}

static void
service_conf_init(struct service_conf *s)
{
	memset(s, 0, sizeof(*s));
	s->restart = RESTART_ALWAYS;
	s->backoff = (struct backoff_conf){ .initial_ms = 100, .max_ms = 30000,
	    .multiplier = 2.0, .jitter = 0.1, .reset_after_ms = 10000 };
	s->limit = (struct limit_conf){ .restarts = -1, .within_ms = 60000 };
	s->stop = (struct stop_conf){ .signal = SIGTERM, .timeout_ms = 10000 };
	s->ready = (struct ready_conf){ .kind = READY_STARTED, .timeout_ms = 30000 };
	s->log = (struct service_log_conf){ .max_size = 10 * 1024 * 1024, .keep = 5 };
	s->umask = -1;
	s->check_every_ms = 5000;
}

/* Where key stands in mapping, for errors found after the walk. */
void
parse_key_pos(struct walk *w, yaml_node_t *mapping, const char *key,
    struct conf_pos *pos)
{
	yaml_node_t *k = walk_key_node(w, mapping, key);

	if (k != NULL)
		*pos = walk_pos(w, k);
}

/* One service, or one copy of a service with instances (parse_instances.c). */
static struct service_conf *
parse_service_as(struct walk *w, yaml_node_t *key, yaml_node_t *value, const char *name)
{
	const struct key_spec *tables[] = { service_specs, instances_specs, NULL };
	struct tend_config *cfg = w->cfg;
	struct service_conf *s;
	char what[300];

	cfg->services = xgrow(cfg->services, cfg->n_services, sizeof(*cfg->services));
	s = &cfg->services[cfg->n_services++];
	service_conf_init(s);
	s->name = xstrdup(name);
	s->pos = walk_pos(w, key);
	snprintf(what, sizeof(what), "service '%s'", name);
	walk_mapping_tables(w, value, tables, s, what);
	parse_key_pos(w, value, "cwd", &s->cwd_pos);
	parse_key_pos(w, value, "user", &s->user_pos);
	parse_key_pos(w, value, "group", &s->group_pos);
	s->kind = s->pidfile != NULL && s->run == NULL ? SERVICE_EXTERNAL :
	    SERVICE_SUPERVISED;
	return s;
}

static void
parse_one_service(struct walk *w, yaml_node_t *key, yaml_node_t *value)
{
	parse_instances(w, key, value, parse_service_as);
}

static bool
parse_name_ok(const char *name)
{
	const char *p;

	for (p = name; *p != '\0'; p++)
		if (!(isalnum((unsigned char)*p) || strchr("-_.@", *p)))
			return false;
	return *name != '\0';
}

void
parse_named_entries(struct walk *w, yaml_node_t *node, const char *section,
    const char *noun, void (*one)(struct walk *, yaml_node_t *, yaml_node_t *))
{
	yaml_node_pair_t *pair, *start;
	yaml_node_t *key;
	const char *name;
	bool *repeated;

	if (node->type != YAML_MAPPING_NODE) {
		walk_error(w, node, "'%s': expected a mapping of names to settings",
		    section);
		return;
	}
	repeated = walk_repeated_keys(w, node);
	start = node->data.mapping.pairs.start;
	for (pair = start; pair < node->data.mapping.pairs.top; pair++) {
		key = yaml_document_get_node(w->doc, pair->key);
		if ((name = walk_scalar(w, key, "a name")) == NULL)
			continue;
		if (!parse_name_ok(name))
			walk_error(w, key, "'%s': name '%s' may hold only letters, digits "
			    "and - _ . @", section, name);
		else if (repeated[pair - start])
			walk_error(w, key, "%s '%s' is declared twice", noun, name);
		else if (include_first_entry(w, section, noun, key, name))
			one(w, key, yaml_document_get_node(w->doc, pair->value));
	}
	free(repeated);
}

static void
parse_services(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	w->cfg->services_written = true;
	parse_named_entries(w, node, "services", "service", parse_one_service);
}

struct check_conf *
parse_add_check(struct tend_config *cfg, const char *name)
{
	struct check_conf *c;

	cfg->checks = xgrow(cfg->checks, cfg->n_checks, sizeof(*cfg->checks));
	c = &cfg->checks[cfg->n_checks++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	c->type = CHECK_RESOURCE;
	c->warn = -1;
	c->crit = -1;
	c->timeout_ms = 10000;
	c->fail_after = 1;
	c->recover_after = 1;
	c->http.redirects = true;
	c->file.exists = true;
	c->file.mode = -1;
	c->file.min_size = -1;
	c->file.max_size = -1;
	c->file.changed = -1;
	log_check_init(c);
	c->heartbeat.grace_ms = -1;
	return c;
}

/* The service whose checks are being parsed, NULL for the host's. */
static const char *parse_check_owner;

static void
parse_one_check(struct walk *w, yaml_node_t *key, yaml_node_t *value)
{
	const struct key_spec *tables[] = { check_common_specs, NULL, NULL };
	const char *type;
	struct check_conf *c;
	char what[300];
	int i;

	if (w->in_instance) {
		/* A copy's checks are its own: "http@2" of "web@2". */
		snprintf(what, sizeof(what), "%s@%d", (const char *)key->data.scalar.value,
		    w->instance);
		c = parse_add_check(w->cfg, what);
	} else {
		c = parse_add_check(w->cfg, (const char *)key->data.scalar.value);
	}
	c->pos = walk_pos(w, key);
	c->service = parse_check_owner ? xstrdup(parse_check_owner) : NULL;
	c->metric = (enum resource_metric)-1;
	snprintf(what, sizeof(what), "check '%s'", c->name);
	type = walk_lookup(w, value, "type");
	if (type == NULL && value->type == YAML_MAPPING_NODE)
		walk_error(w, key, "check '%s': 'type' is required (resource, http, "
		    "tcp, command, file, process, deps, log or heartbeat)", c->name);
	for (i = 0; type != NULL && check_types[i] != NULL; i++)
		if (strcmp(type, check_types[i]) == 0)
			tables[1] = check_type_specs[i];
	walk_mapping_tables(w, value, tables, c, what);
}

static void
parse_checks(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_named_entries(w, node, "checks", "check", parse_one_check);
}

static void
parse_service_checks(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_check_owner = ((struct service_conf *)target)->name;
	parse_named_entries(w, node, "checks", "check", parse_one_check);
	parse_check_owner = NULL;
}

static void
parse_heal(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct heal_conf *heal = target;
	yaml_node_pair_t *pair;
	yaml_node_t *key;

	if (!walk_mapping(w, node, heal_specs, heal, "'heal'"))
		return;
	for (pair = node->data.mapping.pairs.start;
	    pair < node->data.mapping.pairs.top; pair++) {
		key = yaml_document_get_node(w->doc, pair->key);
		if (key->type == YAML_SCALAR_NODE &&
		    strcmp((char *)key->data.scalar.value, "auto") == 0)
			heal->auto_explicit = true;
	}
}

/* `auto_heal: false` at the top level, as `heal: {auto: false}`. */
static void
parse_auto_heal(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct heal_conf *heal = target;

	parse_bool(w, node, &heal->auto_heal, spec);
	heal->auto_explicit = true;
}

static void
parse_self_healing(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct self_healing_conf *sh = target;

	if (walk_mapping(w, node, self_healing_specs, sh, "'self_healing'"))
		sh->present = true;
}

void
parse_begin(struct tend_config *cfg)
{
	/* Sentinels: unset, so that self_healing may fill them. */
	cfg->interval_ms = 0;
	cfg->sample_every_ms = 1000;
	cfg->heal.max_attempts = 0;
	cfg->heal.escalation_timeout_ms = 0;
	cfg->heal.auto_heal = true;
	cfg->heal.cooldown_ms = -1;
	cfg->heal.correlation_window_ms = -1;
	cfg->self_healing.enabled = true;
	/* `scale:` scales by itself unless the block says otherwise. */
	cfg->self_healing.auto_scaling_enabled = true;
	cfg->anomaly = (struct anomaly_conf){ .enabled = true, .z = 4, .k = 3,
	    .window = 60, .min_delta = -1, .min_ratio = -1 };
	cfg->web = (struct web_conf){ .enabled = true, .max_connections = 256,
	    .port = 8090, .per_ip_connections = 64, .connection_timeout_ms = 10000,
	    .sse_clients = 32 };
}

void
parse_root(struct walk *w, yaml_node_t *root)
{
	if (root != NULL)	/* NULL: empty or out of bounds, reported by the loader */
		walk_mapping(w, root, root_specs, w->cfg, "the top level");
}

void
parse_apply_defaults(struct tend_config *cfg)
{
	size_t i;

	if (cfg->interval_ms == 0)
		cfg->interval_ms = 30000;
	if (cfg->heal.max_attempts == 0)
		cfg->heal.max_attempts = 3;
	if (cfg->heal.escalation_timeout_ms == 0)
		cfg->heal.escalation_timeout_ms = 300000;
	if (cfg->heal.cooldown_ms < 0)
		cfg->heal.cooldown_ms = 60000;
	if (cfg->heal.correlation_window_ms < 0)
		cfg->heal.correlation_window_ms = 30000;
	if (cfg->heal.verify_timeout_ms == 0)
		cfg->heal.verify_timeout_ms = 30000;
	if (cfg->heal.verify_every_ms == 0)
		cfg->heal.verify_every_ms = 1000;
	deps_apply_defaults(cfg);
	log_apply_defaults(cfg);
	jobs_add_heartbeats(cfg);
	heartbeat_apply_defaults(cfg);
	alerts_take_metric_labels(cfg);
	if (cfg->web.host == NULL)
		cfg->web.host = xstrdup("127.0.0.1");
	for (i = 0; i < cfg->n_services; i++)
		if (cfg->services[i].limit.restarts < 0)
			cfg->services[i].limit.restarts = 5;
	for (i = 0; i < cfg->n_checks; i++) {
		if (cfg->checks[i].path == NULL && cfg->checks[i].type == CHECK_RESOURCE)
			cfg->checks[i].path = xstrdup("/");
		if (cfg->checks[i].http.method == NULL)
			cfg->checks[i].http.method = xstrdup("GET");
		if (cfg->checks[i].tcp.host == NULL)
			cfg->checks[i].tcp.host = xstrdup("127.0.0.1");
	}
}
