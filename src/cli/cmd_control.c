#include "cli/cli.h"

#include <stdlib.h>

#include <jansson.h>

#include "daemon/control.h"

/* The daemon's answer, or NULL (after printing why unless quiet). */
static json_t *
call(const struct cli_options *opts, json_t *request, bool quiet)
{
	char *path = cli_socket_path(opts), err[512];
	json_t *answer = NULL;
	int rc;

	rc = control_call(path, request, &answer, err, sizeof(err));
	free(path);
	json_decref(request);
	if (rc < 0) {
		if (!quiet)
			fprintf(stderr, "tend: %s\n", err);
		return NULL;
	}
	if (!json_is_true(json_object_get(answer, "ok"))) {
		if (!quiet)
			fprintf(stderr, "tend: %s\n", json_string_value(json_object_get(answer,
			    "error")) ?: "request refused");
		json_decref(answer);
		return NULL;
	}
	return answer;
}

json_t *
cli_call(const struct cli_options *opts, json_t *request)
{
	return call(opts, request, false);
}

json_t *
cli_call_quiet(const struct cli_options *opts, json_t *request)
{
	return call(opts, request, true);
}

int
cmd_control(const char *verb, struct cli_options *opts)
{
	json_t *answer;

	if (opts->n_args != 1) {
		fprintf(stderr, "usage: tend %s NAME\n", verb);
		return 2;
	}
	answer = cli_call(opts, json_pack("{s:s, s:s}", "cmd", verb, "service",
	    opts->args[0]));
	if (answer == NULL)
		return 1;
	json_decref(answer);
	printf("%s: %s requested\n", opts->args[0], verb);
	return 0;
}
