/*
 * A walk over the document's nodes as the parsers will see them, aliases
 * expanded, without expanding anything: each node's expanded size is
 * computed once and added wherever an alias uses it again. The walk keeps
 * its own stack, so a deep document costs no C stack.
 */
#include "config/yaml_bounds.h"

#include <stdint.h>
#include <stdlib.h>

#include "core/mem.h"

#define NODE_COST	8

enum { UNSEEN, OPEN, DONE };

struct frame {
	int		 node;		/* index in the document, from 1 */
	size_t		 next;		/* the next child to visit */
	size_t		 size;		/* expanded so far */
};

struct bounds {
	struct walk	*w;
	unsigned char	*state;		/* by node index - 1 */
	size_t		*size;		/* the expanded size of a DONE node */
	size_t		 aliases;
	struct frame	 stack[CONFIG_MAX_DEPTH];
	size_t		 depth;
};

/* The i-th child of a node, a mapping's keys and values in turn; 0 after the last. */
static int
bounds_child(const yaml_node_t *n, size_t i)
{
	const yaml_node_pair_t *p;
	size_t count;

	switch (n->type) {
	case YAML_SEQUENCE_NODE:
		count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
		return i < count ? n->data.sequence.items.start[i] : 0;
	case YAML_MAPPING_NODE:
		count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
		if (i >= 2 * count)
			return 0;
		p = &n->data.mapping.pairs.start[i / 2];
		return i % 2 ? p->value : p->key;
	default:
		return 0;
	}
}

static yaml_node_t *
bounds_node(struct bounds *b, int index)
{
	return yaml_document_get_node(b->w->doc, index);
}

/* Adds to the top frame's size; false after an error when it grows too big. */
static bool
bounds_grow(struct bounds *b, size_t add)
{
	struct frame *f = &b->stack[b->depth - 1];

	f->size = add > SIZE_MAX - f->size ? SIZE_MAX : f->size + add;
	if (f->size <= CONFIG_MAX_EXPANDED)
		return true;
	walk_error(b->w, bounds_node(b, f->node), "YAML aliases expand this to more "
	    "than %d MB; tend reads at most %d MB of expanded YAML",
	    CONFIG_MAX_EXPANDED >> 20, CONFIG_MAX_EXPANDED >> 20);
	return false;
}

static bool
bounds_push(struct bounds *b, int index)
{
	yaml_node_t *n = bounds_node(b, index);

	if (b->depth == CONFIG_MAX_DEPTH) {
		walk_error(b->w, n, "nested more than %d levels deep", CONFIG_MAX_DEPTH);
		return false;
	}
	b->state[index - 1] = OPEN;
	b->stack[b->depth++] = (struct frame){ .node = index, .size = NODE_COST +
	    (n->type == YAML_SCALAR_NODE ? n->data.scalar.length : 0) };
	return true;
}

/* The top node's children are all counted: its size goes to its parent. */
static bool
bounds_pop(struct bounds *b)
{
	struct frame *f = &b->stack[--b->depth];

	b->state[f->node - 1] = DONE;
	b->size[f->node - 1] = f->size;
	return b->depth == 0 || bounds_grow(b, f->size);
}

/* A child met again: an alias of a node done, or of one that holds it. */
static bool
bounds_alias(struct bounds *b, int index)
{
	yaml_node_t *at = bounds_node(b, b->stack[b->depth - 1].node);

	if (b->state[index - 1] == OPEN) {
		walk_error(b->w, bounds_node(b, index), "a YAML alias inside the node "
		    "it names: it would never end");
		return false;
	}
	if (++b->aliases > CONFIG_MAX_ALIASES) {
		walk_error(b->w, at, "more than %d YAML aliases", CONFIG_MAX_ALIASES);
		return false;
	}
	return bounds_grow(b, b->size[index - 1]);
}

static bool
bounds_walk(struct bounds *b)
{
	struct frame *f;
	int child;

	if (!bounds_push(b, 1))
		return false;
	while (b->depth > 0) {
		f = &b->stack[b->depth - 1];
		child = bounds_child(bounds_node(b, f->node), f->next++);
		if (child == 0) {
			if (!bounds_pop(b))
				return false;
		} else if (b->state[child - 1] != UNSEEN) {
			if (!bounds_alias(b, child))
				return false;
		} else if (!bounds_push(b, child))
			return false;
	}
	return true;
}

bool
yaml_bounds_check(struct walk *w)
{
	size_t n = (size_t)(w->doc->nodes.top - w->doc->nodes.start);
	struct bounds *b;
	bool ok;

	if (n == 0)
		return true;
	b = xcalloc(1, sizeof(*b));
	b->w = w;
	b->state = xcalloc(n, 1);
	b->size = xcalloc(n, sizeof(*b->size));
	ok = bounds_walk(b);
	free(b->state);
	free(b->size);
	free(b);
	return ok;
}
