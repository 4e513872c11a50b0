/*
 * tend heal, tend recover, tend ack, tend resolve: the healer's commands.
 * With a daemon running they go to it, so there is one healer and one
 * record; `tend heal` without a daemon runs the checks and the healer
 * once, on a loop of its own, and exits with the final state's code.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dl_curl.h"
#include <jansson.h>
#include <uv.h>

#include "checks/http_engine.h"
#include "checks/scheduler.h"
#include "cli/table.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "daemon/control.h"
#include "heal/healer.h"
#include "store/read.h"
#include "store/store.h"

/*
 * How long `tend heal` and `tend recover` follow incidents when neither
 * the daemon nor --wait says: the default escalation_timeout, after which
 * every incident has reached a phase it stays in, and a margin.
 */
#define HEAL_FOLLOW_MS		(5 * 60 * 1000 + 2000)
#define HEAL_POLL_MS		100

static bool
heal_phase_final(const char *phase)
{
	return phase == NULL || strcmp(phase, "resolved") == 0 ||
	    strcmp(phase, "escalated") == 0 || strcmp(phase, "merged") == 0 ||
	    strcmp(phase, "monitoring") == 0 || strcmp(phase, "dry-run") == 0 ||
	    strcmp(phase, "held") == 0 ||
	    strcmp(phase, "interrupted") == 0 || strcmp(phase, "gone") == 0;
}

static void
heal_print_incident(json_t *inc)
{
	const char *resolution = json_string_value(json_object_get(inc, "resolution"));
	const char *type = json_string_value(json_object_get(inc, "type"));
	json_t *actions = json_object_get(inc, "actions"), *a, *plan;
	json_t *mttr = json_object_get(inc, "mttr_ms");
	size_t i;

	/* A row of tend.db names two fields differently. */
	if (type == NULL)
		type = json_string_value(json_object_get(inc, "error_type"));
	if (actions == NULL)
		actions = json_object_get(inc, "attempts");

	if (json_object_get(inc, "id") == NULL && json_object_get(inc, "plan") == NULL) {
		/* Left alone: what it depends on was stopped, or is the supervisor's. */
		cli_printf(stdout, "%s: %s: %s\n",
		    json_string_value(json_object_get(inc, "target")),
		    json_string_value(json_object_get(inc, "phase")),
		    json_string_value(json_object_get(inc, "diagnosis")));
		return;
	}
	if (json_object_get(inc, "id") == NULL) {
		plan = json_object_get(inc, "plan");
		printf("%s (%s): would run", json_string_value(json_object_get(inc, "target")),
		    json_string_value(json_object_get(inc, "category")));
		json_array_foreach(plan, i, a)
			printf("%s %s", i ? "," : "", json_string_value(a));
		printf("%s  [%s]\n", json_array_size(plan) ? "" : " nothing (escalate)",
		    json_string_value(json_object_get(inc, "source")));
		return;
	}
	printf("#%lld %s %s (%s): %s", (long long)json_integer_value(json_object_get(inc, "id")),
	    type ?: "-", json_string_value(json_object_get(inc, "target")) ?: "-",
	    json_string_value(json_object_get(inc, "category")) ?: "-",
	    json_string_value(json_object_get(inc, "phase")) ?: "-");
	if (resolution != NULL)
		cli_printf(stdout, ": %s", resolution);
	if (json_is_integer(mttr))
		printf(" in %.1f s", (double)json_integer_value(mttr) / 1000);
	printf("\n");
	/* What actions printed and checks said: shown, never obeyed. */
	json_array_foreach(actions, i, a)
		cli_printf(stdout, "  %s -> %s: %s\n",
		    json_string_value(json_object_get(a, "action")),
		    json_string_value(json_object_get(a, "outcome")),
		    json_string_value(json_object_get(a, "detail")));
	if (json_string_value(json_object_get(inc, "diagnosis")) != NULL)
		cli_printf(stdout, "  diagnosis: %s\n",
		    json_string_value(json_object_get(inc, "diagnosis")));
	if (json_string_value(json_object_get(inc, "note")) != NULL)
		cli_printf(stdout, "  note: %s\n", json_string_value(json_object_get(inc, "note")));
}

