/*
 * A snapshot is made in two steps: every object first (all fsync'd
 * together once written), then one transaction with the row and its
 * manifest (what differs from the set's newest one). Until that commit nothing refers to the new objects; a create
 * that fails removes them at once, one that was killed leaves them in its
 * journal for the next holder of the lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "snapshot/snapshot_internal.h"

int
create_locked(struct snapshot_engine *eng, const struct snapshot_spec *spec,
    const char *label, const char *reason, int64_t *id, struct snapshot_stats *stats,
    struct entry_list *live, struct entry_list *base, char *err, size_t errlen)
{
	struct snapshot_info info = { 0 };
	struct entry_list out, before;
	int rc;

	memset(stats, 0, sizeof(*stats));
	if (spec->name == NULL || spec->name[0] == '\0') {
		snprintf(err, errlen, "a snapshot set needs a name");
		return -1;
	}
	if (walk_set(eng, spec, true, &before, &out, stats, err, errlen) < 0 ||
	    objects_sync(eng, err, errlen) < 0) {
		entry_list_free(&out);
		entry_list_free(&before);
		objects_recover(eng);
		return -1;
	}
	info.set_name = (char *)spec->name;
	info.label = (char *)label;
	info.reason = (char *)reason;
	info.created_at = clock_wall_ms();
	info.files = stats->files;
	info.bytes = stats->bytes;
	info.spec = spec_to_json(spec);
	rc = store_snapshot_insert(eng->st, &info, out.v, out.n, before.v, before.n, id, err,
	    errlen);
	free(info.spec);
	if (rc < 0)
		objects_recover(eng);
	else
		objects_journal_end(eng);
	if (rc == 0 && live != NULL)
		*live = out;
	else
		entry_list_free(&out);
	if (rc == 0 && base != NULL)
		*base = before;
	else
		entry_list_free(&before);
	return rc;
}

int
snapshot_create(struct snapshot_engine *eng, const struct snapshot_spec *spec,
    const char *label, const char *reason, int64_t *id, struct snapshot_stats *stats,
    char *err, size_t errlen)
{
	struct snapshot_stats mine;
	int rc;

	if (engine_lock(eng, err, errlen) < 0)
		return -1;
	rc = create_locked(eng, spec, label, reason, id, stats != NULL ? stats : &mine, NULL,
	    NULL, err, errlen);
	engine_unlock(eng);
	return rc;
}
