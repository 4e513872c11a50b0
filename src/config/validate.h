/* Whole-config validation (internal to src/config). */
#ifndef TEND_CONFIG_VALIDATE_H
#define TEND_CONFIG_VALIDATE_H

#include "config/config.h"

/* Relative paths must already be resolved (load.c). */
void	config_validate(const struct tend_config *cfg, struct config_errors *errs);
/* An error at pos (file:line:col). */
/*
 * A regex of the config (owner names it: "check 'x'"): one regcomp takes, at
 * a cost it can afford (core/ere.h); an error at pos when not.
 */
void	validate_regex(struct config_errors *errs, const struct conf_pos *pos,
	    const char *owner, const char *pattern);
void	validate_error(struct config_errors *errs, const struct conf_pos *pos,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An error unless argv[0] is an executable program (on PATH if bare). */
void	validate_program(const struct conf_pos *pos, const char *owner, char **argv,
	    const char *what, struct config_errors *errs);
/* Resolves references to named actions, and checks the healing sections. */
void	config_validate_heal(struct tend_config *cfg, struct config_errors *errs);
/* Alert channels' commands must exist (parse_alerts.c). */
void	config_validate_alerts(const struct tend_config *cfg, struct config_errors *errs);
/* report: to: names alert channels that can take a report (parse_report.c). */
void	config_validate_report(const struct tend_config *cfg, struct config_errors *errs);
/* Installers named by deps checks must exist, their templates make sense (parse_deps.c). */
void	config_validate_deps(const struct tend_config *cfg, struct config_errors *errs);

/* A heartbeat check's period (parse_heartbeat.c). */
void	validate_heartbeat_check(const struct check_conf *c, struct config_errors *errs);

/* Snapshot sets and rebuilds: names they refer to, paths (validate_snapshots.c). */
void	config_validate_snapshots(const struct tend_config *cfg, struct config_errors *errs);
/* Chaos experiments: faults that are built, targets that are services (parse_chaos.c). */
/* Log checks: what file each reads (parse_log.c). */
void	config_validate_logs(const struct tend_config *cfg, struct config_errors *errs);
/* exit_when's service is one (parse_web.c). */
void	config_validate_exit_when(const struct tend_config *cfg, struct config_errors *errs);
void	config_validate_chaos(const struct tend_config *cfg, struct config_errors *errs);

#endif
