// The parts of the page drawn from the daemon's status, incidents, alerts
// and events. Tables are updated row by row, keyed by name, so that a status
// ten times a second leaves focus, hover and selection where they were.
import { scaleGroup, serviceAction } from './api.js';
import { drawSpark } from './charts.js';
import {
	fill, fmtAgo, fmtBytes, fmtClock, fmtDuration, fmtElapsed, fmtLatency, fmtNumber, h,
	healthBadge, healthInfo, isHealthState, serviceBadge, setText, timeEl, worse,
} from './dom.js';

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

// ---- Services ----

const ACTIONS = [
	{ verb: 'restart', label: 'Restart' },
	{ verb: 'stop', label: 'Stop', cls: 'btn-danger' },
	{ verb: 'start', label: 'Start' },
	{ verb: 'heal', label: 'Heal' },
];

// Start makes no sense for a running service, nor stop for a stopped one;
// restart and heal are always offered (the daemon says no when it must).
function actionUsable(verb, state) {
	if (state === 'parked')
		return false;	// a copy scaled down: its group's + runs it
	if (verb === 'start')
		return !['up', 'starting', 'stopping'].includes(state);
	if (verb === 'stop')
		return !['down', 'failed', 'stopping'].includes(state);
	return true;
}

const serviceRows = new Map();

function serviceRow(name) {
	let r = serviceRows.get(name);
	if (r)
		return r;
	const cells = {
		name: h('th', { scope: 'row', class: 'name' }),
		state: h('td', { class: 'col-state' }),
		health: h('td', { class: 'col-health' }),
		pid: h('td', { class: 'num mono col-pid' }),
		uptime: h('td', { class: 'num col-uptime' }),
		restarts: h('td', { class: 'num col-restarts' }),
		check: h('td', { class: 'col-check' }),
		actions: h('td'),
	};
	const buttons = {};
	const bar = h('div', { class: 'actions' });
	for (const a of ACTIONS) {
		const b = h('button', { type: 'button', class: `btn btn-small ${a.cls || ''}`,
		    'aria-label': `${a.label} ${name}`, dataset: { action: a.verb } }, a.label);
		b.addEventListener('click', () => serviceAction(name, a.verb, b));
		buttons[a.verb] = b;
		bar.append(b);
	}
	const logs = h('button', { type: 'button', class: 'btn btn-small btn-quiet', 'aria-label': `Logs of ${name}` },
	    'Logs');
	logs.addEventListener('click', () => showLogs({ service: name }));
	bar.append(logs);
	cells.actions.append(bar);
	const el = h('tr', { dataset: { service: name } }, Object.values(cells));
	r = { el, cells, buttons };
	serviceRows.set(name, r);
	return r;
}

function lastExitText(ex) {
	if (!ex || typeof ex !== 'object')
		return '';
	if (ex.cause && ex.cause !== 'stop')
		return ex.cause;
	if (ex.signal)
		return `SIG${ex.signal}`;
	if (ex.code != null)
		return `exit ${ex.code}`;
	return '';
}

// The service's checks, the worst first: its state and latency stand for all.
function serviceChecks(status, svc) {
	return (status.checks || [])
	    .filter((c) => c.service === svc.name)
	    .sort((a, b) => (worse(a.state, b.state) === a.state ? -1 : 1));
}

function updateServiceRow(r, svc, status, sinceMs) {
	const c = r.cells;
	fill(c.name, svc.name, svc.kind === 'external' ? [' ', h('span', { class: 'tag' }, 'external')] : null,
	    svc.reason ? h('span', { class: 'sub', title: svc.reason }, svc.reason) : null);
	fill(c.state, serviceBadge(svc.state));
	fill(c.health, healthBadge(svc.health));
	setText(c.pid, svc.pid ?? '–');
	c.uptime.dataset.base = typeof svc.uptime_ms === 'number' && svc.pid != null ? svc.uptime_ms : '';
	updateUptime(c.uptime, sinceMs);
	const exit = lastExitText(svc.last_exit);
	fill(c.restarts, String(svc.restarts ?? 0));
	c.restarts.title = exit ? `last exit: ${exit}` : '';
	const checks = serviceChecks(status, svc);
	if (checks.length === 0) {
		fill(c.check, h('span', { class: 'muted' }, 'no checks'));
	} else {
		const w = checks[0];
		fill(c.check, h('span', { class: 'mono' }, w.name), ' ', healthBadge(w.state),
		    h('span', { class: 'latency' }, fmtLatency(w.latency_ms)),
		    checks.length > 1 ? h('span', { class: 'muted' }, ` +${checks.length - 1}`) : null);
		c.check.title = checks.map((k) => `${k.name}: ${k.state}, ${k.message || ''}`).join('\n');
	}
	for (const [verb, b] of Object.entries(r.buttons)) {
		const busy = b.getAttribute('aria-busy') === 'true';
		const usable = actionUsable(verb, svc.state);
		if (b.disabled !== (busy || !usable))
			b.disabled = busy || !usable;
	}
}

function updateUptime(cell, sinceMs) {
	const base = cell.dataset.base;
	setText(cell, base === '' || base === undefined ? '–' : fmtDuration(Number(base) + sinceMs));
}

