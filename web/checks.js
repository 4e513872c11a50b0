// The Checks panel, and the checks of one service (shown under its row).
//
// Up to the daemon's threshold (docs/api.md: 200 checks) the status lists
// every check and the panel shows them, filtered here. Past it the status
// lists those that are not healthy: the panel shows those, and a filter
// asks GET /api/checks for a page of what matches among all of them.
import { getJSON } from './api.js';
import { checkMatches, checksQuery, filtering } from './filter.js';
import { fill, fmtAgo, fmtLatency, fmtNumber, h, healthBadge, setText, timeEl } from './dom.js';

const PAGE = 100;
const REFRESH_MS = 2000;	// a page read again at most this often while the status moves

const checkRows = new Map();
const shown = [];		// [{row, check}] in the panel now

// The page read from the daemon: what was asked, when, and its answer.
const page = { key: '', offset: 0, total: 0, checks: [], at: 0, loading: false, error: '' };
let rerender = () => {};

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

function updateChecked(cell, at, sinceMs) {
	const age = cell.dataset.at;
	if (age === '' || age === undefined) {
		setText(cell, '–');
		return;
	}
	fill(cell, timeEl(at, fmtAgo(Number(age) + sinceMs)));
}

// A row's cells from a CHECK; now: when the status (or the page) was made.
function updateCheckRow(r, c, now, sinceMs) {
	setText(r.cells.type, c.type || '');
	setText(r.cells.service, c.service || '–');
	const raw = c.raw_state && c.raw_state !== c.state ? ` (now ${c.raw_state})` : '';
	fill(r.cells.state, healthBadge(c.state), raw ? h('span', { class: 'muted' }, raw) : null);
	setText(r.cells.latency, fmtLatency(c.latency_ms));
	r.cells.checked.dataset.at = typeof c.checked_at === 'number' && typeof now === 'number'
	    ? now - c.checked_at : '';
	updateChecked(r.cells.checked, c.checked_at, sinceMs);
	setText(r.cells.message, c.message || '');
}

// Puts rows in the given order, moving only those out of place (moving a
// row that holds the focus would lose it).
export function syncRows(tbody, rows, emptyText, cols) {
	const want = rows.map((r) => r.el);
	if (want.length === 0) {
		if (!tbody.querySelector('.empty'))
			tbody.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: cols }, emptyText)));
		return;
	}
	tbody.querySelector('.empty')?.remove();
	const keep = new Set(want);
	for (const child of [...tbody.children])
		if (!keep.has(child))
			child.remove();
	want.forEach((el, i) => {
		if (tbody.children[i] !== el)
			tbody.insertBefore(el, tbody.children[i] || null);
	});
}

// ---- A page of GET /api/checks ----

async function loadPage(key, offset) {
	page.loading = true;
	try {
		const r = await getJSON(`/api/checks?${key}${key ? '&' : ''}offset=${offset}&limit=${PAGE}`);
		Object.assign(page, { key, offset, total: r.total ?? 0, checks: r.checks || [],
		    now: r.generated_at, error: '' });
	} catch (e) {
		Object.assign(page, { key, offset, total: 0, checks: [], error: e.message });
	} finally {
		page.at = performance.now();
		page.loading = false;
	}
	rerender();
}

// Asks for the page the filter names when it is another, or old.
function wantPage() {
	const key = checksQuery().toString();
	if (page.loading)
		return;
	if (key !== page.key)
		loadPage(key, 0);
	else if (performance.now() - page.at > REFRESH_MS)
		loadPage(key, page.offset);
}

export function initChecks(onLoaded) {
	rerender = onLoaded;
	document.getElementById('checks-prev').addEventListener('click', () =>
		loadPage(page.key, Math.max(0, page.offset - PAGE)));
	document.getElementById('checks-next').addEventListener('click', () =>
		loadPage(page.key, page.offset + PAGE));
}

function showPager(on) {
	const prev = document.getElementById('checks-prev');
	const next = document.getElementById('checks-next');
	prev.hidden = next.hidden = !on;
	prev.disabled = page.offset === 0;
	next.disabled = page.offset + PAGE >= page.total;
}

