#include "supervise/runrecord.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/mem.h"
#include "core/statedir.h"

#define RUN_RECORD_VERSION	1
/* Far more than any real record: a bound on what is read. */
#define RUN_RECORD_MAX		(1024 * 1024)

void
run_record_init(struct run_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	proc_boot_id(rec->boot_id, sizeof(rec->boot_id));
	proc_id_of(getpid(), &rec->tend);
}

static void
run_record_append(struct run_record *rec, const struct run_entry *e)
{
	if (rec->n == rec->cap)
		rec->v = xrealloc(rec->v, (rec->cap = rec->cap ? rec->cap * 2 : 16) *
		    sizeof(*rec->v));
	rec->v[rec->n++] = *e;
}

bool
run_proc_read(const struct proc_id *id, struct run_proc *rp)
{
	struct proc_info pi;

	if (proc_info_read(id->pid, &pi) < 0 || pi.id.start != id->start)
		return false;
	rp->id = *id;
	rp->uid = pi.uid;
	return true;
}

bool
run_record_add(struct run_record *rec, const char *name, bool external,
    const struct proc_id *main, const struct proc_id *orphans, size_t n_orphans)
{
	struct run_proc rp;

	if (!run_proc_read(main, &rp))
		return false;
	run_record_add_read(rec, name, external, &rp, orphans, n_orphans);
	return true;
}

void
run_record_add_read(struct run_record *rec, const char *name, bool external,
    const struct run_proc *main, const struct proc_id *orphans, size_t n_orphans)
{
	struct run_entry e = { .external = external, .main = *main };
	size_t i;

	e.orphans = xcalloc(n_orphans + 1, sizeof(*e.orphans));
	for (i = 0; i < n_orphans; i++)
		if (run_proc_read(&orphans[i], &e.orphans[e.n_orphans]))
			e.n_orphans++;
	e.name = xstrdup(name);
	run_record_append(rec, &e);
}

void
run_record_clear(struct run_record *rec)
{
	size_t i;

	for (i = 0; i < rec->n; i++) {
		free(rec->v[i].name);
		free(rec->v[i].orphans);
	}
	free(rec->v);
	rec->v = NULL;
	rec->cap = 0;
	rec->n = 0;
}

static json_t *
run_proc_json(const struct run_proc *rp)
{
	return json_pack("{s:i, s:I, s:I}", "pid", (int)rp->id.pid,
	    "start", (json_int_t)rp->id.start, "uid", (json_int_t)rp->uid);
}

static json_t *
run_entry_json(const struct run_entry *e)
{
	json_t *o = run_proc_json(&e->main), *orphans = json_array();
	size_t i;

	for (i = 0; i < e->n_orphans; i++)
		json_array_append_new(orphans, run_proc_json(&e->orphans[i]));
	json_object_set_new(o, "name", json_string(e->name));
	json_object_set_new(o, "kind", json_string(e->external ? "external" : "supervised"));
	json_object_set_new(o, "orphans", orphans);
	return o;
}

char *
run_record_text(const struct run_record *rec)
{
	json_t *doc, *services = json_array();
	char *text;
	size_t i;

	for (i = 0; i < rec->n; i++)
		json_array_append_new(services, run_entry_json(&rec->v[i]));
	doc = json_pack("{s:i, s:s, s:{s:i, s:I}, s:o}", "version", RUN_RECORD_VERSION,
	    "boot_id", rec->boot_id, "tend", "pid", (int)rec->tend.pid, "start",
	    (json_int_t)rec->tend.start, "services", services);
	text = json_dumps(doc, JSON_INDENT(1));
	json_decref(doc);
	if (text == NULL)
		abort();	/* as xmalloc does: only memory can fail here */
	return text;
}

int
run_record_write(struct statedir *sd, const char *text)
{
	return statedir_replace(sd, RUN_RECORD_FILE, text, strlen(text), 0600);
}

