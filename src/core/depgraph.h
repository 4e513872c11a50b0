/*
 * Dependency ordering over nodes 0..n-1, where deps[i] lists the nodes that
 * node i depends on. Used for service start order (dependencies first) and
 * for naming a cycle in a config error.
 */
#ifndef TEND_CORE_DEPGRAPH_H
#define TEND_CORE_DEPGRAPH_H

#include <stddef.h>

struct depgraph {
	size_t		  n;
	size_t		**deps;		/* deps[i]: array of n_deps[i] nodes */
	size_t		 *n_deps;
};

/*
 * Fills order[0..n-1] so that every node comes after all its dependencies,
 * ties broken by index, and returns 0. On a cycle returns -1 and, when
 * cycle is not NULL, fills cycle[0..*cycle_len-1] with the nodes of one
 * cycle in dependency order, the first repeated at the end (a -> b -> a).
 * cycle must have room for n + 1 nodes.
 */
int	depgraph_order(const struct depgraph *g, size_t *order, size_t *cycle,
	    size_t *cycle_len);

#endif
