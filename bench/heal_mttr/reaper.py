#!/usr/bin/env python3
"""Runs a command as a child subreaper that reaps at once, as systemd does.

usage: reaper.py COMMAND [ARGS...]

monit starts services that daemonize: the daemon is re-parented to PID 1, and
after it is stopped monit waits until its pid is gone (getpgid fails). A zombie
still has a pid, so monit waits for PID 1 to reap it. On a host with systemd
that is immediate; the init of some VMs and containers reaps orphans only every
second or two, which would be charged to monit. Under this wrapper the orphans
are re-parented here (PR_SET_CHILD_SUBREAPER) and reaped the moment they exit.
SIGTERM and SIGINT are passed on to the command; exits when the command does,
with its status.
"""
import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"reaper: prctl: {os.strerror(ctypes.get_errno())}")
    child = os.fork()
    if child == 0:
        try:
            os.execvp(sys.argv[1], sys.argv[1:])
        finally:
            os._exit(127)

    def forward(sig, _frame):
        try:
            os.kill(child, sig)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)     # any child: the command or an orphan
        except ChildProcessError:
            sys.exit(0)
        if pid == child:
            sys.exit(os.waitstatus_to_exitcode(status) & 0xff)


if __name__ == "__main__":
    main()
