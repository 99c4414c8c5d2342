// (f) A post full of script-injection attempts arrives live and runs nothing:
// window.__pwned stays undefined, and no element of the post (live, or on the
// page rendered by the server) has an on* attribute, a javascript: URL, or an
// element that runs or embeds code.
import { check, openLive, post, sleep, until, withBrowser, noPageErrors } from './lib.mjs';

const BODY = [
	'Attempt one <script>window.__pwned=1</script> in a paragraph.',
	'',
	'<img src=x onerror="window.__pwned=1">',
	'',
	'A [click](javascript:window.__pwned=1) link and a [second](JaVaScRiPt:window.__pwned=1) one,',
	'and [third](  javascript:window.__pwned=1 ) and [fourth](java&#x09;script:window.__pwned=1).',
	'',
	'<svg onload="window.__pwned=1"><circle r="1"/></svg>',
	'',
	'<iframe src="javascript:window.__pwned=1"></iframe> <a href="javascript:window.__pwned=1">raw</a>',
	'',
	'- <b onmouseover="window.__pwned=1">hover</b> **bold <i onclick="window.__pwned=1">x</i>**',
	'- ![alt](javascript:window.__pwned=1) "><script>window.__pwned=1</script>',
	'',
	'> quote <style>body{display:none}</style> <object data="javascript:window.__pwned=1"></object>',
].join('\n');
const TITLE = '<img src=x onerror="window.__pwned=1"> "quoted" & <script>window.__pwned=1</script>';

const AUDIT = (root) => {
	const bad = [];
	for (const el of root.querySelectorAll('*')) {
		for (const a of el.attributes) {
			if (/^on/i.test(a.name))
				bad.push(`${el.tagName} ${a.name}`);
			if (/^\s*(javascript|vbscript|data):/i.test(a.value.replace(/[\u0000-\u001f]/g, '')) &&
			    /^(href|src|action|formaction|data|xlink:href)$/i.test(a.name))
				bad.push(`${el.tagName} ${a.name}=${a.value}`);
		}
		if (/^(script|iframe|object|embed|svg|math|style|form|base|meta|link)$/i.test(el.tagName))
			bad.push(`<${el.tagName.toLowerCase()}>`);
	}
	return bad;
};

await withBrowser(async (ctx) => {
	const page = await openLive(ctx);
	const id = post(TITLE, BODY);
	await until(() => page.$(`#post-${id}`), 3000, `post-${id} live`);
	await sleep(800); // let any image error or load handler have its chance
	check(await page.evaluate(() => window.__pwned) === undefined, 'window.__pwned undefined (live)');
	const live = await page.$eval(`#post-${id}`, AUDIT);
	check(live.length === 0, 'nothing active in the live post: ' + live.join(', '));
	const title = (await page.textContent(`#post-${id} .post-title`)).trim();
	check(title === TITLE, `the title is shown as text (${title})`);

	// the same post in the page as the server renders it
	await page.reload();
	await page.waitForSelector(`#post-${id}`);
	await sleep(800);
	check(await page.evaluate(() => window.__pwned) === undefined, 'window.__pwned undefined (page)');
	const served = await page.$eval(`#post-${id}`, AUDIT);
	check(served.length === 0, 'nothing active in the served post: ' + served.join(', '));
	noPageErrors(page);
	console.log(`ok: post-${id} with injection attempts arrived inert`);
});
