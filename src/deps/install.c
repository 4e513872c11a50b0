#include "deps/install.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/strv.h"
#include "core/version.h"
#include "core/statedir.h"
#include "net/retry.h"

/* CACHE_ROOT/deps/NAME unless the installer names its own `cache:`. Free it. */
static char *
deps_installer_cache(const struct installer_conf *in, const char *cache_root)
{
	if (in->cache != NULL)
		return xstrdup(in->cache);
	return xasprintf("%s/deps/%s", cache_root, in->name);
}

/* s with every {name} replaced by value. */
static char *
replace_all(const char *s, const char *name, const char *value)
{
	size_t n = strlen(name), len = 0;
	const char *hit;
	char *out = xstrdup("");

	while ((hit = strstr(s, name)) != NULL) {
		out = xrealloc(out, len + (size_t)(hit - s) + strlen(value) + 1);
		memcpy(out + len, s, (size_t)(hit - s));
		len += (size_t)(hit - s);
		strcpy(out + len, value);
		len += strlen(value);
		s = hit + n;
	}
	out = xrealloc(out, len + strlen(s) + 1);
	strcpy(out + len, s);
	return out;
}

static bool
template_has(char *const *tmpl, const char *word)
{
	for (; tmpl != NULL && *tmpl != NULL; tmpl++)
		if (strstr(*tmpl, word) != NULL)
			return true;
	return false;
}

char **
deps_render(char *const *tmpl, char *const *packages, const char *mirror,
    const char *mirror_flag, const char *cache, char *const *files)
{
	char **argv = xcalloc(1, sizeof(char *)), *a, *b;
	size_t i, j;

	for (i = 0; tmpl[i] != NULL; i++) {
		if (strcmp(tmpl[i], "{packages}") == 0 || strcmp(tmpl[i], "{files}") == 0) {
			char *const *v = tmpl[i][1] == 'p' ? packages : files;

			for (j = 0; v != NULL && v[j] != NULL; j++)
				argv = strv_push(argv, v[j]);
			continue;
		}
		if (strcmp(tmpl[i], "{mirror}") == 0 && mirror == NULL)
			continue;
		a = replace_all(tmpl[i], "{package}", packages && packages[0] ? packages[0] : "");
		b = replace_all(a, "{mirror}", mirror ? mirror : "");
		free(a);
		a = replace_all(b, "{cache}", cache ? cache : "");
		free(b);
		argv = strv_push(argv, a);
		free(a);
	}
	/* pip install X --index-url M, npm install X --registry M */
	if (mirror != NULL && mirror_flag != NULL && !template_has(tmpl, "{mirror}"))
		argv = strv_push(strv_push(argv, mirror_flag), mirror);
	return argv;
}

/* Lower case, with - _ . / alike and a scope's @ dropped: how names compare. */
static void
cache_key(const char *s, char *out, size_t len)
{
	size_t n = 0;

	if (*s == '@')
		s++;
	for (; *s != '\0' && n + 1 < len; s++)
		out[n++] = strchr("-_./", *s) ? '-' : (char)tolower((unsigned char)*s);
	out[n] = '\0';
}

char *
deps_cached_file(const char *dir, const char *package)
{
	char want[256], have[512], *best = NULL;
	const char *best_version = NULL;
	struct dirent *e;
	size_t n;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return NULL;
	cache_key(package, want, sizeof(want));
	n = strlen(want);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		cache_key(e->d_name, have, sizeof(have));
		if (strncmp(have, want, n) != 0 || have[n] != '-' ||
		    !isdigit((unsigned char)have[n + 1]))
			continue;
		/* Of several versions, the newest. */
		if (best != NULL && version_compare(e->d_name + n + 1, best_version) <= 0)
			continue;
		free(best);
		best = xasprintf("%s/%s", dir, e->d_name);
		best_version = best + strlen(dir) + 1 + n + 1;
	}
	closedir(d);
	return best;
}

/* The packages to install or download per installer, in the order first named. */
struct install_group {
	const struct installer_conf *installer;
	char		**packages;
};

static void
group_add(struct install_group **v, size_t *n, const struct installer_conf *in,
    const char *package)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*v)[i].installer == in)
			break;
	if (i == *n) {
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = (struct install_group){ .installer = in };
	}
	if (!strv_contains((*v)[i].packages, package))
		(*v)[i].packages = strv_push((*v)[i].packages, package);
}

static struct install_step *
plan_step(struct install_plan *plan, const struct installer_conf *in, char **packages,
    const char *cache)
{
	struct install_step *s;

	plan->v = xrealloc(plan->v, (plan->n + 1) * sizeof(*plan->v));
	s = &plan->v[plan->n++];
	memset(s, 0, sizeof(*s));
	s->installer = in;
	s->packages = strv_dup(packages);
	s->cache = xstrdup(cache);
	return s;
}

