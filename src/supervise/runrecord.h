/*
 * The run record, STATE_DIR/run.json: what tend runs right now. For each
 * service with a process, its main process and the orphans attributed to
 * it (supervised) or the process it adopted (external), each as pid,
 * start time and uid; with the boot and the tend that wrote it. Replaced
 * whole (write and rename) whenever it changes, so a tend that is killed
 * leaves it behind, complete, for the next one.
 */
#ifndef TEND_SUPERVISE_RUNRECORD_H
#define TEND_SUPERVISE_RUNRECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/procid.h"

/* In the state directory. */
#define RUN_RECORD_FILE	"run.json"

struct statedir;

struct run_proc {
	struct proc_id	 id;
	uid_t		 uid;
};

struct run_entry {
	char		*name;
	bool		 external;
	struct run_proc	 main;
	struct run_proc	*orphans;
	size_t		 n_orphans;
};

struct run_record {
	char		 boot_id[40];
	struct proc_id	 tend;
	struct run_entry *v;
	size_t		 n;
	size_t		 cap;
};

/* A record of this tend on this boot, with no services yet. */
void	run_record_init(struct run_record *rec);
/*
 * Adds a service whose processes run now (their uids are read from /proc);
 * false, and nothing added, when its main process has already gone.
 */
bool	run_record_add(struct run_record *rec, const char *name, bool external,
	    const struct proc_id *main, const struct proc_id *orphans, size_t n_orphans);
/* The same for a main process already read (run_proc_read). */
void	run_record_add_read(struct run_record *rec, const char *name, bool external,
	    const struct run_proc *main, const struct proc_id *orphans, size_t n_orphans);
/* id's process as it runs now, its uid read; false when it has gone. */
bool	run_proc_read(const struct proc_id *id, struct run_proc *rp);
void	run_record_clear(struct run_record *rec);

/* The record as it is written; free it. */
char	*run_record_text(const struct run_record *rec);
/* Replaces the record whole with text, mode 0600; 0, or -1 with errno. */
int	run_record_write(struct statedir *sd, const char *text);
/*
 * Reads the record if tend may trust it: a regular file, not a symlink,
 * owned by tend's user and writable by no one else. 0 when read, 1 when
 * there is none, -1 with why.
 */
int	run_record_read(struct statedir *sd, struct run_record *rec, char *why,
	    size_t len);

#endif
