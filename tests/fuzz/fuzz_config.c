/*
 * The config loader: bytes as tend.yaml, through YAML, the model,
 * self_healing, defaults, environment overrides and validation, then what
 * the daemon does first with a config that loads (find each thing by its
 * name, compare services for a reload, build every heal plan).
 *
 * Invariants: an error is one line (the "file:line:col: message" format
 * is one error per line); a service is equal to itself (a reload of the
 * same file restarts nothing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "heal/learning.h"
#include "heal/plan.h"
#include "core/mem.h"
#include "fuzz.h"

static FILE *devnull;
static struct learning *learning;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* The environment overrides are fuzzed through the file, not the caller's shell. */
	unsetenv("HEALTH_CHECK_INTERVAL");
	unsetenv("AUTO_HEAL_ENABLED");
	config_includes_read = false;
	devnull = fopen("/dev/null", "we");
	learning = learning_new();
	return 0;
}

static void
fuzz_config_errors(const struct config_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++) {
		FUZZ_ASSERT(errs->v[i].msg != NULL, "error %zu has no message", i);
		FUZZ_ASSERT(strchr(errs->v[i].msg, '\n') == NULL,
		    "error %zu spans lines: %s", i, errs->v[i].msg);
	}
	config_errors_print(errs, devnull);
}

static void
fuzz_config_plans(const struct tend_config *cfg)
{
	const struct service_conf *svc;
	struct heal_steps steps;
	size_t i;
	int cat;

	for (i = 0; i < cfg->n_checks; i++) {
		svc = cfg->checks[i].service != NULL ?
		    config_find_service(cfg, cfg->checks[i].service) : NULL;
		for (cat = FAILURE_UNKNOWN; cat <= FAILURE_CRASH; cat++) {
			heal_plan_build(cfg, &cfg->checks[i], svc, (enum failure_category)cat,
			    learning, &steps);
			heal_steps_clear(&steps);
		}
	}
	for (i = 0; i < cfg->n_services; i++) {
		heal_plan_build(cfg, NULL, &cfg->services[i], FAILURE_CRASH, learning, &steps);
		heal_steps_clear(&steps);
	}
}

static void
fuzz_config_model(const struct tend_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_services; i++) {
		FUZZ_ASSERT(config_find_service(cfg, cfg->services[i].name) != NULL,
		    "service '%s' not found by its name", cfg->services[i].name);
		FUZZ_ASSERT(service_conf_equal(&cfg->services[i], &cfg->services[i]),
		    "service '%s' differs from itself", cfg->services[i].name);
	}
	for (i = 0; i < cfg->n_checks; i++)
		FUZZ_ASSERT(config_find_check(cfg, cfg->checks[i].name) != NULL,
		    "check '%s' not found by its name", cfg->checks[i].name);
	for (i = 0; i < cfg->n_actions; i++)
		FUZZ_ASSERT(config_find_action(cfg, cfg->actions[i].name) != NULL,
		    "action '%s' not found by its name", cfg->actions[i].name);
	fuzz_config_plans(cfg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_errors errs = { 0 };
	struct tend_config *cfg;
	char *text = xstrndup((const char *)data, size);

	cfg = config_load_string("fuzz.yaml", text, &errs);
	FUZZ_ASSERT((cfg == NULL) == (errs.n > 0), "%zu errors, config %s", errs.n,
	    cfg != NULL ? "loaded" : "NULL");
	fuzz_config_errors(&errs);
	if (cfg != NULL)
		fuzz_config_model(cfg);
	config_free(cfg);
	config_errors_clear(&errs);
	free(text);
	return 0;
}
