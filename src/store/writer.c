/*
 * The daemon's writes, off the loop. In a store of a month's history the
 * pages a row goes into are mostly not in memory: each insert may wait for
 * a read from the disk, and the WAL's restarts sync and truncate it. On the
 * loop that was up to 1.5 s at a time. So the loop only hands its queued
 * rows over (a copy of their packed bytes), and a thread of the store's own
 * writes them, with a connection of its own (a second struct store, whose
 * queue is what it has been handed), and does the roll-ups and retention
 * between. The thread is made at the first hand-over, with a small stack.
 *
 * The loop's own connection stays for what must be done at once (reads,
 * an incident acknowledged): store_flush hands over and waits for the
 * thread to have tried, so that what follows sees every row queued before.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <sqlite3.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/selfhealth.h"
#include "store/store_internal.h"

#define WRITER_STACK	(256 * 1024)
/*
 * A transaction of the thread's holds the write lock this long at most,
 * so that the loop's own writes (an acknowledgement) wait no longer.
 */
#define WRITER_SLICE_MS	50
/* A pass's slices, and the pause after each: a pass has 5 minutes to end in. */
#define WRITER_PASS_SLICE_MS	10
#define WRITER_PASS_PAUSE_MS	15
/* The loop's connection's page cache once the thread writes, in KB. */
#define WRITER_LOOP_CACHE_KB	"64"
/*
 * While nothing is handed over it still wakes: every second while the
 * store fails (its rows tried again), else every 10 s (a pass may be due:
 * every 5 minutes, a few seconds late at most).
 */
#define WRITER_RETRY_MS	1000
#define WRITER_IDLE_MS	10000

struct store_writer {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;		/* rows handed over, or stop */
	pthread_cond_t	 tried;		/* a hand-over's rows were tried */
	struct pending_queue inbox;	/* handed over, not yet taken by the thread */
	uint64_t	 handed;	/* rows ever handed over ... */
	uint64_t	 through;	/* ... and the thread has tried up to */
	bool		 failing;	/* its last try left rows unwritten */
	bool		 stop;
	struct store	*own;		/* the thread's connection and queue */
};

/* ms from now, on the monotonic clock the waits go by: a step of the wall's is no wait. */
static void
writer_deadline(struct timespec *until, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, until);
	until->tv_nsec += (long)(ms % 1000) * 1000000;
	until->tv_sec += ms / 1000 + until->tv_nsec / 1000000000;
	until->tv_nsec %= 1000000000;
}

/* Moves the inbox into the thread's queue: the caller holds the lock. */
static void
writer_take_inbox(struct store_writer *w)
{
	pending_queue_append(&w->own->queue, &w->inbox);
	w->own->added += w->inbox.n;
	pending_queue_take(&w->inbox, w->inbox.n);
}

/*
 * What is queued, written a slice at a time; false when the store would
 * not take it (its lock held past busy_timeout, a full disk: said).
 */
static bool
writer_write(struct store_writer *w)
{
	while (store_pending(w->own) > 0)
		if (store_flush_within(w->own, WRITER_SLICE_MS) < 0)
			return false;
	return true;
}

/*
 * Roll-up and retention slices while a pass runs, each followed by a
 * pause (cut short by new rows): a pass is background work, and at full
 * speed it took the disk from the readers beside it (`tend history` went
 * from 37 to 95 ms on a month's store).
 */
static void
writer_maintain(struct store_writer *w)
{
	struct timespec until;
	bool more;

	for (;;) {
		more = store_maintain_step(w->own, clock_wall_ms(), &store_default_retention,
		    WRITER_PASS_SLICE_MS) == 1;
		pthread_mutex_lock(&w->lock);
		if (more && w->inbox.n == 0 && !w->stop) {
			writer_deadline(&until, WRITER_PASS_PAUSE_MS);
			pthread_cond_timedwait(&w->wake, &w->lock, &until);
		}
		more = more && w->inbox.n == 0 && !w->stop;
		pthread_mutex_unlock(&w->lock);
		if (!more)
			return;
	}
}