void
cli_heal_print(const struct cli_options *opts, json_t *incidents)
{
	json_t *inc;
	size_t i;

	if (opts->format == OUTPUT_JSON) {
		cli_print_json(incidents);
		return;
	}
	if (json_array_size(incidents) == 0)
		printf("nothing is failing: nothing to heal\n");
	json_array_foreach(incidents, i, inc)
		heal_print_incident(inc);
}

/* The overall state's exit code: 0 healthy, 1 warning, 2 critical, 3 unknown. */
static int
heal_state_code(const char *state)
{
	static const char *const states[] = { "healthy", "warning", "critical", "unknown" };
	int i;

	for (i = 0; state != NULL && i < 4; i++)
		if (strcmp(state, states[i]) == 0)
			return i;
	return 3;
}

/* How long to follow: --wait, else what the daemon's answer says, else the default. */
static int64_t
heal_follow_ms(const struct cli_options *opts, json_t *answer)
{
	json_t *said = json_object_get(answer, "follow_ms");

	if (opts->wait_ms >= 0)
		return opts->wait_ms;
	return json_is_integer(said) ? json_integer_value(said) : HEAL_FOLLOW_MS;
}

/* An incident as tend.db has it, shaped to print as the daemon's; NULL if none. */
static json_t *
heal_recorded(const struct cli_options *opts, json_int_t id)
{
	json_t *inc = NULL;
	sqlite3 *db;
	char *path;

	if (cli_store_open(opts, &db, &path) == 0) {
		inc = store_read_incident(db, id);
		sqlite3_close(db);
	}
	free(path);
	return inc;
}

/*
 * The daemon no longer has the incident (it keeps the last closed ones
 * only, or it stopped): what tend.db recorded is shown instead, with a
 * note saying why, and the incident is followed no more.
 */
static json_t *
heal_lost(const struct cli_options *opts, json_t *inc, const char *why)
{
	json_int_t id = json_integer_value(json_object_get(inc, "id"));
	json_t *recorded = heal_recorded(opts, id);

	if (recorded == NULL)
		return json_pack("{s:I, s:s, s:s, s:s+}", "id", id, "phase", "gone",
		    "target", json_string_value(json_object_get(inc, "target")) ?: "-",
		    "note", why, ", and tend.db has no record of it");
	json_object_set_new(recorded, "note", json_pack("s++", why, "; as tend.db last "
	    "recorded it, ", heal_phase_final(json_string_value(json_object_get(recorded,
	    "phase"))) ? "closed" : "still open"));
	return recorded;
}

/* Whether an incident is followed no more: it is final, or lost (it has a note). */
static bool
heal_settled(json_t *inc)
{
	return heal_phase_final(json_string_value(json_object_get(inc, "phase"))) ||
	    json_object_get(inc, "note") != NULL;
}

/* Says which incidents were still moving when following stopped. */
static void
heal_warn_unfinished(json_t *incidents, int64_t since)
{
	json_t *inc;
	size_t i;

	json_array_foreach(incidents, i, inc)
		if (!heal_settled(inc))
			fprintf(stderr, "tend: incident #%lld is still %s after %.0f s; no "
			    "longer followed (`tend incidents` shows how it ends)\n",
			    (long long)json_integer_value(json_object_get(inc, "id")),
			    json_string_value(json_object_get(inc, "phase")),
			    (double)(clock_mono_ms() - since) / 1000);
}

/* One look at an incident not final yet; returns what it is now. */
static json_t *
heal_poll(const struct cli_options *opts, json_t *inc)
{
	char *path = cli_socket_path(opts), err[512];
	json_t *request, *answer = NULL, *now;
	int rc;

	request = json_pack("{s:s, s:O}", "cmd", "incident", "id", json_object_get(inc, "id"));
	rc = control_call(path, request, &answer, err, sizeof(err));
	json_decref(request);
	free(path);
	if (rc < 0)
		return heal_lost(opts, inc, "the daemon stopped answering");
	now = json_object_get(answer, "incident");
	now = json_is_object(now) ? json_incref(now) :
	    heal_lost(opts, inc, "the daemon no longer holds it");
	json_decref(answer);
	return now;
}

/*
 * Follows each incident the daemon opened until it is final, for at most
 * follow_ms, and says which were still moving when it stopped.
 */
