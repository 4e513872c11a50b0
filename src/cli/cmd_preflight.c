/*
 * tend preflight: the pre-push / pre-deploy gate, every validator tend has
 * in one command. The config is loaded and validated here first (nothing
 * else can run without it); then each other step runs in a child of tend
 * of its own, all at the same time, so that a slow one (DNS, a check's
 * timeout, an installer) delays none of the others, and one that hangs is
 * killed at its deadline without taking the report with it. A child sends
 * its outcome back as one JSON document on a pipe (preflight.h).
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/preflight.h"
#include "cli/table.h"
#include "config/config.h"
#include "config/units.h"
#include "core/clock.h"
#include "core/fdio.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "core/strv.h"

#define PREFLIGHT_TIMEOUT_MS	20000	/* per step: the whole stays well under 30 s */
#define PREFLIGHT_RESULT_MAX	(4 * 1024 * 1024)

enum pf_format { PF_TEXT, PF_MARKDOWN, PF_JSON };

struct pf_step {
	const char	*name;
	json_t		*(*run)(const struct preflight *p);
	const char	*advice;	/* what to do when it fails */
	/*
	 * With --fix, the waves run one after the other, what fixes before what
	 * would see its fixes: permissions (the state dir deps installs through)
	 * 1, deps 2, the rest 0, last. Without --fix, all at once.
	 */
	int		 wave;
};

static const struct pf_step pf_steps[] = {
	{ "config", NULL, "Fix what the errors say (file:line:col); `tend validate -c FILE` "
	    "shows the same.", 0 },
	{ "environment", preflight_environment, "`tend validate --environment` lists each "
	    "item: a program missing on this machine, a state dir tend run would refuse, a "
	    "host that does not resolve.", 0 },
	{ "deps", preflight_deps, "`tend preflight --fix` (or `tend deps install`) installs "
	    "what is missing through the declared installers.", 2 },
	{ "scan", preflight_scan, "Declare what the code uses: `tend deps scan PATH --fix` "
	    "adds a deps check to the config.", 0 },
	{ "checks", preflight_checks, "`tend check -v` shows each check's output; `tend "
	    "validate-and-heal` heals what a plan can heal.", 0 },
	{ "permissions", preflight_permissions, "`tend preflight --fix` sets the modes tend "
	    "makes (state dir 0750, token 0600); a cwd, a pidfile's directory or a path "
	    "that is missing is for you to make.", 1 },
	{ "chaos", preflight_chaos, "`tend chaos list` shows each experiment; `tend chaos "
	    "run NAME` runs one against the daemon.", 0 },
};
#define PF_N_STEPS	(sizeof(pf_steps) / sizeof(pf_steps[0]))

struct pf_run {
	pid_t		 pid;		/* 0: not running */
	int		 fd;		/* the result pipe, -1 when closed */
	char		*buf;
	size_t		 len;
	int64_t		 started;
	int64_t		 deadline;
	int64_t		 duration_ms;
	bool		 timed_out;
	json_t		*outcome;
};

struct pf_options {
	struct preflight p;
	enum pf_format	 format;
	const char	*output;
	char		**skip;
	bool		 install_hook;
	bool		 force;
	int64_t		 timeout_ms;
};

static void
pf_usage(FILE *out)
{
	fputs("usage: tend preflight [-c FILE] [--state-dir DIR] [--skip STEP]... [--fix]\n"
	    "                      [--source PATH]... [--timeout DURATION]\n"
	    "                      [--format text|markdown|json] [--output FILE]\n"
	    "       tend preflight --install-hook [-c FILE] [--force]\n"
	    "  steps: config environment deps scan checks permissions, in parallel;\n"
	    "  exit 0 when none failed, 1 when one did, 2 for a usage error\n", out);
}

enum { PF_OPT_STATE_DIR = 256, PF_OPT_SKIP, PF_OPT_FIX, PF_OPT_SOURCE, PF_OPT_OUTPUT,
	PF_OPT_HOOK, PF_OPT_FORCE, PF_OPT_TIMEOUT };

