#include "core/abspath.h"

#include <stdio.h>
#include <string.h>

int
abspath_normalize(const char *path, char *out, size_t len, char *err, size_t errlen)
{
	const char *p = path, *end;
	size_t used = 0, n;

	if (*path != '/') {
		snprintf(err, errlen, "'%s' is not an absolute path", path);
		return -1;
	}
	while (*p != '\0') {
		while (*p == '/')
			p++;
		end = p + strcspn(p, "/");
		n = (size_t)(end - p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			snprintf(err, errlen, "'%s': '..' is not allowed (write the path "
			    "it means)", path);
			return -1;
		}
		if (n > 0 && !(n == 1 && *p == '.')) {
			if (used + 1 + n + 1 > len) {
				snprintf(err, errlen, "'%s' is too long", path);
				return -1;
			}
			out[used++] = '/';
			memcpy(out + used, p, n);
			used += n;
		}
		p = end;
	}
	if (used == 0) {
		if (len < 2) {
			snprintf(err, errlen, "'%s' is too long", path);
			return -1;
		}
		out[used++] = '/';
	}
	out[used] = '\0';
	return 0;
}

bool
abspath_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);

	if (strcmp(outer, "/") == 0)
		return true;
	return strncmp(inner, outer, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
}
