// The Logs panel: what a service prints, live (GET /api/logs/NAME/stream,
// the last lines then each new one), with pause, a filter, JSON lines shown
// by field; or, from an incident, the lines from a minute before it began
// to a minute after it ended (GET /api/logs/NAME?since=&until=, found
// through the logs' time index).
import { eventData, getJSON } from './api.js';
import { fill, fmtBytes, fmtDateTime, h, setText } from './dom.js';

const MAX_LINES = 1000;		// kept on the page; the oldest go
const MINUTE = 60_000;

const logs = {
	service: '',
	stream: null,
	paused: false,
	held: [],		// lines that came while paused
	heldSkipped: 0,
	filter: null,		// a RegExp, or null for every line
	window: null,		// { since, until, incident } when showing an incident's
	services: [],
	checkService: new Map(),	// check -> its service
};

function el(id) {
	return document.getElementById(id);
}

// A JSON object line by field: its level, its message, then key=value.
function structured(text) {
	if (!text.startsWith('{'))
		return null;
	let o;
	try {
		o = JSON.parse(text);
	} catch {
		return null;
	}
	if (!o || typeof o !== 'object' || Array.isArray(o))
		return null;
	const levelKey = ['level', 'lvl', 'severity'].find((k) => typeof o[k] === 'string');
	const msgKey = ['msg', 'message', 'MESSAGE'].find((k) => typeof o[k] === 'string');
	const parts = [];
	if (levelKey) {
		const level = o[levelKey].toLowerCase();
		parts.push(h('span', { class: `log-level log-level-${level.replace(/[^a-z]/g, '')}` }, level));
	}
	if (msgKey)
		parts.push(h('span', { class: 'log-msg' }, o[msgKey]));
	for (const [k, v] of Object.entries(o)) {
		if (k === levelKey || k === msgKey)
			continue;
		parts.push(h('span', { class: 'log-field' }, h('span', { class: 'log-key' }, k), '=',
		    typeof v === 'string' ? v : JSON.stringify(v)));
	}
	return parts;
}

function matches(li) {
	return !logs.filter || logs.filter.test(li.dataset.text);
}

function lineItem(text) {
	const fields = structured(text);
	const li = h('li', { class: fields ? 'log-line log-json' : 'log-line', dataset: { text } },
	    fields || text);
	li.hidden = !matches(li);
	return li;
}

function skippedItem(n, rate, bytes) {
	const more = bytes ? ` and ${fmtBytes(bytes)} jumped over` : '';
	return h('li', { class: 'log-skipped', dataset: { text: '' } },
	    `… ${n} line${n === 1 ? '' : 's'} skipped${more} (more than ${rate} a second)`);
}

function append(items) {
	const list = el('logs-lines');
	const atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
	list.querySelector('.empty-note')?.remove();
	list.append(...items);
	while (list.children.length > MAX_LINES)
		list.firstElementChild.remove();
	if (atEnd)
		list.scrollTop = list.scrollHeight;
	updateNote();
}

function updateNote() {
	const lines = [...el('logs-lines').querySelectorAll('.log-line')];
	const shown = lines.filter((li) => !li.hidden).length;
	const total = lines.length;
	let note = logs.filter ? `${shown} of ${total} lines` : `${total} lines`;
	if (logs.paused)
		note += ` · paused${logs.held.length ? `, ${logs.held.length} new` : ''}`;
	setText(el('logs-note'), note);
}

function empty(text) {
	fill(el('logs-lines'), h('li', { class: 'empty-note' }, text));
	updateNote();
}

function onLines(data) {
	if (!Array.isArray(data?.lines))
		return;
	if (logs.paused) {
		logs.held.push(...data.lines);
		logs.held.splice(0, Math.max(0, logs.held.length - MAX_LINES));
		updateNote();
		return;
	}
	append(data.lines.map(lineItem));
}

function onSkipped(data) {
	if (logs.paused) {
		logs.heldSkipped += data?.lines || 0;
		return;
	}
	append([skippedItem(data?.lines || 0, data?.rate || '?', data?.bytes || 0)]);
}

function closeStream() {
	logs.stream?.close();
	logs.stream = null;
}

