/*
 * The configuration model: what tend.yaml says, after parsing and
 * validation. Every string and array here is owned by the config and freed
 * by config_free(). Durations are milliseconds, sizes bytes, percentages
 * 0..100.
 */
#ifndef TEND_CONFIG_MODEL_H
#define TEND_CONFIG_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "core/name_index.h"
#include "core/schedule.h"

/* Where a value stood in its file, for error messages. */
struct conf_pos {
	const char	*file;		/* owned by struct tend_config */
	int		 line;		/* 1-based */
	int		 col;		/* 1-based */
};

enum heal_action_kind {
	HEAL_RESTART,		/* the target service (default: the owner) */
	HEAL_STOP,
	HEAL_START,
	HEAL_EXEC,		/* argv, with a timeout */
	HEAL_CLEANUP,		/* delete old files matching globs */
	HEAL_ADJUST_TIMEOUT,	/* raise the failing checks' timeout */
	HEAL_ROLLBACK,		/* restore a snapshot set's last known good */
	HEAL_WAIT,		/* give it time, then verify */
	HEAL_ESCALATE,		/* stop here and call a human */
	HEAL_ANY,		/* alternatives: the best by success so far first */
	HEAL_REBUILD,		/* run a `rebuild:` entry (the engine: tend rebuild) */
	HEAL_MONITOR,		/* enable_monitoring: the target's checks run more often */
	HEAL_SCALE,		/* scale: more (or fewer) copies of the target's group */
	HEAL_INCREASE,		/* increase_resources: the target's limits raised */
	HEAL_NAMED,		/* a reference to a named action under `actions:` */
};

/* How increase_resources raises one limit: +pct% and +add, then at most cap (0: none). */
struct heal_raise {
	double		 pct;
	double		 add;
	double		 cap;
};

struct heal_action {
	enum heal_action_kind kind;
	char		*name;		/* as shown and learned: "restart", "rebuild" */
	struct conf_pos	 pos;
	char		*service;	/* restart/stop/start: NULL means the owner */
	char		**argv;		/* exec */
	int64_t		 timeout_ms;	/* exec, default 60s */
	char		**paths;	/* cleanup: globs */
	int64_t		 older_than_ms;	/* cleanup: 0 means any age */
	int		 keep_newest;	/* cleanup */
	double		 factor;	/* adjust_timeout, default 2 */
	int64_t		 max_ms;	/* adjust_timeout cap, default 60s */
	char		*snapshot;	/* rollback: a snapshot set; NULL means the target's */
	char		*rebuild;	/* rebuild: the `rebuild:` entry's name */
	int64_t		 wait_ms;	/* wait */
	int64_t		 every_ms;	/* enable_monitoring: how often, default 1s */
	int64_t		 for_ms;	/* enable_monitoring: how long, default 10m */
	int		 scale_by;	/* scale: copies added (negative: removed), default 1 */
	/* increase_resources: memory (bytes), cpu (% of a CPU), pids */
	struct heal_raise raise_memory, raise_cpu, raise_pids;
	struct heal_action *alternatives;	/* any */
	size_t		 n_alternatives;
	const struct heal_action *named;	/* named: resolved by validation */
};

/* An ordered list of actions: a check's, a service's or a default. */
struct heal_plan {
	struct heal_action *v;
	size_t		 n;
	bool		 present;	/* `heal:` was written (an empty list means none) */
};

enum restart_policy {
	RESTART_ALWAYS,
	RESTART_ON_FAILURE,
	RESTART_NEVER,
};

enum service_kind {
	SERVICE_SUPERVISED,	/* tend spawns it: `run:` */
	SERVICE_EXTERNAL,	/* monit style: `pidfile:` + commands */
};

enum ready_kind {
	READY_STARTED,		/* ready as soon as it is spawned */
	READY_NOTIFY,		/* sd_notify READY=1 on NOTIFY_SOCKET */
	READY_TCP,		/* a TCP connect to host:port succeeds */
	READY_HTTP,		/* a GET of url answers 2xx/3xx */
	READY_DELAY,		/* still running after a delay */
};

struct backoff_conf {
	int64_t		 initial_ms;	/* first delay, default 100ms */
	int64_t		 max_ms;	/* cap, default 30s */
	double		 multiplier;	/* default 2.0 */
	double		 jitter;	/* 0..1 fraction of the delay, default 0.1 */
	int64_t		 reset_after_ms; /* up this long resets backoff, default 10s */
};

