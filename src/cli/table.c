#include "cli/table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/text.h"

/* A row, or a line of its own when cells is NULL. */
struct table_entry {
	char		**cells;
	char		*line;
};

struct table {
	const struct table_column *cols;
	size_t		 n_cols;
	size_t		*width;
	struct table_entry *v;
	size_t		 n;
};

struct table *
table_new(const struct table_column *cols, size_t n)
{
	struct table *t = xcalloc(1, sizeof(*t));
	size_t k;

	t->cols = cols;
	t->n_cols = n;
	t->width = xcalloc(n, sizeof(*t->width));
	for (k = 0; k < n; k++) {
		t->width[k] = text_width(cols[k].head);
		if (cols[k].min > t->width[k])
			t->width[k] = cols[k].min;
	}
	return t;
}

static struct table_entry *
table_add(struct table *t)
{
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	memset(&t->v[t->n], 0, sizeof(*t->v));
	return &t->v[t->n++];
}

void
table_row(struct table *t, const char *const *cells)
{
	struct table_entry *e = table_add(t);
	size_t k, w;

	e->cells = xcalloc(t->n_cols, sizeof(*e->cells));
	for (k = 0; k < t->n_cols; k++) {
		e->cells[k] = text_show(cells[k] != NULL ? cells[k] : "-");
		w = text_width(e->cells[k]);
		if (w > t->width[k])
			t->width[k] = w;
	}
}

void
table_line(struct table *t, const char *fmt, ...)
{
	struct table_entry *e = table_add(t);
	va_list ap;
	char *raw;

	va_start(ap, fmt);
	raw = xvasprintf(fmt, ap);
	va_end(ap);
	e->line = text_show(raw);
	free(raw);
}

/* One row: padded cells, the blanks owed written only before the next text. */
static void
table_print_cells(const struct table *t, const char *const *cells, FILE *out)
{
	size_t k, w, pad, blanks = 0;

	for (k = 0; k < t->n_cols; k++) {
		if (k > 0)
			blanks += 1 + t->cols[k].lead;
		w = text_width(cells[k]);
		pad = t->width[k] > w ? t->width[k] - w : 0;
		if (k == t->n_cols - 1 && !t->cols[k].right)
			pad = 0;
		if (t->cols[k].right)
			blanks += pad;
		if (*cells[k] != '\0') {
			fprintf(out, "%*s%s", (int)blanks, "", cells[k]);
			blanks = 0;
		}
		if (!t->cols[k].right)
			blanks += pad;
	}
	fputc('\n', out);
}

void
table_print(const struct table *t, FILE *out)
{
	const char **head = xcalloc(t->n_cols, sizeof(*head));
	size_t i, k;

	for (k = 0; k < t->n_cols; k++)
		head[k] = t->cols[k].head;
	table_print_cells(t, head, out);
	free(head);
	for (i = 0; i < t->n; i++) {
		if (t->v[i].line != NULL)
			fprintf(out, "%s\n", t->v[i].line);
		else
			table_print_cells(t, (const char *const *)t->v[i].cells, out);
	}
}

void
table_free(struct table *t)
{
	size_t i, k;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		for (k = 0; t->v[i].cells != NULL && k < t->n_cols; k++)
			free(t->v[i].cells[k]);
		free(t->v[i].cells);
		free(t->v[i].line);
	}
	free(t->v);
	free(t->width);
	free(t);
}

void
cli_printf(FILE *out, const char *fmt, ...)
{
	va_list ap;
	char *raw, *shown;
	size_t len;
	bool eol;

	va_start(ap, fmt);
	raw = xvasprintf(fmt, ap);
	va_end(ap);
	len = strlen(raw);
	if ((eol = len > 0 && raw[len - 1] == '\n'))
		raw[len - 1] = '\0';
	shown = text_show(raw);
	fputs(shown, out);
	if (eol)
		fputc('\n', out);
	free(shown);
	free(raw);
}

void
cli_put(FILE *out, const char *s)
{
	cli_printf(out, "%s", s != NULL ? s : "");
}