static bool
run_proc_parse(json_t *o, struct run_proc *rp)
{
	json_int_t pid, start, uid;

	if (json_unpack(o, "{s:I, s:I, s:I}", "pid", &pid, "start", &start, "uid", &uid) < 0 ||
	    pid <= 1 || pid > 0x7fffffff || start <= 0 || uid < 0 || uid > 0xfffffffe)
		return false;
	rp->id = (struct proc_id){ .pid = (pid_t)pid, .start = (unsigned long long)start };
	rp->uid = (uid_t)uid;
	return true;
}

/* One service's entry; false for one that cannot be read (it is skipped). */
static bool
run_entry_parse(json_t *o, struct run_entry *e)
{
	const char *name, *kind;
	json_t *orphans, *item;
	size_t i;

	memset(e, 0, sizeof(*e));
	if (json_unpack(o, "{s:s, s:s, s:o}", "name", &name, "kind", &kind, "orphans",
	    &orphans) < 0 || !json_is_array(orphans) || !run_proc_parse(o, &e->main))
		return false;
	e->external = strcmp(kind, "external") == 0;
	e->orphans = xcalloc(json_array_size(orphans) + 1, sizeof(*e->orphans));
	json_array_foreach(orphans, i, item)
		if (run_proc_parse(item, &e->orphans[e->n_orphans]))
			e->n_orphans++;
	e->name = xstrdup(name);
	return true;
}

static int
run_record_parse(json_t *doc, struct run_record *rec, char *why, size_t len)
{
	json_t *services, *item;
	json_int_t version, pid, start;
	const char *boot;
	struct run_entry e;
	size_t i;

	if (json_unpack(doc, "{s:I, s:s, s:{s:I, s:I}, s:o}", "version", &version,
	    "boot_id", &boot, "tend", "pid", &pid, "start", &start, "services",
	    &services) < 0 || version != RUN_RECORD_VERSION || !json_is_array(services)) {
		snprintf(why, len, "not a run record of this tend's version");
		return -1;
	}
	memset(rec, 0, sizeof(*rec));
	snprintf(rec->boot_id, sizeof(rec->boot_id), "%s", boot);
	rec->tend = (struct proc_id){ .pid = (pid_t)pid, .start = (unsigned long long)start };
	json_array_foreach(services, i, item) {
		if (!run_entry_parse(item, &e))
			continue;
		run_record_append(rec, &e);
	}
	return 0;
}

/* Opens the record (never through a symlink) if its owner and mode are tend's. */
static int
run_record_open(struct statedir *sd, const char *path, char *why, size_t len)
{
	struct stat st;
	int fd;

	fd = statedir_openat(sd, RUN_RECORD_FILE, O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? -2 : -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		snprintf(why, len, "%s is not a regular file", path);
	else if (st.st_uid != geteuid())
		snprintf(why, len, "%s is owned by uid %u, not by tend's uid %u", path,
		    (unsigned)st.st_uid, (unsigned)geteuid());
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		snprintf(why, len, "%s is writable by %s (mode %04o)", path,
		    st.st_mode & S_IWOTH ? "everyone" : "its group",
		    (unsigned)(st.st_mode & 07777));
	else if (st.st_size > RUN_RECORD_MAX)
		snprintf(why, len, "%s is larger than a run record can be", path);
	else
		return fd;
	close(fd);
	return -1;
}

int
run_record_read(struct statedir *sd, struct run_record *rec, char *why, size_t len)
{
	char *path = statedir_file(sd, RUN_RECORD_FILE), *buf;
	json_error_t jerr;
	json_t *doc;
	ssize_t n;
	int fd, rc;

	memset(rec, 0, sizeof(*rec));
	fd = run_record_open(sd, path, why, len);
	if (fd < 0) {
		free(path);
		return fd == -2 ? 1 : -1;
	}
	buf = xmalloc(RUN_RECORD_MAX + 1);
	n = read(fd, buf, RUN_RECORD_MAX);
	close(fd);
	doc = n > 0 ? json_loadb(buf, (size_t)n, 0, &jerr) : NULL;
	free(buf);
	rc = -1;
	if (doc == NULL)
		snprintf(why, len, "%s cannot be read as JSON", path);
	else
		rc = run_record_parse(doc, rec, why, len);
	json_decref(doc);
	free(path);
	return rc;
}
