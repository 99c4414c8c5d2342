// (newsroom j) The newsroom on a phone (390x844). Signing in, the desk with
// its composer and posts (one with a wide photo and a long unbroken link),
// the post editor and the history fit the screen: no horizontal scroll, every
// field and button of the composer within the width; and a post can be
// written and published with taps.
import {
	SLUG, apiPost, asUser, check, checkClean, checkNoSideScroll, clickAndLoad, deskPosts, expect,
	finish, newContext, notice, openPage, uploadPhoto, withChromium,
} from './newsroom_lib.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true,
	hasTouch: true };
const LONG = 'https://www.example.com/news/2026/weather/live/storm-surge-warnings-issued-for-the-' +
	'entire-east-coast-including-all-harbours-and-estuaries';

await withChromium(async (browser) => {
	const anon = await newContext(browser, PHONE);
	await checkNoSideScroll(await openPage(anon, '/newsroom/signin'), 'the sign-in page on a phone');
	const editor = await asUser(browser, 'editor', PHONE);
	const e = editor.page;
	const url = await uploadPhoto(e);
	const withPhoto = await apiPost(e, SLUG, {
		title: 'Sea wall overtopped',
		body: `Waves broke over the wall. Full warning list: ${LONG}\n\n` +
			`![Waves crash over a sea wall](${url} "The promenade at high tide")\nImage source: Met Office`,
	});
	await checkNoSideScroll(e, 'the pages list on a phone');
	await e.goto(e.url().replace(/\/newsroom.*/, `/newsroom/${SLUG}`));
	await checkNoSideScroll(e, 'the desk on a phone');
	const fit = await e.evaluate(() => {
		const form = document.querySelector('#composer-h ~ form');
		return [...form.querySelectorAll('input:not([type=hidden]), textarea, button, label')]
			.filter((el) => el.offsetParent)
			.map((el) => ({ what: el.id || el.name || el.textContent.trim(),
				r: el.getBoundingClientRect() }))
			.filter((x) => x.r.left < 0 || x.r.right > window.innerWidth || x.r.width < 10)
			.map((x) => `${x.what} [${Math.round(x.r.left)}, ${Math.round(x.r.right)}]`);
	});
	check(fit.length === 0,
		`every field and button of the composer fits the width: ${fit.join(', ')}`);
	const img = await e.evaluate((id) =>
		document.querySelector(`#desk-post-${id} figure.image img`)?.getBoundingClientRect().right,
	withPhoto);
	expect(img <= 390, `the photo fits the screen (right edge at ${img})`);

	// Write and publish with taps.
	await e.tap('#c-title');
	await e.keyboard.type('Ferry cancelled');
	await e.tap('#c-body');
	await e.keyboard.type('The 14:00 ferry is **cancelled**.');
	await e.waitForSelector('#c-preview strong');
	await checkNoSideScroll(e, 'the composer with its preview');
	const nav = e.waitForNavigation();
	await e.tap('#composer-h ~ form button[value="publish"]');
	await nav;
	check(/published/i.test(await notice(e)), `published from the phone (${await notice(e)})`);
	const id = (await deskPosts(e))[0].id;
	check(id !== withPhoto, 'the new post is first on the desk');
	await checkNoSideScroll(e, 'the desk after publishing');

	await clickAndLoad(e, `#desk-post-${withPhoto} a[href$="/edit"]`);
	await checkNoSideScroll(e, 'the post editor on a phone');
	await e.goto(e.url().replace(/\/edit$/, '/history'));
	await checkNoSideScroll(e, 'the history on a phone');
	checkClean(editor.ctx, "the phone's pages");
	finish('sign-in, desk, composer, editor and history fit 390 px; ' +
		`post-${id} published by tapping`);
});
