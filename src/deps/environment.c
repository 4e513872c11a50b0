#include "deps/environment.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "core/hostport.h"
#include "core/mem.h"
#include "core/runtimedir.h"
#include "core/statedir.h"
#include "core/strv.h"
#include "core/text.h"
#include "core/which.h"
#include "deps/status.h"
#include "net/fetch_probe.h"

static const char *const env_status_names[] = {
	[ENV_OK] = "ok", [ENV_WARNING] = "warning", [ENV_ERROR] = "error",
};

const char *
env_status_name(enum env_status s)
{
	return env_status_names[s];
}

static void
env_add(struct env_report *r, const char *check, const char *subject,
    enum env_status status, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
env_add(struct env_report *r, const char *check, const char *subject,
    enum env_status status, const char *fmt, ...)
{
	struct env_item *it;
	char *reason;
	va_list ap;

	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	it = &r->v[r->n++];
	it->check = xstrdup(check);
	/* A mirror's URL from the config: shown, so its credentials hidden. */
	it->subject = text_redact(subject);
	it->status = status;
	va_start(ap, fmt);
	reason = xvasprintf(fmt, ap);
	va_end(ap);
	it->reason = text_redact(reason);
	free(reason);
}

/* The path itself if it exists, else its nearest existing ancestor. Free it. */
static char *
existing_ancestor(const char *path)
{
	char *p = xstrdup(path), *slash;
	struct stat sb;

	while (stat(p, &sb) < 0) {
		if ((slash = strrchr(p, '/')) == NULL) {
			free(p);
			return xstrdup(".");
		}
		if (slash == p) {
			p[1] = '\0';
			break;
		}
		*slash = '\0';
	}
	return p;
}

/* Writing a file is the only sure test: access() says yes to root on a read-only mount. */
static int
try_write(const char *dir)
{
	char *tmp = xasprintf("%s/.tend-env-XXXXXX", dir);
	int fd, err;

	fd = mkstemp(tmp);
	err = errno;
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	errno = err;
	return fd >= 0 ? 0 : -1;
}

static void
env_state_dir_heard(void *arg, const char *path, bool ok, const char *what)
{
	env_add(arg, "state dir", path, ok ? ENV_OK : ENV_ERROR, "%s", what);
}

/*
 * The checks tend run makes before it uses the state dir (owner, mode,
 * parents, entries; core/statedir.h), creating nothing, then whether the
 * directory (or the parent it would be made in) takes a file.
 */
static void
env_state_dir(struct env_report *r, const char *dir)
{
	struct stat sb;
	char *base;

	statedir_inspect(dir, env_state_dir_heard, r);
	base = existing_ancestor(dir);
	if (stat(base, &sb) == 0 && S_ISDIR(sb.st_mode) && try_write(base) < 0)
		env_add(r, "state dir", base, ENV_ERROR, "not writable: %s", strerror(errno));
	free(base);
}

static void
env_runtime_dir_heard(void *arg, const char *path, bool ok, const char *what)
{
	env_add(arg, "runtime dir", path, ok ? ENV_OK : ENV_ERROR, "%s", what);
}

/*
 * Where the notify sockets of services with ready: notify go
 * (core/runtimedir.h), checked as the state dir is but for its entries
 * (other users' sockets); only when one has it.
 */
static void
env_runtime_dir(struct env_report *r, const struct tend_config *cfg)
{
	char *base;
	size_t i;

	for (i = 0; i < cfg->n_services; i++)
		if (cfg->services[i].ready.kind == READY_NOTIFY)
			break;
	if (i == cfg->n_services || (base = runtimedir_base()) == NULL)
		return;
	statedir_inspect_shared(base, RUNTIMEDIR_MODE, env_runtime_dir_heard, r);
	free(base);
}

static void
format_size(int64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
	double v = (double)bytes;
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", v, units[i]);
}

static void
env_free_space(struct env_report *r, const struct environment_conf *e, const char *dir)
{
	char *base = existing_ancestor(dir), have[32], warn[32], min[32];
	struct statvfs vfs;
	int64_t free_bytes;

	if (statvfs(base, &vfs) < 0) {
		env_add(r, "free space", dir, ENV_WARNING, "cannot tell: %s: %s", base,
		    strerror(errno));
		free(base);
		return;
	}
	free(base);
	free_bytes = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
	format_size(free_bytes, have, sizeof(have));
	format_size(e->warn_free, warn, sizeof(warn));
	format_size(e->min_free, min, sizeof(min));
	if (free_bytes < e->min_free)
		env_add(r, "free space", dir, ENV_ERROR, "%s free, below min_free %s", have,
		    min);
	else if (free_bytes < e->warn_free)
		env_add(r, "free space", dir, ENV_WARNING, "%s free, below warn_free %s",
		    have, warn);
	else
		env_add(r, "free space", dir, ENV_OK, "%s free", have);
}

/* A program the config names, who uses it, and how bad its absence is. */
struct program_use {
	char		*program;
	char		**users;	/* "service 'web'", "installer 'npm'" */
	enum env_status	 missing;
};

struct programs {
	struct program_use *v;
	size_t		 n;
};

static void
programs_add(struct programs *p, char *const *argv, enum env_status missing,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
programs_add(struct programs *p, char *const *argv, enum env_status missing,
    const char *fmt, ...)
{
	struct program_use *u = NULL;
	char *user;
	va_list ap;
	size_t i;

	if (argv == NULL || argv[0] == NULL)
		return;
	for (i = 0; i < p->n && u == NULL; i++)
		if (strcmp(p->v[i].program, argv[0]) == 0)
			u = &p->v[i];
	if (u == NULL) {
		p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
		u = &p->v[p->n++];
		memset(u, 0, sizeof(*u));
		u->program = xstrdup(argv[0]);
		u->missing = missing;
	}
	if (missing > u->missing)
		u->missing = missing;
	va_start(ap, fmt);
	user = xvasprintf(fmt, ap);
	va_end(ap);
	if (!strv_contains(u->users, user))
		u->users = strv_push(u->users, user);
	free(user);
}

static void
programs_heal(struct programs *p, const struct heal_action *v, size_t n, const char *owner)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].kind == HEAL_EXEC)
			programs_add(p, v[i].argv, ENV_ERROR, "heal action of %s", owner);
		if (v[i].kind == HEAL_ANY)
			programs_heal(p, v[i].alternatives, v[i].n_alternatives, owner);
	}
}

