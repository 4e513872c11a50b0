#include "daemon/reload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/units.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "core/strv.h"
#include "daemon/sdnotify.h"

struct reload {
	uv_timer_t	 timer;
	struct reload_options opts;
	struct reload_ops ops;
	const char	*path;		/* the file read; NULL: the embedded default */
	char		*text;		/* its last read */
	size_t		 len;
	int		 reads;
	bool		 busy;
};

/* A setting the daemon uses as it started, shown as a string to compare. */
struct restart_key {
	const char	*name;
	bool		 web;
	char		*(*show)(const struct reload *r, const struct tend_config *cfg);
};

static char *
show_state_dir(const struct reload *r, const struct tend_config *cfg)
{
	return statedir_resolve(r->opts.state_dir, cfg->state_dir);
}

static char *
show_listen(const struct reload *r, const struct tend_config *cfg)
{
	bool v6 = cfg->web.host != NULL && strchr(cfg->web.host, ':') != NULL;

	return xasprintf("%s%s%s:%d", v6 ? "[" : "", cfg->web.host ? cfg->web.host : "",
	    v6 ? "]" : "", cfg->web.port);
}

static char *
show_enabled(const struct reload *r, const struct tend_config *cfg)
{
	return xstrdup(cfg->web.enabled ? "true" : "false");
}

static char *
show_max_connections(const struct reload *r, const struct tend_config *cfg)
{
	return xasprintf("%d", cfg->web.max_connections);
}

static char *
show_per_ip(const struct reload *r, const struct tend_config *cfg)
{
	return xasprintf("%d", cfg->web.per_ip_connections);
}

static char *
show_timeout(const struct reload *r, const struct tend_config *cfg)
{
	char buf[32];

	units_format_duration(cfg->web.connection_timeout_ms, buf, sizeof(buf));
	return xstrdup(buf);
}

static char *
show_sse(const struct reload *r, const struct tend_config *cfg)
{
	return xasprintf("%d", cfg->web.sse_clients);
}

static char *
show_allowed_hosts(const struct reload *r, const struct tend_config *cfg)
{
	char *joined, *out;

	if (cfg->web.allowed_hosts == NULL || cfg->web.allowed_hosts[0] == NULL)
		return xstrdup("[]");
	joined = strv_join(cfg->web.allowed_hosts, ", ");
	out = xasprintf("[%s]", joined);
	free(joined);
	return out;
}

/* Read once, when tend starts: the state dir it opened, the web server it started. */
static const struct restart_key restart_keys[] = {
	{ "state_dir", false, show_state_dir },
	{ "web.enabled", true, show_enabled },
	{ "web.listen", true, show_listen },
	{ "web.max_connections", true, show_max_connections },
	{ "web.per_ip_connections", true, show_per_ip },
	{ "web.connection_timeout", true, show_timeout },
	{ "web.sse_clients", true, show_sse },
	{ "web.allowed_hosts", true, show_allowed_hosts },
	{ NULL, false, NULL },
};

/*
 * Says which settings that only a restart applies have changed, and puts
 * the running ones in cfg: whatever reads the config sees what runs.
 */
static void
reload_keep_restart_keys(const struct reload *r, const struct tend_config *running,
    struct tend_config *cfg)
{
	const struct restart_key *k;
	bool web = false;
	char *was, *now;

	for (k = restart_keys; k->name != NULL; k++) {
		if (k->web && r->opts.web_off)
			continue;
		was = k->show(r, running);
		now = k->show(r, cfg);
		if (strcmp(was, now) != 0) {
			log_warn(NULL, "reload: %s changed from %s to %s: that takes a "
			    "restart of tend; running on with %s", k->name, was, now, was);
			web |= k->web;
		}
		free(was);
		free(now);
	}
	free(cfg->state_dir);
	cfg->state_dir = running->state_dir != NULL ? xstrdup(running->state_dir) : NULL;
	if (web)
		web_conf_copy(&cfg->web, &running->web);
}

