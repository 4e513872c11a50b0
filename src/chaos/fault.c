#include "chaos/fault.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "chaos/hog.h"
#include "config/config.h"
#include "core/fdio.h"
#include "core/pathwalk.h"
#include "core/sha256.h"
#include "core/statedir.h"

#define JOURNAL		"chaos.journal"
#define JOURNAL_MAX	4096

static bool
needs_undo(int fault)
{
	return fault != CHAOS_KILL;
}

static int
journal_write(struct statedir *sd, const struct chaos_injected *f, char *err,
    size_t errlen)
{
	json_t *hogs = json_array(), *doc;
	char *text;
	int i, rc;

	for (i = 0; i < f->n_hogs; i++)
		json_array_append_new(hogs, json_pack("[i, I]", (int)f->hogs[i].pid,
		    (json_int_t)f->hogs[i].start));
	doc = json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:s, s:I, s:I, s:o, s:s, s:I, s:s, s:s, "
	    "s:s}", "fault",
	    chaos_fault_name(f->fault), "service", f->service, "pid", (int)f->proc.pid,
	    "start", (json_int_t)f->proc.start, "signal", (json_int_t)f->signal, "at",
	    (json_int_t)f->at_ms, "path", f->path, "dev", (json_int_t)f->fill_dev, "ino",
	    (json_int_t)f->fill_ino, "hogs", hogs, "set", f->set, "snapshot",
	    (json_int_t)f->snapshot_id, "file", f->file, "hash", f->file_hash, "proxy",
	    f->proxy);
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	rc = statedir_replace(sd, JOURNAL, text, strlen(text), 0600);
	free(text);
	if (rc < 0)
		snprintf(err, errlen, "%s/%s: %s (no fault injected)", statedir_path(sd),
		    JOURNAL, strerror(errno));
	return rc;
}

/* The journal's fields into f (memset first). */
static int
journal_parse(json_t *doc, struct chaos_injected *f)
{
	const char *fault, *service, *path = "", *set = "", *file = "", *hash = "", *proxy = "";
	json_int_t pid, start, sig, at, dev = 0, ino = 0, hpid, hstart, snap = 0;
	json_t *hogs = NULL, *h;
	size_t k;
	int i;

	if (json_unpack(doc, "{s:s, s:s, s:I, s:I, s:I, s:I, s?:s, s?:I, s?:I, s?:o, s?:s, s?:I, "
	    "s?:s, s?:s, s?:s}", "fault", &fault, "service", &service, "pid", &pid, "start",
	    &start, "signal", &sig, "at", &at, "path", &path, "dev", &dev, "ino", &ino, "hogs",
	    &hogs, "set", &set, "snapshot", &snap, "file", &file, "hash", &hash, "proxy",
	    &proxy) < 0)
		return -1;
	memset(f, 0, sizeof(*f));
	f->fault = -1;
	for (i = 0; i < CHAOS_FAULTS; i++)
		if (strcmp(chaos_fault_name(i), fault) == 0)
			f->fault = i;
	snprintf(f->service, sizeof(f->service), "%s", service);
	snprintf(f->path, sizeof(f->path), "%s", path);
	snprintf(f->set, sizeof(f->set), "%s", set);
	snprintf(f->file, sizeof(f->file), "%s", file);
	snprintf(f->file_hash, sizeof(f->file_hash), "%s", hash);
	snprintf(f->proxy, sizeof(f->proxy), "%s", proxy);
	f->snapshot_id = snap;
	f->proc = (struct proc_id){ .pid = (pid_t)pid, .start = (unsigned long long)start };
	f->signal = (int)sig;
	f->at_ms = at;
	f->fill_dev = dev;
	f->fill_ino = ino;
	json_array_foreach(hogs, k, h) {
		if (f->n_hogs < CHAOS_HOGS_MAX && json_unpack(h, "[I, I]", &hpid, &hstart) == 0)
			f->hogs[f->n_hogs++] = (struct proc_id){ .pid = (pid_t)hpid,
			    .start = (unsigned long long)hstart };
	}
	return f->fault < 0 ? -1 : 0;
}

