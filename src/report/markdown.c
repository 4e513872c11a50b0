/* The report as markdown: a heading per section, tables, unicode sparklines. */
#include "report/report.h"

#include <string.h>

/* A cell with the characters that would break a table row escaped. */
static void
md_cell(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`')
			fputc('\\', out);
		fputc(*s == '\n' ? ' ' : *s, out);
	}
}

static void
md_table(const struct report_table *t, FILE *out)
{
	size_t i, j;

	if (t->caption != NULL)
		fprintf(out, "**%s**\n\n", t->caption);
	if (t->n_rows == 0) {
		fputs("_none_\n\n", out);
		return;
	}
	for (j = 0; j < t->n_cols; j++)
		fprintf(out, "| %s ", t->heads[j]);
	fputs("|\n", out);
	for (j = 0; j < t->n_cols; j++)
		fputs(t->right & (1u << j) ? "| ---: " : "| --- ", out);
	fputs("|\n", out);
	for (i = 0; i < t->n_rows; i++) {
		for (j = 0; j < t->n_cols; j++) {
			fputs("| ", out);
			md_cell(out, t->cells[i * t->n_cols + j]);
			fputc(' ', out);
		}
		fputs("|\n", out);
	}
	fputc('\n', out);
}

void
report_markdown(const struct report_doc *d, FILE *out)
{
	char spark[REPORT_BUCKETS * 3 + 1];
	const struct report_section *s;
	size_t i, j;

	fprintf(out, "# %s\n\n", d->title);
	for (i = 0; i < d->n; i++) {
		s = &d->v[i];
		fprintf(out, "## %s\n\n", s->title);
		for (j = 0; j < s->n_lines; j++) {
			md_cell(out, s->lines[j]);
			fputs("\n\n", out);
		}
		if (s->spark_label != NULL) {
			report_sparkline(s->spark, s->n_spark, spark, sizeof(spark));
			fprintf(out, "%s: `%s`\n\n", s->spark_label, spark);
		}
		for (j = 0; j < s->n_tables; j++)
			md_table(&s->tables[j], out);
	}
}
