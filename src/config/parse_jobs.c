/*
 * `jobs:` — jobs the daemon runs on a schedule (docs/heartbeats.md):
 *   jobs:
 *     backup: { run: [/usr/local/bin/backup.sh], schedule: "every 1d at 03:00",
 *               timeout: 1h, jitter: 5m }
 *     rotate: { run: [/usr/sbin/logrotate, /etc/app.conf], schedule: "0 * * * 1-5" }
 * Each runs as `tend job NAME -- RUN`: its heartbeat pinged, its run
 * recorded. A job no check of the config watches gets a heartbeat check of
 * its name, whose period is the job's: a run that did not happen, or
 * failed, is an incident.
 */
#include "config/parse.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"

#define OFF(type, field)	offsetof(struct type, field)

static const struct key_spec job_specs[] = {
	{ "run", parse_argv, OFF(job_conf, run), NULL },
	/* a job's schedule may also be a cron line (the arg says so) */
	{ "schedule", parse_schedule_text, OFF(job_conf, schedule), "cron" },
	{ "at", parse_schedule_at, OFF(job_conf, schedule), NULL },
	{ "timeout", parse_duration, OFF(job_conf, timeout_ms), NULL },
	{ "jitter", parse_duration, OFF(job_conf, jitter_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

static void
parse_one_job(struct walk *w, yaml_node_t *key, yaml_node_t *value)
{
	struct tend_config *cfg = w->cfg;
	struct job_conf *j;
	char what[300];

	cfg->jobs = xgrow(cfg->jobs, cfg->n_jobs, sizeof(*cfg->jobs));
	j = &cfg->jobs[cfg->n_jobs++];
	*j = (struct job_conf){ .name = xstrdup((const char *)key->data.scalar.value),
	    .pos = walk_pos(w, key), .schedule = { .at_wday = -1, .at_min = -1 } };
	snprintf(what, sizeof(what), "job '%s'", j->name);
	if (!walk_mapping(w, value, job_specs, j, what))
		return;
	if (j->run == NULL || j->run[0] == NULL)
		walk_error(w, key, "job '%s': 'run' is required (the command, as a list)",
		    j->name);
	else if (j->schedule.every_ms <= 0 && walk_key_node(w, value, "schedule") == NULL)
		walk_error(w, key, "job '%s': 'schedule' is required, like \"every 1h\" or "
		    "\"every 1d at 03:00\"", j->name);
	else if (j->schedule.at_min >= 0 && !j->schedule.is_cron)
		parse_schedule_check(w, value, &j->schedule, what);
}

void
parse_jobs(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	(void)target, (void)spec;
	parse_named_entries(w, node, "jobs", "job", parse_one_job);
}

void
jobs_add_heartbeats(struct tend_config *cfg)
{
	struct check_conf *c;
	size_t i, k;

	for (i = 0; i < cfg->n_jobs; i++) {
		for (k = 0; k < cfg->n_checks && strcmp(cfg->checks[k].name,
		    cfg->jobs[i].name) != 0; k++)
			;
		if (k < cfg->n_checks || cfg->jobs[i].schedule.every_ms <= 0)
			continue;
		c = parse_add_check(cfg, cfg->jobs[i].name);
		c->pos = cfg->jobs[i].pos;
		c->type = CHECK_HEARTBEAT;
		c->heartbeat.period_ms = cfg->jobs[i].schedule.every_ms +
		    cfg->jobs[i].jitter_ms + cfg->jobs[i].timeout_ms;
		c->heartbeat.grace_ms = -1;
		c->heal.present = true;		/* a job of no service: a human's, as said */
	}
}
