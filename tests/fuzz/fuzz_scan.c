/*
 * `tend deps scan`'s lexers: the first byte picks C, Python or JavaScript,
 * the rest is a source file. Each reference found is mapped to what it
 * needs and written back as the code would write it, as the scan reports.
 *
 * Invariants: a reference is on a line the file has; a need names
 * itself, its installer and its package.
 */
#include <stdlib.h>
#include <string.h>

#include "deps/scan.h"
#include "core/mem.h"
#include "fuzz.h"

struct fuzz_scan {
	enum scan_lang	 lang;
	int		 lines;
};

static void
fuzz_scan_ref(void *arg, const char *ref, int line)
{
	struct fuzz_scan *s = arg;
	struct scan_finding f = { .lang = s->lang, .ref = (char *)ref, .line = line };
	char text[512];

	FUZZ_ASSERT(line >= 1 && line <= s->lines, "'%s' on line %d of %d", ref, line,
	    s->lines);
	if (scan_map(s->lang, ref, &f.need) == SCAN_NEEDS)
		FUZZ_ASSERT(f.need.name[0] != '\0' && f.need.installer[0] != '\0' &&
		    f.need.package[0] != '\0', "'%s' maps to an incomplete need", ref);
	scan_ref_text(&f, text, sizeof(text));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const extract[])(const char *, scan_ref_fn, void *) = {
		[SCAN_C] = scan_extract_c,
		[SCAN_PYTHON] = scan_extract_python,
		[SCAN_JS] = scan_extract_js,
	};
	struct fuzz_scan s = { .lines = 1 };
	char *text, *p;

	if (size < 1)
		return 0;
	s.lang = (enum scan_lang)(data[0] % 3);
	text = xstrndup((const char *)data + 1, size - 1);
	for (p = text; (p = strchr(p, '\n')) != NULL; p++)
		s.lines++;
	extract[s.lang](text, fuzz_scan_ref, &s);
	free(text);
	return 0;
}
