/* tend: a self-healing supervisor and health monitor. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct subcommand {
	const char	*name;
	int		(*run)(struct cli_options *opts);
	const char	*verb;		/* for the control commands */
	/* A command with options of its own: gets argv from its name on. */
	int		(*run_argv)(int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ .name = "run", .run = cmd_run },
	{ .name = "init", .run = cmd_init },
	{ .name = "validate", .run = cmd_validate },
	{ .name = "validate-and-heal", .run = cmd_validate_and_heal },
	{ .name = "version", .run = cmd_version },
	{ .name = "status", .run = cmd_status },
	{ .name = "export-metrics", .run = cmd_export_metrics },
	{ .name = "check", .run = cmd_check },
	{ .name = "incidents", .run = cmd_incidents },
	{ .name = "history", .run = cmd_history },
	{ .name = "heal", .run = cmd_heal },
	{ .name = "recover", .run = cmd_recover },
	{ .name = "ack", .run = cmd_ack },
	{ .name = "resolve", .run = cmd_resolve },
	{ .name = "start", .verb = "start" },
	{ .name = "stop", .verb = "stop" },
	{ .name = "restart", .verb = "restart" },
	{ .name = "retry", .run_argv = cmd_retry },
	{ .name = "fetch", .run_argv = cmd_fetch },
	{ .name = "deps", .run_argv = cmd_deps },
	{ .name = "snapshot", .run_argv = cmd_snapshot },
	{ .name = "rollback", .run = cmd_rollback },
	{ .name = "guard", .run_argv = cmd_guard },
	{ .name = "rebuild", .run = cmd_rebuild },
	{ .name = "changes", .run = cmd_changes },
	{ .name = "report", .run_argv = cmd_report },
	{ .name = "logs", .run_argv = cmd_logs },
	{ .name = "job", .run_argv = cmd_job },
	{ .name = "jobs", .run = cmd_jobs },
	{ .name = "change", .run = cmd_change },
	{ .name = "chaos", .run_argv = cmd_chaos },
	{ .name = "preflight", .run_argv = cmd_preflight },
	{ .name = "ping", .run_argv = cmd_ping },
	{ .name = "scale", .run_argv = cmd_scale },
};

int
main(int argc, char **argv)
{
	struct cli_options opts;
	size_t i;
	int rc;

	if (argc < 2 || strcmp(argv[1], "help") == 0 ||
	    strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		argv[1] = "version";
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (strcmp(argv[1], subcommands[i].name) != 0)
			continue;
		if (subcommands[i].run_argv != NULL)
			return subcommands[i].run_argv(argc - 1, argv + 1);
		rc = cli_parse_options(argv[1], argc - 1, argv + 1, &opts);
		if (rc != 0)
			return rc;
		if (subcommands[i].verb != NULL)
			return cmd_control(subcommands[i].verb, &opts);
		return subcommands[i].run(&opts);
	}
	fprintf(stderr, "tend: unknown command '%s'\n", argv[1]);
	cli_usage(stderr);
	return 2;
}
