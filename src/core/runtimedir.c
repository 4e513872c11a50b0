#include "core/runtimedir.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/statedir.h"

#define RUNTIME_STATE_MODE	0700	/* STATE/runtime: tend's own user alone */

/* FNV-1a: a short name for the state dir's path, the same at every start. */
static uint64_t
path_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

char *
runtimedir_base(void)
{
	const char *env = getenv("TEND_RUNTIME_DIR"), *xdg;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (geteuid() == 0)
		return xstrdup("/run/tend");
	if ((xdg = getenv("XDG_RUNTIME_DIR")) != NULL && *xdg == '/')
		return xasprintf("%s/tend", xdg);
	return NULL;
}

struct statedir *
runtimedir_open(struct statedir *state, char *err, size_t errlen)
{
	char *base = runtimedir_base(), *path, id[17];
	struct statedir *sd;
	mode_t mode = RUNTIMEDIR_MODE;

	if (base == NULL) {
		path = statedir_file(state, "runtime");
		mode = RUNTIME_STATE_MODE;
	} else {
		/* BASE on its own first: made 0711, not 0755 as a parent would be. */
		sd = statedir_open_shared(base, RUNTIMEDIR_MODE, err, errlen);
		free(base);
		if (sd == NULL)
			return NULL;
		snprintf(id, sizeof(id), "%016llx",
		    (unsigned long long)path_hash(statedir_path(state)));
		path = statedir_file(sd, id);
		statedir_close(sd);
	}
	sd = statedir_open_shared(path, mode, err, errlen);
	free(path);
	if (sd != NULL)
		statedir_empty(sd);
	return sd;
}

void
runtimedir_remove(struct statedir *rt)
{
	if (rt == NULL)
		return;
	statedir_empty(rt);
	/* Its parents are verified: no other user can have put a link on the way. */
	rmdir(statedir_path(rt));
	statedir_close(rt);
}
