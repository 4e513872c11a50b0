#!/bin/sh
# Snapshots of a generated tree (gentree: FILES files, MB MiB, deterministic
# from SEED) and restores of ten of its files, side by side:
#   git      git add -A && git commit -q   (etckeeper's engine; the work tree
#            is the tree, the repository beside it)
#            restore: git checkout COMMIT -- the 10 paths
#   tar-sum  tar -cf - . | sha256sum       (tells that something changed;
#            keeps nothing to restore from)
#   tar      tar -cf ARCHIVE .             restore: tar -xf ARCHIVE the 10 paths
#   rsync    rsync -a --link-dest=PREV TREE/ NEW/   (unchanged files hard-linked)
#            restore: rsync -a --files-from=the 10 paths NEW/ TREE/
#   tend     tend snapshot create bench --label L   restore: tend rollback bench --to ID
# Measured: the first snapshot (once), a snapshot of the unchanged tree and
# one after 10 files changed (10 other files each round), and the restore of
# those 10 files to their snapshotted content after they were changed again
# (checked with sha256sum), each the median of ROUNDS; the disk space each
# store takes (du: hard links counted once). Every time is one command's
# wall clock (snaptime: CLOCK_MONOTONIC around posix_spawn and waitpid).
# Everything is under a mktemp -d work dir, removed at exit.
#
# usage: bench/snapshot/run.sh [BUILD_DIR]
#        (environment: FILES=10000 MB=500 ROUNDS=5 SEED=13
#         TOOLS="git tar-sum tar rsync tend")
set -eu

BUILD=${1:-build}
FILES=${FILES:-10000}
MB=${MB:-500}
ROUNDS=${ROUNDS:-5}
SEED=${SEED:-13}
TOOLS=${TOOLS:-git tar-sum tar rsync tend}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

if [ "$(id -u)" -eq 0 ]; then
	for pkg in git rsync; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" ||
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null
	done
fi
cmake --build "$BUILD" --target tend gentree snaptime >/dev/null
TEND="$BUILD/tend"
SNAPTIME="$BUILD/bench/snaptime"

drop() { TOOLS=$(echo " $TOOLS " | sed "s/ $1 / /"); }
for tool in $TOOLS; do
	case $tool in
	git | rsync) command -v "$tool" >/dev/null || { echo "$tool is not installed: skipped"; drop "$tool"; } ;;
	esac
done
# tend's snapshot commands may not be there yet: its rows say so.
TEND_BUILT=no
if "$TEND" snapshot --help >/dev/null 2>&1 && "$TEND" help 2>&1 | grep -qw snapshot; then
	TEND_BUILT=yes
fi
wanted() { case " $TOOLS " in *" $1 "*) return 0 ;; esac; return 1; }
measured() { wanted "$1" && { [ "$1" != tend ] || [ $TEND_BUILT = yes ]; }; }

WORK=$(mktemp -d /tmp/tend-snapshot-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
TREE="$WORK/tree"
STATE="$WORK/tend-state"
mkdir -p "$WORK/times" "$WORK/tar" "$WORK/rsync" "$WORK/sums"
LOG="$WORK/log"

echo "generating $FILES files, $MB MiB (seed $SEED) ..."
"$BUILD/bench/gentree" "$TREE" "$FILES" "$MB" "$SEED" "$WORK/list"
if [ "$(wc -l <"$WORK/list")" -lt $((ROUNDS * 10)) ]; then
	echo "FILES=$FILES has too few text files for ROUNDS=$ROUNDS" >&2
	exit 2
fi
echo "git $(git --version | cut -d' ' -f3), $(tar --version | head -1)," \
	"rsync $(rsync --version 2>/dev/null | head -1 | awk '{ print $3 }'), tend snapshot: $TEND_BUILT"

# git: the repository beside the tree, as etckeeper's is in /etc/.git but
# outside what tar and rsync read. No automatic gc in the middle of a run.
export GIT_DIR="$WORK/git" GIT_WORK_TREE="$TREE"
if wanted git; then
	git init -q
	git config user.name bench
	git config user.email bench@localhost
	git config gc.auto 0
fi
cat >"$WORK/tend.yaml" <<CONF
snapshots:
  bench:
    paths: [$TREE]
    restart: []
CONF

# timed OUT CMD...: CMD run in the tree, its time appended to times/OUT.
timed() { out=$1; shift; (cd "$TREE" && "$SNAPTIME" "$WORK/times/$out" "$@"); }
store() {
	case $1 in
	git) du -sk "$WORK/git" | cut -f1 ;;
	tar) du -sk "$WORK/tar" | cut -f1 ;;
	rsync) du -sk "$WORK/rsync" | cut -f1 ;;
	tend) du -sk "$STATE" 2>/dev/null | cut -f1 ;;
	*) echo 0 ;;
	esac
}
# The snapshot's id from `tend snapshot create`'s output: a JSON "id", else
# the first word that looks like one.
tend_id() {
	id=$(sed -n 's/.*"id"[[:space:]]*:[[:space:]]*"\{0,1\}\([0-9A-Za-z._:-]*\).*/\1/p' "$1" | head -1)
	[ -n "$id" ] || id=$(grep -oE '\b[0-9a-f]{8,64}\b|\b[0-9]+\b' "$1" | head -1)
	echo "$id"
}

