/* tend retry [options] -- CMD [ARGS...]: a command that survives flaky networks (issue 6; not built yet). */
#include "cli/cli.h"

#include <stdio.h>

int
cmd_retry(int argc, char **argv)
{
	fprintf(stderr, "tend retry: not implemented yet\n");
	return 2;
}
