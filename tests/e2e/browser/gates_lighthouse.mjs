// The Lighthouse gate's browser half (tests/e2e/test_reach_gates.py runs it):
// audits each URL with Lighthouse in Debian's /usr/bin/chromium, headless,
// categories accessibility, best-practices and SEO only (no performance run:
// its numbers depend on the machine's load, and the suite asserts no timing).
//
//     node tests/e2e/browser/gates_lighthouse.mjs URL...
//
// Prints one JSON document on stdout: [{"url", "categories": {ID: {"score",
// "refs": [{"id", "weight"}]}}, "audits": {ID: {"score", "mode", "title",
// "items": [{"url", "text"}] (what a failing audit found, at most 10)}}}],
// so that the Python side can list what failed and recompute a category's
// score with the audits another part of the work is still building counted as
// passed (PENDING_PARTS). One Chromium serves every URL; nothing is fetched
// beyond the loopback server (Lighthouse's own checks of robots.txt and links
// stay on the page's origin).
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
	'--no-first-run', '--disable-background-networking', '--disable-component-update',
	'--disable-sync', '--disable-extensions'];

async function main() {
	const urls = process.argv.slice(2);
	const chrome = await chromeLauncher.launch({
		chromePath: process.env.CHROMIUM || '/usr/bin/chromium',
		chromeFlags: FLAGS, logLevel: 'error',
	});
	const out = [];
	try {
		for (const url of urls) {
			const r = await lighthouse(url, {
				port: chrome.port, output: 'json', logLevel: 'error',
				onlyCategories: ['accessibility', 'best-practices', 'seo'],
				disableFullPageScreenshot: true, maxWaitForLoad: 60000,
			});
			if (!r || !r.lhr)
				throw new Error('Lighthouse returned nothing for ' + url);
			if (r.lhr.runtimeError)
				throw new Error(url + ': ' + JSON.stringify(r.lhr.runtimeError));
			const categories = {};
			for (const [id, c] of Object.entries(r.lhr.categories))
				categories[id] = { score: c.score,
					refs: c.auditRefs.map((a) => ({ id: a.id, weight: a.weight })) };
			const audits = {};
			for (const [id, a] of Object.entries(r.lhr.audits))
				audits[id] = { score: a.score, mode: a.scoreDisplayMode, title: a.title,
					items: a.score !== null && a.score < 1 ?
						((a.details && a.details.items) || []).slice(0, 10).map((i) => ({
							url: (i.sourceLocation && i.sourceLocation.url) || i.url || '',
							text: String(i.description || i.node?.snippet || '').slice(0, 200),
						})) : [] };
			out.push({ url, categories, audits });
		}
	} finally {
		await chrome.kill();
	}
	process.stdout.write(JSON.stringify(out));
}

main().then(() => process.exit(0), (e) => {
	console.error(e && e.stack ? e.stack : String(e));
	process.exit(1);
});
