// Talking to the daemon: reads, the token that POSTs need, actions on
// services, and the notices that tell the user what became of them.
import { h } from './dom.js';

const TOKEN_KEY = 'tend.token';

export class ApiError extends Error {
	constructor(status, message) {
		super(message);
		this.status = status;
	}
}

// The body of an answer as JSON, or null when it is not JSON.
async function readJSON(resp) {
	try {
		return await resp.json();
	} catch {
		return null;
	}
}

// An event's JSON data, or null when it is not JSON.
export function eventData(e) {
	try {
		return JSON.parse(e.data);
	} catch {
		return null;
	}
}

export async function getJSON(path) {
	const resp = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
	const body = await readJSON(resp);

	if (!resp.ok)
		throw new ApiError(resp.status, body?.error || `HTTP ${resp.status}`);
	if (body === null)
		throw new ApiError(resp.status, `${path}: the answer is not JSON`);
	return body;
}

// ---- Notices: results of actions and errors, in an aria-live region ----

const MAX_NOTICES = 5;

// kind: 'ok' or 'error'. Errors stay until dismissed; results go after a while.
export function notify(kind, title, detail) {
	const box = document.getElementById('notices');
	const close = h('button', { type: 'button', class: 'btn btn-quiet btn-small',
	    'aria-label': 'Dismiss' }, '✕');
	const el = h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
	    h('span', { class: 'icon', 'aria-hidden': 'true' }, kind === 'error' ? '✖' : '✔'),
	    h('span', { class: 'text' }, h('strong', null, title), detail ? [' ', detail] : null),
	    close);

	close.addEventListener('click', () => el.remove());
	box.append(el);
	while (box.children.length > MAX_NOTICES)
		box.firstElementChild.remove();
	if (kind !== 'error')
		setTimeout(() => el.remove(), 6000);
	return el;
}

// ---- The token ----

export function savedToken() {
	try {
		return localStorage.getItem(TOKEN_KEY) || '';
	} catch {
		return '';
	}
}

function storeToken(token) {
	try {
		if (token)
			localStorage.setItem(TOKEN_KEY, token);
		else
			localStorage.removeItem(TOKEN_KEY);
	} catch {
		// Storage can be off (private windows): the token then lasts the page.
	}
	memoryToken = token;
	updateTokenButton();
}

let memoryToken = savedToken();
let stateDir = '';

export function setStateDir(dir) {
	if (!dir || dir === stateDir)
		return;
	stateDir = dir;
	document.getElementById('token-path').textContent = `${dir.replace(/\/+$/, '')}/token`;
}

function updateTokenButton() {
	const b = document.getElementById('token-button');
	b.textContent = memoryToken ? 'Token ✓' : 'Set token';
	b.setAttribute('aria-label', memoryToken ? 'API token saved: change or forget it' : 'Set the API token');
}

let pendingAsk = null;

// Shows the token form; resolves to the token, or '' when the user cancels.
// Two actions asking at once share one form.
export function askToken(why, warn) {
	if (pendingAsk)
		return pendingAsk.promise;

	const dialog = document.getElementById('token-dialog');
	const input = document.getElementById('token-input');
	const whyEl = document.getElementById('token-why');
	let resolve;
	const promise = new Promise((r) => { resolve = r; });

	pendingAsk = { promise, resolve };
	whyEl.textContent = why || 'Actions need the daemon\'s token.';
	whyEl.classList.toggle('warn', !!warn);
	input.value = '';
	dialog.showModal();
	input.focus();
	return promise;
}

function finishAsk(token) {
	const dialog = document.getElementById('token-dialog');
	const ask = pendingAsk;

	pendingAsk = null;
	if (dialog.open)
		dialog.close();
	if (ask)
		ask.resolve(token);
}

export function initToken() {
	const dialog = document.getElementById('token-dialog');
	const form = document.getElementById('token-form');
	const input = document.getElementById('token-input');

	updateTokenButton();
	// The form never navigates (form-action 'none'): submit is handled here.
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		const token = input.value.trim();
		if (!token)
			return;
		storeToken(token);
		input.value = '';
		finishAsk(token);
	});
	document.getElementById('token-cancel').addEventListener('click', () => finishAsk(''));
	document.getElementById('token-forget').addEventListener('click', () => {
		storeToken('');
		notify('ok', 'Token forgotten.', 'The next action asks for it again.');
		finishAsk('');
	});
	// Escape closes the dialog by itself; the pending action is then dropped.
	dialog.addEventListener('close', () => finishAsk(''));
	document.getElementById('token-button').addEventListener('click', () => {
		askToken(memoryToken ? 'Paste a new token to replace the saved one.' : null);
	});
}

// ---- Actions ----