struct limit_conf {
	int		 restarts;	/* more than this many ... default 5 */
	int64_t		 within_ms;	/* ... within this window -> failed, default 60s */
};

struct stop_conf {
	int		 signal;	/* default SIGTERM */
	int64_t		 timeout_ms;	/* then SIGKILL, default 10s */
};

struct ready_conf {
	enum ready_kind	 kind;
	char		*host;		/* tcp: default 127.0.0.1 */
	int		 port;		/* tcp */
	char		*url;		/* http */
	int64_t		 delay_ms;	/* delay */
	int64_t		 timeout_ms;	/* give up waiting, default 30s */
};

struct service_log_conf {
	int64_t		 max_size;	/* rotate past this size, default 10MB */
	int		 keep;		/* rotated files kept, default 5 */
};

/* A resource limit a service starts under (`rlimits:`, parse_rlimits.c). */
#define SERVICE_RLIMITS_MAX	10
#define SERVICE_RLIMIT_UNLIMITED UINT64_MAX
struct service_rlimit {
	const char	*name;		/* "nofile", from the parser's table */
	int		 resource;	/* RLIMIT_NOFILE */
	uint64_t	 soft, hard;	/* SERVICE_RLIMIT_UNLIMITED: unlimited */
	struct conf_pos	 pos;		/* of its key */
};

/*
 * `instances:` and `scale:` (parse_instances.c): a service run as copies
 * NAME@0 .. NAME@max-1, each a service of its own; those past the running
 * count are parked (kept stopped, their checks paused) until scaled up.
 */
struct scale_conf {
	bool		 present;	/* `scale:` was written */
	int		 instances;	/* the count at start */
	int		 min, max;	/* without scale: both the count */
	char		*up_check;	/* up_when's check (a per-instance one's base name) */
	int		 up_state;	/* 1 warning (or worse), 2 critical */
	int64_t		 down_after_ms;	/* down_when: healthy for this long; 0: never */
	int64_t		 cooldown_ms;	/* between two scalings, default 1m */
	struct conf_pos	 pos, up_pos;	/* of `scale:` and of up_when */
};

/*
 * A service's cgroup (`cgroup:`, parse_cgroup.c). A limit is 0 when not
 * set, SERVICE_CGROUP_MAX when written as max.
 */
#define SERVICE_CGROUP_MAX	UINT64_MAX
struct service_cgroup_conf {
	bool		 enabled;
	uint64_t	 memory_max, memory_high;	/* bytes */
	uint64_t	 cpu_quota_us, cpu_period_us;	/* cpu.max: quota per period */
	uint64_t	 pids_max;
	struct conf_pos	 pos;		/* of the key */
};

struct service_conf {
	char		*name;
	struct conf_pos	 pos;		/* of the service's key */
	enum service_kind kind;

	/* Supervised services. */
	char		**run;		/* argv, NULL-terminated */
	char		*cwd;		/* NULL: the state dir */
	char		**env;		/* "KEY=VALUE", NULL-terminated, may be NULL */
	char		*user;		/* NULL: unchanged */
	char		*group;		/* NULL: unchanged */
	struct conf_pos	 cwd_pos, user_pos, group_pos;	/* of their keys, when given */
	int		 umask;		/* -1: unchanged */
	struct service_rlimit rlimits[SERVICE_RLIMITS_MAX];
	int		 n_rlimits;
	struct service_cgroup_conf cgroup;
	enum restart_policy restart;
	struct backoff_conf backoff;
	struct limit_conf limit;
	struct stop_conf stop;
	struct ready_conf ready;
	int64_t		 watchdog_ms;	/* 0: none; needs ready: notify */
	struct service_log_conf log;

	struct heal_plan heal;		/* when the service fails (gives up) */

	/* Names of services this one depends on. */
	char		**depends_on;	/* NULL-terminated, may be NULL */

	/* External services. */
	char		*pidfile;
	char		**start_cmd;	/* argv, NULL-terminated */
	char		**stop_cmd;	/* may be NULL: signal the pid */
	char		**restart_cmd;	/* may be NULL: stop then start */
	int64_t		 check_every_ms; /* pidfile liveness fallback, default 5s */

	/* Instances: NULL when the service is not one of several copies. */
	char		*instance_of;	/* "web" of "web@2" */
	int		 instance;	/* 2 of "web@2" */
	bool		 parked_at_start; /* past the starting count: parked */
	struct scale_conf scale;	/* the group's, on each of its instances */
};