/* The program a deps check runs to look for an item of this kind (checks/check_deps.c). */
static char *const *
deps_probe_program(enum dep_kind kind)
{
	static char *const pkgconfig[] = { "pkg-config", NULL };
	static char *const dpkg[] = { "dpkg-query", NULL };
	static char *const python[] = { "python3", NULL };
	static char *const ldconfig[] = { "/sbin/ldconfig", NULL };

	switch (kind) {
	case DEP_PKGCONFIG: return pkgconfig;
	case DEP_PACKAGE: return dpkg;
	case DEP_PYTHON: return python;
	case DEP_LIBRARY: return ldconfig;
	default: return NULL;
	}
}

/* A deps check's executables, the programs its probes run, its items' installers. */
static void
programs_deps_check(struct programs *p, const struct tend_config *cfg,
    const struct check_conf *c)
{
	static char *const apt[] = { "apt", NULL };
	const struct installer_conf *in;
	const struct dep_item *it;
	const char *package;
	size_t i;

	for (i = 0; i < c->deps.n_items; i++) {
		it = &c->deps.items[i];
		if (it->kind == DEP_EXECUTABLE) {
			char *argv[] = { it->name, NULL };

			programs_add(p, argv, ENV_ERROR, "deps check '%s'", c->name);
		}
		programs_add(p, deps_probe_program(it->kind), ENV_ERROR, "deps check '%s' (%s)",
		    c->name, dep_kind_name(it->kind));
		if ((in = deps_installer_of(cfg, c, it, &package)) != NULL)
			programs_add(p, in->command, ENV_WARNING, "installer '%s' (tend deps "
			    "install)", in->name);
	}
	if (c->deps.updates)
		programs_add(p, c->deps.updates_cmd ? c->deps.updates_cmd : apt, ENV_ERROR,
		    "deps check '%s' (updates)", c->name);
}

