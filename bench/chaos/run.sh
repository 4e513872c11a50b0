#!/bin/sh
# tend chaos against a real supervised service: each built-in fault ROUNDS
# times, its MTTD and MTTR as `tend chaos run --format json` measures them
# (the daemon's status polled every 2 ms; docs/chaos.md), median and p90.
# The service is fakesvc serving HTTP on 127.0.0.1 with a health check every
# CHECK (fail_after 2, timeout 300 ms); the faults:
#   kill   SIGKILL to its process (ROUNDS times, PAUSE_MS apart so that the
#          restart backoff is reset, as for a service that had been up)
#   hang   SIGSTOP until tend heals it (the check fails, the healer restarts it)
#   stop   the service stopped for 200 ms, then started (MTTR: started -> healthy)
#   config its snapshot set's file emptied; the daemon's auto_rollback puts the
#          last known good back (MTTR: the fault -> the file back, all healthy)
#   proxy  a second check goes through a loopback proxy of the daemon's, which
#          answers HTTP 503 for 1 s (MTTD only: a proxy fault is not tend's to heal)
#   memory a leak in a second service, leaky: a process growing 200 MB/s counted
#          as leaky's own, which leaky's process check (every 100 ms, critical at
#          32 MB) sees and a restart ends (a service of its own, so that web's
#          stop and kill are not held up by a process check's 250 ms window)
#   cpu    two busy processes for 1 s, which a host CPU check (every 100 ms,
#          critical at 90 %) sees (MTTD only: the host's, not tend's to heal)
#   fill_disk  a 16 MB tmpfs filled but 100 KB for 1 s, which its disk check
#          (every 100 ms, critical at 90 %) sees (MTTD only; needs root to mount
#          the tmpfs, skipped otherwise)
# Everything under a mktemp -d dir; tend and every fakesvc it started are
# stopped by PID at exit.
#
# usage: bench/chaos/run.sh [BUILD_DIR]
#        (ROUNDS=20 CHECK=1s PAUSE_MS=1500
#         FAULTS="kill hang stop config proxy memory cpu fill_disk")
set -eu

BUILD=${1:-build}
ROUNDS=${ROUNDS:-20}
CHECK=${CHECK:-1s}
PAUSE_MS=${PAUSE_MS:-1500}
FAULTS=${FAULTS:-kill hang stop config proxy memory cpu fill_disk}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cmake --build "$BUILD" --target tend fakesvc >/dev/null
TEND="$BUILD/tend"
FAKESVC="$BUILD/tests/fakesvc"
WORK=$(mktemp -d /tmp/tend-chaos-bench-XXXXXX)
TEND_PID=""
MOUNTED=""