enum resource_metric {
	RESOURCE_CPU,		/* % busy since the last sample */
	RESOURCE_MEMORY,	/* % of MemTotal not available */
	RESOURCE_SWAP,		/* % of swap used */
	RESOURCE_DISK,		/* % of blocks used at path */
	RESOURCE_INODES,	/* % of inodes used at path */
	RESOURCE_LOAD,		/* 1-minute load average per core */
	RESOURCE_OPEN_FILES,	/* % of the system's file handles in use */
};

enum check_type {
	CHECK_RESOURCE,		/* host CPU, memory, swap, disk, inodes, load */
	CHECK_HTTP,		/* a URL answers as expected, in time */
	CHECK_TCP,		/* a port accepts; optional send/expect */
	CHECK_COMMAND,		/* a Nagios-style plugin: exit code + output */
	CHECK_FILE,		/* exists, mode, owner, age, size, content */
	CHECK_PROCESS,		/* a service's process tree: alive, CPU, memory, ... */
	CHECK_DEPS,		/* executables, libraries, packages, versions, updates */
	CHECK_LOG,		/* lines of a log that match, counted per window */
	CHECK_HEARTBEAT,	/* pings arrive in time: a dead-man's switch */
};

/* An accepted HTTP status range, inclusive. */
struct status_range {
	int		 lo;
	int		 hi;
};

struct http_check_conf {
	char		*url;
	char		*method;	/* default GET */
	char		**headers;	/* "Name: value", NULL-terminated, may be NULL */
	char		*body;		/* request body, may be NULL */
	struct status_range *status;	/* accepted statuses; default 200-399 */
	size_t		 n_status;
	char		*contains;	/* the body must contain this */
	char		*regex;		/* the body must match this (POSIX extended) */
	bool		 insecure;	/* skip TLS verification */
	bool		 redirects;	/* follow redirects, default true */
};

struct tcp_check_conf {
	char		*host;		/* default 127.0.0.1 */
	int		 port;
	char		*send;		/* sent once connected ("\r\n" escapes allowed) */
	char		*expect;	/* the first reply must contain this */
};

struct command_check_conf {
	char		**argv;		/* NULL-terminated */
};

/* A warning and a critical level; 0 for none. */
struct limits {
	double		 warn;
	double		 crit;
};

/*
 * The process tree of the owning service (or of the pid in pidfile):
 * the main process and every descendant, summed.
 */
/* A process check's memory-leak detection (checks/leak.h); window 0: none. */
struct leak_conf {
	int64_t		 window_ms;	/* RSS fitted over this (default 10m) */
	int64_t		 within_ms;	/* critical when the limit is nearer (default 1h) */
	double		 limit;		/* bytes; 0: rss.crit, else the host's memory */
};

struct process_check_conf {
	char		*pidfile;	/* NULL: the owning service's main pid */
	struct limits	 cpu;		/* % of one core */
	struct limits	 rss;		/* bytes */
	struct limits	 threads;
	struct limits	 fds;
	int64_t		 min_uptime_ms;	/* warning while younger: it just restarted */
	struct leak_conf leak;
};

enum dep_kind {
	DEP_EXECUTABLE,		/* on PATH; version from `NAME --version` */
	DEP_LIBRARY,		/* known to the dynamic loader (ldconfig -p) */
	DEP_PKGCONFIG,		/* a pkg-config module; version from --modversion */
	DEP_PACKAGE,		/* a dpkg package, installed; its version */
	DEP_PATH,		/* a file or directory that must exist */
	DEP_PYTHON,		/* a Python distribution; version from importlib.metadata */
	DEP_NPM,		/* a node package under node_modules; its package.json version */
};

struct dep_item {
	enum dep_kind	 kind;
	char		*name;
	char		*constraint;	/* ">= 7.80, < 9"; NULL or "" for any */
	struct conf_pos	 pos;		/* of the name */
	char		*installer;	/* `install:` (tend deps install); NULL: the check's */
	char		*package;	/* what the installer installs; NULL: name */
};

struct deps_check_conf {
	struct dep_item	*items;
	size_t		 n_items;
	char		*installer;	/* `installer:` for items without their own */
	struct conf_pos	 installer_pos;
	/* Freshness: pending updates, counted from a command's output. */
	bool		 updates;
	double		 updates_warn;	/* 0: none */
	double		 updates_crit;
	char		**updates_cmd;	/* default: apt list --upgradable */
};

