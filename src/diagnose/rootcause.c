#include "diagnose/rootcause.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct dep_closure {
	const struct tend_config *cfg;
	size_t		 n;
	bool		*reach;		/* reach[i * n + j]: i depends on j */
};

static long
service_index(const struct tend_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < cfg->n_services; i++)
		if (strcmp(cfg->services[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* Marks everything from can reach through depends_on (the config has no cycles). */
static void
dep_closure_walk(struct dep_closure *d, size_t from, size_t at)
{
	char **deps = d->cfg->services[at].depends_on;
	long j;

	for (; deps != NULL && *deps != NULL; deps++) {
		j = service_index(d->cfg, *deps);
		if (j < 0 || d->reach[from * d->n + (size_t)j])
			continue;
		d->reach[from * d->n + (size_t)j] = true;
		dep_closure_walk(d, from, (size_t)j);
	}
}

struct dep_closure *
dep_closure_new(const struct tend_config *cfg)
{
	struct dep_closure *d = xcalloc(1, sizeof(*d));
	size_t i;

	d->cfg = cfg;
	d->n = cfg->n_services;
	d->reach = xcalloc(d->n * d->n + 1, sizeof(bool));
	for (i = 0; i < d->n; i++)
		dep_closure_walk(d, i, i);
	return d;
}

void
dep_closure_free(struct dep_closure *d)
{
	if (d == NULL)
		return;
	free(d->reach);
	free(d);
}

bool
dep_closure_depends(const struct dep_closure *d, const char *service, const char *on)
{
	long i = service_index(d->cfg, service), j = service_index(d->cfg, on);

	return i >= 0 && j >= 0 && d->reach[(size_t)i * d->n + (size_t)j];
}

size_t
dep_closure_deepest(const struct dep_closure *d, const char *const *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (v[i] == NULL)
			continue;
		for (j = 0; j < n; j++)
			if (j != i && v[j] != NULL && dep_closure_depends(d, v[i], v[j]))
				break;
		if (j == n)
			return i;
	}
	return n;
}
