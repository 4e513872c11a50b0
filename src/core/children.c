#include "core/children.h"

#include <stddef.h>
#include <string.h>

#include "core/mem.h"

/*
 * Process-wide, as the subreaper is. Sorted: the reaper asks about every
 * child of tend at each SIGCHLD, and a thousand services are a thousand
 * children.
 */
static pid_t	*own;
static size_t	 n_own;
static size_t	 cap_own;

/* Where pid is, or would go. */
static size_t
children_at(pid_t pid)
{
	size_t lo = 0, hi = n_own, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (own[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
children_own(pid_t pid)
{
	size_t at = children_at(pid);

	if (at < n_own && own[at] == pid)
		return;
	if (n_own == cap_own) {
		cap_own = cap_own ? cap_own * 2 : 16;
		own = xrealloc(own, cap_own * sizeof(*own));
	}
	memmove(own + at + 1, own + at, (n_own - at) * sizeof(*own));
	own[at] = pid;
	n_own++;
}

void
children_release(pid_t pid)
{
	size_t at = children_at(pid);

	if (at == n_own || own[at] != pid)
		return;
	memmove(own + at, own + at + 1, (n_own - at - 1) * sizeof(*own));
	n_own--;
}

bool
children_is_own(pid_t pid)
{
	size_t at = children_at(pid);

	return at < n_own && own[at] == pid;
}
