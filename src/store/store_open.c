/*
 * Opening the store: the connection's settings, the migrations, the WAL
 * kept short, and the daemon's store that opens again when it could not
 * (a full disk at start) and says what is wrong meanwhile.
 */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/selfhealth.h"
#include "core/statedir.h"
#include "store/schema.h"
#include "store/store_internal.h"

#define STORE_REOPEN_MS		2000	/* between tries to open a store that would not */
/*
 * The WAL: SQLite checkpoints it past 1000 pages (about 4 MB), and starts
 * it over once no reader needs it; readers that keep coming (the web
 * threads) can keep it growing. Past this many pages the checkpoint thread
 * truncates it once copied, waiting a moment for readers, and
 * journal_size_limit truncates a WAL that starts over to 4 MB, so a burst
 * does not keep the space it took.
 */
#define STORE_AUTOCHECKPOINT	1000
#define STORE_WAL_TRUNCATE	2000
#define STORE_JOURNAL_LIMIT	"4194304"
/*
 * The writer's page cache, in KB (SQLite's default is 2000). What it
 * touches is the tail of each table and index it appends to, and the
 * roll-ups' and retention's chunks once a minute; the pages it misses are
 * a pread from the kernel's cache away. Bounded, it does not creep to 2 MB
 * as the store grows.
 */
#define STORE_CACHE_KB		"512"

void
store_configure_process(void)
{
	/*
	 * Page by page: a cache's first read would otherwise carve twenty
	 * pages at once and touch every one, used or not.
	 */
	sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
	/* Its allocation counters, which tend never reads, cost a mutex per malloc. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
store_exec(struct store *st, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
	sqlite3_free(msg);
	return -1;
}

int
store_schema_version(struct store *st)
{
	sqlite3_stmt *stmt;
	int v = -1;

	if (st->db == NULL ||
	    sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/* Each migration and its version bump commit together, or not at all. */
static int
store_migrate(struct store *st, char *err, size_t errlen)
{
	int v = store_schema_version(st), to;
	char bump[64];

	if (v < 0) {
		snprintf(err, errlen, "%s: cannot read the schema version: %s", st->path,
		    sqlite3_errmsg(st->db));
		return -1;
	}
	if ((size_t)v > schema_migration_count()) {
		snprintf(err, errlen, "%s: schema %d is newer than this tend (%zu)",
		    st->path, v, schema_migration_count());
		return -1;
	}
	for (to = v + 1; (size_t)to <= schema_migration_count(); to++) {
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", to);
		if (store_exec(st, "BEGIN IMMEDIATE", err, errlen) < 0)
			return -1;
		if (store_exec(st, schema_migration((size_t)to), err, errlen) < 0 ||
		    store_exec(st, bump, err, errlen) < 0) {
			store_exec(st, "ROLLBACK", err + strlen(err), 0);
			return -1;
		}
		if (store_exec(st, "COMMIT", err, errlen) < 0)
			return -1;
	}
	/* An upgrade is news; a new database (tend retry makes one often in CI) is not. */
	if (v > 0 && (size_t)v < schema_migration_count())
		log_info(NULL, "store %s: schema %d -> %zu", st->path, v, schema_migration_count());
	else if (v == 0)
		log_debug(NULL, "store %s: created, schema %zu", st->path,
		    schema_migration_count());
	return 0;
}

/*
 * After a commit, in place of SQLite's own hook: its passive checkpoint,
 * asked of the store's checkpoint thread (checkpoint.c) so that the loop
 * never waits for its copy and sync, nor for the write lock a truncation
 * takes (see STORE_WAL_TRUNCATE). Without that thread, a passive one here.
 */
static int
store_wal_bound(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store *st = arg;

	st->wal_frames = frames;
	if (frames >= STORE_AUTOCHECKPOINT &&
	    !store_checkpoint_async(st, frames >= STORE_WAL_TRUNCATE))
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

/*
 * Opens st->path into st->db: SQLITE_OK, or SQLite's code with err (and
 * st->db NULL). A database that is a symbolic link is refused.
 */
static int
store_connect(struct store *st, char *err, size_t errlen)
{
	int code;

	code = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW, NULL);
	if (code != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		goto fail;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	/* WAL: readers never block the writer; NORMAL: a commit costs no fsync. */
	if (store_exec(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
	    "PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = " STORE_JOURNAL_LIMIT "; "
	    "PRAGMA cache_size = -" STORE_CACHE_KB, err, errlen) < 0 || store_migrate(st, err, errlen) < 0) {
		code = sqlite3_extended_errcode(st->db);
		goto fail;
	}
	sqlite3_wal_hook(st->db, store_wal_bound, st);
	return SQLITE_OK;
fail:
	if (code == SQLITE_OK)
		code = SQLITE_ERROR;
	st->open_errno = sqlite3_system_errno(st->db);
	sqlite3_close(st->db);
	st->db = NULL;
	return code;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof(*st));

	st->path = xstrdup(path);
	if (store_connect(st, err, errlen) != SQLITE_OK) {
		store_close(st);
		return NULL;
	}
	return st;
}

/*
 * A brief writer's WAL hook, in place of SQLite's checkpoint after a
 * commit: it only notes how long the WAL has grown. The next process's
 * rebuild of the WAL's index forgets what was checkpointed, so the WAL
 * would never start over and every later run would checkpoint it again.
 */
static int
store_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store *st = arg;

	(void)db;
	(void)name;
	st->wal_frames = frames;
	return SQLITE_OK;
}

