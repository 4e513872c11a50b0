/*
 * process checks: the main process and all its descendants, summed: CPU
 * (% of one core over a short window), RSS, threads, open fds, and the
 * main process's uptime. Processes the supervisor counts as the service's
 * own (a chaos memory fault's hog: supervise/attached.h) are summed with
 * their descendants too. A service with a cgroup is counted by it: every
 * process in it (a double fork that left the tree included), its
 * memory.current and cpu.stat where the cgroup has them. The processes
 * come from the shared process table (core/proctab.h), taken on libuv's
 * thread pool, so the loop never waits on /proc. The CPU share is measured
 * over the time since the check's last run when that run sampled the same
 * process (a check every 10 s takes one sample a run); else, on a first
 * run or after a restart, from two samples 250 ms to a second apart.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/check_kinds.h"
#include "checks/leak.h"
#include "config/units.h"
#include "core/cgroup.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/procid.h"
#include "core/proctab.h"
#include "supervise/pidfile.h"

#define PROCESS_CPU_WINDOW_MS	250	/* the least between the two samples */
/*
 * When the second is taken at the latest: half a second after the first,
 * a second for a check that runs every 4 s or less often (with a timeout
 * of 2 s or more, so that the wait never takes it near), so that at scale
 * a reading made in the last 750 ms will do (about one a second for a
 * thousand checks a second, not four) and a leak's window of a few seconds
 * still has its samples.
 */
#define PROCESS_SECOND_SAMPLE_MS	500
#define PROCESS_SECOND_SAMPLE_SLOW_MS	1000
#define PROCESS_SLOW_EVERY_MS		4000
#define PROCESS_SLOW_TIMEOUT_MS		2000
/*
 * How old a first sample's table may be: half the check's interval, within
 * these bounds. Reading the table (a stat of every process on the host)
 * was a third of the work of 10,000 checks every 10 s when it was read
 * every second; every 5 s, a sample is as old as one a run 5 s earlier
 * would have taken, and the CPU share is over the time between tables.
 */
#define PROCESS_TABLE_FRESH_MS		1000
#define PROCESS_TABLE_FRESH_MAX_MS	5000
/* The oldest last run's sample the CPU share is measured from. */
#define PROCESS_CPU_SINCE_MAX_MS	60000
#define PROCESS_ROOTS_MAX	8	/* the main pid and those counted with it */

struct tree_sample {
	bool		 alive;
	int		 procs;
	double		 cpu_ticks;	/* utime + stime of the tree */
	double		 rss_bytes;
	double		 threads;
	double		 fds;
	double		 uptime_s;	/* of the main process */
	unsigned long long main_start;	/* the main process's start time (struct proc_id) */
	bool		 cgroup_memory;	/* rss_bytes is the cgroup's memory.current */
	double		 memory_max;	/* the cgroup's memory.max, as raised; 0: none */
	int64_t		 taken_ms;	/* when its process table was read */
};

/*
 * What a process check keeps between runs: its last sample's CPU time, and
 * the RSS of its leak window. About 40 bytes a check; a check every 10 s
 * then samples once a run where it sampled twice (half the timers, the
 * wakeups and the samples of 10,000 such checks).
 */
struct process_memory {
	struct proc_id	 main;		/* the main process the sample was of */
	double		 cpu_ticks;
	int64_t		 taken_ms;	/* 0: none yet */
	struct leak_series *leak;	/* NULL until a leak window is asked for */
};

struct process_run {
	struct check_run *run;		/* NULL once cancelled; loop thread only */
	pid_t		 pid;		/* the main process: roots[0] */
	pid_t		 roots[PROCESS_ROOTS_MAX];
	int		 n_roots;
	int		 cgroup;	/* the service's cgroup directory, or -1 */
	int64_t		 started_ms;	/* clock_mono_ms() when the run began */
	int64_t		 fresh_ms;	/* how old its first table may be */
	/*
	 * When the check's last run sampled this pid (0: it did not): copied
	 * from mem on the loop, as the thread pool may not read it.
	 */
	int64_t		 last_ms;
	uv_work_t	 work;
	uv_timer_t	 timer;
	int		 round;		/* 0: first sample, 1: second */
	bool		 starting;	/* in check_process_start: a result is reported soon */
	struct tree_sample s[2];
	struct process_memory *mem;	/* NULL: every run is a first */
};