static int
journal_read(struct statedir *sd, struct chaos_injected *f, char *err, size_t errlen)
{
	char buf[JOURNAL_MAX + 1];
	json_t *doc;
	ssize_t n;
	int fd, rc;

	if ((fd = statedir_openat(sd, JOURNAL, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0)) < 0)
		return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s: %s", JOURNAL,
		    strerror(errno)), -1);
	n = read(fd, buf, JOURNAL_MAX);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	doc = json_loads(buf, 0, NULL);
	rc = doc != NULL ? journal_parse(doc, f) : -1;
	json_decref(doc);
	if (rc < 0) {
		snprintf(err, errlen, "%s/%s is not a chaos journal: remove it once what it "
		    "names is back", statedir_path(sd), JOURNAL);
		return -1;
	}
	return 1;
}

int
chaos_file_hash(const struct chaos_injected *f, char hex[65])
{
	struct sha256 *h;
	const char *base;
	int dfd, fd, rc;
	int64_t len;

	if ((dfd = pathwalk_parent(f->file, O_PATH, &base)) < 0)
		return -1;
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return -1;
	h = sha256_new();
	if ((rc = sha256_fd(h, fd, &len)) == 0)
		sha256_final(h, hex);
	sha256_free(h);
	close(fd);
	return rc;
}

/*
 * config: the set snapshotted (what the undo puts back), then its file
 * broken in place, opened from / without following a link.
 */
