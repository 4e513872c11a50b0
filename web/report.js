// The report view: `tend report`'s numbers for the last day, week or month
// (GET /api/report, the same JSON as `tend report --format json --compare`):
// the summary, availability per service and check, incidents by category
// against the period before, healing per action, chaos results and the
// recommendations. Read from the store when the panel is opened, when the
// period changes and every few minutes while it is open: never per status.
import { getJSON } from './api.js';
import { fill, fmtElapsed, h, setText } from './dom.js';

const REFRESH_MS = 5 * 60000;

const view = {
	open: false,
	period: '7d',
	doc: null,		// the last answer
	error: null,
	timer: null,
};

function pct(rate) {
	return typeof rate === 'number' ? `${(rate * 100).toFixed(2)}%` : '–';
}

// This period's count against the one before: +3, -2, =.
function trend(cur, prev) {
	if (typeof prev !== 'number')
		return '';
	const d = (cur ?? 0) - prev;
	return d === 0 ? '=' : d > 0 ? `+${d}` : String(d);
}

function stat(label, value, title) {
	return h('div', { class: 'report-stat', title },
	    h('span', { class: 'report-value' }, value),
	    h('span', { class: 'report-label' }, label));
}

function summary(doc) {
	const s = doc.summary ?? {};
	const p = doc.previous?.summary;
	const before = p ? ` (the period before: ${p.incidents_opened})` : '';
	return h('div', { class: 'report-stats', dataset: { part: 'summary' } },
	    stat('incidents opened', String(s.incidents_opened ?? 0), `opened in the period${before}`),
	    stat('resolved', String(s.incidents_resolved ?? 0)),
	    stat('open at the end', String(s.incidents_open ?? 0)),
	    stat('MTTD p50 / p90', `${fmtElapsed(s.mttd_ms?.p50 ?? -1)} / ${fmtElapsed(s.mttd_ms?.p90 ?? -1)}`),
	    stat('MTTR p50 / p90', `${fmtElapsed(s.mttr_ms?.p50 ?? -1)} / ${fmtElapsed(s.mttr_ms?.p90 ?? -1)}`),
	    stat('auto-heal success', pct(s.heal_rate),
		`${s.incidents_healed ?? 0} healed by an action of ${s.incidents_acted_on ?? 0} acted on`));
}

// A small table: heads (a leading '#' marks a number column) and rows of cells.
function table(part, caption, heads, rows, empty) {
	const num = heads.map((x) => x.startsWith('#'));
	return h('div', { class: 'report-part', dataset: { part } },
	    h('h3', null, caption),
	    rows.length === 0 ? h('p', { class: 'empty-note' }, empty)
		: h('div', { class: 'table-wrap' }, h('table', { class: 'grid' },
		    h('thead', null, h('tr', null, heads.map((x, i) =>
			h('th', { scope: 'col', class: num[i] ? 'num' : null }, num[i] ? x.slice(1) : x)))),
		    h('tbody', null, rows.map((r) => h('tr', null, r.map((c, i) =>
			i === 0 ? h('th', { scope: 'row', class: 'name' }, c)
			    : h('td', { class: num[i] ? 'num' : null }, c))))))));
}

function availability(doc) {
	const rows = (doc.availability ?? []).map((t) => [t.name, t.kind, pct(t.availability),
	    t.availability === null ? '–' : fmtElapsed(t.observed_ms - t.up_ms), String(t.flaps)]);
	return table('availability', 'Availability', ['Target', 'Kind', '#Available', '#Down', '#Flaps'],
	    rows, 'Nothing observed in the period.');
}

function categories(doc) {
	const cur = doc.incidents?.by_category ?? {};
	const prev = doc.previous?.incidents?.by_category;
	const names = [...new Set([...Object.keys(cur), ...Object.keys(prev ?? {})])].sort();
	const rows = names.map((n) => [n, String(cur[n] ?? 0),
	    prev ? String(prev[n] ?? 0) : '–', trend(cur[n], prev ? prev[n] ?? 0 : undefined)]);
	return table('categories', 'Incidents by category', ['Category', '#Incidents', '#Before', '#Trend'],
	    rows, 'No incidents in the period.');
}

function healing(doc) {
	const rows = (doc.healing?.per_action ?? []).map((a) => [a.action ?? '–',
	    String(a.attempts), String(a.healed), pct(a.rate)]);
	return table('healing', 'Healing per action', ['Action', '#Attempts', '#Healed', '#Rate'],
	    rows, 'No healing action in the period.');
}

function chaos(doc) {
	const c = doc.chaos ?? {};
	const rows = (c.experiments ?? []).map((e) => [e.action ?? '–', e.category ?? '–',
	    e.target ?? '–', String(e.attempts), String(e.healed), pct(e.rate)]);
	const part = table('chaos', 'Chaos results', ['Experiment', 'Fault', 'Target', '#Runs', '#Passed', '#Pass rate'],
	    rows, 'No tend chaos run in the period.');
	if (rows.length)
		part.append(h('p', { class: 'muted' },
		    `MTTR of the injected faults: p50 ${fmtElapsed(c.mttr_p50_ms ?? -1)}, p90 ${fmtElapsed(c.mttr_p90_ms ?? -1)}`));
	return part;
}

function advice(doc) {
	const list = doc.recommendations ?? [];
	return h('div', { class: 'report-part', dataset: { part: 'recommendations' } },
	    h('h3', null, 'Recommendations'),
	    list.length ? h('ul', { class: 'report-advice' }, list.map((a) =>
		h('li', { dataset: { rule: a.rule } }, a.text)))
		: h('p', { class: 'empty-note' }, 'None: nothing in the numbers asks for a change.'));
}

function render() {
	const body = document.getElementById('report-body');
	const toggle = document.getElementById('report-toggle');
	body.hidden = !view.open;
	toggle.setAttribute('aria-expanded', String(view.open));
	setText(toggle, view.open ? 'Hide' : 'Show');
	for (const b of document.querySelectorAll('#report [data-period]'))
		b.setAttribute('aria-pressed', String(b.dataset.period === view.period));
	if (!view.open)
		return;
	if (view.error) {
		fill(body, h('p', { class: 'error' }, `Cannot read the report: ${view.error}`));
		return;
	}
	const d = view.doc;
	if (!d) {
		fill(body, h('p', { class: 'empty-note' }, 'Reading the store…'));
		return;
	}
	fill(body, summary(d), h('div', { class: 'report-grid' },
	    availability(d), categories(d), healing(d), chaos(d)), advice(d));
	setText(document.getElementById('report-note'),
	    `last ${view.period}, read ${new Date(d.generated_at).toLocaleTimeString()}`);
}

async function load() {
	clearTimeout(view.timer);
	if (!view.open)
		return;
	const period = view.period;
	try {
		const doc = await getJSON(`/api/report?since=${period}&compare=1`);
		if (period !== view.period)
			return;		// a newer period was asked for meanwhile
		view.doc = doc;
		view.error = null;
	} catch (e) {
		view.error = e.message;
	}
	render();
	view.timer = setTimeout(load, REFRESH_MS);
}

export function initReport() {
	document.getElementById('report-toggle').addEventListener('click', () => {
		view.open = !view.open;
		render();
		load();
	});
	for (const b of document.querySelectorAll('#report [data-period]'))
		b.addEventListener('click', () => {
			view.period = b.dataset.period;
			view.doc = null;
			view.open = true;
			render();
			load();
		});
	render();
}
