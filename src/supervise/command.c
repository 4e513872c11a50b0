#include "supervise/command.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/procspawn.h"
#include "core/strv.h"
#include "supervise/output.h"
#include "supervise/spawn.h"

struct command {
	command_done_cb	 done;
	void		*arg;
};

static void
command_exited(void *arg, pid_t pid, int64_t status, int term_signal)
{
	struct command *cmd = arg;

	cmd->done(cmd->arg, status, term_signal);
	free(cmd);
}

int
command_run(uv_loop_t *loop, char *const *argv, const char *cwd,
    struct service_log *log, command_done_cb done, void *arg)
{
	struct procspawn sp = { .argv = argv, .cwd = cwd, .umask = -1,
	    .fd = { -1, -1, -1 } };
	struct command *cmd;
	char **env;
	int out_fd = -1, rc;
	pid_t pid;

	if (log != NULL && output_pipe_open(loop, log, &out_fd) == 0)
		sp.fd[1] = sp.fd[2] = out_fd;
	env = spawn_environment(NULL);
	sp.env = env;
	rc = procspawn_start(&sp, &pid, NULL, 0);
	if (out_fd >= 0)
		close(out_fd);
	strv_free(env);
	if (rc != 0)
		return -rc;
	cmd = xcalloc(1, sizeof(*cmd));
	cmd->done = done;
	cmd->arg = arg;
	procspawn_watch(loop, pid, command_exited, cmd);
	return 0;
}
