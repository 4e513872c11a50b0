#!/bin/sh
# Restart latency: a supervised process is killed with SIGKILL, KILLS times;
# how long until a new process runs, and until its port answers again, under
# tend, monit (`set daemon 1`) and supervisord. Everything on 127.0.0.1;
# every process started here is killed by PID on exit.
#
# usage: bench/restart_latency/run.sh [BUILD_DIR]
#        (environment: KILLS=20 PAUSE_MS=1500 SUPERVISORS="tend supervisord monit",
#         TEND_READY=notify to give tend's service `ready: notify`)
set -eu

BUILD=${1:-build}
KILLS=${KILLS:-20}
SUPERVISORS=${SUPERVISORS:-tend supervisord monit}
wanted() { case " $SUPERVISORS " in *" $1 "*) return 0 ;; esac; return 1; }
PAUSE_MS=${PAUSE_MS:-1500}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

if [ "$(id -u)" -eq 0 ]; then
	for pkg in monit supervisor; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" ||
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null
	done
fi
cmake --build "$BUILD" --target tend stampsvc killwatch >/dev/null

WORK=$(mktemp -d /tmp/tend-bench-XXXXXX)
PIDS=""
cleanup() {
	for pid in $PIDS; do kill -9 "$pid" 2>/dev/null || true; done
	[ -f "$WORK/stamp" ] && kill -9 "$(cut -d' ' -f1 "$WORK/stamp")" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + $$ % 20000))
}

# Waits (bounded) for the first stamp, then measures.
measure() {
	name=$1
	i=0
	while [ ! -f "$WORK/stamp" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	if [ ! -f "$WORK/stamp" ]; then
		echo "$name: the service never started" >&2
		echo "RESULT pid_median_ms=- pid_p90_ms=- port_median_ms=- port_p90_ms=- timeouts=-" >"$WORK/$name.result"
		return
	fi
	"$BUILD/bench/killwatch" "$WORK/stamp" "$PORT" "$KILLS" "$PAUSE_MS" | tee "$WORK/$name.out" |
		grep RESULT >"$WORK/$name.result" || true
}

stop_all() {
	for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
	sleep 1
	for pid in $PIDS; do kill -9 "$pid" 2>/dev/null || true; done
	PIDS=""
	[ -f "$WORK/stamp" ] && kill -9 "$(cut -d' ' -f1 "$WORK/stamp")" 2>/dev/null || true
	rm -f "$WORK/stamp" "$WORK/stamp.pid"
	sleep 0.5
}

STAMPSVC="$BUILD/bench/stampsvc"

# tend
if wanted tend; then
PORT=$(free_port)
cat >"$WORK/tend.yaml" <<CONF
services:
  stamp:
    run: [$STAMPSVC, $WORK/stamp, "$PORT"]
    backoff: { reset_after: 1s }
    limit: { restarts: 1000, within: 1m }
${TEND_READY:+    ready: $TEND_READY}
CONF
"$BUILD/tend" run -c "$WORK/tend.yaml" --state-dir "$WORK/tend-state" 2>"$WORK/tend.log" &
PIDS="$!"
echo "== tend"
measure tend
stop_all
fi

# supervisord
if wanted supervisord && command -v supervisord >/dev/null; then
	PORT=$(free_port)
	cat >"$WORK/supervisord.conf" <<CONF
[supervisord]
nodaemon=true
logfile=$WORK/supervisord.log
pidfile=$WORK/supervisord.pid
childlogdir=$WORK

[program:stamp]
command=$STAMPSVC $WORK/stamp $PORT
autorestart=true
startsecs=0
startretries=1000
CONF
	supervisord -n -c "$WORK/supervisord.conf" >/dev/null 2>&1 &
	PIDS="$!"
	echo "== supervisord"
	measure supervisord
	stop_all
fi

# monit
if wanted monit && command -v monit >/dev/null; then
	PORT=$(free_port)
	cat >"$WORK/monitrc" <<CONF
set daemon 1
set logfile $WORK/monit.log
set pidfile $WORK/monit.pid
set idfile $WORK/monit.id
set statefile $WORK/monit.state
check process stamp with pidfile $WORK/stamp.pid
  start program = "/bin/sh -c '$STAMPSVC $WORK/stamp $PORT $WORK/stamp.pid </dev/null >/dev/null 2>&1 &'"
CONF
	# monit expects start programs to background themselves, as init scripts do.
	chmod 600 "$WORK/monitrc"
	monit -I -c "$WORK/monitrc" >/dev/null 2>&1 &
	PIDS="$!"
	echo "== monit"
	measure monit
	stop_all
fi

field() { sed -n "s/.*$2=\([^ ]*\).*/\1/p" "$WORK/$1.result" 2>/dev/null; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.1fx", b / a; else print "-" }'; }

echo
echo "Restart latency after SIGKILL, $KILLS kills each (ms; ratio = other / tend)"
printf '%-12s %10s %10s %12s %12s %10s %10s\n' supervisor "pid med" "pid p90" "port med" "port p90" "pid ratio" "port ratio"
tp=$(field tend pid_median_ms)
tq=$(field tend port_median_ms)
for s in tend supervisord monit; do
	[ -f "$WORK/$s.result" ] || continue
	p=$(field $s pid_median_ms)
	q=$(field $s port_median_ms)
	printf '%-12s %10s %10s %12s %12s %10s %10s\n' "$s" "$p" "$(field $s pid_p90_ms)" \
		"$q" "$(field $s port_p90_ms)" "$(ratio "$tp" "$p")" "$(ratio "$tq" "$q")"
done
