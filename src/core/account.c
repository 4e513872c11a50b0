/* Names of users and groups (core/account.h). */
#include "core/account.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>

bool
account_user(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *found = NULL;
	char tmp[1024];

	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &found) == 0 && found != NULL) {
		snprintf(buf, len, "%s", pw.pw_name);
		return true;
	}
	snprintf(buf, len, "uid %u", (unsigned)uid);
	return false;
}

bool
account_group(gid_t gid, char *buf, size_t len)
{
	struct group gr, *found = NULL;
	char tmp[1024];

	if (getgrgid_r(gid, &gr, tmp, sizeof(tmp), &found) == 0 && found != NULL) {
		snprintf(buf, len, "%s", gr.gr_name);
		return true;
	}
	snprintf(buf, len, "gid %u", (unsigned)gid);
	return false;
}
