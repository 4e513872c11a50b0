// The changes view: the changes tend recorded (newest first, with what they
// were blamed for), every configured set (from the status) with its
// snapshots and last known good, a diff of any snapshot against the live
// files, and a roll-back per set. Live from the `change` and `snapshot` events,
// with the full records read from the store a moment later.
import { getJSON, rollbackSet, snapshotDiff } from './api.js';
import { fill, fmtAgo, fmtBytes, h, setText, timeEl } from './dom.js';

const CHANGES_SHOWN = 50;
const SNAPSHOTS_SHOWN = 5;	// per set

const view = {
	changes: [],		// as GET /api/changes lists them
	snapshots: [],		// as GET /api/snapshots lists them, every set's
	sets: [],		// the configured sets, as the status has them
	setsKey: '',		// what of them is shown, to redraw only on a change
	diff: null,		// {set, id, body | error}: the diff shown under its set
};

// A change from the stream names its set `set`; the store's rows `set_name`.
function normalChange(c, prev) {
	const n = { ...prev, ...c };
	if (n.set_name === undefined)
		n.set_name = c.set ?? null;
	return n;
}

function changeRow(c, now) {
	const incidents = Array.isArray(c.incidents) ? c.incidents : [];
	return h('tr', { dataset: { change: c.id } },
	    h('td', null, timeEl(c.at, fmtAgo(now - c.at))),
	    h('td', null, c.kind || ''),
	    h('th', { scope: 'row', class: 'name' }, c.set_name || '–'),
	    h('td', { class: 'message' }, c.label || ''),
	    h('td', null, c.snapshot_id != null ? `#${c.snapshot_id}` : '–'),
	    h('td', null, c.rolled_back_at != null
		? timeEl(c.rolled_back_at, `rolled back ${fmtAgo(now - c.rolled_back_at)}`)
		: c.bad ? 'bad' : '–'),
	    h('td', null, incidents.length ? incidents.map((id) => `#${id}`).join(' ') : '–'));
}

async function showDiff(s, button) {
	button.disabled = true;
	try {
		const body = await snapshotDiff(s.id);
		if (body === null)
			return;
		view.diff = { set: s.set, id: s.id, at: Date.now(), body };
	} catch (e) {
		view.diff = { set: s.set, id: s.id, at: Date.now(), error: e.message };
	} finally {
		button.disabled = false;
	}
	renderChanges();
}

function snapshotItem(s, now) {
	const mark = s.bad ? 'bad' : s.lkg ? 'last known good' : null;
	const diff = h('button', { type: 'button', class: 'btn btn-quiet btn-small',
	    'aria-label': `Diff snapshot ${s.id} against the live files` }, 'Diff');
	diff.addEventListener('click', () => showDiff(s, diff));
	return h('li', { class: `snapshot${s.lkg ? ' lkg' : ''}${s.bad ? ' bad' : ''}`, dataset: { snapshot: s.id } },
	    h('span', { class: 'id' }, `#${s.id}`), ' ',
	    timeEl(s.created_at, fmtAgo(now - s.created_at)),
	    mark ? [' ', h('strong', { class: 'mark' }, mark)] : null,
	    s.reason ? h('span', { class: 'muted' }, ` · ${s.reason}`) : null,
	    s.label ? ` · ${s.label}` : null,
	    h('span', { class: 'muted' }, ` · ${s.files} files, ${fmtBytes(s.bytes)}`), ' ', diff);
}

// A unified diff, its added and removed lines marked.
function unifiedText(text) {
	return h('pre', { class: 'unified' }, text.split('\n').map((line) =>
	    h('span', { class: line.startsWith('+') && !line.startsWith('+++') ? 'add'
		: line.startsWith('-') && !line.startsWith('---') ? 'del' : null }, `${line}\n`)));
}

function diffChange(c) {
	const size = (side) => side ? `${fmtBytes(side.size)}${side.sha256 ? ` ${side.sha256.slice(0, 12)}` : ''}` : '–';
	return h('li', { class: 'diff-change' },
	    h('strong', null, c.change), ' ', h('code', null, c.path),
	    c.diff ? unifiedText(c.diff)
		: c.content ? h('span', { class: 'muted' }, ` · ${size(c.from)} → ${size(c.to)}${c.binary ? ' (binary)' : ''}`)
		: h('span', { class: 'muted' }, ' · mode or owner'));
}

// The diff asked for under its set: what changed since the snapshot.
function diffPanel() {
	const d = view.diff;
	const close = h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'aria-label': 'Close the diff' }, '✕');
	close.addEventListener('click', () => {
		view.diff = null;
		renderChanges();
	});
	const changes = d.body?.changes ?? [];
	return h('div', { class: 'snapshot-diff', dataset: { diff: d.id } },
	    h('div', { class: 'snapshot-set-head' },
		h('h4', null, `#${d.id} → the live files`),
		h('span', { class: 'muted' }, timeEl(d.at, `as of ${new Date(d.at).toLocaleTimeString()}`)), close),
	    d.error ? h('p', { class: 'error' }, d.error)
		: changes.length ? h('ul', { class: 'diff-changes' }, changes.map(diffChange),
		    d.body.more ? h('li', { class: 'muted' }, `… and ${d.body.more} more`) : null)
		: h('p', { class: 'empty-note' }, 'No differences: the files are as the snapshot has them.'));
}

