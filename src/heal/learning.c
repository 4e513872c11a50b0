#include "heal/learning.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct procedure {
	char		*category;
	char		*action;
	int		 attempts;
	int		 successes;
};

struct learning {
	struct procedure *v;
	size_t		 n;
};

struct learning *
learning_new(void)
{
	return xcalloc(1, sizeof(struct learning));
}

void
learning_free(struct learning *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].category);
		free(l->v[i].action);
	}
	free(l->v);
	free(l);
}

static struct procedure *
learning_find(const struct learning *l, const char *category, const char *action)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].category, category) == 0 &&
		    strcmp(l->v[i].action, action) == 0)
			return &l->v[i];
	return NULL;
}

void
learning_add(struct learning *l, const char *category, const char *action,
    int attempts, int successes)
{
	struct procedure *p = learning_find(l, category, action);

	if (p == NULL) {
		l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
		p = &l->v[l->n++];
		p->category = xstrdup(category);
		p->action = xstrdup(action);
		p->attempts = 0;
		p->successes = 0;
	}
	p->attempts += attempts;
	p->successes += successes;
}

void
learning_record(struct learning *l, const char *category, const char *action,
    bool success)
{
	learning_add(l, category, action, 1, success ? 1 : 0);
}

void
learning_counts(const struct learning *l, const char *category, const char *action,
    int *attempts, int *successes)
{
	const struct procedure *p = learning_find(l, category, action);

	*attempts = p ? p->attempts : 0;
	*successes = p ? p->successes : 0;
}

double
learning_estimate(const struct learning *l, const char *category, const char *action)
{
	int attempts, successes;

	learning_counts(l, category, action, &attempts, &successes);
	return (successes + 1.0) / (attempts + 2.0);
}

void
learning_rank(const struct learning *l, const char *category,
    const char *const *names, size_t n, size_t *order)
{
	size_t i, j, tmp;

	for (i = 0; i < n; i++)
		order[i] = i;
	/* Insertion sort: stable, and n is a handful. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && learning_estimate(l, category, names[order[j]]) >
		    learning_estimate(l, category, names[order[j - 1]]); j--) {
			tmp = order[j];
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
}
