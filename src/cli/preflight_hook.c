/*
 * tend preflight --install-hook: the git pre-push hook that runs the gate
 * before each push. git itself says where hooks go (`git rev-parse
 * --git-path hooks`, which honours core.hooksPath and worktrees), run as
 * an argv. The hook is written beside itself and renamed into place,
 * through a descriptor of the hooks directory opened without following a
 * link; a hook tend did not write (no marker line) stays unless --force.
 */
#include "cli/preflight.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fdio.h"
#include "core/mem.h"
#include "core/procspawn.h"
#include "core/strv.h"
#include "supervise/spawn.h"

#define HOOK_MARKER	"# tend preflight hook: written by tend preflight --install-hook"
#define HOOK_MAX	(256 * 1024)

/* What git says the hooks directory is, relative to here or absolute; NULL after saying why. */
static char *
hook_dir(void)
{
	char *const argv[] = { "git", "rev-parse", "--git-path", "hooks", NULL };
	struct procspawn sp = { .argv = argv, .umask = -1 };
	char buf[PATH_MAX + 1], err[512], **env;
	size_t len = 0;
	ssize_t n;
	int fds[2], status = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return NULL;
	sp.fd[0] = -1;
	sp.fd[1] = fds[1];
	sp.fd[2] = 2;
	sp.env = env = spawn_environment(NULL);
	fflush(stdout);
	fflush(stderr);
	if (procspawn_start(&sp, &pid, err, sizeof(err)) != 0) {
		fprintf(stderr, "tend preflight --install-hook: %s\n", err);
		strv_free(env);
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	strv_free(env);
	close(fds[1]);
	while (len < sizeof(buf) - 1 && ((n = read(fds[0], buf + len, sizeof(buf) - 1 -
	    len)) > 0 || (n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || buf[0] == '\0') {
		fprintf(stderr, "tend preflight --install-hook: not in a git repository "
		    "(git rev-parse --git-path hooks failed)\n");
		return NULL;
	}
	return xstrdup(buf);
}

/* The hooks directory, made if missing, never through a link. -1 after saying why. */
static int
hook_open_dir(const char *dir)
{
	struct stat sb;
	int fd;

	if (lstat(dir, &sb) == 0 && S_ISLNK(sb.st_mode)) {
		fprintf(stderr, "tend preflight --install-hook: %s is a symbolic link: "
		    "refused\n", dir);
		return -1;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "tend preflight --install-hook: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "tend preflight --install-hook: %s: %s\n", dir,
		    errno == ELOOP ? "a symbolic link: refused" : strerror(errno));
	return fd;
}

/*
 * Whether the pre-push there may be replaced: none, or one with the
 * marker, or --force. 0, or -1 after saying why.
 */
static int
hook_replaceable(int dfd, const char *path, bool force)
{
	char buf[HOOK_MAX + 1];
	ssize_t n;
	int fd;

	fd = openat(dfd, "pre-push", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 && errno != ELOOP) {
		fprintf(stderr, "tend preflight --install-hook: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	n = fd >= 0 ? read(fd, buf, HOOK_MAX) : 0;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0 && n >= 0 && strstr(buf, HOOK_MARKER) != NULL)
		return 0;
	if (force) {
		printf("replacing %s (--force): tend did not write it\n", path);
		return 0;
	}
	fprintf(stderr, "tend preflight --install-hook: %s is a hook tend did not write: "
	    "left as it is (--force replaces it)\n", path);
	return -1;
}

/* s in single quotes for sh: ' becomes '\''. Free it. */
static char *
hook_quote(const char *s)
{
	char *q = xmalloc(strlen(s) * 4 + 3), *w = q;

	*w++ = '\'';
	for (; *s != '\0'; s++) {
		if (*s == '\'') {
			memcpy(w, "'\\''", 4);
			w += 4;
		} else {
			*w++ = *s;
		}
	}
	*w++ = '\'';
	*w = '\0';
	return q;
}

/* The hook's text: this tend, by its absolute path, on the config's absolute path. */
static char *
hook_text(const char *config)
{
	char self[PATH_MAX], abs[PATH_MAX], *qself, *qcfg = NULL, *text;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		snprintf(self, sizeof(self), "tend");
	else
		self[n] = '\0';
	qself = hook_quote(self);
	if (config != NULL)
		qcfg = hook_quote(realpath(config, abs) != NULL ? abs : config);
	text = xasprintf("#!/bin/sh\n%s\n# Runs the pre-push gate; `git push --no-verify` "
	    "skips it.\nexec %s preflight%s%s\n", HOOK_MARKER, qself, qcfg ? " -c " : "",
	    qcfg ? qcfg : "");
	free(qself);
	free(qcfg);
	return text;
}

static int
hook_write(int dfd, const char *path, const char *text)
{
	static const char tmp[] = "pre-push.tend-new";
	int fd, ok;

	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755);
	if (fd < 0) {
		fprintf(stderr, "tend preflight --install-hook: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	ok = fchmod(fd, 0755) == 0 && fd_write_all(fd, text, strlen(text)) == 0 &&
	    fsync(fd) == 0;
	ok = close(fd) == 0 && ok && renameat(dfd, tmp, dfd, "pre-push") == 0;
	if (!ok) {
		fprintf(stderr, "tend preflight --install-hook: %s: %s\n", path,
		    strerror(errno));
		unlinkat(dfd, tmp, 0);
		return -1;
	}
	return 0;
}

int
preflight_install_hook(const char *config, bool force)
{
	char *dir, *path, *text;
	int dfd, rc = 1;

	if (config == NULL && (config = getenv("TEND_CONFIG")) != NULL && *config == '\0')
		config = NULL;
	if ((dir = hook_dir()) == NULL)
		return 1;
	path = xasprintf("%s/pre-push", dir);
	if ((dfd = hook_open_dir(dir)) >= 0 && hook_replaceable(dfd, path, force) == 0) {
		text = hook_text(config);
		if (hook_write(dfd, path, text) == 0) {
			printf("wrote %s (mode 0755): runs tend preflight%s%s before each "
			    "push\n", path, config ? " -c " : "", config ? config : "");
			rc = 0;
		}
		free(text);
	}
	if (dfd >= 0)
		close(dfd);
	free(path);
	free(dir);
	return rc;
}
