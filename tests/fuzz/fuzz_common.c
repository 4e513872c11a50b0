/* Helpers every harness links: the input as fields, broken invariants. */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void
fuzz_fields(const uint8_t *data, size_t size, char **fields, size_t n)
{
	char *s = xstrndup((const char *)data, size), *nl;
	size_t i;

	fields[0] = s;
	for (i = 1; i < n; i++) {
		nl = s != NULL ? strchr(s, '\n') : NULL;
		if (nl != NULL) {
			*nl = '\0';
			s = nl + 1;
		} else
			s = NULL;
		fields[i] = s != NULL ? s : (char *)"";
	}
}

void
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: invariant broken: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
