/* Freeing, finding and comparing parts of the model. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/parse.h"
#include "core/mem.h"
#include "core/strv.h"

static void	heal_actions_free(struct heal_action *v, size_t n);

static void
service_conf_free(struct service_conf *s)
{
	free(s->name);
	strv_free(s->run);
	free(s->cwd);
	strv_free(s->env);
	free(s->user);
	free(s->group);
	free(s->ready.host);
	free(s->ready.url);
	strv_free(s->depends_on);
	free(s->pidfile);
	strv_free(s->start_cmd);
	strv_free(s->stop_cmd);
	strv_free(s->restart_cmd);
	heal_actions_free(s->heal.v, s->heal.n);
	free(s->instance_of);
	free(s->scale.up_check);
}

void
heal_action_free(struct heal_action *a)
{
	free(a->name);
	free(a->service);
	strv_free(a->argv);
	strv_free(a->paths);
	free(a->snapshot);
	free(a->rebuild);
	heal_actions_free(a->alternatives, a->n_alternatives);
}

static void
heal_actions_free(struct heal_action *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		heal_action_free(&v[i]);
	free(v);
}

static void
check_conf_free(struct check_conf *c)
{
	free(c->name);
	free(c->service);
	free(c->path);
	free(c->http.url);
	free(c->http.method);
	strv_free(c->http.headers);
	free(c->http.body);
	free(c->http.status);
	free(c->http.contains);
	free(c->http.regex);
	free(c->tcp.host);
	free(c->tcp.send);
	free(c->tcp.expect);
	strv_free(c->command.argv);
	free(c->file.owner);
	free(c->file.sha256);
	free(c->process.pidfile);
	for (size_t i = 0; i < c->deps.n_items; i++) {
		free(c->deps.items[i].name);
		free(c->deps.items[i].constraint);
		free(c->deps.items[i].installer);
		free(c->deps.items[i].package);
	}
	free(c->deps.items);
	free(c->deps.installer);
	strv_free(c->deps.updates_cmd);
	free(c->log.file);
	strv_free(c->log.match);
	strv_free(c->log.ignore);
	if (c->heartbeat.key != NULL)
		explicit_bzero(c->heartbeat.key, strlen(c->heartbeat.key));
	free(c->heartbeat.key);
	free(c->heartbeat.file);
	heal_actions_free(c->heal.v, c->heal.n);
}

static void
assets_free(struct asset_conf *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].sha256);
		strv_free(v[i].mirrors);
		free(v[i].dest);
	}
	free(v);
}

static void
installers_free(struct installer_conf *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		strv_free(v[i].command);
		strv_free(v[i].download);
		strv_free(v[i].offline);
		strv_free(v[i].mirrors);
		free(v[i].mirror_flag);
		free(v[i].cache);
	}
	free(v);
}

static void
snapshots_free(struct snapshot_set_conf *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		strv_free(v[i].paths);
		strv_free(v[i].exclude);
		strv_free(v[i].symlinks);
		strv_free(v[i].restart);
	}
	free(v);
}

static void
chaos_free(struct chaos_experiment *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].target);
		free(v[i].path);
		free(v[i].set);
		free(v[i].file);
		free(v[i].proxy);
		free(v[i].expect.root_cause);
	}
	free(v);
}

static void
rebuilds_free(struct rebuild_conf *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].service);
		strv_free(v[i].clear);
		for (j = 0; j < v[i].n_steps; j++)
			strv_free(v[i].steps[j].argv);
		free(v[i].steps);
		free(v[i].snapshot);
		free(v[i].heal.name);
	}
	free(v);
}

static void
alerts_conf_free(struct alerts_conf *a)
{
	size_t i;

	for (i = 0; i < a->n_channels; i++) {
		free(a->channels[i].name);
		free(a->channels[i].webhook);
		strv_free(a->channels[i].command);
		strv_free(a->channels[i].headers);
		strv_free(a->channels[i].labels);
	}
	free(a->channels);
}

/* Every pointer of a web_conf: what web_conf_copy duplicates. */
static void
web_conf_clear(struct web_conf *w)
{
	free(w->host);
	strv_free(w->allowed_hosts);
}

void
web_conf_copy(struct web_conf *dst, const struct web_conf *src)
{
	web_conf_clear(dst);
	*dst = *src;
	dst->host = src->host != NULL ? xstrdup(src->host) : NULL;
	dst->allowed_hosts = strv_dup(src->allowed_hosts);
}

