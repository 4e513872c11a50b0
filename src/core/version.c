#include "core/version.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An epoch ("1:") counts first; then digit runs as numbers, other runs as text. */
int
version_compare(const char *a, const char *b)
{
	const char *ca = strchr(a, ':'), *cb = strchr(b, ':');
	long ea = ca ? strtol(a, NULL, 10) : 0, eb = cb ? strtol(b, NULL, 10) : 0;
	unsigned long long na, nb;
	char *end;

	if (ea != eb)
		return ea < eb ? -1 : 1;
	a = ca ? ca + 1 : a;
	b = cb ? cb + 1 : b;
	while (*a != '\0' || *b != '\0') {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			na = strtoull(a, &end, 10);
			a = end;
			nb = strtoull(b, &end, 10);
			b = end;
			if (na != nb)
				return na < nb ? -1 : 1;
			continue;
		}
		/* "~" sorts before anything, even the end (1.0~rc1 < 1.0). */
		if (*a == '~' || *b == '~') {
			if (*a != *b)
				return *a == '~' ? -1 : 1;
			a++, b++;
			continue;
		}
		if (*a == '\0' || *b == '\0')
			return *a == '\0' ? -1 : 1;
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++, b++;
	}
	return 0;
}

bool
version_extract(const char *text, char *out, size_t len)
{
	const char *p, *start;
	size_t n;

	for (p = text; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p) || (p > text && isalnum((unsigned char)p[-1])))
			continue;
		start = p;
		while (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1])))
			p++;
		/* A version has at least one dot: "7.88.1", not "64" of "x86_64". */
		if (memchr(start, '.', (size_t)(p - start)) == NULL) {
			p--;
			continue;
		}
		n = (size_t)(p - start);
		if (n >= len)
			n = len - 1;
		memcpy(out, start, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

/*
 * One clause: returns 1 satisfied, 0 not, -1 malformed; advances *p. A
 * clause that fails sets *below when version is under the bound it sets.
 */
static int
version_clause(const char *version, const char **p, bool *below)
{
	static const char *const ops[] = { ">=", "<=", "==", "!=", ">", "<", "=", NULL };
	char want[128];
	const char *s = *p;
	size_t n;
	int i, cmp, ok;

	while (isspace((unsigned char)*s))
		s++;
	for (i = 0; ops[i] != NULL; i++)
		if (strncmp(s, ops[i], strlen(ops[i])) == 0)
			break;
	if (ops[i] == NULL)
		return -1;
	s += strlen(ops[i]);
	while (isspace((unsigned char)*s))
		s++;
	n = strcspn(s, ", \t");
	if (n == 0 || n >= sizeof(want) || !isdigit((unsigned char)*s))
		return -1;
	memcpy(want, s, n);
	want[n] = '\0';
	s += n;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == ',')
		s++;
	else if (*s != '\0')
		return -1;
	*p = s;
	if (version == NULL)
		return 1;
	cmp = version_compare(version, want);
	switch (i) {
	case 0: ok = cmp >= 0; break;
	case 1: ok = cmp <= 0; break;
	case 2: case 6: ok = cmp == 0; break;
	case 3: ok = cmp != 0; break;
	case 4: ok = cmp > 0; break;
	default: ok = cmp < 0; break;
	}
	/* Failing >= or > is being too old; failing = or == from below, too. */
	if (!ok && (i == 0 || i == 4 || ((i == 2 || i == 6) && cmp < 0)))
		*below = true;
	return ok;
}

/* Parses every clause; 1 all satisfied, 0 not, -1 malformed. */
static int
version_check(const char *version, const char *constraint, bool *below)
{
	const char *p = constraint ? constraint : "";
	int ok = 1, rc;

	*below = false;
	while (*p != '\0' && isspace((unsigned char)*p))
		p++;
	while (*p != '\0') {
		rc = version_clause(version, &p, below);
		if (rc < 0)
			return -1;
		ok = ok && rc;
		while (isspace((unsigned char)*p))
			p++;
	}
	return ok;
}

int
version_satisfies(const char *version, const char *constraint)
{
	bool below;

	return version_check(version, constraint, &below);
}

bool
version_too_old(const char *version, const char *constraint)
{
	bool below;

	return version_check(version, constraint, &below) == 0 && below;
}

int
version_constraint_valid(const char *constraint)
{
	return version_satisfies(NULL, constraint) < 0 ? -1 : 0;
}