cleanup() {
	if [ -n "$TEND_PID" ]; then
		kill "$TEND_PID" 2>/dev/null || true
		wait "$TEND_PID" 2>/dev/null || true
	fi
	[ -z "$MOUNTED" ] || umount -l "$WORK/disk" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
FRONT=$(free_port)
mkdir -p "$WORK/app" "$WORK/disk"
echo good >"$WORK/app/site.conf"
# A small file system of its own to fill: the machine's disks are never filled.
if mount -t tmpfs -o size=16m tmpfs "$WORK/disk" 2>/dev/null; then
	MOUNTED=1
else
	FAULTS=$(echo "$FAULTS" | sed 's/fill_disk//')
	echo "fill_disk skipped: mounting a tmpfs needs root" >&2
fi
EVERY=$(python3 -c "print(int($PAUSE_MS))")
cat >"$WORK/tend.yaml" <<CONF
state_dir: $WORK/state
heal: { cooldown: 0s }
snapshots:
  app: { paths: [$WORK/app], restart: [web], auto_rollback: true, lkg_after: 200ms }
proxies:
  front: { listen: '127.0.0.1:$FRONT', upstream: '127.0.0.1:$PORT' }
services:
  web:
    run: [$FAKESVC, --name, web, --http, --listen, '$PORT']
    ready: { tcp: $PORT }
    backoff: { reset_after: 1s }
    limit: { restarts: 1000, within: 1s }   # 20 kills are the bench, not a crash loop
    checks:
      health: { type: http, url: 'http://127.0.0.1:$PORT/health', every: $CHECK,
                timeout: 300ms, fail_after: 2 }
      conf: { type: command, run: [sh, -c, 'grep -q good $WORK/app/site.conf || exit 2'],
              every: 100ms, heal: [] }     # exit 2: critical, what auto_rollback acts on
  leaky:
    run: [$FAKESVC, --name, leaky]
    checks:
      tree: { type: process, rss: { crit: 32MB }, every: 100ms, fail_after: 2 }
checks:
  # Through the proxy, and of no service: its failures are not web's to heal.
  front: { type: http, url: 'http://127.0.0.1:$FRONT/health', every: 100ms,
           timeout: 300ms, heal: [] }
  host-cpu: { type: resource, metric: cpu, warn: 80%, crit: 90%, every: 100ms, heal: [] }
  disk: { type: resource, metric: disk, path: $WORK/disk, warn: 80%, crit: 90%,
          every: 100ms, heal: [] }
chaos:
  experiments:
    kill: { fault: kill, target: web, repeat: $ROUNDS, every: ${EVERY}ms }
    hang: { fault: hang, target: web, duration: 30s, repeat: $ROUNDS, every: ${EVERY}ms }
    stop: { fault: stop, target: web, duration: 200ms, repeat: $ROUNDS, every: ${EVERY}ms }
    config: { fault: config, set: app, file: $WORK/app/site.conf, duration: 10s,
              repeat: $ROUNDS, every: ${EVERY}ms }
    proxy: { fault: proxy, proxy: front, mode: error, duration: 1s, repeat: $ROUNDS,
             every: ${EVERY}ms }
    memory: { fault: memory, target: leaky, grow: 200MB/s, max: 64MB, duration: 10s,
              repeat: $ROUNDS, every: ${EVERY}ms }
    cpu: { fault: cpu, cores: 2, duration: 1s, repeat: $ROUNDS, every: ${EVERY}ms }
    fill_disk: { fault: fill_disk, path: $WORK/disk, leave: 100KB, duration: 1s,
                 repeat: $ROUNDS, every: ${EVERY}ms }
CONF
"$TEND" run --no-web -c "$WORK/tend.yaml" >"$WORK/tend.log" 2>&1 &
TEND_PID=$!
i=0
# Every check healthy but the host's CPU (a busy machine's, not the bench's to wait for).
until "$TEND" status -c "$WORK/tend.yaml" --format json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if len(d["checks"]) == 6 and all(c["state"] == "healthy"
    for c in d["checks"] if c["name"] != "host-cpu") else 1)' 2>/dev/null &&
    "$TEND" snapshot list app -c "$WORK/tend.yaml" 2>/dev/null | grep -q " lkg "; do
	i=$((i + 1))
	[ $i -lt 200 ] || { echo "tend did not come up: $(tail -5 "$WORK/tend.log")" >&2; exit 1; }
	sleep 0.05
done

echo "tend chaos: $ROUNDS faults of each kind, check every $CHECK (fail_after 2), faults ${PAUSE_MS} ms apart"
echo
printf '%-9s %12s %10s %12s %10s %8s\n' fault "MTTD median" p90 "MTTR median" p90 healed
for fault in $FAULTS; do
	# --force: a busy machine's CPU check must not hold back the faults of the service.
	"$TEND" chaos run "$fault" --force -c "$WORK/tend.yaml" --format json \
	    >"$WORK/$fault.json" || true
	python3 - "$WORK/$fault.json" "$fault" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
runs = doc["experiments"][0]["runs"]
def pick(key):
    v = sorted(r[key] for r in runs if r[key] is not None)
    if not v:
        return "-", "-"
    at = lambda p: v[round((len(v) - 1) * p)]
    return "%.1f ms" % at(0.5), "%.1f ms" % at(0.9)
d, m = pick("mttd_ms"), pick("mttr_ms")
healed = sum(1 for r in runs if r["mttr_ms"] is not None)
print("%-9s %12s %10s %12s %10s %5d/%d" % (sys.argv[2], d[0], d[1], m[0], m[1], healed, len(runs)))
PY
done
