#!/bin/sh
# Time to heal: a web service whose health endpoint fails while its process
# stays alive. How long until a healthy answer is served again, under tend
# (http check every 1 s, default healing: restart, then verify) and monit
# (`set daemon 1`, `if failed port ... protocol http ... then restart`).
# supervisord has no health checks and cannot heal this at all.
# FAULT=sick (the default): the endpoint answers 500 (fakesvc --fail-when).
# FAULT=hang: the process is SIGSTOPped (bench/chaos's hang): the check times
#   out; MTTD (the fault -> the tool's first signal to the stopped process) is
#   measured too, and supervisord is watched doing nothing.
# Everything on 127.0.0.1; every process started here is killed by PID on exit.
#
# usage: bench/heal_mttr/run.sh [BUILD_DIR]
#        (environment: FAULT=sick|hang ROUNDS=10 PAUSE_MS=3500 (hang: 5500)
#         MONIT_START_TIMEOUT=2 CHECK_EVERY=1 CHECK_TIMEOUT=1 (whole seconds, as
#         monit counts them) FAIL_AFTER=1 (hang: 2) TOOLS="tend monit" (hang:
#         "tend monit supervisord") SUPERVISORD_WATCH_S=30; KEEP_LOGS=DIR copies
#         the tools' logs and tend's incidents there)
set -eu

BUILD=${1:-build}
FAULT=${FAULT:-sick}
case "$FAULT" in
sick) FAIL_AFTER=${FAIL_AFTER:-1}; TOOLS=${TOOLS:-tend monit} ;;
hang) FAIL_AFTER=${FAIL_AFTER:-2}; TOOLS=${TOOLS:-tend monit supervisord} ;;
*) echo "FAULT=$FAULT: expected sick or hang" >&2; exit 2 ;;
esac
ROUNDS=${ROUNDS:-10}
MONIT_START_TIMEOUT=${MONIT_START_TIMEOUT:-2}
CHECK_EVERY=${CHECK_EVERY:-1}
CHECK_TIMEOUT=${CHECK_TIMEOUT:-1}
# Before each fault the service has been up PAUSE_MS: longer than monit's start
# timeout (whole seconds of uptime, > MONIT_START_TIMEOUT s), during which
# monit does not test the port of a process it has just started. With
# FAIL_AFTER > 1 also long enough for monit to pass that many tests of the new
# process: until then its failed state outlasts the restart, and one failure
# restarts again (its failure count carries over). Sick: 3500; hang, default
# settings: 5500.
PAUSE_MS=${PAUSE_MS:-$([ "$FAIL_AFTER" -gt 1 ] &&
	echo $(((MONIT_START_TIMEOUT + 1 + FAIL_AFTER * CHECK_EVERY) * 1000 + 500)) || echo 3500)}
export SPREAD_MS=$((CHECK_EVERY * 1000))	# measure.py: faults over the whole interval
SUPERVISORD_WATCH_S=${SUPERVISORD_WATCH_S:-30}
# monit's "for N cycles": the same count of failures as tend's fail_after.
MONIT_CYCLES=""
[ "$FAIL_AFTER" -gt 1 ] && MONIT_CYCLES=" for $FAIL_AFTER cycles"
wanted() { case " $TOOLS " in *" $1 "*) return 0 ;; esac; return 1; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/heal_mttr"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

