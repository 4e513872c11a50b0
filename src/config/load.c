/*
 * Loading a config: read, parse, map self_healing, apply defaults and
 * environment overrides, validate. Any error anywhere: NULL, and every
 * error in errs.
 */
#include "config/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "config/envsubst.h"
#include "config/include.h"
#include "config/parse.h"
#include "config/units.h"
#include "config/validate.h"
#include "config/yaml_bounds.h"
#include "core/mem.h"
#include "core/strv.h"
#include "core/text.h"

/* Seconds, as the variable is usually written, or a duration: 30, 1.5, 2m. */
static void
config_env_interval(struct tend_config *cfg, struct config_errors *errs)
{
	const char *v = getenv("HEALTH_CHECK_INTERVAL"), *expected;
	int64_t ms;

	if (v == NULL || *v == '\0')
		return;
	if (units_parse_duration(v, &ms, &expected) < 0 || ms <= 0) {
		walk_error_at(errs, "HEALTH_CHECK_INTERVAL", 0, 0, "expected a positive "
		    "number of seconds or a duration, got '%s'", v);
		return;
	}
	cfg->interval_ms = ms;
}

static void
config_env_auto_heal(struct tend_config *cfg, struct config_errors *errs)
{
	const char *v = getenv("AUTO_HEAL_ENABLED");

	if (v == NULL || *v == '\0')
		return;
	if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes"))
		cfg->heal.auto_heal = true;
	else if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no"))
		cfg->heal.auto_heal = false;
	else
		walk_error_at(errs, "AUTO_HEAL_ENABLED", 0, 0, "expected true or false, "
		    "got '%s'", v);
}

static char *
config_dir_of(const char *path)
{
	char *copy = xstrdup(path), *dir = xstrdup(dirname(copy));

	free(copy);
	return dir;
}

static void
config_make_absolute(char **path, const char *dir)
{
	char *abs;

	if (*path == NULL || (*path)[0] == '/')
		return;
	abs = xasprintf("%s/%s", dir, *path);
	free(*path);
	*path = abs;
}

/*
 * Relative paths in the file (state_dir, cwd, pidfile) are relative to the
 * file's folder, not to wherever tend happens to be started from.
 */
static void
config_resolve_paths(struct tend_config *cfg, const char *dir)
{
	size_t i;

	struct service_conf *s;
	struct check_conf *c;

	config_make_absolute(&cfg->state_dir, dir);
	config_make_absolute(&cfg->cache_dir, dir);
	for (i = 0; i < cfg->n_assets; i++)
		config_make_absolute(&cfg->assets[i].dest, dir);
	for (i = 0; i < cfg->n_services; i++) {
		s = &cfg->services[i];
		config_make_absolute(&s->cwd, dir);
		config_make_absolute(&s->pidfile, dir);
		/* "./bin/app": from cwd when set, else the file's folder; PATH otherwise. */
		if (s->run != NULL && s->run[0] != NULL && strchr(s->run[0], '/'))
			config_make_absolute(&s->run[0], s->cwd ? s->cwd : dir);
		if (s->start_cmd != NULL && s->start_cmd[0] != NULL &&
		    strchr(s->start_cmd[0], '/'))
			config_make_absolute(&s->start_cmd[0], s->cwd ? s->cwd : dir);
	}
	for (i = 0; i < cfg->n_checks; i++) {
		c = &cfg->checks[i];
		if (c->command.argv != NULL && strchr(c->command.argv[0], '/'))
			config_make_absolute(&c->command.argv[0], dir);
		if (c->type == CHECK_FILE)
			config_make_absolute(&c->path, dir);
		config_make_absolute(&c->heartbeat.file, dir);
		config_make_absolute(&c->log.file, dir);
		config_make_absolute(&c->process.pidfile, dir);
	}
	for (i = 0; i < cfg->alerts.n_channels; i++) {
		char **cmd = cfg->alerts.channels[i].command;

		if (cmd != NULL && strchr(cmd[0], '/'))
			config_make_absolute(&cmd[0], dir);
	}
}

/* Installers' programs given as paths, and their package caches. */
static void
config_resolve_installer_paths(struct tend_config *cfg, const char *dir)
{
	struct installer_conf *in;
	char **argv[3];
	size_t i, j;

	for (i = 0; i < cfg->n_installers; i++) {
		in = &cfg->installers[i];
		argv[0] = in->command;
		argv[1] = in->download;
		argv[2] = in->offline;
		for (j = 0; j < 3; j++)
			if (argv[j] != NULL && argv[j][0] != NULL && strchr(argv[j][0], '/'))
				config_make_absolute(&argv[j][0], dir);
		config_make_absolute(&in->cache, dir);
	}
}

