// (reach: share) Each post's share control: without a share sheet, "Copy link"
// puts the post's absolute permalink on the clipboard, stays on the page, and
// says so (visibly, and in a live region for screen readers); a post that
// arrives live gets the control too. Where the browser offers a share sheet,
// the control opens it with the post's title and address.
import { BASE, check, noPageErrors, openLive, post, SLUG, until, withBrowser } from './lib.mjs';

await withBrowser(async (ctx) => {
	await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });

	// ---- no share sheet: copy ----
	const page = await openLive(ctx);
	await page.addInitScript(() => { delete Navigator.prototype.share; });
	await page.reload();
	await until(() => page.evaluate(() =>
		document.querySelector('.live-indicator')?.dataset.state === 'connected'), 10000, 'connected');
	check(await page.evaluate(() => typeof navigator.share) === 'undefined', 'no share sheet here');

	const first = await page.$eval('#updates > article.post', (a) => a.dataset.id);
	const label = await page.$eval(`#post-${first} a.share-link`, (a) => a.textContent);
	check(label === 'Copy link to this post', `the control says what it does (${label})`);
	await page.click(`#post-${first} a.share-link`);
	const want = `${BASE}/live/${SLUG}/posts/${first}`;
	await until(async () => (await page.evaluate(() => navigator.clipboard.readText())) === want,
		3000, `the clipboard to hold ${want}`);
	check(page.url() === `${BASE}/live/${SLUG}`, `still on the live page (${page.url()})`);
	await until(() => page.$eval(`#post-${first} .share-note`, (n) => n.textContent === 'Link copied')
		.catch(() => false), 3000, 'the visible confirmation');
	await until(() => page.evaluate(() => [...document.querySelectorAll('[role="status"][aria-live]')]
		.some((n) => /copied/.test(n.textContent))), 3000, 'the spoken confirmation');

	// A post that arrives live has the same control (at the top of the
	// page, so that it goes straight in rather than behind the button).
	await page.evaluate(() => window.scrollTo(0, 0));
	const id = post('Ferry timetable changes', 'A reduced service from tomorrow.');
	await until(() => page.$(`#post-${id} a.share-link[data-share]`), 5000, 'the new post\'s control');
	await page.click(`#post-${id} a.share-link`);
	await until(async () => (await page.evaluate(() => navigator.clipboard.readText())) ===
		`${BASE}/live/${SLUG}/posts/${id}`, 3000, 'the new post\'s address copied');
	noPageErrors(page);

	// ---- a share sheet: the browser's own, with title and address ----
	const sheet = await openLive(ctx);
	await sheet.addInitScript(() => {
		navigator.share = async (d) => { window.__shared = d; };
	});
	await sheet.reload();
	await until(() => sheet.evaluate(() =>
		document.querySelector('.live-indicator')?.dataset.state === 'connected'), 10000, 'connected');
	const label2 = await sheet.$eval(`#post-${id} a.share-link`, (a) => a.textContent);
	check(label2 === 'Share this post', `the control offers the sheet (${label2})`);
	await sheet.click(`#post-${id} a.share-link`);
	const shared = await until(() => sheet.evaluate(() => window.__shared), 3000, 'the sheet');
	check(shared.url === `${BASE}/live/${SLUG}/posts/${id}`, `the sheet got the address (${shared.url})`);
	check(shared.title === 'Ferry timetable changes', `and the title (${shared.title})`);
	noPageErrors(sheet);
	console.log(`ok: share copied post-${first} and post-${id}, and opened the sheet`);
});
