// (newsroom b) A photo without alt text is not published. In the composer,
// the editor attaches a photo, leaves the alt text empty and clicks Publish:
// the page stays, the alt text field gets the focus and says what is missing,
// and nothing is published. The server refuses the same form too (a browser
// without the script, or a crafted request), with its message on the page.
import { readFileSync } from 'node:fs';
import {
	PNG, SLUG, api, apiPosts, asUser, check, checkClean, clickAndLoad, deskPosts, finish, notice,
	until, withChromium,
} from './newsroom_lib.mjs';

await withChromium(async (browser) => {
	const editor = await asUser(browser, 'editor', {}, `/newsroom/${SLUG}`);
	const e = editor.page;
	let navigations = 0;
	e.on('framenavigated', (f) => { if (f === e.mainFrame()) navigations++; });

	await e.fill('#c-title', 'Smoke over the bay');
	await e.fill('#c-body', 'Smoke can be seen from the beach.');
	await e.setInputFiles('#c-image', PNG);
	await until(() => e.isVisible('#c-thumb img'), 5000, 'the thumbnail');
	await e.click('#composer-h ~ form button[value="publish"]');
	await until(() => e.evaluate(() => document.activeElement?.id === 'c-image-alt'), 3000,
		'the focus to move to the alt text field');
	const field = await e.evaluate(() => {
		const alt = document.getElementById('c-image-alt');
		return { message: alt.validationMessage, invalid: alt.matches(':invalid'),
			visible: !!alt.offsetParent };
	});
	check(field.invalid && field.visible, 'the alt text field is shown as invalid');
	check(/alt text is required/i.test(field.message),
		`the browser shows the message "${field.message}"`);
	check(navigations === 0, `the form was not sent (${navigations} navigations)`);
	check((await apiPosts(e, SLUG)).length === 0, 'nothing was published (API)');
	check((await deskPosts(e)).length === 0, 'nothing on the desk');
	check(await e.inputValue('#c-title') === 'Smoke over the bay', 'the title is still in the form');

	// Save draft is held back the same way.
	await e.focus('#c-title');
	await e.click('#composer-h ~ form button[value="draft"]');
	await until(() => e.evaluate(() => document.activeElement?.id === 'c-image-alt'), 3000,
		'the focus on the alt text field again');
	check(navigations === 0, 'no draft was sent either');
	const drafts = await api(e, 'GET', `/api/v1/pages/${SLUG}/drafts`);
	check(drafts.json?.drafts?.length === 0, `no draft saved (${drafts.text})`);

	// The server's own check: the same multipart form, sent without the script.
	const png = readFileSync(PNG).toString('base64');
	const refused = await e.evaluate(async ({ slug, png }) => {
		const form = new FormData(document.querySelector('#composer-h ~ form'));
		form.set('image', new File([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))],
			'photo.png', { type: 'image/png' }));
		form.set('image_alt', '');
		form.set('action', 'publish');
		const r = await fetch(`/newsroom/${slug}/posts`, { method: 'POST', body: form });
		return { status: r.status, html: await r.text() };
	}, { slug: SLUG, png });
	check(refused.status === 422, `the server refuses it with 422 (got ${refused.status})`);
	check(/needs alt text/i.test(refused.html), 'and says the image needs alt text');
	check((await apiPosts(e, SLUG)).length === 0, 'still nothing published');

	// With alt text it goes through.
	await e.fill('#c-image-alt', 'A column of grey smoke above the bay');
	const res = await clickAndLoad(e, '#composer-h ~ form button[value="publish"]');
	check(/published/i.test(await notice(e)), `published once described (${res.status()} ` +
		`${await notice(e)})`);
	check((await apiPosts(e, SLUG)).length === 1, 'one post now');
	checkClean(editor.ctx, "the editor's pages");
	finish('no alt text, no post; with alt text, published');
});