// Puts rows in the given order, moving only those out of place (moving a
// row that holds the focus would lose it).
function syncRows(tbody, rows, emptyText, cols) {
	const want = rows.map((r) => r.el);
	if (want.length === 0) {
		if (!tbody.querySelector('.empty'))
			tbody.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: cols }, emptyText)));
		return;
	}
	tbody.querySelector('.empty')?.remove();
	for (const child of [...tbody.children])
		if (!want.includes(child))
			child.remove();
	want.forEach((el, i) => {
		if (tbody.children[i] !== el)
			tbody.insertBefore(el, tbody.children[i] || null);
	});
}

// A service's copies (instances:, scale:) under one row of the group: how
// many run, and a button for one copy more or fewer.
const groupRows = new Map();

function groupRow(name) {
	let r = groupRows.get(name);
	if (r)
		return r;
	const text = h('span', { class: 'muted' });
	const less = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `One copy fewer of ${name}` },
	    '−');
	const more = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `One copy more of ${name}` },
	    '+');
	less.addEventListener('click', () => scaleGroup(name, -1, less));
	more.addEventListener('click', () => scaleGroup(name, 1, more));
	const el = h('tr', { class: 'group', dataset: { group: name } },
	    h('th', { scope: 'rowgroup', class: 'name' }, name, ' ', h('span', { class: 'tag' }, 'copies')),
	    h('td', { colspan: 6 }, text), h('td', null, h('div', { class: 'actions' }, less, more)));
	r = { el, text, less, more };
	groupRows.set(name, r);
	return r;
}

function updateGroupRow(r, g) {
	setText(r.text, `${g.running} running (min ${g.min}, max ${g.max})` +
	    (g.auto ? `, scales by itself on ${g.up_when}` : ''));
	if (r.less.getAttribute('aria-busy') !== 'true')
		r.less.disabled = g.running <= g.min;
	if (r.more.getAttribute('aria-busy') !== 'true')
		r.more.disabled = g.running >= g.max;
}

export function renderServices(status, sinceMs) {
	const list = status?.services || [];
	const groups = new Map((status?.groups || []).map((g) => [g.service, g]));
	const rows = [];
	for (const svc of list) {
		const g = svc.instance_of != null ? groups.get(svc.instance_of) : null;
		if (g && svc.instance === 0) {
			const gr = groupRow(g.service);
			updateGroupRow(gr, g);
			rows.push(gr);
		}
		const r = serviceRow(svc.name);
		updateServiceRow(r, svc, status, sinceMs);
		r.el.classList.toggle('copy', g != null);
		rows.push(r);
	}
	for (const name of [...serviceRows.keys()])
		if (!list.some((s) => s.name === name))
			serviceRows.delete(name);
	for (const name of [...groupRows.keys()])
		if (!groups.has(name))
			groupRows.delete(name);
	syncRows(document.getElementById('services-body'), rows, 'No services configured.', 8);
	const up = list.filter((s) => s.state === 'up').length;
	setText(document.getElementById('services-count'), list.length ? `${up} of ${list.length} up` : '');
}

// ---- Checks ----

const checkRows = new Map();

function checkRow(name) {
	let r = checkRows.get(name);
	if (!r) {
		const cells = {
			name: h('th', { scope: 'row', class: 'name mono' }, name),
			type: h('td'),
			service: h('td'),
			state: h('td', { class: 'col-state' }),
			latency: h('td', { class: 'num' }),
			checked: h('td', { class: 'col-checked' }),
			message: h('td', { class: 'message' }),
		};
		r = { el: h('tr', { dataset: { check: name } }, Object.values(cells)), cells };
		checkRows.set(name, r);
	}
	return r;
}

export function renderChecks(status, sinceMs) {
	const list = status?.checks || [];
	const now = status?.generated_at;
	const rows = list.map((c) => {
		const r = checkRow(c.name);
		setText(r.cells.type, c.type || '');
		setText(r.cells.service, c.service || '–');
		const raw = c.raw_state && c.raw_state !== c.state ? ` (now ${c.raw_state})` : '';
		fill(r.cells.state, healthBadge(c.state), raw ? h('span', { class: 'muted' }, raw) : null);
		setText(r.cells.latency, fmtLatency(c.latency_ms));
		r.cells.checked.dataset.at = typeof c.checked_at === 'number' && typeof now === 'number'
		    ? now - c.checked_at : '';
		updateChecked(r.cells.checked, c.checked_at, sinceMs);
		setText(r.cells.message, c.message || '');
		return r;
	});
	for (const name of [...checkRows.keys()])
		if (!list.some((c) => c.name === name))
			checkRows.delete(name);
	syncRows(document.getElementById('checks-body'), rows, 'No checks configured.', 7);
	const bad = list.filter((c) => c.state === 'warning' || c.state === 'critical').length;
	setText(document.getElementById('checks-count'),
	    list.length ? (bad ? `${bad} of ${list.length} failing` : `all ${list.length} passing`) : '');
}

function updateChecked(cell, at, sinceMs) {
	const age = cell.dataset.at;
	if (age === '' || age === undefined) {
		setText(cell, '–');
		return;
	}
	fill(cell, timeEl(at, fmtAgo(Number(age) + sinceMs)));
}

// Once a second: uptimes and "checked 5s ago" move on without a new status.
export function tick(status, sinceMs) {
	for (const r of serviceRows.values())
		updateUptime(r.cells.uptime, sinceMs);
	for (const c of status?.checks || []) {
		const r = checkRows.get(c.name);
		if (r)
			updateChecked(r.cells.checked, c.checked_at, sinceMs);
	}
	renderMeta(status, sinceMs);
}

// The Logs panel (logs.js) shows a service's lines, or an incident's.
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

