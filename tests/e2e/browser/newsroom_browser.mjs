// One headless Chromium for all the newsroom scenarios of a test run, so that
// each scenario pays for its browser contexts, not for starting a browser.
// tests/e2e/test_browser_newsroom.py starts it as
//
//     node tests/e2e/browser/newsroom_browser.mjs BASE_URL
//
// (with the scenarios' environment: lib.mjs wants it),
// reads the line "ws: ENDPOINT" it prints, and hands ENDPOINT to the
// scenarios (LIVELINE_BROWSER_WS), which connect to it; closing this
// process's standard input closes the browser.
import { CHROMIUM_ARGS } from './lib.mjs';

const { chromium } = await import('playwright-core');
const server = await chromium.launchServer({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: CHROMIUM_ARGS, headless: true, timeout: 60000,
});
console.log(`ws: ${server.wsEndpoint()}`);
process.stdin.resume();
process.stdin.on('end', async () => {
	await server.close().catch(() => {});
	process.exit(0);
});
