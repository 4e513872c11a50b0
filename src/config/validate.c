/*
 * Checks that need the whole config: references between services,
 * dependency cycles, programs that must exist, combinations of settings.
 */
#include "config/validate.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <regex.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/yaml_walk.h"
#include "core/ere.h"
#include "core/depgraph.h"
#include "core/mem.h"
#include "core/strv.h"
#include "core/which.h"

void
validate_error(struct config_errors *errs, const struct conf_pos *pos,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	walk_error_at(errs, pos->file ? pos->file : "", pos->line, pos->col, "%s", msg);
}

/* `owner` names what runs it: "service 'web'", "check 'disk'". */
void
validate_program(const struct conf_pos *pos, const char *owner, char **argv,
    const char *what, struct config_errors *errs)
{
	char *found;

	if (argv == NULL || argv[0] == NULL)
		return;
	found = which(argv[0]);
	if (found == NULL) {
		validate_error(errs, pos, "%s: %s program '%s' not found on PATH",
		    owner, what, argv[0]);
		return;
	}
	if (!which_is_executable(found))
		validate_error(errs, pos, "%s: %s program '%s' does not exist or is "
		    "not executable", owner, what, found);
	free(found);
}

static void
validate_service(const struct service_conf *s, struct config_errors *errs)
{
	char owner[300];

	if (s->run != NULL && s->pidfile != NULL)
		validate_error(errs, &s->pos, "service '%s': has both 'run' (tend runs "
		    "it) and 'pidfile' (it runs by itself); expected one", s->name);
	if (s->run == NULL && s->pidfile == NULL)
		validate_error(errs, &s->pos, "service '%s': expected 'run' (a command "
		    "for tend to run) or 'pidfile' with 'start'", s->name);
	if (s->kind == SERVICE_EXTERNAL && s->start_cmd == NULL)
		validate_error(errs, &s->pos, "service '%s': an external service "
		    "(pidfile) needs a 'start' command", s->name);
	if (s->kind == SERVICE_SUPERVISED && s->restart_cmd != NULL)
		validate_error(errs, &s->pos, "service '%s': 'restart' must be always, "
		    "on-failure or never for a service with 'run'", s->name);
	if (s->watchdog_ms > 0 && s->ready.kind != READY_NOTIFY)
		validate_error(errs, &s->pos, "service '%s': 'watchdog' needs "
		    "'ready: notify' (pings come as WATCHDOG=1)", s->name);
	if (s->kind == SERVICE_EXTERNAL && s->n_rlimits > 0)
		validate_error(errs, &s->rlimits[0].pos, "service '%s': 'rlimits' are set on "
		    "what tend starts; an external service (pidfile) starts itself — set them "
		    "in its start command (ulimit, prlimit)", s->name);
	if (s->kind == SERVICE_EXTERNAL && s->cgroup.enabled)
		validate_error(errs, &s->cgroup.pos, "service '%s': 'cgroup' is made for what "
		    "tend starts; an external service (pidfile) starts itself", s->name);
	if (s->backoff.multiplier < 1)
		validate_error(errs, &s->pos, "service '%s': 'backoff.multiplier' must "
		    "be at least 1", s->name);
	snprintf(owner, sizeof(owner), "service '%s'", s->name);
	validate_program(&s->pos, owner, s->run, "run", errs);
	validate_program(&s->pos, owner, s->start_cmd, "start", errs);
}

static void
validate_dependencies(const struct tend_config *cfg, struct config_errors *errs)
{
	struct depgraph g = { .n = cfg->n_services };
	const struct service_conf *found;
	size_t i, j, *order, *cycle, cycle_len = 0;
	char **names = NULL, *joined;
	bool unknown = false;

	g.deps = xcalloc(g.n + 1, sizeof(*g.deps));
	g.n_deps = xcalloc(g.n + 1, sizeof(*g.n_deps));
	for (i = 0; i < g.n; i++) {
		char **dep = cfg->services[i].depends_on;

		g.deps[i] = xcalloc(strv_len(dep) + 1, sizeof(size_t));
		for (j = 0; dep != NULL && dep[j] != NULL; j++) {
			if ((found = config_find_service(cfg, dep[j])) == NULL) {
				validate_error(errs, &cfg->services[i].pos,
				    "service '%s': depends_on names '%s', which is not "
				    "a service", cfg->services[i].name, dep[j]);
				unknown = true;
				continue;
			}
			g.deps[i][g.n_deps[i]++] = (size_t)(found - cfg->services);
		}
	}
	order = xcalloc(g.n + 1, sizeof(*order));
	cycle = xcalloc(g.n + 2, sizeof(*cycle));
	if (!unknown && depgraph_order(&g, order, cycle, &cycle_len) < 0) {
		for (i = 0; i < cycle_len; i++)
			names = strv_push(names, cfg->services[cycle[i]].name);
		joined = strv_join(names, " -> ");
		validate_error(errs, &cfg->services[cycle[0]].pos,
		    "dependency cycle: %s", joined);
		free(joined);
		strv_free(names);
	}
	for (i = 0; i < g.n; i++)
		free(g.deps[i]);
	free(g.deps);
	free(g.n_deps);
	free(order);
	free(cycle);
}

