/*
 * A process as /proc shows it, and signals that reach only the process
 * meant. A pid names whoever holds the number now; the pid with its start
 * time (field 22 of /proc/PID/stat, clock ticks after boot) names one
 * process for the whole boot. tend remembers both when it takes a process
 * on and checks both again before each signal, so a pid the kernel has
 * given to another process is never signalled.
 */
#ifndef TEND_CORE_PROCID_H
#define TEND_CORE_PROCID_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct proc_id {
	pid_t			 pid;
	unsigned long long	 start;
};

struct proc_info {
	struct proc_id	 id;
	pid_t		 ppid;
	pid_t		 pgid;
	pid_t		 sid;
	char		 state;		/* R, S, D, T, Z, ... */
	char		 comm[32];	/* the kernel's name for it, up to 15 bytes */
	unsigned long long cpu_ticks;	/* user + system */
	long		 threads;
	long		 rss_pages;
	/* Real, effective and saved uid: proc_info_read only. */
	uid_t		 uid;
	uid_t		 euid;
	uid_t		 suid;
};

/* /proc/PID/stat; 0, or -1 with errno (ESRCH when there is no such process). */
int	 proc_stat_read(pid_t pid, struct proc_info *pi);
/* The same from a stat line already read; 0, or -1 with errno EINVAL. */
int	 proc_stat_parse(pid_t pid, const char *buf, struct proc_info *pi);
/* The same and the uids from /proc/PID/status. */
int	 proc_info_read(pid_t pid, struct proc_info *pi);
/* Calls fn with every process's stat until it returns false. */
void	 proc_walk(bool (*fn)(const struct proc_info *pi, void *arg), void *arg);

/* pid's identity now; 0, or -1 with errno. */
int	 proc_id_of(pid_t pid, struct proc_id *id);
/* True while id's process runs (a zombie has ended). */
bool	 proc_id_alive(const struct proc_id *id);
/*
 * A pidfd for id's process, checked after it was opened, so it cannot
 * refer to a later holder of the pid; -1 with errno: ESRCH when the
 * process is gone or the pid is another's, ENOSYS without pidfd_open.
 */
int	 proc_id_pidfd(const struct proc_id *id);
/*
 * Sends sig to id's process through a checked pidfd, then SIGCONT when
 * cont (a stopped process acts on SIGTERM only once continued). 0, or -1
 * with errno (ESRCH: gone, or not the same process).
 */
int	 proc_id_signal(const struct proc_id *id, int sig, bool cont);
/*
 * The same for the process group that id's process leads; refused
 * (EPERM) when it is not its group's leader.
 */
int	 proc_id_signal_group(const struct proc_id *leader, int sig, bool cont);
/*
 * kill(target, sig) and then SIGCONT when cont, for targets tend holds
 * by construction: its own unreaped child (the pid cannot be reused
 * before tend reaps it) or that child's process group.
 */
int	 proc_kill(pid_t target, int sig, bool cont);

/* name's value in pid's environment as it was exec'ed; NULL if none. Free it. */
char	*proc_environ_get(pid_t pid, const char *name);
/* This boot's id, "" when unknown: start times count from the boot. */
void	 proc_boot_id(char *buf, size_t len);
/* "pid 42 (sleep), uid 0" for messages; "pid 42" when it is gone. */
const char *proc_describe(pid_t pid, char *buf, size_t len);

#endif
