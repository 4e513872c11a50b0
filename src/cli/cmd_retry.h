/*
 * tend retry's command line, parsed apart from running it so that the
 * tests can check every option and every error.
 */
#ifndef TEND_CLI_CMD_RETRY_H
#define TEND_CLI_CMD_RETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "net/retry.h"

struct retry_cli {
	struct retry_options opts;	/* fallbacks and heals are copies: retry_options_clear */
	const char	*state_dir;	/* --state-dir */
	const char	*config_path;	/* -c, to find the state dir */
	bool		 no_store;	/* --no-store */
	bool		 help;		/* -h: print retry_cli_usage and exit 0 */
	char	       **command;	/* points into argv: the command and its arguments */
};

/*
 * Parses argv (argv[0] is "retry") into cli, starting from
 * retry_options_init. Returns 0, or 2 with a one-line reason in err.
 */
int	retry_cli_parse(int argc, char **argv, struct retry_cli *cli, char *err,
	    size_t errlen);
void	retry_cli_usage(FILE *out);

#endif
