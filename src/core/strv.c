#include "core/strv.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

size_t
strv_len(char *const *v)
{
	size_t n = 0;

	if (v != NULL)
		while (v[n] != NULL)
			n++;
	return n;
}

char **
strv_dup(char *const *v)
{
	size_t i, n = strv_len(v);
	char **copy;

	if (v == NULL)
		return NULL;
	copy = xcalloc(n + 1, sizeof(*copy));
	for (i = 0; i < n; i++)
		copy[i] = xstrdup(v[i]);
	return copy;
}

void
strv_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

bool
strv_equal(char *const *a, char *const *b)
{
	size_t i, n = strv_len(a);

	if (n != strv_len(b))
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

char **
strv_push(char **v, const char *s)
{
	size_t n = strv_len(v);

	v = xrealloc(v, (n + 2) * sizeof(*v));
	v[n] = xstrdup(s);
	v[n + 1] = NULL;
	return v;
}

char **
strv_extend(char **v, char *const *more)
{
	size_t i, n = strv_len(v), m = strv_len(more);

	if (m == 0)
		return v;
	v = xrealloc(v, (n + m + 1) * sizeof(*v));
	for (i = 0; i < m; i++)
		v[n + i] = xstrdup(more[i]);
	v[n + m] = NULL;
	return v;
}

char *
strv_join(char *const *v, const char *sep)
{
	size_t i, len = 1, n = strv_len(v), seplen = strlen(sep);
	char *out;

	for (i = 0; i < n; i++)
		len += strlen(v[i]) + seplen;
	out = xmalloc(len);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, sep);
		strcat(out, v[i]);
	}
	return out;
}

bool
strv_contains(char *const *v, const char *s)
{
	for (; v != NULL && *v != NULL; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

json_t *
strv_json(char *const *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

json_t *
strv_pairs_json(char *const *v, json_t *obj)
{
	const char *eq;
	char *name;

	for (; v != NULL && *v != NULL; v++) {
		if ((eq = strchr(*v, '=')) == NULL)
			continue;
		name = xstrndup(*v, (size_t)(eq - *v));
		json_object_set_new(obj, name, json_string(eq + 1));
		free(name);
	}
	return obj;
}