/* The path is check_conf.path. */
struct file_check_conf {
	bool		 exists;	/* default true: false means it must not */
	int		 mode;		/* permission bits, -1: any */
	char		*owner;		/* user name or uid, NULL: any */
	int64_t		 max_age_ms;	/* mtime at most this old, 0: any */
	int64_t		 min_size;	/* -1: any */
	int64_t		 max_size;	/* -1: any */
	char		*sha256;	/* expected content (hex), NULL: any */
	int		 changed;	/* state when the content changed since the
					   last run (enum health_state), -1: ignore */
};

/*
 * A log check's level: {count: 10, within: 1m} or {rate: 5%, of: lines,
 * within: 1m}. Not set: value < 0.
 */
struct log_threshold {
	bool		 rate;		/* value is a % of the window's lines */
	double		 value;		/* matching lines, or %; -1: unset */
	int64_t		 within_ms;	/* the window, default 1m */
	int64_t		 min_lines;	/* rate: not judged below this many lines */
};

/* A log check (src/checks/check_log.c; docs/logs.md). */
struct log_check_conf {
	char		*file;		/* NULL: the owning service's captured output */
	char		**match;	/* PCRE2; NULL: every line counts */
	char		**ignore;	/* lines matching one of these never count */
	struct log_threshold warn;
	struct log_threshold crit;
	double		 implicit_rate;	/* > 0: made by self_healing's threshold_error_rate */
};

/*
 * A dead-man's switch (docs/heartbeats.md): healthy while pings (tend ping,
 * POST /api/ping/NAME, a file's mtime) come at most period + grace apart.
 */
struct heartbeat_check_conf {
	int64_t		 period_ms;	/* required */
	int64_t		 grace_ms;	/* -1 unset: 10% of period, within [1m, 1h] */
	char		*key;		/* `key:`, or what `key_file:` holds; NULL: none */
	char		*file;		/* touch file whose mtime is a ping; NULL: none */
};

/*
 * A check: top-level `checks:` (the host) or under a service's `checks:`.
 * Common scheduling settings first, then what each type needs.
 */
struct check_conf {
	char		*name;
	struct conf_pos	 pos;
	enum check_type	 type;
	char		*service;	/* the owning service, NULL for host checks */
	int64_t		 every_ms;	/* 0: the global interval */
	int64_t		 timeout_ms;	/* default 10s */
	int		 fail_after;	/* consecutive failures to fail, default 1 */
	int		 fail_n;	/* or n failures ... */
	int		 fail_of;	/* ... of the last `of` runs (0: unused) */
	int		 recover_after;	/* consecutive passes to recover, default 1 */

	/* resource (disk, inodes: default "/") and file */
	enum resource_metric metric;
	char		*path;
	double		 warn;		/* state warning at or above */
	double		 crit;		/* state critical at or above */

	/* http and tcp: latency thresholds, 0 for none */
	int64_t		 latency_warn_ms;
	int64_t		 latency_crit_ms;

	struct http_check_conf http;
	struct tcp_check_conf tcp;
	struct command_check_conf command;
	struct file_check_conf file;
	struct process_check_conf process;
	struct deps_check_conf deps;
	struct log_check_conf log;
	struct heartbeat_check_conf heartbeat;

	struct heal_plan heal;
};

/*
 * The `self_healing:` block as teams already write it. Keys that map onto
 * tend's settings are applied by the parser (see config_apply_self_healing);
 * every key is also kept here so later features can read it.
 */
struct self_healing_conf {
	bool		 present;
	bool		 enabled;
	int64_t		 monitoring_interval_ms;
	double		 threshold_cpu;
	double		 threshold_memory;
	double		 threshold_error_rate;
	bool		 pattern_recognition_enabled;
	bool		 anomaly_detection_enabled;
	int		 max_retry_attempts;
	int64_t		 escalation_timeout_ms;
	bool		 rollback_enabled;
	bool		 auto_scaling_enabled;
	bool		 effectiveness_tracking;
	bool		 learning_pattern_recognition;
	bool		 continuous_improvement;
};

