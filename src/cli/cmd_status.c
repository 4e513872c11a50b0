#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/table.h"

/* Past this many checks, the table lists those that are not healthy. */
#define STATUS_ALL_CHECKS_UP_TO	50

/* A string member, "-" when it is missing. */
static const char *
status_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "-";
}

static void
status_format_uptime(json_t *ms_value, char *buf, size_t len)
{
	long long s;

	if (!json_is_integer(ms_value)) {
		snprintf(buf, len, "-");
		return;
	}
	s = json_integer_value(ms_value) / 1000;
	if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%lldm", s / 3600, s / 60 % 60);
	else
		snprintf(buf, len, "%lldd%lldh", s / 86400, s / 3600 % 24);
}

static void
status_format_exit(json_t *ex, char *buf, size_t len)
{
	json_t *sig = json_object_get(ex, "signal");
	json_t *cause = json_object_get(ex, "cause");

	if (!json_is_object(ex))
		snprintf(buf, len, "-");
	else if (json_is_string(cause) && strcmp(json_string_value(cause), "stop") != 0)
		snprintf(buf, len, "%s", json_string_value(cause));
	else if (json_is_string(sig))
		snprintf(buf, len, "SIG%s", json_string_value(sig));
	else
		snprintf(buf, len, "code %lld",
		    (long long)json_integer_value(json_object_get(ex, "code")));
}

/* tend's own troubles (its store, its logs), each with what to do. */
static void
status_print_self(json_t *tend)
{
	json_t *problems = json_object_get(tend, "problems"), *p;
	const char *hint;
	size_t i;

	json_array_foreach(problems, i, p) {
		hint = json_string_value(json_object_get(p, "hint"));
		cli_printf(stdout, "tend: %s: %s%s%s\n",
		    json_string_value(json_object_get(p, "part")),
		    json_string_value(json_object_get(p, "error")), hint ? " — " : "",
		    hint ? hint : "");
	}
}

static void
status_print_services(json_t *services)
{
	static const struct table_column cols[] = {
		{ .head = "SERVICE", .min = 20 },
		{ .head = "STATE", .min = 9 },
		{ .head = "PID", .min = 8 },
		{ .head = "UPTIME", .min = 9 },
		{ .head = "RESTARTS", .min = 8 },
		{ .head = "LAST EXIT", .min = 16 },
		{ .head = "REASON" },
	};
	char pid[16], uptime[32], restarts[24], last[64];
	struct table *t;
	size_t i;
	json_t *s;

	if (json_array_size(services) == 0) {
		printf("no services\n");
		return;
	}
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(services, i, s) {
		if (json_is_integer(json_object_get(s, "pid")))
			snprintf(pid, sizeof(pid), "%lld",
			    (long long)json_integer_value(json_object_get(s, "pid")));
		else
			snprintf(pid, sizeof(pid), "-");
		status_format_uptime(json_object_get(s, "uptime_ms"), uptime,
		    sizeof(uptime));
		status_format_exit(json_object_get(s, "last_exit"), last, sizeof(last));
		snprintf(restarts, sizeof(restarts), "%lld",
		    (long long)json_integer_value(json_object_get(s, "restarts")));
		table_row(t, (const char *const[]){ status_str(s, "name"),
		    status_str(s, "state"), pid, uptime, restarts, last,
		    json_string_value(json_object_get(s, "reason")) ?: "" });
	}
	table_print(t, stdout);
	table_free(t);
}

static void
status_print_checks(json_t *checks)
{
	static const struct table_column cols[] = {
		{ .head = "CHECK", .min = 20 },
		{ .head = "STATE", .min = 9 },
		{ .head = "MESSAGE" },
	};
	struct table *t;
	size_t i;
	json_t *c;

	if (json_array_size(checks) == 0)
		return;
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(checks, i, c)
		table_row(t, (const char *const[]){ status_str(c, "name"),
		    status_str(c, "state"),
		    json_string_value(json_object_get(c, "message")) ?: "" });
	printf("\n");
	table_print(t, stdout);
	table_free(t);
}

/* How many of list have key set to each value, in the order first seen. */
static json_t *
status_tally(json_t *list, const char *key)
{
	json_t *tally = json_object(), *item;
	const char *v;
	size_t i;

	json_array_foreach(list, i, item) {
		v = status_str(item, key);
		json_object_set_new(tally, v, json_integer(
		    json_integer_value(json_object_get(tally, v)) + 1));
	}
	return tally;
}

/*
 * "N of M things STATE" for each state but the good one, or "M things
 * GOOD" when all are; appended to line.
 */
static void
status_summarize(char *line, size_t len, json_t *list, const char *key,
    const char *good, const char *noun)
{
	json_t *tally = status_tally(list, key), *n;
	size_t total = json_array_size(list), used;
	const char *state;

	if (total == 0) {
		json_decref(tally);
		return;
	}
	used = strlen(line);
	if (json_integer_value(json_object_get(tally, good)) == (json_int_t)total)
		snprintf(line + used, len - used, "%s%zu %s%s %s", used ? ", " : "",
		    total, noun, total == 1 ? "" : "s", good);
	json_object_foreach(tally, state, n) {
		if (strcmp(state, good) == 0)
			continue;
		used = strlen(line);
		snprintf(line + used, len - used, "%s%lld of %zu %s%s %s",
		    used ? ", " : "", (long long)json_integer_value(n), total, noun,
		    total == 1 ? "" : "s", state);
	}
	json_decref(tally);
}