struct store *
store_open_brief(const char *path, char *err, size_t errlen)
{
	struct store *st;

	/* Each page fault counts in a run this short. */
	store_configure_process();
	if ((st = store_open(path, err, errlen)) == NULL)
		return NULL;
	st->brief = true;
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_wal_hook(st->db, store_wal_hook, st);
	return st;
}

/* What the operator can do about code; NULL when there is nothing to say. */
static const char *
store_hint(const struct store *st, int code, char *buf, size_t len)
{
	int sys = st->db != NULL ? sqlite3_system_errno(st->db) : st->open_errno;

	switch (code & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		snprintf(buf, len, "move %s (and its -wal and -shm) away and restart tend, "
		    "which makes a new one", st->path);
		return buf;
	case SQLITE_FULL:
		snprintf(buf, len, "free space where %s is; meanwhile tend keeps up to "
		    "50000 rows in memory and writes them when it can", st->path);
		return buf;
	case SQLITE_IOERR:
		snprintf(buf, len, "free space or check the filesystem where %s is%s; "
		    "meanwhile tend keeps up to 50000 rows in memory and tries again",
		    st->path, sys == ENOSPC || sys == EDQUOT || sys == EFBIG ? " (full)" :
		    "");
		return buf;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		snprintf(buf, len, "make %s writable by tend's user; tend tries again",
		    st->path);
		return buf;
	default:
		return NULL;
	}
}

void
store_failed(struct store *st, int code, const char *msg)
{
	char hint[512];
	const char *h = store_hint(st, code, hint, sizeof(hint));

	log_error(NULL, "store %s: %s%s%s", st->path, msg, h ? "; " : "", h ? h : "");
	selfhealth_count(SELF_STORE_ERRORS, 1);
	selfhealth_fail("store", msg, h);
	st->failing = true;
}

void
store_worked(struct store *st)
{
	if (!st->failing)
		return;
	st->failing = false;
	selfhealth_ok("store");
	log_info(NULL, "store %s: writing again", st->path);
}

/*
 * SQLite opens tend.db, tend.db-wal and tend.db-shm by name, giving the
 * last two tend.db's mode. That is safe in a state dir: statedir_open
 * verified that nobody but root and tend's user can change it or its
 * parents, so no one else can swap a name for a link; and
 * SQLITE_OPEN_NOFOLLOW refuses a database that is one. What is made here
 * first, through the descriptor, is tend.db itself, 0600; files an older
 * tend left readable by others are made 0600 too.
 */
