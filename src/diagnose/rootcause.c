#include "diagnose/rootcause.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct dep_closure {
	const struct tend_config *cfg;
	size_t		 n;
	/* Bit i * n + j: i depends on j. A bit: 10,000 services are 12.5 MB, not 100. */
	uint64_t	*reach;
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

static bool
reach_get(const struct dep_closure *d, size_t i, size_t j)
{
	size_t bit = i * d->n + j;

	return (d->reach[bit / 64] >> (bit % 64)) & 1;
}

static void
reach_set(struct dep_closure *d, size_t i, size_t j)
{
	size_t bit = i * d->n + j;

	d->reach[bit / 64] |= (uint64_t)1 << (bit % 64);
}

/* Marks everything from can reach through depends_on (the config has no cycles). */
static void
dep_closure_walk(struct dep_closure *d, size_t from, size_t at)
{
	char **deps = d->cfg->services[at].depends_on;
	long j;

	for (; deps != NULL && *deps != NULL; deps++) {
		j = service_index(d->cfg, *deps);
		if (j < 0 || reach_get(d, from, (size_t)j))
			continue;
		reach_set(d, from, (size_t)j);
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
	d->reach = xcalloc(d->n * d->n / 64 + 1, sizeof(*d->reach));
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

	return i >= 0 && j >= 0 && reach_get(d, (size_t)i, (size_t)j);
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
