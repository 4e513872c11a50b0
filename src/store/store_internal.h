/* Shared inside src/store: the store object, how it opens, how it fails. */
#ifndef TEND_STORE_STORE_INTERNAL_H
#define TEND_STORE_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store/queue.h"
#include "store/store.h"

#define BRIEF_WAL_MAX	128	/* frames: a brief writer checkpoints past this */
#define STORE_BUSY_MS	5000	/* how long a write waits for the lock, but the loop's */
/* Past this many queued rows (the disk is failing), the oldest are dropped ... */
#define STORE_QUEUE_MAX	50000
/* ... this many at once: one move, not one a row. */
#define STORE_QUEUE_DROP	(STORE_QUEUE_MAX / 10)

struct statedir;

/*
 * Statements are prepared on first use and ids read on the first new one:
 * tend retry, which opens the store for one run, uses two or three
 * statements of the twelve and no ids.
 */
/* The ids a table hands out: next (0: none yet), read from the open database or not. */
struct store_ids {
	int64_t		 next;
	bool		 read;
};

/* The tables a maintenance pass deletes from, each with its own bound. */
enum pass_table {
	PASS_RAW,
	PASS_MINUTE,
	PASS_HOUR,
	PASS_RUNS,
	PASS_TABLES,
};

/*
 * A pass of roll-ups and retention (rollup.c), done a slice at a time:
 * every metric series, then every check, by number, each whole in the
 * slice that takes it up (one at most past the slice's time).
 */
struct store_pass {
	bool		 running;
	int64_t		 due;		/* monotonic ms: when the next pass may begin */
	int64_t		 began;		/* monotonic ms */
	uint64_t	 after;		/* its slices wait until the rows queued before it are in */
	int64_t		 now;		/* wall ms: the time the pass works to */
	struct store_retention keep;
	int64_t		 minute_mark;	/* roll raw [mark, end) up into minutes */
	int64_t		 minute_end;
	int64_t		 hour_mark;	/* and minutes [mark, end) into hours */
	int64_t		 hour_end;
	bool		 checks;	/* past the series, at the checks */
	int64_t		 next_id;	/* the next series or check to do */
	int64_t		 last_series;	/* the largest numbers when the pass began */
	int64_t		 last_check;
	int64_t		 left[PASS_TABLES];	/* rows each may still lose; < 0: no bound */
	int64_t		 deleted;
	int64_t		 work_ns;	/* time spent in its slices */
	int		 slices;
};

struct store {
	sqlite3		*db;		/* NULL: not open (yet): see store_ready */
	char		*path;
	struct statedir	*sd;		/* store_open_state's: where to open it again */
	int64_t		 next_open;	/* monotonic ms: the next try to open it */
	sqlite3_stmt	*prepared[STMT_COUNT];
	struct pending_queue queue;
	size_t		 dropped;
	uint64_t	 added;		/* rows ever queued */
	uint64_t	 taken;		/* ... and ever off the queue: written or dropped */
	struct store_ids incident_ids;
	struct store_ids attempt_ids;
	struct store_ids alert_ids;
	bool		 brief;		/* opened by store_open_brief */
	bool		 failing;	/* the last open or flush failed */
	int		 wal_frames;	/* after this connection's last commit */
	int		 open_errno;	/* the system's error when the last open failed */
	struct store_pass pass;
	struct checkpointer *checkpointer;	/* checkpoint.c's thread, once asked for */
	bool		 checkpointer_failed;
	struct store_writer *writer;	/* writer.c's thread, once rows are handed over */
	bool		 writer_wanted;	/* store_use_writer */
	bool		 writer_failed;
	bool		 waits;		/* the writer's own: its budgeted writes wait for the lock */
};

/*
 * writer.c: with a writer wanted (store_use_writer), st's queued rows
 * handed to its thread (made at the first call), which writes them and
 * does the roll-ups; false when there is no such thread (not wanted, or it
 * could not be made: then the loop writes). wait: until the thread has
 * tried every row handed over; -1 when some could not be written. stop:
 * joins it, after it wrote what it holds.
 */
bool	 store_writer_hand(struct store *st);
int	 store_writer_wait(struct store *st);
void	 store_writer_stop(struct store *st);

/*
 * checkpoint.c: a PASSIVE checkpoint of st's database on a thread of its
 * own (made at the first call), which no writer or reader waits for, and
 * with truncate a truncation of the WAL once it is copied; false when
 * there is no such thread (it could not be made). stop joins it.
 */
bool	 store_checkpoint_async(struct store *st, bool truncate);
void	 store_checkpoint_stop(struct store *st);
/* The checkpoints that thread has made, and (when not NULL) its truncations. */
int64_t	 store_checkpoints_done(struct store *st, int64_t *truncated);

/*
 * BEGIN IMMEDIATE, the write lock taken at once or not at all: 0, 1 when
 * another connection held it (the checkpoint thread's truncation, a brief
 * writer), or -1 on an error (said). The loop's writes, which come again
 * a moment later rather than hold the loop for busy_timeout.
 */
int	 store_begin_nowait(struct store *st);

sqlite3	*store_db(struct store *st);
/*
 * The connection for a synchronous write (snapshots, changes), or NULL
 * with err when the store is not open.
 */
sqlite3	*store_db_open(struct store *st, char *err, size_t errlen);
/* s bound as text (it outlives the statement's step), NULL as NULL. */
void	 store_bind_text(sqlite3_stmt *stmt, int i, const char *s);
/* The largest id of table in db (0 when empty), or -1. */
int64_t	 store_max_id(sqlite3 *db, const char *table);
/* The same from the file at path, opened read-only apart: 0 when it cannot be read. */
int64_t	 store_peek_max_id(const char *path, const char *table);
int	 store_exec(struct store *st, const char *sql, char *err, size_t errlen);
/* Whether the database is open: when it is not, tries again once it is time. */
bool	 store_ready(struct store *st);
/*
 * Something failed (code, SQLite's): said (repeats rate-limited), counted,
 * and tend's health until store_worked, with a hint for the operator.
 */
void	 store_failed(struct store *st, int code, const char *msg);
void	 store_worked(struct store *st);

/*
 * manifests.c, within the caller's transaction: manifest_write records
 * snapshot id's entries (sorted by path) as their differences from base,
 * the set's newest manifest (*rows, may be NULL: rows written);
 * manifest_collect removes the versions no snapshot has any more, after
 * snapshots were deleted. The readers: a snapshot's whole manifest, the
 * newest, and snapshot id's from the newest (store/snapshots.h).
 */
struct snapshot_entry;
int	 manifest_write(sqlite3 *db, const char *set_name, int64_t id,
	    const struct snapshot_entry *e, size_t n, const struct snapshot_entry *base,
	    size_t n_base, int64_t *rows);
int	 manifest_read(sqlite3 *db, const char *set_name, int64_t id,
	    struct snapshot_entry **e, size_t *n);
int	 manifest_newest(sqlite3 *db, const char *set_name, struct snapshot_entry **e,
	    size_t *n);
int	 manifest_at(sqlite3 *db, const char *set_name, int64_t id, int64_t before,
	    struct snapshot_entry *base, size_t n_base, struct snapshot_entry **e,
	    size_t *n);
int	 manifest_collect(sqlite3 *db);

#endif
