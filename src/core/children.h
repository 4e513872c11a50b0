/*
 * The children this process spawned itself and waits for (procspawn_watch
 * registers them): the subreaper must leave them alone, or it would steal
 * their exit status from whoever spawned them. Adopted orphans are
 * everything else.
 */
#ifndef TEND_CORE_CHILDREN_H
#define TEND_CORE_CHILDREN_H

#include <stdbool.h>
#include <sys/types.h>

void	children_own(pid_t pid);
void	children_release(pid_t pid);
bool	children_is_own(pid_t pid);

#endif