void
config_free(struct tend_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_services; i++)
		service_conf_free(&cfg->services[i]);
	free(cfg->services);
	for (i = 0; i < cfg->n_checks; i++)
		check_conf_free(&cfg->checks[i]);
	free(cfg->checks);
	heal_actions_free(cfg->actions, cfg->n_actions);
	for (i = 0; i < cfg->n_classify; i++) {
		free(cfg->classify[i].name);
		free(cfg->classify[i].match);
		free(cfg->classify[i].category);
	}
	free(cfg->classify);
	for (i = 0; i < cfg->anomaly.n_series; i++)
		free(cfg->anomaly.series[i].series);
	free(cfg->anomaly.series);
	web_conf_clear(&cfg->web);
	strv_free(cfg->metrics.labels);
	alerts_conf_free(&cfg->alerts);
	strv_free(cfg->report.to);
	free(cfg->report.to_pos);
	installers_free(cfg->installers, cfg->n_installers);
	strv_free(cfg->environment.probe);
	assets_free(cfg->assets, cfg->n_assets);
	snapshots_free(cfg->snapshots, cfg->n_snapshots);
	rebuilds_free(cfg->rebuilds, cfg->n_rebuilds);
	for (i = 0; i < cfg->n_jobs; i++) {
		free(cfg->jobs[i].name);
		strv_free(cfg->jobs[i].run);
	}
	free(cfg->jobs);
	chaos_free(cfg->chaos, cfg->n_chaos);
	strv_free(cfg->chaos_scheduled);
	for (i = 0; i < cfg->n_proxies; i++) {
		free(cfg->proxies[i].name);
		free(cfg->proxies[i].listen);
		free(cfg->proxies[i].upstream);
	}
	free(cfg->proxies);
	free(cfg->cache_dir);
	free(cfg->state_dir);
	free(cfg->exit_when.service);
	for (i = 0; i < cfg->n_includes; i++)
		free(cfg->includes[i].pattern);
	free(cfg->includes);
	strv_free(cfg->include_files);
	free(cfg->source);
	name_index_free(&cfg->services_by_name);
	name_index_free(&cfg->checks_by_name);
	name_index_free(&cfg->actions_by_name);
	name_index_free(&cfg->installers_by_name);
	name_index_free(&cfg->snapshots_by_name);
	name_index_free(&cfg->rebuilds_by_name);
	free(cfg);
}

/*
 * Lookups by name run for every reference the validation follows and
 * every event at run time: a sorted index, not a scan, so that a config
 * of 50,000 names is checked in linear time.
 */
void
config_index(struct tend_config *cfg)
{
	name_index_build(&cfg->services_by_name, cfg->services, cfg->n_services,
	    sizeof(*cfg->services), offsetof(struct service_conf, name));
	name_index_build(&cfg->checks_by_name, cfg->checks, cfg->n_checks,
	    sizeof(*cfg->checks), offsetof(struct check_conf, name));
	name_index_build(&cfg->actions_by_name, cfg->actions, cfg->n_actions,
	    sizeof(*cfg->actions), offsetof(struct heal_action, name));
	name_index_build(&cfg->installers_by_name, cfg->installers, cfg->n_installers,
	    sizeof(*cfg->installers), offsetof(struct installer_conf, name));
	name_index_build(&cfg->snapshots_by_name, cfg->snapshots, cfg->n_snapshots,
	    sizeof(*cfg->snapshots), offsetof(struct snapshot_set_conf, name));
	name_index_build(&cfg->rebuilds_by_name, cfg->rebuilds, cfg->n_rebuilds,
	    sizeof(*cfg->rebuilds), offsetof(struct rebuild_conf, name));
}

/* The first element of v named name: by the index when there is one. */
static const void *
config_find(const struct name_index *ix, const void *v, size_t n, size_t size,
    size_t offset, const char *name)
{
	const char *elem;
	size_t i;

	if (ix->v != NULL)
		return name_index_find(ix, name);
	for (i = 0; i < n; i++) {
		elem = (const char *)v + i * size;
		if (strcmp(*(char *const *)(elem + offset), name) == 0)
			return elem;
	}
	return NULL;
}

const struct service_conf *
config_find_service(const struct tend_config *cfg, const char *name)
{
	return config_find(&cfg->services_by_name, cfg->services, cfg->n_services,
	    sizeof(*cfg->services), offsetof(struct service_conf, name), name);
}

bool
config_needs_http(const struct tend_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_checks; i++)
		if (cfg->checks[i].type == CHECK_HTTP)
			return true;
	for (i = 0; i < cfg->n_services; i++)
		if (cfg->services[i].ready.kind == READY_HTTP)
			return true;
	for (i = 0; i < cfg->alerts.n_channels; i++)
		if (cfg->alerts.channels[i].webhook != NULL)
			return true;
	return false;
}