struct heal_conf {
	bool		 auto_heal;		/* default true */
	bool		 auto_explicit;		/* `heal.auto` was in the file */
	int		 max_attempts;		/* actions per incident, default 3 */
	int64_t		 escalation_timeout_ms;	/* default 5m */
	int64_t		 cooldown_ms;		/* between incidents of a target, default 1m */
	int64_t		 verify_timeout_ms;	/* after each action, default 30s */
	int64_t		 verify_every_ms;	/* re-runs while verifying, default 1s */
	int64_t		 correlation_window_ms;	/* default 30s */
};

/* `classify:` rules, tried before the shipped table. */
struct classify_rule {
	char		*name;		/* what diagnoses say decided: "classify #N" if not given */
	char		*match;		/* POSIX extended regex */
	char		*category;
	struct conf_pos	 pos;
};

struct anomaly_series_conf {
	char		*series;	/* a series name, or a glob ("check.*.latency_ms") */
	double		 z;		/* 0: the default */
	int		 k;
	double		 min_delta;	/* smaller deviations are never anomalies; -1: unset */
	double		 min_ratio;	/* nor those smaller than this share of the baseline; -1 */
	bool		 off;		/* declared noisy */
};

struct anomaly_conf {
	bool		 enabled;	/* default true */
	double		 z;		/* default 4 */
	int		 k;		/* default 3 */
	int		 window;	/* samples, default 60 */
	double		 min_delta;	/* for every series; -1: by each series' unit */
	double		 min_ratio;	/* likewise */
	struct anomaly_series_conf *series;
	size_t		 n_series;
};

/* `metrics:`: what tend's metrics carry besides their own labels (docs/api.md). */
struct metrics_conf {
	char		**labels;	/* "name=value" on every series, may be NULL */
	struct conf_pos	 labels_pos;
};

/*
 * `exit_when:` when tend itself ends (as a container's PID 1): a service
 * that ends for good (its restart policy or limit says no more) and is
 * named, or any that fails, when any_failed (daemon/exit_when.c).
 */
struct exit_when_conf {
	bool		 any_failed;
	char		*service;	/* a service, or a group of copies; NULL: none */
	struct conf_pos	 service_pos;
};

/* `web:`: the dashboard, JSON API and /metrics (docs/api.md). */
struct web_conf {
	bool		 enabled;		/* default true; `tend run --no-web` */
	char		*host;		/* `listen: HOST:PORT`, default 127.0.0.1 */
	int		 port;		/* default 8090; 0 picks a free one */
	int		 max_connections;	/* default 256 */
	int		 per_ip_connections;	/* default 64 */
	int64_t		 connection_timeout_ms;	/* default 10s */
	int		 sse_clients;		/* default 32 */
	char		**allowed_hosts;	/* Host names served besides tend's own; may be NULL */
};

/*
 * `report:`: the scheduled report (docs/report.md), written to
 * STATE_DIR/reports/ on its schedule: `every`, with `at` at that local time;
 * then posted to the alert channels of `to`.
 */
struct report_conf {
	bool		 enabled;		/* the section is there */
	struct schedule	 schedule;		/* every default 7d */
	int		 keep;			/* sets kept, default 12 */
	int64_t		 since_ms;		/* the period; default every_ms */
	char		**to;			/* alert channels it is posted to; may be NULL */
	struct conf_pos	*to_pos;		/* where each name of `to` stands */
};

/*
 * `alerts:`: where alerts go (docs/alerts.md). The events a channel can be
 * sent, as bits of alert_channel_conf.on.
 */
enum alert_event {
	ALERT_CRITICAL,		/* an incident opened, critical */
	ALERT_WARNING,		/* an incident opened, warning */
	ALERT_ESCALATED,	/* healing gave up: a human is needed */
	ALERT_RESOLVED,		/* an incident or an anomaly is over */
	ALERT_ANOMALY,		/* a metric left its baseline */
	ALERT_EVENT_COUNT,
};
/*
 * What a channel without `on:` is sent: every event but anomalies, which go
 * only where `on:` names them (a pager must not wake anyone for a
 * latency wobble).
 */
#define ALERT_EVENTS_DEFAULT	(((1u << ALERT_EVENT_COUNT) - 1) & ~(1u << ALERT_ANOMALY))
/* The events as words (`on:`, logs, JSON), and the formats; NULL-terminated. */
extern const char *const alert_event_names[];
extern const char *const alert_format_names[];

