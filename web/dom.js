// DOM building and the formatting of states, numbers, durations and times.
// Everything that comes from the daemon goes into the page as text, never as
// HTML: check messages and incident details are written by other programs.

// Health states and service states, each with an icon and a colour class, so
// that a state is never told by colour alone.
const HEALTH = {
	healthy: { icon: '✔', cls: 'state-healthy' },
	warning: { icon: '▲', cls: 'state-warning' },
	critical: { icon: '✖', cls: 'state-critical' },
	unknown: { icon: '?', cls: 'state-unknown' },
	paused: { icon: '‖', cls: 'state-unknown' },	// a parked copy's check
};

const SERVICE = {
	up: { icon: '✔', cls: 'state-healthy' },
	starting: { icon: '◐', cls: 'state-busy' },
	waiting: { icon: '…', cls: 'state-busy' },
	stopping: { icon: '◑', cls: 'state-busy' },
	backoff: { icon: '↻', cls: 'state-warning' },
	failed: { icon: '✖', cls: 'state-critical' },
	down: { icon: '■', cls: 'state-unknown' },
	parked: { icon: '‖', cls: 'state-unknown' },	// a copy scaled down
};

export function healthInfo(state) {
	return HEALTH[state] || HEALTH.unknown;
}

// Whether a word is one of the four health states (not a service state, not an event).
export function isHealthState(word) {
	return Object.hasOwn(HEALTH, word);
}

export function serviceInfo(state) {
	return SERVICE[state] || { icon: '?', cls: 'state-unknown' };
}

const STATE_ORDER = { healthy: 0, unknown: 1, warning: 2, critical: 3 };

// The worse of two health states (critical > warning > unknown > healthy).
export function worse(a, b) {
	return (STATE_ORDER[b] ?? 1) > (STATE_ORDER[a] ?? 1) ? b : a;
}

// h('td', {class: 'num', title: 'x'}, 'text', child...): an element.
// Attributes set to null, undefined or false are left out; children that are
// null or undefined are skipped, strings become text nodes.
export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);

	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false)
			continue;
		if (k === 'class')
			el.className = v;
		else if (k === 'dataset')
			Object.assign(el.dataset, v);
		else if (k.startsWith('on') && typeof v === 'function')
			el.addEventListener(k.slice(2), v);
		else
			el.setAttribute(k, v === true ? '' : String(v));
	}
	append(el, children);
	return el;
}

function append(el, children) {
	for (const c of children) {
		if (c === null || c === undefined || c === false)
			continue;
		if (Array.isArray(c))
			append(el, c);
		else
			el.append(c instanceof Node ? c : String(c));
	}
}

// Replaces an element's children, but only when the text they would show
// differs, so that unchanged cells are not touched ten times a second.
export function fill(el, ...children) {
	const next = h('span', null, ...children);
	const key = next.innerHTML;

	if (el.dataset.key === key)
		return;
	el.dataset.key = key;
	el.replaceChildren(...next.childNodes);
}

export function setText(el, text) {
	text = String(text ?? '');
	if (el.textContent !== text)
		el.textContent = text;
}

// A state as a badge: icon (hidden from screen readers, the word says it) and word.
export function badge(info, word, extraClass) {
	return h('span', { class: `badge ${info.cls}${extraClass ? ' ' + extraClass : ''}` },
	    h('span', { class: 'icon', 'aria-hidden': 'true' }, info.icon),
	    h('span', { class: 'word' }, word));
}

export function healthBadge(state) {
	return badge(healthInfo(state || 'unknown'), state || 'unknown');
}

export function serviceBadge(state) {
	return badge(serviceInfo(state), state || 'unknown');
}

// 0.36 ms, 12.4 ms, 340 ms, 1.25 s
export function fmtLatency(ms) {
	if (typeof ms !== 'number' || !Number.isFinite(ms))
		return '–';
	if (ms < 1)
		return `${ms.toFixed(2)} ms`;
	if (ms < 100)
		return `${ms.toFixed(1)} ms`;
	if (ms < 1000)
		return `${Math.round(ms)} ms`;
	return `${(ms / 1000).toFixed(2)} s`;
}

export function fmtNumber(v, digits) {
	if (typeof v !== 'number' || !Number.isFinite(v))
		return '–';
	return v.toFixed(digits);
}

// 42s, 3m12s, 2h05m, 3d4h: the same shapes as `tend status`.
export function fmtDuration(ms) {
	if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
		return '–';
	const s = Math.floor(ms / 1000);
	if (s < 60)
		return `${s}s`;
	if (s < 3600)
		return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
	if (s < 86400)
		return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
	return `${Math.floor(s / 86400)}d${Math.floor(s / 3600) % 24}h`;
}

// Like fmtDuration, with milliseconds below a second: 420 ms, 4.2 s, 3m12s.
export function fmtElapsed(ms) {
	if (typeof ms === 'number' && ms >= 0 && ms < 1000)
		return `${Math.round(ms)} ms`;
	if (typeof ms === 'number' && ms >= 1000 && ms < 10000)
		return `${(ms / 1000).toFixed(1)} s`;
	return fmtDuration(ms);
}

export function fmtBytes(n) {
	if (typeof n !== 'number' || !Number.isFinite(n))
		return '–';
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let i = 0;
	while (n >= 1024 && i < units.length - 1) {
		n /= 1024;
		i++;
	}
	return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

// "12s ago" for a moment ago ms back; the exact time goes in a title.
export function fmtAgo(ms) {
	if (typeof ms !== 'number' || !Number.isFinite(ms))
		return '–';
	if (ms < 1500)
		return 'just now';
	return `${fmtDuration(ms)} ago`;
}

export function fmtClock(ms) {
	if (typeof ms !== 'number')
		return '–';
	const d = new Date(ms);
	return [d.getHours(), d.getMinutes(), d.getSeconds()]
	    .map((n) => String(n).padStart(2, '0')).join(':');
}

// 2026-11-30 09:18:08, local time.
export function fmtDateTime(ms) {
	if (typeof ms !== 'number')
		return '–';
	const d = new Date(ms);
	const date = [d.getFullYear(), d.getMonth() + 1, d.getDate()]
	    .map((n, i) => String(n).padStart(i === 0 ? 4 : 2, '0')).join('-');
	return `${date} ${fmtClock(ms)}`;
}

// A <time> element: relative text, absolute title, machine-readable datetime.
export function timeEl(ms, text) {
	if (typeof ms !== 'number')
		return h('span', { class: 'muted' }, '–');
	return h('time', { datetime: new Date(ms).toISOString(), title: fmtDateTime(ms) }, text);
}