if wanted monit && ! command -v monit >/dev/null && [ "$(id -u)" -eq 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q monit >/dev/null 2>&1 || true
fi
if [ "$FAULT" = hang ] && wanted supervisord && ! command -v supervisord >/dev/null &&
    [ "$(id -u)" -eq 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q supervisor >/dev/null 2>&1 || true
fi
cmake --build "$BUILD" --target tend fakesvc >/dev/null
FAKESVC="$BUILD/tests/fakesvc"

WORK=$(mktemp -d /tmp/tend-heal-XXXXXX)
PIDS=""		# tend / monit / supervisord daemons

# Is PID running (a zombie, not yet reaped, counts as gone)?
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" != Z ]
}

# SIGTERM, then up to 10 s for it to exit, then SIGKILL; reaps it.
stop_pid() {
	kill "$1" 2>/dev/null || true
	i=0
	while alive "$1" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	alive "$1" && kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# Every fakesvc this run started: each records "start NAME PID MONO_NS" (and
# ready, stop) in WORK/record.TOOL. A pid is killed only while its command line
# still names WORK (never a recycled pid of someone else's process); CONT after
# TERM, as one may be SIGSTOPped.
kill_services() {
	for pid in $(cat "$WORK"/record.* 2>/dev/null | awk '$1 == "start" { print $3 }' | sort -u); do
		if alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$WORK"; then
			kill "$pid" 2>/dev/null || true
			kill -CONT "$pid" 2>/dev/null || true
			sleep 0.1
			alive "$pid" && kill -9 "$pid" 2>/dev/null || true
		fi
	done
	return 0
}

stop_all() {
	for pid in $PIDS; do stop_pid "$pid"; done
	PIDS=""
	# monit itself, should it have outlived its wrapper (by its pidfile).
	if [ -f "$WORK/monit.pid" ]; then
		pid=$(cat "$WORK/monit.pid")
		if alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$WORK"; then
			kill -9 "$pid" 2>/dev/null || true
		fi
		rm -f "$WORK/monit.pid"
	fi
	kill_services
}

cleanup() {
	stop_all
	if [ -n "${KEEP_LOGS:-}" ]; then
		mkdir -p "$KEEP_LOGS"
		for f in tend.log monit.log supervisord.log incidents.json record.tend record.monit \
		    record.supervisord tend.out monit.out supervisord.out; do
			[ -f "$WORK/$f" ] && cp "$WORK/$f" "$KEEP_LOGS/" || true
		done
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits (bounded, 10 s) for the first healthy answer, then measures.
measure() {
	name=$1
	if ! python3 - "$PORT" <<'PY'
import socket, sys, time
port, end = int(sys.argv[1]), time.monotonic() + 10
while time.monotonic() < end:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            if s.recv(64).startswith(b"HTTP/1.0 200"):
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.05)
sys.exit(1)
PY
	then
		echo "$name: the service never answered 200" >&2
		echo "RESULT median_ms=- p90_ms=- max_ms=- rounds=0 timeouts=-" >"$WORK/$name.result"
		return 0
	fi
	if [ "$FAULT" = hang ]; then
		python3 "$HERE/measure.py" --hang "$WORK/record.$name" "$PORT" "${2:-$ROUNDS}" \
			"$PAUSE_MS"
	else
		python3 "$HERE/measure.py" "$PORT" "$WORK/sick" "$ROUNDS" "$PAUSE_MS"
	fi | tee "$WORK/$name.out" | grep -v '^RESULT' || true
	grep '^RESULT' "$WORK/$name.out" >"$WORK/$name.result" ||
		echo "RESULT median_ms=- p90_ms=- max_ms=- rounds=0 timeouts=-" >"$WORK/$name.result"
}

# tend: the service supervised, one http check every CHECK_EVERY s, the default
# plan for a failing check of a service (restart, then verify), no cooldown. A
# restart sends the stop signal (TERM) and then SIGCONT, so that a stopped
# process acts on it.
if wanted tend; then
	PORT=$(free_port)
	rm -f "$WORK/sick"
	cat >"$WORK/tend.yaml" <<CONF
heal: { cooldown: 0s }
services:
  web:
    run: [$FAKESVC, --name, web, --record, $WORK/record.tend, --http, --listen, "$PORT",
          --fail-when, $WORK/sick]
    ready: { tcp: $PORT }
    checks:
      health: { type: http, url: 'http://127.0.0.1:$PORT/', every: ${CHECK_EVERY}s,
                timeout: ${CHECK_TIMEOUT}s, fail_after: $FAIL_AFTER }
CONF
	"$BUILD/tend" run -c "$WORK/tend.yaml" --state-dir "$WORK/tend-state" 2>"$WORK/tend.log" &
	PIDS="$!"
	echo "== tend: http check every $CHECK_EVERY s (timeout $CHECK_TIMEOUT s, fail_after $FAIL_AFTER), heal: restart + verify, cooldown 0s; $FAULT, $ROUNDS rounds"
	measure tend
	sleep 1.5	# the last incident is verified and closed
	"$BUILD/tend" incidents --state-dir "$WORK/tend-state" --format json \
		>"$WORK/incidents.json" 2>/dev/null || true
	stop_all
fi

# monit: the same service, daemonized with a pidfile (monit waits for start
# programs to return and follows the pid through the pidfile); one cycle a
# second; restart on a failed HTTP request. The start timeout (default 30 s) is
# also how long monit skips port tests of a process it has just started: 2 s
# here, and every fault lands after the service has been up longer than that.
# The stop program is a script as an operator would write it for a service
# that can hang: a SIGSTOPped process holds SIGTERM until it is continued, so
# TERM, then CONT; up to 5 s for it to exit, then KILL (monit itself sends no
# signal: it runs the stop program and waits for the pid to go).
if wanted monit; then
	[ "$PAUSE_MS" -gt $(((MONIT_START_TIMEOUT + 1) * 1000)) ] ||
		echo "warning: PAUSE_MS=$PAUSE_MS is within monit's start timeout; its port tests may be paused" >&2
	if command -v monit >/dev/null; then
		PORT=$(free_port)
		rm -f "$WORK/sick" "$WORK/web.pid"
		cat >"$WORK/web-stop" <<STOP
#!/bin/sh
pid=\$(cat $WORK/web.pid 2>/dev/null) || exit 0
kill -TERM "\$pid" 2>/dev/null || exit 0
kill -CONT "\$pid" 2>/dev/null
i=0
while kill -0 "\$pid" 2>/dev/null && [ \$i -lt 500 ]; do sleep 0.01; i=\$((i + 1)); done
kill -0 "\$pid" 2>/dev/null && kill -KILL "\$pid" 2>/dev/null
exit 0
STOP
		chmod 700 "$WORK/web-stop"
		cat >"$WORK/monitrc" <<CONF
set daemon $CHECK_EVERY
set logfile $WORK/monit.log
set pidfile $WORK/monit.pid
set idfile $WORK/monit.id
set statefile $WORK/monit.state
check process web with pidfile $WORK/web.pid
  start program = "$FAKESVC --name web --record $WORK/record.monit --http --listen $PORT --fail-when $WORK/sick --pidfile $WORK/web.pid --daemonize"
    with timeout $MONIT_START_TIMEOUT seconds
  stop program = "$WORK/web-stop"
  if failed port $PORT protocol http request "/" with timeout $CHECK_TIMEOUT seconds$MONIT_CYCLES then restart
CONF
		chmod 600 "$WORK/monitrc"
		# Under a subreaper that reaps at once (see reaper.py): this VM's init
		# reaps orphans 1.5-1.8 s late, and monit waits for a stopped daemon's
		# zombie to be reaped before it starts the new one.
		python3 "$HERE/reaper.py" monit -I -c "$WORK/monitrc" >/dev/null 2>&1 &
		PIDS="$!"
		echo "== monit $(monit -V | sed -n 's/.*version \([^ ]*\).*/\1/p'): set daemon $CHECK_EVERY, start timeout ${MONIT_START_TIMEOUT} s, if failed port ... protocol http with timeout $CHECK_TIMEOUT seconds$MONIT_CYCLES then restart; $FAULT, $ROUNDS rounds"
		measure monit
		stop_all
	else
		echo "== monit: not installed and cannot be installed here; monit is skipped"
	fi
fi

# supervisord (FAULT=hang only): it restarts a process when it exits and has
# no health checks, so a stopped process is not its concern. Measured anyway:
# one SIGSTOP, watched SUPERVISORD_WATCH_S, what supervisorctl says meanwhile;
# then the bench continues the process itself.
if [ "$FAULT" = hang ] && wanted supervisord; then
	if command -v supervisord >/dev/null; then
		PORT=$(free_port)
		cat >"$WORK/supervisord.conf" <<CONF
[unix_http_server]
file=$WORK/supervisor.sock

[supervisord]
nodaemon=true
logfile=$WORK/supervisord.log
pidfile=$WORK/supervisord.pid
childlogdir=$WORK

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$WORK/supervisor.sock

[program:web]
command=$FAKESVC --name web --record $WORK/record.supervisord --http --listen $PORT
autorestart=true
startsecs=0
CONF
		supervisord -n -c "$WORK/supervisord.conf" >/dev/null 2>&1 &
		PIDS="$!"
		echo "== supervisord $(supervisord -v): autorestart=true, no health checks; one hang, watched ${SUPERVISORD_WATCH_S} s"
		HANG_BOUND_S=$SUPERVISORD_WATCH_S \
		MEASURE_AT_BOUND="supervisorctl -c $WORK/supervisord.conf status web" \
			measure supervisord 1
		stop_all
	else
		echo "== supervisord: not installed and cannot be installed here; skipped"
	fi
fi

# The restart itself, from the fakesvc records: an old process stopping (it got
# SIGTERM) to the new one listening; median over the restarts, in ms.
restart_gap() {
	[ -f "$WORK/record.$1" ] || { echo -; return 0; }
	awk '$1 == "stop" { t = $4 } $1 == "ready" && t { print ($4 - t) / 1e6; t = 0 }' "$WORK/record.$1" |
		sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", v[int((NR - 1) * 0.5 + 0.5) + 1]; else print "-" }'
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$WORK/$1.result" 2>/dev/null || true; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.1fx", b / a; else print "-" }'; }

summary_sick() {
	echo "Time to heal a health endpoint answering 500, $ROUNDS rounds each (ms; ratio = median / tend's median)"
	echo "(restart = the old process stopping to the new one listening, median, from the services' own records)"
	printf '%-12s %10s %10s %10s %9s %10s %10s\n' tool median p90 max timeouts "vs tend" restart
	tm=$(field tend median_ms)
	for s in tend monit; do
		[ -f "$WORK/$s.result" ] || continue
		m=$(field $s median_ms)
		printf '%-12s %10s %10s %10s %9s %10s %10s\n' "$s" "$m" "$(field $s p90_ms)" \
			"$(field $s max_ms)" "$(field $s timeouts)" "$(ratio "$tm" "$m")" "$(restart_gap $s)"
	done
	printf '%-12s %s\n' supervisord "n/a: no health checks (it restarts a process only when it exits)"
}

summary_hang() {
	echo "A hang (SIGSTOP), check every $CHECK_EVERY s, timeout $CHECK_TIMEOUT s, $FAIL_AFTER failures; $ROUNDS rounds each (ms)"
	echo "(MTTD: the fault -> the tool's first signal to the stopped process; MTTR: -> 200 again;"
	echo " restart: the old process acting on TERM -> the new one listening, median; TERM: rounds"
	echo " whose stopped process acted on a SIGTERM, i.e. was continued, not killed)"
	printf '%-12s %9s %9s %9s %9s %9s %9s %8s %5s\n' tool "MTTD med" p90 "MTTR med" p90 max \
		timeouts restart TERM
	for s in tend monit; do
		[ -f "$WORK/$s.result" ] || continue
		printf '%-12s %9s %9s %9s %9s %9s %9s %8s %5s\n' "$s" "$(field $s mttd_median_ms)" \
			"$(field $s mttd_p90_ms)" "$(field $s median_ms)" "$(field $s p90_ms)" \
			"$(field $s max_ms)" "$(field $s timeouts)" "$(restart_gap $s)" "$(field $s term)"
	done
	# monit logs "connection succeeded" when its failed state recovers (not for
	# the first process, still in its initial state): a restart after the second
	# with none since the last one acted on one failure, its count carried over.
	if [ "$FAIL_AFTER" -gt 1 ] && [ -f "$WORK/monit.log" ]; then
		n=$(awk '/trying to restart/ { if (n++ >= 2 && !ok) c++; ok = 0 }
		    /connection succeeded/ { ok = 1 } END { print c + 0 }' "$WORK/monit.log")
		[ "$n" -eq 0 ] ||
			echo "monit: $n faults came before it had seen the new process pass; it restarted on one failure (raise PAUSE_MS)"
	fi
	if [ -f "$WORK/supervisord.out" ]; then
		printf '%-12s %s\n' supervisord "n/a: no health checks; after the fault:"
		grep -v '^RESULT' "$WORK/supervisord.out" | sed 's/^/             /'
	fi
}

echo
if [ "$FAULT" = hang ]; then summary_hang; else summary_sick; fi

if [ -s "$WORK/incidents.json" ]; then
	echo
	python3 - "$WORK/incidents.json" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    data = json.load(f)
incs = data if isinstance(data, list) else data.get("incidents", [])
def median(key):
    v = sorted(i[key] for i in incs if isinstance(i.get(key), (int, float)))
    return f"{v[int((len(v) - 1) * 0.5 + 0.5)]} ms" if v else "-"
res = {}
for i in incs:
    r = i.get("resolution") or i.get("phase") or "?"
    res[r] = res.get(r, 0) + 1
print(f"tend's own record (tend incidents): {len(incs)} incidents "
      f"({', '.join(f'{n} {r}' for r, n in sorted(res.items()))}); "
      f"median mttd_ms {median('mttd_ms')}, median mttr_ms {median('mttr_ms')}")
PY
fi