static void
programs_collect(struct programs *p, const struct tend_config *cfg)
{
	const struct service_conf *s;
	const struct check_conf *c;
	size_t i, k;

	for (i = 0; i < cfg->n_services; i++) {
		s = &cfg->services[i];
		programs_add(p, s->run, ENV_ERROR, "service '%s'", s->name);
		programs_add(p, s->start_cmd, ENV_ERROR, "service '%s' (start)", s->name);
		programs_add(p, s->stop_cmd, ENV_ERROR, "service '%s' (stop)", s->name);
		programs_add(p, s->restart_cmd, ENV_ERROR, "service '%s' (restart)", s->name);
		programs_heal(p, s->heal.v, s->heal.n, s->name);
	}
	for (i = 0; i < cfg->n_checks; i++) {
		c = &cfg->checks[i];
		programs_add(p, c->command.argv, ENV_ERROR, "check '%s'", c->name);
		if (c->type == CHECK_DEPS)
			programs_deps_check(p, cfg, c);
		programs_heal(p, c->heal.v, c->heal.n, c->name);
	}
	programs_heal(p, cfg->actions, cfg->n_actions, "actions:");
	/* A warning only: an earlier step may make the program (a venv's pip). */
	for (i = 0; i < cfg->n_rebuilds; i++)
		for (k = 0; k < cfg->rebuilds[i].n_steps; k++)
			programs_add(p, cfg->rebuilds[i].steps[k].argv, ENV_WARNING,
			    "rebuild '%s' step %zu", cfg->rebuilds[i].name, k + 1);
	for (i = 0; i < cfg->alerts.n_channels; i++)
		programs_add(p, cfg->alerts.channels[i].command, ENV_ERROR,
		    "alert channel '%s'", cfg->alerts.channels[i].name);
	/* Declared installers, even those no dependency names yet. */
	for (i = 0; i < cfg->n_installers; i++) {
		if (!cfg->installers[i].declared)
			continue;
		programs_add(p, cfg->installers[i].command, ENV_WARNING,
		    "installer '%s' (tend deps install)", cfg->installers[i].name);
		programs_add(p, cfg->installers[i].download, ENV_WARNING,
		    "installer '%s' (tend deps cache-warmup)", cfg->installers[i].name);
		programs_add(p, cfg->installers[i].offline, ENV_WARNING,
		    "installer '%s' (offline install)", cfg->installers[i].name);
	}
}

static void
env_programs(struct env_report *r, const struct tend_config *cfg)
{
	struct programs p = { 0 };
	struct program_use *u;
	char *found, *users;
	size_t i;

	programs_collect(&p, cfg);
	for (i = 0; i < p.n; i++) {
		u = &p.v[i];
		users = strv_join(u->users, ", ");
		found = which(u->program);
		if (found == NULL || access(found, F_OK) < 0)
			env_add(r, "program", u->program, u->missing, "not found%s; used by %s",
			    strchr(u->program, '/') ? "" : " on PATH", users);
		else if (!which_is_executable(found))
			env_add(r, "program", u->program, u->missing, "%s is not executable; "
			    "used by %s", found, users);
		else
			env_add(r, "program", u->program, ENV_OK, "%s; used by %s", found, users);
		free(found);
		free(users);
		free(u->program);
		strv_free(u->users);
	}
	free(p.v);
}

/* "host:port" or a URL's host and port; false when there is none. */
static bool
probe_host_port(const char *target, char *host, size_t hlen, char *port, size_t plen)
{
	size_t scheme_len;
	int n;

	if (hostport_of_url(target, host, hlen, &n, &scheme_len) < 0)
		return false;
	if (n < 0)
		n = scheme_len == 0 || strncmp(target, "https://", 8) == 0 ? 443 : 80;
	snprintf(port, plen, "%d", n);
	return true;
}

/*
 * What is probed for a target: a URL as it is, host:port as plain http (a
 * TCP connect, whatever the port). NULL when it names no host; free it.
 */
static char *
env_probe_url(const char *target)
{
	char host[256], port[16];

	if (!probe_host_port(target, host, sizeof(host), port, sizeof(port)))
		return NULL;
	if (strstr(target, "://") != NULL)
		return xstrdup(target);
	return xasprintf(strchr(host, ':') ? "http://[%s]:%s/" : "http://%s:%s/", host,
	    port);
}

/*
 * Resolves host within timeout_ms. The lookup runs in glibc's helper
 * thread; one still running at the deadline is left to finish on its own
 * (its request is kept, never freed, as glibc may still write to it).
 */
