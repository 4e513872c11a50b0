/*
 * The rebuild engine (a `rebuild:` entry): its `clear:` paths removed,
 * then its steps run in order, each through net/retry with the entry's
 * `retry:`. What goes around it — the snapshot before, restarting and
 * verifying the service, the rollback — is the caller's: `tend rebuild`
 * (src/cli/cmd_rebuild.c) today, the heal action `rebuild: NAME` later.
 *
 * A clear is rm -rf as root, so it never follows a symlink: every
 * component of the path is opened relative to the directory before it
 * with O_NOFOLLOW (a symlink among them refuses the clear), the tree is
 * removed through directory descriptors, a symlink in it is unlinked as
 * a link, and the walk never enters another filesystem (a mount point
 * refuses the clear). A path that is itself a symlink: only the link is
 * removed. A path that does not exist is already clear.
 */
#ifndef TEND_HEAL_REBUILD_H
#define TEND_HEAL_REBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rebuild_conf;
struct store;

/* What one clear did. */
struct rebuild_cleared {
	char		*path;
	bool		 existed;
	bool		 link;		/* the path was a symlink: the link alone went */
	int64_t		 files;		/* non-directories removed (links, files, ...) */
	int64_t		 dirs;		/* directories removed, the path's own included */
};

/*
 * Removes path as rm -rf would, never following a symlink, never leaving
 * the path's filesystem: 0 (also when there was nothing), or -1 with a
 * sentence naming the path at fault in err (what was removed before it
 * stays removed, counted in out). out->path is left alone.
 */
int	rebuild_clear(const char *path, struct rebuild_cleared *out, char *err,
	    size_t errlen);

/* The steps' output and where their runs are recorded. */
struct rebuild_options {
	int		 out_fd;	/* the steps' stdout; 0 means 1 */
	int		 err_fd;	/* their stderr and retry's notes; 0 means 2 */
	struct store	*store;		/* each step is a retry run in it; NULL: not recorded */
	const char	*state_dir;	/* or the store in STATE_DIR/tend.db; NULL: neither */
	bool		 quiet;		/* no retry notes or summary lines */
	/* Called after each path is cleared, before the steps run; may be NULL. */
	void		(*cleared)(void *arg, const struct rebuild_cleared *cl);
	void		*arg;
};

struct rebuild_step_result {
	int		 exit_code;	/* retry_command's: 0, the last attempt's, 124, 127, ... */
	int		 attempts;
	int64_t		 elapsed_ms;
};

struct rebuild_report {
	struct rebuild_cleared *cleared;	/* one per `clear:` path tried */
	size_t		 n_cleared;
	struct rebuild_step_result *steps;	/* one per step run */
	size_t		 n_steps;
	bool		 ok;		/* every path cleared and every step succeeded */
	char		 error[512];	/* else what failed */
};

/*
 * Clears the entry's paths, then runs its steps, stopping at the first
 * failure (a path that cannot be cleared runs no step). 0 when all went
 * well, -1 with report->error. The report is filled in both cases;
 * rebuild_report_free.
 */
int	rebuild_run(const struct rebuild_conf *rb, const struct rebuild_options *opts,
	    struct rebuild_report *report);
void	rebuild_report_free(struct rebuild_report *r);

#endif
