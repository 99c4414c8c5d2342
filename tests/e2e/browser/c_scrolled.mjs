// (c) A reader who has scrolled down is not disturbed: new posts wait behind
// a "N new posts" button, the count shows in the tab title, and the text on
// screen does not move. The button puts them on the page, takes the reader to
// the newest and gives it focus. Run with reduced motion: the scroll is instant.
import { check, cli, openLive, post, SLUG, until, visiblePosts, withBrowser, noPageErrors } from './lib.mjs';

// The first post whose top is on screen: its id and where it is.
const probe = (page) => page.evaluate(() => {
	const a = [...document.querySelectorAll('#updates > .post')]
		.find((a) => a.getBoundingClientRect().top > 0);
	return { id: a.id, top: a.getBoundingClientRect().top, scrollY: window.scrollY };
});

await withBrowser(async (ctx) => {
	const page = await openLive(ctx, { reducedMotion: 'reduce' });
	const title = await page.title();
	const start = await visiblePosts(page);
	// down into the posts, well past the top of the updates
	const past = await page.evaluate(() => {
		const first = document.querySelector('#updates > .post');
		window.scrollTo(0, first.getBoundingClientRect().top + window.scrollY + 400);
		return first.getBoundingClientRect().top;
	});
	await page.waitForTimeout(100);
	check(past <= -390, `scrolled past the top of the updates (${past})`);
	const before = await probe(page);

	const ids = [post('Held one'), post('Held two'), post('Held three')];
	await until(async () => (await page.textContent('.new-posts')) === '3 new posts' &&
		await page.isVisible('.new-posts'), 3000, 'the button to say "3 new posts"');
	check(await page.title() === '(3) ' + title, `"(3)" in the title (${await page.title()})`);
	for (const id of ids)
		check(!(await page.$(`#post-${id}`)), `post-${id} is held, not inserted`);
	await page.waitForTimeout(200);
	const after = await probe(page);
	check(after.id === before.id && Math.abs(after.top - before.top) < 1,
		`the text did not move (${JSON.stringify(before)} -> ${JSON.stringify(after)})`);
	await until(() => page.evaluate(() =>
		document.querySelector('[aria-live="polite"]').textContent === '3 new posts'),
	2000, 'the announcement "3 new posts"');
	const box = await page.locator('.new-posts').boundingBox();
	check(box && box.y >= 0 && box.y < 100, `the button sticks at the top of the screen (${JSON.stringify(box)})`);
	check(await page.evaluate(() => document.activeElement === document.body), 'focus did not move');

	// the first post, above the screen, made much longer and then deleted:
	// the text on screen stays where it is
	const first = Number(start[0].id.replace('post-', ''));
	cli(['edit', SLUG, String(first)], 'A much longer body.\n\n'.repeat(12));
	await until(() => page.evaluate((id) => document.querySelectorAll(`#${id} .post-body p`).length >= 12,
		start[0].id), 3000, 'the edit');
	const mid = await probe(page);
	check(mid.id === before.id && Math.abs(mid.top - before.top) < 1,
		`the text did not move for the edit (${JSON.stringify(before)} -> ${JSON.stringify(mid)})`);
	cli(['delete', SLUG, String(first)]);
	await until(async () => !(await page.$(`#${start[0].id}`)), 3000, 'the deletion');
	await page.waitForTimeout(200);
	const still = await probe(page);
	check(still.id === before.id && Math.abs(still.top - before.top) < 1,
		`the text did not move for the deletion (${JSON.stringify(before)} -> ${JSON.stringify(still)})`);
	start.splice(0, 1);

	await page.click('.new-posts');
	const shown = await visiblePosts(page);
	const newest = [...ids].reverse();
	check(shown.slice(0, 3).map((p) => p.id).join() === newest.map((i) => `post-${i}`).join(),
		`the three posts at the top, newest first (${shown.slice(0, 4).map((p) => p.id)})`);
	check(shown.length === start.length + 3, 'and nothing else changed');
	check(await page.evaluate(() => document.activeElement.id) === `post-${newest[0]}`,
		'focus is on the newest post');
	await until(() => page.evaluate((id) => {
		const t = document.getElementById(id).getBoundingClientRect().top;
		return t >= 0 && t < 60;
	}, `post-${newest[0]}`), 500, 'the newest post at the top of the screen');
	check(await page.isHidden('.new-posts'), 'the button is gone');
	check(await page.title() === title, 'the title is back');
	noPageErrors(page);
	console.log('ok: 3 posts held while scrolled, then shown on request');
});
