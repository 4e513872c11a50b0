/*
 * GitHub Actions output, for the commands that report to a workflow
 * (tend check, tend retry, tend guard): workflow command data escaped so
 * a message cannot end its line early, and Markdown table cells for
 * $GITHUB_STEP_SUMMARY that the world's text cannot break out of.
 */
#ifndef TEND_CORE_GITHUB_H
#define TEND_CORE_GITHUB_H

#include <stdbool.h>
#include <stdio.h>

/* Whether this runs under GitHub Actions ($GITHUB_ACTIONS is "true"). */
bool	 github_actions(void);
/* $GITHUB_STEP_SUMMARY under GitHub Actions, else NULL (also when empty). */
const char *github_step_summary(void);
/* s as a workflow command's data (::error::DATA): %, CR and LF as %XX; free it. */
char	*github_escape(const char *s);
/*
 * s as the text of a Markdown table cell, written to f: escaped as a
 * terminal shows it (core/text.h: one line, no control characters), '|'
 * as "\|" and '`' as '\'' so it can sit inside a code span.
 */
void	 github_cell(FILE *f, const char *s);

#endif
