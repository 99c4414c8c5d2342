// (newsroom h) The desk keeps itself current. With the desk open (and the
// editor half-way through typing a post), posts made elsewhere, through the
// API (from another tab) and from the command line, appear in its list without a
// reload; an edit and a deletion from the command line show too; what the
// editor was typing stays where it was.
import {
	SLUG, apiPost, asUser, check, checkClean, cli, deskPosts, eventually, finish, openPage, post,
	until, withChromium,
} from './newsroom_lib.mjs';

await withChromium(async (browser) => {
	const editor = await asUser(browser, 'editor');
	const e = await openPage(editor.ctx, `/newsroom/${SLUG}`); // the other tab makes API calls
	await e.evaluate(() => { window.__sameDocument = true; });
	check(await e.isVisible('text=Nothing published yet'), 'an empty desk');
	await until(() => e.evaluate(() => document.querySelector('.nr-live')?.dataset.state === 'live'),
		5000, 'the desk to say its list is live');
	check(/updates itself/i.test(await e.textContent('.nr-live')), 'and says so');

	// The editor is typing in the composer meanwhile.
	await e.click('#c-title');
	await e.keyboard.type('Half-written title');

	let t = Date.now();
	const a = await apiPost(editor.page, SLUG,
		{ title: 'Wind gusts of 90mph', body: 'Gusts hit the coast.' });
	await eventually(async () => (await deskPosts(e)).some((p) => p.id === a), 5000,
		'the API post on the desk, without reload');
	const msApi = Date.now() - t;

	t = Date.now();
	const b = post('Trees down on the ring road', 'Two lanes are blocked.');
	await until(async () => (await deskPosts(e))[0]?.id === b, 5000, 'the CLI post on the desk');
	const msCli = Date.now() - t;
	check((await deskPosts(e)).map((p) => p.id).join() === [b, a].join(), 'newest first');
	check(!(await e.isVisible('text=Nothing published yet')), 'no longer empty');

	cli(['edit', SLUG, String(a), '--title', 'Wind gusts of 100mph'], 'Gusts hit the coast.\n');
	await until(async () =>
		(await deskPosts(e)).find((p) => p.id === a)?.title === 'Wind gusts of 100mph',
		5000, 'the edit on the desk');
	check(/version 2/.test(await e.textContent(`#desk-post-${a} .nr-version`)), 'now version 2');
	cli(['delete', SLUG, String(b)]);
	await until(async () => !(await deskPosts(e)).some((p) => p.id === b), 5000,
		'the deletion on the desk');

	check(await e.evaluate(() => window.__sameDocument === true), 'the desk did not reload');
	check(await e.inputValue('#c-title') === 'Half-written title', 'the half-written title is intact');
	check(await e.evaluate(() => document.activeElement?.id === 'c-title'), 'and still has the focus');
	checkClean(editor.ctx, "the editor's desk");
	console.log(`time: on the desk after ${msApi} ms (API), ${msCli} ms (command line)`);
	finish(`post-${a} and post-${b} appeared on the open desk`);
});
