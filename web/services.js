// The Services panel: a row per service with its state, health, pid,
// uptime, restarts, its worst check and the actions on it; a service's
// copies under the row of their group. Each row opens to show the
// service's checks, read from GET /api/checks?service=NAME when opened.
//
// Past FLAT_MAX services the rows are folded in two groups: those that
// need attention (open) and those healthy and up (closed, counted), so
// that a thousand services show what is wrong first. A filter shows what
// matches, in both.
import { scaleGroup, serviceAction } from './api.js';
import { loadServiceChecks, serviceChecksTable, syncRows } from './checks.js';
import {
	fill, fmtDuration, fmtLatency, fmtNumber, h, healthBadge, serviceBadge, setText, worse,
} from './dom.js';
import { filter, serviceMatches } from './filter.js';

const FLAT_MAX = 30;		// services shown as one list, as they are
const SHOWN_MAX = 200;		// rows drawn in a group; a filter finds the others
const DETAIL_REFRESH_MS = 3000;	// an open service's checks read again at most this often

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
const details = new Map();	// open services: name -> {el, body, at, loading}
const folds = { attention: true, healthy: false };	// open or not
let rerender = () => {};

// The Logs panel (logs.js) shows a service's lines.
function showLogs(detail) {
	document.dispatchEvent(new CustomEvent('tend:show-logs', { detail }));
}

