#!/usr/bin/env python3
"""Time to heal: makes a supervised HTTP service sick ROUNDS times and measures
how long until it answers 200 again.

usage: measure.py PORT SICKFILE ROUNDS PAUSE_MS [SEED]

Each round: pause PAUSE_MS, so that the supervisor has settled after the last
heal (closed its incident, ended a cooldown; monit: the new process is older
than its start timeout, during which monit skips port tests) and the service
has been up that long, as a service that breaks would have been; wait
(bounded) until GET / answers 200; sleep a random 0-1000 ms so the fault
lands at a random point of the supervisor's check cycle (stratified: each
round draws from its own 1000/N ms slice, in shuffled order, so that ten
rounds cover the whole cycle instead of bunching by chance); touch SICKFILE
(the service answers 500 from then on, while its process stays alive) and
take t0; GET / every 5 ms until it answers 200 again: t1. Time to heal is
t1 - t0, bounded at 30 s.

Prints one line per round and, last,
RESULT median_ms=... p90_ms=... max_ms=... rounds=N timeouts=T
(medians and p90 as bench/restart_latency/killwatch.c takes them:
the sorted value at index round((n - 1) * p)).
"""
import os
import random
import socket
import sys
import time

BOUND_S = 30.0          # per round: to heal, and to be healthy before the fault
POLL_S = 0.005          # GET every 5 ms
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


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    port, sick, rounds, pause_ms = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                                    int(sys.argv[4]))
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else None)
    times, timeouts = [], 0
    slices = list(range(rounds))
    rng.shuffle(slices)
    for r in range(1, rounds + 1):
        time.sleep(pause_ms / 1000)
        if wait_healthy(port, BOUND_S) is None:
            print(f"round {r}: the service is not healthy after {BOUND_S:.0f} s; stopping",
                  flush=True)
            break
        delay = (slices[r - 1] + rng.random()) / rounds
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
