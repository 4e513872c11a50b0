// contrib/grafana/tend.json: the dashboard against Grafana's dashboard schema
// and each panel's options against its plugin's (strict schemas from
// @grafana/schema's types, lib/schemas.mjs), and every PromQL expression's
// names against what a running tend exports on /metrics, the mixin's
// recording rules (contrib/prometheus/tend-rules.yml) and Prometheus's own
// up. Usage: node grafana.mjs SOURCE_DIR TEND_BIN
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import YAML from "yaml";
import { checkStrict } from "./lib/schemas.mjs";
import { promqlNames, variableNames } from "./lib/promql.mjs";

const [src, tendBin] = process.argv.slice(2);
const file = path.join(src, "contrib/grafana/tend.json");
const dash = JSON.parse(fs.readFileSync(file, "utf8"));
const errors = [];

// The panel types used, with the schema of their options and custom field
// config (schema-types.ts); a type without one is an error, not a pass.
const PLUGINS = {
	"stat": { options: "StatOptions" },
	"timeseries": { options: "TimeseriesOptions", custom: "TimeseriesFieldConfig" },
	"table": { options: "TableOptions", custom: "TableFieldConfig" },
	"state-timeline": { options: "StatetimelineOptions",
		custom: "StatetimelineFieldConfig" },
	"bargauge": { options: "BargaugeOptions" },
};

function schemaErrors() {
	errors.push(...checkStrict("Dashboard", dash).map((e) => `Dashboard: ${e}`));
	const panels = dash.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
	const ids = new Set();
	for (const p of panels) {
		const where = `panel ${p.id} "${p.title}"`;
		if (ids.has(p.id))
			errors.push(`${where}: id used twice`);
		ids.add(p.id);
		if (p.gridPos && p.gridPos.x + p.gridPos.w > 24)
			errors.push(`${where}: wider than the grid's 24 columns`);
		if (p.type === "row")
			continue;
		const plugin = PLUGINS[p.type];
		if (plugin === undefined) {
			errors.push(`${where}: type ${p.type} has no schema here`);
			continue;
		}
		errors.push(...checkStrict(plugin.options, p.options ?? {})
		    .map((e) => `${where}: options: ${e}`));
		const custom = p.fieldConfig?.defaults?.custom;
		if (plugin.custom && custom !== undefined)
			errors.push(...checkStrict(plugin.custom, custom)
			    .map((e) => `${where}: fieldConfig.defaults.custom: ${e}`));
		for (const t of p.targets ?? []) {
			if (typeof t.expr !== "string" || t.refId === undefined)
				errors.push(`${where}: a target without expr or refId`);
			if (t.datasource?.uid !== "${datasource}")
				errors.push(`${where}: target ${t.refId} not on the datasource variable`);
		}
	}
	return panels;
}

