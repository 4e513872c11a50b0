/*
 * Loading tend.yaml (or the embedded default) into the model, with every
 * error located as file:line:col and saying what was expected.
 */
#ifndef TEND_CONFIG_CONFIG_H
#define TEND_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "config/model.h"

struct config_error {
	char		*file;
	int		 line;		/* 0 when the error has no position */
	int		 col;
	char		*msg;
};

struct config_errors {
	struct config_error *v;
	size_t		 n;
};

/* The embedded default config (src/config/default.yaml), NUL-terminated. */
extern const char config_default_yaml[];

/*
 * Each loader parses, applies environment overrides and validates. It
 * returns NULL and appends to errs (never stopping at the first) when
 * anything is wrong.
 */
struct tend_config *config_load_file(const char *path, struct config_errors *errs);
struct tend_config *config_load_string(const char *name, const char *yaml,
		    struct config_errors *errs);
struct tend_config *config_load_default(struct config_errors *errs);
/*
 * A config file's text, NUL-terminated, in *len bytes: a regular file or
 * a pipe of at most 4 MB. NULL after the error (a directory, a device, too
 * large) is appended to errs.
 */
char		*config_read_file(const char *path, size_t *len, struct config_errors *errs);
/* Loads text read from path; its relative paths are from path's folder. */
struct tend_config *config_load_text(const char *path, const char *text, size_t len,
		    struct config_errors *errs);
/*
 * The state_dir a config file names at its top, found without loading the
 * rest (a command that only talks to the daemon need not read ten thousand
 * checks): 0 with *state_dir (NULL when it names none), -1 when only a full
 * load can say (a YAML error, a merge key or alias at the top level).
 */
int		 config_peek_state_dir(const char *path, char **state_dir);
/*
 * Whether `include:` reads the files it names (config/include.c); the
 * fuzzers turn it off, so that an input's patterns never walk the disk.
 */
extern bool	 config_includes_read;
/* -c FILE if given, else $TEND_CONFIG, else the embedded default. */
struct tend_config *config_load_auto(const char *path, struct config_errors *errs);
/* The file config_load_auto reads: path, else $TEND_CONFIG; NULL for the default. */
const char	*config_path_auto(const char *path);

/*
 * What only the machine can say, for tend validate: each service's cwd is
 * a directory, its user and group exist. Not part of loading: tend run
 * starts what it can, and a missing cwd is a failed start it reports.
 */
void		config_validate_system(const struct tend_config *cfg,
		    struct config_errors *errs);

void		config_free(struct tend_config *cfg);

/* A log check in a line, for tend validate: its file, patterns, level (parse_log.c). */
void		log_check_describe(const struct check_conf *c, char *buf, size_t len);

/* "file:line:col: message" per line. */
void		config_errors_print(const struct config_errors *errs, FILE *out);
/* One error as config_errors_print writes it, without the newline; free it. */
char		*config_error_line(const struct config_error *e);
void		config_errors_clear(struct config_errors *errs);

const struct service_conf *config_find_service(const struct tend_config *cfg,
		    const char *name);
const struct check_conf *config_find_check(const struct tend_config *cfg,
		    const char *name);
/*
 * Whether the daemon's work under cfg includes HTTP (checks, readiness
 * probes, webhooks): libcurl is loaded for it at start or reload, else never.
 */
bool		config_needs_http(const struct tend_config *cfg);
/* Whether name is a service's copies (`instances:`, `scale:`): web of web@0. */
bool		config_is_group(const struct tend_config *cfg, const char *name);
/* A named action under `actions:`, or NULL. */
const struct heal_action *config_find_action(const struct tend_config *cfg,
		    const char *name);
/* A snapshot set under `snapshots:` (or the implicit `tend`), or NULL. */
const struct snapshot_set_conf *config_find_snapshot_set(const struct tend_config *cfg,
		    const char *name);
/* An entry under `rebuild:`, or NULL. */
const struct rebuild_conf *config_find_rebuild(const struct tend_config *cfg,
		    const char *name);
/* An experiment under `chaos: experiments:`, or NULL. */
const struct chaos_experiment *config_find_chaos(const struct tend_config *cfg,
		    const char *name);
/* "kill", "hang", ... */
const char	*chaos_fault_name(int fault);
/* A proxy under `proxies:`, or NULL. */
const struct proxy_conf *config_find_proxy(const struct tend_config *cfg,
		    const char *name);
struct sockaddr_storage;
/* A proxy's "127.0.0.1:PORT" (or "[::1]:PORT") as an address: 0, or -1 when not loopback. */
int		 proxy_address(const char *s, struct sockaddr_storage *ss);
/*
 * Snapshot sets and rebuild clear paths against the state dir tend uses
 * (its normalized absolute path): neither may hold it nor lie in it.
 * Loading checks the configured or default one; a command given
 * --state-dir calls this with that one.
 */
void		config_validate_state_dir(const struct tend_config *cfg,
		    const char *state_dir, struct config_errors *errs);
/* "restart", "exec", ... */
const char	*heal_action_kind_name(enum heal_action_kind kind);
/* "executable", "library", "pkgconfig", "package", "path", "python", "npm". */
const char	*dep_kind_name(enum dep_kind kind);
/* An installer by name (declared or built in), or NULL. */
const struct installer_conf *config_find_installer(const struct tend_config *cfg,
		    const char *name);
/* dst becomes a copy of src; what dst held is freed. */
void		web_conf_copy(struct web_conf *dst, const struct web_conf *src);
/* True when a reload need not restart the service. */
bool		service_conf_equal(const struct service_conf *a,
		    const struct service_conf *b);

#endif