static const struct option pf_long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, PF_OPT_STATE_DIR },
	{ "skip", required_argument, NULL, PF_OPT_SKIP },
	{ "fix", no_argument, NULL, PF_OPT_FIX },
	{ "source", required_argument, NULL, PF_OPT_SOURCE },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, PF_OPT_OUTPUT },
	{ "install-hook", no_argument, NULL, PF_OPT_HOOK },
	{ "force", no_argument, NULL, PF_OPT_FORCE },
	{ "timeout", required_argument, NULL, PF_OPT_TIMEOUT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
pf_step_index(const char *name)
{
	size_t i;

	for (i = 0; i < PF_N_STEPS; i++)
		if (strcmp(pf_steps[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
pf_parse_value(struct pf_options *o, int c, const char *arg)
{
	const char *expected;

	switch (c) {
	case PF_OPT_SKIP:
		if (pf_step_index(arg) <= 0) {
			fprintf(stderr, "tend preflight: --skip %s: expected one of environment, "
			    "deps, scan, checks, permissions (every step needs the config)\n",
			    arg);
			return 2;
		}
		o->skip = strv_push(o->skip, arg);
		return 0;
	case 'f':
		if (strcmp(arg, "text") == 0)
			o->format = PF_TEXT;
		else if (strcmp(arg, "markdown") == 0)
			o->format = PF_MARKDOWN;
		else if (strcmp(arg, "json") == 0)
			o->format = PF_JSON;
		else {
			fprintf(stderr, "tend preflight: --format %s: expected text, markdown "
			    "or json\n", arg);
			return 2;
		}
		return 0;
	case PF_OPT_TIMEOUT:
		if (units_parse_duration(arg, &o->timeout_ms, &expected) != 0 ||
		    o->timeout_ms <= 0) {
			fprintf(stderr, "tend preflight: --timeout %s: expected a duration "
			    "such as 20s\n", arg);
			return 2;
		}
		return 0;
	}
	return 2;
}

/* 0, 2 (usage, said) or -1 for help. */
static int
pf_parse(int argc, char **argv, struct pf_options *o)
{
	int c;

	o->timeout_ms = PREFLIGHT_TIMEOUT_MS;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:f:h", pf_long_options, NULL)) != -1) {
		switch (c) {
		case 'c': o->p.opts.config_path = optarg; break;
		case PF_OPT_STATE_DIR: o->p.opts.state_dir = optarg; break;
		case PF_OPT_FIX: o->p.fix = true; break;
		case PF_OPT_SOURCE: o->p.sources = strv_push(o->p.sources, optarg); break;
		case PF_OPT_OUTPUT: o->output = optarg; break;
		case PF_OPT_HOOK: o->install_hook = true; break;
		case PF_OPT_FORCE: o->force = true; break;
		case PF_OPT_SKIP:
		case PF_OPT_TIMEOUT:
		case 'f':
			if (pf_parse_value(o, c, optarg) != 0)
				return 2;
			break;
		case 'h':
			pf_usage(stdout);
			return -1;
		default:
			pf_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tend preflight: unexpected '%s'\n", argv[optind]);
		return 2;
	}
	if (o->force && !o->install_hook) {
		fprintf(stderr, "tend preflight: --force goes with --install-hook\n");
		return 2;
	}
	return 0;
}

/* The config step, here: every error with its position, or what was loaded. */
static json_t *
pf_config(struct preflight *p)
{
	struct config_errors errs = { 0 };
	json_t *o;
	size_t i;
	char *line;

	if ((p->cfg = cli_validate_config(&p->opts, &errs)) == NULL) {
		o = preflight_outcome("failed", "%zu errors", errs.n);
		for (i = 0; i < errs.n; i++) {
			line = config_error_line(&errs.v[i]);
			preflight_note(o, "details", "%s", line);
			free(line);
		}
		config_errors_clear(&errs);
		return o;
	}
	p->state_dir = statedir_resolve(p->opts.state_dir, p->cfg->state_dir);
	return preflight_outcome("ok", "%s: %zu services, %zu checks, %zu snapshot sets",
	    p->cfg->source, p->cfg->n_services, p->cfg->n_checks, p->cfg->n_snapshots);
}

/*
 * The child: its outcome onto fd, nothing else. What the step's code
 * prints (installers' progress, logs) goes to /dev/null: the report is
 * the parent's. _exit, so that nothing the parent buffered is written
 * twice.
 */
static void __attribute__((noreturn))
pf_child(const struct preflight *p, const struct pf_step *s, int fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	json_t *o;
	char *text;

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	o = s->run(p);
	text = json_dumps(o, JSON_COMPACT);
	if (text != NULL)
		fd_write_all(fd, text, strlen(text));
	_exit(0);
}

static void
pf_start(const struct pf_options *o, const struct pf_step *s, struct pf_run *r)
{
	int fds[2];

	r->fd = -1;
	r->started = clock_mono_ms();
	r->deadline = r->started + o->timeout_ms;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		r->outcome = preflight_outcome("failed", "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	fflush(stderr);
	r->pid = fork();
	if (r->pid == 0) {
		close(fds[0]);
		pf_child(&o->p, s, fds[1]);
	}
	close(fds[1]);
	if (r->pid < 0) {
		r->pid = 0;
		close(fds[0]);
		r->outcome = preflight_outcome("failed", "fork: %s", strerror(errno));
		return;
	}
	r->fd = fds[0];
}

/* Reads what is there; at the end (or past the cap), closes. */
static void
pf_read(struct pf_run *r)
{
	char chunk[65536];
	ssize_t n;

	n = read(r->fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0 && r->len + (size_t)n <= PREFLIGHT_RESULT_MAX) {
		r->buf = xrealloc(r->buf, r->len + (size_t)n + 1);
		memcpy(r->buf + r->len, chunk, (size_t)n);
		r->len += (size_t)n;
		r->buf[r->len] = '\0';
		return;
	}
	close(r->fd);
	r->fd = -1;
}

/* The child's end: its outcome, or why there is none. Its pid is ours to signal until reaped. */
static void
pf_finish(struct pf_run *r, int64_t timeout_ms)
{
	int status = 0;

	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
	if (r->timed_out)
		kill(r->pid, SIGKILL);
	while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
		;
	r->pid = 0;
	r->duration_ms = clock_mono_ms() - r->started;
	if (r->timed_out)
		r->outcome = preflight_outcome("failed", "timed out after %lld ms (--timeout)",
		    (long long)timeout_ms);
	else if (r->buf == NULL || (r->outcome = json_loads(r->buf, 0, NULL)) == NULL ||
	    !json_is_object(r->outcome))
		r->outcome = preflight_outcome("failed", "the step ended without a result "
		    "(%s %d)", WIFSIGNALED(status) ? "signal" : "exit", WIFSIGNALED(status) ?
		    WTERMSIG(status) : WEXITSTATUS(status));
	free(r->buf);
	r->buf = NULL;
}

static void
pf_read_ready(struct pf_run *r, const struct pollfd *pfd, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pfd[i].fd == r->fd && pfd[i].revents != 0)
			pf_read(r);
}

/* Waits for every child: its pipe's end, or its deadline. */
static void
pf_wait(const struct pf_options *o, struct pf_run *runs)
{
	struct pollfd pfd[PF_N_STEPS];
	size_t i, n;
	int64_t now, wait_ms;

	for (;;) {
		now = clock_mono_ms();
		wait_ms = -1;
		for (i = 0, n = 0; i < PF_N_STEPS; i++) {
			if (runs[i].pid == 0)
				continue;
			if (runs[i].fd < 0 || now >= runs[i].deadline) {
				runs[i].timed_out = runs[i].fd >= 0;
				pf_finish(&runs[i], o->timeout_ms);
				continue;
			}
			pfd[n].fd = runs[i].fd;
			pfd[n++].events = POLLIN;
			if (wait_ms < 0 || runs[i].deadline - now < wait_ms)
				wait_ms = runs[i].deadline - now;
		}
		if (n == 0)
			return;
		if (poll(pfd, n, (int)wait_ms) < 0 && errno != EINTR)
			for (i = 0; i < PF_N_STEPS; i++)
				runs[i].deadline = now;	/* cannot wait: end them all */
		for (i = 0; i < PF_N_STEPS; i++)
			if (runs[i].pid != 0 && runs[i].fd >= 0)
				pf_read_ready(&runs[i], pfd, n);
	}
}

static const char *
pf_status(const json_t *outcome)
{
	return json_string_value(json_object_get(outcome, "status")) ?: "failed";
}

/* Every step's outcome, with its name and duration, and the summary. */
static json_t *
pf_report(const struct pf_options *o, struct pf_run *runs, int64_t total_ms)
{
	json_t *steps = json_array(), *sum = json_pack("{s:i, s:i, s:i, s:i}", "ok", 0,
	    "warning", 0, "failed", 0, "skipped", 0), *n, *step;
	const char *st;
	size_t i;

	for (i = 0; i < PF_N_STEPS; i++) {
		step = json_pack("{s:s, s:s, s:I}", "name", pf_steps[i].name, "status",
		    pf_status(runs[i].outcome), "duration_ms", (json_int_t)runs[i].duration_ms);
		json_object_update_missing(step, runs[i].outcome);
		json_decref(runs[i].outcome);
		st = pf_status(step);
		if ((n = json_object_get(sum, st)) != NULL)
			json_integer_set(n, json_integer_value(n) + 1);
		json_array_append_new(steps, step);
	}
	return json_pack("{s:b, s:s, s:b, s:I, s:o, s:o}", "ok",
	    json_integer_value(json_object_get(sum, "failed")) == 0, "config",
	    o->p.cfg != NULL ? o->p.cfg->source : (o->p.opts.config_path ?: "<default>"),
	    "fix", o->p.fix, "duration_ms", (json_int_t)total_ms, "summary", sum, "steps",
	    steps);
}

static void
pf_print_lines(FILE *out, const json_t *step, const char *key, const char *lead)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(step, key), i, v)
		cli_printf(out, "%s%s\n", lead, json_string_value(v));
}

static void
pf_print_text(FILE *out, const json_t *doc)
{
	const json_t *step, *sum = json_object_get(doc, "summary");
	size_t i;

	json_array_foreach(json_object_get(doc, "steps"), i, step) {
		cli_printf(out, "%-8s %-12s %6lld ms  %s\n", pf_status(step),
		    json_string_value(json_object_get(step, "name")),
		    (long long)json_integer_value(json_object_get(step, "duration_ms")),
		    json_string_value(json_object_get(step, "reason")) ?: "");
		pf_print_lines(out, step, "details", "    ");
		pf_print_lines(out, step, "fixed", "    fixed: ");
	}
	fprintf(out, "preflight: %lld ok, %lld warnings, %lld failed, %lld skipped in %lld ms\n",
	    json_integer_value(json_object_get(sum, "ok")),
	    json_integer_value(json_object_get(sum, "warning")),
	    json_integer_value(json_object_get(sum, "failed")),
	    json_integer_value(json_object_get(sum, "skipped")),
	    json_integer_value(json_object_get(doc, "duration_ms")));
}

/* A markdown table cell: one line, its pipes escaped. */
static void
pf_md_cell(FILE *out, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

static void
pf_print_markdown(FILE *out, const json_t *doc)
{
	const json_t *step;
	const char *st;
	size_t i;
	bool any = false;

	fprintf(out, "# tend preflight: %s\n\n", json_is_true(json_object_get(doc, "ok")) ?
	    "passed" : "failed");
	cli_printf(out, "Config `%s`, %lld ms.\n", json_string_value(json_object_get(doc,
	    "config")), json_integer_value(json_object_get(doc, "duration_ms")));
	fputs("\n| step | result | time | why |\n| --- | --- | ---: | --- |\n", out);
	json_array_foreach(json_object_get(doc, "steps"), i, step) {
		cli_printf(out, "| %s | %s | %lld ms | ", pf_steps[i].name, pf_status(step),
		    json_integer_value(json_object_get(step, "duration_ms")));
		pf_md_cell(out, json_string_value(json_object_get(step, "reason")));
		fputs(" |\n", out);
	}
	json_array_foreach(json_object_get(doc, "steps"), i, step) {
		st = pf_status(step);
		if (strcmp(st, "failed") != 0 && strcmp(st, "warning") != 0 &&
		    json_object_get(step, "fixed") == NULL)
			continue;
		if (!any)
			fputs("\n## Recommendations\n", out);
		any = true;
		fputs("\n", out);
		cli_printf(out, "### %s: %s\n", pf_steps[i].name, st);
		fputs("\n", out);
		pf_print_lines(out, step, "details", "- ");
		pf_print_lines(out, step, "fixed", "- fixed: ");
		if (strcmp(st, "ok") != 0)
			fprintf(out, "\n%s\n", pf_steps[i].advice);
	}
}

static int
pf_emit(const struct pf_options *o, json_t *doc)
{
	FILE *out = stdout;
	char *text;
	int fd;

	if (o->output != NULL) {
		fd = open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
			fprintf(stderr, "tend preflight: %s: %s\n", o->output, strerror(errno));
			if (fd >= 0)
				close(fd);
			return 2;
		}
	}
	if (o->format == PF_JSON) {
		text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fprintf(out, "%s\n", text);
		free(text);
	} else if (o->format == PF_MARKDOWN) {
		pf_print_markdown(out, doc);
	} else {
		pf_print_text(out, doc);
	}
	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "tend preflight: %s: %s\n", o->output, strerror(errno));
		return 2;
	}
	if (out != stdout)
		printf("preflight: %s; report in %s\n", json_is_true(json_object_get(doc,
		    "ok")) ? "passed" : "failed", o->output);
	return 0;
}

/* Starts the steps after config of one wave (with --fix), or all of them. */
static void
pf_start_wave(struct pf_options *o, struct pf_run *runs, int wave)
{
	size_t i;

	for (i = 1; i < PF_N_STEPS; i++) {
		if (o->p.fix && pf_steps[i].wave != wave)
			continue;
		if (strv_contains(o->skip, pf_steps[i].name))
			runs[i].outcome = preflight_outcome("skipped", "--skip %s",
			    pf_steps[i].name);
		else if (o->p.cfg == NULL)
			runs[i].outcome = preflight_outcome("skipped", "the config does not "
			    "load");
		else
			pf_start(o, &pf_steps[i], &runs[i]);
	}
}

/* Runs the steps: config here, the others in children, at once. */
static json_t *
pf_run_all(struct pf_options *o)
{
	struct pf_run runs[PF_N_STEPS];
	int64_t start = clock_mono_ms();

	memset(runs, 0, sizeof(runs));
	runs[0].started = start;
	runs[0].outcome = pf_config(&o->p);
	runs[0].duration_ms = clock_mono_ms() - start;
	/* With --fix, what fixes runs before what would see the fixes. */
	if (o->p.fix) {
		pf_start_wave(o, runs, 1);
		pf_wait(o, runs);
		pf_start_wave(o, runs, 2);
		pf_wait(o, runs);
	}
	pf_start_wave(o, runs, 0);
	pf_wait(o, runs);
	return pf_report(o, runs, clock_mono_ms() - start);
}

int
cmd_preflight(int argc, char **argv)
{
	struct pf_options o;
	json_t *doc;
	int rc;

	memset(&o, 0, sizeof(o));
	if ((rc = pf_parse(argc, argv, &o)) != 0) {
		rc = rc < 0 ? 0 : rc;
		goto done;
	}
	if (o.install_hook) {
		rc = preflight_install_hook(o.p.opts.config_path, o.force);
		goto done;
	}
	doc = pf_run_all(&o);
	rc = pf_emit(&o, doc);
	if (rc == 0)
		rc = json_is_true(json_object_get(doc, "ok")) ? 0 : 1;
	json_decref(doc);
done:
	if (o.p.cfg != NULL)
		config_free(o.p.cfg);
	free(o.p.state_dir);
	strv_free(o.p.sources);
	strv_free(o.skip);
	return rc;
}