// A tend with metrics.labels, a check, and a service that its check fails
// until tend's healing restarts it once: the names of its /metrics
// families, the labels its series carry and their values (a healed action's
// among them), from a free loopback port.
async function tendMetrics() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tend-grafana-"));
	const state = path.join(dir, "state");
	const starts = path.join(dir, "starts");
	fs.writeFileSync(path.join(dir, "tend.yaml"), [
		`state_dir: ${state}`,
		"web: { listen: '127.0.0.1:0' }",
		"metrics: { labels: { env: test } }",
		"heal: { verify_timeout: 5s, verify_every: 100ms }",
		"services:",
		"  flaky:",
		`    run: [/bin/sh, -c, 'echo >> ${starts}; exec sleep 600']`,
		"    heal: [restart]",
		"    checks:",
		"      second_start:",
		"        { type: command,",
		`          run: [/bin/sh, -c, 'test $(wc -l < ${starts}) -ge 2 || exit 2'],`,
		"          every: 100ms, fail_after: 1, recover_after: 1 }",
		"checks:",
		"  load: { type: resource, metric: load, warn: 1000, crit: 2000, every: 1s }",
	].join("\n") + "\n");
	const tend = spawn(tendBin, ["run", "-c", path.join(dir, "tend.yaml")],
	    { stdio: ["ignore", "ignore", "pipe"] });
	let log = "";
	tend.stderr.on("data", (d) => { log += d; });
	try {
		let text = null;
		for (let i = 0; i < 100 && text === null; i++) {
			await sleep(100);
			const urlFile = path.join(state, "web.url");
			if (!fs.existsSync(urlFile))
				continue;
			const url = fs.readFileSync(urlFile, "utf8").trim();
			try {
				const r = await fetch(`${url.replace(/\/$/, "")}/metrics`);
				const body = await r.text();
				if (r.ok && body.includes('outcome="healed"'))
					text = body;
			} catch {
				/* not listening yet */
			}
		}
		if (text === null)
			throw new Error(`tend's /metrics had no healed action within 10 s:\n${log}`);
		return parseExposition(text);
	} finally {
		// SIGTERM stops its service and it exits; SIGKILL if it has not in 5 s.
		const exited = new Promise((r) =>
		    tend.exitCode !== null ? r() : tend.once("exit", r));
		tend.kill("SIGTERM");
		const late = setTimeout(() => tend.kill("SIGKILL"), 5000);
		await exited;
		clearTimeout(late);
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

function parseExposition(text) {
	const families = new Set(), labels = new Set(), values = new Map();
	for (const line of text.split("\n")) {
		const t = /^# TYPE (\S+) /.exec(line);
		if (t) {
			families.add(t[1]);
			continue;
		}
		const s = /^[a-zA-Z_:][a-zA-Z0-9_:]*\{(.*)\} /.exec(line);
		if (!s)
			continue;
		for (const m of s[1].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
			labels.add(m[1]);
			if (!values.has(m[1]))
				values.set(m[1], new Set());
			values.get(m[1]).add(m[2]);
		}
	}
	return { families, labels, values };
}

function mixinRecords() {
	const rules = YAML.parse(fs.readFileSync(
	    path.join(src, "contrib/prometheus/tend-rules.yml"), "utf8"));
	return new Set(rules.groups.flatMap((g) => g.rules).map((r) => r.record)
	    .filter(Boolean));
}

function nameErrors(panels, exported) {
	const records = mixinRecords();
	// up: Prometheus's own per target; job and instance: its target labels.
	const known = new Set([...exported.families, ...records, "up"]);
	const knownLabels = new Set([...exported.labels, "job", "instance"]);
	// Labels of what a panel plots that only Prometheus or a query makes.
	const queries = [];
	for (const p of panels)
		for (const t of p.targets ?? [])
			queries.push({ where: `panel ${p.id} "${p.title}"`,
			    names: promqlNames(t.expr) });
	for (const v of dash.templating.list)
		if (v.type === "query")
			queries.push({ where: `variable ${v.name}`, names: variableNames(
			    typeof v.query === "string" ? v.query : v.query.query) });
	const used = new Set();
	for (const { where, names } of queries) {
		for (const m of names.metrics) {
			used.add(m);
			if (!known.has(m))
				errors.push(`${where}: ${m} is neither exported by tend nor recorded ` +
				    "by the mixin");
		}
		for (const l of names.labels)
			if (!knownLabels.has(l))
				errors.push(`${where}: label ${l} is on none of tend's series`);
		for (const { label, value } of names.equals) {
			const seen = exported.values.get(label);
			// Only labels whose every value shows up with no activity: state, reason.
			if (["state", "reason"].includes(label) && seen && !seen.has(value))
				errors.push(`${where}: ${label}="${value}" is not a value tend exports`);
		}
	}
	// What the dashboard is for: each of these must be on it.
	for (const m of ["instance:tend_state:max", "instance:tend_services_down:count",
	    "instance:tend_checks_not_healthy:count", "tend_incidents_open",
	    "tend_incidents_escalated", "tend_heal_actions_total"])
		if (!used.has(m))
			errors.push(`the dashboard does not show ${m}`);
	const vars = new Set(dash.templating.list.map((v) => v.name));
	for (const v of ["datasource", "job", "instance", "env"])
		if (!vars.has(v))
			errors.push(`no template variable ${v}`);
	return { metrics: used.size, queries: queries.length };
}

const panels = schemaErrors();
const exported = await tendMetrics();
const counted = nameErrors(panels, exported);
for (const e of errors)
	console.log(e);
console.log(`${panels.length} panels, ${counted.queries} queries naming ` +
    `${counted.metrics} metrics (${exported.families.size} families on tend's /metrics), ` +
    `${errors.length} errors`);
process.exit(errors.length === 0 ? 0 : 1);
