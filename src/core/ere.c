#include "core/ere.h"

#include <ctype.h>
#include <stdio.h>
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

/* Decimal digits at *p, read past; false when there are none. */
static bool
ere_number(const char **p, double *v)
{
	if (!isdigit((unsigned char)**p))
		return false;
	for (*v = 0; isdigit((unsigned char)**p); (*p)++)
		*v = *v * 10 + (**p - '0');
	return true;
}

/*
 * How many times "{m}", "{m,}" or "{m,n}" at p repeats (for "{m,}", m + 1:
 * one copy past the minimum); *next past it. 0 when p is no bound (a
 * literal '{').
 */
static double
ere_bound(const char *p, const char **next)
{
	const char *q = p + 1;
	double m, n;

	if (!ere_number(&q, &m))
		return 0;
	n = m;
	if (*q == ',') {
		q++;
		if (!ere_number(&q, &n))
			n = m + 1;
	}
	if (*q != '}')
		return 0;
	*next = q + 1;
	return n > m ? n : m;
}

bool
ere_affordable(const char *pattern, char *why, size_t whylen)
{
	struct ere_frame stack[ERE_MAX_GROUPS + 1] = { { 0, 0 } }, *f = stack;
	const char *p = pattern, *next;
	bool after_quantifier = false;
	double times, atom;

	for (; *p != '\0'; p = next, after_quantifier = times > 0) {
		next = p + 1;
		times = *p == '*' || *p == '+' || *p == '?' ? 2 :
		    *p == '{' ? ere_bound(p, &next) : 0;
		if (times > 0 && after_quantifier) {
			snprintf(why, whylen, "a repetition repeated ('%.*s' right after "
			    "another): write it once", (int)(next - p), p);
			return false;
		}
		if (times > 0) {
			f->total += f->last * (times - 1);
			f->last *= times;
		} else if (*p == '(') {
			if (f == stack + ERE_MAX_GROUPS) {
				snprintf(why, whylen, "groups nested more than %d deep",
				    ERE_MAX_GROUPS);
				return false;
			}
			*++f = (struct ere_frame){ 0, 0 };
		} else {
			atom = 1;
			if (*p == '\\' && p[1] != '\0')
				next = p + 2;
			else if (*p == '[')
				next = ere_skip_bracket(p);
			else if (*p == ')' && f > stack)
				atom = (f--)->total;
			f->total += atom;
			f->last = atom;
		}
		/* A group's total reaches its parent's when it closes, checked then. */
		if (f->total > ERE_MAX_NODES) {
			snprintf(why, whylen, "its repetitions expand to more than %d parts: "
			    "bound them less, or nest fewer of them", ERE_MAX_NODES);
			return false;
		}
	}
	return true;
}
