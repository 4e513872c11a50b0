#include "config/envsubst.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/text.h"

#define ENV_NAME_MAX	255

static bool
env_name_char(char c, bool first)
{
	return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

/*
 * The reference at in[i] ("${" there) put into o; the offset after it, or
 * 0 with msg said.
 */
static size_t
envsubst_one(struct text_buf *o, const char *in, size_t len, size_t i, char *msg,
    size_t msglen)
{
	size_t start = i + 2, end = start, close;
	char name[ENV_NAME_MAX + 1];
	const char *value;

	while (end < len && end - start <= ENV_NAME_MAX && env_name_char(in[end], end == start))
		end++;
	if (end == start || end - start > ENV_NAME_MAX) {
		snprintf(msg, msglen, "expected a variable's name after '${' (letters, digits "
		    "and _, not first a digit; '$${' is a literal '${')");
		return 0;
	}
	memcpy(name, in + start, end - start);
	name[end - start] = '\0';
	value = getenv(name);
	if (end < len && in[end] == '}') {
		if (value == NULL) {
			snprintf(msg, msglen, "${%s}: %s is not set in tend's environment, and "
			    "has no default (${%s:-DEFAULT})", name, name, name);
			return 0;
		}
		text_buf_put(o, value, strlen(value));
		return end + 1;
	}
	if (end + 1 >= len || in[end] != ':' || in[end + 1] != '-') {
		snprintf(msg, msglen, "${%s: expected '}' or ':-DEFAULT}' after the name",
		    name);
		return 0;
	}
	for (close = end + 2; close < len && in[close] != '}'; close++)
		;
	if (close == len) {
		snprintf(msg, msglen, "${%s:-: no '}' ends the default", name);
		return 0;
	}
	if (value != NULL && *value != '\0')
		text_buf_put(o, value, strlen(value));
	else
		text_buf_put(o, in + end + 2, close - (end + 2));
	return close + 1;
}

bool
envsubst_text(const char *in, size_t len, char **out, size_t *out_len, size_t *at,
    char *msg, size_t msglen)
{
	struct text_buf o = { 0 };
	size_t i = 0, from = 0, next;

	*out = NULL;
	*out_len = 0;
	if (len < 2 || memmem(in, len, "${", 2) == NULL)
		return true;
	while (i + 1 < len) {
		if (in[i] != '$') {
			i++;
		} else if (in[i + 1] == '$' && i + 2 < len && in[i + 2] == '{') {
			text_buf_put(&o, in + from, i + 1 - from);	/* one '$' of the two */
			from = i = i + 2;
		} else if (in[i + 1] != '{') {
			i++;
		} else {
			text_buf_put(&o, in + from, i - from);
			if ((next = envsubst_one(&o, in, len, i, msg, msglen)) == 0) {
				free(o.s);
				*at = i;
				return false;
			}
			from = i = next;
		}
	}
	text_buf_put(&o, in + from, len - from);
	*out = o.s;
	*out_len = o.len;
	return true;
}

/* Which nodes are a mapping's keys (indexes from 0): they are left as written. */
static bool *
envsubst_keys(const yaml_document_t *doc, size_t n)
{
	bool *is_key = xcalloc(n > 0 ? n : 1, sizeof(*is_key));
	const yaml_node_pair_t *pair;
	const yaml_node_t *node;

	for (node = doc->nodes.start; node < doc->nodes.top; node++) {
		if (node->type != YAML_MAPPING_NODE)
			continue;
		for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top;
		    pair++)
			if (pair->key >= 1 && (size_t)pair->key <= n)
				is_key[pair->key - 1] = true;
	}
	return is_key;
}

bool
config_envsubst(struct walk *w)
{
	yaml_document_t *doc = w->doc;
	size_t n = (size_t)(doc->nodes.top - doc->nodes.start), i, out_len, at;
	bool *is_key = envsubst_keys(doc, n), ok = true, quoted;
	yaml_node_t *node;
	char msg[512], *out;

	for (i = 0; i < n; i++) {
		node = doc->nodes.start + i;
		if (node->type != YAML_SCALAR_NODE || is_key[i])
			continue;
		if (!envsubst_text((const char *)node->data.scalar.value,
		    node->data.scalar.length, &out, &out_len, &at, msg, sizeof(msg))) {
			/* The column of the '$' where the value is written on one line. */
			quoted = node->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			    node->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
			walk_error_at(w->errs, w->file, (int)node->start_mark.line + 1,
			    (int)(node->start_mark.column + 1 + (quoted ? 1 : 0) + at), "%s",
			    msg);
			ok = false;
			continue;
		}
		if (out == NULL)
			continue;
		/* libyaml frees its scalars with free(): the new text takes the old's place. */
		free(node->data.scalar.value);
		node->data.scalar.value = (yaml_char_t *)out;
		node->data.scalar.length = out_len;
	}
	free(is_key);
	return ok;
}