RSYNC_PREV=""
# snap TOOL PHASE LABEL
snap() {
	case $1 in
	git)
		# Nothing to commit (the unchanged tree) is git's exit 1.
		rc=0
		timed "$2.git" sh -c 'git add -A && git commit -q -m "$1"' sh "$3" >>"$LOG" 2>&1 || rc=$?
		[ $rc -eq 0 ] || { [ "$2" = unchanged ] && [ $rc -eq 1 ]; } || { echo "git commit: $rc" >&2; exit 1; }
		git rev-parse HEAD >"$WORK/git.$3"
		;;
	tar-sum) timed "$2.tar-sum" sh -c 'tar -cf - . | sha256sum' >"$WORK/sums/$3" ;;
	tar) timed "$2.tar" tar -cf "$WORK/tar/$3.tar" . ;;
	rsync)
		if [ -n "$RSYNC_PREV" ]; then
			timed "$2.rsync" rsync -a --link-dest="$WORK/rsync/$RSYNC_PREV" "$TREE/" "$WORK/rsync/$3/"
		else
			timed "$2.rsync" rsync -a "$TREE/" "$WORK/rsync/$3/"
		fi
		RSYNC_PREV=$3
		;;
	tend)
		timed "$2.tend" "$TEND" snapshot create bench --label "$3" -c "$WORK/tend.yaml" \
			--state-dir "$STATE" >"$WORK/tend.$3" 2>>"$LOG"
		id=$(tend_id "$WORK/tend.$3")
		[ -n "$id" ] || { echo "no snapshot id in: $(cat "$WORK/tend.$3")" >&2; exit 1; }
		echo "$id" >"$WORK/tend.$3"
		;;
	esac
}
# restore TOOL LABEL: the files in $WORK/paths as they were in snapshot LABEL.
# gentree's names have no blanks: the lists are split into words on purpose.
# shellcheck disable=SC2046
restore() {
	case $1 in
	git) timed restore.git git checkout "$(cat "$WORK/git.$2")" -- $(cat "$WORK/paths") ;;
	tar) timed restore.tar tar -xf "$WORK/tar/$2.tar" $(sed 's|^|./|' "$WORK/paths") ;;
	rsync) timed restore.rsync rsync -a --files-from="$WORK/paths" "$WORK/rsync/$2/" "$TREE/" ;;
	tend) timed restore.tend "$TEND" rollback bench --to "$(cat "$WORK/tend.$2")" \
		-c "$WORK/tend.yaml" --state-dir "$STATE" ;;
	esac >>"$LOG" 2>&1
}
# change TEXT: a line added to each file in $WORK/paths (all builtins).
change() {
	while read -r p; do printf '%s\n' "$1" >>"$TREE/$p"; done <"$WORK/paths"
}

# What a command run through `sh -c` (git's and tar-sum's) costs by itself.
i=0
while [ $i -lt "$ROUNDS" ]; do timed floor sh -c true; i=$((i + 1)); done

echo "first snapshot ..."
for tool in $TOOLS; do
	measured "$tool" || continue
	snap "$tool" first s0
	store "$tool" >"$WORK/store.first.$tool"
done

echo "unchanged tree, $ROUNDS snapshots ..."
r=1
while [ $r -le "$ROUNDS" ]; do
	for tool in $TOOLS; do
		measured "$tool" || continue
		before=$(store "$tool")
		snap "$tool" unchanged "u$r"
		echo $(($(store "$tool") - before)) >>"$WORK/added.$tool"
	done
	# Each archive is measured, then removed: five of them would be
	# 2.5 GB of dirty pages that the next commands would wait for.
	rm -f "$WORK/tar/u$r.tar"
	r=$((r + 1))
