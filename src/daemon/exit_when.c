#include "daemon/exit_when.h"

#include <string.h>

/* Whether conf is the service exit_when names, or one of the copies it names. */
static bool
exit_when_names(const struct exit_when_conf *ew, const struct service_conf *conf)
{
	if (ew->service == NULL)
		return false;
	return strcmp(ew->service, conf->name) == 0 || (conf->instance_of != NULL &&
	    strcmp(ew->service, conf->instance_of) == 0);
}

int
exit_when_code(const struct exit_when_conf *ew, const struct service_conf *conf,
    int status, bool failed)
{
	if (!exit_when_names(ew, conf) && !(ew->any_failed && failed))
		return -1;
	/* Killed by tend (a ready timeout, the watchdog) after a clean exit code. */
	if (failed && status == 0)
		return 1;
	return status & 0xff;
}
