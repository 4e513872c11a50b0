/*
 * command checks, Nagios plugin style: run argv with a timeout; exit codes
 * 0/1/2/3 are healthy/warning/critical/unknown; the output's first line is
 * the message and its perfdata become metrics. Debian's monitoring-plugins
 * (check_http, check_disk, check_load, ...) work unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/check_kinds.h"
#include "core/mem.h"
#include "supervise/spawn.h"
#include "core/strv.h"

/* Plugins print a line or a screenful; more is dropped. */
#define COMMAND_OUTPUT_KEEP	(64 * 1024)

struct command_run {
	struct check_run *run;		/* NULL once reported or cancelled */
	uv_process_t	 proc;
	uv_pipe_t	 out;
	uv_timer_t	 timer;
	char		*output;
	size_t		 len;
	int		 open;
	bool		 exited;
	bool		 eof;
	bool		 timed_out;
	int64_t		 code;
	int		 signal;
};

static void
command_closed(uv_handle_t *handle)
{
	struct command_run *c = handle->data;

	if (--c->open == 0) {
		free(c->output);
		free(c);
	}
}

static void
command_close_all(struct command_run *c)
{
	uv_timer_stop(&c->timer);
	if (!uv_is_closing((uv_handle_t *)&c->timer))
		uv_close((uv_handle_t *)&c->timer, command_closed);
	if (!uv_is_closing((uv_handle_t *)&c->out))
		uv_close((uv_handle_t *)&c->out, command_closed);
	if (c->exited && !uv_is_closing((uv_handle_t *)&c->proc))
		uv_close((uv_handle_t *)&c->proc, command_closed);
}

static enum health_state
command_state(const struct command_run *c, char *why, size_t len)
{
	if (c->timed_out) {
		snprintf(why, len, "timed out after %lldms",
		    (long long)c->run->conf->timeout_ms);
		return HEALTH_UNKNOWN;
	}
	if (c->signal != 0) {
		snprintf(why, len, "killed by signal %d", c->signal);
		return HEALTH_UNKNOWN;
	}
	if (c->code >= 0 && c->code <= 3)
		return (enum health_state)c->code;
	snprintf(why, len, "exit code %lld", (long long)c->code);
	return HEALTH_UNKNOWN;
}

/* Both the exit and the end of output are needed before judging. */
static void
command_maybe_report(struct command_run *c)
{
	struct check_run *run = c->run;
	struct check_result r;
	char why[128] = "";

	if (run == NULL || !c->exited || !(c->eof || c->timed_out))
		return;
	check_result_init(&r);
	perfdata_parse_output(c->output ? c->output : "", &r);
	r.state = command_state(c, why, sizeof(why));
	if (why[0] != '\0' || r.message[0] == '\0') {
		char msg[sizeof(r.message)];

		snprintf(msg, sizeof(msg), "%s%s%s", run->conf->command.argv[0],
		    why[0] ? ": " : "", why[0] ? why : ": no output");
		if (r.message[0] != '\0' && why[0] != '\0')
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), " (%.200s)",
			    r.message);
		snprintf(r.message, sizeof(r.message), "%s", msg);
	}
	r.latency_ms = check_run_elapsed_ms(run);
	c->run = NULL;
	command_close_all(c);
	check_run_finish(run, &r);
	check_result_clear(&r);
}

static void
command_exited(uv_process_t *proc, int64_t status, int term_signal)
{
	struct command_run *c = proc->data;

	c->exited = true;
	c->code = status;
	c->signal = c->timed_out ? 0 : term_signal;
	/* A plugin's children may hold the pipe open: end them with it. */
	kill(-proc->pid, SIGKILL);
	if (c->run == NULL) {
		uv_close((uv_handle_t *)proc, command_closed);
		return;
	}
	command_maybe_report(c);
}

static void
command_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	struct command_run *c = handle->data;

	c->output = xrealloc(c->output, c->len + 4096 + 1);
	buf->base = c->output + c->len;
	buf->len = 4096;
}

static void
command_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
	struct command_run *c = stream->data;

	if (n > 0 && c->len < COMMAND_OUTPUT_KEEP)
		c->len += (size_t)n;
	if (c->output != NULL)
		c->output[c->len] = '\0';
	if (n < 0) {
		c->eof = true;
		uv_read_stop(stream);
		command_maybe_report(c);
	}
}

static void
command_timed_out(uv_timer_t *timer)
{
	struct command_run *c = timer->data;

	c->timed_out = true;
	if (!c->exited)
		kill(-c->proc.pid, SIGKILL);
	command_maybe_report(c);
}

static void
command_cancel(struct check_run *run)
{
	struct command_run *c = run->kind;

	c->run = NULL;
	if (!c->exited)
		kill(-c->proc.pid, SIGKILL);
	command_close_all(c);
}

void
check_command_start(struct check_run *run)
{
	struct command_run *c = xcalloc(1, sizeof(*c));
	uv_process_options_t opts = { 0 };
	uv_stdio_container_t stdio[3];
	char **env = spawn_environment(NULL);
	int fds[2], rc;

	c->run = run;
	/* One pipe for stdout and stderr, as 2>&1: a plugin's error shows. */
	if (pipe2(fds, O_CLOEXEC) < 0) {
		strv_free(env);
		free(c);
		check_run_finish_soon(run, HEALTH_UNKNOWN, "pipe: %s", strerror(errno));
		return;
	}
	uv_pipe_init(run->env->loop, &c->out, 0);
	uv_pipe_open(&c->out, fds[0]);
	uv_timer_init(run->env->loop, &c->timer);
	c->out.data = c->timer.data = c->proc.data = c;
	c->open = 2;
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = stdio[2].flags = UV_INHERIT_FD;
	stdio[1].data.fd = stdio[2].data.fd = fds[1];
	opts.file = run->conf->command.argv[0];
	opts.args = run->conf->command.argv;
	opts.env = env;
	opts.flags = UV_PROCESS_DETACHED;
	opts.stdio = stdio;
	opts.stdio_count = 3;
	opts.exit_cb = command_exited;
	rc = uv_spawn(run->env->loop, &c->proc, &opts);
	close(fds[1]);
	strv_free(env);
	if (rc != 0) {
		c->open++;
		c->exited = true;
		c->run = NULL;
		command_close_all(c);
		check_run_finish_soon(run, HEALTH_UNKNOWN, "%s: %s",
		    run->conf->command.argv[0], uv_strerror(rc));
		return;
	}
	c->open++;
	uv_read_start((uv_stream_t *)&c->out, command_alloc, command_read);
	uv_timer_start(&c->timer, command_timed_out, (uint64_t)run->conf->timeout_ms, 0);
	run->kind = c;
	run->cancel = command_cancel;
}
