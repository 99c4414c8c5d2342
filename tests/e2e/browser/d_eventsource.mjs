// (d) The stream contract with a standard EventSource client (npm `eventsource`):
// a client whose connection drops while three posts are published reconnects by
// itself with Last-Event-ID and receives exactly those three, in order, once.
// Also: ?since=N replays the same, the header wins over the query, a stream
// without either starts with the next change, and the stream opens with retry.
import { EventSource } from 'eventsource';
import { BASE, check, post, sleep, SLUG, until } from './lib.mjs';

const URL_EVENTS = `${BASE}/live/${SLUG}/events`;
const KINDS = ['post', 'update', 'delete', 'pin', 'summary', 'status', 'page', 'reload'];

// An EventSource whose connection the test can drop (as a network failure
// would: the body ends, it is not an abort) and whose next connection it can
// hold back until it is ready. Records the requests and every event.
function client(url, extraHeaders = {}) {
	const c = { requests: [], events: [], gate: null, drop: null };
	const fetchVia = async (input, init) => {
		if (c.gate)
			await c.gate;
		const headers = { ...init.headers, ...(c.requests.length ? {} : extraHeaders) };
		c.requests.push({ url: String(input), lastEventId: headers['Last-Event-ID'] ?? null });
		const res = await fetch(input, { ...init, headers });
		const reader = res.body.getReader();
		let ctl;
		const body = new ReadableStream({
			start(x) { ctl = x; },
			async pull(x) {
				const r = await reader.read().catch(() => ({ done: true }));
				try {
					if (r.done)
						x.close();
					else
						x.enqueue(r.value);
				} catch { /* dropped meanwhile */ }
			},
			cancel() { return reader.cancel().catch(() => {}); },
		});
		c.drop = () => {
			try { ctl.close(); } catch { /* closed already */ }
			reader.cancel().catch(() => {});
		};
		return new Response(body, { status: res.status, headers: res.headers });
	};
	c.es = new EventSource(url, { fetch: fetchVia });
	for (const kind of KINDS)
		c.es.addEventListener(kind, (e) => c.events.push({ kind, id: e.lastEventId, data: JSON.parse(e.data) }));
	c.opened = new Promise((resolve) => c.es.addEventListener('open', resolve, { once: true }));
	return c;
}

const posts = (c, from = 0) => c.events.slice(from).filter((e) => e.kind === 'post');
const summary = (evs) => evs.map((e) => `${e.kind}#${e.data.post_id}@${e.id}`).join(' ');

let code = 1;
const clients = [];
try {
	// the raw stream: headers and the retry line
	const ac = new AbortController();
	const raw = await fetch(URL_EVENTS, { signal: ac.signal });
	check(raw.status === 200, `200 (got ${raw.status})`);
	check((raw.headers.get('content-type') || '').startsWith('text/event-stream'),
		`text/event-stream (got ${raw.headers.get('content-type')})`);
	const first = new TextDecoder().decode((await raw.body.getReader().read()).value);
	check(/^retry: 3000$/m.test(first), `opens with retry: 3000 (got ${JSON.stringify(first)})`);
	ac.abort();

	const a = client(URL_EVENTS);
	clients.push(a);
	await Promise.race([a.opened, sleep(5000)]);
	check(a.es.readyState === a.es.OPEN, 'connected');
	await sleep(300);
	check(a.events.length === 0, `no replay without since (got ${summary(a.events)})`);

	const id0 = post('Before the drop');
	await until(() => posts(a).some((e) => e.data.post_id === id0), 3000, 'the first post live');
	const last = posts(a).find((e) => e.data.post_id === id0);
	check(last.id && Number(last.id) === last.data.seq, `event id = seq (${last.id}, ${last.data.seq})`);
	check(last.data.kind === 'post' && /<article class="post[^"]*" id="post-\d+"/.test(last.data.html),
		'a post event carries the article');

	// drop the connection and hold the reconnection until three posts are in
	let release;
	a.gate = new Promise((r) => { release = r; });
	const seen = a.events.length;
	a.drop();
	await until(() => a.es.readyState === a.es.CONNECTING, 3000, 'the client to notice the drop');
	const ids = [post('While away one'), post('While away two'), post('While away three')];
	a.gate = null;
	release();
	await until(() => posts(a, seen).length >= 3, 10000, 'three posts after reconnecting');
	await sleep(700); // anything more would be a duplicate
	const got = a.events.slice(seen);
	check(a.requests.length === 2, `one reconnection (${a.requests.length - 1})`);
	check(a.requests[1].lastEventId === last.id,
		`reconnected with Last-Event-ID: ${last.id} (sent ${a.requests[1].lastEventId})`);
	check(got.length === 3 && got.every((e) => e.kind === 'post'),
		`exactly three events, all posts (got ${summary(got)})`);
	check(got.map((e) => e.data.post_id).join() === ids.join(), `in order (${summary(got)} vs ${ids})`);
	check(got.every((e, i) => Number(e.id) > Number(i ? got[i - 1].id : last.id)), 'ids increase');

	// the same with ?since=
	const b = client(`${URL_EVENTS}?since=${last.id}`);
	clients.push(b);
	await until(() => b.events.length >= 3, 5000, 'the replay for ?since=');
	await sleep(500);
	check(summary(b.events) === summary(got), `?since= replays the same (${summary(b.events)})`);

	// the header wins over the query
	const c = client(`${URL_EVENTS}?since=0`, { 'Last-Event-ID': got[1].id });
	clients.push(c);
	await until(() => c.events.length >= 1, 5000, 'the replay for Last-Event-ID');
	await sleep(500);
	check(summary(c.events) === summary(got.slice(2)), `Last-Event-ID wins over ?since= (${summary(c.events)})`);

	console.log(`ok: dropped after ${last.id}, reconnected, got ${summary(got)}`);
	code = 0;
} catch (e) {
	console.error(e && e.stack ? e.stack : e);
} finally {
	for (const c of clients)
		c.es.close();
}
process.exit(code);