static void
heal_follow_daemon(const struct cli_options *opts, json_t *incidents, int64_t follow_ms)
{
	int64_t start = clock_mono_ms();
	json_t *inc;
	bool pending = true;
	size_t i;

	for (;;) {
		pending = false;
		json_array_foreach(incidents, i, inc)
			if (!heal_settled(inc)) {
				json_array_set_new(incidents, i, heal_poll(opts, inc));
				pending |= !heal_settled(json_array_get(incidents, i));
			}
		if (!pending || clock_mono_ms() - start >= follow_ms)
			break;
		usleep(HEAL_POLL_MS * 1000);
	}
	heal_warn_unfinished(incidents, start);
}

/* The daemon's overall state's code. */
static int
heal_daemon_state(const struct cli_options *opts)
{
	json_t *answer = cli_call(opts, json_pack("{s:s}", "cmd", "status"));
	int code;

	code = answer ? heal_state_code(json_string_value(json_object_get(answer, "state"))) :
	    3;
	json_decref(answer);
	return code;
}

/* The daemon heals what fails in its view, now (or says how: --dry-run); 1 when it refused. */
static int
heal_daemon_now(const struct cli_options *opts, json_t **incidents)
{
	json_t *answer;

	*incidents = NULL;
	answer = cli_call(opts, json_pack("{s:s, s:b}", "cmd", "heal", "dry_run",
	    opts->dry_run));
	if (answer == NULL)
		return 1;
	*incidents = json_incref(json_object_get(answer, "incidents"));
	if (*incidents == NULL)
		*incidents = json_array();
	heal_follow_daemon(opts, *incidents, heal_follow_ms(opts, answer));
	json_decref(answer);
	return heal_daemon_state(opts);
}

/* Without --auto on a terminal, the plan is shown and a yes is asked for. */
static bool
heal_confirmed(const struct cli_options *opts, json_t *plan)
{
	char line[16];

	if (opts->auto_heal || !isatty(STDIN_FILENO))
		return true;
	cli_heal_print(opts, plan);
	if (json_array_size(plan) == 0)
		return false;
	printf("heal now? [y/N] ");
	fflush(stdout);
	return fgets(line, sizeof(line), stdin) != NULL && (line[0] == 'y' || line[0] == 'Y');
}

static int
heal_with_daemon(const struct cli_options *opts)
{
	json_t *answer, *plan;
	int rc;

	answer = cli_call(opts, json_pack("{s:s, s:b}", "cmd", "heal", "dry_run", 1));
	if (answer == NULL)
		return 1;
	plan = json_incref(json_object_get(answer, "incidents"));
	json_decref(answer);
	if (opts->dry_run) {
		cli_heal_print(opts, plan);
		json_decref(plan);
		return 0;
	}
	if (!heal_confirmed(opts, plan)) {
		json_decref(plan);
		return json_array_size(plan) ? 1 : 0;
	}
	json_decref(plan);
	rc = heal_daemon_now(opts, &plan);
	if (plan != NULL)
		cli_heal_print(opts, plan);
	json_decref(plan);
	return rc;
}

/* Without a daemon: the checks and a healer on a loop of this process. */
struct heal_local {
	const struct cli_options *opts;
	uv_loop_t	*loop;
	struct tend_config *cfg;
	struct scheduler *checks;
	struct healer	*healer;
	struct store	*store;
	uv_timer_t	 poll;
	int64_t		 deadline;	/* mono: of the checks' first runs, then of healing */
	int64_t		 healing_since;	/* mono */
	bool		 started;
	json_t		*incidents;
};

static int
local_service_control(void *arg, const char *cmd, const char *service, char *err,
    size_t errlen)
{
	struct heal_local *l = arg;
	char *path = cli_socket_path(l->opts);
	json_t *answer = NULL;
	int rc;

	/* Services belong to a daemon; without one there is nothing to restart. */
	rc = control_call(path, json_pack("{s:s, s:s}", "cmd", cmd, "service", service),
	    &answer, err, errlen);
	free(path);
	if (rc == 0 && !json_is_true(json_object_get(answer, "ok"))) {
		snprintf(err, errlen, "%s", json_string_value(json_object_get(answer,
		    "error")) ?: "refused");
		rc = -1;
	}
	json_decref(answer);
	return rc;
}

static void
local_run_check(void *arg, const char *check)
{
	scheduler_run_now(((struct heal_local *)arg)->checks, check);
}

static int64_t
local_adjust_timeout(void *arg, const char *check, double factor, int64_t max_ms)
{
	return scheduler_adjust_timeout(((struct heal_local *)arg)->checks, check, factor,
	    max_ms);
}