done

echo "10 files changed, $ROUNDS rounds (snapshot, then restore) ..."
r=1
while [ $r -le "$ROUNDS" ]; do
	sed -n "$(((r - 1) * 10 + 1)),$((r * 10))p" "$WORK/list" >"$WORK/paths"
	change "round $r"
	for tool in $TOOLS; do
		if measured "$tool"; then snap "$tool" incremental "i$r"; fi
	done
	(cd "$TREE" && xargs sha256sum <"$WORK/paths") >"$WORK/expect"
	for tool in $TOOLS; do
		if ! measured "$tool" || [ "$tool" = tar-sum ]; then continue; fi
		change "round $r, broken before the $tool restore"
		restore "$tool" "i$r" || echo "$tool restore failed: see the log" >&2
		if (cd "$TREE" && sha256sum -c --quiet "$WORK/expect" >/dev/null 2>&1); then
			echo ok >>"$WORK/verified.$tool"
		else
			echo wrong >>"$WORK/verified.$tool"
		fi
	done
	[ $r -lt 2 ] || rm -f "$WORK/tar/i$((r - 1)).tar"
	r=$((r + 1))
done

# stats FILE: median min max (ms) of the times in FILE (split by `set --`).
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.1f %.1f %.1f", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
median() { stats "$1" | cut -d' ' -f1; }
base=git
measured tend && base=tend
measured "$base" || base=$(for t in $TOOLS; do measured "$t" && { echo "$t"; break; }; done)
[ -n "$base" ] || { echo "nothing measured" >&2; exit 1; }

echo
echo "$FILES files, $MB MiB; ms, median of $ROUNDS (min-max); store (after the first) and added (median per unchanged snapshot) in MiB, du"
echo "sh -c true, for the commands run through it (git, tar-sum): $(median "$WORK/times/floor") ms"
echo
printf '%-8s %10s %8s %22s %10s %22s %8s\n' tool first store unchanged added incremental "vs $base"
for tool in $TOOLS; do
	if ! measured "$tool"; then
		printf '%-8s %s\n' "$tool" "tend: not built yet"
		continue
	fi
	first=$(median "$WORK/times/first.$tool")
	# shellcheck disable=SC2046
	set -- $(stats "$WORK/times/unchanged.$tool")
	unch="$1 ($2-$3)"
	# shellcheck disable=SC2046
	set -- $(stats "$WORK/times/incremental.$tool")
	incr="$1 ($2-$3)"
	awk -v t="$tool" -v f="$first" -v u="$unch" -v i="$incr" -v im="$1" \
	    -v b="$(median "$WORK/times/incremental.$base")" \
	    -v s1="$(cat "$WORK/store.first.$tool")" -v a="$(median "$WORK/added.$tool")" 'BEGIN {
		if (t == "tar-sum") { st = "-"; ad = "-" }
		else { st = sprintf("%.1f", s1 / 1024); ad = sprintf("%.2f", a / 1024) }
		printf "%-8s %10.1f %8s %22s %10s %22s %7.1fx\n", t, f, st, u, ad, i, im / b
	}'
done
echo
echo "restore of the 10 files (checked with sha256sum)"
printf '%-8s %22s %9s %8s\n' tool restore verified "vs $base"
[ "$base" != tar-sum ] || base=""
for tool in $TOOLS; do
	if ! measured "$tool"; then
		printf '%-8s %s\n' "$tool" "tend: not built yet"
		continue
	fi
	if [ "$tool" = tar-sum ]; then
		printf '%-8s %22s\n' "$tool" "n/a: keeps nothing"
		continue
	fi
	# shellcheck disable=SC2046
	set -- $(stats "$WORK/times/restore.$tool")
	ok=$(grep -c ok "$WORK/verified.$tool" || true)
	awk -v t="$tool" -v r="$1 ($2-$3)" -v m="$1" -v ok="$ok/$ROUNDS" \
	    -v b="$(median "$WORK/times/restore.${base:-$tool}")" 'BEGIN {
		printf "%-8s %22s %9s %7.1fx\n", t, r, ok, m / b
	}'
done
echo
