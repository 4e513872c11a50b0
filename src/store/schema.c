/*
 * The store's schema, as migrations: migration N takes PRAGMA user_version
 * from N-1 to N. A database is never rewritten: new versions add, and a
 * table that takes a new form is copied into it by the same migration.
 */
#include "store/schema.h"

#include <stddef.h>

static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE check_results ("
	"  id INTEGER PRIMARY KEY,"
	"  ts INTEGER NOT NULL,"			/* ms since the epoch */
	"  check_name TEXT NOT NULL,"
	"  service TEXT,"
	"  state TEXT NOT NULL,"
	"  latency_ms REAL,"
	"  message TEXT);"
	"CREATE INDEX check_results_by_check ON check_results (check_name, ts);"
	"CREATE TABLE state_changes ("
	"  id INTEGER PRIMARY KEY,"
	"  ts INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"				/* check | service */
	"  target TEXT NOT NULL,"
	"  service TEXT,"
	"  from_state TEXT,"
	"  to_state TEXT NOT NULL,"
	"  message TEXT);"
	"CREATE INDEX state_changes_by_target ON state_changes (target, ts);"
	"CREATE TABLE error_incidents ("
	"  id INTEGER PRIMARY KEY,"
	"  target TEXT NOT NULL,"
	"  error_type TEXT,"
	"  category TEXT,"
	"  severity TEXT,"
	"  detected_at INTEGER NOT NULL,"
	"  resolved_at INTEGER,"
	"  root_cause TEXT,"
	"  diagnosis TEXT,"
	"  actions_taken TEXT,"
	"  effectiveness_score REAL,"
	"  recurring INTEGER NOT NULL DEFAULT 0,"
	"  acked INTEGER NOT NULL DEFAULT 0,"
	"  mttd_ms INTEGER,"
	"  mttr_ms INTEGER);"
	"CREATE INDEX error_incidents_open ON error_incidents (resolved_at, detected_at);"
	"CREATE TABLE healing_attempts ("
	"  id INTEGER PRIMARY KEY,"
	"  incident_id INTEGER NOT NULL REFERENCES error_incidents (id),"
	"  action TEXT NOT NULL,"
	"  started_at INTEGER NOT NULL,"
	"  ended_at INTEGER,"
	"  outcome TEXT,"
	"  detail TEXT);"
	"CREATE TABLE recovery_procedures ("
	"  id INTEGER PRIMARY KEY,"
	"  category TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  successes INTEGER NOT NULL DEFAULT 0,"
	"  success_rate REAL,"
	"  updated_at INTEGER,"
	"  UNIQUE (category, action));"
	"CREATE TABLE system_health_metrics ("
	"  series TEXT NOT NULL,"
	"  ts INTEGER NOT NULL,"
	"  value REAL NOT NULL,"
	"  resolution INTEGER NOT NULL DEFAULT 0);"	/* 0 raw, 60000 1 min, 3600000 1 h */
	"CREATE INDEX system_health_metrics_by_series"
	"  ON system_health_metrics (series, resolution, ts);"
	"CREATE TABLE dependency_changes ("
	"  id INTEGER PRIMARY KEY,"
	"  ts INTEGER NOT NULL,"
	"  check_name TEXT NOT NULL,"
	"  dependency TEXT NOT NULL,"
	"  old_version TEXT,"
	"  new_version TEXT);",

	/* 1 -> 2: where the metric roll-ups have got to. */
	"CREATE TABLE store_meta ("
	"  key TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL);",

	/*
	 * 2 -> 3: what the healer needs to keep of an incident beyond schema 1:
	 * where it stands, the checks it covers and the ones correlated into it.
	 */
	"ALTER TABLE error_incidents ADD COLUMN service TEXT;"
	"ALTER TABLE error_incidents ADD COLUMN phase TEXT;"		/* open, healing, escalated, resolved */
	"ALTER TABLE error_incidents ADD COLUMN symptoms TEXT;"	/* JSON array of correlated targets */
	"ALTER TABLE error_incidents ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE error_incidents ADD COLUMN resolution TEXT;"	/* healed, recovered, resolved by hand */
	"ALTER TABLE error_incidents ADD COLUMN updated_at INTEGER;"
	"CREATE INDEX error_incidents_by_target ON error_incidents (target, detected_at);"
	"CREATE INDEX healing_attempts_by_incident ON healing_attempts (incident_id);",

	/*
	 * 3 -> 4: every alert delivery, one row per alert and channel, written
	 * again after each try: its last write says how it ended.
	 */
	"CREATE TABLE alert_deliveries ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"			/* when the alert was raised, ms */
	"  event TEXT NOT NULL,"			/* critical, warning, escalated, resolved, anomaly */
	"  target TEXT NOT NULL,"			/* a check, a service or a metric series */
	"  state TEXT,"				/* the target's state: critical, warning, healthy */
	"  message TEXT,"
	"  incident INTEGER,"				/* error_incidents.id; NULL for anomalies */
	"  channel TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"			/* delivered, retrying, failed */
	"  tries INTEGER NOT NULL DEFAULT 0,"
	"  detail TEXT,"				/* the last try's answer: HTTP 200, exit 1, ... */
	"  updated_at INTEGER);"
	"CREATE INDEX alert_deliveries_by_incident ON alert_deliveries (incident);",

	/*
	 * 4 -> 5: runs of `tend retry` (and of whatever else retries a command
	 * through net/retry), and each of their attempts.
	 */
	"CREATE TABLE retry_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  origin TEXT NOT NULL,"			/* tend retry, deps install, ... */
	"  started_at INTEGER NOT NULL,"		/* ms since the epoch */
	"  ended_at INTEGER,"				/* NULL while it runs */
	"  argv TEXT NOT NULL,"			/* JSON array */
	"  exit_code INTEGER,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  outcome TEXT NOT NULL,"			/* running, succeeded, failed, timed out, interrupted */
	"  ci INTEGER NOT NULL DEFAULT 0,"
	"  summary TEXT);"
	"CREATE INDEX retry_runs_by_start ON retry_runs (started_at);"
	"CREATE TABLE retry_attempts ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES retry_runs (id),"
	"  n INTEGER NOT NULL,"			/* 1, 2, ... over the whole run */
	"  argv TEXT NOT NULL,"			/* JSON array */
	"  fallback INTEGER NOT NULL DEFAULT 0,"	/* 0 the main command, i the i-th fallback */
	"  started_at INTEGER NOT NULL,"
	"  ended_at INTEGER,"
	"  exit_code INTEGER,"
	"  signal INTEGER,"
	"  timed_out INTEGER NOT NULL DEFAULT 0,"
	"  category TEXT,"				/* NULL when it succeeded */
	"  detail TEXT,"				/* what decided the category */
	"  tail TEXT,"					/* the end of its output */
	"  heal TEXT);"				/* the heal command run after it, and its exit */
	"CREATE INDEX retry_attempts_by_run ON retry_attempts (run_id);",

	/*
	 * 5 -> 6: snapshots of file sets (src/snapshot): a row per snapshot,
	 * its manifest, and the stat cache that spares reading unchanged files.
	 * A snapshot's row and entries are written in one transaction.
	 */
	"CREATE TABLE snapshots ("
	"  id INTEGER PRIMARY KEY,"
	"  set_name TEXT NOT NULL,"
	"  label TEXT,"
	"  reason TEXT,"				/* manual, pre-rollback, change, lkg, ... */
	"  created_at INTEGER NOT NULL,"		/* ms since the epoch */
	"  files INTEGER NOT NULL,"			/* entries of every type */
	"  bytes INTEGER NOT NULL,"			/* the regular files' sizes */
	"  lkg INTEGER NOT NULL DEFAULT 0,"		/* last known good */
	"  bad INTEGER NOT NULL DEFAULT 0,"
	"  spec TEXT NOT NULL);"			/* JSON: paths, exclude, symlinks */
	"CREATE INDEX snapshots_by_set ON snapshots (set_name, id);"
	"CREATE TABLE snapshot_entries ("
	"  snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),"
	"  path TEXT NOT NULL,"
	"  type TEXT NOT NULL,"			/* file, dir, symlink */
	"  mode INTEGER NOT NULL,"			/* permission bits */
	"  uid INTEGER NOT NULL,"
	"  gid INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  hash TEXT,"					/* a file's sha256 */
	"  target TEXT,"				/* a symlink's */
	"  PRIMARY KEY (snapshot_id, path)) WITHOUT ROWID;"
	"CREATE TABLE snapshot_stat_cache ("
	"  path TEXT PRIMARY KEY,"
	"  dev INTEGER NOT NULL,"
	"  ino INTEGER NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  ctime_ns INTEGER NOT NULL,"
	"  hash TEXT NOT NULL) WITHOUT ROWID;",

	/*
	 * 6 -> 7: changes (a set's files changed on disk, a reload, a guarded
	 * deploy, a deploy tool's mark, Debian packages), what they did to
	 * the checks, and the change an incident is blamed on.
	 */
	"CREATE TABLE changes ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"			/* ms since the epoch */
	"  kind TEXT NOT NULL,"			/* files, reload, guard, mark, packages */
	"  set_name TEXT,"				/* NULL: a change of no set */
	"  label TEXT,"
	"  detail TEXT NOT NULL,"			/* JSON: {paths, more} or {packages} */
	"  snapshot_id INTEGER,"			/* the set after the change */
	"  bad INTEGER NOT NULL DEFAULT 0,"		/* rolled back */
	"  rolled_back_at INTEGER);"
	"CREATE INDEX changes_by_time ON changes (at);"
	"ALTER TABLE error_incidents ADD COLUMN change_id INTEGER;",

	/*
	 * 7 -> 8: manifests shared between the snapshots of a set. A row is
	 * one version of a path, in every snapshot of its set from first_id
	 * up to (not including) until_id; NULL: still in the newest. A
	 * snapshot of an unchanged set adds no row, one of 10 changed files
	 * 10. The newest versions keep the stat cache (dev, ino, ctime_ns;
	 * NULL: not known), so a new snapshot reads one table once. The old
	 * per-snapshot rows become one version each, the old cache is kept
	 * where it agrees with them.
	 */
	"CREATE TABLE manifest_entries ("
	"  set_name TEXT NOT NULL,"
	"  path TEXT NOT NULL,"
	"  first_id INTEGER NOT NULL,"
	"  until_id INTEGER,"
	"  type TEXT NOT NULL,"			/* file, dir, symlink */
	"  mode INTEGER NOT NULL,"			/* permission bits */
	"  uid INTEGER NOT NULL,"
	"  gid INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  hash TEXT,"					/* a file's sha256 */
	"  target TEXT,"				/* a symlink's */
	"  dev INTEGER,"
	"  ino INTEGER,"
	"  ctime_ns INTEGER,"
	"  PRIMARY KEY (set_name, path, first_id)) WITHOUT ROWID;"
	"CREATE INDEX manifest_ended ON manifest_entries (set_name, until_id) "
	"  WHERE until_id IS NOT NULL;"
	"INSERT INTO manifest_entries SELECT s.set_name, e.path, e.snapshot_id,"
	"  (SELECT min(n.id) FROM snapshots n WHERE n.set_name = s.set_name AND n.id > s.id),"
	"  e.type, e.mode, e.uid, e.gid, e.mtime_ns, e.size, e.hash, e.target, c.dev, c.ino,"
	"  c.ctime_ns"
	"  FROM snapshot_entries e JOIN snapshots s ON s.id = e.snapshot_id"
	"  LEFT JOIN snapshot_stat_cache c ON c.path = e.path AND c.hash = e.hash AND"
	"  c.size = e.size AND c.mtime_ns = e.mtime_ns;"
	"DROP TABLE snapshot_entries;"
	"DROP TABLE snapshot_stat_cache;",

	/*
	 * 8 -> 9: chaos experiments run (tend chaos, docs/chaos.md): a row per
	 * experiment run, whether every expectation held, and a row per fault
	 * of it with what was measured.
	 */
	"CREATE TABLE chaos_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  experiment TEXT NOT NULL,"
	"  fault TEXT NOT NULL,"
	"  target TEXT NOT NULL,"
	"  started_at INTEGER NOT NULL,"		/* ms since the epoch */
	"  ended_at INTEGER NOT NULL,"
	"  ok INTEGER NOT NULL,"			/* every expectation held */
	"  failed TEXT NOT NULL);"			/* JSON: the expectations that did not */
	"CREATE INDEX chaos_runs_by_time ON chaos_runs (started_at);"
	"CREATE TABLE chaos_results ("
	"  run_id INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"				/* 1, 2, ... the faults of the run */
	"  mttd_ms REAL,"				/* NULL: never detected */
	"  mttr_ms REAL,"				/* NULL: not healed by tend */
	"  incident INTEGER,"
	"  PRIMARY KEY (run_id, n)) WITHOUT ROWID;",

	/*
	 * 9 -> 10: chaos runs recorded elsewhere and imported (tend report
	 * --import-json), each once: where a run came from, and its key (the
	 * sha256 of what it is, store/chaos.h), unique; runs recorded before
	 * have none.
	 */
	"ALTER TABLE chaos_runs ADD COLUMN source TEXT;"	/* NULL: run here; else the file */
	"ALTER TABLE chaos_runs ADD COLUMN run_key TEXT;"
	"CREATE UNIQUE INDEX chaos_runs_by_key ON chaos_runs (run_key) "
	"  WHERE run_key IS NOT NULL;",

	/*
	 * 10 -> 11: the runs of `tend job NAME -- CMD` (docs/heartbeats.md):
	 * when each began and ended, how, and the end of what it printed.
	 */
	"CREATE TABLE job_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  started_at INTEGER NOT NULL,"		/* ms since the epoch */
	"  ended_at INTEGER NOT NULL,"
	"  exit_code INTEGER,"				/* NULL: ended by a signal */
	"  signal INTEGER,"				/* NULL: it exited */
	"  timed_out INTEGER NOT NULL,"
	"  output TEXT NOT NULL);"			/* its last lines, redacted */
	"CREATE INDEX job_runs_by_time ON job_runs (started_at);",

	/*
	 * 11 -> 12: history at scale (10,000 checks every 10 s). A check's
	 * runs and a metric series' samples are kept together, keyed by a
	 * number for the name (WITHOUT ROWID, the key the order on disk): a
	 * sample takes about 27 bytes instead of 91, and a check's runs or a
	 * series' points are read from one range of pages. Two runs of a
	 * check in one millisecond cannot both be kept: the store writes the
	 * later one a millisecond on. The old tables become views of the same
	 * names and columns (check_results without its id), so SQL that read
	 * them still does. Copied: what the daemon's retention would keep of
	 * them (counted back from the newest row, the default windows), each
	 * sample of a series at one time once (their average). Incidents get
	 * an index by time: tend incidents lists the newest.
	 */
	"CREATE TABLE check_names ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  service TEXT);"
	"CREATE INDEX check_names_by_name ON check_names (name, service);"
	"CREATE TABLE check_runs ("
	"  check_id INTEGER NOT NULL,"			/* check_names.id */
	"  ts INTEGER NOT NULL,"			/* ms since the epoch */
	"  state TEXT NOT NULL,"
	"  latency_ms REAL,"
	"  message TEXT,"
	"  PRIMARY KEY (check_id, ts)) WITHOUT ROWID;"
	"CREATE TABLE metric_series ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE metric_samples ("
	"  series INTEGER NOT NULL,"			/* metric_series.id */
	"  resolution INTEGER NOT NULL,"		/* 0 raw, 60000 1 min, 3600000 1 h */
	"  ts INTEGER NOT NULL,"
	"  value REAL NOT NULL,"
	"  PRIMARY KEY (series, resolution, ts)) WITHOUT ROWID;"
	"INSERT INTO check_names (name, service)"
	"  SELECT DISTINCT check_name, service FROM check_results;"
	"INSERT OR IGNORE INTO check_runs"
	"  SELECT n.id, r.ts, r.state, r.latency_ms, r.message FROM check_results r"
	"  JOIN check_names n ON n.name = r.check_name AND n.service IS r.service"
	"  WHERE r.ts >= (SELECT max(ts) FROM check_results) - 86400000;"
	"INSERT INTO metric_series (name) SELECT DISTINCT series FROM system_health_metrics;"
	"WITH kept (resolution, since) AS (SELECT resolution, max(ts) - CASE resolution"
	"    WHEN 0 THEN 86400000 WHEN 60000 THEN 604800000 ELSE 7776000000 END"
	"    FROM system_health_metrics GROUP BY resolution)"
	"  INSERT INTO metric_samples SELECT s.id, m.resolution, m.ts, avg(m.value) FROM system_health_metrics m"
	"  JOIN kept k ON k.resolution = m.resolution"
	"  JOIN metric_series s ON s.name = m.series WHERE m.ts >= k.since"
	"  GROUP BY s.id, m.resolution, m.ts;"
	"DROP TABLE check_results;"
	"DROP TABLE system_health_metrics;"
	"CREATE VIEW check_results AS"
	"  SELECT r.ts, n.name AS check_name, n.service, r.state, r.latency_ms, r.message"
	"  FROM check_runs r JOIN check_names n ON n.id = r.check_id;"
	"CREATE VIEW system_health_metrics AS"
	"  SELECT s.name AS series, m.ts, m.value, m.resolution"
	"  FROM metric_samples m JOIN metric_series s ON s.id = m.series;"
	"CREATE INDEX error_incidents_by_time ON error_incidents (detected_at);",
};

size_t
schema_migration_count(void)
{
	return sizeof(migrations) / sizeof(migrations[0]);
}

const char *
schema_migration(size_t to_version)
{
	if (to_version < 1 || to_version > schema_migration_count())
		return NULL;
	return migrations[to_version - 1];
}
