#!/bin/sh
# Writes tend(1) from the binary's own help: `tend help`, split into one
# subsection per command, each followed by that command's `--help` where it
# has one of its own, put into the hand-written frame man/tend.1.md; pandoc
# turns it into roff. What the page says is what the binary says, so the two
# cannot drift (tests/docs/check_man.sh checks the rendered page).
#
#   gen-tend-1.sh TEND FRAME VERSION OUT
set -eu

if [ $# -ne 4 ]; then
	echo "usage: gen-tend-1.sh TEND FRAME VERSION OUT" >&2
	exit 2
fi
tend=$1 frame=$2 version=$3 out=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"

"$tend" help >"$work/help"

# A fenced block for text that holds no fence of its own.
fence() {
	printf '```\n'
	cat "$1"
	printf '```\n\n'
}

# The entries of `tend help`: a line indented by two spaces and starting
# with a lower-case word begins one; deeper lines continue it; the notes
# after the first blank line that follows the entries are the trailer.
awk -v dir="$work" '
	BEGIN { n = 0; state = "head" }
	state == "head" && /^  [a-z]/ { state = "entries" }
	state == "head" { next }
	state == "entries" && /^$/ { state = "notes"; next }
	state == "notes" { sub(/^  /, ""); print > (dir "/notes"); next }
	/^  [a-z]/ { n++; printf "%d\n", n > (dir "/count") }
	{ sub(/^  /, ""); print > (dir "/entry." n) }
' "$work/help"

{
	i=1
	n=$(tail -n 1 "$work/count")
	seen=" "
	while [ "$i" -le "$n" ]; do
		entry=$work/entry.$i
		cmd=$(awk 'NR == 1 { print $1 }' "$entry")
		# The title: the command and, when one space follows it, the words up
		# to the first option or wide gap ("start NAME | stop NAME | ...").
		title=$(awk 'NR == 1 {
			t = $0; sub(/  +.*/, "", t); sub(/ \[.*/, "", t); print t }' "$entry")
		printf '## tend %s\n\n' "$(printf '%s' "$title" | sed 's/[][|*\\_]/\\&/g')"
		fence "$entry"
		# Its own help, once per command, when it differs from the general one.
		case $seen in *" $cmd "*) ;; *)
			seen="$seen$cmd "
			if "$tend" "$cmd" --help >"$work/own" 2>/dev/null &&
			    ! cmp -s "$work/own" "$work/help"; then
				printf '**tend %s \\--help**:\n\n' "$cmd"
				fence "$work/own"
			fi ;;
		esac
		i=$((i + 1))
	done
} >"$work/commands.md"

if [ -s "$work/notes" ]; then
	fence "$work/notes" >"$work/notes.md"
else
	: >"$work/notes.md"
fi

# The frame with the two parts put in (each placeholder alone on its line).
awk -v cmds="$work/commands.md" -v notes="$work/notes.md" '
	function put(f,  l) { while ((getline l < f) > 0) print l; close(f) }
	/^@COMMANDS@$/ { put(cmds); next }
	/^@HELP_NOTES@$/ { put(notes); next }
	{ print }
' "$frame" >"$work/tend.1.md"

# SOURCE_DATE_EPOCH (dpkg-buildpackage sets it) keeps the build reproducible.
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)
pandoc -s -f markdown -t man \
	-V title=TEND -V section=1 -V header="tend manual" \
	-V footer="tend $version" -V date="$date" \
	-o "$out" "$work/tend.1.md"
