#include "core/owner.h"

#include <stdio.h>
#include <unistd.h>

#include "core/account.h"

bool
owner_trusted(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

void
owner_name(uid_t uid, char *buf, size_t len)
{
	char name[96];

	if (account_user(uid, name, sizeof(name)))
		snprintf(buf, len, "%s (uid %u)", name, (unsigned)uid);
	else
		snprintf(buf, len, "%s", name);
}
