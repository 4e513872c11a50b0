/*
 * The scheduled report. The timer fires on the loop; the store is read
 * and the three formats rendered on libuv's thread pool (a year's report
 * takes a fifth of a second the loop should not wait), then the files are
 * written on the loop through the state dir's descriptor, the oldest sets
 * removed, and the report posted to the alert channels of `to` through
 * the alerter, whose deliveries retry and are recorded as alerts' are.
 */
#include "daemon/report_timer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/schedule.h"
#include "core/strv.h"
#include "core/workpool.h"
#include "report/report.h"
#include "store/read.h"

#define REPORTS_DIR	"reports"

static const char *const formats[] = { "markdown", "html", "json" };
static const char *const extensions[] = { "md", "html", "json" };
#define N_FORMATS	3

struct report_timer {
	uv_loop_t	*loop;
	struct statedir	*sd;
	struct alerter	*alerter;
	struct report_conf conf;	/* its to and to_pos are ours (copies) */
	uv_timer_t	 timer;
	uv_work_t	 work;
	bool		 busy;		/* a run is on the thread pool */
	bool		 closed;	/* freed: the last of timer and work frees it */
	bool		 handle_closed;	/* the timer's close callback ran */
	int64_t		 due_ms;	/* the run's scheduled time */
	/* What the run on the pool reads: set before it is queued, never while it runs. */
	int64_t		 since_ms;
	bool		 summarize;	/* there is a `to` to post it to */
	int64_t		 last_ms;	/* the last run's; 0: none yet */
	/* The run's results, from the pool to the loop. */
	char		*db_path;
	char		*buf[N_FORMATS];
	size_t		 len[N_FORMATS];
	char		 title[128];
	char		*summary;	/* what `to` is told */
	json_t		*numbers;
	char		 err[256];
};

static void	report_timer_arm(struct report_timer *rt);

static void
report_run_work(uv_work_t *req)
{
	struct report_timer *rt = req->data;
	int64_t now = clock_wall_ms();
	struct report *r;
	sqlite3 *db;
	size_t i;

	if ((db = store_read_open(rt->db_path, rt->err, sizeof(rt->err))) == NULL)
		return;
	r = report_collect(db, now - rt->since_ms, now, true, rt->err, sizeof(rt->err));
	sqlite3_close(db);
	for (i = 0; r != NULL && i < N_FORMATS; i++)
		if ((rt->buf[i] = report_render(r, formats[i], &rt->len[i])) == NULL)
			snprintf(rt->err, sizeof(rt->err), "rendering %s: out of memory",
			    formats[i]);
	if (r != NULL && rt->summarize) {
		report_title(r, rt->title, sizeof(rt->title));
		rt->summary = report_summary_text(r);
		rt->numbers = report_summary_json(r);
	}
	report_free(r);
}

static int
stem_newer_first(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

/* The sets in reports/, newest first (each name's stem is report-...); how many in *n. */
static char **
report_stems(struct report_timer *rt, size_t *n)
{
	char **stems = NULL, *dot;
	struct dirent *de;
	size_t i;
	int fd;
	DIR *dir;

	*n = 0;
	if ((fd = statedir_subdir(rt->sd, REPORTS_DIR, 0750)) < 0 ||
	    (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, "report-", 7) != 0 ||
		    (dot = strchr(de->d_name, '.')) == NULL)
			continue;
		stems = xgrow(stems, *n, sizeof(*stems));
		stems[*n] = xstrndup(de->d_name, (size_t)(dot - de->d_name));
		for (i = 0; i < *n && strcmp(stems[i], stems[*n]) != 0; i++)
			;
		if (i < *n)
			free(stems[*n]);
		else
			(*n)++;
	}
	closedir(dir);
	if (*n > 1)
		qsort(stems, *n, sizeof(*stems), stem_newer_first);
	return stems;
}

static void
report_stems_free(char **stems, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(stems[i]);
	free(stems);
}

