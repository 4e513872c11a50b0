#include "core/children.h"

#include <stddef.h>

#include "core/mem.h"

/* Process-wide, as the subreaper is: a handful of pids, so a plain array. */
static pid_t	*own;
static size_t	 n_own;
static size_t	 cap_own;

void
children_own(pid_t pid)
{
	if (n_own == cap_own) {
		cap_own = cap_own ? cap_own * 2 : 16;
		own = xrealloc(own, cap_own * sizeof(*own));
	}
	own[n_own++] = pid;
}

void
children_release(pid_t pid)
{
	size_t i;

	for (i = 0; i < n_own; i++)
		if (own[i] == pid) {
			own[i] = own[--n_own];
			return;
		}
}

bool
children_is_own(pid_t pid)
{
	size_t i;

	for (i = 0; i < n_own; i++)
		if (own[i] == pid)
			return true;
	return false;
}
