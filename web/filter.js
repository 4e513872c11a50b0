// The filter of the Services and Checks panels: words to find (in a name,
// a service, a message; any case) and a state. With thousands of checks the
// status lists only those that are not healthy; a filter then asks the
// daemon (GET /api/checks) for what matches among all of them.

export const filter = { text: '', state: 'all' };

const STATES = ['healthy', 'warning', 'critical', 'unknown', 'paused'];

// Reads the filter box and state picker; onChange after each change (typing settles first).
export function initFilter(onChange) {
	const input = document.getElementById('filter');
	const pick = document.getElementById('filter-state');
	let timer = null;

	input.addEventListener('input', () => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			filter.text = input.value.trim().toLowerCase();
			onChange();
		}, 150);
	});
	pick.addEventListener('change', () => {
		filter.state = pick.value;
		onChange();
	});
}

export function filtering() {
	return filter.text !== '' || filter.state !== 'all';
}

function has(s, text) {
	return typeof s === 'string' && s.toLowerCase().includes(text);
}

// 'unhealthy': warning, critical or unknown (a paused check is not a problem).
export function stateMatches(state) {
	if (filter.state === 'all')
		return true;
	if (filter.state === 'unhealthy')
		return ['warning', 'critical', 'unknown'].includes(state);
	return state === filter.state;
}

// A service matches by its name, and by its own health or one of its checks' states.
export function serviceMatches(svc) {
	if (filter.text && !has(svc.name, filter.text))
		return false;
	if (filter.state === 'all')
		return true;
	const counts = svc.check_counts || {};
	if (filter.state === 'unhealthy')
		return svc.health !== 'healthy';
	return svc.health === filter.state || (counts[filter.state] || 0) > 0;
}

export function checkMatches(c) {
	if (filter.text && !has(c.name, filter.text) && !has(c.service, filter.text) &&
	    !has(c.message, filter.text))
		return false;
	return stateMatches(c.state);
}

// The same filter as GET /api/checks's arguments.
export function checksQuery() {
	const p = new URLSearchParams();
	if (filter.text)
		p.set('q', filter.text);
	if (filter.state !== 'all')
		p.set('state', STATES.includes(filter.state) || filter.state === 'unhealthy'
		    ? filter.state : 'unhealthy');
	return p;
}
