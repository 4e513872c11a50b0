/*
 * `chaos:`, the experiments `tend chaos` runs (docs/chaos.md):
 *
 *   chaos:
 *     experiments:
 *       web-crash: { fault: kill, target: web, signal: KILL,
 *                    expect: { healed_within: 2s } }
 *       web-hang:  { fault: hang, target: web, duration: 30s,
 *                    expect: { healed_within: 10s } }
 *       db-down:   { fault: stop, target: db, duration: 5s,
 *                    expect: { detected_within: 1s } }
 *       flapping:  { fault: kill, target: web, repeat: 5, every: 2s,
 *                    expect: { escalated: true } }
 *       disk-full: { fault: fill_disk, path: /srv/app/tmp, leave: 1MB,
 *                    duration: 20s, expect: { detected_within: 5s } }
 *       cpu-hog:   { fault: cpu, cores: 1, duration: 20s }
 *       mem-leak:  { fault: memory, grow: 50MB/s, max: 256MB, duration: 20s }
 *       bad-conf:  { fault: config, set: app, corrupt: truncate,
 *                    expect: { rolled_back: true } }
 *       web-slow:  { fault: proxy, proxy: web-front, mode: latency, delay: 3s,
 *                    duration: 20s, expect: { detected_within: 5s } }
 *   proxies:
 *     web-front: { listen: 127.0.0.1:18080, upstream: 127.0.0.1:8080 }
 *
 * Only the config's own services are targets, only a path a disk check of
 * the config watches is filled, and only a proxy of the config, on
 * loopback to loopback, misbehaves.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "config/parse.h"
#include "config/validate.h"
#include "config/units.h"
#include "core/hostport.h"
#include "core/mem.h"

#define OFF(type, field)	offsetof(struct type, field)

static const char *const fault_words[] = {
	[CHAOS_KILL] = "kill", [CHAOS_HANG] = "hang", [CHAOS_STOP] = "stop",
	[CHAOS_FILL_DISK] = "fill_disk", [CHAOS_CPU] = "cpu", [CHAOS_MEMORY] = "memory",
	[CHAOS_CONFIG] = "config", [CHAOS_PROXY] = "proxy", NULL,
};

static const char *const mode_words[] = {
	[PROXY_PASS] = "pass", [PROXY_LATENCY] = "latency", [PROXY_RESET] = "reset",
	[PROXY_ERROR] = "error", NULL,
};

static const char *const corrupt_words[] = {
	[CHAOS_CORRUPT_TRUNCATE] = "truncate", [CHAOS_CORRUPT_GARBAGE] = "garbage", NULL,
};

static void	parse_tristate(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_rate(struct walk *, yaml_node_t *, void *, const struct key_spec *);

static const struct key_spec expect_specs[] = {
	{ "healed_within", parse_duration, OFF(chaos_expect, healed_within_ms), NULL },
	{ "detected_within", parse_duration, OFF(chaos_expect, detected_within_ms), NULL },
	{ "escalated", parse_tristate, OFF(chaos_expect, escalated), NULL },
	{ "root_cause", parse_string, OFF(chaos_expect, root_cause), NULL },
	{ "dependents_not_restarted", parse_tristate,
	    OFF(chaos_expect, dependents_not_restarted), NULL },
	{ "rolled_back", parse_tristate, OFF(chaos_expect, rolled_back), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec experiment_specs[] = {
	{ "fault", parse_enum, OFF(chaos_experiment, fault), fault_words },
	{ "target", parse_string, OFF(chaos_experiment, target), NULL },
	{ "signal", parse_signal, OFF(chaos_experiment, signal), NULL },
	{ "duration", parse_duration, OFF(chaos_experiment, duration_ms), NULL },
	{ "repeat", parse_positive_int, OFF(chaos_experiment, repeat), NULL },
	{ "every", parse_duration, OFF(chaos_experiment, every_ms), NULL },
	{ "timeout", parse_duration, OFF(chaos_experiment, timeout_ms), NULL },
	{ "path", parse_string, OFF(chaos_experiment, path), NULL },
	{ "leave", parse_size, OFF(chaos_experiment, leave), NULL },
	{ "cores", parse_positive_int, OFF(chaos_experiment, cores), NULL },
	{ "grow", parse_rate, OFF(chaos_experiment, grow), NULL },
	{ "max", parse_size, OFF(chaos_experiment, max), NULL },
	{ "set", parse_string, OFF(chaos_experiment, set), NULL },
	{ "file", parse_string, OFF(chaos_experiment, file), NULL },
	{ "corrupt", parse_enum, OFF(chaos_experiment, corrupt), corrupt_words },
	{ "proxy", parse_string, OFF(chaos_experiment, proxy), NULL },
	{ "mode", parse_enum, OFF(chaos_experiment, mode), mode_words },
	{ "delay", parse_duration, OFF(chaos_experiment, delay_ms), NULL },
	{ "expect", parse_nested, OFF(chaos_experiment, expect), expect_specs },
	{ NULL, NULL, 0, NULL },
};

/* A size a second: "50MB/s" (the "/s" may be left out). */
static void
parse_rate(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	const char *v = walk_scalar(w, node, "a size a second like 50MB/s"), *expected;
	char buf[64];
	size_t len;
	double n;

	if (v == NULL)
		return;
	len = strlen(v);
	if (len >= 2 && strcmp(v + len - 2, "/s") == 0)
		len -= 2;
	snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) ? len : sizeof(buf) - 1), v);
	if (units_parse_number(buf, NUMBER_SIZE, &n, &expected) < 0 || n < 1)
		walk_error(w, node, "'%s': expected a size a second like 50MB/s, got '%s'",
		    spec->name, v);
	else
		*(int64_t *)target = (int64_t)n;
}