function serviceRow(name) {
	let r = serviceRows.get(name);
	if (r)
		return r;
	const toggle = h('button', { type: 'button', class: 'btn btn-quiet btn-small disclose',
	    'aria-expanded': 'false', 'aria-label': `Checks of ${name}` }, '▸');
	toggle.addEventListener('click', () => toggleDetail(name));
	const label = h('span', { class: 'label' });
	const cells = {
		name: h('th', { scope: 'row', class: 'name' }, toggle, label),
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
	r = { el, cells, buttons, label, toggle };
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

// The checks the status lists, by service, the worst first: its state and latency stand for all.
function checksByService(status) {
	const by = new Map();
	for (const c of status.checks || []) {
		if (!by.has(c.service))
			by.set(c.service, []);
		by.get(c.service).push(c);
	}
	for (const list of by.values())
		list.sort((a, b) => (worse(a.state, b.state) === a.state ? -1 : 1));
	return by;
}

// How many checks the service has: its check_counts, or (an older daemon) those listed.
function checkTotal(svc, listed) {
	const counts = svc.check_counts;
	return counts ? Object.values(counts).reduce((a, b) => a + b, 0) : listed.length;
}

function updateCheckCell(cell, svc, listed) {
	const total = checkTotal(svc, listed);
	if (total === 0) {
		fill(cell, h('span', { class: 'muted' }, 'no checks'));
		cell.title = '';
	} else if (listed.length === 0) {
		// Past the status's threshold: not listed, so all of them healthy (or paused).
		const paused = svc.check_counts?.paused;
		fill(cell, healthBadge(paused ? 'paused' : 'healthy'),
		    h('span', { class: 'muted' }, ` ${fmtNumber(total, 0)} ${total === 1 ? 'check' : 'checks'}`));
		cell.title = '';
	} else {
		const w = listed[0];
		fill(cell, h('span', { class: 'mono' }, w.name), ' ', healthBadge(w.state),
		    h('span', { class: 'latency' }, fmtLatency(w.latency_ms)),
		    total > 1 ? h('span', { class: 'muted' }, ` +${total - 1}`) : null);
		cell.title = listed.map((k) => `${k.name}: ${k.state}, ${k.message || ''}`).join('\n');
	}
}

function updateServiceRow(r, svc, listed, sinceMs) {
	const c = r.cells;
	fill(r.label, svc.name, svc.kind === 'external' ? [' ', h('span', { class: 'tag' }, 'external')] : null,
	    svc.reason ? h('span', { class: 'sub', title: svc.reason }, svc.reason) : null);
	fill(c.state, serviceBadge(svc.state));
	fill(c.health, healthBadge(svc.health));
	setText(c.pid, svc.pid ?? '–');
	c.uptime.dataset.base = typeof svc.uptime_ms === 'number' && svc.pid != null ? svc.uptime_ms : '';
	updateUptime(c.uptime, sinceMs);
	const exit = lastExitText(svc.last_exit);
	fill(c.restarts, String(svc.restarts ?? 0));
	c.restarts.title = exit ? `last exit: ${exit}` : '';
	updateCheckCell(c.check, svc, listed);
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

// ---- A service's checks, under its row ----

function toggleDetail(name) {
	const r = serviceRows.get(name);
	if (details.has(name)) {
		details.delete(name);
	} else {
		const body = h('div', { class: 'svc-checks-body', id: `checks-of-${name}` },
		    h('p', { class: 'muted' }, 'Reading the checks…'));
		const el = h('tr', { class: 'svc-checks', dataset: { checksOf: name } },
		    h('td', { colspan: 8 }, body));
		details.set(name, { el, body, at: 0, loading: false });
		loadDetail(name);
	}
	if (r) {
		r.toggle.setAttribute('aria-expanded', String(details.has(name)));
		r.toggle.setAttribute('aria-controls', details.has(name) ? `checks-of-${name}` : '');
		setText(r.toggle, details.has(name) ? '▾' : '▸');
	}
	rerender();
}

async function loadDetail(name) {
	const d = details.get(name);
	if (!d || d.loading)
		return;
	d.loading = true;
	try {
		const r = await loadServiceChecks(name);
		d.body.replaceChildren(serviceChecksTable(name, r.checks, r.now));
	} catch (e) {
		d.body.replaceChildren(h('p', { class: 'muted' }, `Cannot read the checks: ${e.message}`));
	} finally {
		d.loading = false;
		d.at = performance.now();
	}
}

// ---- Copies of a service ----

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

// ---- Folds of many services ----

const foldRows = new Map();

function foldRow(key) {
	let r = foldRows.get(key);
	if (r)
		return r;
	const button = h('button', { type: 'button', class: 'btn btn-quiet btn-small disclose' });
	const text = h('span');
	button.addEventListener('click', () => {
		folds[key] = !folds[key];
		rerender();
	});
	const el = h('tr', { class: 'fold', dataset: { fold: key } },
	    h('th', { scope: 'rowgroup', colspan: 8 }, button, text));
	r = { el, button, text };
	foldRows.set(key, r);
	return r;
}

function updateFoldRow(r, key, n, matched) {
	const open = folds[key] || filter.text !== '';
	const word = key === 'attention' ? 'Needing attention' : 'Healthy and up';
	r.button.setAttribute('aria-expanded', String(open));
	r.button.setAttribute('aria-label', `${open ? 'Hide' : 'Show'} the services ${word.toLowerCase()}`);
	setText(r.button, open ? '▾' : '▸');
	setText(r.text, ` ${word}: ${fmtNumber(n, 0)}` + (matched !== n ? ` (${fmtNumber(matched, 0)} match)` : ''));
	return open;
}

function needsAttention(svc) {
	return svc.health !== 'healthy' || !['up', 'parked'].includes(svc.state);
}

// ---- The panel ----

// The rows of the services given, each followed by its checks when open.
function serviceRowsOf(list, status, groups, listed, sinceMs, rows) {
	for (const svc of list) {
		const g = svc.instance_of != null ? groups.get(svc.instance_of) : null;
		if (g && svc.instance === 0) {
			const gr = groupRow(g.service);
			updateGroupRow(gr, g);
			rows.push(gr);
		}
		const r = serviceRow(svc.name);
		updateServiceRow(r, svc, listed.get(svc.name) || [], sinceMs);
		r.el.classList.toggle('copy', g != null);
		rows.push(r);
		const d = details.get(svc.name);
		if (d) {
			rows.push(d);
			if (performance.now() - d.at > DETAIL_REFRESH_MS)
				loadDetail(svc.name);
		}
	}
}

// Past FLAT_MAX, the services in their two folds; at most SHOWN_MAX rows of each.
function foldedRows(list, status, groups, listed, sinceMs, rows) {
	for (const key of ['attention', 'healthy']) {
		const all = list.filter((s) => needsAttention(s) === (key === 'attention'));
		const matched = all.filter(serviceMatches);
		if (all.length === 0)
			continue;
		const f = foldRow(key);
		rows.push(f);
		if (!updateFoldRow(f, key, all.length, matched.length))
			continue;
		serviceRowsOf(matched.slice(0, SHOWN_MAX), status, groups, listed, sinceMs, rows);
		if (matched.length > SHOWN_MAX) {
			const more = foldRow(`${key}-more`);
			setText(more.text, ` ${fmtNumber(matched.length - SHOWN_MAX, 0)} more: filter to find them`);
			more.button.hidden = true;
			rows.push(more);
		}
	}
}

export function initServices(onChange) {
	rerender = onChange;
}

export function renderServices(status, sinceMs) {
	const list = status?.services || [];
	const groups = new Map((status?.groups || []).map((g) => [g.service, g]));
	const listed = checksByService(status || {});
	const rows = [];
	if (list.length > FLAT_MAX)
		foldedRows(list, status, groups, listed, sinceMs, rows);
	else
		serviceRowsOf(list.filter(serviceMatches), status, groups, listed, sinceMs, rows);
	const names = new Set(list.map((s) => s.name));
	for (const name of [...serviceRows.keys()])
		if (!names.has(name))
			serviceRows.delete(name);
	for (const name of [...details.keys()])
		if (!names.has(name))
			details.delete(name);
	for (const name of [...groupRows.keys()])
		if (!groups.has(name))
			groupRows.delete(name);
	syncRows(document.getElementById('services-body'), rows,
	    list.length ? 'No service matches the filter.' : 'No services configured.', 8);
	const up = list.filter((s) => s.state === 'up').length;
	setText(document.getElementById('services-count'), list.length ? `${up} of ${list.length} up` : '');
}

// Once a second: uptimes move on without a new status.
export function tickServices(sinceMs) {
	for (const r of serviceRows.values())
		updateUptime(r.cells.uptime, sinceMs);
}
