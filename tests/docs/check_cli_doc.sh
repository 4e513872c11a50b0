#!/bin/sh
# The binary documents what it accepts: every command of main.c's table is
# in `tend help`, and every long option of the getopt tables in src/cli/ is
# in `tend help` or in the --help of a command. tend(1) is made from those
# texts (man/gen-tend-1.sh), so a command or option added without its help
# fails here, naming it and where the parser takes it.
#   check_cli_doc.sh TEND SOURCE_DIR
set -eu

tend=${1:?usage: check_cli_doc.sh TEND SOURCE_DIR}
src=${2:?usage: check_cli_doc.sh TEND SOURCE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

"$tend" help >"$work/help"

# The commands: `{ .name = "run", ...` in main.c's table.
grep -n '{ *\.name = "[a-z-]*"' "$src/src/cli/main.c" |
	sed 's/^\([0-9]*\):.*\.name = "\([a-z-]*\)".*/\1 \2/' >"$work/commands"
if [ "$(wc -l <"$work/commands")" -lt 20 ]; then
	echo "FAIL: found only $(wc -l <"$work/commands") commands in src/cli/main.c" >&2
	exit 1
fi
# A command is listed when an entry starts with it or names it after a "|"
# ("start NAME | stop NAME | restart NAME").
while read -r line cmd; do
	if ! grep -Eq "^  $cmd( |\$)|\| $cmd( |\$)" "$work/help"; then
		echo "src/cli/main.c:$line: command '$cmd' is not in tend help" >&2
		fail=1
	fi
done <"$work/commands"

# Every command's own --help, where it has one.
cp "$work/help" "$work/all"
while read -r line cmd; do
	if "$tend" "$cmd" --help >"$work/own" 2>/dev/null; then
		cat "$work/own" >>"$work/all"
	fi
done <"$work/commands"

# The long options of every `struct option` table (cli_options.awk).
awk -f "$src/tests/docs/cli_options.awk" "$src"/src/cli/*.c >"$work/options"
if [ "$(wc -l <"$work/options")" -lt 40 ]; then
	echo "FAIL: found only $(wc -l <"$work/options") long options in src/cli/" >&2
	exit 1
fi
while read -r where opt; do
	if ! grep -q -- "--$opt\\b" "$work/all"; then
		echo "$where: option --$opt is in no help text" >&2
		fail=1
	fi
done <"$work/options"

if [ "$fail" -ne 0 ]; then
	echo "FAIL: the help does not cover what the command line accepts" >&2
	exit 1
fi
echo "ok: $(wc -l <"$work/commands") commands and $(sort -u -k2 "$work/options" |
	wc -l) long options are in tend's help"
