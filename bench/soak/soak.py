#!/usr/bin/env python3
"""The soak of bench/soak/run.sh: drives one tend for DURATION seconds.

  soak.py TEND WORK SERVICES CHECKS DURATION KILL_EVERY SAMPLE_EVERY

Writes WORK/soak.yaml (SERVICES services running WORK/bin/svc, a copy of
sleep, each with CHECKS checks: process, tcp against a listener this script
serves on loopback, command `true`), starts `tend run`, SIGKILLs a random
service's main process every KILL_EVERY seconds and watches its replacement
(a new pid of that service under tend). Every SAMPLE_EVERY seconds a line:
tend's RSS, fds, threads, CPU, zombies among its children, kills, restarts
seen, restarts tend counts (`tend status --format json`). At the end the
first and last ten minutes side by side, lost restarts and zombies. Every
process started here is stopped by its pid, also on SIGINT/SIGTERM.
"""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

LOST_AFTER = 60.0  # a kill with no new pid this long after is a lost restart
WINDOW = 600.0  # the first and last ten minutes


def log(*a):
    print(*a, flush=True)


def write_config(work, n, k, port):
    kinds = ["process", "tcp", "command"]
    lines = [f"state_dir: {work}/state", "web: { enabled: false }", "services:"]
    for i in range(n):
        lines += [f"  s{i}:", f"    run: [{work}/bin/svc, '{1000000 + i}']", "    checks:"]
        for j in range(k):
            kind = kinds[j % 3]
            name = f"c{i}_{j}"
            if kind == "process":
                lines.append(f"      {name}: {{ type: process, every: 10s }}")
            elif kind == "tcp":
                lines.append(f"      {name}: {{ type: tcp, port: '127.0.0.1:{port}', "
                             "every: 10s }")
            else:
                lines.append(f"      {name}: {{ type: command, run: [true], every: 10s }}")
    path = f"{work}/soak.yaml"
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def serve(sock):
    """Accepts and closes: what the tcp checks connect to."""
    while True:
        try:
            c, _ = sock.accept()
            c.close()
        except OSError:
            return


def read(path, default=""):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return default


def children(pid):
    """tend's children: pid -> (state, argv)."""
    out = {}
    for t in os.listdir(f"/proc/{pid}/task") if os.path.isdir(f"/proc/{pid}/task") else []:
        for c in read(f"/proc/{pid}/task/{t}/children").split():
            stat = read(f"/proc/{c}/stat")
            state = stat[stat.rfind(")") + 2:][:1] if stat else "?"
            out[int(c)] = (state, read(f"/proc/{c}/cmdline").split("\0"))
    return out


def services(pid, svc):
    """Service index -> main pid, from tend's children running svc."""
    out = {}
    for c, (state, argv) in children(pid).items():
        if len(argv) >= 2 and argv[0] == svc and state != "Z":
            out[int(argv[1]) - 1000000] = c
    return out


def status(tend, conf):
    try:
        r = subprocess.run([tend, "status", "-c", conf, "--format", "json"],
                           capture_output=True, text=True, timeout=20)
        return json.loads(r.stdout)
    except (subprocess.SubprocessError, ValueError):
        return None


def loop_lag_ms(tend, conf):
    """tend_loop_lag_seconds now: how late the loop's 250 ms timer last fired."""
    try:
        r = subprocess.run([tend, "export-metrics", "-c", conf], capture_output=True,
                           text=True, timeout=20)
        for m in json.loads(r.stdout)["metrics"]:
            if m["name"] == "tend_loop_lag_seconds":
                return m["samples"][0]["value"] * 1000
    except (subprocess.SubprocessError, ValueError, KeyError, IndexError):
        pass
    return float("nan")


