/*
 * How many lines of each template (diagnose/templates.h) a log check saw
 * over about its window: two half-window counts per template, the one
 * filling and the last one, so a thousand templates cost 16 KB and a read
 * a counter each — the sum is the last half window to the whole window.
 * Adds come from the read on the thread pool, rolls from the loop, never
 * at once (the check's state is busy during a read).
 */
#ifndef TEND_CHECKS_TPLWINDOW_H
#define TEND_CHECKS_TPLWINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tplwindow {
	int64_t		 half_ms;
	int64_t		 start;		/* of the filling half (monotonic ms); 0: not yet */
	uint64_t	*cur, *prev;	/* by template index */
	size_t		 n;
};

void	tplwindow_init(struct tplwindow *w, int64_t within_ms);
void	tplwindow_free(struct tplwindow *w);
/* A line of template i. */
void	tplwindow_add(struct tplwindow *w, size_t i);
/* Moves to a new half window when the filling one is over at now. */
void	tplwindow_roll(struct tplwindow *w, int64_t now);
/* The template with the most lines in the window, and how many; false when none. */
bool	tplwindow_top(const struct tplwindow *w, size_t *i, uint64_t *count);

#endif
