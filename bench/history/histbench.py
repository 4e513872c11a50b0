#!/usr/bin/env python3
"""Measures a month of history (bench/history/run.sh), on WORK/state/tend.db.

  histbench.py size WORK                   the store's files and rows per table
  histbench.py bench TEND WORK CHECKS WATCH LIVE BASELINE

bench: `tend history` and `tend incidents` 20 times each (median, worst);
then tend runs on that state dir (CHECKS tcp checks every 10 s against a
loopback listener when LIVE is 1, else 10) with its web server, and while
WATCH seconds pass a probe asks the control socket every 10 ms for a
command the daemon answers at once on its loop: the answer's delay is how
long the loop was held. The store's watermarks, read every second, say when
each roll-up pass ended. /api/metrics/SERIES is timed 20 times per span
(1h, 24h, 7d, 30d) and tend history and incidents again, with the daemon
writing: 30 s after it started, and 310 s after, in its first pass. BASELINE=1 runs the same daemon on an empty state dir first,
for the loop's delays without history. Every process started is stopped
by its pid.
"""
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time


def log(*a):
    print(*a, flush=True)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))] if xs else float("nan")


def size(work):
    db = f"{work}/state/tend.db"
    files = {n: os.path.getsize(f"{db}{n}") for n in ("", "-wal", "-shm")
             if os.path.exists(f"{db}{n}")}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    total = sum(files.values())
    log(f"store: {total / 1e9:.2f} GB (" + ", ".join(
        f"tend.db{n} {v / 1e6:.0f} MB" for n, v in files.items()) + ")")
    rows = {}
    for table, sql in (("check_runs", "SELECT count(*) FROM check_runs"),
                       ("raw samples", "SELECT count(*) FROM metric_samples "
                        "WHERE resolution = 0"),
                       ("1-minute rows", "SELECT count(*) FROM metric_samples "
                        "WHERE resolution = 60000"),
                       ("1-hour rows", "SELECT count(*) FROM metric_samples "
                        "WHERE resolution = 3600000"),
                       ("incidents", "SELECT count(*) FROM error_incidents"),
                       ("state_changes", "SELECT count(*) FROM state_changes")):
        rows[table] = con.execute(sql).fetchone()[0]
    try:
        per = con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name "
                          "ORDER BY 2 DESC LIMIT 6").fetchall()
    except sqlite3.Error:
        per = []
    con.close()
    log("rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    if per:
        log("bytes: " + ", ".join(f"{n} {b / 1e6:.0f} MB" for n, b in per))
        b = dict(per)
        if rows["check_runs"]:
            log(f"  per check run {b.get('check_runs', 0) / rows['check_runs']:.1f} B")
        samples = rows["raw samples"] + rows["1-minute rows"] + rows["1-hour rows"]
        if samples:
            log(f"  per sample {b.get('metric_samples', 0) / samples:.1f} B")


def timed(fn, n=20):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000)
    return f"median {statistics.median(ts):6.1f} ms, worst {max(ts):6.1f} ms"


