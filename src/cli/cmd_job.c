/*
 * tend job NAME [--timeout D] -- CMD [ARG...]: a cron job run under tend's
 * eye (docs/heartbeats.md). Its heartbeat check NAME is pinged --start
 * before and, after, pinged or (a non-zero exit, a signal, the timeout)
 * failed with what happened and its last line; the run — start, end, exit,
 * the end of its output — is recorded in the store (job_runs) for `tend
 * jobs`. What it prints still goes to tend job's own output (cron mails
 * it). Exit: the job's status; 128 + the signal; 124 after the timeout.
 *
 * tend jobs [NAME] [--since D] [--format text|json]: those runs, newest
 * first.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "cli/table.h"
#include "config/config.h"
#include "config/units.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/procid.h"
#include "core/procspawn.h"
#include "core/text.h"
#include "store/jobs.h"
#include "store/read.h"
#include "store/store.h"

#define JOB_TAIL		4096	/* bytes of its output kept */
#define JOB_KILL_GRACE_MS	5000	/* after the timeout's TERM, then KILL */
#define JOB_EXIT_TIMEOUT	124	/* as timeout(1) */

struct job {
	struct cli_options opts;
	const char	*name;
	char		**argv;
	int64_t		 timeout_ms;	/* 0: none */
	bool		 heartbeat;	/* NAME is a heartbeat check: pinged */
	char		 tail[JOB_TAIL];	/* a ring once full */
	size_t		 tail_at;	/* where the next byte goes */
	bool		 tail_full;
	int		 status;
	bool		 timed_out;
};

static void
job_usage(FILE *f)
{
	fputs("usage: tend job NAME [--timeout DURATION] [-c FILE] [--state-dir DIR] -- "
	    "CMD [ARG...]\n       tend jobs [NAME] [--since DURATION] [--format text|json] "
	    "[-c FILE] [--state-dir DIR]\n", f);
}

/* Pings NAME's heartbeat through the daemon; a daemon that is not there is said once. */
static void
job_ping(struct job *j, const char *kind, const char *message)
{
	static bool said;
	json_t *answer;

	if (!j->heartbeat)
		return;
	answer = cli_call_quiet(&j->opts, json_pack("{s:s, s:s, s:s, s:s*}", "cmd", "ping",
	    "check", j->name, "kind", kind, "message", message));
	if (answer == NULL && !said) {
		fprintf(stderr, "tend job: the daemon did not take the ping of %s\n", j->name);
		said = true;
	}
	json_decref(answer);
}

/* What the job printed, to our own output and into the tail. */
static void
job_keep(struct job *j, const char *buf, size_t n)
{
	size_t i;

	(void)!write(STDOUT_FILENO, buf, n);
	for (i = 0; i < n; i++) {
		j->tail[j->tail_at] = buf[i];
		j->tail_at = (j->tail_at + 1) % JOB_TAIL;
		if (j->tail_at == 0)
			j->tail_full = true;
	}
}

/* The tail in order, from its first whole line, redacted and valid UTF-8; free it. */
static char *
job_tail_text(const struct job *j)
{
	size_t n = j->tail_full ? JOB_TAIL : j->tail_at, start = j->tail_full ? j->tail_at : 0;
	char *raw = xcalloc(n + 1, 1), *nl, *out;
	size_t i;

	for (i = 0; i < n; i++)
		if ((raw[i] = j->tail[(start + i) % JOB_TAIL]) == '\0')
			raw[i] = ' ';
	nl = j->tail_full ? strchr(raw, '\n') : NULL;
	out = text_redact(nl != NULL ? nl + 1 : raw);
	free(raw);
	return out;
}

/* Reads the job's output until it ends or the timeout; TERM then KILL past it. */
static void
job_watch(struct job *j, pid_t pid, int fd)
{
	int64_t start = clock_mono_ms(), now, wait_ms;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	bool termed = false;
	char buf[4096];
	ssize_t n;

	for (;;) {
		now = clock_mono_ms();
		wait_ms = -1;
		if (j->timeout_ms > 0) {
			if (!termed && now - start >= j->timeout_ms) {
				proc_kill(-pid, SIGTERM, true);
				termed = j->timed_out = true;
			} else if (termed && now - start >= j->timeout_ms + JOB_KILL_GRACE_MS) {
				proc_kill(-pid, SIGKILL, false);
			}
			wait_ms = termed ? 100 : j->timeout_ms - (now - start);
			/* poll takes an int: a long timeout is waited out a minute at a time. */
			if (wait_ms > 60000)
				wait_ms = 60000;
		}
		if (poll(&pfd, 1, (int)wait_ms) < 0 && errno != EINTR)
			break;
		if (pfd.revents == 0)
			continue;
		if ((n = read(fd, buf, sizeof(buf))) > 0)
			job_keep(j, buf, (size_t)n);
		else if (n == 0 || errno != EINTR)
			break;
	}
	while (waitpid(pid, &j->status, 0) < 0 && errno == EINTR)
		;
	/* What the job's group left behind goes with it. */
	proc_kill(-pid, SIGKILL, false);
}