/* The same from {"healthy": N, ...} counts of total things. */
static void
status_summarize_counts(char *line, size_t len, json_t *counts, const char *good,
    const char *noun)
{
	json_int_t total = 0;
	const char *state;
	size_t used;
	json_t *n;

	json_object_foreach(counts, state, n)
		total += json_integer_value(n);
	if (total == 0)
		return;
	used = strlen(line);
	if (json_integer_value(json_object_get(counts, good)) == total)
		snprintf(line + used, len - used, "%s%lld %s%s %s", used ? ", " : "",
		    (long long)total, noun, total == 1 ? "" : "s", good);
	json_object_foreach(counts, state, n) {
		if (strcmp(state, good) == 0)
			continue;
		used = strlen(line);
		snprintf(line + used, len - used, "%s%lld of %lld %s%s %s", used ? ", " : "",
		    (long long)json_integer_value(n), (long long)total, noun,
		    total == 1 ? "" : "s", state);
	}
}

/* Services run as copies: "copies: web 2 running (min 1, max 8), ...". */
static void
status_print_groups(json_t *groups)
{
	json_t *g;
	size_t i;

	json_array_foreach(groups, i, g) {
		printf("%s", i == 0 ? "copies: " : ", ");
		cli_put(stdout, status_str(g, "service"));
		printf(" %lld running (min %lld, max %lld)",
		    (long long)json_integer_value(json_object_get(g, "running")),
		    (long long)json_integer_value(json_object_get(g, "min")),
		    (long long)json_integer_value(json_object_get(g, "max")));
	}
	if (json_array_size(groups) > 0)
		printf("\n");
}

/* "9,990 healthy checks not listed (tend status --all)" */
static void
status_print_omitted(json_t *answer)
{
	json_int_t total = 0, shown = (json_int_t)json_array_size(json_object_get(answer,
	    "checks"));
	const char *state;
	json_t *n;

	json_object_foreach(json_object_get(answer, "check_counts"), state, n)
		total += json_integer_value(n);
	if (total > shown)
		printf("\n%lld healthy or paused checks not listed: tend status --all\n",
		    (long long)(total - shown));
}

/* "tend: critical — 1 of 5 services failed, 2 of 7 checks critical" */
static void
status_print_overall(json_t *answer)
{
	char line[1024] = "";

	status_summarize(line, sizeof(line), json_object_get(answer, "services"),
	    "state", "up", "service");
	if (json_is_object(json_object_get(answer, "check_counts")))
		status_summarize_counts(line, sizeof(line),
		    json_object_get(answer, "check_counts"), "healthy", "check");
	else
		status_summarize(line, sizeof(line), json_object_get(answer, "checks"),
		    "state", "healthy", "check");
	printf("tend: %s%s", status_str(answer, "state"), line[0] ? " \u2014 " : "");
	cli_put(stdout, line);
	printf("\n");
}

int
cmd_status(struct cli_options *opts)
{
	json_t *answer, *tend, *req;
	char *text;

	/*
	 * A table lists every check of a small config, and of a large one
	 * those that are not healthy (--all: every one); JSON has them all.
	 */
	req = json_pack("{s:s}", "cmd", "status");
	if (opts->format != OUTPUT_JSON) {
		json_object_set_new(req, "view", json_string("table"));
		if (!opts->all)
			json_object_set_new(req, "all_checks_up_to",
			    json_integer(STATUS_ALL_CHECKS_UP_TO));
	}
	answer = cli_call(opts, req);
	if (answer == NULL)
		return 1;
	if (opts->format == OUTPUT_JSON) {
		json_object_del(answer, "ok");
		text = json_dumps(answer, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("%s\n", text);
		free(text);
		json_decref(answer);
		return 0;
	}
	tend = json_object_get(answer, "tend");
	status_print_overall(answer);
	printf("tend %s, pid %lld, config ", status_str(tend, "version"),
	    (long long)json_integer_value(json_object_get(tend, "pid")));
	cli_put(stdout, status_str(tend, "config"));
	printf("\n");
	if (json_is_string(json_object_get(tend, "web_url")))
		printf("dashboard %s\n", status_str(tend, "web_url"));
	status_print_self(tend);
	printf("\n");
	status_print_services(json_object_get(answer, "services"));
	status_print_groups(json_object_get(answer, "groups"));
	status_print_checks(json_object_get(answer, "checks"));
	status_print_omitted(answer);
	if (json_integer_value(json_object_get(tend, "open_incidents")) > 0)
		printf("\n%lld open incidents: tend incidents --open\n",
		    (long long)json_integer_value(json_object_get(tend, "open_incidents")));
	json_decref(answer);
	return 0;
}
