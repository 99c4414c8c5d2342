// (b) An edit replaces the post in place (same place, new words, no slide-in);
// a deletion removes it. Both for a post that arrived live and for one that
// was on the page when it loaded.
import { check, cli, openLive, post, SLUG, until, visiblePosts, withBrowser, noPageErrors } from './lib.mjs';

const ids = (posts) => posts.map((p) => p.id).join(' ');

await withBrowser(async (ctx) => {
	const page = await openLive(ctx);
	const id = post('Bus lane opens early', 'The bus lane opened at noon.');
	await until(() => page.$(`#post-${id}`), 3000, `post-${id}`);
	const start = await visiblePosts(page);

	// an older post, present when the page loaded, in the middle of the list
	const older = start[3];
	const olderId = Number(older.id.replace('post-', ''));

	cli(['edit', SLUG, String(id), '--title', 'Bus lane opened early, at noon'],
		'The bus lane opened at noon, **two hours** early.\n');
	cli(['edit', SLUG, String(olderId), '--title', older.title + ' (corrected)'],
		'Corrected text.\n');
	await until(async () => {
		const p = await visiblePosts(page);
		return p[0].title === 'Bus lane opened early, at noon' &&
			p[3].title === older.title + ' (corrected)';
	}, 3000, 'both edits on the page');
	const edited = await visiblePosts(page);
	check(ids(edited) === ids(start), 'same posts in the same order after the edits');
	check(!edited[0].isNew && !edited[3].isNew, 'an edit does not slide in');
	const body = await page.textContent(`#post-${id} .post-body`);
	check(/two hours/.test(body), `the body was replaced (${body.trim()})`);
	check(await page.textContent(`#post-${olderId} .post-body`).then((t) => /Corrected text/.test(t)),
		'the older post\'s body was replaced');
	check(await page.$$eval(`[id="post-${id}"]`, (a) => a.length) === 1, 'one copy of the edited post');

	cli(['delete', SLUG, String(id)]);
	cli(['delete', SLUG, String(olderId)]);
	await until(async () => !(await page.$(`#post-${id}`)) && !(await page.$(`#post-${olderId}`)),
		3000, 'both posts removed');
	const left = await visiblePosts(page);
	check(left.length === start.length - 2, `two posts fewer (${start.length} -> ${left.length})`);
	check(ids(left) === ids(start.filter((p) => p.id !== `post-${id}` && p.id !== older.id)),
		'the others stay, in order');
	noPageErrors(page);
	console.log(`ok: post-${id} and post-${olderId} edited in place, then deleted`);
});
