/*
 * A heartbeat check's keys (docs/heartbeats.md): period, grace, the ping
 * key (`key:`, or `key_file:` read here, at load) and the touch file. The
 * key is a credential: it is never part of an error message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/parse.h"
#include "config/validate.h"
#include "core/mem.h"

#define OFF(type, field)	offsetof(struct type, field)

#define HEARTBEAT_KEY_MIN	16	/* characters: a key is guessed by no one */
#define HEARTBEAT_KEY_MAX	256
#define HEARTBEAT_GRACE_MIN_MS	(60 * 1000)
#define HEARTBEAT_GRACE_MAX_MS	(60 * 60 * 1000)

static void	parse_heartbeat_key(struct walk *, yaml_node_t *, void *,
		    const struct key_spec *);
static void	parse_heartbeat_key_file(struct walk *, yaml_node_t *, void *,
		    const struct key_spec *);

const struct key_spec check_heartbeat_specs[] = {
	{ "period", parse_duration, OFF(check_conf, heartbeat.period_ms), NULL },
	{ "grace", parse_duration_or_zero, OFF(check_conf, heartbeat.grace_ms), NULL },
	{ "key", parse_heartbeat_key, OFF(check_conf, heartbeat.key), NULL },
	{ "key_file", parse_heartbeat_key_file, OFF(check_conf, heartbeat.key), NULL },
	{ "file", parse_string, OFF(check_conf, heartbeat.file), NULL },
	{ NULL, NULL, 0, NULL },
};

/*
 * What a key may be: it travels in an Authorization header, so visible
 * ASCII without spaces; long enough not to be guessed. NULL when fine.
 */
static const char *
heartbeat_key_problem(const char *key)
{
	size_t i, n = strlen(key);

	if (n < HEARTBEAT_KEY_MIN)
		return "is shorter than 16 characters (try `openssl rand -hex 16`)";
	if (n > HEARTBEAT_KEY_MAX)
		return "is longer than 256 characters";
	for (i = 0; i < n; i++)
		if (key[i] <= ' ' || key[i] > '~')
			return "must be visible ASCII characters without spaces";
	return NULL;
}

static void
heartbeat_key_set(struct walk *w, yaml_node_t *node, char **target, const char *key,
    const char *what)
{
	const char *problem = heartbeat_key_problem(key);

	if (problem != NULL) {
		walk_error(w, node, "%s %s", what, problem);
		return;
	}
	if (*target != NULL) {
		walk_error(w, node, "'key' and 'key_file': give one of them");
		return;
	}
	*target = xstrdup(key);
}

static void
parse_heartbeat_key(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	const char *v = walk_scalar(w, node, "a ping key");

	if (v != NULL)
		heartbeat_key_set(w, node, target, v, "'key': the key");
}

/* path, relative to the config file's folder; to free. */
static char *
heartbeat_key_path(const struct walk *w, const char *path)
{
	const char *slash = strrchr(w->file, '/');

	if (path[0] == '/' || slash == NULL)
		return xstrdup(path);
	return xasprintf("%.*s/%s", (int)(slash - w->file), w->file, path);
}

/*
 * The first line of a regular file only its owner may read or write,
 * whitespace trimmed, into buf; NULL, or why not.
 */
static const char *
heartbeat_key_read(const char *path, char *buf, size_t len, char *why, size_t whylen)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return why;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return "not a regular file";
	}
	if (st.st_mode & (S_IRGRP | S_IROTH)) {
		close(fd);
		return "readable by other users than its owner (chmod 600 it)";
	}
	/* Whoever may write it may put in a key of their own and ping as the job. */
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		close(fd);
		return "writable by other users than its owner (chmod 600 it)";
	}
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return why;
	}
	buf[n] = '\0';
	n = (ssize_t)strcspn(buf, "\r\n");
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	return NULL;
}

static void
parse_heartbeat_key_file(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	const char *v = walk_scalar(w, node, "a file holding the ping key"), *problem;
	char key[HEARTBEAT_KEY_MAX + 2], why[256], *path;

	if (v == NULL)
		return;
	path = heartbeat_key_path(w, v);
	problem = heartbeat_key_read(path, key, sizeof(key), why, sizeof(why));
	if (problem != NULL)
		walk_error(w, node, "'key_file': %s: %s", path, problem);
	else
		heartbeat_key_set(w, node, target, key, "'key_file': the key it holds");
	explicit_bzero(key, sizeof(key));
	free(path);
}

/*
 * grace: 10% of the period, at least a minute (cron's own jitter, a job's
 * varying run time), at most an hour. every: the global interval, but at
 * most half the grace, so that a missed ping is seen at most that late.
 */
void
heartbeat_apply_defaults(struct tend_config *cfg)
{
	struct heartbeat_check_conf *hb;
	int64_t every;
	size_t i;

	for (i = 0; i < cfg->n_checks; i++) {
		if (cfg->checks[i].type != CHECK_HEARTBEAT)
			continue;
		hb = &cfg->checks[i].heartbeat;
		if (hb->grace_ms < 0) {
			hb->grace_ms = hb->period_ms / 10;
			if (hb->grace_ms < HEARTBEAT_GRACE_MIN_MS)
				hb->grace_ms = HEARTBEAT_GRACE_MIN_MS;
			if (hb->grace_ms > HEARTBEAT_GRACE_MAX_MS)
				hb->grace_ms = HEARTBEAT_GRACE_MAX_MS;
		}
		if (cfg->checks[i].every_ms == 0) {
			every = hb->grace_ms / 2 < cfg->interval_ms ? hb->grace_ms / 2 :
			    cfg->interval_ms;
			cfg->checks[i].every_ms = every < 1000 ? 1000 : every;
		}
	}
}

void
validate_heartbeat_check(const struct check_conf *c, struct config_errors *errs)
{
	if (c->heartbeat.period_ms <= 0)
		validate_error(errs, &c->pos, "check '%s': 'period' is required (how often "
		    "pings come, e.g. 1h)", c->name);
}
