/*
 * The state directory: tend's token, database, sockets, pidfile, service
 * logs and caches. tend runs as root, so nothing there may be another
 * user's to change. statedir_open refuses a directory
 *   - not owned by tend's euid, or writable by group or others;
 *   - under a parent that a non-root user other than tend's could change
 *     (owned by one, or writable by group or others without the sticky
 *     bit, as /tmp/x/state is when /tmp/x is a user's);
 *   - holding an entry (in it or in a subdirectory of it) owned by another
 *     non-root user, a symbolic link, or a subdirectory group or others
 *     can write.
 * It creates what is missing (the directory 0750, missing parents 0755,
 * whatever the umask) and keeps the directory open: every file in it is
 * then opened relative to that verified descriptor, with O_NOFOLLOW and
 * O_CLOEXEC, never by a path string. Subdirectories named in a relative
 * path ("logs/web.log") are created 0750 when missing (so a deleted logs/
 * comes back) and verified like the directory itself.
 *
 * Functions returning int return 0 or a descriptor, or -1 with errno set.
 */
#ifndef TEND_CORE_STATEDIR_H
#define TEND_CORE_STATEDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct statedir;

/*
 * Which directory: option (--state-dir), else $TEND_STATE_DIR, else
 * configured (the config's state_dir:), else /var/lib/tend for root or
 * $XDG_STATE_HOME/tend, ~/.local/state/tend. Free it.
 */
char	*statedir_resolve(const char *option, const char *configured);

/*
 * Verifies (creating what is missing) and opens; NULL with err saying why:
 * "PATH is owned by alice (uid 1001), not by root ...".
 */
struct statedir	*statedir_open(const char *path, char *err, size_t errlen);
void		 statedir_close(struct statedir *sd);
/* The directory's absolute path, for messages and for what takes a path. */
const char	*statedir_path(const struct statedir *sd);
/* "PATH/rel", for messages, SQLite and bind(2); free it. */
char		*statedir_file(const struct statedir *sd, const char *rel);

/*
 * openat(2) relative to the directory: rel may name files in its
 * subdirectories. O_NOFOLLOW and O_CLOEXEC always. With O_CREAT a new
 * file gets exactly mode; an existing file opened for writing must be a
 * regular file of tend's euid with one link, else EPERM.
 */
int	statedir_openat(struct statedir *sd, const char *rel, int flags, mode_t mode);
/* The verified subdirectory rel (created with mode when missing): a descriptor. */
int	statedir_subdir(struct statedir *sd, const char *rel, mode_t mode);
int	statedir_unlink(struct statedir *sd, const char *rel);
/* Renames within the state directory; both names relative to it. */
int	statedir_rename(struct statedir *sd, const char *from, const char *to);
/* rel becomes buf with mode, through a temp file beside it and a rename. */
int	statedir_replace(struct statedir *sd, const char *rel, const void *buf, size_t len,
	    mode_t mode);

/*
 * The checks of statedir_open, creating nothing: fn hears every problem
 * (ok false), what would be created, and a last line about the directory
 * (ok true) when all is well; what follows the path as a sentence does
 * ("is owned by ..."). Returns 0 when statedir_open would succeed.
 */
typedef void	(*statedir_report_fn)(void *arg, const char *path, bool ok,
		    const char *what);
int	statedir_inspect(const char *path, statedir_report_fn fn, void *arg);

/*
 * For a tool that uses the subdirectory rel of the state dir at path by
 * path (tend fetch's and tend deps' caches, the installers it runs):
 * verifies the state dir as statedir_open does, and makes rel (mode) or
 * verifies it. 0, or -1 with err.
 */
int	statedir_prepare_subdir(const char *path, const char *rel, mode_t mode, char *err,
	    size_t errlen);

/*
 * A directory tend keeps for others to reach (core/runtimedir.h): verified
 * and made as the state dir is (tend's own, no one else's to write, its
 * parents root's or tend's), then set to exactly mode; its entries are not
 * looked at (they may be other users'). NULL with err.
 */
struct statedir	*statedir_open_shared(const char *path, mode_t mode, char *err,
		    size_t errlen);
/* statedir_inspect for statedir_open_shared: entries not looked at, made with mode. */
int		 statedir_inspect_shared(const char *path, mode_t mode, statedir_report_fn fn,
		    void *arg);
/* Removes every entry of the directory itself that is not a directory. */
void		 statedir_empty(struct statedir *sd);
/* fchownat(2) of rel, never following a link. */
int		 statedir_chown(struct statedir *sd, const char *rel, uid_t uid, gid_t gid);

/* mkdir -p, for directories outside a state dir (a user's cache). */
int	statedir_mkdir_p(const char *path, mode_t mode);
/* STATE/tend.sock: the control socket of a state dir, by path. Free it. */
char	*statedir_control_socket(const char *path);

#endif
