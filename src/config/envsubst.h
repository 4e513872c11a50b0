/*
 * ${VAR} and ${VAR:-default} in a config's values, from tend's
 * environment, put in before the document is walked (internal to
 * src/config): config management writes one file for every host, and
 * each host's environment fills it in.
 */
#ifndef TEND_CONFIG_ENVSUBST_H
#define TEND_CONFIG_ENVSUBST_H

#include <stdbool.h>
#include <stddef.h>

#include "config/yaml_walk.h"

/*
 * Every value scalar of w->doc (not a mapping's keys) with its references
 * put in: ${NAME} is NAME's value (an error at its file:line:col when NAME
 * is unset), ${NAME:-TEXT} is TEXT when NAME is unset or empty, and $${
 * is a literal ${. Any other $ is left as it is. False after an error.
 */
bool	config_envsubst(struct walk *w);

/*
 * One text with its references put in (NULL when none is there: the text
 * stays). False after an error, with *at the offset of the reference and
 * msg what is wrong; *out is then NULL.
 */
bool	envsubst_text(const char *in, size_t len, char **out, size_t *out_len, size_t *at,
	    char *msg, size_t msglen);

#endif