static int
resolve(const char *host, int64_t timeout_ms, char *addr, size_t len)
{
	static struct gaicb *abandoned[16];
	static size_t n_abandoned;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	struct gaicb *req = xcalloc(1, sizeof(*req)), *list[1] = { req };
	struct timespec ts = { .tv_sec = timeout_ms / 1000,
	    .tv_nsec = (timeout_ms % 1000) * 1000000 };
	const void *in;
	int rc;

	req->ar_name = xstrdup(host);
	req->ar_request = &hints;
	if ((rc = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL)) != 0)
		goto done;
	while ((rc = gai_suspend((const struct gaicb *const *)list, 1, &ts)) == EAI_INTR)
		;
	if (rc == EAI_AGAIN && gai_cancel(req) == EAI_NOTCANCELED) {
		if (n_abandoned < sizeof(abandoned) / sizeof(*abandoned))
			abandoned[n_abandoned++] = req;
		snprintf(addr, len, "no answer within %lld ms", (long long)timeout_ms);
		return EAI_AGAIN;
	}
	if ((rc = gai_error(req)) != 0)
		goto done;
	ai = req->ar_result;
	in = ai->ai_family == AF_INET6 ?
	    (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr :
	    (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;
	inet_ntop(ai->ai_family, in, addr, (socklen_t)len);
	freeaddrinfo(req->ar_result);
done:
	if (rc != 0)
		snprintf(addr, len, "%s", gai_strerror(rc));
	free((char *)req->ar_name);
	free(req);
	return rc;
}

static void
env_target(char ***targets, const char *url)
{
	if (url != NULL && strncmp(url, "file:", 5) != 0 && !strv_contains(*targets, url))
		*targets = strv_push(*targets, url);
}

/*
 * What the config reaches over the network: environment.probe, then the
 * installers' mirrors, the assets' mirrors and the hosts of http and tcp
 * checks. Nothing else: validate connects to no host the config does not
 * name.
 */
static char **
env_targets(const struct tend_config *cfg)
{
	const struct check_conf *c;
	char **targets = NULL, *hostport;
	size_t i, j;

	for (i = 0; cfg->environment.probe && cfg->environment.probe[i]; i++)
		env_target(&targets, cfg->environment.probe[i]);
	for (i = 0; i < cfg->n_installers; i++)
		for (j = 0; cfg->installers[i].mirrors && cfg->installers[i].mirrors[j]; j++)
			if (strstr(cfg->installers[i].mirrors[j], "://") != NULL)
				env_target(&targets, cfg->installers[i].mirrors[j]);
	for (i = 0; i < cfg->n_assets; i++)
		for (j = 0; cfg->assets[i].mirrors && cfg->assets[i].mirrors[j]; j++)
			env_target(&targets, cfg->assets[i].mirrors[j]);
	for (i = 0; i < cfg->n_checks; i++) {
		c = &cfg->checks[i];
		if (c->type == CHECK_HTTP)
			env_target(&targets, c->http.url);
		else if (c->type == CHECK_TCP && c->tcp.port > 0) {
			hostport = xasprintf(strchr(c->tcp.host ? c->tcp.host : "", ':') ?
			    "[%s]:%d" : "%s:%d", c->tcp.host ? c->tcp.host : "127.0.0.1",
			    c->tcp.port);
			env_target(&targets, hostport);
			free(hostport);
		}
	}
	return targets;
}

/*
 * Names resolve and hosts answer, for what the config names (env_targets).
 * No network is a warning: tend works offline, from its caches.
 */
static void
env_network(struct env_report *r, const struct tend_config *cfg)
{
	int64_t budget = cfg->environment.probe_timeout_ms;
	char host[256], port[16], addr[256], *url, **targets = env_targets(cfg), **hosts = NULL;
	const struct probe_target *t;
	struct probe p = { 0 };
	size_t i;

	for (i = 0; targets != NULL && targets[i] != NULL; i++) {
		if (!probe_host_port(targets[i], host, sizeof(host), port, sizeof(port)) ||
		    strv_contains(hosts, host))
			continue;
		hosts = strv_push(hosts, host);
		if (resolve(host, budget, addr, sizeof(addr)) != 0)
			env_add(r, "dns", host, ENV_WARNING, "cannot resolve: %s", addr);
		else
			env_add(r, "dns", host, ENV_OK, "resolves to %s", addr);
	}
	for (i = 0; targets != NULL && targets[i] != NULL; i++) {
		if ((url = env_probe_url(targets[i])) != NULL)
			probe_add(&p, url);
		free(url);
	}
	probe_run(&p, budget, budget);
	for (i = 0; targets != NULL && targets[i] != NULL; i++) {
		if ((url = env_probe_url(targets[i])) == NULL)
			continue;
		if ((t = probe_find(&p, url)) != NULL && (t->state == PROBE_OK ||
		    t->state == PROBE_SLOW))
			env_add(r, "network", targets[i], ENV_OK, "connected in %lld ms",
			    (long long)t->ms);
		else if (t != NULL)
			env_add(r, "network", targets[i], ENV_WARNING, "cannot connect: %s "
			    "(tend works offline from its caches)", t->error);
		free(url);
	}
	probe_free(&p);
	strv_free(targets);
	strv_free(hosts);
}

/* The CI systems tend adapts to, by the variable each sets. */
static const struct {
	const char	*var;
	const char	*name;
} ci_systems[] = {
	{ "GITHUB_ACTIONS", "GitHub Actions" },
	{ "GITLAB_CI", "GitLab CI" },
	{ "CIRCLECI", "CircleCI" },
	{ "TRAVIS", "Travis CI" },
	{ "JENKINS_URL", "Jenkins" },
	{ "BUILDKITE", "Buildkite" },
	{ "DRONE", "Drone" },
	{ "TF_BUILD", "Azure Pipelines" },
	{ "BITBUCKET_BUILD_NUMBER", "Bitbucket Pipelines" },
	{ "TEAMCITY_VERSION", "TeamCity" },
	{ "CODEBUILD_BUILD_ID", "AWS CodeBuild" },
	{ "APPVEYOR", "AppVeyor" },
	{ "WOODPECKER", "Woodpecker" },
	{ "CI", "a CI system" },
};

/* GitHub's step output files, which tend check and tend retry append to. */
static void
env_github_files(struct env_report *r)
{
	static const char *const vars[] = { "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", NULL };
	const char *path;
	FILE *f;
	size_t i;

	for (i = 0; vars[i] != NULL; i++) {
		if ((path = getenv(vars[i])) == NULL || *path == '\0')
			continue;
		if ((f = fopen(path, "a")) == NULL)
			env_add(r, "ci", vars[i], ENV_WARNING, "%s cannot be appended to: %s",
			    path, strerror(errno));
		else {
			fclose(f);
			env_add(r, "ci", vars[i], ENV_OK, "%s can be appended to", path);
		}
	}
}

static void
env_ci(struct env_report *r)
{
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(ci_systems) / sizeof(*ci_systems); i++) {
		v = getenv(ci_systems[i].var);
		if (v == NULL || *v == '\0' || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			continue;
		env_add(r, "ci", ci_systems[i].var, ENV_OK, "running under %s (%s=%s)%s",
		    ci_systems[i].name, ci_systems[i].var, v,
		    strcmp(v, "true") == 0 && (i == 0 || strcmp(ci_systems[i].var, "CI") == 0) ?
		    "; retries use their CI defaults" : "");
		if (i == 0)
			env_github_files(r);
		return;
	}
	env_add(r, "ci", "CI", ENV_OK, "not under CI (none of CI, GITHUB_ACTIONS, "
	    "GITLAB_CI, ... is set)");
}

void
environment_check(const struct tend_config *cfg, const char *state_dir,
    struct env_report *out)
{
	memset(out, 0, sizeof(*out));
	env_state_dir(out, state_dir);
	env_runtime_dir(out, cfg);
	env_free_space(out, &cfg->environment, state_dir);
	env_programs(out, cfg);
	env_network(out, cfg);
	env_ci(out);
}

enum env_status
env_report_worst(const struct env_report *r)
{
	enum env_status s = ENV_OK;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->v[i].status > s)
			s = r->v[i].status;
	return s;
}

size_t
env_report_count(const struct env_report *r, enum env_status s)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->v[i].status == s;
	return n;
}

json_t *
env_report_json(const struct env_report *r)
{
	json_t *items = json_array();
	size_t i;

	for (i = 0; i < r->n; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s}", "check",
		    r->v[i].check, "subject", r->v[i].subject, "status",
		    env_status_name(r->v[i].status), "reason", r->v[i].reason));
	return json_pack("{s:b, s:I, s:I, s:o}", "ok", env_report_worst(r) != ENV_ERROR,
	    "errors", (json_int_t)env_report_count(r, ENV_ERROR), "warnings",
	    (json_int_t)env_report_count(r, ENV_WARNING), "items", items);
}

void
env_report_free(struct env_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].check);
		free(r->v[i].subject);
		free(r->v[i].reason);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}