def cli_times(tend, work, checks, label):
    def history():
        c = random.randrange(checks)
        r = subprocess.run([tend, "history", f"c{c}", "--state-dir", f"{work}/state"],
                           capture_output=True, text=True)
        if r.returncode != 0 or "runs in the last" not in r.stdout:
            raise SystemExit(f"tend history failed: {r.stdout[-300:]} {r.stderr[-300:]}")

    def incidents():
        r = subprocess.run([tend, "incidents", "--state-dir", f"{work}/state"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"tend incidents failed: {r.stderr[-300:]}")

    log(f"tend history cN ({label}): {timed(history)}")
    log(f"tend incidents ({label}): {timed(incidents)}")


def api_times(port, checks):
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for since in ("1h", "24h", "7d", "30d"):
        npoints = []

        def get():
            c = random.randrange(checks)
            con.request("GET", f"/api/metrics/check.c{c}.latency_ms?since={since}")
            r = con.getresponse()
            body = r.read()
            if r.status != 200:
                raise SystemExit(f"/api/metrics: {r.status} {body[:200]}")
            npoints.append(len(json.loads(body)["points"]))
        t = timed(get)
        log(f"/api/metrics/check.cN.latency_ms?since={since:3s}: {t} "
            f"({statistics.median(npoints):.0f} points)")
    con.close()


class Probe:
    """Asks the loop every 10 ms; the answer's delay is how long it was held."""

    def __init__(self, sock_path, db, pid):
        self.sock_path, self.db, self.pid = sock_path, db, pid
        self.rss = []  # (t, KB) every 10 s
        self.samples = []  # (t, delay ms)
        self.marks = []  # (t, minute watermark) when it moved
        self.stop = False

    def run(self, seconds):
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
        end = time.monotonic() + seconds
        last_mark, next_mark = None, 0
        t0 = time.monotonic()
        while time.monotonic() < end and not self.stop:
            t = time.monotonic()
            # One request a connection: accepted, read and answered by the loop.
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(self.sock_path)
                s.sendall(b'{"cmd": "probe"}\n')
                s.makefile("rb").readline()
            self.samples.append((t - t0, (time.monotonic() - t) * 1000))
            if not self.rss or t - t0 - self.rss[-1][0] >= 10:
                self.rss.append((t - t0, proc_rss(self.pid)))
            if t >= next_mark:
                next_mark = t + 1
                row = con.execute("SELECT value FROM store_meta WHERE key = "
                                  "'rollup.minute'").fetchone()
                mark = row[0] if row else None
                if mark != last_mark:
                    if last_mark is not None:
                        self.marks.append((t - t0, mark))
                    last_mark = mark
            time.sleep(max(0.0, 0.01 - (time.monotonic() - t)))
        con.close()

    def report(self, label):
        d = [x for _, x in self.samples]
        log(f"loop ({label}): {len(d)} probes over {self.samples[-1][0]:.0f} s: "
            f"median {statistics.median(d):.2f} ms, p99 {pct(d, 99):.2f} ms, "
            f"p99.9 {pct(d, 99.9):.2f} ms, max {max(d):.1f} ms; "
            f"over 5 ms {sum(x > 5 for x in d)}, over 20 ms {sum(x > 20 for x in d)}")
        for t, mark in self.marks:
            log(f"  a pass ended at {t:.0f} s (watermark {mark})")
        # Per 10 s: the worst delay, to see the passes.
        buckets = {}
        for t, x in self.samples:
            b = int(t // 10)
            buckets[b] = max(buckets.get(b, 0), x)
        log("  worst per 10 s: " + " ".join(f"{v:.0f}" for _, v in sorted(buckets.items())))
        log("  tend's RSS per 10 s (MB): " + " ".join(f"{k / 1024:.0f}" for _, k in self.rss))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def write_config(work, state, checks, live, web_port, target_port):
    n = checks if live else 10
    lines = [f"state_dir: {state}", f"web: {{ listen: '127.0.0.1:{web_port}' }}", "checks:"]
    lines += [f"  c{i}: {{ type: tcp, port: '127.0.0.1:{target_port}', every: 10s }}"
              for i in range(n)]
    path = f"{work}/tend-{os.path.basename(state)}.yaml"
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


LISTENER = """
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(4096)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.close()
"""


class Daemon:
    def __init__(self, tend, work, state, checks, live, target_port):
        self.web_port = free_port()
        self.conf = write_config(work, state, checks, live, self.web_port, target_port)
        self.state = state
        os.makedirs(state, mode=0o700, exist_ok=True)
        self.log = open(f"{work}/tend-{os.path.basename(state)}.log", "w")
        self.proc = subprocess.Popen([tend, "run", "-c", self.conf], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while not os.path.exists(f"{state}/tend.sock"):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit("tend did not start")
            time.sleep(0.1)
        while True:  # the web server
            try:
                socket.create_connection(("127.0.0.1", self.web_port), 1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("tend's web server did not answer")
                time.sleep(0.1)

    def watch(self, seconds, label):
        p = Probe(f"{self.state}/tend.sock", f"{self.state}/tend.db", self.proc.pid)
        p.run(seconds)
        p.report(label)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def proc_rss(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


def bench(tend, work, checks, watch, live, baseline):
    started = []
    listener = subprocess.Popen([sys.executable, "-c", LISTENER], stdout=subprocess.PIPE,
                                text=True)
    started.append(listener)
    target = int(listener.stdout.readline())

    def stop_all(*_):
        for d in started:
            if isinstance(d, Daemon):
                d.stop()
            elif d.poll() is None:
                d.kill()
                d.wait()
        started.clear()

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        cli_times(tend, work, checks, "no daemon")
        if baseline:
            d = Daemon(tend, work, f"{work}/empty", checks, live, target)
            started.append(d)
            d.watch(watch, "no history")
            d.stop()
        d = Daemon(tend, work, f"{work}/state", checks, live, target)
        started.append(d)
        t0 = time.monotonic()
        t = threading.Thread(target=d.watch, args=(watch, "a month of history"))
        t.start()
        # Once it writes at its pace, and again once its first pass (5 min on) is under way.
        for at, label in ((30, "daemon writing"), (310, "during its first pass")):
            if at + 20 > watch:
                break
            time.sleep(max(0.0, t0 + at - time.monotonic()))
            log(f"-- {label} ({time.monotonic() - t0:.0f} s after it started)")
            api_times(d.web_port, checks)
            cli_times(tend, work, checks, label)
        t.join()
        d.stop()
        log(open(d.log.name).read().count("store maintenance:") and "".join(
            line for line in open(d.log.name) if "store maintenance" in line) or
            "no pass logged at info (each took under 10 s)")
    finally:
        stop_all()


def main():
    if sys.argv[1] == "size":
        size(sys.argv[2])
    else:
        bench(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]),
              sys.argv[6] == "1", sys.argv[7] == "1")


main()