static void
local_result(void *arg, const struct check_conf *conf, const struct check_result *r,
    enum health_state tracked)
{
	healer_check_result(((struct heal_local *)arg)->healer, conf, r, tracked);
}

static bool
local_all_final(struct heal_local *l)
{
	json_t *inc, *now;
	size_t i;
	bool all = true;

	json_array_foreach(l->incidents, i, inc) {
		now = json_is_integer(json_object_get(inc, "id")) ?
		    healer_incident_json(l->healer,
		    json_integer_value(json_object_get(inc, "id"))) : NULL;
		if (now != NULL) {
			json_array_set_new(l->incidents, i, now);
			inc = now;
		}
		if (!heal_phase_final(json_string_value(json_object_get(inc, "phase"))))
			all = false;
	}
	return all;
}

static void
local_poll(uv_timer_t *timer)
{
	struct heal_local *l = timer->data;

	if (!l->started) {
		/* Every check has run once: now diagnose and heal what fails. */
		if (scheduler_runs(l->checks) < l->cfg->n_checks &&
		    clock_mono_ms() < l->deadline)
			return;
		l->started = true;
		l->incidents = healer_heal_now(l->healer, l->opts->dry_run);
		l->healing_since = clock_mono_ms();
		l->deadline = l->healing_since + (l->opts->wait_ms >= 0 ? l->opts->wait_ms :
		    healer_settle_ms(l->healer));
	}
	if (!local_all_final(l) && clock_mono_ms() < l->deadline)
		return;
	uv_timer_stop(timer);
	uv_stop(l->loop);
}

/*
 * How long the first run of every check may take: the scheduler spreads
 * them over a second (a millisecond each past a thousand), the slowest
 * gives up at its timeout; and a margin.
 */
static int64_t
local_first_runs_ms(const struct tend_config *cfg)
{
	int64_t longest = 0;
	size_t i;

	for (i = 0; i < cfg->n_checks; i++)
		if (cfg->checks[i].timeout_ms > longest)
			longest = cfg->checks[i].timeout_ms;
	return longest + (int64_t)cfg->n_checks + 3000;
}

static int
heal_local_run(struct heal_local *l)
{
	struct heal_ops ops = { .arg = l, .service_control = local_service_control,
	    .run_check = local_run_check, .adjust_timeout = local_adjust_timeout };
	struct check_env env = { .loop = l->loop };
	struct http_engine *http = http_engine_new(l->loop);
	int code;

	env.http = http;
	l->checks = scheduler_start(&env, l->cfg);
	/* Watching only: what is healed is what heal_now picks, once. */
	l->healer = healer_new(l->loop, l->cfg, l->store, &ops, true);
	scheduler_on_result(l->checks, local_result, l);
	/* The slowest check gives up at its timeout; every check has run by then. */
	l->deadline = clock_mono_ms() + local_first_runs_ms(l->cfg);
	uv_timer_init(l->loop, &l->poll);
	l->poll.data = l;
	uv_timer_start(&l->poll, local_poll, HEAL_POLL_MS, HEAL_POLL_MS);
	uv_run(l->loop, UV_RUN_DEFAULT);
	heal_warn_unfinished(l->incidents, l->healing_since);
	code = (int)scheduler_overall(l->checks);
	healer_free(l->healer);
	scheduler_close(l->checks);
	uv_close((uv_handle_t *)&l->poll, NULL);
	http_engine_free(http);
	uv_run(l->loop, UV_RUN_DEFAULT);
	return code;
}

/* The checks and a healer for cfg, here; *incidents gets what it did. */
static int
heal_local_now(const struct cli_options *opts, struct tend_config *cfg, json_t **incidents)
{
	struct heal_local l = { .opts = opts, .cfg = cfg };
	char *dir, *path, err[512];
	uv_loop_t loop;
	int code;

	log_setup(LOG_FORMAT_TEXT, opts->verbose);
	dir = cli_state_dir(opts);
	path = xasprintf("%s/tend.db", dir);
	/* The record is kept where the daemon keeps it, when that dir exists. */
	if (!opts->dry_run && access(dir, W_OK) == 0 &&
	    (l.store = store_open(path, err, sizeof(err))) == NULL)
		fprintf(stderr, "tend heal: no record kept: %s\n", err);
	free(path);
	free(dir);
	uv_loop_init(&loop);
	l.loop = &loop;
	code = heal_local_run(&l);
	uv_loop_close(&loop);
	store_close(l.store);
	dl_curl_stop();
	*incidents = l.incidents != NULL ? l.incidents : json_array();
	return code;
}