enum alert_format {
	ALERT_FORMAT_JSON,		/* tend's own JSON object */
	ALERT_FORMAT_SLACK,		/* a Slack incoming webhook message */
	ALERT_FORMAT_ALERTMANAGER,	/* Alertmanager API v2: POST /api/v2/alerts */
};

struct alert_channel_conf {
	char		*name;
	struct conf_pos	 pos;
	char		*webhook;	/* a URL (alertmanager: where /api/v2/alerts is); or */
	char		**command;	/* argv, NULL-terminated */
	enum alert_format format;	/* webhook only, default json */
	char		**headers;	/* webhook: "Name: value", may be NULL */
	char		**labels;	/* alertmanager: "name=value" on every alert, may be NULL */
	unsigned	 on;		/* 1 << enum alert_event for each event sent */
	int64_t		 timeout_ms;	/* per try: default 10s (webhook), 30s (command) */
	int64_t		 resend_ms;	/* alertmanager: open alerts re-posted, default 1m */
};

struct alerts_conf {
	int64_t		 repeat_interval_ms;	/* an open alert again after this, default 4h; 0: never */
	int		 retry_attempts;	/* tries of one delivery in all, default 5 */
	struct backoff_conf retry;		/* between tries: 1s doubling to 1m, jitter 0.1 */
	struct alert_channel_conf *channels;
	size_t		 n_channels;
};

/*
 * `assets:`: the artifacts `tend fetch` downloads from mirrors, verifies by
 * sha256, keeps in the content-addressed cache and places at dest.
 */
struct asset_conf {
	char		*name;
	struct conf_pos	 pos;
	char		*sha256;	/* 64 hex digits, lower case */
	int64_t		 size;		/* bytes; -1: not given */
	int64_t		 max_size;	/* without a size, the most a mirror may send; -1: tend fetch's default */
	char		**mirrors;	/* http, https or file URLs, NULL-terminated */
	char		*dest;		/* where it is placed; from the file's folder if relative */
	struct conf_pos	 dest_pos;
	int		 mode;		/* permission bits; -1: 0444 */
};

/*
 * `installers:` (tend deps install, cache-warmup): a command per ecosystem.
 * apt, npm and pip are built in; declaring one changes what it says.
 */
struct installer_conf {
	char		*name;
	struct conf_pos	 pos;
	bool		 declared;	/* under `installers:` (else a built-in as shipped) */
	char		**command;	/* {packages} or {package}; {mirror} {cache} */
	char		**download;	/* cache-warmup, run in the cache; may be NULL */
	char		**offline;	/* install from the cache: {files}; may be NULL */
	char		**mirrors;	/* also `registries:`, `indexes:`; tried in order */
	char		*mirror_flag;	/* passes a mirror when {mirror} is not in the command */
	char		*cache;		/* NULL: the default (docs/config.md) */
	int		 retries;	/* -1: the retry library's default */
	int64_t		 retry_initial_ms;	/* 0: the default */
	int64_t		 retry_max_ms;
	int64_t		 timeout_ms;	/* per attempt */
};

/* `environment:` (tend validate --environment). */
struct environment_conf {
	char		**probe;	/* "host:port" reached by DNS and TCP; NULL: the default */
	int64_t		 probe_timeout_ms;	/* default 2s */
	int64_t		 min_free;	/* bytes free in the state dir: error below, default 100MB */
	int64_t		 warn_free;	/* warning below, default 1GB */
};

/*
 * `snapshots:`: sets of files and directories tend snapshots, watches for
 * changes and rolls back (issue 13). Paths are absolute and normalized.
 */
struct snapshot_set_conf {
	char		*name;
	struct conf_pos	 pos;
	bool		 implicit;	/* `tend`: the config file, not declared */
	struct conf_pos	 paths_pos, restart_pos;	/* of the keys, when written */
	char		**paths;	/* files and directories */
	char		**exclude;	/* globs, matched below each path; may be NULL */
	char		**symlinks;	/* release pointers, swapped atomically; may be NULL */
	char		**restart;	/* services restarted after a restore; may be NULL */
	int		 keep;		/* snapshots kept besides last known good ones, default 20 */
	bool		 watch;		/* changes noticed by themselves, default true */
	int64_t		 guard_window_ms;	/* checks watched after a change, default 2m */
	bool		 auto_rollback;	/* critical within the window: roll back, default false */
	int64_t		 lkg_after_ms;	/* healthy this long: last known good, default 5m */
};