static void
reload_done(struct reload *r)
{
	free(r->text);
	r->text = NULL;
	r->busy = false;
	sdnotify_send("READY=1");
}

static void
reload_fail(struct reload *r, struct config_errors *errs)
{
	char *line;
	size_t i;

	for (i = 0; errs != NULL && i < errs->n; i++) {
		line = config_error_line(&errs->v[i]);
		log_error(NULL, "reload: %s", line);
		free(line);
	}
	if (errs != NULL)
		config_errors_clear(errs);
	log_error(NULL, "reload failed; keeping the running config");
	reload_done(r);
}

/* A file that says nothing of services is not one that means "stop them all". */
static bool
reload_keeps_services(const struct tend_config *running, const struct tend_config *cfg)
{
	if (running->n_services == 0 || cfg->n_services > 0 || cfg->services_written)
		return true;
	log_error(NULL, "reload: %s: no services: key, so the %zu running services "
	    "would all stop; write `services: {}` to mean that", cfg->source,
	    running->n_services);
	return false;
}

static void
reload_apply(struct reload *r, struct tend_config *cfg, struct config_errors *errs)
{
	const struct tend_config *running = r->ops.running(r->ops.arg);

	if (cfg == NULL || !reload_keeps_services(running, cfg)) {
		config_free(cfg);
		reload_fail(r, errs);
		return;
	}
	reload_keep_restart_keys(r, running, cfg);
	log_info(NULL, "reloading %s", cfg->source);
	r->ops.apply(r->ops.arg, cfg);
	reload_done(r);
}

/* The next read of the file; false after the reload failed. */
static bool
reload_read(struct reload *r, char **text, size_t *len)
{
	struct config_errors errs = { 0 };

	if ((*text = config_read_file(r->path, len, &errs)) != NULL)
		return true;
	reload_fail(r, &errs);
	return false;
}

static void
reload_settled(uv_timer_t *timer)
{
	struct reload *r = timer->data;
	struct config_errors errs = { 0 };
	size_t len;
	char *text;

	if (!reload_read(r, &text, &len))
		return;
	if (len == r->len && memcmp(text, r->text, len) == 0) {
		free(text);
		reload_apply(r, config_load_text(r->path, r->text, r->len, &errs), &errs);
		return;
	}
	free(r->text);
	r->text = text;
	r->len = len;
	if (++r->reads >= RELOAD_READS) {
		log_error(NULL, "reload: %s changed at each of %d reads %d ms apart: "
		    "it is still being written", r->path, RELOAD_READS, RELOAD_SETTLE_MS);
		reload_fail(r, NULL);
		return;
	}
	uv_timer_start(&r->timer, reload_settled, RELOAD_SETTLE_MS, 0);
}

void
reload_start(struct reload *r)
{
	struct config_errors errs = { 0 };

	if (r->busy)
		log_info(NULL, "reload: asked again; reading %s anew", r->path);
	else
		sdnotify_send("RELOADING=1");
	r->busy = true;
	r->path = config_path_auto(r->opts.config_path);
	free(r->text);
	r->text = NULL;
	r->reads = 1;
	if (r->path == NULL) {
		reload_apply(r, config_load_default(&errs), &errs);
		return;
	}
	if (reload_read(r, &r->text, &r->len))
		uv_timer_start(&r->timer, reload_settled, RELOAD_SETTLE_MS, 0);
}

bool
reload_busy(const struct reload *r)
{
	return r->busy;
}

struct reload *
reload_new(uv_loop_t *loop, const struct reload_options *opts,
    const struct reload_ops *ops)
{
	struct reload *r = xcalloc(1, sizeof(*r));

	r->opts = *opts;
	r->ops = *ops;
	uv_timer_init(loop, &r->timer);
	r->timer.data = r;
	return r;
}

static void
reload_free(uv_handle_t *handle)
{
	struct reload *r = handle->data;

	free(r->text);
	free(r);
}

void
reload_close(struct reload *r)
{
	if (r == NULL)
		return;
	uv_close((uv_handle_t *)&r->timer, reload_free);
}
