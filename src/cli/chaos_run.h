/*
 * What tend chaos's files share (cmd_chaos.c runs the experiments,
 * chaos_watch.c reads what the daemon says of them, chaos_history.c
 * reports them): the run's state, what one fault showed, the clock.
 */
#ifndef TEND_CLI_CHAOS_RUN_H
#define TEND_CLI_CHAOS_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "chaos/fault.h"
#include "cli/cli.h"

#define CHAOS_POLL_MS	2	/* the daemon's status is asked this often */

struct tend_config;
struct statedir;
struct store;
struct chaos_experiment;
struct snapshot_engine;

struct chaos_cli {
	struct cli_options opts;
	bool		 all;
	bool		 force;
	bool		 standalone;	/* the run starts (and stops) the daemon itself */
	struct tend_config *cfg;
	struct statedir	*sd;
	struct chaos_ops ops;
	struct store	*st;		/* where runs are recorded; NULL: they are not */
	struct snapshot_engine *eng;	/* config faults: opened at the first */
	json_t		*results;	/* one object per experiment */
};

/* What one fault of an experiment showed. */
struct chaos_seen {
	double		 detected_ms;	/* fault -> tend saw it; < 0: never */
	double		 healed_ms;	/* fault -> well again while it lasted; < 0: never */
	int64_t		 incident;	/* the incident opened for it, 0: none */
	bool		 escalated;
	char		 root_cause[256];
	char		 restarted[256];	/* a service that depends on the target, restarted */
	bool		 rolled_back;	/* config: tend put the file back itself */
	bool		 leak_ended;	/* memory of a service: its hog ended with its process */
};

/* SIGINT or SIGTERM came: the run undoes what it did and ends. */
extern volatile sig_atomic_t chaos_stop_asked;

double	chaos_now_ms(void);
/* Sleeps, cut short when a stop is asked. */
void	chaos_sleep_ms(double ms);

/* chaos_ops.c: c->ops, what the faults ask of the daemon and the snapshot engine. */
void	chaos_ops_init(struct chaos_cli *c);

/* chaos_watch.c */
/* What a fault is of: its service, its path, its set, or "host". */
const char *chaos_subject(const struct chaos_experiment *x);
/* A service depending on the target restarted since before: its name into seen. */
void	chaos_dependents(struct chaos_cli *c, const struct chaos_experiment *x,
	    json_t *before, struct chaos_seen *seen);
/*
 * The blast radius: whether x may run now, else why; and, from the same
 * status, every service's restarts by name (*restarts, a new reference).
 */
bool	chaos_may_run(struct chaos_cli *c, const struct chaos_experiment *x, char *why,
	    size_t whylen, json_t **restarts);
/* The incident tend opened for the fault since since_wall: id, escalation, cause. */
void	chaos_incident(struct chaos_cli *c, const struct chaos_experiment *x,
	    int64_t since_wall, struct chaos_seen *seen);
/* Watches fault f (injected at t0) until tend heals it, its duration or the timeout. */
void	chaos_watch(struct chaos_cli *c, const struct chaos_experiment *x,
	    const struct chaos_injected *f, double t0, struct chaos_seen *seen);
/* Waits (within the timeout) for things to be well, measuring nothing. */
void	chaos_settle(struct chaos_cli *c, const struct chaos_experiment *x, double t0);
/* The service's process as the daemon says it (0: none). */
pid_t	chaos_service_pid(struct chaos_cli *c, const char *name);

/* chaos_standalone.c: --standalone's daemon, started and waited for, or stopped. */
int	chaos_standalone_start(struct chaos_cli *c, pid_t *pid);
void	chaos_standalone_stop(pid_t pid);

#endif
