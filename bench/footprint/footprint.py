#!/usr/bin/env python3
"""The footprint of supervisors on the same work (bench/footprint/run.sh).

  footprint.py NAME IDLE_S PID...   for the processes PID (a supervisor and its own
                                    helpers, not the services): RSS, PSS and private dirty
                                    summed over them (smaps_rollup), threads, and the CPU
                                    seconds they use over IDLE_S seconds of idle.
Prints one line: NAME procs rss_kb pss_kb private_dirty_kb threads cpu_s
"""
import os
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def rollup(pid):
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                out[parts[0][:-1]] = int(parts[1])
    return out


def cpu_threads(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # after the comm: state is fields[0]; utime 14th, stime 15th, threads 20th overall
    return (int(fields[11]) + int(fields[12])) / TICK, int(fields[17])


def cpu_ns(pid):
    """Nanoseconds on a CPU, all threads: /proc/PID/stat's ticks are 10 ms,
    as much as tend uses idle in 30 s."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def main():
    name, idle, pids = sys.argv[1], float(sys.argv[2]), [int(p) for p in sys.argv[3:]]
    before = sum(cpu_ns(p) for p in pids)
    time.sleep(idle)
    after = sum(cpu_ns(p) for p in pids)
    rss = pss = dirty = threads = 0
    for p in pids:
        r = rollup(p)
        rss += r.get("Rss", 0)
        pss += r.get("Pss", 0)
        dirty += r.get("Private_Dirty", 0)
        threads += cpu_threads(p)[1]
    print(f"{name} {len(pids)} {rss} {pss} {dirty} {threads} {(after - before) / 1e9:.3f}")


main()