/* The last line of text, trailing newlines aside: *n bytes from the result. */
static const char *
job_last_line(const char *text, size_t *n)
{
	const char *end = text + strlen(text), *line;

	while (end > text && end[-1] == '\n')
		end--;
	for (line = end; line > text && line[-1] != '\n'; line--)
		;
	*n = (size_t)(end - line);
	return line;
}

/* "exit 3", "killed by SIGKILL", "timed out after 30s" — and its last line. */
static void
job_outcome(const struct job *j, const char *tail, char *buf, size_t len)
{
	const char *line;
	char d[32];
	size_t used, n;

	if (j->timed_out) {
		units_format_duration(j->timeout_ms, d, sizeof(d));
		snprintf(buf, len, "timed out after %s", d);
	} else if (WIFSIGNALED(j->status)) {
		snprintf(buf, len, "killed by SIG%s", sigabbrev_np(WTERMSIG(j->status)));
	} else {
		snprintf(buf, len, "exit %d", WEXITSTATUS(j->status));
	}
	line = job_last_line(tail, &n);
	used = strlen(buf);
	if (n > 0)
		snprintf(buf + used, len - used, ": %.*s", (int)n, line);
}

static void
job_record(struct job *j, int64_t started, int64_t ended, const char *tail)
{
	struct store_job_run r = { .name = j->name, .started_at = started, .ended_at = ended,
	    .timed_out = j->timed_out, .output = tail };
	char *dir = cli_state_dir(&j->opts), *db = xasprintf("%s/tend.db", dir), err[512];
	struct store *st = store_open_brief(db, err, sizeof(err));

	if (WIFSIGNALED(j->status))
		r.signal = WTERMSIG(j->status);
	else
		r.exit_code = WEXITSTATUS(j->status);
	if (st == NULL || store_job_insert(st, &r, err, sizeof(err)) < 0)
		fprintf(stderr, "tend job: the run of %s is not recorded: %s\n", j->name, err);
	store_close(st);
	free(db);
	free(dir);
}

static int
job_parse(int argc, char **argv, struct job *j)
{
	enum { OPT_STATE_DIR = 256, OPT_TIMEOUT };
	static const struct option options[] = {
		{ "config", 1, NULL, 'c' }, { "state-dir", 1, NULL, OPT_STATE_DIR },
		{ "timeout", 1, NULL, OPT_TIMEOUT }, { "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *expected;
	int c, dd;

	/* --help alone has no "--" to look for: the man page is made from it. */
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		job_usage(stdout);
		return -1;
	}
	/* tend's options and NAME before "--", the command after it, whatever it looks like. */
	for (dd = 1; dd < argc && strcmp(argv[dd], "--") != 0; dd++)
		;
	if (dd >= argc - 1) {
		fprintf(stderr, "tend job: expected -- and the command after it\n");
		job_usage(stderr);
		return 2;
	}
	optind = 1;
	while ((c = getopt_long(dd, argv, "c:h", options, NULL)) != -1) {
		switch (c) {
		case 'c': j->opts.config_path = optarg; break;
		case OPT_STATE_DIR: j->opts.state_dir = optarg; break;
		case OPT_TIMEOUT:
			if (units_parse_duration(optarg, &j->timeout_ms, &expected) < 0 ||
			    j->timeout_ms <= 0) {
				fprintf(stderr, "tend job: --timeout '%s': expected %s\n", optarg,
				    expected);
				return 2;
			}
			break;
		case 'h':
			job_usage(stdout);
			return -1;
		default:
			job_usage(stderr);
			return 2;
		}
	}
	if (optind != dd - 1 || *argv[optind] == '\0') {
		job_usage(stderr);
		return 2;
	}
	j->name = argv[optind];
	j->argv = argv + dd + 1;
	return 0;
}

int
cmd_job(int argc, char **argv)
{
	struct job j = { 0 };
	struct tend_config *cfg;
	const struct check_conf *ck;
	struct procspawn sp = { .umask = -1 };
	int rc = job_parse(argc, argv, &j), pipefd[2];
	int64_t started, ended;
	char err[512], outcome[600], *tail;
	pid_t pid;

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if ((cfg = cli_load_config(j.opts.config_path, stderr)) == NULL)
		return 2;
	ck = config_find_check(cfg, j.name);
	j.heartbeat = ck != NULL && ck->type == CHECK_HEARTBEAT;
	if (!j.heartbeat)
		fprintf(stderr, "tend job: no heartbeat check named %s: the run is recorded, "
		    "nothing is pinged\n", j.name);
	config_free(cfg);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		fprintf(stderr, "tend job: pipe: %s\n", strerror(errno));
		return 1;
	}
	sp.argv = j.argv;
	sp.env = environ;
	sp.fd[0] = STDIN_FILENO;
	sp.fd[1] = sp.fd[2] = pipefd[1];
	job_ping(&j, "start", NULL);
	started = clock_wall_ms();
	rc = procspawn_start(&sp, &pid, err, sizeof(err));
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		fprintf(stderr, "tend job: cannot start: %s\n", err);
		j.status = 127 << 8;
		job_keep(&j, err, strlen(err));
	} else {
		job_watch(&j, pid, pipefd[0]);
		close(pipefd[0]);
	}
	ended = clock_wall_ms();
	tail = job_tail_text(&j);
	job_outcome(&j, tail, outcome, sizeof(outcome));
	if (!j.timed_out && WIFEXITED(j.status) && WEXITSTATUS(j.status) == 0)
		job_ping(&j, "ping", NULL);
	else
		job_ping(&j, "fail", outcome);
	job_record(&j, started, ended, tail);
	free(tail);
	if (j.timed_out)
		return JOB_EXIT_TIMEOUT;
	return WIFSIGNALED(j.status) ? 128 + WTERMSIG(j.status) : WEXITSTATUS(j.status);
}

