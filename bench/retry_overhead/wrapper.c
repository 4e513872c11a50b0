/*
 * The least any wrapper can cost: start the command, wait for it, exit with
 * its status. No retrying, no store, no libraries (built static). What a
 * loop of this costs over a loop of the command alone is the price of one
 * more process on the machine: the floor under tend retry's overhead.
 */
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

int
main(int argc, char **argv)
{
	pid_t pid;
	int status;

	if (argc < 2 || posix_spawn(&pid, argv[1], NULL, NULL, argv + 1, environ) != 0)
		return 127;
	if (waitpid(pid, &status, 0) < 0)
		return 127;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
