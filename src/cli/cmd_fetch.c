/* tend fetch [NAME...]: artifacts from mirrors, verified, cached (issue 6; not built yet). */
#include "cli/cli.h"

#include <stdio.h>

int
cmd_fetch(int argc, char **argv)
{
	fprintf(stderr, "tend fetch: not implemented yet\n");
	return 2;
}
