/*
 * The daemon's WAL checkpoints, off the loop. A checkpoint copies the
 * WAL's pages into the database and syncs it: tens of ms once the daemon
 * writes a few MB a second (10,000 checks), and seconds for a store of a
 * month's history (its sync), which the loop would wait for after every
 * few commits. So the commit only asks, and a thread of the store's own,
 * with a connection of its own, does a PASSIVE checkpoint, which takes no
 * lock a writer or a reader waits for. The thread is made the first time
 * one is asked for, with a small stack.
 *
 * A WAL that readers kept from starting over (the web threads' reads come
 * one after another) is truncated here too, once it is long and wholly
 * copied: the TRUNCATE checkpoint holds the write lock while it waits for
 * the readers, which is why it is not done on the loop, whose writes do
 * not wait for the lock (store_begin_nowait) but come again.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/store_internal.h"

#define CHECKPOINT_STACK	(256 * 1024)
/* How long a truncation waits for readers, and how long after one they kept from it. */
#define TRUNCATE_WAIT_MS	50
#define TRUNCATE_EVERY_MS	5000

struct checkpointer {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	bool		 wanted;
	bool		 truncate;	/* the WAL is long: truncate it once copied */
	bool		 stop;
	sqlite3		*db;
	int64_t		 done;		/* checkpoints made, for the tests */
	int64_t		 truncated;	/* ... and truncations */
	int64_t		 next_truncate;	/* monotonic ms: the next try to truncate */
};

/*
 * A truncation after a PASSIVE checkpoint that copied the whole WAL: the
 * write lock held only while readers finish (TRUNCATE_WAIT_MS at most),
 * nothing left to copy or sync. True when it was done.
 */
static bool
checkpointer_truncate(struct checkpointer *c)
{
	int log = 0, copied = 0, rc;

	rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
	if (rc != SQLITE_OK || copied < log || clock_mono_ms() < c->next_truncate)
		return false;
	sqlite3_busy_timeout(c->db, TRUNCATE_WAIT_MS);
	rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_busy_timeout(c->db, 0);
	if (rc != SQLITE_OK)
		c->next_truncate = clock_mono_ms() + TRUNCATE_EVERY_MS;
	return rc == SQLITE_OK;
}

static void *
checkpointer_main(void *arg)
{
	struct checkpointer *c = arg;
	bool truncate, truncated;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->wanted && !c->stop)
			pthread_cond_wait(&c->wake, &c->lock);
		if (c->stop)
			break;
		truncate = c->truncate;
		c->wanted = c->truncate = false;
		pthread_mutex_unlock(&c->lock);
		/* Busy (another checkpoint) or an error: the next commit asks again. */
		truncated = truncate && checkpointer_truncate(c);
		if (!truncate)
			sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
			    NULL);
		pthread_mutex_lock(&c->lock);
		c->done++;
		c->truncated += truncated;
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static struct checkpointer *
checkpointer_start(const char *path)
{
	struct checkpointer *c = xcalloc(1, sizeof(*c));
	pthread_attr_t attr;
	int rc;

	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		log_error(NULL, "store %s: checkpoints: %s", path, sqlite3_errmsg(c->db));
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	/* It reads the WAL and writes the database; it needs no cache to speak of. */
	sqlite3_exec(c->db, "PRAGMA cache_size = 16", NULL, NULL, NULL);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, CHECKPOINT_STACK);
	rc = pthread_create(&c->thread, &attr, checkpointer_main, c);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		log_error(NULL, "store %s: checkpoints: cannot start a thread", path);
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	return c;
}

bool
store_checkpoint_async(struct store *st, bool truncate)
{
	struct checkpointer *c;

	if (st->checkpointer == NULL && !st->checkpointer_failed) {
		st->checkpointer = checkpointer_start(st->path);
		st->checkpointer_failed = st->checkpointer == NULL;
	}
	if ((c = st->checkpointer) == NULL)
		return false;
	pthread_mutex_lock(&c->lock);
	c->wanted = true;
	c->truncate |= truncate;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	return true;
}

int64_t
store_checkpoints_done(struct store *st, int64_t *truncated)
{
	struct checkpointer *c = st->checkpointer;
	int64_t n;

	if (truncated != NULL)
		*truncated = 0;
	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	n = c->done;
	if (truncated != NULL)
		*truncated = c->truncated;
	pthread_mutex_unlock(&c->lock);
	return n;
}

void
store_checkpoint_stop(struct store *st)
{
	struct checkpointer *c = st->checkpointer;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	sqlite3_close(c->db);
	free(c);
	st->checkpointer = NULL;
}
