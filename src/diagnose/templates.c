/* Log lines grouped into templates, Drain-style (diagnose/templates.h). */
#include "diagnose/templates.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/strv.h"

#define MASK		mask_word	/* one object: a word is masked when it is this */
#define HEX_MIN		8	/* a hex word this long is an id */

static char mask_word[] = "*";

struct template {
	char		**words;	/* owned; MASK is a shared literal */
	int		 n;
	char		*text;		/* joined, made again when a word is masked */
	uint64_t	 count, first, last;
};

struct templates {
	struct template	*v;
	size_t		 n;
	uint64_t	 other;
};

struct templates *
templates_new(void)
{
	return xcalloc(1, sizeof(struct templates));
}

static void
template_clear(struct template *tp)
{
	int i;

	for (i = 0; i < tp->n; i++)
		if (tp->words[i] != MASK)
			free(tp->words[i]);
	free(tp->words);
	free(tp->text);
}

void
templates_free(struct templates *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		template_clear(&t->v[i]);
	free(t->v);
	free(t);
}

/* A word that varies from line to line by nature: masked before grouping. */
static bool
word_variable(const char *w, size_t len)
{
	size_t i, hex = 0;

	if (len > 1 && w[0] == '/' && memchr(w + 1, '/', len - 1) != NULL)
		return true;		/* a path */
	for (i = 0; i < len; i++) {
		if (isdigit((unsigned char)w[i]))
			return true;	/* a number, an address, a port, an id, a time */
		hex += isxdigit((unsigned char)w[i]) != 0;
	}
	return hex == len && len >= HEX_MIN;
}

/* Punctuation around a word's value: kept when the value is masked ("(try *)"). */
static bool
word_edge(char c)
{
	return strchr("()[]{}<>,;:'\"", c) != NULL;
}

/* A word, its variable core masked: "10.0.0.1:5432:" is "*:", "3)" is "*)". */
static char *
word_of(const char *w, size_t len)
{
	size_t lead = 0, tail = 0;
	char *out;

	while (lead < len && word_edge(w[lead]))
		lead++;
	while (tail < len - lead && word_edge(w[len - 1 - tail]))
		tail++;
	if (!word_variable(w + lead, len - lead - tail))
		return xstrndup(w, len);
	if (lead == 0 && tail == 0)
		return MASK;
	out = xcalloc(lead + tail + 2, 1);
	memcpy(out, w, lead);
	out[lead] = '*';
	memcpy(out + lead + 1, w + len - tail, tail);
	return out;
}

/* The line's words (at most TEMPLATE_WORDS_MAX), variable ones masked; how many. */
static int
split_words(const char *line, size_t len, char **words)
{
	size_t i = 0, start;
	int n = 0;

	while (i < len) {
		while (i < len && isspace((unsigned char)line[i]))
			i++;
		if (i == len)
			break;
		start = i;
		/* The last word takes the rest of the line. */
		while (i < len && (n == TEMPLATE_WORDS_MAX - 1 || !isspace((unsigned char)line[i])))
			i++;
		words[n++] = word_of(line + start, i - start);
	}
	return n;
}

static void
words_free(char **words, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (words[i] != MASK)
			free(words[i]);
}

/* tp's words are NULL-terminated (allocated one longer). */
static void
template_join(struct template *tp)
{
	free(tp->text);
	tp->text = strv_join(tp->words, " ");
}

/*
 * Whether words fit template tp: the same length and first word, and more
 * than half the words equal — a word masked in both agrees, one masked in
 * the template only does not (it is no evidence for this line).
 */
static bool
template_fits(const struct template *tp, char **words, int n)
{
	int i, same = 0;

	if (tp->n != n || (n > 0 && strcmp(tp->words[0], words[0]) != 0))
		return false;
	for (i = 0; i < n; i++)
		same += strcmp(tp->words[i], words[i]) == 0;
	return n <= 1 || same * 2 > n;
}

/* The words where tp and the line differ become MASK. */
static void
template_merge(struct template *tp, char **words, int n)
{
	bool changed = false;
	int i;

	for (i = 0; i < n; i++)
		if (tp->words[i] != MASK && strcmp(tp->words[i], words[i]) != 0) {
			free(tp->words[i]);
			tp->words[i] = MASK;
			changed = true;
		}
	if (changed)
		template_join(tp);
}

int
templates_add(struct templates *t, const char *line, size_t len, uint64_t at, bool *is_new)
{
	char *words[TEMPLATE_WORDS_MAX];
	struct template *tp;
	int n = split_words(line, len, words);
	size_t i;

	*is_new = false;
	for (i = 0; i < t->n; i++)
		if (template_fits(&t->v[i], words, n))
			break;
	if (i < t->n) {
		tp = &t->v[i];
		template_merge(tp, words, n);
		words_free(words, n);
	} else if (t->n == TEMPLATES_MAX) {
		words_free(words, n);
		t->other++;
		return -1;
	} else {
		t->v = xgrow(t->v, t->n, sizeof(*t->v));
		tp = &t->v[t->n++];
		*tp = (struct template){ .words = xcalloc((size_t)n + 1, sizeof(char *)), .n = n,
		    .first = at };
		memcpy(tp->words, words, (size_t)n * sizeof(char *));
		template_join(tp);
		*is_new = true;
	}
	tp->count++;
	tp->last = at;
	return (int)(tp - t->v);
}

size_t
templates_count(const struct templates *t)
{
	return t->n;
}

void
templates_get(const struct templates *t, size_t i, struct template_info *info)
{
	*info = (struct template_info){ .text = t->v[i].text, .count = t->v[i].count,
	    .first = t->v[i].first, .last = t->v[i].last };
}

uint64_t
templates_other(const struct templates *t)
{
	return t->other;
}