/* `tend jobs`: the recorded runs, newest first. */
static void
jobs_print(json_t *runs)
{
	static const struct table_column cols[] = {
		{ "JOB", 4, false, 0 }, { "STARTED", 19, false, 0 },
		{ "TOOK", 6, true, 0 }, { "RESULT", 6, false, 0 }, { "LAST LINE", 0, false, 0 },
	};
	struct table *t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	char started[32], took[32], result[64], *last;
	const char *out, *line;
	json_t *r;
	size_t i, n;

	json_array_foreach(runs, i, r) {
		cli_format_time(json_integer_value(json_object_get(r, "started_at")), true, started,
		    sizeof(started));
		units_format_duration(json_integer_value(json_object_get(r, "duration_ms")), took,
		    sizeof(took));
		if (json_is_true(json_object_get(r, "timed_out")))
			snprintf(result, sizeof(result), "timed out");
		else if (json_is_integer(json_object_get(r, "signal")))
			snprintf(result, sizeof(result), "SIG%s", sigabbrev_np((int)
			    json_integer_value(json_object_get(r, "signal"))));
		else
			snprintf(result, sizeof(result), "exit %lld", (long long)
			    json_integer_value(json_object_get(r, "exit_code")));
		out = json_string_value(json_object_get(r, "output"));
		line = job_last_line(out != NULL ? out : "", &n);
		last = xstrndup(line, n);
		table_row(t, (const char *const[]){ json_string_value(json_object_get(r, "name")),
		    started, took, result, last });
		free(last);
	}
	table_print(t, stdout);
	table_free(t);
}

int
cmd_jobs(struct cli_options *opts)
{
	const char *name = opts->n_args > 0 ? opts->args[0] : NULL;
	int64_t since_ms;
	json_t *runs;
	sqlite3 *db;
	char *path;
	int rc;

	if (opts->n_args > 1) {
		job_usage(stderr);
		return 2;
	}
	if (cli_since("jobs", opts, "7d", &since_ms) != 0)
		return 2;
	if ((rc = cli_store_open(opts, &db, &path)) != 0) {
		if (rc == 1)
			printf(opts->format == OUTPUT_JSON ? "[]\n" : "no job has run yet\n");
		free(path);
		return rc == 1 ? 0 : 1;
	}
	free(path);
	runs = store_read_jobs(db, name, since_ms, 1000);
	sqlite3_close(db);
	if (opts->format == OUTPUT_JSON) {
		json_dumpf(runs, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (json_array_size(runs) == 0)
		printf("no run since %s ago\n", opts->since != NULL ? opts->since : "7d");
	else
		jobs_print(runs);
	json_decref(runs);
	return 0;
}
