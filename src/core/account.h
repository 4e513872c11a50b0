/*
 * The names of users and groups, for messages and checks: reentrant
 * lookups (the web threads and the loop both ask), a number when an id has
 * no name.
 */
#ifndef TEND_CORE_ACCOUNT_H
#define TEND_CORE_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* "alice" into buf, or "uid 1001" when the uid has no name (then false). */
bool	account_user(uid_t uid, char *buf, size_t len);
/* "adm" into buf, or "gid 4" when the gid has no name (then false). */
bool	account_group(gid_t gid, char *buf, size_t len);

#endif