/*
 * `chaos:`: experiments that inject a fault into a service and measure
 * how tend detects and heals it (issue 14, docs/chaos.md).
 */
enum chaos_fault {
	CHAOS_KILL,		/* a signal to the service's process */
	CHAOS_HANG,		/* SIGSTOP for `duration`, then SIGCONT unless it was healed */
	CHAOS_STOP,		/* the service stopped for `duration` (a dependency down) */
	CHAOS_FILL_DISK,	/* a file filling `path`'s file system but for `leave` bytes */
	CHAOS_CPU,		/* `cores` busy processes for `duration` */
	CHAOS_MEMORY,		/* a process growing by `grow` a second, to `max` */
	CHAOS_CONFIG,		/* a file of a snapshot set broken (`corrupt`), for `duration` */
	CHAOS_PROXY,		/* a proxy of `proxies:` answering `mode`, for `duration` */
	CHAOS_FAULTS,
};

/* Faults that are always of a service: a target is required. */
#define CHAOS_NEEDS_TARGET(f)	((f) == CHAOS_KILL || (f) == CHAOS_HANG || (f) == CHAOS_STOP)
/*
 * Whether a fault is of a service, else of the host or a path: one that
 * needs a target, or memory given one (its hog counted as the service's).
 */
#define CHAOS_OF_SERVICE(f, target)	(CHAOS_NEEDS_TARGET(f) || \
	((f) == CHAOS_MEMORY && (target) != NULL && (target)[0] != '\0'))

/* What an experiment must show; -1 (or NULL): not asked. */
struct chaos_expect {
	int64_t		 healed_within_ms;	/* fault -> the service up and its checks healthy */
	int64_t		 detected_within_ms;	/* fault -> tend saw it */
	int		 escalated;		/* an incident escalated */
	char		*root_cause;		/* the incident's root cause names this */
	int		 dependents_not_restarted;
	int		 rolled_back;		/* config: the daemon put the file back */
};

/* What a proxy does to a connection while a fault holds it. */
enum proxy_mode {
	PROXY_PASS,		/* forwards both ways: no fault */
	PROXY_LATENCY,		/* forwards after `delay` */
	PROXY_RESET,		/* resets the connection (RST) */
	PROXY_ERROR,		/* answers HTTP 503 and closes */
};

enum chaos_corrupt {
	CHAOS_CORRUPT_TRUNCATE,	/* the file emptied */
	CHAOS_CORRUPT_GARBAGE,	/* a line no config parses, appended */
};

struct chaos_experiment {
	char		*name;
	struct conf_pos	 pos;
	int		 fault;		/* enum chaos_fault */
	struct conf_pos	 fault_pos;
	char		*target;	/* a service */
	struct conf_pos	 target_pos;
	int		 signal;	/* kill: default KILL */
	int64_t		 duration_ms;	/* hang, stop, fill_disk, cpu, memory: default 10s */
	char		*path;		/* fill_disk: a directory a disk check watches */
	struct conf_pos	 path_pos;
	int64_t		 leave;		/* fill_disk: bytes left free, default 1MB */
	char		*set;		/* config: the snapshot set */
	struct conf_pos	 set_pos;
	char		*file;		/* config: its file to break; NULL: the first file of the set */
	struct conf_pos	 file_pos;
	int		 corrupt;	/* config: enum chaos_corrupt, default truncate */
	char		*proxy;		/* proxy: a name under `proxies:` */
	struct conf_pos	 proxy_pos;
	int		 mode;		/* proxy: enum proxy_mode, default error */
	int64_t		 delay_ms;	/* proxy latency: default 2s */
	int		 cores;		/* cpu: busy processes, default 1 */
	int64_t		 grow;		/* memory: bytes a second, default 50MB */
	int64_t		 max;		/* memory: the most it takes, default 256MB */
	int		 repeat;	/* faults in a run, default 1 */
	int64_t		 every_ms;	/* between repeats, default 2s */
	int64_t		 timeout_ms;	/* the longest wait for healthy, default 60s */
	struct chaos_expect expect;
};

/*
 * `proxies:`: loopback TCP proxies the daemon runs in front of a port of
 * the config, passing everything until a chaos experiment makes one answer
 * slowly, with resets or with errors.
 */
struct proxy_conf {
	char		*name;
	struct conf_pos	 pos;
	char		*listen;	/* "127.0.0.1:18080": where checks connect */
	char		*upstream;	/* "127.0.0.1:8080": where it forwards to */
	struct conf_pos	 listen_pos, upstream_pos;
};

