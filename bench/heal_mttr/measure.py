#!/usr/bin/env python3
"""Time to heal: makes a supervised HTTP service sick ROUNDS times and measures
how long until it answers 200 again.

usage: measure.py PORT SICKFILE ROUNDS PAUSE_MS [SEED]
       measure.py --hang RECORD PORT ROUNDS PAUSE_MS [SEED]

Each round: pause PAUSE_MS, so that the supervisor has settled after the last
heal (closed its incident, ended a cooldown; monit: the new process is older
than its start timeout, during which monit skips port tests) and the service
has been up that long, as a service that breaks would have been; wait
(bounded) until GET / answers 200; sleep a random 0-1000 ms (0-SPREAD_MS, from
the environment: the check's interval) so the fault lands at a random point of
the supervisor's check cycle (stratified: each round draws from its own 1/N of
it, in shuffled order, so that ten rounds cover the whole cycle instead of
bunching by chance); touch SICKFILE (the service answers 500 from then on,
while its process stays alive) and take t0; GET / every 5 ms until it answers 200 again: t1. Time to heal is
t1 - t0, bounded at 30 s.

Prints one line per round and, last,
RESULT median_ms=... p90_ms=... max_ms=... rounds=N timeouts=T
(medians and p90 as bench/restart_latency/killwatch.c takes them:
the sorted value at index round((n - 1) * p)).

With --hang the fault is a SIGSTOP instead: the process serving PORT is the
last one RECORD (fakesvc --record) says is ready, verified by its command line
naming RECORD and signalled through a pidfd. t0 is the SIGSTOP. Then, with no
request sent while it is stopped (one would hang for its whole timeout), its
/proc/PID/status is read every millisecond until the supervisor acts on it: a
signal pending (a SIGTERM is held while the process is stopped), the process
running again (SIGCONT) or gone (SIGKILL, or TERM and CONT): t_d, and
MTTD = t_d - t0. Then GET / every 5 ms until 200: MTTR = t1 - t0. Each bounded
at HANG_BOUND_S (environment, default 30 s); a process not acted on by then is
reported with its state (and the output of MEASURE_AT_BOUND, a shell command,
if set) and continued (SIGCONT). Whether the hung process got a SIGTERM it
acted on is read from its "stop" line in RECORD. The RESULT line then also
has mttd_median_ms, mttd_p90_ms, mttd_max_ms and term=N (of the rounds).
"""
import os
import random
import select
import signal
import socket
import subprocess
import sys
import time

SPREAD_S = float(os.environ.get("SPREAD_MS", 1000)) / 1000
BOUND_S = 30.0          # per round: to heal, and to be healthy before the fault
POLL_S = 0.005          # GET every 5 ms
PROC_POLL_S = 0.001     # /proc/PID/status of a stopped process: every 1 ms
REQUEST = b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"


def status(port):
    """The HTTP status of GET /, or None when nothing (or nothing sane) answers."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
            s.sendall(REQUEST)
            data = b""
            while b"\r\n" not in data and len(data) < 512:
                chunk = s.recv(512)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return None
    parts = data.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
        return None
    try:
        return int(parts[1])
    except ValueError:
        return None


def wait_healthy(port, bound_s):
    """Polls every POLL_S until 200; the time it took, or None after bound_s."""
    t0 = time.monotonic()
    while True:
        if status(port) == 200:
            return time.monotonic() - t0
        if time.monotonic() - t0 >= bound_s:
            return None
        time.sleep(POLL_S)


def touch(path):
    with open(path, "a"):
        pass
    os.utime(path, None)        # mtime = now: newer than the running process


def percentile(values, p):
    v = sorted(values)
    return v[int((len(v) - 1) * p + 0.5)] if v else -1.0


def fault_points(port, rounds, pause_ms, rng):
    """Yields (round, delay) for each round, once the pause is over and the service
    is healthy: the fault is due delay seconds later (stratified over SPREAD_S)."""
    slices = list(range(rounds))
    rng.shuffle(slices)
    for r in range(1, rounds + 1):
        time.sleep(pause_ms / 1000)
        if wait_healthy(port, BOUND_S) is None:
            print(f"round {r}: the service is not healthy after {BOUND_S:.0f} s; stopping",
                  flush=True)
            return
        yield r, (slices[r - 1] + rng.random()) / rounds * SPREAD_S


def ready_pid(record):
    """The pid of the last "ready" line of RECORD: the process now listening."""
    pid = None
    with open(record) as f:
        for line in f:
            w = line.split()
            if len(w) >= 3 and w[0] == "ready":
                pid = int(w[2])
    return pid


def proc_status(pid):
    """State letter and pending-signal masks (thread's | process's) from
    /proc/PID/status, or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            text = f.read()
    except OSError:
        return None
    state, pending = "?", 0
    for line in text.splitlines():
        key, _, val = line.partition(":")
        if key == "State":
            state = val.split()[0]
        elif key in ("SigPnd", "ShdPnd"):
            pending |= int(val.strip(), 16)
    return state, pending


def gone(pidfd):
    """A pidfd is readable once its process has exited."""
    return bool(select.select([pidfd], [], [], 0)[0])


def open_service(record):
    """A pidfd of the process serving the port, checked to be one RECORD names."""
    pid = ready_pid(record)
    if pid is None:
        raise RuntimeError(f"no ready process in {record}")
    fd = os.pidfd_open(pid)
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        cmd = f.read()
    if record.encode() not in cmd:
        os.close(fd)
        raise RuntimeError(f"pid {pid} is not a service of {record}")
    return pid, fd