/* Removes the sets beyond the newest keep. */
static void
report_prune(struct report_timer *rt)
{
	size_t n, i, j;
	char **stems = report_stems(rt, &n), *rel;

	for (i = (size_t)rt->conf.keep; i < n; i++)
		for (j = 0; j < N_FORMATS; j++) {
			rel = xasprintf("%s/%s.%s", REPORTS_DIR, stems[i], extensions[j]);
			if (statedir_unlink(rt->sd, rel) < 0 && errno != ENOENT)
				log_warn(NULL, "report: removing %s: %s", rel, strerror(errno));
			free(rel);
		}
	report_stems_free(stems, n);
}

/*
 * When the newest set was written (its JSON's mtime), 0 if none: the
 * schedule goes on from it after a restart, so a daemon restarted more
 * often than `every` still writes its reports and one restarted in a
 * slot that ran does not run it again.
 */
static int64_t
report_last_written(struct report_timer *rt)
{
	size_t n;
	char **stems = report_stems(rt, &n), *rel;
	struct stat sb;
	int64_t last = 0;
	int fd;

	if (n > 0) {
		rel = xasprintf("%s/%s.json", REPORTS_DIR, stems[0]);
		if ((fd = statedir_openat(rt->sd, rel, O_RDONLY | O_NOFOLLOW, 0)) >= 0) {
			if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
				last = (int64_t)sb.st_mtim.tv_sec * 1000 +
				    sb.st_mtim.tv_nsec / 1000000;
			close(fd);
		}
		free(rel);
	}
	report_stems_free(stems, n);
	/* One from the future (a clock set back) would hold the schedule: ignored. */
	return last <= clock_wall_ms() + SCHEDULE_SLACK_MS ? last : 0;
}

/* reports/report-YYYYMMDD-HHMM, or -HHMMSS when that minute has one already. */
static char *
report_stem(struct report_timer *rt, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	char stamp[32], *rel;
	struct tm tm;
	int fd;

	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M", &tm);
	rel = xasprintf("%s/report-%s.json", REPORTS_DIR, stamp);
	fd = statedir_openat(rt->sd, rel, O_RDONLY, 0);
	free(rel);
	if (fd >= 0) {
		close(fd);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	}
	return xasprintf("%s/report-%s", REPORTS_DIR, stamp);
}

/*
 * The set written to `to`: the files by their absolute paths, for a
 * command on this host to open and a chat message to name. Not a URL: the
 * web server serves no files from the state dir, and its address is
 * loopback unless told otherwise, no link a reader elsewhere could follow.
 */
static void
report_post(struct report_timer *rt, const char *stem)
{
	char *path = statedir_file(rt->sd, stem), *files[N_FORMATS];
	struct alert_report rep = { .name = strrchr(stem, '/') + 1, .title = rt->title,
	    .summary = rt->summary != NULL ? rt->summary : "", .numbers = rt->numbers,
	    .at = clock_wall_ms() };
	size_t i;

	for (i = 0; i < N_FORMATS; i++)
		files[i] = xasprintf("%s.%s", path, extensions[i]);
	rep.markdown = files[0];
	rep.html = files[1];
	rep.json = files[2];
	alerter_post_report(rt->alerter, &rep, rt->conf.to);
	for (i = 0; i < N_FORMATS; i++)
		free(files[i]);
	free(path);
}

static void
report_write_set(struct report_timer *rt)
{
	char *stem = report_stem(rt, rt->due_ms), *rel, *path;
	size_t i, written = 0;

	for (i = 0; i < N_FORMATS; i++) {
		rel = xasprintf("%s.%s", stem, extensions[i]);
		if (statedir_replace(rt->sd, rel, rt->buf[i], rt->len[i], 0640) < 0)
			log_error(NULL, "report: writing %s: %s", rel, strerror(errno));
		else
			written++;
		free(rel);
	}
	path = statedir_file(rt->sd, stem);
	log_info(NULL, "report written: %s.{md,html,json}", path);
	free(path);
	report_prune(rt);
	/* Only a whole set is worth a message: the files it names are there. */
	if (written == N_FORMATS && rt->conf.to != NULL)
		report_post(rt, stem);
	free(stem);
}

