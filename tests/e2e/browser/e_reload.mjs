// (e) A resume point the server cannot serve gets one `reload` event (no id),
// and the stream stays open for what follows. A page that gets it reloads
// itself, but not more than once in 10 seconds: a page that keeps being told
// to reload says it is out of date instead of looping.
import { EventSource } from 'eventsource';
import { BASE, check, openLive, post, sleep, SLUG, until, withBrowser } from './lib.mjs';

// 1. the contract, with an EventSource client: ?since= newer than the page's
// last change, and older than what the server keeps (the wrapper starts it with
// --replay 8); then a resume point inside the window still replays
async function expectReload(since) {
	const events = [];
	const es = new EventSource(`${BASE}/live/${SLUG}/events?since=${since}`);
	for (const kind of ['post', 'reload'])
		es.addEventListener(kind, (e) => events.push({ kind, id: e.lastEventId, data: JSON.parse(e.data) }));
	try {
		await until(() => events.length >= 1, 5000, `a reload event for since=${since}`);
		check(events[0].kind === 'reload', `since=${since}: first event is reload (${events[0].kind})`);
		check(!events[0].id, `reload has no id (${events[0].id})`);
		check(typeof events[0].data.reason === 'string', 'reload carries a reason');
		const id = post(`After the reload for ${since}`);
		await until(() => events.some((e) => e.kind === 'post'), 3000, 'the stream to stay open');
		await sleep(300);
		check(events.length === 2 && events[1].data.post_id === id, 'then the next post, once');
		check(es.readyState === es.OPEN, 'never reconnected');
		return Number(events[1].id);
	} finally {
		es.close();
	}
}

let last = await expectReload(99999);
for (let i = 0; i < 12; i++)
	last = post(`Filler ${i}`) && last + 1;
last = await expectReload(1);
{
	const got = [];
	const es = new EventSource(`${BASE}/live/${SLUG}/events?since=${last - 3}`);
	es.addEventListener('post', (e) => got.push(Number(e.lastEventId)));
	es.addEventListener('reload', () => got.push('reload'));
	await until(() => got.length >= 3, 5000, 'a replay inside the window');
	await sleep(300);
	es.close();
	check(got.join() === [last - 2, last - 1, last].join(), `since=${last - 3} replays (${got})`);
}

// 2. the page: its data-seq made newer than the server's, as after a restore
await withBrowser(async (ctx) => {
	let loads = 0;
	const page = await openLive(ctx, { wait: false, rewrite: (html) => {
		loads++;
		return html.replace(/data-seq="\d+"/, 'data-seq="99999"');
	} });
	await until(() => loads >= 2, 5000, 'the page to reload itself');
	await until(() => page.evaluate(() => document.querySelector('.live-indicator')?.dataset.state === 'stale')
		.catch(() => false), 5000, 'the second reload to be refused');
	await sleep(1000);
	check(loads === 2, `reloaded once, not in a loop (${loads} loads)`);
	const said = await page.textContent('.live-indicator');
	check(/out of date/i.test(said), `says it is out of date (${said})`);
	console.log(`ok: reload event, then one reload of the page (${loads} loads)`);
});
