/*
 * Pruning: the newest `keep` snapshots of a set and every last-known-good
 * one stay; the other rows go in one transaction, then the objects no
 * manifest uses any more, then what a killed run left in tmp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "snapshot/snapshot_internal.h"

/* The ids to delete: of each set, past its keep newest, unless last known good. */
static int64_t *
doomed(const struct snapshot_info *v, size_t n, int keep, size_t *nd)
{
	int64_t *ids = NULL;
	size_t i, j, kept;

	*nd = 0;
	for (i = 0; i < n; i++) {
		/* v is newest first: count the newer ones of the same set. */
		for (j = 0, kept = 0; j < i; j++)
			if (strcmp(v[j].set_name, v[i].set_name) == 0)
				kept++;
		if ((int64_t)kept < keep || v[i].lkg)
			continue;
		ids = xgrow(ids, *nd, sizeof(*ids));
		ids[(*nd)++] = v[i].id;
	}
	return ids;
}

int
snapshot_prune(struct snapshot_engine *eng, const char *set, int keep,
    struct snapshot_prune_stats *stats, char *err, size_t errlen)
{
	struct snapshot_prune_stats mine;
	struct snapshot_info *v = NULL;
	int64_t *ids = NULL;
	size_t n = 0, nd = 0;
	int rc = -1;

	if (stats == NULL)
		stats = &mine;
	memset(stats, 0, sizeof(*stats));
	if (keep < 0) {
		snprintf(err, errlen, "prune: keep must be 0 or more, not %d", keep);
		return -1;
	}
	if (engine_lock(eng, err, errlen) < 0)
		return -1;
	if (store_snapshot_list(eng->st, set, &v, &n, err, errlen) < 0)
		goto done;
	ids = doomed(v, n, keep, &nd);
	if (nd > 0 && store_snapshot_delete(eng->st, ids, nd, err, errlen) < 0)
		goto done;
	stats->snapshots = (int64_t)nd;
	rc = objects_collect(eng, &stats->objects, &stats->bytes, err, errlen);
done:
	free(ids);
	snapshot_infos_free(v, n);
	engine_unlock(eng);
	return rc;
}
