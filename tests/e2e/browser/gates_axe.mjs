// The accessibility gate's browser half (tests/e2e/test_reach_gates.py runs it):
// opens every page of a job file in headless Chromium (/usr/bin/chromium, driven
// by playwright-core), with JavaScript on as a reader has it, injects axe-core
// and runs it with the job's tags at each viewport of the job.
//
//     node tests/e2e/browser/gates_axe.mjs JOB.json
//
// JOB.json: {"pages": [{"name", "url", "cookie"?}], "viewports": [{"name",
// "width", "height"}], "tags": [...]}. Prints one JSON document on stdout:
// [{"page", "viewport", "status", "violations": [{"id", "impact", "help",
// "targets": [...]}]}]; judging is the Python side's. Exits 0 when every page
// was checked, 1 when the browser or a page could not be driven.
//
// axe is evaluated through the DevTools protocol (page.evaluate), not added as
// a <script> element, so the page's Content-Security-Policy stays in force
// while it is checked, as a reader's browser applies it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
	'--no-first-run', '--disable-background-networking', '--disable-component-update',
	'--disable-sync'];

async function main() {
	const { chromium } = await import('playwright-core');
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ARGS, headless: true, timeout: 60000,
	});
	const results = [];
	// Each page is loaded once, at the first viewport, and checked again
	// after resizing to each other one (the layout follows the width): half
	// the page loads of a fresh load per width.
	const first = job.viewports[0];
	const ctx = await browser.newContext({ viewport: { width: first.width, height: first.height } });
	try {
		for (const p of job.pages) {
			const page = await ctx.newPage();
			if (p.cookie)
				await page.setExtraHTTPHeaders({ Cookie: p.cookie });
			const resp = await page.goto(p.url, { waitUntil: 'load', timeout: 60000 });
			await page.evaluate(axeSource);
			for (const vp of job.viewports) {
				await page.setViewportSize({ width: vp.width, height: vp.height });
				const out = await page.evaluate(async (tags) => {
					// eslint-disable-next-line no-undef
					const r = await axe.run(document, {
						runOnly: { type: 'tag', values: tags },
						resultTypes: ['violations'],
					});
					return r.violations.map((v) => ({
						id: v.id, impact: v.impact, help: v.help,
						targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ') +
							' :: ' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 300)),
					}));
				}, job.tags);
				results.push({ page: p.name, viewport: vp.name,
					status: resp ? resp.status() : 0, violations: out });
			}
			await page.close();
		}
	} finally {
		await ctx.close();
		await browser.close();
	}
	process.stdout.write(JSON.stringify(results));
}

main().then(() => process.exit(0), (e) => {
	console.error(e && e.stack ? e.stack : String(e));
	process.exit(1);
});
