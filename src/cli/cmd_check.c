/*
 * tend check: every selected check once, all at the same time, on a loop
 * of its own; a table or one JSON document; the overall state as the exit
 * code (0/1/2/3), so it slots into Nagios, CI and shell scripts alike.
 */
#include "cli/cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "checks/batch.h"
#include "cli/table.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/github.h"
#include "core/mem.h"
#include "daemon/control.h"

static bool
check_selected(const struct cli_options *opts, const struct check_conf *c)
{
	if (opts->only != NULL)
		return strcmp(opts->only, c->name) == 0;
	if (opts->select == 0)
		return true;
	if ((opts->select & CHECK_SELECT_SERVICES) && c->service != NULL)
		return true;
	if ((opts->select & CHECK_SELECT_RESOURCES) && c->type == CHECK_RESOURCE)
		return true;
	return (opts->select & CHECK_SELECT_DEPS) && c->type == CHECK_DEPS;
}

static void
check_print_text(const struct check_batch *b, bool verbose)
{
	static const struct table_column cols[] = {
		{ .head = "CHECK", .min = 20 },
		{ .head = "SERVICE", .min = 12 },
		{ .head = "TYPE", .min = 9 },
		{ .head = "STATE", .min = 9 },
		{ .head = "LATENCY", .min = 9, .right = true },
		{ .head = "MESSAGE", .lead = 1 },
	};
	struct table *t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	const struct check_outcome *o;
	const struct perf_metric *m;
	char latency[32], value[32];
	size_t i, j;

	for (i = 0; i < b->n; i++) {
		o = &b->v[i];
		snprintf(latency, sizeof(latency), "%.1fms", o->result.latency_ms);
		table_row(t, (const char *const[]){ o->conf->name, o->conf->service,
		    check_type_name(o->conf->type), health_state_name(o->result.state),
		    latency, o->result.message });
		for (j = 0; verbose && j < o->result.n_perf; j++) {
			m = &o->result.perf[j];
			if (isnan(m->value))
				snprintf(value, sizeof(value), "unknown");
			else
				snprintf(value, sizeof(value), "%g%s", m->value, m->uom);
			table_line(t, "    %s=%s", m->label, value);
		}
	}
	table_print(t, stdout);
	table_free(t);
	printf("\noverall: %s (%zu checks)\n", health_state_name(check_batch_overall(b)),
	    b->n);
}

json_t *
cli_check_outcome_json(const struct check_outcome *o)
{
	json_t *c = check_result_json(&o->result);

	json_object_set_new(c, "name", json_string(o->conf->name));
	json_object_set_new(c, "type", json_string(check_type_name(o->conf->type)));
	json_object_set_new(c, "service", o->conf->service ?
	    json_string(o->conf->service) : json_null());
	return c;
}

static json_t *
check_batch_json(const struct check_batch *b)
{
	json_t *checks = json_array();
	size_t i;

	for (i = 0; i < b->n; i++)
		json_array_append_new(checks, cli_check_outcome_json(&b->v[i]));
	return json_pack("{s:s, s:o}", "state",
	    health_state_name(check_batch_overall(b)), "checks", checks);
}

/* A Markdown table cell, "| text ". */
static void
check_github_cell(FILE *f, const char *s)
{
	fputs("| ", f);
	github_cell(f, s);
	fputc(' ', f);
}

/* Under GitHub Actions: a step output and a Markdown summary. */
static void
check_github_report(const struct check_batch *b)
{
	const char *out = getenv("GITHUB_OUTPUT"), *summary = github_step_summary();
	const char *state = health_state_name(check_batch_overall(b));
	FILE *f;
	size_t i;

	if (out != NULL && (f = fopen(out, "a")) != NULL) {
		fprintf(f, "health_status=%s\n", state);
		fclose(f);
	}
	if (summary == NULL || (f = fopen(summary, "a")) == NULL)
		return;
	fprintf(f, "### tend check: %s\n\n| check | service | state | latency | message |\n"
	    "| --- | --- | --- | ---: | --- |\n", state);
	for (i = 0; i < b->n; i++) {
		check_github_cell(f, b->v[i].conf->name);
		check_github_cell(f, b->v[i].conf->service ? b->v[i].conf->service : "-");
		check_github_cell(f, health_state_name(b->v[i].result.state));
		fprintf(f, "| %.1f ms ", b->v[i].result.latency_ms);
		check_github_cell(f, b->v[i].result.message);
		fputs("|\n", f);
	}
	fclose(f);
}

/*
 * Process checks need a service's pid: one-shot, tend asks the running
 * daemon (once) through its control socket.
 */
struct daemon_pids {
	const struct cli_options *opts;
	json_t		*status;
	bool		 asked;
};

/* The service's pid and those counted as its own, from the daemon's status. */
static int
check_daemon_pids(void *arg, const char *service, pid_t *pids, int max)
{
	struct daemon_pids *dp = arg;
	char *path, err[256];
	json_t *req, *s, *pid;
	size_t i, k;
	int n = 0;

	if (!dp->asked) {
		dp->asked = true;
		path = cli_socket_path(dp->opts);
		req = json_pack("{s:s}", "cmd", "status");
		if (control_call(path, req, &dp->status, err, sizeof(err)) < 0)
			dp->status = NULL;
		json_decref(req);
		free(path);
	}
	json_array_foreach(json_object_get(dp->status, "services"), i, s) {
		if (strcmp(json_string_value(json_object_get(s, "name")), service) != 0)
			continue;
		if (max < 1 || (pids[n++] = (pid_t)json_integer_value(json_object_get(s,
		    "pid"))) <= 0)
			return 0;
		json_array_foreach(json_object_get(s, "attached"), k, pid)
			if (n < max)
				pids[n++] = (pid_t)json_integer_value(pid);
		break;
	}
	return n;
}

void
cli_check_batch_run(struct check_batch *b, const struct cli_options *opts)
{
	struct daemon_pids pids = { .opts = opts };

	check_batch_run(b, check_daemon_pids, &pids);
	json_decref(pids.status);
}

int
cmd_check(struct cli_options *opts)
{
	struct check_batch b = { 0 };
	struct tend_config *cfg;
	enum health_state overall;
	json_t *doc;
	char *text;
	size_t i;

	if ((cfg = cli_load_config(opts->config_path, stderr)) == NULL)
		return 2;
	for (i = 0; i < cfg->n_checks; i++)
		if (check_selected(opts, &cfg->checks[i]))
			check_batch_add(&b, &cfg->checks[i]);
	if (opts->only != NULL && b.n == 0) {
		fprintf(stderr, "tend check: no check named '%s'\n", opts->only);
		config_free(cfg);
		return 2;
	}
	cli_check_batch_run(&b, opts);
	overall = check_batch_overall(&b);
	if (opts->format == OUTPUT_JSON) {
		doc = check_batch_json(&b);
		text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("%s\n", text);
		free(text);
		json_decref(doc);
	} else {
		check_print_text(&b, opts->verbose);
	}
	if (github_actions())
		check_github_report(&b);
	check_batch_clear(&b);
	config_free(cfg);
	return (int)overall;
}
