/*
 * What a chaos run's faults ask of others (chaos/fault.h's chaos_ops): of
 * the daemon, over its control socket — a service stopped or started, a
 * proxy's fault, a memory hog counted as a service's own; of the
 * change-safety engine on the run's state dir — a snapshot set
 * snapshotted before its file is broken, and put back.
 */
#include <stdio.h>

#include <jansson.h>

#include "cli/chaos_run.h"
#include "cli/snapshot_open.h"
#include "config/config.h"
#include "snapshot/snapshot.h"

/* A request the daemon must accept (it takes req); 0, or -1 with err saying what. */
static int
chaos_ask(struct chaos_cli *c, json_t *req, const char *what, char *err, size_t errlen)
{
	json_t *answer = cli_call(&c->opts, req);

	if (answer != NULL) {
		json_decref(answer);
		return 0;
	}
	snprintf(err, errlen, "the daemon would not %s", what);
	return -1;
}

static int
chaos_service(void *arg, const char *verb, const char *name, char *err, size_t errlen)
{
	char what[300];

	snprintf(what, sizeof(what), "%s %s", verb, name);
	return chaos_ask(arg, json_pack("{s:s, s:s}", "cmd", verb, "service", name), what,
	    err, errlen);
}

static int
chaos_proxy(void *arg, const char *name, int mode, int64_t delay_ms, int64_t duration_ms,
    char *err, size_t errlen)
{
	char what[300];

	snprintf(what, sizeof(what), "set proxy %s", name);
	return chaos_ask(arg, json_pack("{s:s, s:s, s:i, s:I, s:I}", "cmd", "proxy", "name",
	    name, "mode", mode, "delay_ms", (json_int_t)delay_ms, "duration_ms",
	    (json_int_t)duration_ms), what, err, errlen);
}

static int
chaos_attach(void *arg, const char *service, const struct proc_id *hog, char *err,
    size_t errlen)
{
	char what[300];

	snprintf(what, sizeof(what), "count pid %d as %s's", (int)hog->pid, service);
	return chaos_ask(arg, json_pack("{s:s, s:s, s:i, s:I}", "cmd", "attach", "service",
	    service, "pid", (int)hog->pid, "start", (json_int_t)hog->start), what, err,
	    errlen);
}

/* The engine on the run's state dir and store, opened at the first config fault. */
static struct snapshot_engine *
chaos_engine(struct chaos_cli *c, char *err, size_t errlen)
{
	if (c->eng == NULL && c->st != NULL)
		c->eng = snapshot_engine_open(c->sd, c->st, NULL, NULL, err, errlen);
	else if (c->st == NULL)
		snprintf(err, errlen, "no store: the set cannot be snapshotted");
	return c->eng;
}

static int
chaos_snapshot(void *arg, const char *name, int64_t *id, char *err, size_t errlen)
{
	struct chaos_cli *c = arg;
	const struct snapshot_set_conf *set = config_find_snapshot_set(c->cfg, name);
	struct snapshot_engine *eng = chaos_engine(c, err, errlen);
	struct snapshot_spec spec;

	if (eng == NULL || set == NULL)
		return -1;
	snapshot_cli_spec(set, &spec);
	return snapshot_create(eng, &spec, "before a chaos experiment", "chaos", id, NULL, err,
	    errlen);
}

static int
chaos_restore(void *arg, int64_t id, char *err, size_t errlen)
{
	struct chaos_cli *c = arg;
	struct snapshot_engine *eng = chaos_engine(c, err, errlen);
	struct snapshot_restore_opts opts = { 0 };
	struct snapshot_restore_result r;
	int rc;

	if (eng == NULL)
		return -1;
	rc = snapshot_restore(eng, id, &opts, &r, err, errlen);
	snapshot_restore_result_free(&r);
	return rc;
}

void
chaos_ops_init(struct chaos_cli *c)
{
	c->ops = (struct chaos_ops){ .service = chaos_service, .snapshot = chaos_snapshot,
	    .restore = chaos_restore, .proxy = chaos_proxy, .attach = chaos_attach, .arg = c };
}
