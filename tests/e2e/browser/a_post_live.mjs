// (a) A post published from the command line appears on an open page, at the
// top of the updates, without a reload, within 3 seconds; screen readers hear
// its title.
import { check, openLive, post, until, visiblePosts, withBrowser, noPageErrors } from './lib.mjs';

await withBrowser(async (ctx) => {
	const page = await openLive(ctx);
	await page.evaluate(() => { window.__sameDocument = true; });
	const before = await visiblePosts(page);

	const t0 = Date.now();
	const id = post('Ferry timetable changes from Monday', 'The ferry runs every **20 minutes**.');
	await until(() => page.evaluate((id) => !!document.getElementById('post-' + id), id), 3000,
		`post-${id} on the page`);
	const ms = Date.now() - t0;

	const after = await visiblePosts(page);
	check(after.length === before.length + 1, `one more post (${before.length} -> ${after.length})`);
	check(after[0].id === `post-${id}`, `the new post is first (got ${after[0].id})`);
	check(after[0].title === 'Ferry timetable changes from Monday', `its title (${after[0].title})`);
	check(after[0].isNew, 'the new post is marked is-new (it slides in)');
	check(await page.isVisible(`#post-${id} .post-body strong`), 'its body is rendered');
	check(await page.evaluate(() => window.__sameDocument === true), 'the page did not reload');
	check(await page.isHidden('.new-posts'), 'no "new posts" button at the top of the page');
	check(await page.evaluate(() => window.scrollY) === 0, 'the page did not scroll');
	await until(() => page.evaluate(() => document.querySelector('[aria-live="polite"]').textContent),
		2000, 'an announcement');
	const said = await page.evaluate(() => document.querySelector('[aria-live="polite"]').textContent);
	check(said === 'New post: Ferry timetable changes from Monday', `announced (${said})`);
	const state = await page.textContent('.live-indicator');
	check(/live/i.test(state), `indicator says live (${state})`);
	check(await page.evaluate(() => document.activeElement === document.body), 'focus did not move');
	check(/frame-ancestors 'none'/.test(page.liveCsp || '') && /default-src 'self'/.test(page.liveCsp),
		`the page came with its Content-Security-Policy (${page.liveCsp})`);
	noPageErrors(page); /* no CSP violation either (lib.mjs) */
	console.log(`ok: post-${id} appeared in ${ms} ms`);
});
