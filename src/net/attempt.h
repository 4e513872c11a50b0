/*
 * One attempt of a retried command: spawned in a process group of its
 * own, its stdout and stderr streamed through to ours as they come while
 * the last bytes of both are kept for classification, and a timeout that
 * sends SIGTERM to the whole group, then SIGKILL after a grace period.
 * Private to src/net.
 */
#ifndef TEND_NET_ATTEMPT_H
#define TEND_NET_ATTEMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

/* How much of an attempt's output is kept for classification. */
#define ATTEMPT_TAIL_MAX	(64 * 1024)

struct attempt_spec {
	char *const	*argv;		/* argv[0] is looked up on PATH */
	int64_t		 timeout_ms;	/* 0: none */
	int64_t		 grace_ms;	/* SIGTERM, then SIGKILL after this */
	int		 out_fd;	/* its stdout goes here; -1: dropped */
	int		 err_fd;	/* its stderr */
	pid_t		*running;	/* set to its process group while it runs, else 0 */
};

struct attempt_result {
	int		 spawn_error;	/* a libuv error when it could not start, else 0 */
	int64_t		 exit_code;	/* when it exited */
	int		 signal;	/* when it was killed by a signal, else 0 */
	bool		 timed_out;
	int64_t		 started_at;	/* wall ms */
	int64_t		 ended_at;
	int64_t		 elapsed_ms;	/* monotonic */
	char		*tail;		/* the end of its output, NUL-terminated; free it */
	size_t		 tail_len;
};

/* Runs the attempt to its end on loop (which must have nothing else to do). */
void	attempt_run(uv_loop_t *loop, const struct attempt_spec *spec,
	    struct attempt_result *res);
void	attempt_result_free(struct attempt_result *res);

#endif