static void
config_yaml_error(struct walk *w, const yaml_parser_t *parser)
{
	walk_error_at(w->errs, w->file, (int)parser->problem_mark.line + 1,
	    (int)parser->problem_mark.column + 1, "malformed YAML: %s%s%s",
	    parser->problem ? parser->problem : "parse error",
	    parser->context ? " " : "", parser->context ? parser->context : "");
}

/* One document per file: a second one after `---` would be ignored silently. */
static void
config_refuse_second_document(struct walk *w, yaml_parser_t *parser)
{
	yaml_document_t next;

	if (!yaml_parser_load(parser, &next)) {
		config_yaml_error(w, parser);
		return;
	}
	if (yaml_document_get_root_node(&next) != NULL)
		walk_error_at(w->errs, w->file, (int)next.start_mark.line + 1,
		    (int)next.start_mark.column + 1, "a second YAML document: tend "
		    "reads one document per file; merge it into the first");
	yaml_document_delete(&next);
}

/* One file's document into w->cfg; an included one may be empty. */
static void
config_parse_document(struct walk *w, const char *yaml, size_t len, bool included)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
	if (!yaml_parser_load(&parser, &doc)) {
		config_yaml_error(w, &parser);
		yaml_parser_delete(&parser);
		return;
	}
	w->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	/* A truncated write looks like this: it must not mean "no services". */
	if (root == NULL && !included)
		walk_error_at(w->errs, w->file, 1, 1, "the config is empty; `{}` "
		    "means every default");
	else if (root != NULL)
		config_refuse_second_document(w, &parser);
	/* A reference that cannot be put in: its value is not what was meant. */
	if (root != NULL && config_envsubst(w) && yaml_bounds_check(w)) {
		include_check_top(w, root, included);
		parse_root(w, root);
	}
	w->doc = NULL;
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
}

/* The files `include:` names, each walked into w->cfg as its own document. */
static void
config_parse_includes(struct walk *w, const char *file, const char *dir)
{
	struct tend_config *cfg = w->cfg;
	char **files = include_expand(cfg, file, dir, w->errs), *text;
	size_t i, len, n = 0;

	for (i = 0; files != NULL && files[i] != NULL; i++) {
		if ((text = config_read_file(files[i], &len, w->errs)) == NULL)
			continue;
		cfg->include_files = strv_push(cfg->include_files, files[i]);
		/* The file's name as the config holds it: its positions point there. */
		w->file = cfg->include_files[n++];
		config_parse_document(w, text, len, true);
		free(text);
	}
	w->file = cfg->source;
	strv_free(files);
}

/* The config's files in the order read: the main one, then the included ones. */
static size_t
config_file_rank(const struct tend_config *cfg, const char *file)
{
	size_t i;

	if (strcmp(file, cfg->source) == 0)
		return 0;
	for (i = 0; cfg->include_files != NULL && cfg->include_files[i] != NULL; i++)
		if (strcmp(file, cfg->include_files[i]) == 0)
			return i + 1;
	return SIZE_MAX;	/* an environment variable's */
}

