// A server that serves its own script under the app's own hashed name, its
// own wasm_exec.js or its own client core, with "keep it for a year"
// (issue 23, finding 4). COFFER_URL is cmd/coffer's
// TestWebAppRefusesAChangedScript's server in front of the real one;
// CONTROL_URL tells it what to change (script: the hashed bundle, exec:
// wasm_exec.js, wasm: the core) and how: "once" (the next request, then
// honest), "always" or "honest". The changed script
// would set globalThis.cofferChanged and POST to /stolen; neither may
// happen. Every wait is for an event: a console report, a heading, an
// alert.
import { check, failureShots, launch, url } from './lib.mjs';

const browser = await launch();

async function serve(modes) {
  const r = await fetch(`${process.env.CONTROL_URL}/mode?${new URLSearchParams(modes)}`);
  check(r.ok, `control: HTTP ${r.status}`);
}

// visit opens a new browser context (an empty cache of its own) that
// records the integrity refusals Chromium reports and any call to /stolen.
async function visit() {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const seen = { refused: 0, stolen: 0 };
  page.on('console', (m) => { if (/integrity/i.test(m.text())) seen.refused++; });
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/stolen') seen.stolen++; });
  return { ctx, page, seen };
}

// refusal waits for Chromium's report that a file did not match its
// integrity (the promise is made before the load that causes it).
const refusal = (page) => page.waitForEvent('console', { predicate: (m) => /integrity/i.test(m.text()), timeout: 30000 });
const started = (page) => page.getByRole('heading', { name: 'Create your account' }).waitFor({ timeout: 30000 });

async function unchanged({ page, seen }, when) {
  check(!(await page.evaluate(() => globalThis.cofferChanged === true)), `${when}: the changed script ran`);
  check(seen.stolen === 0, `${when}: the page called /stolen`);
}

try {
  // Always: the page refuses the script, says so and starts nothing; the
  // changed copy stays in the browser's cache.
  await serve({ script: 'always' });
  const a = await visit();
  let refused = refusal(a.page);
  await a.page.goto(url);
  await refused;
  await a.page.getByRole('alert').filter({ hasText: 'Coffer did not start: the server sent a file that is not this page\'s own (/assets/index-' }).waitFor({ timeout: 30000 });
  await unchanged(a, 'changed script, always');
  check(await a.page.locator('h1, h2').count() === 0, 'the app started without its script');
  // The server is honest again: a reload meets the kept copy, refuses it,
  // fetches the file past the cache and runs the app.
  await serve({ script: 'honest' });
  refused = refusal(a.page);
  await a.page.reload();
  await refused;
  await started(a.page);
  await unchanged(a, 'honest again');
  console.log(`changed script, always: refused ${a.seen.refused}×, said so; honest again, a reload runs the app`);
  await a.ctx.close();

  // Once: the first load is refused, the page fetches the file again (now
  // honest) and reloads by itself; a later reload runs the app as well.
  await serve({ script: 'once' });
  const b = await visit();
  refused = refusal(b.page);
  await b.page.goto(url);
  await refused;
  await started(b.page);
  await b.page.reload();
  await started(b.page);
  await unchanged(b, 'changed script, once');
  console.log(`changed script, once: refused ${b.seen.refused}×, then the app runs (and after a reload)`);
  await b.ctx.close();

  // The client core: the script names it by its SHA-384, so a changed core
  // is refused (after one try past the cache), in words; honest again, a
  // reload starts.
  await serve({ wasm: 'always' });
  const c = await visit();
  await c.page.goto(url);
  await c.page.getByRole('alert').filter({ hasText: 'The client core the server sent is not this page\'s own' }).waitFor({ timeout: 30000 });
  await unchanged(c, 'changed core');
  await serve({ wasm: 'honest' });
  await c.page.reload();
  await started(c.page);
  console.log('changed client core: refused, said so; honest again, a reload starts');
  await c.ctx.close();

  // Go's wasm_exec.js (a classic script, not hashed by name): the same.
  await serve({ exec: 'always' });
  const d = await visit();
  refused = refusal(d.page);
  await d.page.goto(url);
  await refused;
  await d.page.getByRole('alert').filter({ hasText: '(/wasm_exec.js)' }).waitFor({ timeout: 30000 });
  await unchanged(d, 'changed wasm_exec.js');
  await serve({ exec: 'honest' });
  await d.page.reload();
  await started(d.page);
  await unchanged(d, 'wasm_exec.js honest again');
  console.log('changed wasm_exec.js: refused, said so; honest again, a reload runs the app');
  await d.ctx.close();
} catch (e) {
  await failureShots(browser, 'sri-failure');
  throw e;
} finally {
  await browser.close();
}
