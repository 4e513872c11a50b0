#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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
		printf("tend: %s: %s%s%s\n", json_string_value(json_object_get(p, "part")),
		    json_string_value(json_object_get(p, "error")), hint ? " — " : "",
		    hint ? hint : "");
	}
}

static void
status_print_services(json_t *services)
{
	char pid[16], uptime[32], last[64];
	size_t i;
	json_t *s;

	if (json_array_size(services) == 0) {
		printf("no services\n");
		return;
	}
	printf("%-20s %-9s %-8s %-9s %-8s %-16s %s\n", "SERVICE", "STATE", "PID",
	    "UPTIME", "RESTARTS", "LAST EXIT", "REASON");
	json_array_foreach(services, i, s) {
		if (json_is_integer(json_object_get(s, "pid")))
			snprintf(pid, sizeof(pid), "%lld",
			    (long long)json_integer_value(json_object_get(s, "pid")));
		else
			snprintf(pid, sizeof(pid), "-");
		status_format_uptime(json_object_get(s, "uptime_ms"), uptime,
		    sizeof(uptime));
		status_format_exit(json_object_get(s, "last_exit"), last, sizeof(last));
		printf("%-20s %-9s %-8s %-9s %-8lld %-16s %s\n",
		    json_string_value(json_object_get(s, "name")),
		    json_string_value(json_object_get(s, "state")), pid, uptime,
		    (long long)json_integer_value(json_object_get(s, "restarts")),
		    last, json_string_value(json_object_get(s, "reason")));
	}
}

static void
status_print_checks(json_t *checks)
{
	size_t i;
	json_t *c;

	if (json_array_size(checks) == 0)
		return;
	printf("\n%-20s %-9s %s\n", "CHECK", "STATE", "MESSAGE");
	json_array_foreach(checks, i, c) {
		printf("%-20s %-9s %s\n",
		    json_string_value(json_object_get(c, "name")),
		    json_string_value(json_object_get(c, "state")),
		    json_string_value(json_object_get(c, "message")) ?: "");
	}
}

int
cmd_status(struct cli_options *opts)
{
	json_t *answer, *tend;
	char *text;

	answer = cli_call(opts, json_pack("{s:s}", "cmd", "status"));
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
	printf("tend %s, pid %lld, config %s\n",
	    json_string_value(json_object_get(tend, "version")),
	    (long long)json_integer_value(json_object_get(tend, "pid")),
	    json_string_value(json_object_get(tend, "config")));
	if (json_is_string(json_object_get(tend, "web_url")))
		printf("dashboard %s\n", json_string_value(json_object_get(tend, "web_url")));
	status_print_self(tend);
	printf("\n");
	status_print_services(json_object_get(answer, "services"));
	status_print_checks(json_object_get(answer, "checks"));
	if (json_integer_value(json_object_get(tend, "open_incidents")) > 0)
		printf("\n%lld open incidents: tend incidents --open\n",
		    (long long)json_integer_value(json_object_get(tend, "open_incidents")));
	json_decref(answer);
	return 0;
}
