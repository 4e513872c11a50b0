/*
 * The report as one standalone HTML file: the CSS inline, the sparklines
 * inline SVG, nothing fetched, and a print style that keeps tables whole.
 */
#include "report/report.h"

static const char html_style[] =
    "body{font:14px/1.45 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;"
    "color:#1b1f24}"
    "h1{font-size:1.5em}h2{font-size:1.15em;border-bottom:1px solid #d0d7de;"
    "padding-bottom:.2em;margin-top:1.6em}"
    "table{border-collapse:collapse;margin:.4em 0 1em}"
    "th,td{border:1px solid #d0d7de;padding:.2em .6em;text-align:left}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "caption{text-align:left;font-weight:600;padding:.2em 0}"
    ".none{color:#57606a;font-style:italic}svg{vertical-align:middle}"
    "@media print{body{margin:0;max-width:none}h2{break-after:avoid}"
    "table{break-inside:avoid}}";

static void
html_text(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out); break;
		}
	}
}

/* Bars 6 px wide, 24 high at the largest value; a zero is a 1 px line. */
static void
html_spark(FILE *out, const int64_t *v, size_t n)
{
	int64_t max = 1;
	size_t i;
	long h;

	for (i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	fprintf(out, "<svg width=\"%zu\" height=\"24\" role=\"img\">", n * 8);
	for (i = 0; i < n; i++) {
		h = v[i] > 0 ? (long)(v[i] * 24 / max) : 0;
		if (h < 1)
			h = 1;
		fprintf(out, "<rect x=\"%zu\" y=\"%ld\" width=\"6\" height=\"%ld\" "
		    "fill=\"%s\"><title>%lld</title></rect>", i * 8, 24 - h, h,
		    v[i] > 0 ? "#cf222e" : "#d0d7de", (long long)v[i]);
	}
	fputs("</svg>", out);
}

static void
html_table(const struct report_table *t, FILE *out)
{
	size_t i, j;

	if (t->n_rows == 0) {
		fputs("<p class=\"none\">", out);
		if (t->caption != NULL) {
			html_text(out, t->caption);
			fputs(": ", out);
		}
		fputs("none</p>\n", out);
		return;
	}
	fputs("<table>", out);
	if (t->caption != NULL) {
		fputs("<caption>", out);
		html_text(out, t->caption);
		fputs("</caption>", out);
	}
	fputs("<tr>", out);
	for (j = 0; j < t->n_cols; j++) {
		fputs(t->right & (1u << j) ? "<th class=\"n\">" : "<th>", out);
		html_text(out, t->heads[j]);
		fputs("</th>", out);
	}
	fputs("</tr>\n", out);
	for (i = 0; i < t->n_rows; i++) {
		fputs("<tr>", out);
		for (j = 0; j < t->n_cols; j++) {
			fputs(t->right & (1u << j) ? "<td class=\"n\">" : "<td>", out);
			html_text(out, t->cells[i * t->n_cols + j]);
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

void
report_html(const struct report_doc *d, FILE *out)
{
	const struct report_section *s;
	size_t i, j;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\"><title>", out);
	html_text(out, d->title);
	fprintf(out, "</title><style>%s</style></head><body>\n<h1>", html_style);
	html_text(out, d->title);
	fputs("</h1>\n", out);
	for (i = 0; i < d->n; i++) {
		s = &d->v[i];
		fputs("<h2>", out);
		html_text(out, s->title);
		fputs("</h2>\n", out);
		for (j = 0; j < s->n_lines; j++) {
			fputs("<p>", out);
			html_text(out, s->lines[j]);
			fputs("</p>\n", out);
		}
		if (s->spark_label != NULL) {
			fputs("<p>", out);
			html_text(out, s->spark_label);
			fputs(": ", out);
			html_spark(out, s->spark, s->n_spark);
			fputs("</p>\n", out);
		}
		for (j = 0; j < s->n_tables; j++)
			html_table(&s->tables[j], out);
	}
	fputs("</body></html>\n", out);
}
