/* tend.yaml's sections, parsed into the model (internal to src/config). */
#ifndef TEND_CONFIG_PARSE_H
#define TEND_CONFIG_PARSE_H

#include "config/yaml_walk.h"

/* Parses a document's root into w->cfg (after parse_begin, for each file). */
void	parse_root(struct walk *w, yaml_node_t *root);
/* The settings' "unset" marks, before the first document is walked. */
void	parse_begin(struct tend_config *cfg);
/* Maps the self_healing block onto tend's settings (after parse_root). */
void	self_healing_apply(struct tend_config *cfg, struct config_errors *errs);
/* Fills what nothing set explicitly (after self_healing_apply). */
void	parse_apply_defaults(struct tend_config *cfg);
/* Adds a resource check; returns it. */
struct check_conf *parse_add_check(struct tend_config *cfg, const char *name);

extern const struct key_spec self_healing_specs[];
extern const struct key_spec web_specs[];	/* parse_web.c */
extern const struct key_spec metrics_specs[];	/* parse_web.c */
/* `exit_when:` (parse_web.c: what a container's PID 1 is told, beside its probes). */
void	parse_exit_when(struct walk *, yaml_node_t *, void *, const struct key_spec *);

/* "85%", "85" or 1.5: a threshold in the metric's own unit. */
void	parse_threshold(struct walk *, yaml_node_t *, void *, const struct key_spec *);

/*
 * Walks a mapping of NAME: {...}, calling one() for each well-named entry
 * the mapping names once; a name given twice is "NOUN 'NAME' is declared
 * twice".
 */
void	parse_named_entries(struct walk *w, yaml_node_t *node, const char *section,
	    const char *noun, void (*one)(struct walk *, yaml_node_t *, yaml_node_t *));

/* Where key stands in mapping (unchanged when absent), for errors found later. */
void	parse_key_pos(struct walk *w, yaml_node_t *mapping, const char *key,
	    struct conf_pos *pos);

/* parse_heal.c: key_spec parsers for the healing sections. */
void	parse_heal_plan(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_named_actions(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_classify(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_anomaly(struct walk *, yaml_node_t *, void *, const struct key_spec *);
/* Builds the name indexes of config_find_* (model.c), once nothing is added. */
void	config_index(struct tend_config *cfg);
/* What one action owns (model.c); the action itself is not freed. */
void	heal_action_free(struct heal_action *a);

/* parse_alerts.c: `alerts:`, its retry policy and channels. */
void	parse_alerts(struct walk *, yaml_node_t *, void *, const struct key_spec *);
/* metrics.labels under each Alertmanager channel's own labels. */
void	alerts_take_metric_labels(struct tend_config *cfg);

/* parse_deps.c: a deps check's items, `installers:`, `environment:`. */
extern const struct key_spec check_deps_specs[];
void	parse_installers(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_environment(struct walk *, yaml_node_t *, void *, const struct key_spec *);
/* The built-in installers not declared, what declared built-ins left out, defaults. */
void	deps_apply_defaults(struct tend_config *cfg);

/* parse_log.c: log checks' keys, defaults, and the implicit SERVICE-errors checks. */
extern const struct key_spec check_log_specs[];
extern const char log_default_error_pattern[];
void	log_check_init(struct check_conf *c);
void	log_apply_defaults(struct tend_config *cfg);
/* One per supervised service whose output no log check reads (rate > 0). */
void	log_add_implicit(struct tend_config *cfg, double rate);
/* parse_heartbeat.c: a heartbeat check's keys; grace and every by the period. */
extern const struct key_spec check_heartbeat_specs[];
void	heartbeat_apply_defaults(struct tend_config *cfg);

/*
 * parse_instances.c: `instances:` and `scale:`. parse_instances calls
 * one() for the service, or for each of its copies NAME@N with the walk's
 * instance set; instances_expand_deps turns a dependency on a group into
 * one on its copies that always run.
 */
extern const struct key_spec instances_specs[];
void	parse_instances(struct walk *w, yaml_node_t *key, yaml_node_t *value,
	    struct service_conf *(*one)(struct walk *, yaml_node_t *, yaml_node_t *,
	    const char *));
void	instances_expand_deps(struct tend_config *cfg);

/* parse_assets.c: `assets:`, what tend fetch downloads. */
void	parse_assets(struct walk *, yaml_node_t *, void *, const struct key_spec *);

/* parse_snapshots.c: `snapshots:`, `rebuild:`, and `retry:` mappings. */
void	parse_snapshots(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_rebuilds(struct walk *, yaml_node_t *, void *, const struct key_spec *);
/* parse_chaos.c: `chaos:` and its experiments. */
void	parse_chaos(struct walk *, yaml_node_t *, void *, const struct key_spec *);
/*
 * parse_schedule.c: a schedule (core/schedule.h) for `report:` and
 * `chaos:`. `at: "Sun 03:00"`, and "every 24h [at [Sun] 03:00]", each into
 * a struct schedule (whose at_min starts at -1); then the check of period
 * and time of day together, its errors at node, prefixed with what.
 */
void	parse_schedule_at(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_schedule_text(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_schedule_check(struct walk *w, yaml_node_t *node, const struct schedule *s,
	    const char *what);
/* parse_report.c: `report:`, the scheduled report. */
void	parse_report(struct walk *, yaml_node_t *, void *, const struct key_spec *);
/*
 * parse_jobs.c: `jobs:`; and for each job that no check watches, a
 * heartbeat check of its name whose period is the job's.
 */
void	parse_jobs(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	jobs_add_heartbeats(struct tend_config *cfg);
/* A service's rlimits: (parse_rlimits.c); target: the service_conf. */
void	parse_rlimits(struct walk *, yaml_node_t *, void *, const struct key_spec *);
/* A service's cgroup: block and the increase_resources action (parse_cgroup.c). */
void	parse_cgroup(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_action_increase(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_proxies(struct walk *, yaml_node_t *, void *, const struct key_spec *);
/* {attempts, initial, max, multiplier, jitter} into a struct retry_conf. */
void	parse_retry(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	retry_conf_init(struct retry_conf *r);
/* The set `tend` of the config file at path, unless one is declared (load.c). */
void	snapshots_add_implicit(struct tend_config *cfg, const char *path);

#endif
