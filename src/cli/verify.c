/*
 * Restart and verify: through the daemon's control socket (a restart is
 * the daemon's to do, its services are its children), the checks run here
 * as tend check runs them, again every VERIFY_POLL_MS until healthy.
 */
#include "cli/verify.h"

#include <unistd.h>

#include "checks/batch.h"
#include "cli/cli.h"
#include "cli/table.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/strv.h"

#define VERIFY_POLL_MS	250

bool
cli_restart_services(const struct cli_options *opts, char *const *services, json_t *report)
{
	json_t *done, *answer;
	size_t i;

	if (!cli_daemon_alive(opts))
		return false;
	done = json_array();
	for (i = 0; services != NULL && services[i] != NULL; i++) {
		answer = cli_call(opts, json_pack("{s:s, s:s}", "cmd", "restart", "service",
		    services[i]));
		if (answer != NULL)
			json_array_append_new(done, json_string(services[i]));
		json_decref(answer);
	}
	json_object_set_new(report, "restarted", done);
	return true;
}

bool
cli_checks_of_services(const struct tend_config *cfg, char *const *services,
    bool every_when_none, struct check_batch *b)
{
	bool every = every_when_none && strv_len(services) == 0;
	size_t i;

	for (i = 0; i < cfg->n_checks; i++)
		if (every || (cfg->checks[i].service != NULL &&
		    strv_contains(services, cfg->checks[i].service)))
			check_batch_add(b, &cfg->checks[i]);
	return every;
}

enum health_state
cli_verify_services(const struct cli_options *opts, const struct tend_config *cfg,
    char *const *services, bool every_when_none, int64_t default_wait_ms, json_t *report)
{
	int64_t wait = opts->wait_ms >= 0 ? opts->wait_ms : default_wait_ms;
	int64_t deadline = clock_mono_ms() + wait;
	enum health_state state = HEALTH_HEALTHY;
	struct check_batch b = { 0 };
	json_t *checks = json_array();
	size_t i;

	for (;;) {
		cli_checks_of_services(cfg, services, every_when_none, &b);
		if (b.n == 0)
			break;
		cli_check_batch_run(&b, opts);
		state = check_batch_overall(&b);
		if (state == HEALTH_HEALTHY || clock_mono_ms() >= deadline)
			break;
		check_batch_clear(&b);
		usleep(VERIFY_POLL_MS * 1000);
	}
	for (i = 0; i < b.n; i++)
		json_array_append_new(checks, cli_check_outcome_json(&b.v[i]));
	json_object_set_new(report, "checks", checks);
	check_batch_clear(&b);
	return state;
}

void
cli_print_verified(json_t *report, enum health_state state, bool daemon, const char *nothing)
{
	json_t *c;
	size_t i;

	if (!daemon)
		printf("no tend runs on this state dir: no service restarted\n");
	json_array_foreach(json_object_get(report, "checks"), i, c)
		cli_printf(stdout, "  %-9s %s: %s\n",
		    json_string_value(json_object_get(c, "state")),
		    json_string_value(json_object_get(c, "name")),
		    json_string_value(json_object_get(c, "message")) ?: "");
	if (json_array_size(json_object_get(report, "checks")) == 0)
		printf("%s\n", nothing);
	else
		printf("%s\n", state == HEALTH_HEALTHY ? "verified healthy" :
		    "NOT verified healthy");
}
