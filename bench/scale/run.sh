#!/bin/sh
# Scaling a service's copies on the same work, tend against supervisord:
# a group of N services that each listen on their own port (the tests'
# fakesvc, port BASE+i), scaled from 1 to N and back ROUNDS times. tend:
# `tend scale web N` (copies past the count parked, started on demand);
# supervisord: numprocs changed in its config and `supervisorctl update`,
# its way to change a group's count. Timed from the command to every port
# answering (up) or every other port closed (down), by scalewatch.py
# polling TCP connects every 2 ms; also whether copy 0 kept its pid.
# Loopback only; every process started here is killed by PID on exit.
#
# usage: bench/scale/run.sh [BUILD_DIR]   (environment: N=16 ROUNDS=5)
set -eu

BUILD=${1:-build}
N=${N:-16}
ROUNDS=${ROUNDS:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cmake --build "$BUILD" --target tend fakesvc >/dev/null
TEND="$BUILD/tend"
FAKESVC="$BUILD/tests/fakesvc"
WATCH="python3 $ROOT/bench/scale/scalewatch.py"

WORK=$(mktemp -d /tmp/tend-scale-XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null || true; done
	pkill -9 -f "$WORK" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
BASE=$(python3 -c 'import random; print(random.randrange(20000, 40000, 100))')

# tend
cat >"$WORK/tend.yaml" <<CONF
state_dir: $WORK/state
web: { enabled: false }
services:
  web:
    run: [$FAKESVC, --name, 'web{instance}', --record, $WORK/record, --http,
          --listen, '{instance+$BASE}']
    ready: { tcp: '{instance+$BASE}' }
    scale: { min: 1, max: $N }
CONF
"$TEND" run -c "$WORK/tend.yaml" >"$WORK/tend.log" 2>&1 &
PIDS="$!"
$WATCH up "$BASE" 1 >/dev/null
echo "== tend: scale web 1 -> $N -> 1, $ROUNDS rounds"
i=0
while [ "$i" -lt "$ROUNDS" ]; do
	$WATCH time-up "$BASE" "$N" "$TEND" scale -c "$WORK/tend.yaml" web "$N"
	$WATCH time-down "$BASE" "$N" 1 "$TEND" scale -c "$WORK/tend.yaml" web 1
	i=$((i + 1))
done
echo "copy 0 started $(grep -c '^start web0 ' "$WORK/record") time(s)"
kill "$PIDS"; wait "$PIDS" 2>/dev/null || true; PIDS=""

# supervisord
if command -v supervisord >/dev/null; then
	: >"$WORK/record"
	conf() {
		cat >"$WORK/supervisord.conf" <<CONF
[unix_http_server]
file=$WORK/supervisor.sock
[supervisorctl]
serverurl=unix://$WORK/supervisor.sock
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisord]
nodaemon=true
logfile=$WORK/supervisord.log
pidfile=$WORK/supervisord.pid
childlogdir=$WORK
[program:web]
process_name=%(program_name)s%(process_num)d
numprocs=$1
command=$FAKESVC --name web%(process_num)d --record $WORK/record --http --listen %(ENV_BASE100)s%(process_num)02d
autorestart=true
startsecs=0
CONF
	}
	conf 1
	BASE100=$((BASE / 100))
	BASE100=$BASE100 supervisord -n -c "$WORK/supervisord.conf" >/dev/null 2>&1 &
	PIDS="$!"
	$WATCH up "$((BASE100 * 100))" 1 >/dev/null
	echo "== supervisord: numprocs 1 -> $N -> 1 and supervisorctl update, $ROUNDS rounds"
	i=0
	while [ "$i" -lt "$ROUNDS" ]; do
		conf "$N"
		$WATCH time-up "$((BASE100 * 100))" "$N" supervisorctl -c "$WORK/supervisord.conf" update
		conf 1
		$WATCH time-down "$((BASE100 * 100))" "$N" 1 supervisorctl -c "$WORK/supervisord.conf" \
		    update
		i=$((i + 1))
	done
	echo "copy 0 started $(grep -c '^start web0 ' "$WORK/record") time(s)"
fi
