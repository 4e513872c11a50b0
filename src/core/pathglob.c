/* Absolute path patterns as glob(3) reads them (core/pathglob.h). */
#include "core/pathglob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* As glob decides whether a component needs matching (glibc's rule for '['). */
static bool
comp_is_wild(const char *s)
{
	bool bracket = false;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\':
			if (s[1] != '\0')
				s++;
			break;
		case '*':
		case '?':
			return true;
		case '[':
			bracket = true;
			break;
		case ']':
			if (bracket)
				return true;
			break;
		}
	}
	return false;
}

/* A name's quoting removed in place: "a\*b" is the name "a*b". */
static void
comp_unquote(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		*d++ = *s;
	}
	*d = '\0';
}

/* The components of a pattern, "." dropped: "/a//./b/x.log" has a, b, x.log. */
struct pathglob_comp *
pathglob_split(const char *pattern, size_t *n)
{
	struct pathglob_comp *v = NULL;
	const char *p = pattern, *end;
	size_t len;

	*n = 0;
	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, '/');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		v = xrealloc(v, (*n + 1) * sizeof(*v));
		v[*n].text = xstrndup(p, len);
		v[*n].wild = comp_is_wild(v[*n].text);
		if (!v[*n].wild)
			comp_unquote(v[*n].text);
		if (v[*n].wild || strcmp(v[*n].text, ".") != 0)
			(*n)++;
		else
			free(v[*n].text);
		p += len;
	}
	return v;
}

void
pathglob_free(struct pathglob_comp *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

int
pathglob_check(const char *pattern, char *err, size_t len)
{
	struct pathglob_comp *v;
	size_t n, i;
	int rc = 0;

	if (*pattern == '\0') {
		snprintf(err, len, "empty pattern");
		return -1;
	}
	if (*pattern != '/') {
		snprintf(err, len, "%s: not an absolute path", pattern);
		return -1;
	}
	if (pattern[strlen(pattern) - 1] == '/') {
		snprintf(err, len, "%s: ends in '/', so it names only directories, which "
		    "cleanup never deletes", pattern);
		return -1;
	}
	v = pathglob_split(pattern, &n);
	for (i = 0; i < n && rc == 0; i++) {
		if (!v[i].wild && strcmp(v[i].text, "..") == 0) {
			snprintf(err, len, "%s: '..' is not allowed", pattern);
			rc = -1;
		}
	}
	if (rc == 0 && n > PATHGLOB_MAX_DEPTH) {
		snprintf(err, len, "%s: more than %d components", pattern, PATHGLOB_MAX_DEPTH);
		rc = -1;
	}
	pathglob_free(v, n);
	return rc;
}