def wait_acted(pid, pidfd, bound_s):
    """After SIGSTOP: the time until the process is first acted on, or None.
    The process must have been seen stopped first (the stop is asynchronous)."""
    t0 = time.monotonic()
    seen_stopped = False
    while time.monotonic() - t0 < bound_s:
        st = None if gone(pidfd) else proc_status(pid)
        if st is None or st[0] == "Z":
            return time.monotonic() - t0
        state, pending = st
        if state == "T":
            if seen_stopped and pending:
                return time.monotonic() - t0
            seen_stopped = True
        elif seen_stopped:
            return time.monotonic() - t0       # continued
        time.sleep(PROC_POLL_S)
    return None


def got_term(record, pid):
    """Did the hung process act on a SIGTERM (fakesvc's "stop" line)?"""
    with open(record) as f:
        return any(line.split()[:1] == ["stop"] and line.split()[2:3] == [str(pid)]
                   for line in f)


def hang_round(r, port, record, delay, bound_s):
    """One SIGSTOP: (mttd_ms, mttr_ms, got TERM) or None for a timeout."""
    pid, pidfd = open_service(record)
    try:
        time.sleep(delay)
        signal.pidfd_send_signal(pidfd, signal.SIGSTOP)
        t0 = time.monotonic()
        acted = wait_acted(pid, pidfd, bound_s)
        if acted is None:
            st = None if gone(pidfd) else proc_status(pid)
            print(f"round {r}: fault after {delay * 1000:4.0f} ms; pid {pid} NOT acted on "
                  f"within {bound_s:.0f} s: state {st[0] if st else 'gone'}, pending "
                  f"signals {hex(st[1]) if st else '-'}", flush=True)
            hook = os.environ.get("MEASURE_AT_BOUND")
            if hook:
                out = subprocess.run(hook, shell=True, capture_output=True, text=True,
                                     timeout=10)
                print(f"  {hook}: {(out.stdout + out.stderr).strip()}", flush=True)
            if not gone(pidfd):
                signal.pidfd_send_signal(pidfd, signal.SIGCONT)
            return None
        healed = wait_healthy(port, bound_s)
        if healed is None:
            print(f"round {r}: fault after {delay * 1000:4.0f} ms; acted on in "
                  f"{acted * 1000:7.1f} ms; NOT healthy within {bound_s:.0f} s", flush=True)
            return None
        mttr = time.monotonic() - t0
        term = got_term(record, pid)
        print(f"round {r}: fault after {delay * 1000:4.0f} ms; pid {pid} acted on in "
              f"{acted * 1000:7.1f} ms ({'TERM' if term else 'no TERM'}); healthy in "
              f"{mttr * 1000:7.1f} ms", flush=True)
        return acted * 1000, mttr * 1000, term
    finally:
        os.close(pidfd)


def main_hang():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    record, port, rounds, pause_ms = (sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                                      int(sys.argv[5]))
    rng = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else None)
    bound_s = float(os.environ.get("HANG_BOUND_S", BOUND_S))
    mttd, mttr, timeouts, terms, done = [], [], 0, 0, 0
    for r, delay in fault_points(port, rounds, pause_ms, rng):
        done += 1
        res = hang_round(r, port, record, delay, bound_s)
        if res is None:
            timeouts += 1
            continue
        mttd.append(res[0])
        mttr.append(res[1])
        terms += res[2]
    if mttr:
        print(f"RESULT median_ms={percentile(mttr, 0.5):.1f} "
              f"p90_ms={percentile(mttr, 0.9):.1f} max_ms={max(mttr):.1f} "
              f"mttd_median_ms={percentile(mttd, 0.5):.1f} "
              f"mttd_p90_ms={percentile(mttd, 0.9):.1f} mttd_max_ms={max(mttd):.1f} "
              f"rounds={done} timeouts={timeouts} term={terms}", flush=True)
    else:
        print(f"RESULT median_ms=- p90_ms=- max_ms=- mttd_median_ms=- mttd_p90_ms=- "
              f"mttd_max_ms=- rounds={done} timeouts={timeouts} term=0", flush=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--hang":
        return main_hang()
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    port, sick, rounds, pause_ms = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                                    int(sys.argv[4]))
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else None)
    times, timeouts = [], 0
    for r, delay in fault_points(port, rounds, pause_ms, rng):
        time.sleep(delay)
        touch(sick)
        t0 = time.monotonic()
        healed = wait_healthy(port, BOUND_S)
        if healed is None:
            timeouts += 1
            ms = BOUND_S * 1000
            print(f"round {r}: fault after {delay * 1000:4.0f} ms; NOT healed within "
                  f"{BOUND_S:.0f} s", flush=True)
        else:
            ms = (time.monotonic() - t0) * 1000
            print(f"round {r}: fault after {delay * 1000:4.0f} ms; healed in {ms:8.1f} ms",
                  flush=True)
        times.append(ms)
    if times:
        print(f"RESULT median_ms={percentile(times, 0.5):.1f} "
              f"p90_ms={percentile(times, 0.9):.1f} max_ms={max(times):.1f} "
              f"rounds={len(times)} timeouts={timeouts}", flush=True)
    else:
        print(f"RESULT median_ms=- p90_ms=- max_ms=- rounds=0 timeouts={timeouts}",
              flush=True)


if __name__ == "__main__":
    main()
