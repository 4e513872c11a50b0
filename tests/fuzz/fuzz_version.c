/*
 * Versions and constraints (deps checks' `version:`, what a tool printed
 * for `--version`): the input is four lines, three versions and a
 * constraint; the rest is text to find a version in.
 *
 * Invariants: comparison is an order (reflexive, antisymmetric,
 * transitive); a constraint is malformed for every version or for none;
 * "too old" only for a version that fails; ">= v" holds for v itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/version.h"
#include "fuzz.h"

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

static void
fuzz_version_order(const char *a, const char *b, const char *c)
{
	int ab = sign(version_compare(a, b)), bc = sign(version_compare(b, c));
	int ac = sign(version_compare(a, c));

	FUZZ_ASSERT(version_compare(a, a) == 0, "'%s' is not equal to itself", a);
	FUZZ_ASSERT(sign(version_compare(b, a)) == -ab, "'%s' vs '%s' is not antisymmetric",
	    a, b);
	if (ab <= 0 && bc <= 0)
		FUZZ_ASSERT(ac <= 0 && (ac < 0 || (ab == 0 && bc == 0)),
		    "'%s' <= '%s' <= '%s' but compares %d to the last", a, b, c, ac);
}

static void
fuzz_version_constraint(const char *v, const char *w, const char *constraint)
{
	int valid = version_constraint_valid(constraint);
	int sv = version_satisfies(v, constraint), sw = version_satisfies(w, constraint);
	char self[256];

	FUZZ_ASSERT((valid < 0) == (sv < 0) && (valid < 0) == (sw < 0),
	    "'%s' is valid %d but gives %d for '%s' and %d for '%s'", constraint, valid,
	    sv, v, sw, w);
	if (version_too_old(v, constraint))
		FUZZ_ASSERT(sv == 0, "'%s' too old for '%s' but satisfies it (%d)", v,
		    constraint, sv);
	/* v as a constraint's bound: no spaces or commas around or in it. */
	snprintf(self, sizeof(self), ">= %s", v);
	if (strlen(v) < 100 && strcspn(v, ", \t\n\v\f\r") == strlen(v) &&
	    version_constraint_valid(self) == 0)
		FUZZ_ASSERT(version_satisfies(v, self) == 1, "'%s' fails '%s'", v, self);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[5], out[64];
	size_t len;

	fuzz_fields(data, size, f, 5);
	fuzz_version_order(f[0], f[1], f[2]);
	fuzz_version_constraint(f[0], f[1], f[3]);
	len = size > 0 ? (size_t)data[0] % sizeof(out) + 1 : sizeof(out);
	if (version_extract(f[4], out, len)) {
		FUZZ_ASSERT(strlen(out) < len && strstr(f[4], out) != NULL,
		    "'%s' is not from the text", out);
		FUZZ_ASSERT(version_compare(out, out) == 0, "'%s' is not equal to itself", out);
	}
	free(f[0]);
	return 0;
}
