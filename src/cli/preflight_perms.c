/*
 * tend preflight's permissions step: the files and directories the config
 * relies on, beyond what tend validate (a service's cwd, user and group
 * exist) and --environment (the state dir's owner, parents and entries as
 * tend run verifies them) already say. Here: the state dir and its
 * subdirectories no more open than tend makes them (0750) and the API
 * token only tend's (0600) — what --fix sets back, and nothing else —; a
 * service's cwd that its user can enter; the directories of pidfiles; the
 * paths of snapshot sets; the directories cleanup actions work in.
 */
#include "cli/preflight.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "core/mem.h"

#define STATE_MODE	0750	/* what core/statedir.c makes */
#define TOKEN_MODE	0600	/* what web/token.c makes */

struct perms {
	const struct preflight *p;
	json_t		*o;
	size_t		 failed;
	size_t		 warned;
};

static void __attribute__((format(printf, 3, 4)))
perms_problem(struct perms *pm, bool fatal, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	preflight_note(pm->o, "details", "%s %s", fatal ? "error" : "warning", line);
	free(line);
	if (fatal)
		pm->failed++;
	else
		pm->warned++;
}

/*
 * A file or directory tend made, opened without following a link: more
 * open than want (beyond its bits) is a problem, which --fix takes back
 * to mode & want when the file is tend's own.
 */
static void
perms_mode(struct perms *pm, int fd, const char *path, mode_t want)
{
	struct stat sb;
	mode_t mode;
	bool fatal;

	if (fstat(fd, &sb) < 0 || sb.st_uid != geteuid())
		return;		/* not tend's: --environment says so */
	mode = sb.st_mode & 07777;
	if ((mode & ~want) == 0)
		return;
	/* tend run refuses a directory group or others can write, and a readable token. */
	fatal = (mode & 022) != 0 || !S_ISDIR(sb.st_mode);
	if (pm->p->fix && fchmod(fd, mode & want) == 0) {
		preflight_note(pm->o, "fixed", "%s: mode %04o -> %04o", path, (unsigned)mode,
		    (unsigned)(mode & want));
		return;
	}
	perms_problem(pm, fatal, "%s: mode %04o is more open than the %04o tend makes%s; "
	    "--fix sets %04o", path, (unsigned)mode, (unsigned)want, fatal ?
	    " (tend run refuses it)" : "", (unsigned)(mode & want));
}

