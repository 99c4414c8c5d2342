// "N reading now" (issue 20) as a reader sees it: the figure in the page head
// appears once the stream's first `readers` event arrives, counts every open
// page (two tabs: 2), goes down when one leaves, is not a live region (it is
// not announced at every change), and comes with no script or CSP error.
import { check, openLive, until, withBrowser, noPageErrors } from './lib.mjs';

const WAIT = 30000; /* figures are taken every few seconds: generous */

const figure = (page) => page.evaluate(() => {
	const p = document.querySelector('header.page-head p.readers-now');
	return p ? { hidden: p.hidden, text: p.textContent, live: !!p.closest('[aria-live]') } : null;
});

await withBrowser(async (ctx) => {
	const first = await openLive(ctx);
	const f0 = await figure(first);
	check(f0 !== null, 'the live page has the figure\'s element');
	check(!f0.live, 'the figure is not in a live region');
	await until(async () => (await figure(first)).text === '1 reading now', WAIT,
		'"1 reading now" on the first tab');
	check(!(await figure(first)).hidden, 'the figure is shown');

	const second = await openLive(ctx);
	for (const [name, page] of [['first', first], ['second', second]])
		await until(async () => (await figure(page)).text === '2 reading now', WAIT,
			`"2 reading now" on the ${name} tab`);

	await second.close();
	await until(async () => (await figure(first)).text === '1 reading now', WAIT,
		'"1 reading now" once the second tab is closed');
	noPageErrors(first);
	console.log('ok: the figure follows the open pages');
});