static void
validate_resource_check(const struct check_conf *c, struct config_errors *errs)
{
	if ((int)c->metric < 0)
		validate_error(errs, &c->pos, "check '%s': 'metric' is required (cpu, "
		    "memory, swap, disk, inodes, load or open_files)", c->name);
	if (c->warn < 0 || c->crit < 0)
		validate_error(errs, &c->pos, "check '%s': 'warn' and 'crit' are "
		    "required", c->name);
	else if (c->warn > c->crit)
		validate_error(errs, &c->pos, "check '%s': 'warn' must not exceed "
		    "'crit'", c->name);
}

void
validate_regex(struct config_errors *errs, const struct conf_pos *pos, const char *owner,
    const char *pattern)
{
	char msg[256];
	regex_t re;
	int rc;

	if (!ere_affordable(pattern, msg, sizeof(msg))) {
		validate_error(errs, pos, "%s: regex '%s': %s", owner, pattern, msg);
		return;
	}
	if ((rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, &re, msg, sizeof(msg));
		validate_error(errs, pos, "%s: bad regex '%s': %s", owner, pattern, msg);
		return;
	}
	regfree(&re);
}

static void
validate_check(const struct check_conf *c, struct config_errors *errs)
{
	char owner[300];

	switch (c->type) {
	case CHECK_RESOURCE:
		validate_resource_check(c, errs);
		break;
	case CHECK_HTTP:
		if (c->http.url == NULL)
			validate_error(errs, &c->pos, "check '%s': 'url' is required",
			    c->name);
		if (c->http.regex != NULL) {
			snprintf(owner, sizeof(owner), "check '%s'", c->name);
			validate_regex(errs, &c->pos, owner, c->http.regex);
		}
		break;
	case CHECK_TCP:
		if (c->tcp.port == 0)
			validate_error(errs, &c->pos, "check '%s': 'port' is required",
			    c->name);
		break;
	case CHECK_FILE:
		if (c->path == NULL)
			validate_error(errs, &c->pos, "check '%s': 'path' is required",
			    c->name);
		if (c->file.sha256 != NULL && (strlen(c->file.sha256) != 64 ||
		    strspn(c->file.sha256, "0123456789abcdefABCDEF") != 64))
			validate_error(errs, &c->pos, "check '%s': 'sha256' must be 64 hex "
			    "digits", c->name);
		break;
	case CHECK_DEPS:
		if (c->deps.n_items == 0 && !c->deps.updates)
			validate_error(errs, &c->pos, "check '%s': expected executables, "
			    "libraries, pkgconfig, packages, paths or updates", c->name);
		break;
	case CHECK_PROCESS:
		if (c->service == NULL && c->process.pidfile == NULL)
			validate_error(errs, &c->pos, "check '%s': a process check belongs "
			    "under a service's checks, or names a 'pidfile'", c->name);
		break;
	case CHECK_COMMAND:
		if (c->command.argv == NULL)
			validate_error(errs, &c->pos, "check '%s': 'run' is required",
			    c->name);
		snprintf(owner, sizeof(owner), "check '%s'", c->name);
		validate_program(&c->pos, owner, c->command.argv, "run", errs);
		break;
	case CHECK_HEARTBEAT:
		validate_heartbeat_check(c, errs);
		break;
	case CHECK_LOG:		/* config_validate_logs: it needs the services */
		break;
	}
	if (c->latency_warn_ms > 0 && c->latency_crit_ms > 0 &&
	    c->latency_warn_ms > c->latency_crit_ms)
		validate_error(errs, &c->pos, "check '%s': 'latency_warn' must not "
		    "exceed 'latency_crit'", c->name);
	if ((c->fail_n > 0) != (c->fail_of > 0) || c->fail_n > c->fail_of)
		validate_error(errs, &c->pos, "check '%s': 'fail' needs n and of, "
		    "with n at most of", c->name);
}

static void
validate_service_system(const struct service_conf *s, struct config_errors *errs)
{
	struct stat sb;

	if (s->cwd != NULL && stat(s->cwd, &sb) < 0)
		validate_error(errs, &s->cwd_pos, "service '%s': cwd %s: %s", s->name,
		    s->cwd, strerror(errno));
	else if (s->cwd != NULL && !S_ISDIR(sb.st_mode))
		validate_error(errs, &s->cwd_pos, "service '%s': cwd %s is not a "
		    "directory", s->name, s->cwd);
	if (s->user != NULL && getpwnam(s->user) == NULL)
		validate_error(errs, &s->user_pos, "service '%s': user '%s' does not "
		    "exist here", s->name, s->user);
	if (s->group != NULL && getgrnam(s->group) == NULL)
		validate_error(errs, &s->group_pos, "service '%s': group '%s' does not "
		    "exist here", s->name, s->group);
}

void
config_validate_system(const struct tend_config *cfg, struct config_errors *errs)
{
	size_t i;

	for (i = 0; i < cfg->n_services; i++)
		validate_service_system(&cfg->services[i], errs);
}

static void
validate_check_repeat(const void *first, const void *again, void *arg)
{
	const struct check_conf *a = first, *b = again;

	validate_error(arg, &b->pos, "check '%s' is also declared at line %d; a "
	    "check's name is unique in the whole config (its history, metrics and "
	    "incidents know it by name)", b->name, a->pos.line);
}

void
config_validate(const struct tend_config *cfg, struct config_errors *errs)
{
	size_t i;

	for (i = 0; i < cfg->n_services; i++)
		validate_service(&cfg->services[i], errs);
	validate_dependencies(cfg, errs);
	for (i = 0; i < cfg->n_checks; i++)
		validate_check(&cfg->checks[i], errs);
	name_index_repeats(&cfg->checks_by_name, validate_check_repeat, errs);
}
