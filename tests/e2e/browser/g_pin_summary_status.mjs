// (g) The page around the posts follows too: pinning and unpinning a post,
// changing and emptying the summary, and ending the coverage, after which the
// live indicator says so and the page stops listening.
import { check, cli, openLive, post, sleep, SLUG, until, withBrowser, noPageErrors } from './lib.mjs';

const text = (page, sel) => page.evaluate((s) => {
	const e = document.querySelector(s);
	return e ? e.textContent.replace(/\s+/g, ' ').trim() : null;
}, sel);
const points = (page) => page.evaluate(() =>
	[...document.querySelectorAll('section.summary .key-points li')].map((li) => li.textContent.trim()).join('|'));
const order = (page) => page.evaluate(() => [...document.querySelectorAll(
	'main > header.page-head, main > section.summary, main > section.pinned-post, main > section#updates')]
	.map((e) => e.className.split(' ')[0] || e.id));

await withBrowser(async (ctx) => {
	const page = await openLive(ctx);
	check(await page.evaluate(() => window.scrollY) === 0, 'at the top');
	await page.evaluate(() => { window.__sameDocument = true; });

	// pin a post that is on the page; then another; then unpin
	const id = post('Pin me', 'The one to read first.');
	await until(() => page.$(`#post-${id}`), 3000, 'the post');
	cli(['pin', SLUG, String(id)]);
	await until(() => page.$(`section.pinned-post #pinned-${id}`), 3000, 'the pinned section');
	check((await text(page, `#pinned-${id} .post-title`)) === 'Pin me', 'the pinned copy');
	check((await order(page)).join() === 'page-head,summary,pinned-post,updates',
		`pinned after the summary (${await order(page)})`);
	const other = post('Pin me instead');
	cli(['pin', SLUG, String(other)]);
	await until(() => page.$(`section.pinned-post #pinned-${other}`), 3000, 'the new pinned post');
	check(await page.$$eval('section.pinned-post', (s) => s.length) === 1, 'one pinned section');
	cli(['unpin', SLUG]);
	await until(async () => !(await page.$('section.pinned-post')), 3000, 'the pinned section gone');

	// the summary: new key points, then none (the demo's featured media stays,
	// so the section does; without media the event's html is "" and it goes)
	cli(['summary', SLUG], '- First key point\n- Second **key** point\n');
	await until(async () => (await points(page)) === 'First key point|Second key point',
		3000, 'the new summary');
	check(await page.$eval('section.summary .key-points strong', (b) => b.textContent) === 'key',
		'Markdown in a key point');
	const media = await page.$('section.summary .media');
	cli(['summary', SLUG], '');
	await until(async () => (await points(page)) === '' &&
		!!(await page.$('section.summary')) === !!media, 3000, 'the key points removed');
	cli(['summary', SLUG], '- Back again\n');
	await until(async () => (await points(page)) === 'Back again', 3000, 'the summary back');
	check((await order(page)).join() === 'page-head,summary,updates', `summary after the head (${await order(page)})`);
	check(await page.$$eval('section.summary', (s) => s.length) === 1, 'one summary');

	// the end of the coverage
	cli(['status', SLUG, 'ended']);
	await until(async () => (await text(page, 'header.page-head p.status')) === 'Ended', 3000, 'the Ended label');
	check(await page.$eval('header.page-head p.status', (p) => p.classList.contains('status-ended')), 'status-ended');
	const said = await text(page, '.live-indicator');
	check(said === 'Coverage has ended', `the indicator says so (${said})`);
	check(await page.$eval('.live-indicator', (p) => p.getAttribute('role')) === 'status', 'in a status region');
	// the page stopped listening: a later post does not arrive
	const late = post('After the end');
	await sleep(1500);
	check(!(await page.$(`#post-${late}`)), 'the stream is closed after the end');
	check(await page.evaluate(() => window.__sameDocument === true), 'no reload throughout');
	noPageErrors(page);
	console.log('ok: pin, pin another, unpin, summary, empty summary, status ended');
});
