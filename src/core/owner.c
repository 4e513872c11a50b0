#include "core/owner.h"

#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

bool
owner_trusted(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

void
owner_name(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *found = NULL;
	char tmp[1024];

	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &found) == 0 && found != NULL)
		snprintf(buf, len, "%s (uid %u)", pw.pw_name, (unsigned)uid);
	else
		snprintf(buf, len, "uid %u", (unsigned)uid);
}
