// The Jobs panel: the recent runs of `tend job` (GET /api/jobs, read from
// the store), each with its start, duration, exit, the end of its output and
// the state of its heartbeat check when it has one.
import { getJSON } from './api.js';
import { fill, fmtAgo, fmtElapsed, h, healthBadge, setText, timeEl } from './dom.js';

const REFRESH_MS = 5000;

let runs = [];
let heartbeats = new Map();	// check name -> state

function exitText(r) {
	if (r.timed_out)
		return { text: 'timed out', cls: 'outcome-failed' };
	if (r.signal)
		return { text: `signal ${r.signal}`, cls: 'outcome-failed' };
	if (r.exit_code === 0)
		return { text: 'exit 0', cls: 'outcome-ok' };
	return { text: `exit ${r.exit_code ?? '?'}`, cls: 'outcome-failed' };
}

function lastLine(output) {
	const lines = String(output || '').split('\n').filter((l) => l.trim() !== '');
	return lines.length ? lines[lines.length - 1] : '';
}

function render() {
	const body = document.getElementById('jobs-body');
	const now = Date.now();

	if (runs.length === 0) {
		fill(body, h('tr', { class: 'empty' }, h('td', { colspan: 6 }, 'No job runs in the last 7 days.')));
		setText(document.getElementById('jobs-count'), '');
		return;
	}
	fill(body, runs.map((r) => {
		const ex = exitText(r);
		const hb = heartbeats.get(r.name);
		return h('tr', { dataset: { job: r.name } },
		    h('th', { scope: 'row', class: 'name mono' }, r.name),
		    h('td', null, timeEl(r.started_at, fmtAgo(now - r.started_at))),
		    h('td', { class: 'num' }, fmtElapsed(r.duration_ms)),
		    h('td', null, h('span', { class: ex.cls }, ex.text)),
		    h('td', null, hb ? healthBadge(hb) : h('span', { class: 'muted' }, 'no heartbeat')),
		    h('td', { class: 'mono job-output', title: r.output || '' }, lastLine(r.output)));
	}));
	setText(document.getElementById('jobs-count'), `${runs.length} run${runs.length === 1 ? '' : 's'}`);
}

async function load() {
	try {
		const r = await getJSON('/api/jobs?since=7d&limit=50');
		runs = Array.isArray(r.runs) ? r.runs : [];
		render();
	} catch (e) {
		setText(document.getElementById('jobs-count'), `cannot read job runs: ${e.message}`);
	}
}

// The heartbeat checks' states, from the status.
export function setJobHeartbeats(status) {
	heartbeats = new Map((status?.checks || []).filter((c) => c.type === 'heartbeat')
	    .map((c) => [c.name, c.state]));
	if (runs.length)
		render();
}

export function initJobs() {
	load();
	setInterval(() => {
		if (!document.hidden)
			load();
	}, REFRESH_MS);
}