/* A bool into an int that stays -1 (not asked) when the key is absent. */
static void
parse_tristate(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	bool b = false;

	parse_bool(w, node, &b, spec);
	*(int *)target = b;
}

static void
parse_one_experiment(struct walk *w, yaml_node_t *key, yaml_node_t *value)
{
	struct tend_config *cfg = w->cfg;
	struct chaos_experiment *x;
	char what[300];

	cfg->chaos = xgrow(cfg->chaos, cfg->n_chaos, sizeof(*cfg->chaos));
	x = &cfg->chaos[cfg->n_chaos++];
	*x = (struct chaos_experiment){ .name = xstrdup((const char *)key->data.scalar.value),
	    .pos = walk_pos(w, key), .fault = -1, .signal = SIGKILL, .duration_ms = 10000,
	    .repeat = 1, .every_ms = 2000, .timeout_ms = 60000, .leave = 1024 * 1024,
	    .cores = 1, .grow = 50 * 1024 * 1024, .max = 256 * 1024 * 1024,
	    .mode = PROXY_ERROR, .delay_ms = 2000,
	    .expect = { .healed_within_ms = -1, .detected_within_ms = -1, .escalated = -1,
	    .dependents_not_restarted = -1, .rolled_back = -1 } };
	snprintf(what, sizeof(what), "chaos experiment '%s'", x->name);
	if (!walk_mapping(w, value, experiment_specs, x, what))
		return;
	parse_key_pos(w, value, "fault", &x->fault_pos);
	parse_key_pos(w, value, "target", &x->target_pos);
	parse_key_pos(w, value, "path", &x->path_pos);
	parse_key_pos(w, value, "set", &x->set_pos);
	parse_key_pos(w, value, "file", &x->file_pos);
	parse_key_pos(w, value, "proxy", &x->proxy_pos);
	if (walk_key_node(w, value, "fault") == NULL)
		walk_error(w, key, "chaos experiment '%s': 'fault' is required (kill, hang, "
		    "stop, fill_disk, cpu or memory)", x->name);
	else if (CHAOS_NEEDS_TARGET(x->fault) && x->target == NULL &&
	    walk_key_node(w, value, "target") == NULL)
		walk_error(w, key, "chaos experiment '%s': 'target' is required (the service "
		    "the fault is for)", x->name);
	else if (x->fault == CHAOS_FILL_DISK && x->path == NULL &&
	    walk_key_node(w, value, "path") == NULL)
		walk_error(w, key, "chaos experiment '%s': 'path' is required (the directory "
		    "to fill, one a disk check watches)", x->name);
	else if (x->fault == CHAOS_CONFIG && x->set == NULL &&
	    walk_key_node(w, value, "set") == NULL)
		walk_error(w, key, "chaos experiment '%s': 'set' is required (the snapshot set "
		    "whose file is broken and put back)", x->name);
	else if (x->fault == CHAOS_PROXY && x->proxy == NULL &&
	    walk_key_node(w, value, "proxy") == NULL)
		walk_error(w, key, "chaos experiment '%s': 'proxy' is required (a name under "
		    "proxies:)", x->name);
}