/* conf (NULL: none) becomes rt's, with copies of its names; the last ones freed. */
static void
report_conf_set(struct report_timer *rt, const struct report_conf *conf)
{
	strv_free(rt->conf.to);
	if (conf == NULL) {
		memset(&rt->conf, 0, sizeof(rt->conf));
		return;
	}
	rt->conf = *conf;
	rt->conf.to = strv_dup(conf->to);
	rt->conf.to_pos = NULL;
}

static bool
report_conf_same(const struct report_conf *a, const struct report_conf *b)
{
	return a->enabled == b->enabled && schedule_equal(&a->schedule, &b->schedule) &&
	    a->keep == b->keep && a->since_ms == b->since_ms;
}

static void
report_timer_release(struct report_timer *rt)
{
	size_t i;

	for (i = 0; i < N_FORMATS; i++) {
		free(rt->buf[i]);
		rt->buf[i] = NULL;
	}
	free(rt->summary);
	rt->summary = NULL;
	json_decref(rt->numbers);
	rt->numbers = NULL;
	if (!rt->handle_closed || rt->busy)
		return;
	report_conf_set(rt, NULL);
	free(rt->db_path);
	free(rt);
}

static void
report_run_done(uv_work_t *req, int status)
{
	struct report_timer *rt = req->data;

	rt->busy = false;
	if (!rt->closed && status == 0) {
		if (rt->buf[N_FORMATS - 1] != NULL && rt->buf[0] != NULL && rt->buf[1] != NULL)
			report_write_set(rt);
		else
			log_error(NULL, "report: %s: %s", rt->db_path, rt->err);
		rt->last_ms = rt->due_ms;
		report_timer_arm(rt);
	}
	report_timer_release(rt);
}

static void
report_timer_fired(uv_timer_t *timer)
{
	struct report_timer *rt = timer->data;

	if (rt->busy)
		return;
	rt->busy = true;
	rt->err[0] = '\0';
	rt->since_ms = rt->conf.since_ms;
	rt->summarize = rt->conf.to != NULL;
	if (workpool_queue(rt->loop, &rt->work, report_run_work, report_run_done) != 0) {
		rt->busy = false;
		log_error(NULL, "report: cannot queue the run");
	}
}

static void
report_timer_arm(struct report_timer *rt)
{
	int64_t now = clock_wall_ms();

	uv_timer_stop(&rt->timer);
	if (!rt->conf.enabled)
		return;
	rt->due_ms = schedule_next(&rt->conf.schedule, rt->last_ms, now);
	uv_timer_start(&rt->timer, report_timer_fired, (uint64_t)(rt->due_ms - now), 0);
}

struct report_timer *
report_timer_new(uv_loop_t *loop, struct statedir *sd, const struct report_conf *conf,
    struct alerter *al)
{
	struct report_timer *rt = xcalloc(1, sizeof(*rt));

	rt->loop = loop;
	rt->sd = sd;
	rt->alerter = al;
	report_conf_set(rt, conf);
	rt->db_path = statedir_file(sd, "tend.db");
	rt->work.data = rt;
	uv_timer_init(loop, &rt->timer);
	rt->timer.data = rt;
	if (rt->conf.enabled)
		rt->last_ms = report_last_written(rt);
	report_timer_arm(rt);
	return rt;
}

void
report_timer_set_config(struct report_timer *rt, const struct report_conf *conf)
{
	bool same = report_conf_same(&rt->conf, conf);

	/* Where it goes may change without moving the schedule. */
	report_conf_set(rt, conf);
	if (same)
		return;
	/* A new schedule goes on from the last report, as a restart does. */
	if (!rt->busy)
		report_timer_arm(rt);
}

static void
report_timer_closed(uv_handle_t *h)
{
	struct report_timer *rt = h->data;

	rt->handle_closed = true;
	report_timer_release(rt);
}

void
report_timer_free(struct report_timer *rt)
{
	if (rt == NULL)
		return;
	rt->closed = true;
	uv_close((uv_handle_t *)&rt->timer, report_timer_closed);
}
