#!/bin/sh
# A month of history at CHECKS checks every EVERY seconds (issue 16): the
# store filled by genhistory as tend holds it after its roll-ups and
# retention (SERIES metric series a check; check runs and raw samples for
# 24 h, 1-minute rows for 7 d, 1-hour rows for DAYS days, INCIDENTS
# incidents a day, the watermarks BACKLOG minutes back so that the first
# pass has work). Then (histbench.py): the store's size and rows; `tend
# history` and `tend incidents` (median and worst of 20) without and with
# the daemon; `/api/metrics/...` over 1h, 24h, 7d and 30d; and the loop's
# delays, probed every 10 ms over WATCH seconds while tend runs the CHECKS
# checks live (LIVE=1) on that store, through its first roll-up and
# retention pass (5 minutes after it starts) (BASELINE=1: first on an empty state dir, to compare). The aims:
# size bounded as docs/store.md says, each read under 50 ms, writes never
# holding the loop. The store is some GB: it is deleted at the end unless
# KEEP=1. Every process started is stopped by its pid.
#
# usage: bench/history/run.sh [BUILD_DIR]   (environment: CHECKS=10000 EVERY=10
#        SERIES=2 DAYS=30 INCIDENTS=1000 BACKLOG=10 WATCH=480 LIVE=1 BASELINE=0 KEEP=)
set -eu

BUILD=${1:-build}
CHECKS=${CHECKS:-10000}
EVERY=${EVERY:-10}
SERIES=${SERIES:-2}
DAYS=${DAYS:-30}
INCIDENTS=${INCIDENTS:-1000}
BACKLOG=${BACKLOG:-10}
WATCH=${WATCH:-480}
LIVE=${LIVE:-1}
BASELINE=${BASELINE:-0}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cmake --build "$BUILD" --target tend genhistory >/dev/null
WORK=$(mktemp -d /tmp/tend-history-XXXXXX)
DRIVER=""
cleanup() {
	if [ -n "$DRIVER" ]; then kill "$DRIVER" 2>/dev/null || true; wait "$DRIVER" 2>/dev/null || true; fi
	if [ -n "${KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
echo "tend $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -m 700 "$WORK/state"
start=$(date +%s)
"$BUILD/bench/genhistory" "$WORK/state/tend.db" "$CHECKS" "$EVERY" "$SERIES" "$DAYS" \
    "$INCIDENTS" "$BACKLOG"
echo "made in $(( $(date +%s) - start )) s"
python3 "$ROOT/bench/history/histbench.py" size "$WORK"
# Figures on a quiet machine: a 1-minute load under 1.0, waited for up to 10 minutes.
i=0
while [ "$(awk '{print ($1 < 1.0)}' /proc/loadavg)" = 0 ] && [ "$i" -lt 120 ]; do
	sleep 5
	i=$((i + 1))
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg) when measuring"
python3 "$ROOT/bench/history/histbench.py" bench "$BUILD/tend" "$WORK" "$CHECKS" "$WATCH" \
    "$LIVE" "$BASELINE" &
DRIVER=$!
wait "$DRIVER"
DRIVER=""
python3 "$ROOT/bench/history/histbench.py" size "$WORK"
