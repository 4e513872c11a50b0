/*
 * When a group of copies scales by itself (`scale: {up_when, down_when,
 * cooldown}`): the decision alone, no I/O, so that it is tested with
 * chosen times. The daemon (daemon/scaling.c) asks once a second with the
 * health of up_when's check and does what it says.
 */
#ifndef TEND_HEAL_AUTOSCALE_H
#define TEND_HEAL_AUTOSCALE_H

#include <stdbool.h>
#include <stdint.h>

#include "config/model.h"
#include "health/state.h"

/* What a group's scaling remembers between two decisions. */
struct autoscale_memory {
	int64_t		 last_ms;	/* the last scaling (monotonic); 0: none */
	int64_t		 healthy_since;	/* up_when's check healthy on every copy; 0: not */
};

/*
 * The copies to add (+1), remove (-1) or 0, for a group running count
 * copies whose up_when check is worst (its worst copy) and all_healthy
 * (healthy on every copy), at now (monotonic ms). Up when worst reaches
 * up_state (unknown is no reason); down when all_healthy has lasted
 * down_after; neither within cooldown of the last scaling nor past min
 * and max. A scaling made elsewhere (the heal action, tend scale) is
 * told with autoscale_note so that the cooldown counts from it.
 */
int	autoscale_decide(struct autoscale_memory *m, const struct scale_conf *sc, int count,
	    enum health_state worst, bool all_healthy, int64_t now);
void	autoscale_note(struct autoscale_memory *m, int64_t now);

#endif