static int
break_file(struct statedir *sd, const struct chaos_ops *ops, struct chaos_injected *f,
    char *err, size_t errlen)
{
	static const char garbage[] = "\n}}} tend chaos: this line breaks the file {{{\n";
	const char *base;
	int dfd, fd, rc;

	if (chaos_file_hash(f, f->file_hash) < 0) {
		snprintf(err, errlen, "%s: %s", f->file, strerror(errno));
		return -1;
	}
	if (ops->snapshot == NULL || ops->snapshot(ops->arg, f->set, &f->snapshot_id, err,
	    errlen) < 0 || journal_write(sd, f, err, errlen) < 0)
		return -1;
	if ((dfd = pathwalk_parent(f->file, O_PATH, &base)) < 0) {
		snprintf(err, errlen, "%s: %s", f->file, strerror(errno));
		return -1;
	}
	fd = openat(dfd, base, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    (f->corrupt == CHAOS_CORRUPT_TRUNCATE ? O_TRUNC : O_APPEND));
	close(dfd);
	rc = fd >= 0 && (f->corrupt == CHAOS_CORRUPT_TRUNCATE ||
	    fd_write_all(fd, garbage, strlen(garbage)) == 0) ? 0 : -1;
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", f->file, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* A memory fault of a service: its hog counted as the service's (a leak in it). */
static int
attach_hogs(const struct chaos_ops *ops, const struct chaos_injected *f, char *err,
    size_t errlen)
{
	int i;

	if (ops->attach == NULL) {
		snprintf(err, errlen, "a memory fault of %s needs the daemon", f->service);
		return -1;
	}
	for (i = 0; i < f->n_hogs; i++)
		if (ops->attach(ops->arg, f->service, &f->hogs[i], err, errlen) < 0)
			return -1;
	return 0;
}

int
chaos_inject(struct statedir *sd, const struct chaos_ops *ops, struct chaos_injected *f,
    char *err, size_t errlen)
{
	int rc = -1;

	if (needs_undo(f->fault) && journal_write(sd, f, err, errlen) < 0)
		return -1;
	switch (f->fault) {
	case CHAOS_KILL:
	case CHAOS_HANG:
		if ((rc = proc_id_signal(&f->proc, f->fault == CHAOS_KILL ? f->signal : SIGSTOP,
		    false)) < 0)
			snprintf(err, errlen, "%s (pid %d): %s", f->service, (int)f->proc.pid,
			    errno == ESRCH ? "no longer the process it was" : strerror(errno));
		break;
	case CHAOS_STOP:
		rc = ops->service(ops->arg, "stop", f->service, err, errlen);
		break;
	case CHAOS_FILL_DISK:
		rc = chaos_fill(f, err, errlen);
		break;
	case CHAOS_CPU:
		rc = chaos_hogs_start(f, err, errlen);
		break;
	case CHAOS_MEMORY:
		rc = chaos_hogs_start(f, err, errlen);
		if (rc == 0 && f->service[0] != '\0' && attach_hogs(ops, f, err, errlen) < 0) {
			chaos_hogs_end(f);
			rc = -1;
		}
		break;
	case CHAOS_CONFIG:
		rc = break_file(sd, ops, f, err, errlen);
		break;
	case CHAOS_PROXY:
		/* The daemon ends the fault by itself after duration_ms, whatever happens here. */
		rc = ops->proxy != NULL ? ops->proxy(ops->arg, f->proxy, f->mode, f->delay_ms,
		    f->duration_ms, err, errlen) : -1;
		break;
	default:
		snprintf(err, errlen, "fault '%s' is not built yet", chaos_fault_name(f->fault));
		break;
	}
	/* What it made is known now: the journal says it, for an undo after a kill. */
	if (rc == 0 && (f->n_hogs > 0 || f->fill_ino != 0))
		journal_write(sd, f, err, errlen);
	if (rc < 0 && needs_undo(f->fault))
		statedir_unlink(sd, JOURNAL);
	return rc;
}

int
chaos_undo(struct statedir *sd, const struct chaos_ops *ops, const struct chaos_injected *f,
    char *err, size_t errlen)
{
	char hash[65];
	int rc = 0;

	switch (f->fault) {
	case CHAOS_HANG:
		/* A hung process healed (killed and replaced) is gone: nothing to resume. */
		if (proc_id_alive(&f->proc) && proc_id_signal(&f->proc, SIGCONT, false) < 0 &&
		    errno != ESRCH) {
			snprintf(err, errlen, "%s (pid %d): SIGCONT: %s", f->service,
			    (int)f->proc.pid, strerror(errno));
			rc = -1;
		}
		break;
	case CHAOS_STOP:
		rc = ops->service(ops->arg, "start", f->service, err, errlen);
		break;
	case CHAOS_FILL_DISK:
		rc = chaos_unfill(f, err, errlen);
		break;
	case CHAOS_CPU:
	case CHAOS_MEMORY:
		chaos_hogs_end(f);
		break;
	case CHAOS_PROXY:
		/*
		 * Best effort: the daemon ends the fault by itself at its duration, and
		 * one that restarted since passes already.
		 */
		if (ops->proxy != NULL)
			ops->proxy(ops->arg, f->proxy, PROXY_PASS, 0, 0, err, errlen);
		break;
	case CHAOS_CONFIG:
		/*
		 * The set as it was before the fault, whatever tend did meanwhile —
		 * unless the broken file is as it was already (tend rolled it back).
		 */
		if (f->file[0] != '\0' && f->file_hash[0] != '\0' &&
		    chaos_file_hash(f, hash) == 0 && strcmp(hash, f->file_hash) == 0)
			break;
		if (f->snapshot_id > 0 && ops->restore == NULL) {
			snprintf(err, errlen, "snapshot set %s was broken by a chaos run: `tend "
			    "chaos run` puts it back (or `tend rollback %s --to %lld`)", f->set,
			    f->set, (long long)f->snapshot_id);
			rc = -1;
		} else if (f->snapshot_id > 0) {
			rc = ops->restore(ops->arg, f->snapshot_id, err, errlen);
		}
		break;
	default:
		break;
	}
	if (rc == 0)
		statedir_unlink(sd, JOURNAL);
	return rc;
}

int
chaos_recover(struct statedir *sd, const struct chaos_ops *ops, char *what, size_t whatlen,
    char *err, size_t errlen)
{
	struct chaos_injected f;
	int rc;

	if ((rc = journal_read(sd, &f, err, errlen)) <= 0)
		return rc;
	if (CHAOS_OF_SERVICE(f.fault, f.service))
		snprintf(what, whatlen, "%s of %s (pid %d), injected by a chaos run that did "
		    "not finish", chaos_fault_name(f.fault), f.service, (int)f.proc.pid);
	else if (f.fault == CHAOS_CONFIG)
		snprintf(what, whatlen, "config of set %s, put back as snapshot %lld, injected by "
		    "a chaos run that did not finish", f.set, (long long)f.snapshot_id);
	else
		snprintf(what, whatlen, "%s%s%s, injected by a chaos run that did not finish",
		    chaos_fault_name(f.fault), f.path[0] != '\0' ? " of " : "", f.path);
	return chaos_undo(sd, ops, &f, err, errlen) < 0 ? -1 : 1;
}
