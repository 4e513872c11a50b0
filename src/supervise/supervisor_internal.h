/*
 * Inside the supervisor: its services' entries, shared by supervisor.c
 * (start, reload, the pump) and scale.c (copies parked and unparked).
 */
#ifndef TEND_SUPERVISE_SUPERVISOR_INTERNAL_H
#define TEND_SUPERVISE_SUPERVISOR_INTERNAL_H

#include "core/name_index.h"
#include "supervise/runrecord.h"
#include "supervise/service.h"
#include "supervise/supervisor.h"

struct survivors;

/* A config stays alive while a service still points into it. */
struct config_hold {
	struct tend_config *cfg;
	int		 refs;
};

struct entry {
	struct service	*svc;
	struct config_hold *hold;
	/* A reload changed the service: restart it with this once down. */
	const struct service_conf *next_conf;
	struct config_hold *next_hold;
	bool		 start_next;	/* it was wanted up when reloaded */
	/* A previous tend's processes of this service are still being stopped. */
	bool		 survivors_pending;
	/* Its main process as last recorded: read from /proc once per start. */
	struct run_proc	 recorded;
	int64_t		 recorded_spawn;	/* the service's spawned_mono_ms then */
};

/* A service's entry by its name (supervisor_find). */
struct named_entry {
	const char	*name;
	struct entry	*e;
};

/* Kept apart from the supervisor: made anew by a lookup after the list changed. */
struct supervisor_names {
	struct name_index ix;
	struct named_entry *v;
	bool		 stale;
};

struct supervisor {
	struct supervise_ctx ctx;
	char		*state_dir;
	char		*record_text;	/* the run record as last written */
	bool		 record_failed;	/* said once until it works again */
	uv_check_t	*record_due;	/* active: write the record this loop turn */
	struct survivors *survivors;
	struct config_hold *current;
	struct entry	**v;
	size_t		 n;
	struct supervisor_names *names;
	bool		 pumping;
	bool		 pump_again;
	bool		 shutting_down;
	void		(*shutdown_done)(void *arg);
	void		*shutdown_arg;
	supervisor_alert_fn alert;
	void		*alert_arg;
	supervisor_ended_fn ended;
	void		*ended_arg;
	supervisor_observer_fn observer;
	void		*observer_arg;
};

/* The entry of a service by name, removed ones too; NULL if none. */
struct entry	*supervisor_find(const struct supervisor *sup, const char *name);
/* Re-evaluates every service (see supervisor.c). */
void		 supervisor_pump(struct supervisor *sup);
/*
 * The run record (supervise/record.c): made once per loop turn in which
 * what runs may have changed, and written when it did.
 */
void		 supervisor_record_init(struct supervisor *sup);
void		 supervisor_record_soon(struct supervisor *sup);
/* Writes a record that is due, then stops. */
void		 supervisor_record_close(struct supervisor *sup);
/* After a start or reload: each group's running count within its min and max. */
void		 supervisor_scale_clamp(struct supervisor *sup);

#endif
