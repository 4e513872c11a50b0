/*
 * Whose a file is, as tend judges it: root and the user tend runs as may
 * change what tend trusts; nobody else. Shared by everything that walks a
 * path as root (the state dir, the cleanup action).
 */
#ifndef TEND_CORE_OWNER_H
#define TEND_CORE_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Root or tend's euid. */
bool	owner_trusted(uid_t uid);
/* "alice (uid 1001)", or "uid 1001" when the user has no name. */
void	owner_name(uid_t uid, char *buf, size_t len);

#endif
