/*
 * Starting a child, the one way every program tend runs is started
 * (services, external services' commands, check and exec commands, alert
 * commands, `tend retry` attempts): in its own session and process group,
 * signals at their defaults and none blocked, and with nothing open but
 * the three descriptors it is given — whatever tend inherited or a library
 * opened without close-on-exec stays behind. Its end is learnt through a
 * pidfd watched by the loop.
 */
#ifndef TEND_CORE_PROCSPAWN_H
#define TEND_CORE_PROCSPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

/* A resource limit the child starts under (setrlimit(2)), named for errors. */
struct procspawn_rlimit {
	const char	*name;		/* "nofile" */
	int		 resource;	/* RLIMIT_NOFILE */
	unsigned long long soft, hard;	/* RLIM_INFINITY: unlimited */
};

/* Who the child runs as, when it is not tend's own user (tend is root). */
struct procspawn_ids {
	uid_t		 uid;
	gid_t		 gid;
	const gid_t	*groups;	/* supplementary groups; none when 0 */
	size_t		 n_groups;
};

struct procspawn {
	char *const	*argv;		/* argv[0] found on tend's PATH if it has no '/' */
	char *const	*env;
	const char	*cwd;		/* NULL: tend's */
	int		 fd[3];		/* the child's 0, 1 and 2; -1: /dev/null */
	int		 umask;		/* -1: tend's */
	const struct procspawn_ids *ids; /* NULL: tend's user and groups */
	const struct procspawn_rlimit *rlimits;	/* set before the user is switched */
	size_t		 n_rlimits;
	/*
	 * When join_cgroup: an open cgroup.procs the child writes itself into
	 * first of all (a fork, as posix_spawn cannot), so that it and all it
	 * starts are in that cgroup from before the exec.
	 */
	bool		 join_cgroup;
	int		 cgroup_procs;
};

/*
 * Starts it; 0 with *pid set, or an errno with a message in err that says
 * which step failed ("cwd /srv/x: No such file or directory",
 * "/usr/bin/prog: Permission denied", "setuid 1001: ...", "rlimit nofile
 * 2000000: Operation not permitted", "cannot join its cgroup: No space left
 * on device").
 */
int	procspawn_start(const struct procspawn *sp, pid_t *pid, char *err, size_t errlen);

/*
 * Called once the child has ended, with its exit status or the signal that
 * ended it; it is reaped right after, so that fn may still signal the
 * process group it led (the group's id cannot be reused before).
 */
typedef void	(*procspawn_exit_fn)(void *arg, pid_t pid, int64_t status, int term_signal);

/*
 * Watches pid, a child procspawn_start started, until it ends: through a
 * pidfd, or (no pidfd: an old kernel, or out of descriptors) on SIGCHLD.
 * Until then the pid is one of ours (core/children.h), which the
 * subreaper leaves alone. The watch frees itself after calling fn.
 */
void	procspawn_watch(uv_loop_t *loop, pid_t pid, procspawn_exit_fn fn, void *arg);

/* A pidfd for pid, or -1 with errno set. */
int	procspawn_pidfd(pid_t pid);

#endif
