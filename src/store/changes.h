/*
 * Changes (schema 7, docs/store.md): what changed, when, of which set,
 * the snapshot of the set after it, and whether it was rolled back.
 * Written synchronously on the store's connection — a change is rare, and
 * its id is needed at once (an incident is blamed on it) — and read back
 * by store_read_changes (store/read.h) on a connection of the reader's.
 */
#ifndef TEND_STORE_CHANGES_H
#define TEND_STORE_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

#define CHANGE_KIND_FILES	"files"		/* a watched set changed on disk */
#define CHANGE_KIND_RELOAD	"reload"	/* tend's config was reloaded */
#define CHANGE_KIND_GUARD	"guard"		/* tend guard ran a change */
#define CHANGE_KIND_MARK	"mark"		/* a deploy tool said so */
#define CHANGE_KIND_PACKAGES	"packages"	/* Debian packages changed */

struct store_change {
	int64_t		 at;		/* ms since the epoch */
	const char	*kind;		/* CHANGE_KIND_* */
	const char	*set;		/* NULL: of no set */
	const char	*label;		/* may be NULL */
	const char	*detail;	/* a JSON object */
};

/* Records a change: its id in *id; 0, or -1 with err. */
int	store_change_insert(struct store *st, const struct store_change *c, int64_t *id,
	    char *err, size_t errlen);
/* The snapshot of the set after change id; 0, or -1 with err. */
int	store_change_set_snapshot(struct store *st, int64_t id, int64_t snapshot_id,
	    char *err, size_t errlen);
/* Change id was rolled back at at_ms: marked bad; 0, or -1 with err. */
int	store_change_rolled_back(struct store *st, int64_t id, int64_t at_ms, char *err,
	    size_t errlen);

#endif
