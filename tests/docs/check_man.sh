#!/bin/sh
# The man pages say what the binary and docs/config.md say, and render
# cleanly. tend(1) and tend.yaml(5) are made by man/gen-tend-1.sh and
# man/gen-tend-yaml-5.sh (into a temporary dir, or taken from MAN_DIR when
# given as MAN1 MAN5: the build's or a package's), then, as man(1) shows
# them:
#   - every command of main.c's table is in tend.1 as "tend CMD" or in a
#     usage line, and every option of every help text is in it;
#   - every long option of src/cli's getopt tables is in tend.1;
#   - every key the config parser takes (tests/docs/config_keys.awk) is in
#     tend.yaml.5;
#   - `man --warnings` and `groff -ww` have nothing to say about either.
# Exits 77 (skipped) without pandoc, when it has to make the pages.
#   check_man.sh TEND SOURCE_DIR VERSION [MAN1 MAN5]
set -eu

tend=${1:?usage: check_man.sh TEND SOURCE_DIR VERSION [MAN1 MAN5]}
src=${2:?usage: check_man.sh TEND SOURCE_DIR VERSION [MAN1 MAN5]}
version=${3:?usage: check_man.sh TEND SOURCE_DIR VERSION [MAN1 MAN5]}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

if [ $# -ge 5 ]; then
	man1=$4 man5=$5
else
	if ! command -v pandoc >/dev/null 2>&1; then
		echo "SKIP: pandoc is not installed (scripts/install-deps.sh --test)"
		exit 77
	fi
	man1=$work/tend.1 man5=$work/tend.yaml.5
	sh "$src/man/gen-tend-1.sh" "$tend" "$src/man/tend.1.md" "$version" "$man1"
	sh "$src/man/gen-tend-yaml-5.sh" "$src/docs/config.md" "$src/man/links.lua" \
		"$version" "$man5"
fi

# Warnings as lintian asks for them (80 columns), and groff's own; the text
# as a reader sees it, wide, so that a name is never broken across lines.
for page in "$man1" "$man5"; do
	name=$(basename "$page" .gz)
	LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$page" 2>/dev/null >"$work/$name.txt"
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" \
		2>"$work/$name.err" >/dev/null
	case $page in
	*.gz) gzip -dc "$page" ;;
	*) cat "$page" ;;
	esac | groff -k -ww -z -t -man -Tutf8 2>>"$work/$name.err"
	if [ -s "$work/$name.err" ]; then
		echo "$name: man or groff warns:" >&2
		cat "$work/$name.err" >&2
		fail=1
	fi
	if [ "$(wc -l <"$work/$name.txt")" -lt 100 ]; then
		echo "$name: renders to only $(wc -l <"$work/$name.txt") lines" >&2
		fail=1
	fi
done
t1=$work/tend.1.txt t5=$work/tend.yaml.5.txt

# Commands, and the options of every help text.
"$tend" help >"$work/help"
grep -o '{ *\.name = "[a-z-]*"' "$src/src/cli/main.c" | sed 's/.*"\(.*\)"/\1/' \
	>"$work/commands"
cp "$work/help" "$work/all"
while read -r cmd; do
	if ! grep -Eq "tend $cmd( |\$)|\| $cmd( |\$)" "$t1"; then
		echo "tend.1: command '$cmd' is missing" >&2
		fail=1
	fi
	"$tend" "$cmd" --help >>"$work/all" 2>/dev/null || true
done <"$work/commands"
grep -o -- '--[a-z][a-z0-9-]*' "$work/all" | sort -u >"$work/help-options"
awk -f "$src/tests/docs/cli_options.awk" "$src"/src/cli/*.c |
	awk '{ print "--" $2 }' | sort -u >"$work/parser-options"
sort -u "$work/help-options" "$work/parser-options" >"$work/options"
while read -r opt; do
	if ! grep -q -- "$opt\\b" "$t1"; then
		echo "tend.1: option $opt is missing" >&2
		fail=1
	fi
done <"$work/options"

# Config keys.
awk -f "$src/tests/docs/config_keys.awk" "$src"/src/config/*.c >"$work/keys"
awk '{ print $2 }' "$work/keys" | sort -u >"$work/key-names"
while read -r key; do
	if ! grep -qw -- "$key" "$t5"; then
		echo "tend.yaml.5: config key '$key' is missing" >&2
		fail=1
	fi
done <"$work/key-names"

if [ "$fail" -ne 0 ]; then
	echo "FAIL: the man pages do not match tend" >&2
	exit 1
fi
echo "ok: tend.1 has $(wc -l <"$work/commands") commands and $(wc -l <"$work/options")" \
	"options, tend.yaml.5 $(wc -l <"$work/key-names") keys; both render without warnings"
