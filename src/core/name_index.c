#include "core/name_index.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

const char *
name_index_name(const struct name_index *ix, const void *elem)
{
	return *(char *const *)((const char *)elem + ix->offset);
}

/* qsort passes its comparison no offset: each name is taken out first. */
struct keyed {
	const char	*name;
	const void	*elem;
};

static int
keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return (uintptr_t)x->elem < (uintptr_t)y->elem ? -1 :
	    (uintptr_t)x->elem > (uintptr_t)y->elem;
}

void
name_index_build(struct name_index *ix, const void *base, size_t n, size_t size,
    size_t offset)
{
	struct keyed *k = xcalloc(n + 1, sizeof(*k));
	const void *elem;
	size_t i, m = 0;

	ix->offset = offset;
	for (i = 0; i < n; i++) {
		elem = (const char *)base + i * size;
		if (name_index_name(ix, elem) != NULL)
			k[m++] = (struct keyed){ name_index_name(ix, elem), elem };
	}
	qsort(k, m, sizeof(*k), keyed_cmp);
	ix->v = xcalloc(m + 1, sizeof(*ix->v));
	for (i = 0; i < m; i++)
		ix->v[i] = k[i].elem;
	ix->n = m;
	free(k);
}

void
name_index_free(struct name_index *ix)
{
	free(ix->v);
	ix->v = NULL;
	ix->n = 0;
}

size_t
name_index_range(const struct name_index *ix, const char *name, size_t *first)
{
	size_t lo = 0, hi = ix->n, mid, end;

	/* The leftmost match: the first in array order. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(name_index_name(ix, ix->v[mid]), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	for (end = lo; end < ix->n && strcmp(name_index_name(ix, ix->v[end]), name) == 0;
	    end++)
		;
	return end - lo;
}

const void *
name_index_find(const struct name_index *ix, const char *name)
{
	size_t first;

	return name_index_range(ix, name, &first) > 0 ? ix->v[first] : NULL;
}

void
name_index_repeats(const struct name_index *ix,
    void (*repeat)(const void *first, const void *again, void *arg), void *arg)
{
	size_t i, first = 0;

	for (i = 1; i < ix->n; i++) {
		if (strcmp(name_index_name(ix, ix->v[i]),
		    name_index_name(ix, ix->v[first])) != 0)
			first = i;
		else
			repeat(ix->v[first], ix->v[i], arg);
	}
}
