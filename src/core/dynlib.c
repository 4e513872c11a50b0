#include "core/dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t dynlib_lock = PTHREAD_MUTEX_INITIALIZER;

static int
dynlib_open(struct dynlib *lib)
{
	void *handle;
	size_t i;

	/*
	 * RTLD_LOCAL: the library's symbols stay out of the global namespace,
	 * so nothing in tend binds to them by accident; it is never closed.
	 */
	handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		snprintf(lib->error, sizeof(lib->error), "cannot load %s (%s): %s",
		    lib->soname, lib->what, dlerror());
		return -1;
	}
	for (i = 0; i < lib->nsymbols; i++) {
		*lib->symbols[i].slot = dlsym(handle, lib->symbols[i].name);
		if (*lib->symbols[i].slot == NULL) {
			snprintf(lib->error, sizeof(lib->error), "%s (%s) has no %s: "
			    "a newer version is needed", lib->soname, lib->what,
			    lib->symbols[i].name);
			return -1;
		}
	}
	return 0;
}

int
dynlib_load(struct dynlib *lib, char *err, size_t errlen)
{
	int state = atomic_load_explicit(&lib->state, memory_order_acquire);

	if (state == DYNLIB_UNTRIED) {
		pthread_mutex_lock(&dynlib_lock);
		state = atomic_load_explicit(&lib->state, memory_order_relaxed);
		if (state == DYNLIB_UNTRIED) {
			state = dynlib_open(lib) == 0 ? DYNLIB_LOADED : DYNLIB_FAILED;
			atomic_store_explicit(&lib->state, state, memory_order_release);
		}
		pthread_mutex_unlock(&dynlib_lock);
	}
	if (state == DYNLIB_LOADED)
		return 0;
	snprintf(err, errlen, "%s", lib->error);
	return -1;
}

void
dynlib_require(struct dynlib *lib)
{
	char err[sizeof(lib->error)];

	if (dynlib_load(lib, err, sizeof(err)) == 0)
		return;
	fprintf(stderr, "tend: %s\n", err);
	exit(127);
}