int
store_prepare_file(struct statedir *sd, char *err, size_t errlen)
{
	static const char *const names[] = { "tend.db", "tend.db-wal", "tend.db-shm", NULL };
	struct stat sb;
	size_t i;
	int fd;

	for (i = 0; names[i] != NULL; i++) {
		fd = statedir_openat(sd, names[i], i == 0 ? O_RDWR | O_CREAT : O_RDWR, 0600);
		if (fd < 0 && (i == 0 || errno != ENOENT)) {
			snprintf(err, errlen, "cannot open %s/%s: %s", statedir_path(sd),
			    names[i], strerror(errno));
			return -1;
		}
		if (fd >= 0 && fstat(fd, &sb) == 0 && (sb.st_mode & 077) != 0) {
			log_info(NULL, "%s/%s was readable by others (mode %04o): now 0600",
			    statedir_path(sd), names[i], (unsigned)(sb.st_mode & 07777));
			fchmod(fd, 0600);
		}
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

static bool
store_reopen(struct store *st)
{
	char err[512];
	int code;

	st->next_open = clock_mono_ms() + STORE_REOPEN_MS;
	if (store_prepare_file(st->sd, err, sizeof(err)) < 0) {
		st->open_errno = errno;
		store_failed(st, errno == ENOSPC || errno == EDQUOT ? SQLITE_FULL :
		    SQLITE_CANTOPEN, err);
		return false;
	}
	if ((code = store_connect(st, err, sizeof(err))) != SQLITE_OK) {
		/* err begins with the path, which store_failed says too. */
		store_failed(st, code, strncmp(err, st->path, strlen(st->path)) == 0 &&
		    err[strlen(st->path)] == ':' ? err + strlen(st->path) + 2 : err);
		return false;
	}
	store_worked(st);
	return true;
}

/*
 * A look at the file of a database that would not open for writing (a
 * full disk: its WAL cannot grow): read-only, with a WAL left by a killed
 * tend read too; else as an immutable file, when there is no WAL to read.
 */
/* "file:PATH?immutable=1", with what a URI's path may not hold escaped. */
static char *
store_immutable_uri(const char *path)
{
	size_t len = strlen(path), i, o = 0;
	char *uri = xmalloc(len * 3 + sizeof("file:?immutable=1"));

	o = (size_t)sprintf(uri, "file:");
	for (i = 0; i < len; i++)
		if (path[i] == '%' || path[i] == '?' || path[i] == '#')
			o += (size_t)sprintf(uri + o, "%%%02X", (unsigned char)path[i]);
		else
			uri[o++] = path[i];
	strcpy(uri + o, "?immutable=1");
	return uri;
}

int64_t
store_peek_max_id(const char *path, const char *table)
{
	int64_t id = -1;
	sqlite3 *db = NULL;
	char *uri;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW,
	    NULL) == SQLITE_OK)
		id = store_max_id(db, table);
	sqlite3_close(db);
	if (id < 0) {
		uri = store_immutable_uri(path);
		db = NULL;
		if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
		    SQLITE_OPEN_NOFOLLOW, NULL) == SQLITE_OK)
			id = store_max_id(db, table);
		sqlite3_close(db);
		free(uri);
	}
	return id > 0 ? id : 0;
}

struct store *
store_open_state(struct statedir *sd)
{
	struct store *st = xcalloc(1, sizeof(*st));

	st->sd = sd;
	st->path = statedir_file(sd, "tend.db");
	if (!store_reopen(st))
		log_error(NULL, "store %s: no history is kept until it opens; tend tries "
		    "again every %d s", st->path, STORE_REOPEN_MS / 1000);
	return st;
}

bool
store_ready(struct store *st)
{
	if (st->db != NULL)
		return true;
	if (st->sd == NULL || clock_mono_ms() < st->next_open)
		return false;
	return store_reopen(st);
}

sqlite3 *
store_db_open(struct store *st, char *err, size_t errlen)
{
	if (!store_ready(st)) {
		snprintf(err, errlen, "the store is not open");
		return NULL;
	}
	return st->db;
}

void
store_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, i);
}
