#include "supervise/listener.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/procid.h"
#include "core/procnet.h"

/* Listening sockets on one port: one per address, a few with SO_REUSEPORT. */
#define LISTENER_MAX_SOCKETS	32

/* Every process, and which of them are the service's. */
struct table {
	struct proc_info *v;
	bool		*member;
	size_t		 n;
	size_t		 cap;
};

static bool
table_add(const struct proc_info *pi, void *arg)
{
	struct table *t = arg;

	if (t->n == t->cap)
		t->v = xrealloc(t->v, (t->cap = t->cap ? t->cap * 2 : 256) * sizeof(*t->v));
	t->v[t->n++] = *pi;
	return true;
}

/* An orphan tend adopted (it is tend's child) that the service started. */
static bool
table_is_orphan_of(const struct proc_info *pi, const char *service)
{
	char *name;
	bool yes;

	if (pi->ppid != getpid())
		return false;
	name = proc_environ_get(pi->id.pid, "TEND_SERVICE");
	yes = name != NULL && strcmp(name, service) == 0;
	free(name);
	return yes;
}

static void
table_mark(struct table *t, const struct proc_info *leader, const char *service)
{
	bool grew = true;
	size_t i, j;

	t->member = xcalloc(t->n + 1, sizeof(*t->member));
	for (i = 0; i < t->n; i++) {
		const struct proc_info *pi = &t->v[i];

		t->member[i] = pi->id.pid == leader->id.pid ||
		    (leader->pgid == leader->id.pid && pi->pgid == leader->pgid) ||
		    (leader->sid == leader->id.pid && pi->sid == leader->sid) ||
		    table_is_orphan_of(pi, service);
	}
	/* Descendants, however deep: until a pass adds none. */
	while (grew) {
		grew = false;
		for (i = 0; i < t->n; i++) {
			for (j = 0; !t->member[i] && j < t->n; j++) {
				if (t->member[j] && t->v[i].ppid == t->v[j].id.pid) {
					t->member[i] = true;
					grew = true;
				}
			}
		}
	}
}

static void
table_free(struct table *t)
{
	free(t->v);
	free(t->member);
}

static enum listener_verdict
listener_foreign(int port, const unsigned long *inodes, size_t n, char *why, size_t len)
{
	struct proc_info pi;
	pid_t holder = procnet_holder(inodes, n);

	if (holder > 0 && proc_stat_read(holder, &pi) == 0)
		snprintf(why, len, "port %d is held by pid %d (%s), not by this service",
		    port, (int)holder, pi.comm);
	else
		snprintf(why, len, "port %d is held by a process outside this service", port);
	return LISTENER_FOREIGN;
}

enum listener_verdict
listener_check(const char *service, pid_t pid, int port, char *why, size_t len)
{
	unsigned long inodes[LISTENER_MAX_SOCKETS];
	struct table t = { 0 };
	struct proc_info leader;
	bool unreadable = false;
	size_t n, i;
	int holds;

	why[0] = '\0';
	n = procnet_listeners(port, inodes, LISTENER_MAX_SOCKETS);
	if (n == 0 || pid <= 0 || proc_stat_read(pid, &leader) < 0)
		return LISTENER_UNKNOWN;
	/* Most often the main process listens: no need to look at every process. */
	if (procnet_holds(pid, inodes, n) == 1)
		return LISTENER_OURS;
	proc_walk(table_add, &t);
	table_mark(&t, &leader, service);
	for (i = 0; i < t.n; i++) {
		if (!t.member[i])
			continue;
		holds = procnet_holds(t.v[i].id.pid, inodes, n);
		if (holds == 1) {
			table_free(&t);
			return LISTENER_OURS;
		}
		unreadable |= holds < 0;
	}
	table_free(&t);
	/* A service under another user, read by an unprivileged tend. */
	if (unreadable)
		return LISTENER_UNKNOWN;
	return listener_foreign(port, inodes, n, why, len);
}
