#!/bin/sh
# Runs the libFuzzer harnesses built by `make build-fuzz` (docs/fuzzing.md).
#
#   tests/fuzz/run.sh BUILD SECONDS [TARGET...]   fuzz each target for SECONDS
#   tests/fuzz/run.sh --merge BUILD [TARGET...]   add to the committed corpus
#                                                 what runs found that reaches
#                                                 new edges
#
# A run starts from the committed corpus and regression inputs and keeps
# what it finds in BUILD/fuzz/corpus/TARGET (never in git). Any crash,
# sanitizer report, leak, timeout (10 s an input) or memory blow-up (2 GB)
# fails the run; the input is kept in BUILD/fuzz/artifacts/TARGET/ and the
# log in BUILD/fuzz/TARGET.log. Every target runs, then a table says how
# each went: executions, executions per second, coverage (cov: edges, ft:
# features) and corpus size.
set -u
here=$(cd "$(dirname "$0")" && pwd)
all="config manifest perfdata classify version scan dpkglog control web"

merge=0
if [ "${1:-}" = "--merge" ]; then
	merge=1
	shift
fi
build=${1:?usage: run.sh [--merge] BUILD [SECONDS] [TARGET...]}
shift
if [ $merge -eq 0 ]; then
	seconds=${1:?usage: run.sh BUILD SECONDS [TARGET...]}
	shift
fi
targets=${*:-$all}
out="$build/fuzz"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# The daemon's harnesses log as tend does; the fuzzer's own lines and the
# sanitizers' reports are kept.
quiet() {
	case "$1" in
	control|web) echo "-close_fd_mask=2" ;;
	esac
}

# Leaks are looked for after each input that allocated more than it freed,
# but for the daemon's harnesses at exit only (LeakSanitizer still fails the
# run): the daemon's thread allocates while an input runs, and a leak check
# (which stops the world) after most inputs cut their speed by three.
leaks() {
	case "$1" in
	control|web) echo 0 ;;
	*) echo 1 ;;
	esac
}

dict() {
	[ -f "$here/dict/$1.dict" ] && echo "-dict=$here/dict/$1.dict"
}

# Adds to the committed corpus the inputs of the runs that reach an edge
# it does not (-use_counters=0: edges, not hit counts, which keeps it
# small). The committed inputs and the regression inputs stay as they are.
merge_one() {
	t=$1
	new="$out/merged/$t"
	rm -rf "$new" && mkdir -p "$new" "$here/corpus/$t" "$out/corpus/$t"
	cp "$here/corpus/$t"/* "$new"/ 2>/dev/null
	[ -d "$here/regressions/$t" ] && cp "$here/regressions/$t"/* "$new"/ 2>/dev/null
	# shellcheck disable=SC2046
	"$build/tests/fuzz/fuzz_$t" -merge=1 -use_counters=0 $(quiet "$t") $(dict "$t") \
	    "$new" "$out/corpus/$t" >"$out/$t.merge.log" 2>&1 || {
		echo "fuzz: $t: merge failed, see $out/$t.merge.log" >&2
		return 1
	}
	if [ -d "$here/regressions/$t" ]; then
		for f in "$here/regressions/$t"/*; do
			rm -f "$new/$(basename "$f")"
		done
	fi
	cp "$new"/* "$here/corpus/$t"/ 2>/dev/null
	echo "fuzz: $t: $(ls "$here/corpus/$t" | wc -l) inputs," \
	    "$(cat "$here/corpus/$t"/* | wc -c) bytes in tests/fuzz/corpus/$t"
}

# The committed inputs of a target: its corpus, and its regressions if any.
committed() {
	for d in "$here/corpus/$1" "$here/regressions/$1"; do
		[ -d "$d" ] && echo "$d"
	done
}

fuzz_one() {
	t=$1
	log="$out/$t.log"
	mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
	# shellcheck disable=SC2046
	"$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
	    -rss_limit_mb=2048 -malloc_limit_mb=2048 -detect_leaks="$(leaks "$t")" \
	    -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" \
	    $(quiet "$t") $(dict "$t") "$out/corpus/$t" $(committed "$t") >"$log" 2>&1
	rc=$?
	done=$(grep -a '^#[0-9]*[[:space:]]*DONE' "$log" | tail -1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(echo "$done" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$done" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$done" | sed -n 's/.*corp: \([^ ]*\).*/\1/p')
	if [ $rc -eq 0 ]; then
		status=ok
	else
		status="FAILED (exit $rc)"
		failed="$failed $t"
	fi
	printf '%-9s %10s %8s %6s %7s %12s  %s\n' "$t" "${execs:-?}" "${speed:-?}" \
	    "${cov:-?}" "${ft:-?}" "${corp:-?}" "$status" >>"$out/summary"
	if [ $rc -ne 0 ]; then
		echo "fuzz: $t failed; the end of $log:" >&2
		tail -n 40 "$log" >&2
		ls "$out/artifacts/$t"/* 2>/dev/null | sed 's/^/fuzz: input kept: /' >&2
	fi
}

for t in $targets; do
	if [ ! -x "$build/tests/fuzz/fuzz_$t" ]; then
		echo "fuzz: no harness $build/tests/fuzz/fuzz_$t (make build-fuzz; targets: $all)" >&2
		exit 2
	fi
done
mkdir -p "$out"

if [ $merge -eq 1 ]; then
	for t in $targets; do
		merge_one "$t" || exit 1
	done
	exit 0
fi

failed=""
printf '%-9s %10s %8s %6s %7s %12s  %s\n' target execs exec/s cov ft corpus result \
    >"$out/summary"
for t in $targets; do
	echo "fuzz: $t for ${seconds}s"
	fuzz_one "$t"
done
cat "$out/summary"
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed (reproduce: $build/tests/fuzz/fuzz_TARGET INPUT;" \
	    "triage: docs/fuzzing.md)" >&2
	exit 1
fi
