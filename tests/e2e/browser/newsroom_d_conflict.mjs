// (newsroom d) Two editors change the same post at once. Both open its edit
// page; the first saves; the second saves: nothing of the first is lost
// silently. The second sees a clear message naming who changed it, their own
// text still in the form, and the newer version beside it; saving again is a
// deliberate choice that replaces it.
import {
	BASE, SLUG, api, apiPost, asUser, check, checkClean, clickAndLoad, finish, notice,
	withChromium,
} from './newsroom_lib.mjs';

const ANN_TITLE = 'Road reopens after crash (Ann)';
const BOB_TITLE = 'Road reopens after two-car crash (Bob)';
const BOB_BODY = 'The A40 reopened at noon, Bob writes, after a **two-car** crash.';

await withChromium(async (browser) => {
	const ann = await asUser(browser, 'editor');
	const id = await apiPost(ann.page, SLUG, { title: 'Road reopens', body: 'The A40 reopened.' });
	const edit = `/newsroom/${SLUG}/posts/${id}/edit`;
	await ann.page.goto(BASE + edit);
	const bob = await asUser(browser, 'editor2', {}, edit);
	const a = ann.page;
	const b = bob.page;
	check(await b.inputValue('input[name="version"]') === '1', 'both opened version 1');

	await a.fill('#e-title', ANN_TITLE);
	await clickAndLoad(a, 'main form.nr-form button.nr-btn-primary');
	check(/saved/i.test(await notice(a)), `Ann saved (${await notice(a)})`);

	await b.fill('#e-title', BOB_TITLE);
	await b.fill('#e-body', BOB_BODY);
	const res = await clickAndLoad(b, 'main form.nr-form button.nr-btn-primary');
	check(res.status() === 409, `Bob's save is refused as a conflict (status ${res.status()})`);
	const msg = await notice(b);
	check(await b.isVisible('.nr-notice-error[role="alert"]'), 'an error notice is shown');
	check(msg.includes(ann.user.name), `the message names ${ann.user.name} ("${msg}")`);
	check(/version 2/.test(msg) && /not saved|apply|reload|again/i.test(msg),
		`and says what happened and what to do ("${msg}")`);
	check(await b.inputValue('#e-title') === BOB_TITLE, 'Bob\'s title is still in the form');
	check((await b.inputValue('#e-body')).includes('**two-car**'), 'Bob\'s body is still in the form');
	check(await b.isVisible('.nr-conflict'), 'the newer version is shown');
	const newer = (await b.textContent('.nr-conflict .post-title')).trim();
	check(newer === ANN_TITLE, `the newer version is Ann's ("${newer}")`);
	check(await b.inputValue('input[name="version"]') === '2', 'the form now answers version 2');
	let r = await api(b, 'GET', `/api/v1/pages/${SLUG}/posts/${id}`);
	check(r.json.post.title === ANN_TITLE, 'Ann\'s change stands');

	// Bob decides to keep his version.
	const button = (await b.textContent('main form.nr-form button.nr-btn-primary')).trim();
	check(/replace/i.test(button), `the button says it replaces the newer version ("${button}")`);
	await clickAndLoad(b, 'main form.nr-form button.nr-btn-primary');
	check(/saved/i.test(await notice(b)), `Bob saved on purpose (${await notice(b)})`);
	r = await api(b, 'GET', `/api/v1/pages/${SLUG}/posts/${id}`);
	check(r.json.post.title === BOB_TITLE && r.json.post.version === 3,
		`Bob's version is now version 3 (${r.json.post.title}, v${r.json.post.version})`);
	checkClean(ann.ctx, "Ann's pages");
	checkClean(bob.ctx, "Bob's pages");
	finish(`post-${id}: conflict shown with both versions, then resolved`);
});
