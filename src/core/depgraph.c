#include "core/depgraph.h"

#include <stdbool.h>
#include <stdlib.h>

#include "core/mem.h"

enum visit_mark {
	MARK_NEW,
	MARK_ON_PATH,
	MARK_DONE,
};

struct depgraph_walk {
	const struct depgraph	*g;
	enum visit_mark		*mark;
	size_t			*path;	/* the current DFS path, for cycles */
	size_t			 path_len;
	size_t			*order;
	size_t			 order_len;
	size_t			*cycle;
	size_t			*cycle_len;
};

static void
depgraph_record_cycle(struct depgraph_walk *w, size_t back_to)
{
	size_t i, start = 0, n = 0;

	if (w->cycle == NULL)
		return;
	for (i = 0; i < w->path_len; i++)
		if (w->path[i] == back_to)
			start = i;
	for (i = start; i < w->path_len; i++)
		w->cycle[n++] = w->path[i];
	w->cycle[n++] = back_to;
	*w->cycle_len = n;
}

/* Depth-first: a node is emitted after everything it depends on. */
static bool
depgraph_visit(struct depgraph_walk *w, size_t node)
{
	size_t i, dep;

	if (w->mark[node] == MARK_DONE)
		return true;
	if (w->mark[node] == MARK_ON_PATH) {
		depgraph_record_cycle(w, node);
		return false;
	}
	w->mark[node] = MARK_ON_PATH;
	w->path[w->path_len++] = node;
	for (i = 0; i < w->g->n_deps[node]; i++) {
		dep = w->g->deps[node][i];
		if (!depgraph_visit(w, dep))
			return false;
	}
	w->path_len--;
	w->mark[node] = MARK_DONE;
	w->order[w->order_len++] = node;
	return true;
}

int
depgraph_order(const struct depgraph *g, size_t *order, size_t *cycle,
    size_t *cycle_len)
{
	struct depgraph_walk w = {
		.g = g,
		.order = order,
		.cycle = cycle,
		.cycle_len = cycle_len,
	};
	size_t i;
	int rc = 0;

	w.mark = xcalloc(g->n, sizeof(*w.mark));
	w.path = xcalloc(g->n + 1, sizeof(*w.path));
	for (i = 0; i < g->n; i++) {
		if (!depgraph_visit(&w, i)) {
			rc = -1;
			break;
		}
	}
	free(w.mark);
	free(w.path);
	return rc;
}
