/*
 * Nagios plugin output (the plugin development guidelines' format):
 *
 *   TEXT OUTPUT | 'label'=value[UOM];[warn];[crit];[min];[max] ...
 *   LONG TEXT LINE 1
 *   LONG TEXT LINE 2 | more perfdata
 *   more perfdata
 */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checks/result.h"
#include "core/mem.h"

/* Splits "a;b;c" fields in place: returns the next field, advances *p. */
static char *
perfdata_field(char **p)
{
	char *start = *p, *semi;

	if (start == NULL)
		return NULL;
	semi = strchr(start, ';');
	if (semi != NULL) {
		*semi = '\0';
		*p = semi + 1;
	} else {
		*p = NULL;
	}
	return start;
}

/*
 * A decimal number as the guidelines write one ([-]digits[.digits], an
 * exponent allowed): strtod alone would also take nan, inf and hex, which
 * are not values. Returns where it ends, or NULL when s does not start
 * with one or it overflows.
 */
static const char *
perfdata_decimal(const char *s, double *out)
{
	const char *p = s;
	size_t digits = 0;
	char *end;

	if (*p == '-' || *p == '+')
		p++;
	for (; isdigit((unsigned char)*p); p++)
		digits++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
	if (digits == 0)
		return NULL;
	if ((*p == 'e' || *p == 'E') && (isdigit((unsigned char)p[1]) ||
	    ((p[1] == '-' || p[1] == '+') && isdigit((unsigned char)p[2])))) {
		for (p += 2; isdigit((unsigned char)*p); p++)
			;
	}
	errno = 0;
	*out = strtod(s, &end);
	if (end != p || (errno == ERANGE && isinf(*out)))
		return NULL;
	return p;
}

/* min and max: a number, or nothing (NAN). */
static int
perfdata_number(const char *s, double *out)
{
	const char *end;

	if (s == NULL || *s == '\0') {
		*out = NAN;
		return 0;
	}
	end = perfdata_decimal(s, out);
	return end != NULL && *end == '\0' ? 0 : -1;
}

/* label=value... with the label already cut off. */
static int
perfdata_values(char *rest, struct perf_metric *m)
{
	char *p = rest, *value, *warn, *crit, *min, *max;
	const char *end;
	size_t uom_len;

	value = perfdata_field(&p);
	if (value == NULL || *value == '\0')
		return -1;
	if (strcmp(value, "U") == 0) {
		/* "undetermined", as the guidelines allow: unknown, not a value */
		m->value = NAN;
		end = value + 1;
	} else if ((end = perfdata_decimal(value, &m->value)) == NULL)
		return -1;
	uom_len = strlen(end);
	if (uom_len >= sizeof(m->uom))
		return -1;
	for (size_t i = 0; i < uom_len; i++)
		if (!isalpha((unsigned char)end[i]) && end[i] != '%')
			return -1;
	memcpy(m->uom, end, uom_len + 1);
	warn = perfdata_field(&p);
	crit = perfdata_field(&p);
	min = perfdata_field(&p);
	max = perfdata_field(&p);
	if (perfdata_number(min, &m->min) < 0 || perfdata_number(max, &m->max) < 0)
		return -1;
	m->warn = warn && *warn ? xstrdup(warn) : NULL;
	m->crit = crit && *crit ? xstrdup(crit) : NULL;
	return 0;
}

int
perfdata_parse_item(const char *item, struct perf_metric *m)
{
	char *copy = xstrdup(item), *eq, *label, *src, *dst;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (copy[0] == '\'') {
		/* 'quoted label', where '' stands for one quote */
		for (src = copy + 1, dst = copy; *src != '\0'; src++) {
			if (*src == '\'' && src[1] == '\'')
				*dst++ = *src++;
			else if (*src == '\'')
				break;
			else
				*dst++ = *src;
		}
		if (*src != '\'' || src[1] != '=')
			goto done;
		*dst = '\0';
		label = copy;
		eq = src + 1;
	} else {
		eq = strchr(copy, '=');
		if (eq == NULL || eq == copy)
			goto done;
		*eq = '\0';
		label = copy;
	}
	if (*label == '\0' || perfdata_values(eq + 1, m) < 0) {
		perf_metric_clear(m);
		goto done;
	}
	m->label = xstrdup(label);
	rc = 0;
done:
	free(copy);
	return rc;
}

/* Cuts the next whitespace-separated item, keeping quoted labels whole. */
static char *
perfdata_next_item(char **p)
{
	char *s = *p, *start;
	bool quoted = false;

	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return NULL;
	start = s;
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			quoted = !quoted;
		else if (!quoted && isspace((unsigned char)*s))
			break;
	}
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	return start;
}

static int
perfdata_parse_list(char *list, struct check_result *r)
{
	struct perf_metric m;
	int bad = 0;
	char *item;

	while ((item = perfdata_next_item(&list)) != NULL) {
		if (perfdata_parse_item(item, &m) < 0) {
			bad++;
			continue;
		}
		r->perf = xrealloc(r->perf, (r->n_perf + 1) * sizeof(*r->perf));
		r->perf[r->n_perf++] = m;
	}
	return bad;
}

static void
perfdata_set_message(struct check_result *r, const char *text, size_t len)
{
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	while (len > 0 && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	if (len >= sizeof(r->message))
		len = sizeof(r->message) - 1;
	memcpy(r->message, text, len);
	r->message[len] = '\0';
}

int
perfdata_parse_output(const char *output, struct check_result *r)
{
	char *copy = xstrdup(output), *line, *next, *bar;
	bool in_perf = false;
	int bad = 0, n;

	for (n = 0, line = copy; line != NULL; line = next, n++) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (in_perf) {
			bad += perfdata_parse_list(line, r);
			continue;
		}
		bar = strchr(line, '|');
		if (n == 0)
			perfdata_set_message(r, line, bar ? (size_t)(bar - line) : strlen(line));
		if (bar == NULL)
			continue;
		bad += perfdata_parse_list(bar + 1, r);
		/* After a '|' in the long text, every further line is perfdata. */
		in_perf = n > 0;
	}
	free(copy);
	return bad;
}
