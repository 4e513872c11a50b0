/*
 * The command line: one file per subcommand, sharing one option parser.
 * Each command returns the process exit code: 0 success, 1 the daemon
 * refused or is unreachable, 2 usage or config error.
 */
#ifndef TEND_CLI_CLI_H
#define TEND_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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
	bool		 all;		/* status --all, check --all */
	const char	*only;		/* check --only NAME */
	unsigned	 select;	/* check: CHECK_SELECT_* bits, 0 = all */
	bool		 open_only;	/* incidents --open */
	const char	*since;		/* incidents, history --since DURATION */
	bool		 auto_heal;	/* heal --auto */
	bool		 dry_run;	/* heal, rollback, rebuild --dry-run */
	const char	*service;	/* recover --service NAME */
	const char	*action;	/* recover --action NAME */
	bool		 cleanup;	/* recover --cleanup */
	int64_t		 wait_ms;	/* heal, recover --wait DURATION; -1 unset */
	bool		 monitor_only;	/* run --monitor-only */
	bool		 no_web;	/* run --no-web */
	bool		 environment;	/* validate --environment */
	const char	*rollback_to;	/* rollback --to ID */
	bool		 rollback_lkg;	/* rollback --lkg (the default) */
	bool		 delete_added;	/* rollback, guard --delete */
	int64_t		 window_ms;	/* guard --window DURATION; -1 unset */
	const char	*set;		/* change mark --set SET */
	const char	*label;		/* change mark --label TEXT */
	char		**args;		/* positional, after the subcommand */
	int		 n_args;
};

/* Parses argv after the subcommand; returns 0 or 2 (usage, printed). */
int	cli_parse_options(const char *cmd, int argc, char **argv,
	    struct cli_options *opts);
/* text or json into *out; 0, or 2 after saying what was expected. */
int	cli_parse_format(const char *cmd, const char *value, enum output_format *out);
/*
 * The config from -c, $TEND_CONFIG or the embedded default; NULL after
 * printing every error (file:line:col) to errors.
 */
struct tend_config *cli_load_config(const char *path, FILE *errors);

int	cmd_run(struct cli_options *opts);
int	cmd_init(struct cli_options *opts);	/* tend run as a container's PID 1 */
int	cmd_validate(struct cli_options *opts);
int	cmd_version(struct cli_options *opts);
int	cmd_status(struct cli_options *opts);
int	cmd_export_metrics(struct cli_options *opts);
/* Commands with options of their own (argv[0] is the command's name). */
int	cmd_retry(int argc, char **argv);
int	cmd_fetch(int argc, char **argv);
int	cmd_deps(int argc, char **argv);
int	cmd_snapshot(int argc, char **argv);
int	cmd_guard(int argc, char **argv);
int	cmd_preflight(int argc, char **argv);
int	cmd_report(int argc, char **argv);
int	cmd_logs(int argc, char **argv);
int	cmd_job(int argc, char **argv);
int	cmd_jobs(struct cli_options *opts);
int	cmd_ping(int argc, char **argv);
int	cmd_scale(int argc, char **argv);
int	cmd_check(struct cli_options *opts);
int	cmd_control(const char *verb, struct cli_options *opts);
int	cmd_incidents(struct cli_options *opts);
int	cmd_history(struct cli_options *opts);
int	cmd_heal(struct cli_options *opts);
int	cmd_recover(struct cli_options *opts);
int	cmd_ack(struct cli_options *opts);
int	cmd_resolve(struct cli_options *opts);
int	cmd_rollback(struct cli_options *opts);
int	cmd_rebuild(struct cli_options *opts);
int	cmd_changes(struct cli_options *opts);
int	cmd_change(struct cli_options *opts);
int	cmd_validate_and_heal(struct cli_options *opts);
int	cmd_chaos(int argc, char **argv);
struct chaos_experiment;
struct json_t;
/* tend chaos history (chaos_history.c). */
int	cli_chaos_history(struct cli_options *opts);
/* Under GitHub Actions, a run's ::error:: lines and step summary (chaos_history.c). */
void	cli_chaos_github(struct json_t *experiments);
/* What `tend chaos run --dry-run` says of x, one line (free it); NULL out of memory. */
char	*cli_chaos_plan(const struct chaos_experiment *x);
void	cli_usage(FILE *out);

