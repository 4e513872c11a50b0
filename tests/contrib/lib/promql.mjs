// The names a PromQL expression uses: metrics, label names, and the values
// its equality matchers compare with. Enough of PromQL for dashboards and
// rules (selectors, functions, aggregations, binary operators, matching
// clauses, Grafana's $variables); not a parser of the whole language.
const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "by", "without", "on",
	"ignoring", "group_left", "group_right", "inf", "nan", "atan2"]);
const CLAUSE = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;
const MATCHER = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g;

export function promqlNames(expr) {
	const metrics = new Set(), labels = new Set(), equals = [];
	let e = expr;
	// Selectors' label matchers, then the braces themselves.
	e = e.replace(/\{([^}]*)\}/g, (_, body) => {
		for (const m of body.matchAll(MATCHER)) {
			labels.add(m[1]);
			if (m[2] === "=" && !m[3].includes("$"))
				equals.push({ label: m[1], value: m[3] });
		}
		return " ";
	});
	e = e.replace(/\[[^\]]*\]/g, " ");		// ranges: [5m], [$__range]
	e = e.replace(CLAUSE, (_, kw, list) => {
		for (const l of list.split(",").map((s) => s.trim()).filter(Boolean))
			labels.add(l);
		return " ";
	});
	e = e.replace(/"(?:[^"\\]|\\.)*"/g, " ");	// strings: label_replace's
	e = e.replace(/\$[a-zA-Z_]\w*/g, " ");	// Grafana's variables
	for (const m of e.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
		if (m[2] !== undefined || KEYWORDS.has(m[1]))
			continue;			// a function or an aggregation
		metrics.add(m[1]);
	}
	return { metrics, labels, equals };
}

// A Grafana Prometheus variable's query: label_values(EXPR, LABEL) and its
// kin, or PromQL.
export function variableNames(query) {
	const m = /^\s*label_values\s*\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/.exec(query);
	if (m === null)
		return promqlNames(query);
	const names = promqlNames(m[1]);
	names.labels.add(m[2]);
	return names;
}
