#!/bin/sh
# A fresh clone configured by hand, before `make deps` put uPlot in
# web/node_modules (issue 12, finding 33): cmake must configure, warn that
# the dashboard has no charts and say `make deps`, and embed the dashboard
# without uPlot; once uPlot is there, the next build embeds it.
#
#   fresh_clone.sh SOURCE_DIR
set -eu
src=$1
dir=$(mktemp -d /tmp/tend-fresh-clone-XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	[ -f "$dir/log" ] && cat "$dir/log" >&2
	exit 1
}

# The tree as git would give it: no build dirs, no node_modules.
mkdir "$dir/src"
tar -C "$src" --exclude=./.git --exclude='./build*' --exclude=./web/node_modules \
    --exclude=./tests/contrib/node_modules -cf - . | tar -C "$dir/src" -xf -
[ ! -e "$dir/src/web/node_modules" ] || fail "node_modules was copied"

cmake -S "$dir/src" -B "$dir/b" -DTEND_TESTS=OFF >"$dir/log" 2>&1 ||
	fail "configure fails without web/node_modules"
grep -q "make deps" "$dir/log" || fail "configure does not say 'make deps'"
cmake --build "$dir/b" --target web_assets >"$dir/log" 2>&1 || fail "web_assets"
assets="$dir/b/generated/web_assets.c"
grep -q '"/assets/charts.js"' "$assets" || fail "the dashboard is not embedded"
! grep -q 'uPlot' "$assets" || fail "uPlot embedded though missing"

# `make deps` later: the next build sees uPlot without a new cmake.
mkdir -p "$dir/src/web/node_modules/uplot/dist"
echo 'window.uPlot = function () {};' >"$dir/src/web/node_modules/uplot/dist/uPlot.iife.min.js"
echo '.uplot {}' >"$dir/src/web/node_modules/uplot/dist/uPlot.min.css"
cmake --build "$dir/b" --target web_assets >"$dir/log" 2>&1 || fail "rebuild"
grep -q '"/assets/uPlot.iife.min.js"' "$assets" || fail "uPlot not picked up"
echo "ok: configured without uPlot, and picked it up later"