def proc_figures(pid):
    st = read(f"/proc/{pid}/status")
    f = {}
    for line in st.splitlines():
        if line.startswith("VmRSS:"):
            f["rss_kb"] = int(line.split()[1])
        elif line.startswith("Threads:"):
            f["threads"] = int(line.split()[1])
    try:
        f["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        f["fds"] = -1
    stat = read(f"/proc/{pid}/stat")
    fields = stat[stat.rfind(")") + 2:].split()
    f["cpu_ticks"] = int(fields[11]) + int(fields[12]) if len(fields) > 12 else 0
    return f


class Soak:
    def __init__(self, argv):
        self.tend, self.work = argv[1], argv[2]
        self.n, self.k = int(argv[3]), int(argv[4])
        self.duration, self.kill_every = float(argv[5]), float(argv[6])
        self.sample_every = float(argv[7])
        self.svc = f"{self.work}/bin/svc"
        self.proc = None
        self.kills = 0
        self.killed = {}  # service -> kills
        self.base = {}  # service -> restarts tend counted at the first sample
        self.final = {}  # ... at the last
        self.pending = {}  # service -> (old pid, kill time)
        self.restarted = 0
        self.lost = []
        self.latencies = []
        self.samples = []
        self.zombies = {}  # pid -> samples it was seen in
        self.zombie_max = 0
        self.base_restarts = None
        self.tick = os.sysconf("SC_CLK_TCK")

    def start(self):
        os.makedirs(f"{self.work}/bin", exist_ok=True)
        shutil.copy(shutil.which("sleep"), self.svc)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(512)
        threading.Thread(target=serve, args=(self.listener,), daemon=True).start()
        self.conf = write_config(self.work, self.n, self.k, self.listener.getsockname()[1])
        self.proc = subprocess.Popen([self.tend, "run", "-c", self.conf],
                                     stdout=open(f"{self.work}/tend.log", "w"),
                                     stderr=subprocess.STDOUT)
        log(f"tend pid {self.proc.pid}; {self.n} services, {self.n * self.k} checks; "
            f"a kill every {self.kill_every:g} s for {self.duration:g} s")
        deadline = time.monotonic() + 60
        while len(services(self.proc.pid, self.svc)) < self.n:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit("tend did not start every service in 60 s")
            time.sleep(0.1)

    def restarts_counted(self):
        st = status(self.tend, self.conf)
        if not st:
            return None
        per = {s["name"]: s.get("restarts", 0) for s in st.get("services", [])}
        if not self.base:
            self.base = per
        self.final = per
        return sum(per.values())

    def kill_one(self, now):
        running = services(self.proc.pid, self.svc)
        choices = [i for i in running if i not in self.pending]
        if not choices:
            return
        i = random.choice(choices)
        pid = running[i]
        # The pid is tend's unreaped child running svc: it cannot be another process.
        os.kill(pid, signal.SIGKILL)
        self.kills += 1
        self.killed[i] = self.killed.get(i, 0) + 1
        self.pending[i] = (pid, now)

    def watch(self, now):
        if not self.pending:
            return
        running = services(self.proc.pid, self.svc)
        for i, (old, at) in list(self.pending.items()):
            if running.get(i, old) != old:
                self.restarted += 1
                self.latencies.append(now - at)
                del self.pending[i]
            elif now - at > LOST_AFTER:
                self.lost.append((i, old, at))
                del self.pending[i]

    def sample(self, now, t0):
        f = proc_figures(self.proc.pid)
        z = [c for c, (state, _) in children(self.proc.pid).items() if state == "Z"]
        for c in z:
            self.zombies[c] = self.zombies.get(c, 0) + 1
        self.zombie_max = max(self.zombie_max, len(z))
        counted = self.restarts_counted()
        if counted is not None and self.base_restarts is None:
            self.base_restarts = counted
        f.update(t=now - t0, zombies=len(z), kills=self.kills, restarted=self.restarted,
                 counted=None if counted is None else counted - self.base_restarts)
        prev = self.samples[-1] if self.samples else None
        cpu = 0.0 if not prev else (f["cpu_ticks"] - prev["cpu_ticks"]) / self.tick
        f["cpu_s"] = cpu
        f["lag_ms"] = loop_lag_ms(self.tend, self.conf)
        self.samples.append(f)
        log(f"{f['t'] / 60:6.1f} min  rss {f['rss_kb']:6d} KB  fds {f['fds']:4d}  "
            f"threads {f['threads']:3d}  cpu {cpu:5.2f} s  lag {f['lag_ms']:6.1f} ms  "
            f"zombies {len(z)}  kills {self.kills:4d}  restarted {self.restarted:4d}  "
            f"tend counts {f['counted']}")

    def run(self):
        self.start()
        t0 = time.monotonic()
        self.sample(t0, t0)
        next_kill = t0 + self.kill_every
        next_sample = t0 + self.sample_every
        end = t0 + self.duration
        while True:
            now = time.monotonic()
            if self.proc.poll() is not None:
                log(f"tend exited ({self.proc.returncode}) after {(now - t0) / 60:.1f} min")
                break
            self.watch(now)
            if now >= end:
                break
            if now >= next_kill:
                self.kill_one(now)
                next_kill += self.kill_every
            if now >= next_sample:
                self.sample(now, t0)
                next_sample += self.sample_every
            time.sleep(0.05)
        # The last kills' replacements, before the final count.
        deadline = time.monotonic() + 5
        while self.pending and time.monotonic() < deadline and self.proc.poll() is None:
            self.watch(time.monotonic())
            time.sleep(0.05)
        if self.proc.poll() is None:
            self.sample(time.monotonic(), t0)
        for i, (old, at) in self.pending.items():
            self.lost.append((i, old, at))
        self.report()

    def report(self):
        s = self.samples
        if len(s) < 2:
            log("too few samples")
            return
        span = s[-1]["t"]
        w = min(WINDOW, span / 2)
        first = [x for x in s[1:] if x["t"] <= w] or s[1:2]
        last = [x for x in s if x["t"] >= span - w] or s[-1:]
        log(f"\nfirst {w / 60:g} min vs last {w / 60:g} min "
            "(mean, min-max of the samples):")
        keys = (("rss_kb", "KB"), ("fds", ""), ("threads", ""), ("cpu_s", "s/sample"),
                ("lag_ms", "ms"))
        for key, unit in keys:
            def fmt(xs):
                v = [x[key] for x in xs]
                return f"{sum(v) / len(v):9.1f} ({min(v):g}-{max(v):g})"
            log(f"  {key:8s} {fmt(first)}   {fmt(last)}  {unit}")
        lat = sorted(self.latencies)
        med = lat[len(lat) // 2] * 1000 if lat else float("nan")
        worst = lat[-1] * 1000 if lat else float("nan")
        counted = s[-1]["counted"]
        log(f"kills {self.kills}, replaced {self.restarted} (new pid seen, median "
            f"{med:.0f} ms, worst {worst:.0f} ms at 50 ms polling), lost restarts "
            f"{len(self.lost)}; tend counts {counted} restarts over the run")
        for i, old, at in self.lost:
            log(f"  lost: s{i} pid {old} killed at {at:.0f}")
        # tend's own count, service by service: fewer restarts than kills is a lost one.
        def counted(i):
            return self.final.get(f"s{i}", 0) - self.base.get(f"s{i}", 0)
        short = [f"s{i} ({n} kills, {counted(i)} restarts)"
                 for i, n in sorted(self.killed.items()) if counted(i) < n]
        log(f"services restarted fewer times than killed (tend's count): {len(short)}"
            + (": " + ", ".join(short[:10]) if short else ""))
        stuck = sorted(p for p, n in self.zombies.items() if n > 1)
        log(f"zombies: {len(self.zombies)} seen in samples "
            f"(at most {self.zombie_max} at once), "
            f"{len(stuck)} seen in two samples or more" + (f": {stuck}" if stuck else ""))

    def stop(self):
        if not self.proc or self.proc.poll() is not None:
            return
        left = services(self.proc.pid, self.svc)
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pid in left.values():
            # Still ours only if it still runs svc (tend stops them; this is the fallback).
            if read(f"/proc/{pid}/cmdline").split("\0")[0] == self.svc:
                os.kill(pid, signal.SIGKILL)


def main():
    soak = Soak(sys.argv)

    def interrupted(sig, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        soak.run()
    except KeyboardInterrupt:
        log("interrupted")
        soak.report()
    finally:
        soak.stop()


main()
