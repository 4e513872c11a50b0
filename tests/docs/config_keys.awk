# Prints every key the config parser takes, one "FILE:LINE KEY" a line, read
# from the key_spec tables of src/config/*.c (config/yaml_walk.h: each mapping
# of tend.yaml is walked against such a table), from one-entry specs
# (`static const struct key_spec x = { "key", ...`), from the rlimits table,
# and from keys compared by name (`strcmp(name, "soft")`).
#   awk -f config_keys.awk src/config/*.c
# A line inside a table that is neither an entry, its continuation, the
# terminator nor a comment fails the run, so that a table written another
# way is noticed rather than read as having no keys.

FNR == 1 { intable = 0; cont = 0; incomment = 0 }

function keys(line, re,   k) {
	while (match(line, re)) {
		k = substr(line, RSTART, RLENGTH)
		sub(/^[^"]*"/, "", k)
		sub(/".*/, "", k)
		print FILENAME ":" FNR " " k
		found++
		line = substr(line, RSTART + RLENGTH)
	}
}

/(key_spec [A-Za-z_]+|rlimit_table)\[\] = \{/ { intable = 1; tables++; next }
intable && /^[ \t]*\}[ \t]*;?[ \t]*\\?[ \t]*$/ { intable = 0; next }
intable {
	if (incomment) {
		if ($0 ~ /\*\//)
			incomment = 0
		next
	}
	if ($0 ~ /^[ \t]*\/\*/) {
		incomment = $0 !~ /\*\//
		next
	}
	if (cont) {
		cont = $0 !~ /\},?[ \t]*\\?[ \t]*$/
		next
	}
	if ($0 !~ /^[ \t]*\{ *("[a-z0-9_]+"|NULL) *,/) {
		printf "%s:%d: not a key table entry: %s\n", FILENAME, FNR, $0 > "/dev/stderr"
		bad = 1
		next
	}
	keys($0, "\\{ *\"[a-z0-9_]+\" *,")
	cont = $0 !~ /\},?[ \t]*\\?[ \t]*$/
	next
}
/key_spec [a-z_]+ = \{ *"[a-z0-9_]+"/ { keys($0, "= \\{ *\"[a-z0-9_]+\"") }
/strcmp\(name, "[a-z0-9_]+"\)/ { keys($0, "strcmp\\(name, \"[a-z0-9_]+\"") }

END {
	if (tables < 10 || found < 100) {
		printf "config_keys.awk: only %d tables and %d keys found\n", tables,
		    found > "/dev/stderr"
		bad = 1
	}
	exit bad
}
