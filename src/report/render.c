/* The report as markdown, HTML or JSON in a buffer (report.h). */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

char *
report_render(const struct report *r, const char *format, size_t *len)
{
	struct report_doc *d;
	char *buf = NULL;
	FILE *out;
	json_t *j;

	if (strcmp(format, "json") != 0 && strcmp(format, "markdown") != 0 &&
	    strcmp(format, "html") != 0)
		return NULL;
	if ((out = open_memstream(&buf, len)) == NULL)
		return NULL;
	if (strcmp(format, "json") == 0) {
		j = report_json(r);
		json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		    JSON_REAL_PRECISION(15));
		fputc('\n', out);
		json_decref(j);
	} else {
		d = report_doc(r);
		if (strcmp(format, "markdown") == 0)
			report_markdown(d, out);
		else
			report_html(d, out);
		report_doc_free(d);
	}
	if (fclose(out) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
