#include "core/dynlib.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static pthread_mutex_t dynlib_lock = PTHREAD_MUTEX_INITIALIZER;

static bool
dynlib_is_idle(const char *path, const char *const *idle)
{
	const char *base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	for (; *idle != NULL; idle++)
		if (strncmp(base, *idle, strlen(*idle)) == 0)
			return true;
	return false;
}

static int
dynlib_page_out(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), start, end;
	const ElfW(Phdr) *ph;
	int i;

	(void)size;
	if (info->dlpi_name == NULL || !dynlib_is_idle(info->dlpi_name, arg))
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++) {
		ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) != 0)
			continue;
		/* The whole pages of the segment: never one its writable neighbour shares. */
		start = (info->dlpi_addr + ph->p_vaddr + page - 1) & ~(page - 1);
		end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz) & ~(page - 1);
#ifdef MADV_PAGEOUT
		if (end > start)
			(void)madvise((void *)start, end - start, MADV_PAGEOUT);
#endif
	}
	return 0;
}

void
dynlib_release_idle(const struct dynlib *lib)
{
	/* A kernel before 5.4 says EINVAL: the pages stay, as before. */
	if (lib->idle != NULL)
		dl_iterate_phdr(dynlib_page_out, (void *)lib->idle);
}

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
	dynlib_release_idle(lib);
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