static int
config_error_order(const void *a, const void *b, void *arg)
{
	const struct config_error *x = a, *y = b;
	size_t fx = config_file_rank(arg, x->file), fy = config_file_rank(arg, y->file);

	if (fx != fy)
		return fx < fy ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

/* msg with each copy's number ("web@2") as "@*". */
static char *
error_without_copies(const char *msg)
{
	char *out = xstrdup(msg), *w = out;
	const char *p;

	for (p = msg; *p != '\0'; p++) {
		*w++ = *p;
		if (*p == '@' && p[1] >= '0' && p[1] <= '9') {
			*w++ = '*';
			while (p[1] >= '0' && p[1] <= '9')
				p++;
		}
	}
	*w = '\0';
	return out;
}

/*
 * A mistake in a service with instances is found once per copy: said
 * once, for the first copy (the same place, the same words but the number).
 */
static void
config_errors_dedupe_copies(struct config_errors *errs, size_t from)
{
	size_t i, j, kept = from;
	char *a, *b;
	bool same;

	for (i = from; i < errs->n; i++) {
		a = error_without_copies(errs->v[i].msg);
		for (j = from, same = false; j < kept && !same; j++) {
			b = error_without_copies(errs->v[j].msg);
			same = errs->v[j].line == errs->v[i].line &&
			    errs->v[j].col == errs->v[i].col && strcmp(a, b) == 0;
			free(b);
		}
		free(a);
		if (same) {
			free(errs->v[i].file);
			free(errs->v[i].msg);
		} else {
			errs->v[kept++] = errs->v[i];
		}
	}
	errs->n = kept;
}

/* file: the config file read, whose implicit snapshot set `tend` it is; or NULL. */
static struct tend_config *
config_load_buffer(const char *name, const char *yaml, size_t len,
    const char *dir, const char *file, struct config_errors *errs)
{
	struct tend_config *cfg = xcalloc(1, sizeof(*cfg));
	size_t before = errs->n;
	struct walk w = { .errs = errs, .cfg = cfg };

	cfg->source = xstrdup(name);
	w.file = cfg->source;
	parse_begin(cfg);
	config_parse_document(&w, yaml, len, false);
	config_parse_includes(&w, file, dir);
	strv_free(w.made);
	include_seen_free(&w);
	instances_expand_deps(cfg);
	self_healing_apply(cfg, errs);
	parse_apply_defaults(cfg);
	config_env_interval(cfg, errs);
	config_env_auto_heal(cfg, errs);
	config_resolve_paths(cfg, dir);
	config_resolve_installer_paths(cfg, dir);
	if (file != NULL)
		snapshots_add_implicit(cfg, file);
	config_index(cfg);
	config_validate(cfg, errs);
	config_validate_heal(cfg, errs);
	config_validate_alerts(cfg, errs);
	config_validate_report(cfg, errs);
	config_validate_deps(cfg, errs);
	config_validate_snapshots(cfg, errs);
	config_validate_chaos(cfg, errs);
	config_validate_logs(cfg, errs);
	config_validate_exit_when(cfg, errs);
	if (errs->n != before) {
		config_errors_dedupe_copies(errs, before);
		/* In file order, as an editor would walk them. */
		qsort_r(errs->v + before, errs->n - before, sizeof(*errs->v),
		    config_error_order, cfg);
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct tend_config *
config_load_string(const char *name, const char *yaml, struct config_errors *errs)
{
	char cwd[4096];

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		strcpy(cwd, ".");
	return config_load_buffer(name, yaml, strlen(yaml), cwd, NULL, errs);
}

static char *
config_read_error(const char *path, int fd, char *text, struct config_errors *errs,
    const char *what, const char *why)
{
	walk_error_at(errs, path, 0, 0, "%s%s", what, why);
	if (fd >= 0)
		close(fd);
	free(text);
	return NULL;
}

/*
 * Non-blocking open: a pipe without a writer must not hang tend here. A
 * pipe is then read to its end; anything else that is not a regular file
 * (a directory, /dev/zero, a socket) is no config.
 */
static int
config_open(const char *path, struct config_errors *errs)
{
	struct stat sb;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		config_read_error(path, fd, NULL, errs, "cannot read: ", strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb.st_mode) || !(S_ISREG(sb.st_mode) || S_ISFIFO(sb.st_mode))) {
		config_read_error(path, fd, NULL, errs, S_ISDIR(sb.st_mode) ?
		    "is a directory, not a config file" :
		    "is not a regular file or a pipe", "");
		return -1;
	}
	if (S_ISFIFO(sb.st_mode))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

char *
config_read_file(const char *path, size_t *len, struct config_errors *errs)
{
	char *text = xmalloc(CONFIG_MAX_BYTES + 2);
	ssize_t n;
	int fd;

	if ((fd = config_open(path, errs)) < 0) {
		free(text);
		return NULL;
	}
	*len = 0;
	/* One byte past the bound tells a file at the bound from a larger one. */
	while (*len <= CONFIG_MAX_BYTES) {
		n = read(fd, text + *len, CONFIG_MAX_BYTES + 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return config_read_error(path, fd, text, errs, "cannot read: ",
			    strerror(errno));
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	if (*len > CONFIG_MAX_BYTES)
		return config_read_error(path, fd, text, errs, "is larger than 4 MB, "
		    "the most a config may be", "");
	close(fd);
	text[*len] = '\0';
	return text;
}

struct tend_config *
config_load_text(const char *path, const char *text, size_t len,
    struct config_errors *errs)
{
	struct tend_config *cfg;
	char *dir = config_dir_of(path);

	cfg = config_load_buffer(path, text, len, dir, path, errs);
	free(dir);
	return cfg;
}

struct tend_config *
config_load_file(const char *path, struct config_errors *errs)
{
	struct tend_config *cfg;
	char *text;
	size_t len;

	if ((text = config_read_file(path, &len, errs)) == NULL)
		return NULL;
	cfg = config_load_text(path, text, len, errs);
	free(text);
	return cfg;
}

/* Skips the node whose first event was ev: a scalar, or a collection to its end. */
static bool
peek_skip(yaml_parser_t *parser, const yaml_event_t *ev)
{
	yaml_event_t e;
	int depth;

	if (ev->type != YAML_MAPPING_START_EVENT && ev->type != YAML_SEQUENCE_START_EVENT)
		return ev->type == YAML_SCALAR_EVENT || ev->type == YAML_ALIAS_EVENT;
	for (depth = 1; depth > 0;) {
		if (!yaml_parser_parse(parser, &e))
			return false;
		if (e.type == YAML_MAPPING_START_EVENT || e.type == YAML_SEQUENCE_START_EVENT)
			depth++;
		else if (e.type == YAML_MAPPING_END_EVENT || e.type == YAML_SEQUENCE_END_EVENT)
			depth--;
		else if (e.type == YAML_STREAM_END_EVENT)
			depth = 0;
		yaml_event_delete(&e);
	}
	return true;
}

/*
 * The top-level state_dir of a document: 0 with *value (or NULL when
 * there is none), -1 when the text needs a full load to say (a YAML
 * error, a merge key, an anchor that may stand for it, not one mapping).
 */
static int
peek_state_dir(yaml_parser_t *parser, char **value)
{
	yaml_event_t key, val;
	int rc = -1, i;

	*value = NULL;
	/* The stream, the document, the top mapping. */
	for (i = 0; i < 3; i++) {
		if (!yaml_parser_parse(parser, &key))
			return -1;
		rc = key.type == (i == 0 ? YAML_STREAM_START_EVENT : i == 1 ?
		    YAML_DOCUMENT_START_EVENT : YAML_MAPPING_START_EVENT) ? 0 : -1;
		yaml_event_delete(&key);
		if (rc < 0)
			return -1;
	}
	for (;;) {
		if (!yaml_parser_parse(parser, &key))
			return -1;
		if (key.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&key);
			return 0;
		}
		if (key.type != YAML_SCALAR_EVENT || !yaml_parser_parse(parser, &val)) {
			yaml_event_delete(&key);
			return -1;
		}
		rc = strcmp((char *)key.data.scalar.value, "<<") == 0 ||
		    val.type == YAML_ALIAS_EVENT ? -1 : 0;
		if (rc == 0 && strcmp((char *)key.data.scalar.value, "state_dir") == 0) {
			rc = val.type == YAML_SCALAR_EVENT ? 1 : -1;
			if (rc == 1)
				*value = xstrdup((char *)val.data.scalar.value);
		} else if (rc == 0 && !peek_skip(parser, &val)) {
			rc = -1;
		}
		yaml_event_delete(&key);
		yaml_event_delete(&val);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
}

int
config_peek_state_dir(const char *path, char **state_dir)
{
	struct config_errors errs = { 0 };
	yaml_parser_t parser;
	size_t len;
	char *text, *dir;
	int rc;

	*state_dir = NULL;
	text = config_read_file(path, &len, &errs);
	config_errors_clear(&errs);
	if (text == NULL)
		return -1;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	rc = peek_state_dir(&parser, state_dir);
	yaml_parser_delete(&parser);
	free(text);
	if (rc < 0) {
		free(*state_dir);
		*state_dir = NULL;
		return -1;
	}
	dir = config_dir_of(path);
	config_make_absolute(state_dir, dir);
	free(dir);
	return 0;
}

struct tend_config *
config_load_default(struct config_errors *errs)
{
	return config_load_string("<embedded>", config_default_yaml, errs);
}

const char *
config_path_auto(const char *path)
{
	const char *env = getenv("TEND_CONFIG");

	if (path != NULL)
		return path;
	return env != NULL && *env != '\0' ? env : NULL;
}

struct tend_config *
config_load_auto(const char *path, struct config_errors *errs)
{
	if ((path = config_path_auto(path)) != NULL)
		return config_load_file(path, errs);
	return config_load_default(errs);
}

char *
config_error_line(const struct config_error *e)
{
	char *msg = text_show(e->msg), *line;

	/* One error a line: a value quoted in it is shown, not obeyed, nor its password. */
	if (e->line > 0)
		line = xasprintf("%s:%d:%d: %s", e->file, e->line, e->col, msg);
	else
		line = xasprintf("%s: %s", e->file, msg);
	free(msg);
	return line;
}

void
config_errors_print(const struct config_errors *errs, FILE *out)
{
	size_t i;
	char *line;

	for (i = 0; i < errs->n; i++) {
		line = config_error_line(&errs->v[i]);
		fprintf(out, "%s\n", line);
		free(line);
	}
}

void
config_errors_clear(struct config_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++) {
		free(errs->v[i].file);
		free(errs->v[i].msg);
	}
	free(errs->v);
	errs->v = NULL;
	errs->n = 0;
}
