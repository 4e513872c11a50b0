/* Processes counted as a service's own (supervise/attached.h). */
#include "supervise/attached.h"

#include <signal.h>
#include <stdio.h>

int
attached_add(struct attached_set *a, const struct proc_id *id, char *err, size_t errlen)
{
	struct proc_id now;
	int i;

	if (proc_id_of(id->pid, &now) < 0 || now.start != id->start) {
		snprintf(err, errlen, "pid %d: no longer the process meant", (int)id->pid);
		return -1;
	}
	for (i = 0; i < a->n; i++)
		if (a->v[i].pid == id->pid && a->v[i].start == id->start)
			return 0;
	attached_pids(a, NULL, 0);	/* room from those that ended */
	if (a->n == ATTACHED_MAX) {
		snprintf(err, errlen, "already %d processes counted with it", ATTACHED_MAX);
		return -1;
	}
	a->v[a->n++] = *id;
	return 0;
}

int
attached_pids(struct attached_set *a, pid_t *pids, int max)
{
	int i, kept = 0, out = 0;

	for (i = 0; i < a->n; i++) {
		if (!proc_id_alive(&a->v[i]))
			continue;
		a->v[kept++] = a->v[i];
		if (out < max)
			pids[out++] = a->v[i].pid;
	}
	a->n = kept;
	return out;
}

void
attached_end(struct attached_set *a)
{
	int i;

	/* ESRCH: gone already, or the pid is another process's now — left alone. */
	for (i = 0; i < a->n; i++)
		proc_id_signal(&a->v[i], SIGKILL, false);
	a->n = 0;
}

json_t *
attached_json(const struct attached_set *a)
{
	json_t *arr = json_array();
	int i;

	for (i = 0; i < a->n; i++)
		json_array_append_new(arr, json_integer(a->v[i].pid));
	return arr;
}
