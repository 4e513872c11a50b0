/*
 * log checks in tend.yaml: their keys (`file`, `match`, `ignore`, `warn`,
 * `crit`), their defaults, and the implicit error-rate check per service
 * that self_healing.error_detection.threshold_error_rate asks for. A regex
 * is compiled here, once, so that a bad one is an error at its own
 * file:line:col with PCRE2's message, not a check that fails at run time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parse.h"
#include "config/validate.h"
#include "core/mem.h"
#include "core/regexset.h"
#include "core/strv.h"

#define OFF(field)	offsetof(struct check_conf, field)

/*
 * The default error pattern of the implicit checks: a word that says
 * error, in any case, as loggers write levels ("ERROR", "level=error",
 * "[Error]", "Traceback"). "errors: 0" is not matched: \b ends a word.
 */
const char log_default_error_pattern[] =
    "(?i)\\b(error|err|fatal|panic|critical|crit|emerg|exception|traceback)\\b";

/* A threshold as written: exactly one of count or rate. */
struct threshold_text {
	double		 count;
	double		 rate;
	char		*of;
	int64_t		 within_ms;
	int		 min_lines;
};

#define TOFF(field)	offsetof(struct threshold_text, field)

static const struct key_spec threshold_specs[] = {
	{ "count", parse_number, TOFF(count), NULL },
	{ "rate", parse_percent, TOFF(rate), NULL },
	{ "of", parse_string, TOFF(of), NULL },
	{ "within", parse_duration, TOFF(within_ms), NULL },
	{ "min_lines", parse_count, TOFF(min_lines), NULL },
	{ NULL, NULL, 0, NULL },
};

/* warn/crit: {count: 10, within: 1m} or {rate: 5%, of: lines, within: 1m}. */
static void
parse_log_threshold(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct log_threshold *t = target;
	struct threshold_text tt = { .count = -1, .rate = -1, .within_ms = 60000,
	    .min_lines = 10 };
	char what[32];

	snprintf(what, sizeof(what), "'%s'", spec->name);
	if (node->type != YAML_MAPPING_NODE) {
		walk_error(w, node, "'%s': expected {count: N, within: DURATION} or "
		    "{rate: N%%, of: lines, within: DURATION}", spec->name);
		return;
	}
	if (!walk_mapping(w, node, threshold_specs, &tt, what))
		return;
	if ((tt.count >= 0) == (tt.rate >= 0))
		walk_error(w, node, "'%s': expected exactly one of 'count' and 'rate'",
		    spec->name);
	else if (tt.of != NULL && strcmp(tt.of, "lines") != 0)
		walk_error(w, node, "'%s': 'of' may only be 'lines', got '%s'", spec->name,
		    tt.of);
	else
		*t = (struct log_threshold){ .rate = tt.rate >= 0, .value = tt.rate >= 0 ?
		    tt.rate : tt.count, .within_ms = tt.within_ms,
		    .min_lines = tt.min_lines };
	free(tt.of);
}

/* A regex's error at the character where PCRE2 stopped. */
static void
parse_regex_error(struct walk *w, yaml_node_t *node, const char *key,
    const char *pattern, const char *msg, size_t offset)
{
	struct conf_pos pos = walk_pos(w, node);
	bool quoted = node->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    node->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;

	walk_error_at(w->errs, w->file, pos.line, pos.col + (int)offset + (quoted ? 1 : 0),
	    "'%s': regex '%s' does not compile: %s (at offset %zu)", key, pattern, msg,
	    offset);
}

/* match/ignore: a regex or a list of them, each compiled to be checked. */
static void
parse_regex_list(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	char ***out = target, err[256];
	yaml_node_item_t *item;
	yaml_node_t *n;
	size_t offset, i = 0;

	parse_string_list(w, node, target, spec);
	if (*out == NULL)
		return;
	if (node->type == YAML_SCALAR_NODE) {
		if (regex_check((*out)[0], err, sizeof(err), &offset) < 0)
			parse_regex_error(w, node, spec->name, (*out)[0], err, offset);
		return;
	}
	for (item = node->data.sequence.items.start;
	    item < node->data.sequence.items.top; item++) {
		n = yaml_document_get_node(w->doc, *item);
		if (n->type != YAML_SCALAR_NODE || (*out)[i] == NULL)
			continue;
		if (regex_check((*out)[i], err, sizeof(err), &offset) < 0)
			parse_regex_error(w, n, spec->name, (*out)[i], err, offset);
		i++;
	}
}

/* file: a path; an empty one would be a check that never finds its file. */
static void
parse_log_file(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	char **out = target;

	parse_string(w, node, target, spec);
	if (*out != NULL && (*out)[0] == '\0')
		walk_error(w, node, "'%s': expected the path of a log file, got ''",
		    spec->name);
}

