#!/bin/sh
# The soak of issue 16: one tend with SERVICES services (WORK/bin/svc, a
# copy of sleep, so each is found by its argv under tend) and CHECKS checks
# each (process, tcp against a loopback listener, command `true`; every
# 10 s), a random service SIGKILLed every KILL_EVERY seconds for DURATION
# seconds. soak.py samples tend every SAMPLE_EVERY seconds (RSS, fds,
# threads, CPU, zombies among its children, kills, replacements seen, the
# restarts `tend status` counts) and prints the first and last ten minutes
# side by side, lost restarts and zombies. The aims: RSS, fds and threads
# flat, no lost restart, no zombie. Every process started here is stopped
# by its pid, also on interrupt.
#
# usage: bench/soak/run.sh [BUILD_DIR]   (environment: DURATION=7200 SERVICES=100
#        CHECKS=10 KILL_EVERY=10 SAMPLE_EVERY=60 TEND=; DURATION=300 to try it)
set -eu

BUILD=${1:-build}
DURATION=${DURATION:-7200}
SERVICES=${SERVICES:-100}
CHECKS=${CHECKS:-10}
KILL_EVERY=${KILL_EVERY:-10}
SAMPLE_EVERY=${SAMPLE_EVERY:-60}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
# TEND=PATH runs that binary instead (a copy, for a run that outlives rebuilds).
if [ -z "${TEND:-}" ]; then
	cmake --build "$BUILD" --target tend >/dev/null
	TEND="$BUILD/tend"
fi
WORK=$(mktemp -d /tmp/tend-soak-XXXXXX)
DRIVER=""
cleanup() {
	# soak.py stops tend and the services itself; this is for a driver killed hard.
	if [ -n "$DRIVER" ]; then kill "$DRIVER" 2>/dev/null || true; wait "$DRIVER" 2>/dev/null || true; fi
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
echo "tend $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$ROOT/bench/soak/soak.py" "$TEND" "$WORK" "$SERVICES" "$CHECKS" \
    "$DURATION" "$KILL_EVERY" "$SAMPLE_EVERY" &
DRIVER=$!
wait "$DRIVER" || true
DRIVER=""
