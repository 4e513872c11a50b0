/*
 * Under GitHub Actions: each attempt's output folded in a ::group::, a
 * ::warning:: per failure, an ::error:: when tend gives up, and a table of
 * the attempts appended to $GITHUB_STEP_SUMMARY.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/github.h"
#include "core/mem.h"
#include "net/retry_internal.h"

void
retry_github_group(struct retry_run *r, const struct retry_try *t)
{
	char *cmd, *esc, fb[32] = "";

	if (!r->o->github)
		return;
	if (t->command > 0)
		snprintf(fb, sizeof(fb), " (fallback %d)", t->command);
	cmd = retry_format_argv(t->argv);
	esc = github_escape(cmd);
	retry_printf(r->o->out_fd, "::group::attempt %d%s: %s\n", t->n, fb, esc);
	free(esc);
	free(cmd);
}

void
retry_github_heal_group(struct retry_run *r, const struct retry_try *t, const char *cmd)
{
	char *esc;

	if (!r->o->github)
		return;
	esc = github_escape(cmd);
	retry_printf(r->o->out_fd, "::group::heal (%s): %s\n",
	    failure_category_name((enum failure_category)t->category), esc);
	free(esc);
}

void
retry_github_endgroup(struct retry_run *r, const char *output)
{
	size_t n = output != NULL ? strlen(output) : 0;

	if (!r->o->github)
		return;
	/* A workflow command must start a line of its own. */
	retry_printf(r->o->out_fd, "%s::endgroup::\n",
	    n > 0 && output[n - 1] != '\n' ? "\n" : "");
}

void
retry_github_warning(struct retry_run *r, const struct retry_try *t)
{
	char *msg, *esc;

	if (!r->o->github)
		return;
	msg = xasprintf("%s: attempt %d failed (%s): exit %d: %s", r->o->label, t->n,
	    failure_category_name((enum failure_category)t->category), t->exit_code, t->why);
	esc = github_escape(msg);
	retry_printf(r->o->out_fd, "::warning::%s\n", esc);
	free(esc);
	free(msg);
}

void
retry_github_error(struct retry_run *r)
{
	char *esc;

	if (!r->o->github)
		return;
	esc = github_escape(r->rep.summary);
	retry_printf(r->o->out_fd, "::error::%s\n", esc);
	free(esc);
}

void
retry_github_step_summary(struct retry_run *r)
{
	const struct retry_options *o = r->o;
	const struct retry_try *t;
	char *cmd, took[32];
	size_t i;
	FILE *f;

	if (o->step_summary == NULL)
		return;
	if ((f = fopen(o->step_summary, "a")) == NULL) {
		retry_printf(o->err_fd, "%s: %s: %s\n", o->label, o->step_summary,
		    strerror(errno));
		return;
	}
	cmd = retry_format_argv(r->argv);
	fputs("### ", f);
	github_cell(f, o->label);
	fputs(": `", f);
	github_cell(f, cmd);
	fprintf(f, "`\n\n%s **", r->rep.succeeded ? "✅" : "❌");
	/* The summary line without its "label: " prefix. */
	github_cell(f, r->rep.summary + strlen(o->label) + 2);
	fputs("**\n\n| # | command | exit | category | time | detail |\n"
	    "| ---: | --- | ---: | --- | ---: | --- |\n", f);
	for (i = 0; i < r->n_tries; i++) {
		t = &r->tries[i];
		retry_format_elapsed(t->elapsed_ms, took, sizeof(took));
		fprintf(f, "| %d | ", t->n);
		if (t->command == 0)
			fputs("main", f);
		else
			fprintf(f, "fallback %d", t->command);
		fprintf(f, " | %d%s | %s | %s | ", t->exit_code, t->timed_out ? " (timeout)" : "",
		    t->category >= 0 ?
		    failure_category_name((enum failure_category)t->category) : "", took);
		github_cell(f, t->why);
		if (t->heal != NULL) {
			fputs(t->why[0] != '\0' ? "; heal: " : "heal: ", f);
			github_cell(f, t->heal);
		}
		fputs(" |\n", f);
	}
	fputc('\n', f);
	free(cmd);
	if (fclose(f) != 0)
		retry_printf(o->err_fd, "%s: %s: %s\n", o->label, o->step_summary,
		    strerror(errno));
}