function openStream() {
	closeStream();
	if (!logs.service) {
		empty('No services.');
		return;
	}
	el('logs-lines').replaceChildren();
	updateNote();
	const s = new EventSource(`/api/logs/${encodeURIComponent(logs.service)}/stream?n=200`);
	s.addEventListener('lines', (e) => onLines(eventData(e)));
	s.addEventListener('skipped', (e) => onSkipped(eventData(e)));
	s.addEventListener('error', () => {
		// EventSource reconnects by itself, and the stream starts with the last
		// lines again: what was shown goes, so nothing shows twice.
		if (s.readyState === EventSource.CONNECTING)
			el('logs-lines').replaceChildren();
	});
	logs.stream = s;
}

function setPaused(paused) {
	logs.paused = paused;
	const b = el('logs-pause');
	b.setAttribute('aria-pressed', String(paused));
	b.textContent = paused ? 'Resume' : 'Pause';
	if (!paused) {
		const items = logs.held.map(lineItem);
		if (logs.heldSkipped)
			items.unshift(skippedItem(logs.heldSkipped, '?'));
		logs.held = [];
		logs.heldSkipped = 0;
		if (items.length)
			append(items);
	}
	updateNote();
}

function setFilter(text) {
	let re = null;
	if (text) {
		try {
			re = new RegExp(text, 'i');
		} catch {
			re = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
		}
	}
	logs.filter = re;
	for (const li of el('logs-lines').querySelectorAll('.log-line'))
		li.hidden = !matches(li);
	updateNote();
}

function showLive(service) {
	logs.window = null;
	el('logs-window').hidden = true;
	el('logs-pause').disabled = false;
	logs.service = service;
	el('logs-service').value = service;
	logs.held = [];
	openStream();
}

// The lines of service from since to until (ms), not live.
async function showWindow(service, since, until, label) {
	closeStream();
	logs.window = { since, until };
	logs.service = service;
	el('logs-service').value = service;
	el('logs-pause').disabled = true;
	setText(el('logs-window-text'), `${label}: ${service}, ${fmtDateTime(since)} to ${fmtDateTime(until)}`);
	el('logs-window').hidden = false;
	empty('Reading…');
	try {
		const r = await getJSON(`/api/logs/${encodeURIComponent(service)}?n=1000&since=${since}&until=${until}`);
		const items = [];
		if (r.more)
			items.push(h('li', { class: 'log-skipped', dataset: { text: '' } },
			    `… ${r.more} earlier lines of the window not shown`));
		items.push(...r.lines.map(lineItem));
		el('logs-lines').replaceChildren();
		if (r.lines.length === 0)
			empty('No lines in this window.');
		else
			append(items);
		if (r.approximate)
			setText(el('logs-window-text'), `${el('logs-window-text').textContent} (times approximate: a log without its time index)`);
	} catch (e) {
		empty(`Cannot read the logs: ${e.message}`);
	}
}

// The service an incident is about: its target, or the service of its target check.
function incidentService(inc) {
	if (logs.services.includes(inc.target))
		return inc.target;
	return logs.checkService.get(inc.target) || '';
}

function scrollToPanel() {
	el('logs').scrollIntoView({ block: 'start' });
	el('logs').focus({ preventScroll: true });
}

// The services and checks as the status lists them.
export function setLogServices(status) {
	const names = (status?.services || []).map((s) => s.name);
	logs.checkService = new Map((status?.checks || []).filter((c) => c.service).map((c) => [c.name, c.service]));
	if (names.join('\n') === logs.services.join('\n'))
		return;
	logs.services = names;
	const pick = el('logs-service');
	pick.replaceChildren(...names.map((n) => new Option(n, n)));
	if (!names.includes(logs.service) && !logs.window)
		showLive(names[0] || '');
	else
		pick.value = logs.service;
}

export function initLogs() {
	el('logs-service').addEventListener('change', (e) => showLive(e.target.value));
	el('logs-pause').addEventListener('click', () => setPaused(!logs.paused));
	el('logs-filter').addEventListener('input', (e) => setFilter(e.target.value.trim()));
	el('logs-live').addEventListener('click', () => showLive(logs.service));
	document.addEventListener('tend:show-logs', (e) => {
		const d = e.detail || {};
		if (d.incident) {
			const service = incidentService(d.incident);
			if (!service) {
				setText(el('logs-note'), `${d.incident.target} is not a service's and has no logs`);
				scrollToPanel();
				return;
			}
			const start = d.incident.detected_at ?? Date.now();
			const end = d.incident.resolved_at ?? Date.now();
			showWindow(service, start - MINUTE, end + MINUTE, `Incident #${d.incident.id}`);
		} else if (d.service) {
			showLive(d.service);
		}
		scrollToPanel();
	});
}