static void
parse_experiments(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_named_entries(w, node, "experiments", "chaos experiment",
	    parse_one_experiment);
}

static const struct key_spec proxy_specs[] = {
	{ "listen", parse_string, OFF(proxy_conf, listen), NULL },
	{ "upstream", parse_string, OFF(proxy_conf, upstream), NULL },
	{ NULL, NULL, 0, NULL },
};

static void
parse_one_proxy(struct walk *w, yaml_node_t *key, yaml_node_t *value)
{
	struct tend_config *cfg = w->cfg;
	struct proxy_conf *p;
	char what[300];

	cfg->proxies = xgrow(cfg->proxies, cfg->n_proxies, sizeof(*cfg->proxies));
	p = &cfg->proxies[cfg->n_proxies++];
	*p = (struct proxy_conf){ .name = xstrdup((const char *)key->data.scalar.value),
	    .pos = walk_pos(w, key) };
	snprintf(what, sizeof(what), "proxy '%s'", p->name);
	if (!walk_mapping(w, value, proxy_specs, p, what))
		return;
	parse_key_pos(w, value, "listen", &p->listen_pos);
	parse_key_pos(w, value, "upstream", &p->upstream_pos);
	if (p->listen == NULL || p->upstream == NULL)
		walk_error(w, key, "proxy '%s': 'listen' and 'upstream' are required "
		    "(127.0.0.1:PORT each)", p->name);
}

void
parse_proxies(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	parse_named_entries(w, node, "proxies", "proxy", parse_one_proxy);
}

/* schedule: "every 24h [at [Sun] 03:00]": game days, run by the daemon. */
static void
parse_chaos_schedule(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_schedule_text(w, node, target, spec);
	w->cfg->chaos_schedule_pos = walk_pos(w, node);
}

static const struct key_spec chaos_specs[] = {
	{ "experiments", parse_experiments, 0, NULL },
	{ "schedule", parse_chaos_schedule, OFF(tend_config, chaos_schedule), NULL },
	{ "at", parse_schedule_at, OFF(tend_config, chaos_schedule), NULL },
	{ "scheduled", parse_string_list, OFF(tend_config, chaos_scheduled), NULL },
	{ NULL, NULL, 0, NULL },
};

void
parse_chaos(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	struct schedule *s = &w->cfg->chaos_schedule;
	yaml_node_t *at;

	*s = (struct schedule){ .at_wday = -1, .at_min = -1 };
	if (!walk_mapping(w, node, chaos_specs, w->cfg, "chaos") ||
	    (at = walk_key_node(w, node, "at")) == NULL || s->at_min < 0)
		return;
	if (s->every_ms == 0)
		walk_error(w, at, "chaos: 'at' needs 'schedule', how often: schedule: \"every 1d\" "
		    "(or \"every 7d\" with a weekday)");
	else
		parse_schedule_check(w, at, s, "chaos");
}

const struct proxy_conf *
config_find_proxy(const struct tend_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_proxies; i++)
		if (strcmp(cfg->proxies[i].name, name) == 0)
			return &cfg->proxies[i];
	return NULL;
}

int
proxy_address(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[256];
	int port;

	memset(ss, 0, sizeof(*ss));
	if (s == NULL || hostport_split(s, host, sizeof(host), &port) < 0 || port <= 0)
		return -1;
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		if ((ntohl(in->sin_addr.s_addr) >> 24) != 127)
			return -1;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1 &&
	    IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	return -1;
}

const struct chaos_experiment *
config_find_chaos(const struct tend_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_chaos; i++)
		if (strcmp(cfg->chaos[i].name, name) == 0)
			return &cfg->chaos[i];
	return NULL;
}

const char *
chaos_fault_name(int fault)
{
	return fault >= 0 && fault < CHAOS_FAULTS ? fault_words[fault] : "?";
}

