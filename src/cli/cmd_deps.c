/* tend deps check|install|scan|cache-warmup: what the system depends on (issue 6; not built yet). */
#include "cli/cli.h"

#include <stdio.h>

int
cmd_deps(int argc, char **argv)
{
	fprintf(stderr, "tend deps: not implemented yet\n");
	return 2;
}
