#!/usr/bin/env python3
"""A year of tend history in STATE_DIR/tend.db, written as the store keeps it.

100 checks every 10 s under 10 services: their state changes (each check flaps
about twice a day), the services' crashes (backoff, starting, up) once a day
each, an incident per crash and per fifth flap with its healing attempts, the
learning table, anomalies, alerts, changes, snapshots, dependency changes and
the metric roll-ups retention keeps (1-hour averages for 90 days, 1-minute for
7). Check results, a row per run, are not written: the report never reads them.
"""
import random
import sqlite3
import sys

DAY = 86400000
HOUR = 3600000
MIN = 60000

def main(path, now):
    rnd = random.Random(14)
    db = sqlite3.connect(path)
    start = now - 365 * DAY
    sc, inc, att, alerts = [], [], [], []
    iid = 0
    for c in range(100):
        name = "check-%03d" % c
        svc = "svc-%d" % (c % 10)
        sc.append((start - HOUR, "check", name, svc, "unknown", "healthy"))
        t = start + rnd.randrange(DAY)
        n = 0
        while t < now:
            down = rnd.randrange(10000, 10 * MIN)
            sc.append((t, "check", name, svc, "healthy", "critical"))
            sc.append((t + down, "check", name, svc, "critical", "healthy"))
            n += 1
            if n % 5 == 0:
                iid += 1
                inc.append((iid, name, svc, "check", rnd.choice(["network", "timeout", "resource"]),
                            "critical", t, t + down, None, rnd.randrange(50, 20000), down,
                            "resolved", 1, "healed by restart" if down < 5 * MIN else "recovered by itself"))
                att.append((iid, "restart", t + 1000, t + 3000,
                            "healed" if down < 5 * MIN else "not verified"))
                alerts.append((t, "critical", name, iid, "slack", "delivered"))
            t += rnd.randrange(6 * HOUR, 18 * HOUR)
    for s in range(10):
        svc = "svc-%d" % s
        sc.append((start - HOUR, "service", svc, svc, "starting", "up"))
        t = start + rnd.randrange(DAY)
        while t < now:
            sc.append((t, "service", svc, svc, "up", "backoff"))
            sc.append((t + 500, "service", svc, svc, "backoff", "starting"))
            sc.append((t + 700, "service", svc, svc, "starting", "up"))
            iid += 1
            inc.append((iid, svc, svc, "service", "crash", "critical", t, t + 700, "oom", 5, 700,
                        "resolved", 1, "healed by restart"))
            att.append((iid, "restart", t + 5, t + 700, "healed"))
            t += rnd.randrange(12 * HOUR, 36 * HOUR)
    for s in range(20):
        t = start
        while t < now:
            t += rnd.randrange(DAY, 10 * DAY)
            sc.append((t, "anomaly", "host.cpu.%d" % s, None, "normal", "anomaly"))
            sc.append((t + 5 * MIN, "anomaly", "host.cpu.%d" % s, None, "anomaly", "normal"))
    db.execute("BEGIN")
    db.executemany("INSERT INTO state_changes (ts, kind, target, service, from_state, to_state)"
                   " VALUES (?, ?, ?, ?, ?, ?)", sc)
    db.executemany("INSERT INTO error_incidents (id, target, service, error_type, category,"
                   " severity, detected_at, resolved_at, root_cause, mttd_ms, mttr_ms, phase,"
                   " attempts, resolution) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", inc)
    db.executemany("INSERT INTO healing_attempts (incident_id, action, started_at, ended_at,"
                   " outcome) VALUES (?, ?, ?, ?, ?)", att)
    db.executemany("INSERT INTO alert_deliveries (at, event, target, incident, channel, outcome)"
                   " VALUES (?, ?, ?, ?, ?, ?)", alerts)
    for cat in ("network", "timeout", "resource", "crash"):
        db.execute("INSERT INTO recovery_procedures (category, action, attempts, successes)"
                   " VALUES (?, 'restart', 500, 400)", (cat,))
    for d in range(0, 365, 3):
        t = start + d * DAY
        db.execute("INSERT INTO changes (at, kind, set_name, detail) VALUES (?, 'files', 'app', '{}')", (t,))
        db.execute("INSERT INTO snapshots (set_name, reason, created_at, files, bytes, spec)"
                   " VALUES ('app', 'change', ?, 10, 1000, '{}')", (t,))
        db.execute("INSERT INTO dependency_changes (ts, check_name, dependency, old_version,"
                   " new_version) VALUES (?, 'deps', 'libssl3', '3.0.%d', '3.0.%d')" % (d, d + 1), (t,))
    metrics = []
    for m in range(100):
        for h in range(90 * 24):
            metrics.append(("check-%03d.latency_ms" % m, now - h * HOUR, 5.0, HOUR))
    db.executemany("INSERT INTO system_health_metrics (series, ts, value, resolution)"
                   " VALUES (?, ?, ?, ?)", metrics)
    db.commit()
    print("state_changes %d, incidents %d, attempts %d, metric rows %d"
          % (len(sc), len(inc), len(att), len(metrics)))

if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
