#include "heal/changes.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/strv.h"

struct ct_set {
	char		*name;
	int64_t		 window_ms;
	int64_t		 lkg_after_ms;
	bool		 auto_rollback;
	char		**restart;
	int64_t		 change_id;	/* the newest; 0: the state tend found */
	int64_t		 change_at;
	bool		 rolled_back;
	bool		 lkg_done;	/* for this change */
};

struct change_tracker {
	struct ct_set	*sets;
	size_t		 n;
	struct ct_set	 loose;		/* the newest change of no set */
	bool		 healthy;
	int64_t		 healthy_since;
};

struct change_tracker *
change_tracker_new(void)
{
	struct change_tracker *ct = xcalloc(1, sizeof(*ct));

	ct->loose.lkg_done = true;	/* no state of its own to keep */
	return ct;
}

static void
ct_set_free(struct ct_set *s)
{
	free(s->name);
	strv_free(s->restart);
}

void
change_tracker_free(struct change_tracker *ct)
{
	size_t i;

	if (ct == NULL)
		return;
	for (i = 0; i < ct->n; i++)
		ct_set_free(&ct->sets[i]);
	free(ct->sets);
	free(ct);
}

static struct ct_set *
ct_find(const struct ct_set *sets, size_t n, const char *name)
{
	size_t i;

	/* A set a reload has already taken over has no name any more. */
	for (i = 0; name != NULL && i < n; i++)
		if (sets[i].name != NULL && strcmp(sets[i].name, name) == 0)
			return (struct ct_set *)&sets[i];
	return NULL;
}

void
change_tracker_set_rules(struct change_tracker *ct, const struct change_set_rules *rules,
    size_t n, int64_t now_ms)
{
	struct ct_set *sets = xcalloc(n > 0 ? n : 1, sizeof(*sets)), *old;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((old = ct_find(ct->sets, ct->n, rules[i].name)) != NULL) {
			sets[i] = *old;
			sets[i].restart = NULL;
			old->name = NULL;
		} else {
			sets[i].name = xstrdup(rules[i].name);
			sets[i].change_at = now_ms;
		}
		sets[i].window_ms = rules[i].guard_window_ms;
		sets[i].lkg_after_ms = rules[i].lkg_after_ms;
		sets[i].auto_rollback = rules[i].auto_rollback;
		sets[i].restart = strv_dup(rules[i].restart);
	}
	for (i = 0; i < ct->n; i++)
		ct_set_free(&ct->sets[i]);
	free(ct->sets);
	ct->sets = sets;
	ct->n = n;
}

void
change_tracker_change(struct change_tracker *ct, const char *set, int64_t change_id,
    int64_t window_ms, int64_t now_ms)
{
	struct ct_set *s = set != NULL ? ct_find(ct->sets, ct->n, set) : &ct->loose;

	if (s == NULL)
		return;
	s->change_id = change_id;
	s->change_at = now_ms;
	s->rolled_back = false;
	if (s == &ct->loose)
		s->window_ms = window_ms;
	else
		s->lkg_done = false;
}

int64_t
change_tracker_newest(const struct change_tracker *ct, const char *set)
{
	const struct ct_set *s = ct_find(ct->sets, ct->n, set);

	return s != NULL && !s->rolled_back ? s->change_id : 0;
}

void
change_tracker_rolled_back(struct change_tracker *ct, const char *set)
{
	struct ct_set *s = ct_find(ct->sets, ct->n, set);

	if (s != NULL)
		s->rolled_back = true;
}

void
change_tracker_health(struct change_tracker *ct, bool all_healthy, int64_t now_ms)
{
	if (all_healthy && !ct->healthy)
		ct->healthy_since = now_ms;
	ct->healthy = all_healthy;
}

/* Whether s's newest change can be blamed at now. */
static bool
ct_in_window(const struct ct_set *s, int64_t now_ms)
{
	return s->change_id > 0 && !s->rolled_back && now_ms >= s->change_at &&
	    now_ms - s->change_at <= s->window_ms;
}

/* The newer of best and s; a set that restarts the service first. */
static const struct ct_set *
ct_better(const struct ct_set *best, const struct ct_set *s, const char *service)
{
	bool s_ours = service != NULL && strv_contains(s->restart, service);
	bool best_ours = best != NULL && service != NULL && strv_contains(best->restart, service);

	if (best == NULL || (s_ours && !best_ours))
		return s;
	if (best_ours && !s_ours)
		return best;
	return s->change_at > best->change_at ? s : best;
}

bool
change_tracker_blame(const struct change_tracker *ct, const char *service, bool critical,
    int64_t now_ms, struct change_blame *blame)
{
	const struct ct_set *best = NULL;
	size_t i;

	for (i = 0; i < ct->n; i++)
		if (ct_in_window(&ct->sets[i], now_ms))
			best = ct_better(best, &ct->sets[i], service);
	if (ct_in_window(&ct->loose, now_ms))
		best = ct_better(best, &ct->loose, service);
	if (best == NULL)
		return false;
	blame->change_id = best->change_id;
	blame->set = best == &ct->loose ? NULL : best->name;
	blame->at_ms = best->change_at;
	blame->rollback = best != &ct->loose && best->auto_rollback && critical;
	return true;
}

/* When s's state is last known good, or -1 when it cannot be yet. */
static int64_t
ct_lkg_at(const struct change_tracker *ct, const struct ct_set *s)
{
	if (s->lkg_done || s->rolled_back || !ct->healthy)
		return -1;
	return (s->change_at > ct->healthy_since ? s->change_at : ct->healthy_since) +
	    s->lkg_after_ms;
}

const char *
change_tracker_lkg_due(struct change_tracker *ct, int64_t now_ms, int64_t *change_id)
{
	int64_t at;
	size_t i;

	for (i = 0; i < ct->n; i++) {
		at = ct_lkg_at(ct, &ct->sets[i]);
		if (at >= 0 && at <= now_ms) {
			ct->sets[i].lkg_done = true;
			*change_id = ct->sets[i].change_id;
			return ct->sets[i].name;
		}
	}
	return NULL;
}

int64_t
change_tracker_next_due(const struct change_tracker *ct, int64_t now_ms)
{
	int64_t at, next = -1;
	size_t i;

	for (i = 0; i < ct->n; i++) {
		at = ct_lkg_at(ct, &ct->sets[i]);
		if (at >= 0 && (next < 0 || at - now_ms < next))
			next = at > now_ms ? at - now_ms : 0;
	}
	return next;
}