/* Tries of a command in all and the delay between them (`retry:` keys). */
struct retry_conf {
	int		 attempts;	/* default 1: no retry */
	struct backoff_conf backoff;	/* 1s doubling to 1m, jitter 0.1 */
};

/* One step of a rebuild: an argv, and where it was written. */
struct rebuild_step {
	char		**argv;
	struct conf_pos	 pos;
};

/* `jobs:`: a job the daemon runs on a schedule as `tend job NAME -- RUN` (docs/heartbeats.md). */
struct job_conf {
	char		*name;
	struct conf_pos	 pos;
	char		**run;		/* argv */
	struct schedule	 schedule;	/* "every 1h", "every 1d at 03:00" */
	int64_t		 timeout_ms;	/* 0: none */
	int64_t		 jitter_ms;	/* up to this added to each run's time */
};

/* `rebuild:`: an environment rebuilt from scratch (tend rebuild NAME). */
struct rebuild_conf {
	char		*name;
	struct conf_pos	 pos;
	struct conf_pos	 service_pos, clear_pos, snapshot_pos;	/* of the keys, when written */
	char		*service;	/* verified healthy afterwards; NULL: none */
	char		**clear;	/* removed first (rm -rf); may be NULL */
	struct rebuild_step *steps;
	size_t		 n_steps;
	struct retry_conf retry;	/* per step */
	char		*snapshot;	/* a set snapshotted before, rolled back on failure */
	/*
	 * This rebuild as a heal action ("rebuild-NAME"): the default plan
	 * for a dependency failure of its service. rebuild is name's.
	 */
	struct heal_action heal;
};

/* One pattern of `include:` (config/include.c). */
struct include_conf {
	char		*pattern;
	struct conf_pos	 pos;
};

struct tend_config {
	char		*source;	/* file path, or "<embedded>" */
	struct include_conf *includes;
	size_t		 n_includes;
	char		**include_files;	/* the files read besides source, in order */
	char		*state_dir;	/* NULL until resolved */
	enum log_format	 log_format;
	int64_t		 interval_ms;	/* default check interval, default 30s */
	/*
	 * `sample_every:` a faster check's runs go to the store and the anomaly
	 * watch at most this often (and when their state changes); default 1s
	 * from a file, 0 (every run) in a config built by hand.
	 */
	int64_t		 sample_every_ms;
	struct heal_conf heal;
	struct self_healing_conf self_healing;
	struct heal_action *actions;	/* named, under `actions:` */
	size_t		 n_actions;
	struct classify_rule *classify;
	size_t		 n_classify;
	struct anomaly_conf anomaly;
	struct web_conf	 web;
	struct metrics_conf metrics;
	struct exit_when_conf exit_when;
	struct alerts_conf alerts;
	struct report_conf report;
	struct installer_conf *installers;	/* declared, then the built-ins not declared */
	size_t		 n_installers;
	struct environment_conf environment;
	char		*cache_dir;	/* `cache_dir:`, NULL: see docs/config.md */
	struct asset_conf *assets;	/* `assets:`, for tend fetch */
	size_t		 n_assets;

	struct service_conf *services;
	size_t		 n_services;
	bool		 services_written;	/* `services:` is in the file, if only `{}` */
	struct check_conf *checks;
	size_t		 n_checks;
	struct snapshot_set_conf *snapshots;	/* declared, then the implicit `tend` */
	size_t		 n_snapshots;
	struct rebuild_conf *rebuilds;
	size_t		 n_rebuilds;
	struct job_conf	*jobs;
	size_t		 n_jobs;
	struct chaos_experiment *chaos;	/* `chaos: experiments:` */
	size_t		 n_chaos;
	struct schedule	 chaos_schedule;	/* `chaos: schedule:`; every_ms 0: none */
	struct conf_pos	 chaos_schedule_pos;
	char		**chaos_scheduled;	/* `chaos: scheduled:` the names; NULL: all */
	struct proxy_conf *proxies;	/* `proxies:` */
	size_t		 n_proxies;

	/* For config_find_*, once loaded; a config built by hand has none. */
	struct name_index services_by_name;
	struct name_index checks_by_name;
	struct name_index actions_by_name;
	struct name_index installers_by_name;
	struct name_index snapshots_by_name;
	struct name_index rebuilds_by_name;
};

#endif