/* Whether file is one of set's paths or below one (as they are written, normalized). */
static bool
chaos_file_in_set(const struct tend_config *cfg, const char *set, const char *file)
{
	const struct snapshot_set_conf *s = set != NULL ? config_find_snapshot_set(cfg, set) :
	    NULL;
	size_t i, len;

	if (s == NULL || file[0] != '/' || strstr(file, "/../") != NULL)
		return false;
	for (i = 0; s->paths != NULL && s->paths[i] != NULL; i++) {
		len = strlen(s->paths[i]);
		if (strncmp(file, s->paths[i], len) == 0 && (file[len] == '\0' ||
		    file[len] == '/'))
			return true;
	}
	return false;
}

/* Whether a disk check of the config watches path (as it is written). */
static bool
chaos_disk_watched(const struct tend_config *cfg, const char *path)
{
	size_t i;

	for (i = 0; i < cfg->n_checks; i++)
		if (cfg->checks[i].type == CHECK_RESOURCE &&
		    cfg->checks[i].metric == RESOURCE_DISK && cfg->checks[i].path != NULL &&
		    strcmp(cfg->checks[i].path, path) == 0)
			return true;
	return false;
}

void
config_validate_chaos(const struct tend_config *cfg, struct config_errors *errs)
{
	const struct chaos_experiment *x;
	struct sockaddr_storage ss;
	size_t i;

	for (i = 0; cfg->chaos_scheduled != NULL && cfg->chaos_scheduled[i] != NULL; i++)
		if (config_find_chaos(cfg, cfg->chaos_scheduled[i]) == NULL)
			validate_error(errs, &cfg->chaos_schedule_pos, "chaos: scheduled names "
			    "'%s', which is no experiment", cfg->chaos_scheduled[i]);
	if (cfg->chaos_schedule.every_ms > 0 && cfg->n_chaos == 0)
		validate_error(errs, &cfg->chaos_schedule_pos, "chaos: a schedule without "
		    "experiments");
	for (i = 0; i < cfg->n_proxies; i++) {
		if (cfg->proxies[i].listen != NULL && proxy_address(cfg->proxies[i].listen, &ss) < 0)
			validate_error(errs, &cfg->proxies[i].listen_pos, "proxy '%s': 'listen' "
			    "must be a loopback address and port (127.0.0.1:18080 or [::1]:18080), "
			    "got '%s'", cfg->proxies[i].name, cfg->proxies[i].listen);
		if (cfg->proxies[i].upstream != NULL &&
		    proxy_address(cfg->proxies[i].upstream, &ss) < 0)
			validate_error(errs, &cfg->proxies[i].upstream_pos, "proxy '%s': "
			    "'upstream' must be a loopback address and port (a proxy never "
			    "forwards off this host), got '%s'", cfg->proxies[i].name,
			    cfg->proxies[i].upstream);
	}
	for (i = 0; i < cfg->n_chaos; i++) {
		x = &cfg->chaos[i];
		if (x->proxy != NULL && config_find_proxy(cfg, x->proxy) == NULL)
			validate_error(errs, &x->proxy_pos, "chaos experiment '%s': no proxy named "
			    "'%s' under proxies:", x->name, x->proxy);
		if (x->set != NULL && config_find_snapshot_set(cfg, x->set) == NULL)
			validate_error(errs, &x->set_pos, "chaos experiment '%s': no snapshot set "
			    "named '%s'", x->name, x->set);
		else if (x->file != NULL && !chaos_file_in_set(cfg, x->set, x->file))
			validate_error(errs, &x->file_pos, "chaos experiment '%s': '%s' is not in "
			    "snapshot set '%s' (only a file of the set is broken: the set puts it "
			    "back)", x->name, x->file, x->set != NULL ? x->set : "?");
		if (x->target != NULL && config_find_service(cfg, x->target) == NULL)
			validate_error(errs, &x->target_pos, "chaos experiment '%s': no service "
			    "named '%s' (a fault is only ever for a service of this config)",
			    x->name, x->target);
		if (x->fault == CHAOS_FILL_DISK && x->path != NULL &&
		    !chaos_disk_watched(cfg, x->path))
			validate_error(errs, &x->path_pos, "chaos experiment '%s': no disk check "
			    "watches '%s' (only a path a resource check with metric disk names "
			    "is filled)", x->name, x->path);
	}
}
