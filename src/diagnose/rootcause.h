/*
 * Root cause through the dependency graph: which services a service
 * depends on, directly or through others, and of several failing
 * services the deepest, the one none of the others' failures explain.
 */
#ifndef TEND_DIAGNOSE_ROOTCAUSE_H
#define TEND_DIAGNOSE_ROOTCAUSE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/model.h"

struct dep_closure;

struct dep_closure *dep_closure_new(const struct tend_config *cfg);
void		dep_closure_free(struct dep_closure *d);
/* True when service depends on `on`, directly or transitively (not itself). */
bool		dep_closure_depends(const struct dep_closure *d, const char *service,
		    const char *on);
/*
 * Of the failing services named in v[0..n-1] (NULL entries are skipped),
 * the index of the deepest: one that depends on none of the others.
 * Returns n when v holds none.
 */
size_t		dep_closure_deepest(const struct dep_closure *d, const char *const *v,
		    size_t n);

#endif