/* The command with each mirror in turn: the first is the step's, the rest fallbacks. */
static void
plan_mirrors(struct install_step *s, char *const *tmpl)
{
	const struct installer_conf *in = s->installer;
	char **mirrors = in->mirrors;
	size_t i;

	s->argv = deps_render(tmpl, s->packages, mirrors ? mirrors[0] : NULL,
	    in->mirror_flag, s->cache, NULL);
	for (i = 1; mirrors != NULL && mirrors[i] != NULL; i++) {
		s->fallbacks = xrealloc(s->fallbacks, (s->n_fallbacks + 1) *
		    sizeof(*s->fallbacks));
		s->fallbacks[s->n_fallbacks++] = deps_render(tmpl, s->packages, mirrors[i],
		    in->mirror_flag, s->cache, NULL);
	}
}

/* From the cache, when it has every package of the step. */
static void
plan_offline(struct install_step *s)
{
	char **files = NULL, *f;
	size_t i;

	if (s->installer->offline == NULL)
		return;
	for (i = 0; s->packages[i] != NULL; i++) {
		if ((f = deps_cached_file(s->cache, s->packages[i])) == NULL) {
			strv_free(files);
			return;
		}
		files = strv_push(files, f);
		free(f);
	}
	s->offline = deps_render(s->installer->offline, s->packages, NULL, NULL, s->cache,
	    files);
	strv_free(files);
}

/* One step for all the packages ({packages}), or one each ({package}). */
static void
plan_group(struct install_plan *plan, const struct install_group *g, char *const *tmpl,
    const char *cache_root, bool download)
{
	char *cache = deps_installer_cache(g->installer, cache_root), *one[2] = { 0 };
	bool all = template_has(tmpl, "{packages}");
	struct install_step *s;
	size_t i;

	for (i = 0; g->packages[i] != NULL && (i == 0 || !all); i++) {
		one[0] = g->packages[i];
		s = plan_step(plan, g->installer, all ? g->packages : one, cache);
		s->download = download;
		plan_mirrors(s, tmpl);
		if (!download)
			plan_offline(s);
	}
	free(cache);
}

static void
groups_free(struct install_group *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		strv_free(v[i].packages);
	free(v);
}

void
deps_plan_install(const struct tend_config *cfg, const struct dep_status *st,
    const char *cache_root, struct install_plan *plan)
{
	struct install_group *groups = NULL;
	const struct dep_row *r;
	size_t i, n = 0;
	char *why;

	memset(plan, 0, sizeof(*plan));
	for (i = 0; i < st->n; i++) {
		r = &st->v[i];
		if (dep_row_installable(r)) {
			group_add(&groups, &n, r->installer, r->package);
			continue;
		}
		if (dep_row_ok(r))
			continue;
		why = xasprintf("%s: %s %s (%s)", r->check->name, dep_kind_name(r->item->kind),
		    r->item->name, r->installer == NULL ? "no installer: give it an "
		    "`install:`" : strcmp(r->status, "too-new") == 0 ? "too new: not "
		    "downgraded" : r->message);
		plan->unplanned = strv_push(plan->unplanned, why);
		free(why);
	}
	for (i = 0; i < n; i++)
		plan_group(plan, &groups[i], groups[i].installer->command, cache_root, false);
	groups_free(groups, n);
}

void
deps_plan_warmup(const struct tend_config *cfg, const char *cache_root,
    struct install_plan *plan)
{
	struct install_group *groups = NULL;
	const struct installer_conf *in;
	const struct check_conf *c;
	const char *package;
	char *cache, *file, *note;
	size_t i, j, n = 0;

	memset(plan, 0, sizeof(*plan));
	for (i = 0; i < cfg->n_checks; i++) {
		c = &cfg->checks[i];
		for (j = 0; c->type == CHECK_DEPS && j < c->deps.n_items; j++) {
			in = deps_installer_of(cfg, c, &c->deps.items[j], &package);
			if (in == NULL || in->download == NULL)
				continue;
			cache = deps_installer_cache(in, cache_root);
			file = deps_cached_file(cache, package);
			if (file != NULL) {
				note = xasprintf("%s: %s (%s)", in->name, package, file);
				plan->cached = strv_push(plan->cached, note);
				free(note);
			} else
				group_add(&groups, &n, in, package);
			free(file);
			free(cache);
		}
	}
	for (i = 0; i < n; i++)
		plan_group(plan, &groups[i], groups[i].installer->download, cache_root, true);
	groups_free(groups, n);
}

/* A command as the user could type it. */
static void
print_argv(FILE *out, const char *prefix, char *const *argv)
{
	char *cmd = retry_format_argv(argv);

	fprintf(out, "%s%s\n", prefix, cmd);
	free(cmd);
}