// The configured sets, and those there are snapshots or changes of
// (a set since removed from the config keeps its history).
function setNames() {
	const names = new Set(view.sets.map((s) => s.name));
	for (const s of view.snapshots)
		names.add(s.set);
	for (const c of view.changes)
		if (c.set_name)
			names.add(c.set_name);
	return [...names].sort();
}

// What a configured set does by itself, in a few words.
function setSummary(conf) {
	if (!conf)
		return 'not in the config';
	const n = Array.isArray(conf.paths) ? conf.paths.length : 0;
	const parts = [`${n} path${n === 1 ? '' : 's'}`];
	parts.push(conf.watch ? 'watched' : 'not watched');
	if (conf.auto_rollback)
		parts.push('auto rollback');
	return parts.join(' · ');
}

function setCard(name, now) {
	const snaps = view.snapshots.filter((s) => s.set === name);
	const conf = view.sets.find((s) => s.name === name);
	const lkg = snaps.find((s) => s.lkg && !s.bad);
	const button = h('button', { type: 'button', class: 'btn btn-small btn-danger',
	    'aria-label': `Roll back ${name}`, disabled: !lkg,
	    title: lkg ? `Put ${name} back as snapshot #${lkg.id} has it` : 'No last known good yet' },
	    'Roll back');
	button.addEventListener('click', async () => {
		await rollbackSet(name, lkg?.id, button);
		scheduleChanges(3000);
	});
	return h('div', { class: 'snapshot-set', dataset: { set: name } },
	    h('div', { class: 'snapshot-set-head' }, h('h3', null, name),
		h('span', { class: 'muted' }, lkg ? `last known good #${lkg.id}` : 'no last known good'),
		button),
	    h('p', { class: 'muted set-summary', title: conf?.paths?.join('\n') ?? '' }, setSummary(conf)),
	    snaps.length ? h('ol', { class: 'snapshots' }, snaps.slice(0, SNAPSHOTS_SHOWN).map((s) => snapshotItem(s, now)))
		: h('p', { class: 'empty-note' }, 'No snapshots yet.'),
	    view.diff?.set === name ? diffPanel() : null);
}

export function renderChanges() {
	const now = Date.now();
	const rows = view.changes.slice(0, CHANGES_SHOWN).map((c) => changeRow(c, now));
	const sets = setNames();

	fill(document.getElementById('changes-body'), rows.length ? rows
	    : h('tr', { class: 'empty' }, h('td', { colspan: 7 }, 'No changes recorded.')));
	// The cards hold buttons: rebuilt only when what they show changed.
	fill(document.getElementById('snapshot-sets'), sets.length ? sets.map((n) => setCard(n, now))
	    : h('p', { class: 'empty-note' }, 'No snapshot sets (snapshots: in the config).'));
	setText(document.getElementById('changes-count'), view.changes.length
	    ? `${Math.min(view.changes.length, CHANGES_SHOWN)} shown` : '');
}

// The configured sets from a status: the view is redrawn only when they changed.
export function setSnapshotSets(sets) {
	const list = Array.isArray(sets) ? sets : [];
	const key = JSON.stringify(list);
	if (key === view.setsKey)
		return;
	view.sets = list;
	view.setsKey = key;
	renderChanges();
}

export async function loadChanges() {
	try {
		const [c, s] = await Promise.all([getJSON(`/api/changes?since=30d&limit=${CHANGES_SHOWN}`),
			getJSON('/api/snapshots?limit=200')]);
		view.changes = Array.isArray(c.changes) ? c.changes : [];
		view.snapshots = Array.isArray(s.snapshots) ? s.snapshots : [];
		renderChanges();
	} catch (e) {
		setText(document.getElementById('changes-count'), `cannot read changes: ${e.message}`);
	}
}

let changesTimer = null;
export function scheduleChanges(ms = 1000) {
	clearTimeout(changesTimer);
	changesTimer = setTimeout(loadChanges, ms);
}

// A `change` event shows at once; the store's row (its snapshot, its
// incidents) a moment later. A `snapshot` or `rollback` event (the change
// now marked rolled back) is read from the store.
export function onChangeEvent(kind, data) {
	if (kind === 'change' && data?.id != null) {
		const prev = view.changes.find((c) => c.id === data.id);
		view.changes = [normalChange(data, prev), ...view.changes.filter((c) => c.id !== data.id)];
		renderChanges();
	}
	scheduleChanges();
}
