/*
 * The faults `tend chaos` injects, and their journal: into a service (a
 * signal, SIGSTOP, a stop through the daemon, a growing process counted
 * as its own), a path (a file filling its file system, chaos/hog.c) or
 * the host (busy or growing processes).
 *
 * Before a fault that must be undone is injected it is written to
 * STATE/chaos.journal (fsync'd, 0600), written again once what it made is
 * known (the hogs' pids, the file's inode), and removed once it is
 * undone. A chaos run that was killed leaves it: the next `tend chaos`
 * undoes what it names first (chaos_recover). A process is only ever
 * signalled as the exact process the fault was for (pid and start time).
 */
#ifndef TEND_CHAOS_FAULT_H
#define TEND_CHAOS_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/procid.h"

struct statedir;

#define CHAOS_HOGS_MAX		64
#define CHAOS_FILL_NAME		".tend-chaos-fill"	/* the file fill_disk makes */

/* One fault in flight: what to inject (the experiment's), then what was. */
struct chaos_injected {
	int		 fault;		/* enum chaos_fault */
	char		 service[128];
	struct proc_id	 proc;		/* the process it was for (kill, hang) */
	int		 signal;	/* kill */
	int64_t		 at_ms;		/* wall clock when it was injected */
	int64_t		 duration_ms;	/* hogs end themselves after it, whatever happens */
	/* fill_disk: the file made in path, leaving `leave` bytes free */
	char		 path[512];
	int64_t		 leave;
	int64_t		 fill_dev, fill_ino, filled;
	/* config: the set snapshotted first, its file broken (its sha256 before) */
	char		 set[128];
	char		 file[512];
	int		 corrupt;	/* enum chaos_corrupt */
	int64_t		 snapshot_id;
	char		 file_hash[65];
	/* proxy: the proxy of the daemon's, its mode and latency */
	char		 proxy[128];
	int		 mode;
	int64_t		 delay_ms;
	/* cpu, memory: the processes spawned (each dies with this one, too); a
	 * memory fault with a service has its hog counted as the service's */
	int		 cores;
	int64_t		 grow, max;
	struct proc_id	 hogs[CHAOS_HOGS_MAX];
	int		 n_hogs;
};

/*
 * What others do for a fault (0, or -1 with err): a service started or
 * stopped by the daemon; a snapshot set snapshotted, and a snapshot of it
 * put back (NULL where there is no engine: a config fault is then left in
 * the journal for a run that has one).
 */
struct chaos_ops {
	int	(*service)(void *arg, const char *verb, const char *name, char *err,
		    size_t errlen);
	int	(*snapshot)(void *arg, const char *set, int64_t *id, char *err, size_t errlen);
	int	(*restore)(void *arg, int64_t id, char *err, size_t errlen);
	/* a proxy of the daemon's set to mode (enum proxy_mode) for duration_ms; NULL: none */
	int	(*proxy)(void *arg, const char *name, int mode, int64_t delay_ms,
		    int64_t duration_ms, char *err, size_t errlen);
	/* a memory hog counted as service's own until its process ends; NULL: none */
	int	(*attach)(void *arg, const char *service, const struct proc_id *hog,
		    char *err, size_t errlen);
	void	*arg;
};

/* The sha256 of file f->file (read without following a link) into hex; -1 with errno. */
int	chaos_file_hash(const struct chaos_injected *f, char hex[65]);

/* Injects f (its journal first when it must be undone). 0, or -1 with err. */
int	chaos_inject(struct statedir *sd, const struct chaos_ops *ops,
	    struct chaos_injected *f, char *err, size_t errlen);
/*
 * Undoes f — SIGCONT to a hung process that is still the same one, the
 * stopped service started — and removes the journal. 0, or -1 with err
 * (the journal is kept, so the next run tries again).
 */
int	chaos_undo(struct statedir *sd, const struct chaos_ops *ops,
	    const struct chaos_injected *f, char *err, size_t errlen);
/*
 * Undoes what a killed run left in the journal: 1 when there was
 * something (described in what), 0 when not, -1 with err.
 */
int	chaos_recover(struct statedir *sd, const struct chaos_ops *ops, char *what,
	    size_t whatlen, char *err, size_t errlen);

#endif
