/*
 * What to do about an incident, in order: the failing check's `heal:`
 * list, else its service's, else sensible defaults for the failure's
 * category. Named actions are followed, and `any:` alternatives are laid
 * out best estimate first (learning.h), the choice explained in `notes`.
 */
#ifndef TEND_HEAL_PLAN_H
#define TEND_HEAL_PLAN_H

#include <stddef.h>

#include "config/model.h"
#include "diagnose/classify.h"
#include "heal/learning.h"

struct plan_step {
	const struct heal_action *action;	/* never HEAL_NAMED or HEAL_ANY */
	const char	*service;		/* restart/stop/start: whose */
};

struct heal_steps {
	struct plan_step *v;
	size_t		 n;
	char		 source[128];	/* "check 'api'", "default for crash" */
	char		 notes[512];	/* the learning's choices, "" if none */
};

/*
 * check or service may be NULL (a service failure has no check; a host
 * check has no service). Returns the number of steps.
 */
size_t	heal_plan_build(const struct tend_config *cfg, const struct check_conf *check,
	    const struct service_conf *service, enum failure_category category,
	    const struct learning *learning, struct heal_steps *out);
void	heal_steps_clear(struct heal_steps *s);
/* Whether the step runs something that counts as an attempt. */
int	plan_step_is_attempt(const struct plan_step *step);

#endif
