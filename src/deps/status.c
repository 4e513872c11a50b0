#include "deps/status.h"

#include <stdlib.h>
#include <string.h>

#include "checks/batch.h"
#include "core/mem.h"

const struct installer_conf *
deps_installer_of(const struct tend_config *cfg, const struct check_conf *check,
    const struct dep_item *item, const char **package)
{
	const char *name = item->installer;

	*package = item->package ? item->package : item->name;
	if (name == NULL)
		name = check->deps.installer;
	if (name == NULL) {
		switch (item->kind) {
		case DEP_PACKAGE: name = "apt"; break;
		case DEP_PYTHON: name = "pip"; break;
		case DEP_NPM: name = "npm"; break;
		default: return NULL;
		}
	}
	return config_find_installer(cfg, name);
}

static const char *
json_text(json_t *o, const char *key, const char *fallback)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : fallback;
}

/* The rows of one check, from its result's `dependencies`. */
static void
deps_status_add(struct dep_status *s, const struct tend_config *cfg,
    const struct check_conf *c, const struct check_result *r)
{
	struct dep_row *row;
	json_t *d;
	size_t i;

	for (i = 0; i < c->deps.n_items; i++) {
		d = json_array_get(r->dependencies, i);
		s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
		row = &s->v[s->n++];
		memset(row, 0, sizeof(*row));
		row->check = c;
		row->item = &c->deps.items[i];
		/* A check that ended before judging an item says why in its message. */
		row->status = xstrdup(json_text(d, "status", "unknown"));
		row->version = json_text(d, "version", NULL) ?
		    xstrdup(json_text(d, "version", NULL)) : NULL;
		row->message = xstrdup(json_text(d, "message", d ? "" : r->message));
		row->installer = deps_installer_of(cfg, c, row->item, &row->package);
	}
}

int
deps_status_run(const struct tend_config *cfg, const char *only, struct dep_status *out)
{
	struct check_batch b = { 0 };
	const struct check_conf *c;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < cfg->n_checks; i++) {
		c = &cfg->checks[i];
		if (c->type == CHECK_DEPS && (only == NULL || strcmp(only, c->name) == 0))
			check_batch_add(&b, c);
	}
	if (only != NULL && b.n == 0)
		return -1;
	check_batch_run(&b, NULL, NULL);
	for (i = 0; i < b.n; i++)
		deps_status_add(out, cfg, b.v[i].conf, &b.v[i].result);
	check_batch_clear(&b);
	return 0;
}

bool
dep_row_ok(const struct dep_row *r)
{
	return strcmp(r->status, "ok") == 0;
}

bool
dep_row_installable(const struct dep_row *r)
{
	return r->installer != NULL && (strcmp(r->status, "missing") == 0 ||
	    strcmp(r->status, "too-old") == 0);
}

size_t
deps_status_failing(const struct dep_status *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		n += !dep_row_ok(&s->v[i]);
	return n;
}

json_t *
deps_status_json(const struct dep_status *s)
{
	json_t *rows = json_array();
	const struct dep_row *r;
	size_t i;

	for (i = 0; i < s->n; i++) {
		r = &s->v[i];
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, "
		    "s:s?, s:s?}", "check", r->check->name, "name", r->item->name,
		    "kind", dep_kind_name(r->item->kind), "version", r->version,
		    "constraint", r->item->constraint, "status", r->status,
		    "message", r->message,
		    "installer", r->installer ? r->installer->name : NULL,
		    "package", r->installer ? r->package : NULL));
	}
	return json_pack("{s:b, s:I, s:o}", "ok", deps_status_failing(s) == 0,
	    "failing", (json_int_t)deps_status_failing(s), "dependencies", rows);
}

void
deps_status_free(struct dep_status *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].status);
		free(s->v[i].version);
		free(s->v[i].message);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}
