/*
 * `include:` — more files of one config, by glob(3) pattern: conf.d
 * drop-ins that config management writes one per service. The main file
 * holds state_dir and the includes; an included file may add services,
 * checks and the other named sections (a name declared in two files is
 * an error naming both places), or set any other top-level section that
 * no other file sets.
 */
#ifndef TEND_CONFIG_INCLUDE_H
#define TEND_CONFIG_INCLUDE_H

#include <stdbool.h>

#include "config/yaml_walk.h"

#define INCLUDE_MAX_FILES	1024	/* files of one config, all patterns together */

/* The key_spec parser of `include:` (a pattern or a list of them). */
void	parse_include(struct walk *, yaml_node_t *, void *, const struct key_spec *);

/*
 * The files the config's patterns name, relative patterns from dir (file,
 * the main file, when there is one, is never one of them): each
 * pattern's matches sorted, patterns in order, a file once. A pattern
 * without wildcards must name a file; a file that another user may change
 * (or in a directory they may write) is refused. Errors at the patterns.
 */
char	**include_expand(const struct tend_config *cfg, const char *file,
	    const char *dir, struct config_errors *errs);

/*
 * Notes where a document's top-level keys are, and in an included one,
 * reports the keys it may not hold (state_dir, include, a section another
 * file sets) and takes them out of the document, so the walk skips them.
 */
void	include_check_top(struct walk *w, yaml_node_t *root, bool included);

/*
 * Whether section's entry name (at key) is declared here first; else an
 * error naming the other file's place. Within one file, repeats are the
 * section's own to find (and so true).
 */
bool	include_first_entry(struct walk *w, const char *section, const char *noun,
	    yaml_node_t *key, const char *name);

/* What the walk noted for the above. */
void	include_seen_free(struct walk *w);

#endif
