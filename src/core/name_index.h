/*
 * An array's elements found by name in O(log n): pointers to them, sorted
 * by the string each holds at a given offset (a `char *` member; an
 * element may be that pointer itself). Equal names keep array order, so
 * the first of them is the one found and the later ones are repeats.
 */
#ifndef TEND_CORE_NAME_INDEX_H
#define TEND_CORE_NAME_INDEX_H

#include <stddef.h>

struct name_index {
	const void	**v;		/* elements, by name then array order */
	size_t		 n;
	size_t		 offset;	/* of the element's `char *` name */
};

/* Elements whose name is NULL are left out. */
void	name_index_build(struct name_index *ix, const void *base, size_t n,
	    size_t size, size_t offset);
void	name_index_free(struct name_index *ix);
/* The first element (in array order) named name, or NULL. */
const void *name_index_find(const struct name_index *ix, const char *name);
/*
 * All the elements named name, in array order: ix->v[*first] and the
 * count - 1 after it. The count; 0 when there is none.
 */
size_t	name_index_range(const struct name_index *ix, const char *name, size_t *first);
/* The name of an indexed element. */
const char *name_index_name(const struct name_index *ix, const void *elem);
/* Calls repeat for each element named like one earlier in the array. */
void	name_index_repeats(const struct name_index *ix,
	    void (*repeat)(const void *first, const void *again, void *arg), void *arg);

#endif
