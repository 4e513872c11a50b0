/*
 * The daemon's scaling of services' copies (daemon/scaling.c): one path
 * for `tend scale`, the `scale` heal action and automatic scaling.
 */
#ifndef TEND_DAEMON_SCALING_H
#define TEND_DAEMON_SCALING_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct daemon;
struct scaling;

/* Judges each group with `scale: {up_when}` once a second. */
struct scaling	*scaling_new(struct daemon *d);
void		 scaling_free(struct scaling *sc);
/*
 * Scales the group of name (a group, or one of its copies) to count
 * copies, or by count more when relative; why is logged and streamed.
 * 0 with what was done in msg, or -1 with why not.
 */
int		 daemon_scale(struct daemon *d, const char *name, int count, bool relative,
		    const char *why, char *msg, size_t len);
/* Pauses the checks of parked copies (and resumes the others'); closes their incidents. */
void		 daemon_sync_parked(struct daemon *d);
/* The control socket's "scale": {"service", "count"|"by"}; without a service, the groups. */
json_t		*daemon_scale_request(struct daemon *d, json_t *req);
/* Each group: running, min, max, whether it scales by itself. */
json_t		*daemon_scale_groups(struct daemon *d);

/* An operator's start, stop or restart, told to the healer: a group's is each copy's. */
void		 daemon_operator_control(struct daemon *d, const char *cmd, const char *name);
/* POST /api/services/NAME/scale: an HTTP status, with the answer. */
int		 daemon_web_scale(struct daemon *d, const char *name, const json_t *body,
		    json_t **answer);

#endif
