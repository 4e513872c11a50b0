/* Shared inside src/store: the store object, how it opens, how it fails. */
#ifndef TEND_STORE_STORE_INTERNAL_H
#define TEND_STORE_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#define BRIEF_WAL_MAX	128	/* frames: a brief writer checkpoints past this */

struct statedir;
struct pending;

/*
 * A queued write: one of the statements below and the values to bind to
 * it, in order. Every write tend makes goes through this one queue, so a
 * flush commits results, state changes, metrics and incidents together.
 * (A retry run's row alone is written at once: it needs its id.)
 */
enum pending_stmt {
	STMT_CHECK_RESULT,
	STMT_STATE_CHANGE,
	STMT_METRIC,
	STMT_INCIDENT,
	STMT_ATTEMPT_BEGIN,
	STMT_ATTEMPT_END,
	STMT_PROCEDURE,
	STMT_DEPENDENCY_CHANGE,
	STMT_ALERT,
	STMT_RETRY_RUN_END,
	STMT_RETRY_ATTEMPT,
	STMT_RETRY_RUN,
	STMT_COUNT,
};

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

struct store {
	sqlite3		*db;		/* NULL: not open (yet): see store_ready */
	char		*path;
	struct statedir	*sd;		/* store_open_state's: where to open it again */
	int64_t		 next_open;	/* monotonic ms: the next try to open it */
	int64_t		 next_truncate;	/* monotonic ms: the next try to truncate the WAL */
	sqlite3_stmt	*prepared[STMT_COUNT];
	struct pending	*queue;
	size_t		 n;
	size_t		 cap;
	size_t		 dropped;
	struct store_ids incident_ids;
	struct store_ids attempt_ids;
	struct store_ids alert_ids;
	bool		 brief;		/* opened by store_open_brief */
	bool		 failing;	/* the last open or flush failed */
	int		 wal_frames;	/* after this connection's last commit */
	int		 open_errno;	/* the system's error when the last open failed */
};

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