/* The subdirectories tend makes in the state dir (logs, cache, snapshots...). */
static void
perms_subdirs(struct perms *pm, int dirfd, const char *dir)
{
	struct dirent *de;
	char path[PATH_MAX];
	DIR *d;
	int fd, dup_fd;

	if ((dup_fd = dup(dirfd)) < 0 || (d = fdopendir(dup_fd)) == NULL) {
		if (dup_fd >= 0)
			close(dup_fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		perms_mode(pm, fd, path, STATE_MODE);
		close(fd);
	}
	closedir(d);
}

static void
perms_state_dir(struct perms *pm)
{
	const char *dir = pm->p->state_dir;
	char path[PATH_MAX];
	int fd, tfd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;		/* missing (tend makes it) or refused: --environment */
	perms_mode(pm, fd, dir, STATE_MODE);
	perms_subdirs(pm, fd, dir);
	tfd = openat(fd, "token", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (tfd >= 0) {
		snprintf(path, sizeof(path), "%s/token", dir);
		perms_mode(pm, tfd, path, TOKEN_MODE);
		close(tfd);
	}
	close(fd);
}

/* Whether the user (with its groups) may search a directory of this stat. */
static bool
perms_user_enters(const struct stat *sb, const struct passwd *pw, gid_t gid)
{
	gid_t groups[256];
	int n = 256, i;

	if (pw->pw_uid == 0)
		return true;
	if (sb->st_uid == pw->pw_uid)
		return (sb->st_mode & S_IXUSR) != 0;
	if (getgrouplist(pw->pw_name, gid, groups, &n) < 0)
		n = 0;
	for (i = 0; i < n; i++)
		if (groups[i] == sb->st_gid || gid == sb->st_gid)
			return (sb->st_mode & S_IXGRP) != 0;
	return (sb->st_mode & S_IXOTH) != 0;
}

/* A service that runs as another user starts in cwd: that user must enter it. */
static void
perms_service(struct perms *pm, const struct service_conf *s)
{
	struct passwd *pw;
	struct group *gr;
	struct stat sb;
	gid_t gid;

	if (s->user == NULL || s->cwd == NULL || (pw = getpwnam(s->user)) == NULL)
		return;		/* unchanged, the state dir, or tend validate says */
	gid = pw->pw_gid;
	if (s->group != NULL && (gr = getgrnam(s->group)) != NULL)
		gid = gr->gr_gid;
	if (stat(s->cwd, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return;		/* tend validate says */
	if (!perms_user_enters(&sb, pw, gid))
		perms_problem(pm, true, "service '%s': user %s cannot enter its cwd %s "
		    "(mode %04o, owner uid %u, group gid %u)", s->name, s->user, s->cwd,
		    (unsigned)(sb.st_mode & 07777), (unsigned)sb.st_uid,
		    (unsigned)sb.st_gid);
}

/* The directory a pidfile is written in must be there. */
static void
perms_pidfile(struct perms *pm, const char *who, const char *name, const char *pidfile)
{
	char *dir, *slash;
	struct stat sb;

	if (pidfile == NULL || (slash = strrchr(pidfile, '/')) == NULL)
		return;
	dir = xstrndup(pidfile, slash == pidfile ? 1 : (size_t)(slash - pidfile));
	if (stat(dir, &sb) < 0)
		perms_problem(pm, false, "%s '%s': the directory of pidfile %s: %s", who, name,
		    pidfile, strerror(errno));
	else if (!S_ISDIR(sb.st_mode))
		perms_problem(pm, false, "%s '%s': %s (of pidfile %s) is not a directory", who,
		    name, dir, pidfile);
	free(dir);
}

/* What a snapshot set names must be there for tend to read. */
static void
perms_snapshot_set(struct perms *pm, const struct snapshot_set_conf *set)
{
	size_t i;

	for (i = 0; set->paths != NULL && set->paths[i] != NULL; i++)
		if (access(set->paths[i], R_OK) < 0)
			perms_problem(pm, false, "snapshot set '%s': %s: %s", set->name,
			    set->paths[i], strerror(errno));
}

/* A cleanup glob's directory (the part before the first pattern character). */
static void
perms_cleanup(struct perms *pm, const char *owner, const struct heal_action *v, size_t n)
{
	char *dir, *slash;
	const char *g;
	struct stat sb;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (v[i].kind == HEAL_ANY)
			perms_cleanup(pm, owner, v[i].alternatives, v[i].n_alternatives);
		if (v[i].kind != HEAL_CLEANUP)
			continue;
		for (j = 0; v[i].paths != NULL && v[i].paths[j] != NULL; j++) {
			g = v[i].paths[j];
			dir = xstrndup(g, strcspn(g, "*?["));
			if ((slash = strrchr(dir, '/')) != NULL)
				slash[slash == dir ? 1 : 0] = '\0';
			if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
				perms_problem(pm, false, "%s: cleanup %s: directory %s is "
				    "missing", owner, g, dir);
			free(dir);
		}
	}
}

static void
perms_config(struct perms *pm, const struct tend_config *cfg)
{
	char owner[300];
	size_t i;

	for (i = 0; i < cfg->n_services; i++) {
		perms_service(pm, &cfg->services[i]);
		if (cfg->services[i].kind == SERVICE_EXTERNAL)
			perms_pidfile(pm, "service", cfg->services[i].name,
			    cfg->services[i].pidfile);
		snprintf(owner, sizeof(owner), "service '%s'", cfg->services[i].name);
		perms_cleanup(pm, owner, cfg->services[i].heal.v, cfg->services[i].heal.n);
	}
	for (i = 0; i < cfg->n_checks; i++) {
		if (cfg->checks[i].type == CHECK_PROCESS)
			perms_pidfile(pm, "check", cfg->checks[i].name,
			    cfg->checks[i].process.pidfile);
		snprintf(owner, sizeof(owner), "check '%s'", cfg->checks[i].name);
		perms_cleanup(pm, owner, cfg->checks[i].heal.v, cfg->checks[i].heal.n);
	}
	perms_cleanup(pm, "actions", cfg->actions, cfg->n_actions);
	for (i = 0; i < cfg->n_snapshots; i++)
		if (!cfg->snapshots[i].implicit)
			perms_snapshot_set(pm, &cfg->snapshots[i]);
}

json_t *
preflight_permissions(const struct preflight *p)
{
	struct perms pm = { .p = p, .o = json_object() };
	json_t *fixed;

	perms_state_dir(&pm);
	perms_config(&pm, p->cfg);
	fixed = json_object_get(pm.o, "fixed");
	json_object_set_new(pm.o, "status", json_string(pm.failed ? "failed" : pm.warned ?
	    "warning" : "ok"));
	json_object_set_new(pm.o, "reason", json_sprintf("%zu errors, %zu warnings%s%zu "
	    "fixed", pm.failed, pm.warned, ", ", fixed ? json_array_size(fixed) : 0));
	return pm.o;
}
