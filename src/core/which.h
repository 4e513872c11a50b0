/* Finding programs the way execvp would. */
#ifndef TEND_CORE_WHICH_H
#define TEND_CORE_WHICH_H

#include <stdbool.h>

/* A regular file we may execute. */
bool	 which_is_executable(const char *path);
/*
 * name itself when it holds a '/', else the first executable NAME on
 * $PATH; a new string, or NULL when there is none.
 */
char	*which(const char *name);

#endif
