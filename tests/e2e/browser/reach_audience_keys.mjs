// (reach: key events) The list of key events follows the stream: a key event
// published appears in it at once, a plain post leaves it alone, an older post
// marked joins it in its place (newest first), one unmarked or deleted leaves
// it, and the last one gone takes the list away. A link whose post is on the
// page goes there in place (focus on the post, the address's fragment set).
import { BASE, check, cli, noPageErrors, openLive, post, SLUG, until, withBrowser } from './lib.mjs';

const listed = (page) => page.evaluate(() =>
	[...document.querySelectorAll('#key-events li a')].map((a) => ({
		href: a.getAttribute('href'),
		title: a.querySelector('.key-event-title').textContent,
		time: a.querySelector('time')?.getAttribute('datetime'),
	})));
const titles = async (page) => (await listed(page)).map((k) => k.title).join(' | ');

await withBrowser(async (ctx) => {
	const page = await openLive(ctx);
	check(!(await page.$('#key-events')), 'the demo page starts without key events');

	const ribbon = post('Mayor cuts the ribbon', 'The bridge is open.', '--key-event');
	await until(async () => (await titles(page)) === 'Mayor cuts the ribbon', 5000,
		'the new key event in the list');
	const first = (await listed(page))[0];
	check(first.href === `/live/${SLUG}#post-${ribbon}`, `its link (${first.href})`);
	check(/^\d{4}-\d\d-\d\dT/.test(first.time || ''), 'its time in a <time>');
	const heading = await page.$eval('#key-events', (n) =>
		document.getElementById(n.getAttribute('aria-labelledby'))?.textContent);
	check(heading === 'Key events', `the list is labelled by its heading (${heading})`);

	// A plain post: no change to the list (its event carries none).
	const plain = post('Traffic is light', 'Cars are moving.');
	await until(() => page.$(`#post-${plain}`), 5000, 'the plain post');
	check((await titles(page)) === 'Mayor cuts the ribbon', 'a plain post leaves the list alone');

	// An older post, on an older page, marked: in the list, in its place.
	// (The demo's posts are stored oldest first: post 3 is on page 1.)
	const oldId = 3;
	const oldTitle = await (await fetch(`${BASE}/live/${SLUG}/posts/${oldId}`)).text()
		.then((h) => h.match(/<h1 class="post-title">([^<]*)<\/h1>/)?.[1]);
	check(oldTitle, 'the older post has a title');
	cli(['edit', SLUG, String(oldId), '--key-event']);
	await until(async () => (await titles(page)) === `Mayor cuts the ribbon | ${oldTitle}`, 5000,
		'the older post joins the list, after the newer');
	const older = (await listed(page))[1];
	check(/\?page=\d+#post-3$/.test(older.href), `an older page's link (${older.href})`);

	// A link to a post on this page: there in place, no new page load.
	await page.evaluate(() => { window.__sameDocument = true; });
	await page.click(`#key-events a[data-post="${ribbon}"]`);
	await until(() => page.evaluate((id) => document.activeElement?.id === `post-${id}`, ribbon),
		3000, 'focus on the post');
	check(await page.evaluate(() => window.__sameDocument === true), 'no page load');
	check(page.url().endsWith(`#post-${ribbon}`), `the address names the post (${page.url()})`);

	// Unmarked, then deleted: out of the list; the last one takes it away.
	cli(['edit', SLUG, String(ribbon), '--no-key-event']);
	await until(async () => (await titles(page)) === oldTitle, 5000, 'the unmarked one gone');
	cli(['delete', SLUG, String(oldId)]);
	await until(async () => !(await page.$('#key-events')), 5000, 'the list gone');
	check(await page.evaluate(() => window.__sameDocument === true), 'all without a reload');
	noPageErrors(page);
	console.log(`ok: key events followed the stream (post-${ribbon}, post-${oldId})`);
});
