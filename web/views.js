// The parts of the page drawn from the daemon's status, incidents, alerts
// and events (the services and checks are services.js's and checks.js's).
// Tables are updated row by row, keyed by name, so that a status ten times
// a second leaves focus, hover and selection where they were.
import { drawSpark } from './charts.js';
import { tickChecks } from './checks.js';
import {
	fill, fmtAgo, fmtBytes, fmtClock, fmtDuration, fmtElapsed, fmtNumber, h, healthBadge,
	healthInfo, isHealthState, setText, timeEl, worse,
} from './dom.js';
import { tickServices } from './services.js';

// ---- The top bar ----

export function renderOverall(status, live) {
	const el = document.getElementById('overall');
	const state = status?.state || 'unknown';
	const info = healthInfo(state);

	el.className = `overall ${info.cls}`;
	setText(el.querySelector('.icon'), info.icon);
	setText(el.querySelector('.word'), status ? state : 'connecting…');
	const title = status ? `${info.icon} ${state} — tend` : 'tend';
	if (document.title !== title)
		document.title = title;
	const conn = document.getElementById('conn');
	conn.className = `conn ${live ? 'conn-live' : 'conn-down'}`;
	setText(conn, live ? 'live' : 'reconnecting…');
}

// pid, version, uptime, config: uptime counted on from when the status came.
export function renderMeta(status, sinceMs) {
	const t = status?.tend;
	if (!t)
		return;
	const parts = [`v${t.version}`, `pid ${t.pid}`, `up ${fmtDuration((t.uptime_ms ?? 0) + sinceMs)}`];
	if (t.config)
		parts.push(t.config);
	setText(document.getElementById('tend-meta'), parts.join(' · '));
	const foot = [`${t.check_runs ?? 0} check runs`];
	if (typeof t.rss_bytes === 'number')
		foot.push(`RSS ${fmtBytes(t.rss_bytes)}`);
	if (typeof t.loop_lag_ms === 'number')
		foot.push(`loop lag ${fmtNumber(t.loop_lag_ms, 1)} ms`);
	if (t.state_dir)
		foot.push(`state ${t.state_dir}`);
	setText(document.getElementById('footer-text'), `tend ${t.version} · ${foot.join(' · ')}`);
}

// ---- Host tiles ----

export const TILES = [
	{ key: 'cpu_pct', series: 'host.cpu_pct', name: 'CPU', unit: '%', digits: 1, metric: 'cpu', pct: true },
	{ key: 'memory_pct', series: 'host.memory_pct', name: 'Memory', unit: '%', digits: 1, metric: 'memory', pct: true },
	{ key: 'disk_pct', series: 'host.disk_pct', name: 'Disk', unit: '%', digits: 1, metric: 'disk', path: 'disk_path', pct: true },
	{ key: 'load1', series: 'host.load1', name: 'Load (1 min)', unit: '', digits: 2, metric: 'load', pct: false },
];

const tileEls = new Map();

function tileFor(spec) {
	let t = tileEls.get(spec.key);
	if (t)
		return t;
	const value = h('div', { class: 'tile-value' });
	const state = h('div', { class: 'tile-state' });
	const sub = h('div', { class: 'tile-sub' });
	const canvas = h('canvas', { class: 'spark', role: 'img', 'aria-label': `${spec.name}, last hour` });
	const el = h('div', { class: 'tile', dataset: { metric: spec.key } },
	    h('div', { class: 'tile-name' }, spec.name), state, value, sub, canvas);
	document.getElementById('tiles').append(el);
	t = { el, value, state, sub, canvas };
	tileEls.set(spec.key, t);
	return t;
}

// A tile takes the state of a resource check on the same metric, when the
// config has one: its thresholds are the operator's, not the dashboard's.
// A disk check measures its own path: only one of the path the tile shows
// (host.disk_path) is the tile's, never one of another filesystem.
function tileCheck(status, spec) {
	const where = spec.path ? status.host?.[spec.path] : undefined;
	let found = null;
	for (const c of status.checks || []) {
		if (c.type !== 'resource' || c.metric !== spec.metric)
			continue;
		if (spec.path && (where === undefined || c.path !== where))
			continue;
		if (!found || worse(found.state, c.state) === c.state)
			found = c;
	}
	return found;
}

function tileSub(host, spec, check) {
	if (spec.key === 'memory_pct' && typeof host.swap_pct === 'number')
		return `swap ${fmtNumber(host.swap_pct, 1)}%`;
	if (spec.key === 'load1')
		return `5 min ${fmtNumber(host.load5, 2)} · 15 min ${fmtNumber(host.load15, 2)}`;
	if (check)
		return `check ${check.name}`;
	return '\u00a0';
}