static void
step_print(FILE *out, const struct install_step *s)
{
	size_t i;

	print_argv(out, s->download ? "  in the cache: " : "  ", s->argv);
	for (i = 0; i < s->n_fallbacks; i++)
		print_argv(out, "  or, with the next mirror: ", s->fallbacks[i]);
	if (s->offline != NULL)
		print_argv(out, "  or, from the cache: ", s->offline);
}

static void
step_retry_options(const struct install_step *s, const struct install_options *o,
    bool fallbacks, struct retry_options *ro, char *label, size_t len)
{
	const struct installer_conf *in = s->installer;
	size_t i;

	retry_options_init(ro);
	if (in->retries >= 0)
		ro->max_retries = in->retries;
	if (in->retry_initial_ms > 0)
		ro->initial_ms = in->retry_initial_ms;
	if (in->retry_max_ms > 0)
		ro->max_delay_ms = in->retry_max_ms;
	if (in->timeout_ms > 0)
		ro->timeout_ms = in->timeout_ms;
	snprintf(label, len, "tend deps %s %s", s->download ? "cache-warmup" : "install",
	    in->name);
	ro->label = label;
	ro->verbose = o->verbose;
	ro->state_dir = o->state_dir;
	for (i = 0; fallbacks && i < s->n_fallbacks; i++)
		retry_options_add_fallback(ro, s->fallbacks[i]);
}

static int
step_retry(const struct install_step *s, const struct install_options *o,
    char *const *argv, bool fallbacks)
{
	struct retry_options ro;
	char label[128];
	int rc;

	step_retry_options(s, o, fallbacks, &ro, label, sizeof(label));
	rc = retry_command(&ro, argv, NULL);
	retry_options_clear(&ro);
	return rc;
}

/* Downloads land in the cache: apt-get download and npm pack write to the current directory. */
static int
step_download(const struct install_step *s, const struct install_options *o)
{
	int here, rc;

	if (statedir_mkdir_p(s->cache, 0755) < 0) {
		fprintf(o->out, "%s: cannot create the cache %s: %s\n", s->installer->name,
		    s->cache, strerror(errno));
		return -1;
	}
	if ((here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    chdir(s->cache) < 0) {
		fprintf(o->out, "%s: cannot enter the cache %s: %s\n", s->installer->name,
		    s->cache, strerror(errno));
		if (here >= 0)
			close(here);
		return -1;
	}
	rc = step_retry(s, o, s->argv, true);
	if (fchdir(here) < 0)
		rc = -1;
	close(here);
	return rc;
}

static bool
step_run(const struct install_step *s, const struct install_options *o)
{
	char *what = strv_join(s->packages, " ");
	int rc = -1;

	fprintf(o->out, "%s: %s %s\n", s->installer->name, s->download ? "downloading" :
	    "installing", what);
	fflush(o->out);
	free(what);
	if (s->download)
		return step_download(s, o) == 0;
	if (!o->offline)
		rc = step_retry(s, o, s->argv, true);
	if (rc == 0)
		return true;
	if (s->offline == NULL) {
		if (o->offline || s->installer->offline == NULL)
			fprintf(o->out, "%s: not in the cache %s (run `tend deps cache-warmup` "
			    "while online)\n", s->installer->name, s->cache);
		return false;
	}
	print_argv(o->out, o->offline ? "from the cache: " :
	    "online install failed; from the cache: ", s->offline);
	fflush(o->out);
	return step_retry(s, o, s->offline, false) == 0;
}

int
deps_plan_run(const struct install_plan *plan, const struct install_options *o)
{
	const struct install_step *s;
	int failed = 0;
	size_t i;

	for (i = 0; i < plan->n; i++) {
		s = &plan->v[i];
		if (o->dry_run) {
			fprintf(o->out, "%s:\n", s->installer->name);
			if (o->offline && !s->download)
				print_argv(o->out, s->offline ? "  from the cache: " :
				    "  not in the cache: ", s->offline ? s->offline : s->packages);
			else
				step_print(o->out, s);
			continue;
		}
		if (!step_run(s, o))
			failed++;
	}
	return failed;
}

void
deps_plan_free(struct install_plan *plan)
{
	size_t i, j;

	for (i = 0; i < plan->n; i++) {
		strv_free(plan->v[i].packages);
		strv_free(plan->v[i].argv);
		for (j = 0; j < plan->v[i].n_fallbacks; j++)
			strv_free(plan->v[i].fallbacks[j]);
		free(plan->v[i].fallbacks);
		strv_free(plan->v[i].offline);
		free(plan->v[i].cache);
	}
	free(plan->v);
	strv_free(plan->cached);
	strv_free(plan->unplanned);
	memset(plan, 0, sizeof(*plan));
}
