/* Times of the files of a set, as the manifests keep them. */
#include "snapshot/snapshot_internal.h"

int64_t
fspath_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}