struct json_t;
/* Asks the daemon; NULL (after printing why) when it failed or refused. */
struct json_t *cli_call(const struct cli_options *opts, struct json_t *request);
/* The same, saying nothing when it fails (a daemon still starting). */
struct json_t *cli_call_quiet(const struct cli_options *opts, struct json_t *request);

/* The state dir of the daemon these options point at; free it. */
char	*cli_state_dir(const struct cli_options *opts);
/* The control socket of the daemon these options point at. */
char	*cli_socket_path(const struct cli_options *opts);

/*
 * Reading the daemon's store (STATE_DIR/tend.db), for the commands that
 * show its history. cli_store_open opens it read-only and returns 0, 1
 * when there is no database yet, or -1 after printing why; *path is set
 * (to free) in every case.
 */
struct sqlite3;
int	 cli_store_open(const struct cli_options *opts, struct sqlite3 **db,
	    char **path);
/*
 * A time given as an option (opt, "--since"): a duration back from now or
 * an ISO 8601 time (core/clock.h); 0, or 2 after printing a usage error.
 */
int	 cli_time_arg(const char *cmd, const char *opt, const char *value, int64_t *ms);
/*
 * The start of the --since window in wall-clock ms, or of `fallback`
 * (a duration, or NULL for no window: INT64_MIN); 0, or 2 after printing
 * a usage error.
 */
int	 cli_since(const char *cmd, const struct cli_options *opts,
	    const char *fallback, int64_t *since_ms);
/* Local time of a wall-clock ms: "YYYY-MM-DD HH:MM:SS", or HH:MM:SS alone. */
void	 cli_format_time(int64_t ms, bool with_date, char *buf, size_t len);
/*
 * Runs every check of the batch once (checks/batch.h), as tend check does:
 * a process check asks the daemon of these options for its service's pid.
 */
struct check_batch;
struct check_outcome;
void	 cli_check_batch_run(struct check_batch *b, const struct cli_options *opts);
/* One outcome as tend check --format json shows it: the result, name, type, service. */
struct json_t *cli_check_outcome_json(const struct check_outcome *o);

/*
 * tend validate's config half (cmd_validate.c): the config, what only
 * this machine can say (config_validate_system) and the snapshot sets
 * against --state-dir; NULL with every error in errs.
 */
struct config_errors;
struct tend_config *cli_validate_config(const struct cli_options *opts,
	    struct config_errors *errs);
/* tend validate --environment's report (deps/environment.h) for cfg. */
struct env_report;
void	 cli_environment_check(const struct cli_options *opts,
	    const struct tend_config *cfg, struct env_report *r);
/* The report as text lines, as tend validate --environment prints it. */
void	 cli_environment_print(const struct env_report *r);

/*
 * Heals what fails now, as `tend heal --auto` does: through the daemon
 * when one runs on the state dir (its services are its own), else with
 * the checks and a healer on a loop of this process, for cfg. Follows the
 * incidents until they end (or --wait); *incidents gets them, shaped as
 * tend heal --format json prints them. Returns the overall state's code
 * (0 healthy, 1 warning, 2 critical, 3 unknown), or 1 when the daemon
 * refused.
 */
int	 cli_heal_now(const struct cli_options *opts, struct tend_config *cfg,
	    struct json_t **incidents);

/* Whether a daemon answers on the control socket these options point at. */
bool	 cli_daemon_alive(const struct cli_options *opts);
/* Incidents as tend heal prints them: a document (json), else a few lines each. */
void	 cli_heal_print(const struct cli_options *opts, struct json_t *incidents);

/* Prints a document indented, in key order; 0, or 1 after printing why. */
int	 cli_print_json(struct json_t *doc);

#endif
