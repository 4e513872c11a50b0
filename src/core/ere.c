#include "core/ere.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERE_MAX_GROUPS	64	/* nesting followed; deeper is refused */

/* A group being read: what it holds so far, and its last atom's size. */
struct ere_frame {
	double	 total;
	double	 last;
};

/* After '[' at p: past the bracket expression's ']' (or at the end). */
static const char *
ere_skip_bracket(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p != '\0' && *p != ']'; p++)
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			const char *end = strchr(p + 2, p[1]);

			if (end == NULL || end[1] != ']')
				return p + strlen(p);
			p = end + 1;
		}
	return *p == ']' ? p + 1 : p;
}

/* The larger bound of "{m}", "{m,}" or "{m,n}" at p; *next past it; 0 when none. */
static double
ere_bound(const char *p, const char **next)
{
	char *end;
	double m, n;

	m = strtod(p + 1, &end);
	if (end == p + 1)
		return 0;
	n = m;
	if (*end == ',') {
		n = end[1] == '}' ? m + 1 : strtod(end + 1, &end);
		if (end[0] == ',' && end[1] == '}')
			end++;
	}
	if (*end != '}')
		return 0;
	*next = end + 1;
	return n > m ? n : m;
}

bool
ere_affordable(const char *pattern, char *why, size_t whylen)
{
	struct ere_frame stack[ERE_MAX_GROUPS + 1] = { { 0, 0 } }, *f = stack;
	const char *p = pattern, *next;
	bool after_quantifier = false;
	double times, atom;

	while (*p != '\0') {
		times = 0;
		atom = 0;
		next = p + 1;
		if (*p == '*' || *p == '+' || *p == '?')
			times = 2;
		else if (*p == '{' && (times = ere_bound(p, &next)) == 0)
			atom = 1;		/* a literal '{' */
		else if (*p == '{')
			;
		else if (*p == '\\' && p[1] != '\0') {
			atom = 1;
			next = p + 2;
		} else if (*p == '[') {
			atom = 1;
			next = ere_skip_bracket(p);
		} else if (*p == '(') {
			if (f == stack + ERE_MAX_GROUPS) {
				snprintf(why, whylen, "groups nested more than %d deep",
				    ERE_MAX_GROUPS);
				return false;
			}
			*++f = (struct ere_frame){ 0, 0 };
		} else if (*p == ')' && f > stack) {
			atom = f->total;
			f--;
		} else
			atom = 1;
		if (times > 0) {
			if (after_quantifier) {
				snprintf(why, whylen, "a repetition repeated ('%.*s' right "
				    "after another): write it once", (int)(next - p), p);
				return false;
			}
			f->total += f->last * (times - 1);
			f->last *= times;
		} else if (*p != '(') {
			f->total += atom;
			f->last = atom;
		}
		after_quantifier = times > 0;
		if (f->total > ERE_MAX_NODES || stack[0].total > ERE_MAX_NODES) {
			snprintf(why, whylen, "its repetitions expand to more than %d parts: "
			    "bound them less, or nest fewer of them", ERE_MAX_NODES);
			return false;
		}
		p = next;
	}
	return true;
}
