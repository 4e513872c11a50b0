/*
 * file checks: exists (or must not), mode, owner, age of mtime, size, and
 * content by sha256 (an expected hash, or "changed since the last run").
 * The stat and the hashing run on libuv's thread pool: a large file or a
 * slow disk must not stall the loop.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "checks/check_kinds.h"
#include "core/account.h"
#include "core/mem.h"
#include "core/sha256.h"
#include "core/workpool.h"

struct file_run {
	struct check_run *run;		/* NULL once cancelled; loop thread only */
	uv_work_t	 work;
	/* Copied for the thread pool: the run and its config may go meanwhile. */
	char		*path;
	bool		 want_hash;
	/* Filled on the thread pool. */
	int		 stat_errno;
	struct stat	 st;
	char		 owner[64];
	char		 sha256[65];
	int		 hash_errno;
};

/* 0, or the errno of what failed (the work thread reports it back). */
static int
file_sha256(const char *path, char out[65])
{
	int64_t size;

	return sha256_file(path, out, &size) == 0 ? 0 : errno;
}

static void
file_work(uv_work_t *req)
{
	struct file_run *f = req->data;
	if (stat(f->path, &f->st) < 0) {
		f->stat_errno = errno;
		return;
	}
	account_user(f->st.st_uid, f->owner, sizeof(f->owner));
	if (S_ISREG(f->st.st_mode) && f->want_hash)
		f->hash_errno = file_sha256(f->path, f->sha256);
}

/* The first rule broken, or healthy. */
static void
file_judge(struct file_run *f, struct check_result *r)
{
	const struct check_conf *c = f->run->conf;
	const struct file_check_conf *fc = &c->file;
	struct check_memory *mem = f->run->memory;
	double age = difftime(time(NULL), f->st.st_mtime);

	if (f->stat_errno != 0) {
		if (!fc->exists && f->stat_errno == ENOENT)
			check_result_set(r, HEALTH_HEALTHY, "%s does not exist, as wanted", c->path);
		else
			check_result_set(r, f->stat_errno == ENOENT ? HEALTH_CRITICAL :
			    HEALTH_UNKNOWN, "%s: %s", c->path, strerror(f->stat_errno));
		return;
	}
	check_result_add_metric(r, "size", (double)f->st.st_size, "B");
	check_result_add_clock(r, "age", age);
	if (!fc->exists)
		check_result_set(r, HEALTH_CRITICAL, "%s exists and must not", c->path);
	else if (fc->mode >= 0 && (int)(f->st.st_mode & 07777) != fc->mode)
		check_result_set(r, HEALTH_CRITICAL, "%s: mode %04o, expected %04o", c->path,
		    (unsigned)(f->st.st_mode & 07777), (unsigned)fc->mode);
	else if (fc->owner != NULL && strcmp(fc->owner, f->owner) != 0 &&
	    !(strtol(fc->owner, NULL, 10) == (long)f->st.st_uid && fc->owner[0] >= '0' &&
	    fc->owner[0] <= '9'))
		check_result_set(r, HEALTH_CRITICAL, "%s: owner %s, expected %s", c->path,
		    f->owner, fc->owner);
	else if (fc->max_age_ms > 0 && age * 1000.0 > (double)fc->max_age_ms)
		check_result_set(r, HEALTH_CRITICAL, "%s: last changed %.0fs ago (max %llds)",
		    c->path, age, (long long)(fc->max_age_ms / 1000));
	else if (fc->min_size >= 0 && f->st.st_size < fc->min_size)
		check_result_set(r, HEALTH_CRITICAL, "%s: %lld bytes, below %lld", c->path,
		    (long long)f->st.st_size, (long long)fc->min_size);
	else if (fc->max_size >= 0 && f->st.st_size > fc->max_size)
		check_result_set(r, HEALTH_CRITICAL, "%s: %lld bytes, above %lld", c->path,
		    (long long)f->st.st_size, (long long)fc->max_size);
	else if (f->hash_errno != 0)
		check_result_set(r, HEALTH_UNKNOWN, "%s: cannot read: %s", c->path,
		    strerror(f->hash_errno));
	else if (fc->sha256 != NULL && strcasecmp(fc->sha256, f->sha256) != 0)
		check_result_set(r, HEALTH_CRITICAL, "%s: content is sha256 %.12s…, expected "
		    "%.12s…", c->path, f->sha256, fc->sha256);
	else if (fc->changed >= 0 && mem != NULL && mem->state != NULL &&
	    strcmp(mem->state, f->sha256) != 0)
		check_result_set(r, (enum health_state)fc->changed, "%s: content changed "
		    "(sha256 %.12s… -> %.12s…)", c->path, (const char *)mem->state, f->sha256);
	else
		check_result_set(r, HEALTH_HEALTHY, "%s: ok (%lld bytes, changed %.0fs ago)",
		    c->path, (long long)f->st.st_size, age);
	/* The last hash, kept for `changed`: only a file check that hashes has one. */
	if (mem != NULL && f->sha256[0] != '\0') {
		if (mem->state == NULL) {
			mem->state = xmalloc(sizeof(f->sha256));
			mem->state_free = free;
		}
		memcpy(mem->state, f->sha256, sizeof(f->sha256));
	}
}

static void
file_done(uv_work_t *req, int status)
{
	struct file_run *f = req->data;
	struct check_run *run = f->run;
	struct check_result r;

	if (run == NULL) {		/* cancelled meanwhile */
		free(f->path);
		free(f);
		return;
	}
	check_result_init(&r);
	file_judge(f, &r);
	r.latency_ms = check_run_elapsed_ms(run);
	free(f->path);
	free(f);
	check_run_finish(run, &r);
	check_result_clear(&r);
}

static void
file_cancel(struct check_run *run)
{
	struct file_run *f = run->kind;

	f->run = NULL;
	/* A queued job is dropped; a running one finishes and frees itself. */
	uv_cancel((uv_req_t *)&f->work);
}

void
check_file_start(struct check_run *run)
{
	struct file_run *f = xcalloc(1, sizeof(*f));

	f->run = run;
	f->path = xstrdup(run->conf->path);
	f->want_hash = run->conf->file.sha256 != NULL || run->conf->file.changed >= 0;
	f->work.data = f;
	if (workpool_queue(run->env->loop, &f->work, file_work, file_done) != 0) {
		free(f->path);
		free(f);
		check_run_finish_soon(run, HEALTH_UNKNOWN, "cannot queue the file check");
		return;
	}
	run->kind = f;
	run->cancel = file_cancel;
}