// "3 of 10,000 failing · 9,997 healthy not listed: filter to find them"
function countText(status, list, fromPage) {
	const counts = status?.check_counts || {};
	const total = Object.values(counts).reduce((a, b) => a + b, 0);
	if (fromPage) {
		if (page.error)
			return `cannot read the checks: ${page.error}`;
		if (page.total === 0)
			return 'no check matches';
		return `${fmtNumber(page.offset + 1, 0)}–${fmtNumber(page.offset + list.length, 0)} ` +
		    `of ${fmtNumber(page.total, 0)} matching`;
	}
	const n = status?.checks_trimmed ? total : (status?.checks || []).length;
	if (n === 0)
		return '';
	const bad = (counts.warning || 0) + (counts.critical || 0);
	const head = bad ? `${bad} of ${n} failing` : `all ${n} passing`;
	if (status?.checks_trimmed) {
		const more = status.checks_more ? `, nor ${fmtNumber(status.checks_more, 0)} of those failing` : '';
		return `${head} · ${counts.healthy || 0} healthy not listed${more}: filter to find them`;
	}
	return filtering() ? `${head} · ${list.length} shown` : head;
}

export function renderChecks(status, sinceMs) {
	const fromPage = status?.checks_trimmed === true && filtering();
	let list, now;
	if (fromPage) {
		wantPage();
		list = page.key === checksQuery().toString() ? page.checks : [];
		now = page.now;
	} else {
		list = (status?.checks || []).filter(checkMatches);
		now = status?.generated_at;
	}
	shown.length = 0;
	const rows = list.map((c) => {
		const r = checkRow(c.name);
		updateCheckRow(r, c, now, sinceMs);
		shown.push({ row: r, check: c });
		return r;
	});
	const names = new Set(list.map((c) => c.name));
	for (const name of [...checkRows.keys()])
		if (!names.has(name))
			checkRows.delete(name);
	syncRows(document.getElementById('checks-body'), rows,
	    filtering() ? 'No check matches the filter.' : 'No checks configured.', 7);
	showPager(fromPage && page.total > PAGE);
	setText(document.getElementById('checks-count'), countText(status, list, fromPage));
}

// Once a second: "checked 5s ago" moves on.
export function tickChecks(sinceMs) {
	for (const { row, check } of shown)
		updateChecked(row.cells.checked, check.checked_at, sinceMs);
}

// ---- One service's checks ----

// GET /api/checks?service=NAME: its checks, in the config's order, and when they were read.
export async function loadServiceChecks(name) {
	const r = await getJSON(`/api/checks?service=${encodeURIComponent(name)}`);
	return { checks: r.checks || [], now: r.generated_at, total: r.total ?? 0 };
}

// A small table of a service's checks, drawn afresh (a few rows, read every few seconds).
export function serviceChecksTable(name, checks, now) {
	const body = checks.map((c) => {
		const age = typeof c.checked_at === 'number' && typeof now === 'number'
		    ? now - c.checked_at : null;
		return h('tr', { dataset: { check: c.name } },
		    h('th', { scope: 'row', class: 'name mono' }, c.name),
		    h('td', null, c.type || ''),
		    h('td', { class: 'col-state' }, healthBadge(c.state)),
		    h('td', { class: 'num' }, fmtLatency(c.latency_ms)),
		    h('td', null, age === null ? '–' : timeEl(c.checked_at, fmtAgo(age))),
		    h('td', { class: 'message' }, c.message || ''));
	});
	return h('table', { class: 'grid grid-inner' },
	    h('caption', { class: 'sr-only' }, `Checks of ${name}`),
	    h('thead', null, h('tr', null, ['Check', 'Type', 'State', 'Latency', 'Checked', 'Message']
		.map((t) => h('th', { scope: 'col', class: t === 'Latency' ? 'num' : null }, t)))),
	    h('tbody', null, body.length ? body : h('tr', { class: 'empty' },
		h('td', { colspan: 6 }, 'No checks.'))));
}
