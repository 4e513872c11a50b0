# The long options of tend's command line: the first string of each entry
# of a `struct option NAME[] = {` table in src/cli/*.c, up to its `};`
# (several entries may share a line), as "FILE:LINE OPTION" (no dashes).
/struct option [A-Za-z_]+\[\] = \{/ { on = 1; next }
on && /^[ \t]*\};/ { on = 0; next }
on {
	line = $0
	while (match(line, /\{ *"[a-z][a-z0-9-]*" *,/)) {
		o = substr(line, RSTART, RLENGTH)
		sub(/^[^"]*"/, "", o)
		sub(/".*/, "", o)
		print FILENAME ":" FNR " " o
		line = substr(line, RSTART + RLENGTH)
	}
}
