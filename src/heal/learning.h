/*
 * Which recovery actions work: per (failure category, action) the attempts
 * and verified successes, and a success estimate from them, the mean of
 * a Beta(1 + successes, 1 + failures) posterior, so an action never tried
 * starts at 0.5 and one lucky success is not taken for a sure thing.
 */
#ifndef TEND_HEAL_LEARNING_H
#define TEND_HEAL_LEARNING_H

#include <stdbool.h>
#include <stddef.h>

struct learning;

struct learning	*learning_new(void);
void		 learning_free(struct learning *l);
/* Adds counts (loading from the store, or one outcome). */
void		 learning_add(struct learning *l, const char *category, const char *action,
		    int attempts, int successes);
void		 learning_record(struct learning *l, const char *category,
		    const char *action, bool success);
double		 learning_estimate(const struct learning *l, const char *category,
		    const char *action);
void		 learning_counts(const struct learning *l, const char *category,
		    const char *action, int *attempts, int *successes);
/*
 * Orders names[0..n-1] best estimate first; equal estimates keep their
 * written order. order[] receives indexes into names.
 */
void		 learning_rank(const struct learning *l, const char *category,
		    const char *const *names, size_t n, size_t *order);

#endif
