/*
 * The bounds a config document keeps before it is walked (internal to
 * src/config). A YAML alias is a reference: a small file can stand for a
 * huge tree, or an endless one, once the walk expands it.
 */
#ifndef TEND_CONFIG_YAML_BOUNDS_H
#define TEND_CONFIG_YAML_BOUNDS_H

#include <stdbool.h>

#include "config/yaml_walk.h"

/* The file itself (config_read_file). */
#define CONFIG_MAX_BYTES	(4 << 20)
/*
 * Scalars' bytes, and 8 per node, once every alias is expanded. A file
 * within CONFIG_MAX_BYTES holds at most a node per byte, so only aliases
 * can cross it.
 */
#define CONFIG_MAX_EXPANDED	(64 << 20)
#define CONFIG_MAX_ALIASES	10000
#define CONFIG_MAX_DEPTH	64

/*
 * Whether w->doc keeps the bounds: no alias inside the node it names, at
 * most CONFIG_MAX_ALIASES aliases, CONFIG_MAX_EXPANDED bytes expanded and
 * CONFIG_MAX_DEPTH levels of nesting. False after an error at the node
 * that crosses one; the document must not be walked then.
 */
bool	yaml_bounds_check(struct walk *w);

#endif