static int
heal_local(const struct cli_options *opts)
{
	struct tend_config *cfg;
	json_t *incidents;
	int code;

	if ((cfg = cli_load_config(opts->config_path, stderr)) == NULL)
		return 2;
	code = heal_local_now(opts, cfg, &incidents);
	cli_heal_print(opts, incidents);
	json_decref(incidents);
	config_free(cfg);
	return code;
}

bool
cli_daemon_alive(const struct cli_options *opts)
{
	char *path = cli_socket_path(opts);
	bool daemon = control_daemon_alive(path);

	free(path);
	return daemon;
}

int
cli_heal_now(const struct cli_options *opts, struct tend_config *cfg, json_t **incidents)
{
	if (cli_daemon_alive(opts))
		return heal_daemon_now(opts, incidents);
	return heal_local_now(opts, cfg, incidents);
}

int
cmd_heal(struct cli_options *opts)
{
	return cli_daemon_alive(opts) ? heal_with_daemon(opts) : heal_local(opts);
}

int
cmd_recover(struct cli_options *opts)
{
	json_t *answer, *incidents;
	int n = (opts->service != NULL) + (opts->action != NULL) + opts->cleanup;

	if (n != 1) {
		fprintf(stderr, "usage: tend recover --service NAME | --action NAME | "
		    "--cleanup\n");
		return 2;
	}
	answer = cli_call(opts, json_pack("{s:s, s:s?, s:s?}", "cmd", "recover",
	    "service", opts->service, "action", opts->action));
	if (answer == NULL)
		return 1;
	incidents = json_pack("[{s:O, s:s}]", "id", json_object_get(answer, "id"),
	    "phase", "acting");
	heal_follow_daemon(opts, incidents, heal_follow_ms(opts, answer));
	cli_heal_print(opts, incidents);
	json_decref(answer);
	n = strcmp(json_string_value(json_object_get(json_array_get(incidents, 0),
	    "phase")) ?: "", "resolved") == 0 ? 0 : 1;
	json_decref(incidents);
	return n;
}

/* ack and resolve: by the daemon when it runs, else in the store directly. */
static int
heal_incident_verb(struct cli_options *opts, const char *verb)
{
	char *path = cli_socket_path(opts), *dir, *db, err[512], *end;
	long long id;
	struct store *st;
	json_t *answer;
	int rc;

	if (opts->n_args != 1 || (id = strtoll(opts->args[0], &end, 10)) <= 0 || *end) {
		fprintf(stderr, "usage: tend %s ID (an incident number, see tend incidents)\n",
		    verb);
		free(path);
		return 2;
	}
	if (control_daemon_alive(path)) {
		free(path);
		answer = cli_call(opts, json_pack("{s:s, s:I}", "cmd", verb, "id",
		    (json_int_t)id));
		json_decref(answer);
		if (answer == NULL)
			return 1;
		printf("incident #%lld %s\n", id, strcmp(verb, "ack") == 0 ?
		    "acknowledged" : "resolved");
		return 0;
	}
	free(path);
	dir = cli_state_dir(opts);
	db = xasprintf("%s/tend.db", dir);
	free(dir);
	st = access(db, F_OK) == 0 ? store_open(db, err, sizeof(err)) : NULL;
	if (st == NULL) {
		fprintf(stderr, "tend %s: no record at %s\n", verb, db);
		free(db);
		return 1;
	}
	free(db);
	rc = strcmp(verb, "ack") == 0 ? store_ack_incident(st, id, clock_wall_ms()) :
	    store_resolve_incident(st, id, clock_wall_ms());
	store_close(st);
	if (rc <= 0) {
		fprintf(stderr, "tend %s: no incident #%lld\n", verb, id);
		return 1;
	}
	printf("incident #%lld %s\n", id, strcmp(verb, "ack") == 0 ? "acknowledged" :
	    "resolved");
	return 0;
}

int
cmd_ack(struct cli_options *opts)
{
	return heal_incident_verb(opts, "ack");
}

int
cmd_resolve(struct cli_options *opts)
{
	return heal_incident_verb(opts, "resolve");
}
