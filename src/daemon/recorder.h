/*
 * The daemon's record keeper: every check result, every state change of a
 * check or a service, and every metric go to the store, flushed together a
 * few times a second.
 */
#ifndef TEND_DAEMON_RECORDER_H
#define TEND_DAEMON_RECORDER_H

#include <uv.h>

struct recorder;
struct scheduler;
struct statedir;
struct store;

/*
 * Opens STATE/tend.db (store_open_state: when it cannot, it keeps trying at
 * each flush, and history starts once it opens). sd must outlive it.
 */
struct recorder	*recorder_open(uv_loop_t *loop, struct statedir *sd);
/* Flushes, closes the store, frees from the timer's close callback. */
void		 recorder_close(struct recorder *rec);
/* Records the results and changes of a scheduler (again after a reload). */
void		 recorder_watch_checks(struct recorder *rec, struct scheduler *checks);
/* A service transition, for the store (the daemon passes them on). */
void		 recorder_service_changed(void *rec, const char *service, const char *from,
		    const char *to, const char *reason);
/* The store, for the healer and the anomaly watch; NULL when there is none. */
struct store	*recorder_store(struct recorder *rec);

#endif
