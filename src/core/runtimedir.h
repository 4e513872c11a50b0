/*
 * tend's runtime directory: where it makes what its services must reach
 * (their notify sockets), which the state dir cannot hold — only tend's
 * user may enter that. It is BASE/ID: BASE is $TEND_RUNTIME_DIR, else
 * /run/tend for root, else $XDG_RUNTIME_DIR/tend; ID is 16 hex digits of a
 * hash of the state dir's path, so that tends of different state dirs
 * never share one. BASE and ID are verified as the state dir is (tend's
 * own, no one else's to write, parents root's or tend's) and made, or set,
 * 0711: a service's user may pass through them, not list them, and only
 * tend writes in them. Without a BASE (tend is not root and there is no
 * XDG_RUNTIME_DIR) it is STATE/runtime, 0700: the services run as tend's
 * own user then.
 */
#ifndef TEND_CORE_RUNTIMEDIR_H
#define TEND_CORE_RUNTIMEDIR_H

#include <stddef.h>

struct statedir;

#define RUNTIMEDIR_MODE	0711	/* BASE and ID: users pass through to what is theirs */

/*
 * Opens the runtime directory of the tend whose state dir is state,
 * making what is missing, and removes what a tend of the same state dir
 * left in it when it was killed. NULL with err (as statedir_open's).
 */
struct statedir	*runtimedir_open(struct statedir *state, char *err, size_t errlen);
/* BASE, as the daemon would choose it; NULL: STATE/runtime. Free it. */
char		*runtimedir_base(void);
/* Empties and removes it, then closes it; NULL is fine. */
void		 runtimedir_remove(struct statedir *rt);

#endif