static void
writer_wait(struct store_writer *w)
{
	struct timespec until;

	writer_deadline(&until, w->failing ? WRITER_RETRY_MS : WRITER_IDLE_MS);
	pthread_cond_timedwait(&w->wake, &w->lock, &until);
}

static void *
writer_main(void *arg)
{
	struct store_writer *w = arg;
	uint64_t target;
	bool ok;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		if (w->inbox.n == 0 && !w->stop)
			writer_wait(w);
		writer_take_inbox(w);
		target = w->handed;
		pthread_mutex_unlock(&w->lock);
		ok = writer_write(w);
		if (ok)
			writer_maintain(w);
		pthread_mutex_lock(&w->lock);
		w->through = target;
		w->failing = !ok;
		pthread_cond_broadcast(&w->tried);
		if (w->stop && w->inbox.n == 0)
			break;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static struct store_writer *
writer_start(struct store *st)
{
	struct store_writer *w = xcalloc(1, sizeof(*w));
	pthread_condattr_t cattr;
	pthread_attr_t attr;
	char err[512];
	int rc;

	if ((w->own = store_open(st->path, err, sizeof(err))) == NULL) {
		log_error(NULL, "store %s: a writer of its own: %s", st->path, err);
		free(w);
		return NULL;
	}
	/* Off the loop, its writes may wait for the lock (the loop's never do). */
	w->own->waits = true;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &cattr);
	pthread_condattr_destroy(&cattr);
	pthread_cond_init(&w->tried, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WRITER_STACK);
	rc = pthread_create(&w->thread, &attr, writer_main, w);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		log_error(NULL, "store %s: cannot start its writer thread", st->path);
		pthread_cond_destroy(&w->tried);
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		store_close(w->own);
		free(w);
		return NULL;
	}
	return w;
}

bool
store_writer_hand(struct store *st)
{
	struct store_writer *w;
	size_t over;

	if (st->writer == NULL && st->writer_wanted && !st->writer_failed && st->db != NULL) {
		st->writer = writer_start(st);
		st->writer_failed = st->writer == NULL;
		/* The loop's connection now only reads a little: its cache is given back. */
		if (st->writer != NULL) {
			sqlite3_exec(st->db, "PRAGMA cache_size = -" WRITER_LOOP_CACHE_KB, NULL,
			    NULL, NULL);
			sqlite3_db_release_memory(st->db);
		}
	}
	if ((w = st->writer) == NULL)
		return false;
	/* Nothing to hand over (the recorder's idle tick): the thread sleeps on. */
	if (st->queue.n == 0)
		return true;
	pthread_mutex_lock(&w->lock);
	w->handed += st->queue.n;
	pending_queue_append(&w->inbox, &st->queue);
	/* The disk cannot keep up: the oldest go, as the loop's own queue would drop them. */
	if (w->inbox.n > STORE_QUEUE_MAX) {
		over = w->inbox.n - STORE_QUEUE_MAX + STORE_QUEUE_DROP;
		pending_queue_take(&w->inbox, over);
		selfhealth_count(SELF_STORE_DROPPED, over);
		log_error(NULL, "store %s: writes failing; dropped the oldest %zu rows",
		    st->path, over);
	}
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	st->taken += st->queue.n;
	pending_queue_take(&st->queue, st->queue.n);
	return true;
}

int
store_writer_wait(struct store *st)
{
	struct store_writer *w = st->writer;
	uint64_t target;
	bool failing;

	pthread_mutex_lock(&w->lock);
	target = w->handed;
	while (w->through < target)
		pthread_cond_wait(&w->tried, &w->lock);
	failing = w->failing;
	pthread_mutex_unlock(&w->lock);
	return failing ? -1 : 0;
}

void
store_writer_stop(struct store *st)
{
	struct store_writer *w = st->writer;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->tried);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	pending_queue_free(&w->inbox);
	/* Its close writes what it still holds (a store that would not, tried once more). */
	store_close(w->own);
	free(w);
	st->writer = NULL;
}