bool
config_is_group(const struct tend_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_services; i++)
		if (cfg->services[i].instance_of != NULL &&
		    strcmp(cfg->services[i].instance_of, name) == 0)
			return true;
	return false;
}

const struct check_conf *
config_find_check(const struct tend_config *cfg, const char *name)
{
	return config_find(&cfg->checks_by_name, cfg->checks, cfg->n_checks,
	    sizeof(*cfg->checks), offsetof(struct check_conf, name), name);
}

const struct heal_action *
config_find_action(const struct tend_config *cfg, const char *name)
{
	return config_find(&cfg->actions_by_name, cfg->actions, cfg->n_actions,
	    sizeof(*cfg->actions), offsetof(struct heal_action, name), name);
}

const struct installer_conf *
config_find_installer(const struct tend_config *cfg, const char *name)
{
	return config_find(&cfg->installers_by_name, cfg->installers,
	    cfg->n_installers, sizeof(*cfg->installers),
	    offsetof(struct installer_conf, name), name);
}

const struct snapshot_set_conf *
config_find_snapshot_set(const struct tend_config *cfg, const char *name)
{
	return config_find(&cfg->snapshots_by_name, cfg->snapshots, cfg->n_snapshots,
	    sizeof(*cfg->snapshots), offsetof(struct snapshot_set_conf, name), name);
}

const struct rebuild_conf *
config_find_rebuild(const struct tend_config *cfg, const char *name)
{
	return config_find(&cfg->rebuilds_by_name, cfg->rebuilds, cfg->n_rebuilds,
	    sizeof(*cfg->rebuilds), offsetof(struct rebuild_conf, name), name);
}

static bool
str_equal(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static bool
ready_equal(const struct ready_conf *a, const struct ready_conf *b)
{
	return a->kind == b->kind && str_equal(a->host, b->host) &&
	    a->port == b->port && str_equal(a->url, b->url) &&
	    a->delay_ms == b->delay_ms && a->timeout_ms == b->timeout_ms;
}

/* The same limits in the same order (what the child is given). */
static bool
rlimits_equal(const struct service_conf *a, const struct service_conf *b)
{
	int i;

	if (a->n_rlimits != b->n_rlimits)
		return false;
	for (i = 0; i < a->n_rlimits; i++)
		if (a->rlimits[i].resource != b->rlimits[i].resource ||
		    a->rlimits[i].soft != b->rlimits[i].soft ||
		    a->rlimits[i].hard != b->rlimits[i].hard)
			return false;
	return true;
}

static bool
cgroup_conf_equal(const struct service_cgroup_conf *a, const struct service_cgroup_conf *b)
{
	return a->enabled == b->enabled && a->memory_max == b->memory_max &&
	    a->memory_high == b->memory_high && a->cpu_quota_us == b->cpu_quota_us &&
	    a->cpu_period_us == b->cpu_period_us && a->pids_max == b->pids_max;
}

bool
service_conf_equal(const struct service_conf *a, const struct service_conf *b)
{
	return a->kind == b->kind && strv_equal(a->run, b->run) &&
	    str_equal(a->cwd, b->cwd) && strv_equal(a->env, b->env) &&
	    str_equal(a->user, b->user) && str_equal(a->group, b->group) &&
	    a->umask == b->umask && rlimits_equal(a, b) && a->restart == b->restart &&
	    cgroup_conf_equal(&a->cgroup, &b->cgroup) &&
	    memcmp(&a->backoff, &b->backoff, sizeof(a->backoff)) == 0 &&
	    a->limit.restarts == b->limit.restarts &&
	    a->limit.within_ms == b->limit.within_ms &&
	    a->stop.signal == b->stop.signal &&
	    a->stop.timeout_ms == b->stop.timeout_ms &&
	    ready_equal(&a->ready, &b->ready) && a->watchdog_ms == b->watchdog_ms &&
	    a->log.max_size == b->log.max_size && a->log.keep == b->log.keep &&
	    strv_equal(a->depends_on, b->depends_on) &&
	    str_equal(a->pidfile, b->pidfile) &&
	    strv_equal(a->start_cmd, b->start_cmd) &&
	    strv_equal(a->stop_cmd, b->stop_cmd) &&
	    strv_equal(a->restart_cmd, b->restart_cmd) &&
	    a->check_every_ms == b->check_every_ms;
}
