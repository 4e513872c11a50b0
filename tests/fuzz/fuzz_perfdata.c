/*
 * Plugin output and perfdata: bytes as what a Nagios plugin printed, parsed
 * as a command check's output, made fit to show as every run's end does
 * (check_result_sanitize), then the result as every view shows it (the
 * JSON of /api/checks, `tend check -o json` and the SSE stream).
 *
 * Invariants: every result serializes, with every metric it has; a check
 * or a metric whose output cannot be shown must not vanish from the views
 * (issue 12, finding 28: invalid UTF-8, U, nan, inf).
 */
#include <stdlib.h>
#include <string.h>

#include "checks/result.h"
#include "core/mem.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check_result r;
	char *text = xstrndup((const char *)data, size), *dump;
	json_t *j;
	size_t i;

	check_result_init(&r);
	perfdata_parse_output(text, &r);
	check_result_sanitize(&r);
	for (i = 0; i < r.n_perf; i++)
		FUZZ_ASSERT(r.perf[i].label != NULL, "metric %zu has no label", i);
	r.state = size > 0 ? (enum health_state)(data[0] % 4) : HEALTH_UNKNOWN;
	j = check_result_json(&r);
	FUZZ_ASSERT(j != NULL, "the result of '%.60s' has no JSON (%zu metrics)",
	    r.message, r.n_perf);
	FUZZ_ASSERT(json_array_size(json_object_get(j, "metrics")) == r.n_perf,
	    "%zu of %zu metrics in the JSON", json_array_size(json_object_get(j, "metrics")),
	    r.n_perf);
	dump = json_dumps(j, JSON_COMPACT);
	FUZZ_ASSERT(dump != NULL, "the result's JSON does not encode");
	free(dump);
	json_decref(j);
	check_result_clear(&r);
	free(text);
	return 0;
}
