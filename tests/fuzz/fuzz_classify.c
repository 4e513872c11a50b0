/*
 * The failure classifier: bytes as what a failing check or service said
 * (its output is anyone's who can write to it), after three bytes that
 * pick the exit code, the signal, a timeout and the size of the buffer
 * that gets the reason. A classifier with two config rules, as in
 * docs/healing.md, sits in front of the shipped table.
 *
 * Invariants: a category is one of the eight, named, and found again by
 * its name; the reason is a terminated string that fits its buffer.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/classify.h"
#include "core/mem.h"
#include "fuzz.h"

static struct classifier *classifier;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	classifier = classifier_new();
	if (classifier_add_rule(classifier, "reset", "ECONNRESET|upstream prematurely closed",
	    FAILURE_NETWORK, err, sizeof(err)) < 0 ||
	    classifier_add_rule(classifier, "no-role",
	    "^FATAL: .*(role|database) .* does not exist",
	    FAILURE_CONFIG, err, sizeof(err)) < 0)
		fuzz_fail(__FILE__, __LINE__, "rules", "%s", err);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int signals[] = { 0, SIGKILL, SIGSEGV, SIGTERM, SIGABRT, SIGBUS, 0, 0 };
	char why[512], *text;
	enum failure_category cat;
	size_t why_len;
	int exit_code, sig;
	bool timed_out;

	if (size < 3)
		return 0;
	exit_code = data[0] == 0xff ? -1 : data[0];
	sig = signals[data[1] & 7];
	timed_out = (data[1] & 8) != 0;
	why_len = data[2] % sizeof(why);
	text = (data[1] & 16) != 0 ? NULL : xstrndup((const char *)data + 3, size - 3);
	memset(why, 'x', sizeof(why));
	cat = classify_failure(classifier, exit_code, sig, timed_out, text,
	    why_len > 0 ? why : NULL, why_len);
	FUZZ_ASSERT(cat >= FAILURE_UNKNOWN && cat <= FAILURE_CRASH, "category %d", (int)cat);
	FUZZ_ASSERT(failure_category_from_name(failure_category_name(cat)) == (int)cat,
	    "category %d does not round-trip", (int)cat);
	if (why_len > 0)
		FUZZ_ASSERT(memchr(why, '\0', why_len) != NULL,
		    "the reason overflows its %zu bytes", why_len);
	(void)failure_category_retryable(cat);
	free(text);
	return 0;
}