export function renderTiles(status, sparks) {
	const host = status?.host;
	setText(document.getElementById('host-note'), host ? '' : 'no host figures from this daemon');
	if (!host)
		return;
	for (const spec of TILES) {
		const t = tileFor(spec);
		const check = tileCheck(status, spec);
		t.el.className = `tile${check ? ` ${healthInfo(check.state).cls}` : ''}`;
		fill(t.value, fmtNumber(host[spec.key], spec.digits),
		    spec.unit ? h('span', { class: 'unit' }, spec.unit) : null);
		fill(t.state, check ? healthBadge(check.state) : null);
		fill(t.sub, tileSub(host, spec, check));
		if (check)
			t.el.title = check.message || '';
		drawTileSpark(spec, sparks);
	}
}

export function drawTileSpark(spec, sparks) {
	const t = tileEls.get(spec.key);
	if (t)
		drawSpark(t.canvas, sparks.get(spec.series) || [],
		    spec.pct ? { lo: 0, hi: null, minSpan: 5 } : { lo: 0, minSpan: 0.5 });
}

export function redrawSparks(sparks) {
	for (const spec of TILES)
		drawTileSpark(spec, sparks);
}

// Once a second: uptimes and "checked 5s ago" move on without a new status.
export function tick(status, sinceMs) {
	tickServices(sinceMs);
	tickChecks(sinceMs);
	renderMeta(status, sinceMs);
}

// The Logs panel (logs.js) shows an incident's lines.
function showLogs(detail) {
	document.dispatchEvent(new CustomEvent('tend:show-logs', { detail }));
}

// ---- Incidents ----

const CLOSED_PHASES = ['resolved', 'interrupted', 'merged'];

export function incidentOpen(inc) {
	return !CLOSED_PHASES.includes(inc.phase) && inc.resolved_at == null;
}

function outcomeClass(outcome) {
	if (['ok', 'success', 'succeeded', 'healed', 'done'].includes(outcome))
		return 'outcome-ok';
	if (['failed', 'error', 'timeout', 'gave_up'].includes(outcome))
		return 'outcome-failed';
	return 'outcome-other';
}

function attemptItem(a) {
	const took = typeof a.started_at === 'number' && typeof a.ended_at === 'number'
	    ? ` in ${fmtElapsed(a.ended_at - a.started_at)}` : '';
	const at = a.started_at ?? a.ended_at ?? a.at;
	return h('li', null, timeEl(at, fmtClock(at)), ' ', h('span', { class: 'mono' }, a.action || '?'),
	    ' → ', h('span', { class: outcomeClass(a.outcome) }, a.outcome || 'running'), took,
	    a.detail ? h('span', { class: 'muted' }, ` — ${a.detail}`) : null);
}

function incidentCard(inc, now) {
	const open = incidentOpen(inc);
	const sev = inc.severity || 'unknown';
	const attempts = Array.isArray(inc.attempts) ? inc.attempts : [];
	const count = inc.attempt_count ?? attempts.length;
	const facts = [];
	const add = (k, v) => {
		if (v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))
			facts.push(h('dt', null, k), h('dd', null, Array.isArray(v) ? v.join(', ') : String(v)));
	};

	add('Root cause', inc.root_cause);
	add('Diagnosis', inc.diagnosis);
	add('Symptoms', inc.symptoms);
	add('Resolution', inc.resolution);
	if (typeof inc.mttd_ms === 'number')
		add('Detected after', fmtElapsed(inc.mttd_ms));
	if (typeof inc.mttr_ms === 'number')
		add('Resolved after', fmtElapsed(inc.mttr_ms));
	return h('article', { class: `incident ${open ? 'open' : 'closed'} ${healthInfo(sev).cls}`,
	    dataset: { incident: inc.id }, 'aria-label': `Incident ${inc.id} on ${inc.target}` },
	    h('div', { class: 'incident-head' },
		healthBadge(sev),
		h('span', { class: 'title' }, `#${inc.id} ${inc.target || ''}`),
		inc.category ? h('span', { class: 'tag' }, inc.category) : null,
		h('span', { class: 'tag' }, inc.phase || (open ? 'open' : 'closed')),
		inc.recurring ? h('span', { class: 'tag' }, 'recurring') : null,
		(inc.acknowledged ?? inc.acked) ? h('span', { class: 'tag' }, 'acknowledged') : null,
		h('span', { class: 'when' }, 'detected ',
		    timeEl(inc.detected_at, typeof inc.detected_at === 'number' ? fmtAgo(now - inc.detected_at) : '–'))),
	    facts.length ? h('dl', null, facts) : null,
	    h('button', { type: 'button', class: 'btn btn-quiet btn-small incident-logs',
		onclick: () => showLogs({ incident: inc }) }, 'Logs around this incident'),
	    attempts.length
		? h('ol', { class: 'attempts', 'aria-label': 'Healing attempts' }, attempts.map(attemptItem))
		: h('p', { class: 'muted' }, count ? `${count} attempt${count > 1 ? 's' : ''}` : 'No healing attempts.'));
}

const MAX_CLOSED = 15;

