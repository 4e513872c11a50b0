/*
 * command checks, Nagios plugin style: run argv with a timeout; exit codes
 * 0/1/2/3 are healthy/warning/critical/unknown; the output's first line is
 * the message and its perfdata become metrics. Debian's monitoring-plugins
 * (check_http, check_disk, check_load, ...) work unchanged.
 */
#include <stdio.h>
#include <string.h>

#include "checks/capture.h"
#include "checks/check_kinds.h"

static enum health_state
command_state(const struct check_run *run, int64_t code, int signal,
    bool timed_out, char *why, size_t len)
{
	if (timed_out) {
		snprintf(why, len, "timed out after %lldms",
		    (long long)run->conf->timeout_ms);
		return HEALTH_UNKNOWN;
	}
	if (signal != 0) {
		snprintf(why, len, "killed by signal %d", signal);
		return HEALTH_UNKNOWN;
	}
	if (code >= 0 && code <= 3)
		return (enum health_state)code;
	snprintf(why, len, "exit code %lld", (long long)code);
	return HEALTH_UNKNOWN;
}

static void
command_done(void *arg, int64_t code, int signal, bool timed_out, const char *output)
{
	struct check_run *run = arg;
	struct check_result r;
	char why[128] = "", msg[sizeof(r.message)];

	check_result_init(&r);
	perfdata_parse_output(output, &r);
	r.state = command_state(run, code, signal, timed_out, why, sizeof(why));
	if (why[0] != '\0' || r.message[0] == '\0') {
		snprintf(msg, sizeof(msg), "%s: %s", run->conf->command.argv[0],
		    why[0] ? why : "no output");
		if (r.message[0] != '\0')
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), " (%.200s)",
			    r.message);
		snprintf(r.message, sizeof(r.message), "%s", msg);
	}
	r.latency_ms = check_run_elapsed_ms(run);
	check_run_finish(run, &r);
	check_result_clear(&r);
}

static void
command_cancel(struct check_run *run)
{
	capture_cancel(run->kind);
}

void
check_command_start(struct check_run *run)
{
	struct capture *c;
	int err;

	c = capture_start(run->env->loop, run->conf->command.argv, run->conf->timeout_ms,
	    command_done, run, &err);
	if (c == NULL) {
		check_run_finish_soon(run, HEALTH_UNKNOWN, "%s: %s",
		    run->conf->command.argv[0], uv_strerror(err));
		return;
	}
	run->kind = c;
	run->cancel = command_cancel;
}
