/*
 * tend scale [SERVICE [N|+N|-N|up|down]]: a service's copies (`instances:`,
 * `scale:`) through the daemon. Without a count, how many run; without a
 * service, every group.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* "3", "+1", "-2", "up", "down": the count, and whether it is relative. */
static bool
scale_parse_count(const char *v, int *n, bool *relative)
{
	char *end;
	long l;

	if (strcmp(v, "up") == 0 || strcmp(v, "down") == 0) {
		*n = *v == 'u' ? 1 : -1;
		*relative = true;
		return true;
	}
	if (!isdigit((unsigned char)v[*v == '+' || *v == '-']))
		return false;
	l = strtol(v, &end, 10);
	if (*end != '\0' || l < -256 || l > 256)
		return false;
	*n = (int)l;
	*relative = *v == '+' || *v == '-';
	return true;
}

static void
scale_print_groups(json_t *groups, enum output_format format, const char *only)
{
	json_t *g;
	size_t i;

	for (i = json_array_size(groups); only != NULL && i-- > 0;)
		if (strcmp(json_string_value(json_object_get(json_array_get(groups, i),
		    "service")), only) != 0)
			json_array_remove(groups, i);

	if (format == OUTPUT_JSON) {
		json_dumpf(groups, stdout, JSON_INDENT(2));
		putchar('\n');
		return;
	}
	if (json_array_size(groups) == 0)
		printf(only ? "%s has no instances\n" : "no service has instances\n", only);
	json_array_foreach(groups, i, g)
		printf("%-20s %d running (min %d, max %d)%s%s\n",
		    json_string_value(json_object_get(g, "service")),
		    (int)json_integer_value(json_object_get(g, "running")),
		    (int)json_integer_value(json_object_get(g, "min")),
		    (int)json_integer_value(json_object_get(g, "max")),
		    json_is_true(json_object_get(g, "auto")) ? ", scales by itself on " : "",
		    json_is_true(json_object_get(g, "auto")) ?
		    json_string_value(json_object_get(g, "up_when")) : "");
}

int
cmd_scale(int argc, char **argv)
{
	struct cli_options opts;
	bool relative = false, counted = false;
	json_t *answer, *req;
	int n = 0, rc, i;

	/* The count, after the service's name, first: "-1" is no option. */
	for (i = 2; i < argc && !counted; i++) {
		if (argv[i - 1][0] == '-' || !scale_parse_count(argv[i], &n, &relative))
			continue;
		counted = true;
		memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof(*argv));
		argc--;
	}
	if ((rc = cli_parse_options("scale", argc, argv, &opts)) != 0)
		return rc;
	if (opts.n_args > 1 || (counted && opts.n_args != 1)) {
		fprintf(stderr, "usage: tend scale [SERVICE [N|+N|-N|up|down]]\n");
		return 2;
	}
	req = json_pack("{s:s}", "cmd", "scale");
	if (opts.n_args == 1)
		json_object_set_new(req, "service", json_string(opts.args[0]));
	json_object_set_new(req, relative ? "by" : "count", json_integer(n));
	if (opts.n_args == 1 && !counted)
		json_object_del(req, "service");
	if ((answer = cli_call(&opts, req)) == NULL)
		return 1;
	if (json_object_get(answer, "groups") != NULL)
		scale_print_groups(json_object_get(answer, "groups"), opts.format,
		    opts.n_args == 1 ? opts.args[0] : NULL);
	else
		printf("%s\n", json_string_value(json_object_get(answer, "message")));
	json_decref(answer);
	return 0;
}
