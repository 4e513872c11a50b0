/*
 * The command line: one file per subcommand, sharing one option parser.
 * Each command returns the process exit code: 0 success, 1 the daemon
 * refused or is unreachable, 2 usage or config error.
 */
#ifndef TEND_CLI_CLI_H
#define TEND_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

enum output_format {
	OUTPUT_TEXT,
	OUTPUT_JSON,
};

/* What `tend check` runs. */
#define CHECK_SELECT_SERVICES	0x1
#define CHECK_SELECT_DEPS	0x2
#define CHECK_SELECT_RESOURCES	0x4

struct cli_options {
	const char	*config_path;
	const char	*state_dir;
	enum output_format format;
	int		 log_format;	/* -1 unset */
	bool		 verbose;
	const char	*only;		/* check --only NAME */
	unsigned	 select;	/* check: CHECK_SELECT_* bits, 0 = all */
	char		**args;		/* positional, after the subcommand */
	int		 n_args;
};

/* Parses argv after the subcommand; returns 0 or 2 (usage, printed). */
int	cli_parse_options(const char *cmd, int argc, char **argv,
	    struct cli_options *opts);

int	cmd_run(struct cli_options *opts);
int	cmd_validate(struct cli_options *opts);
int	cmd_version(struct cli_options *opts);
int	cmd_status(struct cli_options *opts);
int	cmd_check(struct cli_options *opts);
int	cmd_control(const char *verb, struct cli_options *opts);
void	cli_usage(FILE *out);

struct json_t;
/* Asks the daemon; NULL (after printing why) when it failed or refused. */
struct json_t *cli_call(const struct cli_options *opts, struct json_t *request);

/* The control socket of the daemon these options point at. */
char	*cli_socket_path(const struct cli_options *opts);

#endif