const struct key_spec check_log_specs[] = {
	{ "file", parse_log_file, OFF(log.file), NULL },
	{ "match", parse_regex_list, OFF(log.match), NULL },
	{ "ignore", parse_regex_list, OFF(log.ignore), NULL },
	{ "warn", parse_log_threshold, OFF(log.warn), NULL },
	{ "crit", parse_log_threshold, OFF(log.crit), NULL },
	{ NULL, NULL, 0, NULL },
};

void
log_check_init(struct check_conf *c)
{
	c->log.warn = (struct log_threshold){ .value = -1, .within_ms = 60000 };
	c->log.crit = (struct log_threshold){ .value = -1, .within_ms = 60000 };
}

/* Without warn or crit, one matching line a minute is critical. */
void
log_apply_defaults(struct tend_config *cfg)
{
	struct check_conf *c;
	size_t i;

	for (i = 0; i < cfg->n_checks; i++) {
		c = &cfg->checks[i];
		if (c->type == CHECK_LOG && c->log.warn.value < 0 && c->log.crit.value < 0)
			c->log.crit = (struct log_threshold){ .value = 1,
			    .within_ms = 60000 };
	}
}

/* A log check already reads the service's output (declared, or an earlier one). */
static bool
log_output_checked(const struct tend_config *cfg, const char *service)
{
	const struct check_conf *c;
	size_t i;

	for (i = 0; i < cfg->n_checks; i++) {
		c = &cfg->checks[i];
		if (c->type == CHECK_LOG && c->log.file == NULL && c->service != NULL &&
		    strcmp(c->service, service) == 0)
			return true;
	}
	return false;
}

static bool
log_check_named(const struct tend_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_checks; i++)
		if (strcmp(cfg->checks[i].name, name) == 0)
			return true;
	return false;
}

/*
 * threshold_error_rate: a SERVICE-errors check of each supervised
 * service's output, unless the config reads that output itself or holds
 * a check of that name.
 */
void
log_add_implicit(struct tend_config *cfg, double rate)
{
	const struct service_conf *s;
	struct check_conf *c;
	char *name;
	size_t i, n = cfg->n_services;

	for (i = 0; rate > 0 && i < n; i++) {
		s = &cfg->services[i];
		if (s->kind != SERVICE_SUPERVISED || log_output_checked(cfg, s->name))
			continue;
		name = xasprintf("%s-errors", s->name);
		if (!log_check_named(cfg, name)) {
			c = parse_add_check(cfg, name);
			c->pos = (struct conf_pos){ .file = cfg->source };
			c->type = CHECK_LOG;
			c->service = xstrdup(s->name);
			c->every_ms = 5000;
			log_check_init(c);
			c->log.match = strv_push(NULL, log_default_error_pattern);
			c->log.crit = (struct log_threshold){ .rate = true, .value = rate,
			    .within_ms = 60000, .min_lines = 10 };
			c->log.implicit_rate = rate;
		}
		free(name);
	}
}

void
config_validate_logs(const struct tend_config *cfg, struct config_errors *errs)
{
	const struct service_conf *s;
	const struct check_conf *c;
	size_t i;

	for (i = 0; i < cfg->n_checks; i++) {
		c = &cfg->checks[i];
		if (c->type != CHECK_LOG || c->log.file != NULL)
			continue;
		if (c->service == NULL)
			validate_error(errs, &c->pos, "check '%s': a log check outside a "
			    "service needs 'file'", c->name);
		else if ((s = config_find_service(cfg, c->service)) != NULL &&
		    s->kind != SERVICE_SUPERVISED)
			validate_error(errs, &c->pos, "check '%s': service '%s' is not "
			    "supervised by tend, so its output is not captured; give "
			    "'file'",
			    c->name, c->service);
	}
}

void
log_check_describe(const struct check_conf *c, char *buf, size_t len)
{
	const struct log_threshold *t = c->log.crit.value >= 0 ? &c->log.crit :
	    &c->log.warn;
	char within[32];

	units_format_duration(t->within_ms, within, sizeof(within));
	snprintf(buf, len, "log %s%s, %zu match, %zu ignore, %s %g%s in %s%s",
	    c->log.file ? c->log.file : "output of ", c->log.file ? "" : c->service,
	    strv_len(c->log.match), strv_len(c->log.ignore), t == &c->log.crit ?
	    "crit" : "warn", t->value, t->rate ? "% of lines" : " lines",
	    within, c->log.implicit_rate > 0 ?
	    " (implicit: self_healing.error_detection.threshold_error_rate)" : "");
}
