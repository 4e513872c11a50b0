/*
 * tend export-metrics: the running daemon's metrics as JSON, the same
 * families and samples that /metrics serves to Prometheus (docs/api.md).
 */
#include "cli/cli.h"

#include <stdio.h>

#include <jansson.h>

#include "web/prometheus.h"

int
cmd_export_metrics(struct cli_options *opts)
{
	json_t *status, *doc;
	int rc;

	if (opts->n_args != 0) {
		fprintf(stderr, "usage: tend export-metrics [--state-dir DIR]\n");
		return 2;
	}
	status = cli_call(opts, json_pack("{s:s}", "cmd", "status"));
	if (status == NULL)
		return 1;
	doc = json_pack("{s:O?, s:o}", "generated_at", json_object_get(status, "generated_at"),
	    "metrics", metrics_families(status));
	rc = cli_print_json(doc);
	json_decref(doc);
	json_decref(status);
	return rc;
}