export function renderIncidents(incidents) {
	const list = [...incidents.values()].sort((a, b) => (b.detected_at ?? 0) - (a.detected_at ?? 0));
	const open = list.filter(incidentOpen);
	const closed = list.filter((i) => !incidentOpen(i)).slice(0, MAX_CLOSED);
	const box = document.getElementById('incidents');
	const now = Date.now();
	const parts = [];

	if (open.length)
		parts.push(...open.map((i) => incidentCard(i, now)));
	else
		parts.push(h('p', { class: 'empty-note' }, 'No open incidents.'));
	if (closed.length) {
		parts.push(h('h3', { class: 'sr-only' }, 'Recent incidents'));
		parts.push(...closed.map((i) => incidentCard(i, now)));
	}
	fill(box, parts);
	setText(document.getElementById('incidents-count'),
	    `${open.length} open${closed.length ? ` · ${closed.length} recent` : ''}`);
}

// ---- Alerts ----

export function renderAlerts(alerts) {
	const body = document.getElementById('alerts-body');
	const now = Date.now();
	const rows = alerts.slice(0, 50).map((a) => {
		const word = a.state || a.event;
		return h('tr', { dataset: { alert: a.id } },
		    h('td', null, timeEl(a.at, fmtAgo(now - a.at))),
		    h('td', null, a.event || ''),
		    h('th', { scope: 'row', class: 'name' }, a.target || ''),
		    h('td', null, isHealthState(word) ? healthBadge(word) : (word || '')),
		    h('td', { class: 'message' }, a.message || ''),
		    h('td', null, a.incident != null ? `#${a.incident}` : '–'),
		    h('td', null, a.channel || ''),
		    h('td', null, `${a.outcome || ''}${a.tries > 1 ? ` (${a.tries} tries)` : ''}`));
	});
	fill(body, rows.length ? rows : h('tr', { class: 'empty' }, h('td', { colspan: 8 }, 'No alerts.')));
	setText(document.getElementById('alerts-count'), alerts.length ? `${Math.min(alerts.length, 50)} shown` : '');
}

// ---- Live events ----

const MAX_EVENTS = 200;

function eventText(kind, d) {
	switch (kind) {
	case 'state':
		return [`${d.kind || ''} ${d.name}: `, h('strong', null, `${d.from} → ${d.to}`),
		    d.reason ? h('span', { class: 'muted' }, ` — ${d.reason}`) : null];
	case 'incident':
		return [`#${d.id} ${d.target || ''} `, h('strong', null, d.phase || ''),
		    d.category ? ` (${d.category})` : '', d.root_cause ? ` — root cause ${d.root_cause}` : ''];
	case 'action':
		return [`#${d.incident} ${d.action} → `, h('strong', null, d.outcome || ''),
		    d.detail ? h('span', { class: 'muted' }, ` — ${d.detail}`) : null];
	case 'anomaly':
		return [`${d.series} ${fmtNumber(d.value, 2)} `, h('strong', null, d.started ? 'anomalous' : 'back to normal'),
		    ` (baseline ${fmtNumber(d.baseline, 2)}, score ${fmtNumber(d.score, 1)})`];
	case 'alert':
		return [`${d.event} ${d.target || ''}: ${d.message || ''} `, h('span', { class: 'muted' }, `(${d.outcome || ''})`)];
	case 'change':
		return [`#${d.id} ${d.kind || ''}${d.set ? ` of ${d.set}` : ''}`,
		    d.label ? h('span', { class: 'muted' }, ` — ${d.label}`) : null];
	case 'snapshot':
		return [`${d.set || ''} snapshot #${d.id}`, d.lkg ? h('strong', null, ' last known good') : null,
		    d.change != null ? h('span', { class: 'muted' }, ` after change #${d.change}`) : null];
	case 'rollback':
		return [`${d.set || ''} `, h('strong', null, d.ok ? 'rolled back' : 'not rolled back'),
		    d.detail ? h('span', { class: 'muted' }, ` — ${d.detail}`) : null];
	default:
		return [typeof d === 'string' ? d : JSON.stringify(d)];
	}
}

export function addEvent(kind, data) {
	const list = document.getElementById('events');
	const at = typeof data?.at === 'number' ? data.at : Date.now();
	const icon = kind === 'state' ? badgeFor(data) : null;
	const li = h('li', { class: `event event-${kind}` },
	    timeEl(at, fmtClock(at)), h('span', { class: 'kind' }, kind),
	    h('span', { class: 'what' }, icon, eventText(kind, data || {})));

	list.querySelector('.empty-note')?.remove();
	list.prepend(li);
	while (list.children.length > MAX_EVENTS)
		list.lastElementChild.remove();
}

function badgeFor(d) {
	if (isHealthState(d?.to)) {
		const info = healthInfo(d.to);
		return h('span', { class: info.cls, 'aria-hidden': 'true' }, `${info.icon} `);
	}
	return null;
}

export function clearEvents() {
	document.getElementById('events').replaceChildren(
	    h('li', { class: 'empty-note' }, 'Events appear here as they happen.'));
}

