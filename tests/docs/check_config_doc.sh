#!/bin/sh
# Every key the config parser takes is named in docs/config.md, the one
# reference of tend.yaml, from which tend.yaml(5) is made: adding a key to a
# key_spec table without documenting it fails here, naming the key and
# where the parser takes it.
#
# A key counts as named when docs/config.md has it before a colon (`key:`,
# in YAML or in text) or as a whole code span or part of a dotted one
# (`key`, `heal.auto`).
#   check_config_doc.sh SOURCE_DIR
set -eu

src=${1:?usage: check_config_doc.sh SOURCE_DIR}
doc=$src/docs/config.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

awk -f "$src/tests/docs/config_keys.awk" "$src"/src/config/*.c >"$work/keys"

{
	grep -o '[A-Za-z_][A-Za-z0-9_]*:' "$doc" | tr -d :
	grep -o '`[A-Za-z_][A-Za-z0-9_.]*`' "$doc" | tr -d '`' | tr . '\n'
} | sort -u >"$work/named"

missing=0
while read -r where key; do
	if ! grep -qx "$key" "$work/named"; then
		echo "$where: config key '$key' is not in docs/config.md" >&2
		missing=$((missing + 1))
	fi
done <"$work/keys"

total=$(awk '{ print $2 }' "$work/keys" | sort -u | wc -l)
if [ "$missing" -ne 0 ]; then
	echo "FAIL: $missing of the parser's keys are not documented in docs/config.md" >&2
	exit 1
fi
echo "ok: all $total keys the parser takes are in docs/config.md"
