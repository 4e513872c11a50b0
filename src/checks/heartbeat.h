/*
 * Heartbeats, a dead-man's switch (docs/heartbeats.md): what a heartbeat
 * check remembers between runs (the last ping, a run begun, a failure),
 * kept in its struct check_memory, and the timing rules that judge it. The
 * rules take the time as an argument, so they are tested with a chosen
 * clock; times are wall-clock ms, as a touch file's mtime is.
 */
#ifndef TEND_CHECKS_HEARTBEAT_H
#define TEND_CHECKS_HEARTBEAT_H

#include <stdbool.h>
#include <stdint.h>

#include "checks/check_run.h"

enum heartbeat_ping {
	HEARTBEAT_PING,		/* the job ran, or the process is alive */
	HEARTBEAT_FAIL,		/* the job failed: critical at once */
	HEARTBEAT_START,	/* a run began; the next ping gives its duration */
};

struct heartbeat_state {
	int64_t		 since_ms;	/* when watching began: the first run or ping,
					   or the service's last start */
	bool		 since_service;	/* since_ms is the service's start */
	int64_t		 last_ms;	/* the last ping or fail; 0: none since */
	int64_t		 started_ms;	/* a run begun and not ended yet; 0: none */
	int64_t		 duration_ms;	/* of the last run that ended; -1: none */
	bool		 failed;	/* the last ping was a fail */
	char		 message[256];	/* the last ping's, "" for none */
	uint64_t	 pings;		/* since the start, for the message */
};

/* The state in m, made (watching from now_ms) when the check has none yet. */
struct heartbeat_state *heartbeat_state(struct check_memory *m, int64_t now_ms);
/* A ping of that kind at now_ms; message (may be NULL) is kept redacted, UTF-8. */
void	heartbeat_record(struct heartbeat_state *hb, enum heartbeat_ping kind,
	    const char *message, int64_t now_ms);
/*
 * The check's service started at now_ms: its new process gets a whole
 * period + grace for a first ping, and an old process's failure or run
 * begun is forgotten. So a restart (the heal) can be verified.
 */
void	heartbeat_service_started(struct heartbeat_state *hb, int64_t now_ms);
/*
 * The result at now_ms: critical after a fail, or when no ping came within
 * period + grace of the last one (of the touch file's mtime_ms, when later;
 * 0 for none) or of since_ms, whichever is later; healthy otherwise.
 * Metrics: age (s) of the last ping, duration (ms) of the last run.
 */
void	heartbeat_judge(const struct check_conf *c, const struct heartbeat_state *hb,
	    int64_t mtime_ms, const char *file_note, int64_t now_ms,
	    struct check_result *r);
/* "ping", "fail", "start" into *kind; -1 for another word. */
int	heartbeat_ping_parse(const char *word, enum heartbeat_ping *kind);

#endif
