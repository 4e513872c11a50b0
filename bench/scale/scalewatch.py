#!/usr/bin/env python3
"""Times a scaling by TCP connects on loopback (bench/scale/run.sh).

  scalewatch.py up BASE N                   wait until ports BASE..BASE+N-1 answer
  scalewatch.py time-up BASE N CMD...       run CMD, time until those N answer
  scalewatch.py time-down BASE N KEEP CMD.. run CMD, time until only the first KEEP answer
Each wait gives up after 30 s (and says so).
"""
import socket
import subprocess
import sys
import time


def answers(port):
    s = socket.socket()
    s.settimeout(0.05)
    try:
        s.connect(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def wait(base, n, keep=None, limit=30.0):
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if keep is None and all(answers(base + i) for i in range(n)):
            return time.monotonic() - start
        if keep is not None and all(answers(base + i) == (i < keep) for i in range(n)):
            return time.monotonic() - start
        time.sleep(0.002)
    return None


def timed(base, n, keep, cmd):
    start = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    t = wait(base, n, keep)
    total = None if t is None else time.monotonic() - start
    what = f"{n} up" if keep is None else f"down to {keep}"
    print(f"  {what}: " + ("did not happen in 30 s" if total is None else f"{total * 1000:.0f} ms"))


def main():
    mode, base, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if mode == "up":
        sys.exit(0 if wait(base, n) is not None else 1)
    if mode == "time-up":
        timed(base, n, None, sys.argv[4:])
    elif mode == "time-down":
        timed(base, n, int(sys.argv[4]), sys.argv[5:])


main()