// Asks with the token (a POST, or a GET of what only its holder may read),
// asking for it first when there is none, and again when the daemon refuses
// it; data, if any, goes as a JSON body. Resolves to {ok, status, body} or
// null when the user gave up.
async function withToken(path, method = 'POST', data = undefined) {
	let token = memoryToken;

	if (!token && !(token = await askToken('Actions need the daemon\'s token.')))
		return null;
	for (;;) {
		const resp = await fetch(path, {
			method,
			headers: { Authorization: `Bearer ${token}`, Accept: 'application/json',
			    ...(data ? { 'Content-Type': 'application/json' } : {}) },
			body: data ? JSON.stringify(data) : undefined,
			cache: 'no-store',
		});
		const body = await readJSON(resp);
		if (resp.status !== 401)
			return { ok: resp.ok && body?.ok !== false, status: resp.status, body };
		storeToken('');
		token = await askToken('The daemon refused the token (401): paste the current one.', true);
		if (!token)
			return { ok: false, status: 401, body };
	}
}

const VERB_DONE = { restart: 'restart requested', stop: 'stop requested', start: 'start requested',
	heal: 'healing started' };

// Runs restart / stop / start / heal on a service, showing the result.
export async function serviceAction(name, verb, button) {
	const label = `${verb[0].toUpperCase()}${verb.slice(1)} ${name}`;

	if (verb === 'stop' && !window.confirm(`Stop ${name}? tend keeps it down until it is started again.`))
		return;
	button?.setAttribute('aria-busy', 'true');
	if (button)
		button.disabled = true;
	try {
		const r = await withToken(`/api/services/${encodeURIComponent(name)}/${verb}`);
		if (r === null)
			return;
		if (r.ok) {
			const incident = r.body?.incident != null ? ` (incident #${r.body.incident})` : '';
			notify('ok', `${name}:`, `${VERB_DONE[verb] || 'done'}${incident}.`);
		} else {
			notify('error', `${label} failed:`, r.body?.error || `HTTP ${r.status}`);
		}
	} catch (e) {
		notify('error', `${label} failed:`, `the daemon did not answer (${e.message}).`);
	} finally {
		// The services view decides whether the button is usable again.
		button?.removeAttribute('aria-busy');
		document.dispatchEvent(new CustomEvent('tend:action-done'));
	}
}

// One copy more or fewer of a service with instances (POST .../scale {by}).
export async function scaleGroup(name, by, button) {
	button?.setAttribute('aria-busy', 'true');
	if (button)
		button.disabled = true;
	try {
		const r = await withToken(`/api/services/${encodeURIComponent(name)}/scale`, 'POST', { by });
		if (r === null)
			return;
		if (r.ok)
			notify('ok', 'Scaled:', r.body?.message || name);
		else
			notify('error', `Scale ${name} failed:`, r.body?.error || `HTTP ${r.status}`);
	} catch (e) {
		notify('error', `Scale ${name} failed:`, `the daemon did not answer (${e.message}).`);
	} finally {
		button?.removeAttribute('aria-busy');
		document.dispatchEvent(new CustomEvent('tend:action-done'));
	}
}

// Puts a snapshot set back to its last known good (snapshot lkg), after a
// confirm: the daemon answers at once and the rollback runs on.
export async function rollbackSet(set, lkg, button) {
	const label = `Roll back ${set}`;

	if (!window.confirm(`Roll ${set} back to its last known good${lkg != null ? ` (snapshot #${lkg})` : ''}? ` +
	    'Its files are put back and its services restarted.'))
		return;
	if (button) {
		button.disabled = true;
		button.setAttribute('aria-busy', 'true');
	}
	try {
		const r = await withToken(`/api/snapshots/${encodeURIComponent(set)}/rollback`);
		if (r === null)
			return;
		if (r.ok)
			notify('ok', `${set}:`, 'rollback to the last known good started.');
		else
			notify('error', `${label} failed:`, r.body?.error || `HTTP ${r.status}`);
	} catch (e) {
		notify('error', `${label} failed:`, `the daemon did not answer (${e.message}).`);
	} finally {
		if (button) {
			button.removeAttribute('aria-busy');
			button.disabled = false;
		}
	}
}

// A snapshot against the live files (GET /api/snapshots/ID/diff, the
// token's: it shows what the files hold). Resolves to the diff, or null
// when the user gave up; throws ApiError when the daemon says no.
export async function snapshotDiff(id) {
	const r = await withToken(`/api/snapshots/${encodeURIComponent(id)}/diff`, 'GET');
	if (r === null)
		return null;
	if (!r.ok)
		throw new ApiError(r.status, r.body?.error || `HTTP ${r.status}`);
	return r.body;
}
