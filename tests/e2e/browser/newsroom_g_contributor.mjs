// (newsroom g) A contributor writes, an editor publishes. Signed in as a
// contributor, the desk has no Publish or Schedule button and no delete, pin
// or edit controls on the posts; Save draft works and the draft is listed
// under "Drafts" with its author. An editor then publishes it from the desk,
// and the reader's open page shows it with the contributor's byline.
import {
	BASE, SLUG, api, asUser, check, checkClean, clickAndLoad, deskPosts, eventually, expect,
	finish, newContext, noPageErrors, notice, openLive, post, readerPostByTitle, signIn,
	withChromium,
} from './newsroom_lib.mjs';

const TITLE = 'Eyewitness: queues at the station';
const BODY = 'Queues stretch **around the block**, a witness says.';

await withChromium(async (browser) => {
	const existing = post('Strike begins', 'No trains are running.');

	const contrib = await signIn(browser, 'contributor');
	const c = contrib.page;
	await c.goto(`${BASE}/newsroom/${SLUG}`);
	const controls = await c.evaluate(() => ({
		publish: document.querySelectorAll('button[value="publish"]').length,
		schedule: document.querySelectorAll('button[value="schedule"]').length,
		publishAt: !!document.querySelector('input[name="publish_at"]'),
		draft: !!document.querySelector('#composer-h ~ form button[value="draft"]'),
		del: document.querySelectorAll('#desk-posts form[action$="/delete"]').length,
		pin: document.querySelectorAll('#desk-posts form[action*="pin"]').length,
		edit: document.querySelectorAll('#desk-posts a[href$="/edit"]').length,
		status: document.querySelectorAll('#desk-head form[action$="/status"]').length,
		posts: document.querySelectorAll('#desk-posts .nr-post').length,
	}));
	check(controls.posts === 1, `the contributor sees the published post (${controls.posts})`);
	check(controls.publish === 0 && controls.schedule === 0 && !controls.publishAt,
		`no Publish or Schedule (${JSON.stringify(controls)})`);
	check(controls.del === 0 && controls.pin === 0 && controls.edit === 0,
		`no delete, pin or edit controls on posts (${JSON.stringify(controls)})`);
	check(controls.status === 0, 'no coverage status buttons');
	check(controls.draft && await c.isVisible('#composer-h ~ form button[value="draft"]'),
		'a Save draft button');
	check(/editor publishes/i.test(await c.textContent('#composer-h ~ form')),
		'the composer says an editor publishes');

	await c.fill('#c-title', TITLE);
	await c.fill('#c-body', BODY);
	await clickAndLoad(c, '#composer-h ~ form button[value="draft"]');
	check(/draft saved/i.test(await notice(c)), `draft saved (${c.url()}: ${await notice(c)})`);
	const draft = await c.evaluate((title) => {
		const h = [...document.querySelectorAll('#desk-drafts h3')]
			.find((x) => /^Drafts/.test(x.textContent.trim()));
		const li = h && [...h.nextElementSibling.querySelectorAll('li.nr-draft')]
			.find((x) => x.querySelector('.nr-draft-title')?.textContent.trim() === title);
		return li ? { id: Number(li.id.replace('draft-', '')),
			meta: li.querySelector('.nr-meta').textContent,
			publish: !!li.querySelector('button[value="publish"]'), heading: h.textContent.trim() } : null;
	}, TITLE);
	check(draft, 'the draft is listed under "Drafts"');
	check(draft.meta.includes(contrib.user.name), `with its author (${draft.meta})`);
	check(!draft.publish, 'and no "Publish now" for the contributor');
	let r = await api(c, 'POST', `/api/v1/pages/${SLUG}/drafts/${draft.id}/publish`, {});
	check(r.status === 403, `the server refuses a contributor's publish too (${r.status})`);
	check((await deskPosts(c)).length === 1, 'still one published post');

	// The editor publishes it.
	const readerCtx = await newContext(browser);
	const reader = await openLive(readerCtx);
	await reader.evaluate(() => { window.__sameDocument = true; });
	const editor = await asUser(browser, 'editor', {}, `/newsroom/${SLUG}`);
	const e = editor.page;
	const button = `#draft-${draft.id} button[value="publish"]`;
	check(await e.isVisible(button), 'the editor sees "Publish now" on the draft');
	e.dialogAnswer = 'accept';
	await clickAndLoad(e, button);
	e.dialogAnswer = null;
	check(/published/i.test(await notice(e)), `published (${e.url()}: ${await notice(e)})`);
	check(!(await e.$(`#draft-${draft.id}`)), 'the draft left the drafts list');
	const p = await eventually(() => readerPostByTitle(reader, TITLE), 5000,
		'the post on the reader page, without reload');
	if (p) {
		const seen = await reader.evaluate((id) => ({
			byline: document.querySelector(`#${id} .byline-name`)?.textContent.trim(),
			bold: document.querySelector(`#${id} .post-body strong`)?.textContent,
		}), p.domId);
		expect(seen.byline === contrib.user.name, `the contributor's byline (${seen.byline})`);
		check(seen.bold === 'around the block', 'the body as written');
		check(await reader.evaluate(() => window.__sameDocument === true),
			'the reader page did not reload');
	}
	r = await api(e, 'GET', `/api/v1/pages/${SLUG}/drafts`);
	check(r.json.drafts.length === 0, 'no drafts left');
	const desk = await deskPosts(e);
	check(desk.length === 2 && desk[0].title === TITLE && desk[1].id === existing,
		`the desk lists it first (${JSON.stringify(desk)})`);

	noPageErrors(reader);
	checkClean(contrib.ctx, "the contributor's pages");
	checkClean(editor.ctx, "the editor's pages");
	finish(`draft-${draft.id} saved by a contributor, published by an editor as ` +
		`post-${desk[0].id}`);
});
