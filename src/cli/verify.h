/*
 * What `tend rollback` and `tend rebuild` do after changing files: restart
 * services through the daemon when one runs, then run their checks until
 * they are healthy or the wait is over (cli/verify.c).
 */
#ifndef TEND_CLI_VERIFY_H
#define TEND_CLI_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "health/state.h"

struct cli_options;
struct tend_config;

/*
 * Restarts services (NULL-terminated, may be NULL) through the daemon of
 * opts: report's "restarted" lists those it restarted. False, and nothing
 * asked, when no daemon answers.
 */
bool	cli_restart_services(const struct cli_options *opts, char *const *services,
	    json_t *report);
/*
 * Adds the checks of services to b; with every_when_none, every check of
 * the config when there is no service. Whether every check was taken.
 */
struct check_batch;
bool	cli_checks_of_services(const struct tend_config *cfg, char *const *services,
	    bool every_when_none, struct check_batch *b);
/*
 * Runs the checks of services (cli_checks_of_services) until all are
 * healthy or opts' --wait (else default_wait_ms) is over: the state they
 * ended in (HEALTH_HEALTHY when there is no check to run), the last
 * outcomes in report's "checks".
 */
enum health_state cli_verify_services(const struct cli_options *opts,
	    const struct tend_config *cfg, char *const *services, bool every_when_none,
	    int64_t default_wait_ms, json_t *report);
/*
 * The outcomes in report as lines, then "verified healthy" or not; what
 * to say when there were no checks in nothing.
 */
void	cli_print_verified(json_t *report, enum health_state state, bool daemon,
	    const char *nothing);

#endif
