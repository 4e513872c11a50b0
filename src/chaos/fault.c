#include "chaos/fault.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config/config.h"
#include "core/statedir.h"

#define JOURNAL		"chaos.journal"
#define JOURNAL_MAX	4096

static bool
needs_undo(int fault)
{
	return fault == CHAOS_HANG || fault == CHAOS_STOP;
}

static int
journal_write(struct statedir *sd, const struct chaos_injected *f, char *err,
    size_t errlen)
{
	json_t *doc = json_pack("{s:s, s:s, s:i, s:I, s:I, s:I}", "fault",
	    chaos_fault_name(f->fault), "service", f->service, "pid", (int)f->proc.pid,
	    "start", (json_int_t)f->proc.start, "signal", (json_int_t)f->signal, "at",
	    (json_int_t)f->at_ms);
	char *text = json_dumps(doc, JSON_COMPACT);
	int rc;

	json_decref(doc);
	rc = statedir_replace(sd, JOURNAL, text, strlen(text), 0600);
	free(text);
	if (rc < 0)
		snprintf(err, errlen, "%s/%s: %s (no fault injected)", statedir_path(sd),
		    JOURNAL, strerror(errno));
	return rc;
}

static int
journal_read(struct statedir *sd, struct chaos_injected *f, char *err, size_t errlen)
{
	char buf[JOURNAL_MAX + 1];
	const char *fault, *service;
	json_int_t pid, start, sig, at;
	json_t *doc;
	ssize_t n;
	int fd, i;

	if ((fd = statedir_openat(sd, JOURNAL, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0)) < 0)
		return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s: %s", JOURNAL,
		    strerror(errno)), -1);
	n = read(fd, buf, JOURNAL_MAX);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	doc = json_loads(buf, 0, NULL);
	if (doc == NULL || json_unpack(doc, "{s:s, s:s, s:I, s:I, s:I, s:I}", "fault", &fault,
	    "service", &service, "pid", &pid, "start", &start, "signal", &sig, "at", &at) < 0) {
		json_decref(doc);
		snprintf(err, errlen, "%s/%s is not a chaos journal: remove it once what it "
		    "names is back", statedir_path(sd), JOURNAL);
		return -1;
	}
	memset(f, 0, sizeof(*f));
	f->fault = -1;
	for (i = 0; i < CHAOS_FAULTS; i++)
		if (strcmp(chaos_fault_name(i), fault) == 0)
			f->fault = i;
	snprintf(f->service, sizeof(f->service), "%s", service);
	f->proc = (struct proc_id){ .pid = (pid_t)pid, .start = (unsigned long long)start };
	f->signal = (int)sig;
	f->at_ms = at;
	json_decref(doc);
	return 1;
}

int
chaos_inject(struct statedir *sd, const struct chaos_ops *ops, struct chaos_injected *f,
    char *err, size_t errlen)
{
	if (needs_undo(f->fault) && journal_write(sd, f, err, errlen) < 0)
		return -1;
	switch (f->fault) {
	case CHAOS_KILL:
	case CHAOS_HANG:
		if (proc_id_signal(&f->proc, f->fault == CHAOS_KILL ? f->signal : SIGSTOP,
		    false) == 0)
			return 0;
		snprintf(err, errlen, "%s (pid %d): %s", f->service, (int)f->proc.pid,
		    errno == ESRCH ? "no longer the process it was" : strerror(errno));
		break;
	case CHAOS_STOP:
		if (ops->service(ops->arg, "stop", f->service, err, errlen) == 0)
			return 0;
		break;
	default:
		snprintf(err, errlen, "fault '%s' is not built yet", chaos_fault_name(f->fault));
		break;
	}
	if (needs_undo(f->fault))
		statedir_unlink(sd, JOURNAL);
	return -1;
}

int
chaos_undo(struct statedir *sd, const struct chaos_ops *ops, const struct chaos_injected *f,
    char *err, size_t errlen)
{
	int rc = 0;

	/* A hung process healed (killed and replaced) is gone: nothing to resume. */
	if (f->fault == CHAOS_HANG && proc_id_alive(&f->proc))
		rc = proc_id_signal(&f->proc, SIGCONT, false);
	if (rc < 0 && errno != ESRCH) {
		snprintf(err, errlen, "%s (pid %d): SIGCONT: %s", f->service, (int)f->proc.pid,
		    strerror(errno));
		return -1;
	}
	if (f->fault == CHAOS_STOP && ops->service(ops->arg, "start", f->service, err,
	    errlen) < 0)
		return -1;
	statedir_unlink(sd, JOURNAL);
	return 0;
}

int
chaos_recover(struct statedir *sd, const struct chaos_ops *ops, char *what, size_t whatlen,
    char *err, size_t errlen)
{
	struct chaos_injected f;
	int rc;

	if ((rc = journal_read(sd, &f, err, errlen)) <= 0)
		return rc;
	snprintf(what, whatlen, "%s of %s (pid %d), injected by a chaos run that did not "
	    "finish", chaos_fault_name(f.fault), f.service, (int)f.proc.pid);
	return chaos_undo(sd, ops, &f, err, errlen) < 0 ? -1 : 1;
}
