/*
 * Walking a libyaml document against tables of allowed keys. One general
 * mechanism for every mapping in tend.yaml: unknown and duplicate keys,
 * wrong types and bad values are reported at their file:line:col, and the
 * walk goes on so that every error is found in one run.
 */
#ifndef TEND_CONFIG_YAML_WALK_H
#define TEND_CONFIG_YAML_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "config/config.h"
#include "config/units.h"

struct walk {
	const char	*file;		/* owned by the config */
	yaml_document_t	*doc;
	struct config_errors *errs;
	struct tend_config *cfg;
	/*
	 * While a service with instances is walked once per instance: its
	 * number, put for "{instance}" (and "{instance+N}") in every scalar
	 * read (config/parse_instances.c); the texts made so, freed with the walk.
	 */
	bool		 in_instance;
	int		 instance;
	char		**made;
	/* Top-level keys and named entries, where each file put them (include.c). */
	void		*seen;
};

struct key_spec;
/* Parses node into target (the object's base + the spec's offset). */
typedef void	(*value_parser)(struct walk *w, yaml_node_t *node, void *target,
		    const struct key_spec *spec);

struct key_spec {
	const char	*name;
	value_parser	 parse;
	size_t		 offset;
	const void	*arg;		/* parser-specific: a sub-table, ... */
};

void	walk_error(struct walk *w, const yaml_node_t *node, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	walk_error_at(struct config_errors *errs, const char *file, int line,
	    int col, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
struct conf_pos walk_pos(const struct walk *w, const yaml_node_t *node);

/*
 * Walks a mapping: each key must be in specs (NULL-named terminator).
 * `what` names the mapping in messages ("service 'web'"). Returns false
 * when node is not a mapping.
 */
bool	walk_mapping(struct walk *w, yaml_node_t *node, const struct key_spec *specs,
	    void *obj, const char *what);
/* The same against several tables at once (NULL-terminated list): a mapping
 * whose allowed keys depend on another key, as a check's on its type. */
bool	walk_mapping_tables(struct walk *w, yaml_node_t *node,
	    const struct key_spec *const *tables, void *obj, const char *what);
/*
 * For each pair of a mapping, whether its key repeats an earlier one's:
 * an array to free.
 */
bool	*walk_repeated_keys(struct walk *w, yaml_node_t *mapping);
/* The text of the scalar under key in a mapping, or NULL. */
const char *walk_lookup(struct walk *w, yaml_node_t *mapping, const char *key);
/* The key node of key in a mapping (for errors that point at it), or NULL. */
yaml_node_t *walk_key_node(struct walk *w, yaml_node_t *mapping, const char *key);
/* The value node under key in a mapping, or NULL. */
yaml_node_t *walk_value_node(struct walk *w, yaml_node_t *mapping, const char *key);
/*
 * A scalar's text, or NULL after an error naming `expected`; in an
 * instance's walk, with "{instance}" put in.
 */
const char *walk_scalar(struct walk *w, yaml_node_t *node, const char *expected);

/*
 * A scalar read as a number of that kind (config/units.h), or false after
 * an error "'key': expected ..., got '...'". Every number goes through it.
 */
bool	walk_number(struct walk *w, yaml_node_t *node, const char *key,
	    enum number_kind kind, double *out);

/* Value parsers for key_spec tables. */
void	parse_string(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_argv(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_string_list(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_env(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_duration(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_duration_or_zero(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_size(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_percent(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_number(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_fraction(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_positive_int(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_count(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_bool(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_signal(struct walk *, yaml_node_t *, void *, const struct key_spec *);
void	parse_octal(struct walk *, yaml_node_t *, void *, const struct key_spec *);
/* A nested mapping: spec->arg is its key_spec table. */
void	parse_nested(struct walk *, yaml_node_t *, void *, const struct key_spec *);
/* "Name: value" lines from a mapping (HTTP headers). */
void	parse_header_map(struct walk *, yaml_node_t *, void *, const struct key_spec *);
/*
 * labels: { team: ops } as "team=ops" (Prometheus label names). spec->arg,
 * when not NULL: a NULL-terminated list whose first string says why the
 * names after it are taken.
 */
void	parse_labels(struct walk *, yaml_node_t *, void *, const struct key_spec *);
/* One of a list of words: spec->arg is a NULL-terminated array of words. */
void	parse_enum(struct walk *, yaml_node_t *, void *, const struct key_spec *);

#endif
