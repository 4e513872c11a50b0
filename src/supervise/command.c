#include "supervise/command.h"

#include <stdlib.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/strv.h"
#include "supervise/output.h"
#include "supervise/reaper.h"
#include "supervise/spawn.h"

struct command {
	uv_process_t	 proc;
	struct reaper	*reaper;
	command_done_cb	 done;
	void		*arg;
};

static void
command_closed(uv_handle_t *handle)
{
	free(handle->data);
}

static void
command_exited(uv_process_t *proc, int64_t status, int term_signal)
{
	struct command *cmd = proc->data;

	reaper_untrack(cmd->reaper, proc->pid);
	cmd->done(cmd->arg, status, term_signal);
	uv_close((uv_handle_t *)proc, command_closed);
}

int
command_run(uv_loop_t *loop, struct reaper *reaper, char *const *argv,
    const char *cwd, struct service_log *log, command_done_cb done, void *arg)
{
	uv_process_options_t opts = { 0 };
	uv_stdio_container_t stdio[3];
	struct command *cmd;
	char **env;
	int out_fd = -1, rc;

	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = stdio[2].flags = UV_IGNORE;
	if (log != NULL && output_pipe_open(loop, log, &out_fd) == 0) {
		stdio[1].flags = stdio[2].flags = UV_INHERIT_FD;
		stdio[1].data.fd = stdio[2].data.fd = out_fd;
	}
	env = spawn_environment(NULL);
	opts.file = argv[0];
	opts.args = (char **)argv;
	opts.env = env;
	opts.cwd = cwd;
	opts.flags = UV_PROCESS_DETACHED;
	opts.stdio = stdio;
	opts.stdio_count = 3;
	opts.exit_cb = command_exited;

	cmd = xcalloc(1, sizeof(*cmd));
	cmd->proc.data = cmd;
	cmd->reaper = reaper;
	cmd->done = done;
	cmd->arg = arg;
	rc = uv_spawn(loop, &cmd->proc, &opts);
	if (out_fd >= 0)
		close(out_fd);
	strv_free(env);
	if (rc != 0) {
		uv_close((uv_handle_t *)&cmd->proc, command_closed);
		return rc;
	}
	reaper_track(reaper, cmd->proc.pid);
	return 0;
}
