#!/bin/sh
# The monitoring mixin (contrib/prometheus): its rules load (promtool check
# rules) and its alerts fire and stay quiet as its unit tests say (promtool
# test rules). Skipped (77) without promtool (Debian's prometheus package).
set -eu
SRC=${1:?usage: promtool.sh SOURCE_DIR}
command -v promtool >/dev/null || { echo "SKIP: promtool is not installed (Debian package prometheus)"; exit 77; }
promtool check rules "$SRC/contrib/prometheus/tend-rules.yml"
cd "$SRC/contrib/prometheus/tests"
for t in *.test.yml; do
	promtool test rules "$t"
done