/*
 * Since Linux 6.2 the size of /proc/PID/fd is the number of descriptors
 * open: one stat, where reading the directory was a fifth of the work of
 * 10,000 process checks. An older kernel says 0: the directory is counted.
 */
static double
proc_count_fds(pid_t pid)
{
	char path[64];
	struct dirent *de;
	struct stat sb;
	double n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (stat(path, &sb) == 0 && sb.st_size > 0)
		return (double)sb.st_size;
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static bool
process_is_root(const pid_t *roots, size_t n_roots, pid_t pid)
{
	size_t i;

	for (i = 0; i < n_roots; i++)
		if (roots[i] == pid)
			return true;
	return false;
}

/* Adds pid to the tree unless it is there; grows it as needed. */
static void
tree_add(pid_t **tree, size_t *n, size_t *cap, pid_t pid)
{
	if (process_is_root(*tree, *n, pid))
		return;
	if (*n == *cap)
		*tree = xrealloc(*tree, (*cap = *cap ? *cap * 2 : 16) * sizeof(**tree));
	(*tree)[(*n)++] = pid;
}

/* The processes of the cgroup that the table holds, added to the tree. */
static void
process_cgroup_members(int cgroup, const struct proctab *t, pid_t **tree, size_t *n,
    size_t *cap)
{
	char *buf, *p, *end;
	pid_t pid;

	buf = xmalloc(65536);
	if (cgroup_read(cgroup, "cgroup.procs", buf, 65536) < 0) {
		free(buf);
		return;
	}
	for (p = buf; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		pid = (pid_t)strtol(p, &end, 10);
		if (end == p)
			break;
		if (proctab_find(t, pid) != NULL)
			tree_add(tree, n, cap, pid);
	}
	free(buf);
}

/* What the cgroup counts itself: its memory and CPU time, where it has them. */
static void
process_cgroup_totals(int cgroup, struct tree_sample *out)
{
	long tick = sysconf(_SC_CLK_TCK);
	uint64_t v;

	if (cgroup_read_u64(cgroup, "memory.current", NULL, &v) == 0) {
		out->rss_bytes = (double)v;
		out->cgroup_memory = true;
	}
	if (cgroup_read_u64(cgroup, "memory.max", NULL, &v) == 0 && v != CGROUP_MAX)
		out->memory_max = (double)v;
	if (cgroup_read_u64(cgroup, "cpu.stat", "usage_usec", &v) == 0)
		out->cpu_ticks = (double)v / 1e6 * (double)tick;
}

/*
 * The trees below the roots in table t, summed (roots[0] is the main
 * process); open fds only when asked (they are judged on the second
 * sample alone). Runs on the thread pool.
 */
static void
process_sample(const struct process_run *p, const struct proctab *t, bool fds,
    struct tree_sample *out)
{
	long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	const struct proc_info *pi;
	size_t n = 0, cap = 0, i, j, first, kids;
	pid_t *tree = NULL;

	memset(out, 0, sizeof(*out));
	out->taken_ms = t->taken_ms;
	for (i = 0; i < (size_t)p->n_roots; i++)
		if (proctab_find(t, p->roots[i]) != NULL) {
			tree_add(&tree, &n, &cap, p->roots[i]);
			out->alive |= p->roots[i] == p->roots[0];
		}
	if (p->cgroup >= 0)
		process_cgroup_members(p->cgroup, t, &tree, &n, &cap);
	/* Breadth first: the trees grow as children of their members are found. */
	for (j = 0; j < n; j++)
		for (kids = proctab_children(t, tree[j], &first); kids > 0; kids--, first++)
			tree_add(&tree, &n, &cap, t->by_pid[t->by_ppid[first]].id.pid);
	for (j = 0; j < n; j++) {
		pi = proctab_find(t, tree[j]);
		out->cpu_ticks += (double)pi->cpu_ticks;
		out->rss_bytes += (double)pi->rss_pages * (double)page;
		out->threads += (double)pi->threads;
		if (fds)
			out->fds += proc_count_fds(tree[j]);
		if (tree[j] == p->roots[0]) {
			out->uptime_s = t->uptime_s - (double)pi->id.start / (double)tick;
			out->main_start = pi->id.start;
		}
	}
	out->procs = (int)n;
	if (p->cgroup >= 0)
		process_cgroup_totals(p->cgroup, out);
	free(tree);
}

/*
 * The table for this round: the first takes the shared table if it is
 * recent (p->fresh_ms: a process check every 10 s has no use for a reading
 * of its own),
 * unless the main process is not in a table older than the run: it may
 * have started since. The second takes one at least the CPU window after
 * the first. With get, one is read if need be; else NULL if none will do.
 */
static struct proctab *
process_table(const struct process_run *p, struct proctab *(*get)(int64_t))
{
	int64_t not_before, since;
	struct proctab *t;

	if (p->round == 1)
		return get(p->s[0].taken_ms + PROCESS_CPU_WINDOW_MS);
	not_before = p->started_ms - p->fresh_ms;
	/*
	 * One the CPU window after the last run's sample, so that this sample
	 * is the run's last (process_since_last), when the window has passed;
	 * a run that starts within it takes two samples of its own.
	 */
	since = p->last_ms != 0 ? p->last_ms + PROCESS_CPU_WINDOW_MS : 0;
	if (since > not_before && since <= p->started_ms)
		not_before = since;
	if ((t = get(not_before)) == NULL)
		return NULL;
	if (t->taken_ms < p->started_ms && proctab_find(t, p->roots[0]) == NULL) {
		proctab_put(t);
		t = get(p->started_ms);
	}
	return t;
}

/*
 * Whether the last run's sample of the check may be this one's first: of
 * the same process (pid and start time), at least the CPU window and at
 * most PROCESS_CPU_SINCE_MAX_MS before s.
 */
static bool
process_since_last(const struct process_run *p, const struct tree_sample *s)
{
	int64_t age;

	if (p->last_ms == 0 || p->mem->main.start != s->main_start)
		return false;
	age = s->taken_ms - p->last_ms;
	return age >= PROCESS_CPU_WINDOW_MS && age <= PROCESS_CPU_SINCE_MAX_MS;
}

/* Open fds are judged on the last sample: this round's, when it may be the last. */
static bool
process_counts_fds(const struct process_run *p)
{
	return p->round == 1 || p->last_ms != 0;
}

/* A round on the thread pool: it may read /proc whole. */
static void
process_work(uv_work_t *req)
{
	struct process_run *p = req->data;
	struct proctab *t = process_table(p, proctab_get);

	process_sample(p, t, process_counts_fds(p), &p->s[p->round]);
	proctab_put(t);
}

/*
 * A round on the loop when a recent table will do: a lookup in memory and,
 * on the second, a count of /proc/PID/fd. At 1,000 checks a second, two
 * trips a check to the thread pool and back were 4,000 thread wakeups.
 */
static bool
process_sample_here(struct process_run *p)
{
	struct proctab *t = process_table(p, proctab_recent);

	if (t == NULL)
		return false;
	process_sample(p, t, process_counts_fds(p), &p->s[p->round]);
	proctab_put(t);
	return true;
}

static void	process_worked(uv_work_t *req, int status);

static void
process_second_round(uv_timer_t *timer)
{
	struct process_run *p = timer->data;

	p->round = 1;
	if (process_sample_here(p))
		process_worked(&p->work, 0);
	else if (uv_queue_work(timer->loop, &p->work, process_work, process_worked) != 0)
		process_worked(&p->work, UV_ECANCELED);
}

static void
process_free(struct process_run *p)
{
	if (p->cgroup >= 0)
		close(p->cgroup);
	free(p);
}

static void
process_timer_closed(uv_handle_t *handle)
{
	process_free(handle->data);
}

/* The timer is made only for a second round: most runs have none to close. */
static void
process_release(struct process_run *p)
{
	if (p->timer.loop != NULL)
		uv_close((uv_handle_t *)&p->timer, process_timer_closed);
	else
		process_free(p);
}

/* Checks a level; returns the worse state and appends to why. */
static enum health_state
process_limit(const char *what, double value, const struct limits *l,
    enum health_state state, char *why, size_t len)
{
	enum health_state s = HEALTH_HEALTHY;
	size_t used = strlen(why);

	if (l->crit > 0 && value >= l->crit)
		s = HEALTH_CRITICAL;
	else if (l->warn > 0 && value >= l->warn)
		s = HEALTH_WARNING;
	if (s != HEALTH_HEALTHY)
		snprintf(why + used, len - used, "%s%s %g >= %g", used ? ", " : "", what,
		    value, s == HEALTH_CRITICAL ? l->crit : l->warn);
	return health_state_worst(state, s);
}

static void
process_memory_free(void *state)
{
	struct process_memory *m = state;

	free(m->leak);
	free(m);
}

static struct process_memory *
process_memory_of(struct check_run *run)
{
	struct check_memory *m = run->memory;

	if (m == NULL)
		return NULL;
	if (m->state == NULL) {
		m->state = xcalloc(1, sizeof(struct process_memory));
		m->state_free = process_memory_free;
	}
	return m->state;
}

/*
 * The host's memory: the limit a leak grows to when neither the check nor
 * the service's cgroup names one.
 */
static double
host_memory(void)
{
	return (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
}

/*
 * This run's RSS added to the series the check keeps (reset when the main
 * process changes: a restart); a growth that fits and would reach the
 * limit within `within` makes it critical (warning within twice that).
 */
static enum health_state
process_leak(struct process_run *p, const struct tree_sample *t, char *why, size_t len,
    struct check_result *r)
{
	const struct process_check_conf *c = &p->run->conf->process;
	struct process_memory *mem = p->mem;
	double rss = t->rss_bytes, limit;
	enum health_state s = HEALTH_HEALTHY;
	struct leak_verdict v;
	char cur[32], lim[32], grow[32];
	size_t used = strlen(why);

	if (c->leak.window_ms <= 0 || mem == NULL)
		return HEALTH_HEALTHY;
	/* sysconf(_SC_PHYS_PAGES) is a sysinfo(2): only for a leak window. */
	limit = c->leak.limit > 0 ? c->leak.limit : t->memory_max > 0 ? t->memory_max :
	    c->rss.crit > 0 ? c->rss.crit : host_memory();
	if (mem->leak == NULL)
		mem->leak = xcalloc(1, sizeof(*mem->leak));
	leak_add(mem->leak, p->pid, clock_mono_ms(), rss, c->leak.window_ms);
	leak_judge(mem->leak, c->leak.window_ms, limit, &v);
	if (!v.judged)
		return HEALTH_HEALTHY;
	check_result_add_metric(r, "rss_growth", v.slope, "B");
	if (v.slope <= 0 || v.r2 < LEAK_MIN_R2 || v.eta_s < 0)
		return HEALTH_HEALTHY;
	check_result_add_metric(r, "leak_eta", v.eta_s, "s");
	if (v.eta_s * 1000.0 < (double)c->leak.within_ms)
		s = HEALTH_CRITICAL;
	else if (v.eta_s * 1000.0 < 2.0 * (double)c->leak.within_ms)
		s = HEALTH_WARNING;
	if (s == HEALTH_HEALTHY)
		return s;
	units_format_size(v.current, cur, sizeof(cur));
	units_format_size(limit, lim, sizeof(lim));
	units_format_size(v.slope, grow, sizeof(grow));
	snprintf(why + used, len - used, "%smemory leak: rss %s growing %s/s (r2 %.2f over "
	    "%llds), reaches %s in %.0fs", used ? ", " : "", cur, grow, v.r2,
	    (long long)(c->leak.window_ms / 1000), lim, v.eta_s);
	return s;
}

static void
process_judge(struct process_run *p, struct check_result *r)
{
	const struct process_check_conf *c = &p->run->conf->process;
	const struct tree_sample *s = &p->s[p->round];
	enum health_state state = HEALTH_HEALTHY;
	char why[512] = "";
	double cpu, window_s, since_ticks;
	int64_t since_ms;

	/* From the first round, or from the last run's sample (process_since_last). */
	since_ticks = p->round == 1 ? p->s[0].cpu_ticks : p->mem->cpu_ticks;
	since_ms = p->round == 1 ? p->s[0].taken_ms : p->last_ms;
	window_s = (double)(s->taken_ms - since_ms) / 1000.0;
	cpu = (s->cpu_ticks - since_ticks) / (double)sysconf(_SC_CLK_TCK) /
	    (window_s > 0 ? window_s : 1) * 100.0;
	if (cpu < 0)
		cpu = 0;
	state = process_limit("cpu%", cpu, &c->cpu, state, why, sizeof(why));
	state = process_limit("rss", s->rss_bytes, &c->rss, state, why, sizeof(why));
	state = process_limit("threads", s->threads, &c->threads, state, why, sizeof(why));
	state = process_limit("fds", s->fds, &c->fds, state, why, sizeof(why));
	state = health_state_worst(state, process_leak(p, s, why, sizeof(why), r));
	if (c->min_uptime_ms > 0 && s->uptime_s * 1000.0 < (double)c->min_uptime_ms) {
		state = health_state_worst(state, HEALTH_WARNING);
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "%sup only %.0fs",
		    why[0] ? ", " : "", s->uptime_s);
	}
	check_result_set(r, state, "pid %d: %d processes%s, cpu %.1f%%, %s %.1f MB, "
	    "%g threads, %g fds, up %.0fs%s%s", (int)p->pid, s->procs,
	    p->cgroup >= 0 ? " (cgroup)" : "", cpu, s->cgroup_memory ? "memory" : "rss",
	    s->rss_bytes / 1048576.0, s->threads, s->fds, s->uptime_s,
	    why[0] ? ": " : "", why);
	check_result_add_metric(r, "cpu", cpu, "%");
	check_result_add_metric(r, "rss", s->rss_bytes, "B");
	check_result_add_metric(r, "threads", s->threads, "");
	check_result_add_metric(r, "fds", s->fds, "");
	check_result_add_clock(r, "uptime", s->uptime_s);
	check_result_add_metric(r, "processes", s->procs, "");
}

/* A check that waits a second for its second sample (PROCESS_SECOND_SAMPLE_SLOW_MS). */
static bool
process_slow(const struct check_conf *c)
{
	return (c->every_ms == 0 || c->every_ms >= PROCESS_SLOW_EVERY_MS) &&
	    (c->timeout_ms == 0 || c->timeout_ms >= PROCESS_SLOW_TIMEOUT_MS);
}

static void
process_worked(uv_work_t *req, int status)
{
	struct process_run *p = req->data;
	struct check_run *run = p->run;
	struct check_result r;
	bool starting = p->starting;
	int64_t wait;

	p->starting = false;
	if (run == NULL) {
		process_release(p);
		return;
	}
	if (p->round == 0 && p->s[0].alive && !process_since_last(p, &p->s[0])) {
		wait = p->s[0].taken_ms - clock_mono_ms() + (process_slow(run->conf) ?
		    PROCESS_SECOND_SAMPLE_SLOW_MS : PROCESS_SECOND_SAMPLE_MS);
		uv_timer_init(run->env->loop, &p->timer);
		p->timer.data = p;
		uv_timer_start(&p->timer, process_second_round, wait > 0 ? (uint64_t)wait : 0,
		    0);
		return;
	}
	check_result_init(&r);
	if (!p->s[p->round].alive) {
		check_result_set(&r, HEALTH_CRITICAL, "pid %d is not running", (int)p->pid);
	} else {
		process_judge(p, &r);
		if (p->mem != NULL) {
			p->mem->main = (struct proc_id){ p->pid, p->s[p->round].main_start };
			p->mem->cpu_ticks = p->s[p->round].cpu_ticks;
			p->mem->taken_ms = p->s[p->round].taken_ms;
		}
	}
	r.latency_ms = check_run_elapsed_ms(run);
	/* A run ends after its start returns. */
	if (starting)
		check_run_report_soon(run, &r);
	else
		check_run_finish(run, &r);
	process_release(p);
	check_result_clear(&r);
}

static void
process_cancel(struct check_run *run)
{
	struct process_run *p = run->kind;

	p->run = NULL;
	/* Between the rounds only the timer is live; in a round, the work. */
	if (p->timer.loop != NULL && uv_is_active((uv_handle_t *)&p->timer)) {
		uv_timer_stop(&p->timer);
		process_release(p);
	} else {
		uv_cancel((uv_req_t *)&p->work);
	}
}

/* How old a first sample's table may be: half the interval, within bounds. */
static int64_t
process_fresh_ms(const struct check_conf *c)
{
	int64_t half = c->every_ms / 2;

	if (half < PROCESS_TABLE_FRESH_MS)
		return PROCESS_TABLE_FRESH_MS;
	return half > PROCESS_TABLE_FRESH_MAX_MS ? PROCESS_TABLE_FRESH_MAX_MS : half;
}

/* The processes to sum into roots, the main one first; how many (0: none, why says). */
static int
process_targets(struct check_run *run, pid_t *roots, int max, char *why, size_t len)
{
	const struct check_conf *c = run->conf;
	struct proc_info pi;
	int n = 0;

	/* The pidfile's rules apply: a planted pid would report a stranger. */
	if (c->process.pidfile != NULL) {
		if (pidfile_read(c->process.pidfile, &pi, why, len) != PIDFILE_PID)
			return 0;
		roots[0] = pi.id.pid;
		return 1;
	}
	if (run->env->service_pids != NULL)
		n = run->env->service_pids(run->env->service_pids_arg, c->service, roots, max);
	if (n <= 0 || roots[0] <= 0) {
		snprintf(why, len, "service %s is not running", c->service);
		return 0;
	}
	return n;
}

/* The service's cgroup, when it has one (not for a pidfile's process). */
static int
process_cgroup(struct check_run *run)
{
	const struct check_conf *c = run->conf;

	if (c->process.pidfile != NULL || run->env->service_cgroup == NULL ||
	    c->service == NULL)
		return -1;
	return run->env->service_cgroup(run->env->service_pids_arg, c->service);
}

void
check_process_start(struct check_run *run)
{
	struct process_run *p;
	pid_t roots[PROCESS_ROOTS_MAX];
	char why[1024] = "";
	int n = process_targets(run, roots, PROCESS_ROOTS_MAX, why, sizeof(why));

	if (n <= 0) {
		check_run_finish_soon(run, HEALTH_CRITICAL, "%s", why);
		return;
	}
	p = xcalloc(1, sizeof(*p));
	p->run = run;
	memcpy(p->roots, roots, (size_t)n * sizeof(*roots));
	p->n_roots = n;
	p->pid = roots[0];
	p->cgroup = process_cgroup(run);
	p->started_ms = clock_mono_ms();
	p->fresh_ms = process_fresh_ms(run->conf);
	p->mem = process_memory_of(run);
	if (p->mem != NULL && p->mem->main.pid == p->pid)
		p->last_ms = p->mem->taken_ms;
	p->work.data = p;
	run->kind = p;
	run->cancel = process_cancel;
	/* A dead pid goes the long way: a table read now may still have it. */
	if (process_sample_here(p) && p->s[0].alive) {
		p->starting = true;
		process_worked(&p->work, 0);
		return;
	}
	if (uv_queue_work(run->env->loop, &p->work, process_work, process_worked) != 0) {
		run->kind = NULL;
		run->cancel = NULL;
		process_release(p);
		check_run_finish_soon(run, HEALTH_UNKNOWN, "cannot queue the process check");
	}
}
