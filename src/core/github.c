/* GitHub Actions workflow commands and step summary cells. */
#include "core/github.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/text.h"

bool
github_actions(void)
{
	const char *v = getenv("GITHUB_ACTIONS");

	return v != NULL && strcmp(v, "true") == 0;
}

const char *
github_step_summary(void)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");

	return github_actions() && path != NULL && *path != '\0' ? path : NULL;
}

char *
github_escape(const char *s)
{
	char *out = xmalloc(strlen(s) * 3 + 1), *p = out;

	for (; *s != '\0'; s++) {
		if (*s == '%' || *s == '\r' || *s == '\n')
			p += sprintf(p, "%%%02X", (unsigned char)*s);
		else
			*p++ = *s;
	}
	*p = '\0';
	return out;
}

void
github_cell(FILE *f, const char *s)
{
	char *shown, *p;

	if (s == NULL)
		return;
	shown = text_escape(s);
	for (p = shown; *p != '\0'; p++) {
		if (*p == '|')
			fputs("\\|", f);
		else if (*p == '`')
			fputc('\'', f);
		else
			fputc(*p, f);
	}
	free(shown);
}
