// Measures the web app in Chromium (docs/performance.md): bytes and time of
// a first load, a cold log-in and decrypt of a big vault, and search
// keystrokes. Run by scripts/bench-web.sh against a filled server.
import { chromium } from 'playwright-core';

const [url, email, password] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const out = {};
try {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  page.on('console', (m) => { if (m.type() === 'warning' || m.type() === 'error') console.error('page:', m.text()); });
  await cdp.send('Network.enable');
  const sizes = {};
  cdp.on('Network.loadingFinished', (e) => { sizes[e.requestId] = e.encodedDataLength; });
  const urls = {};
  cdp.on('Network.responseReceived', (e) => { urls[e.requestId] = e.response.url; });
  let t0 = Date.now();
  await page.goto(url);
  await page.getByRole('heading', { name: 'Create your account' }).waitFor({ timeout: 60000 });
  out.first_load_ms = Date.now() - t0;
  out.first_load_bytes = Object.values(sizes).reduce((a, b) => a + b, 0);
  out.first_load_files = Object.keys(sizes).map((id) => `${new URL(urls[id] ?? url).pathname} ${sizes[id]}`);

  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Master password').fill(password);
  if (process.env.PROFILE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp.send('Profiler.start');
  }
  t0 = Date.now();
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('.list-head .count').filter({ hasText: /^[\d,]+ items?$/ }).waitFor({ timeout: 600000 });
  out.login_and_decrypt_ms = Date.now() - t0;
  if (process.env.PROFILE) out.profile = topFunctions((await cdp.send('Profiler.stop')).profile, 40);
  // The signatures the log-in left are checked in the background, then
  // the device cache is written (§16.7).
  out.login_until_all_signatures_checked_ms = await untilStatus(page, t0, (st) => st.checking === '0');
  out.login_until_cache_saved_ms = await untilStatus(page, t0, (st) => st.busy === 'false');
  out.count_line = await page.locator('.list-head .count').textContent();

  // Search: time from a keystroke to the list showing its result.
  const times = [];
  const n = Number(process.env.N ?? 10000);
  for (const q of ['s', 'si', 'site-9', 'site-99', 'site-999', 'site-9999'].filter((q) => q.length < 6 || Number(q.slice(5)) < n)) {
    const t = await page.evaluate(async (q) => {
      const input = document.getElementById('search');
      const start = performance.now();
      input.value = q;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      const want = q;
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        const first = document.querySelector('.item-list .entry .name');
        if (first && first.textContent.toLowerCase().includes(want)) return performance.now() - start;
      }
    }, q);
    times.push([q, Math.round(t)]);
  }
  out.search_keystroke_ms = times;

  // Lock and unlock (the profile is there; no device cache yet).
  await page.getByRole('button', { name: 'Lock' }).click();
  await page.getByLabel('Master password').fill(password);
  if (process.env.PROFILE) await cdp.send('Profiler.start');
  t0 = Date.now();
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.locator('.list-head .count').filter({ hasText: /^[\d,]+ items?$/ }).waitFor({ timeout: 600000 });
  out.unlock_and_decrypt_ms = Date.now() - t0;
  if (process.env.PROFILE) out.profile_unlock = topFunctions((await cdp.send('Profiler.stop')).profile, 40);
  // Argon2id alone in this browser, with the account's parameters.
  out.argon2id_ms = JSON.parse(await page.evaluate(() => window.cofferCore.kdfTime())).ms;
  // The cold path again, in a fresh context (no profile, no cache).
  const fresh = await browser.newContext();
  const p2 = await fresh.newPage();
  await p2.goto(url);
  await p2.getByRole('button', { name: 'Log in', exact: true }).click();
  await p2.getByLabel('E-mail').fill(email);
  await p2.getByLabel('Master password').fill(password);
  t0 = Date.now();
  await p2.getByRole('button', { name: 'Log in', exact: true }).click();
  await p2.locator('.list-head .count').filter({ hasText: /^[\d,]+ items?$/ }).waitFor({ timeout: 600000 });
  out.login_and_decrypt_again_ms = Date.now() - t0;
} finally {
  await browser.close();
}
console.log(JSON.stringify(out, null, 2));

// topFunctions sums a CPU profile's samples by function: self time, and
// the total time of the functions a name prefix selects (PROFILE=1).
function topFunctions(profile, n) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const hits = new Map();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  for (const [id, count] of hits) {
    const name = byId.get(id).callFrame.functionName || '(anonymous)';
    self.set(name, (self.get(name) ?? 0) + count);
  }
  // inclusive: a function counted once per sample whose stack holds it
  const parent = new Map();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const incl = new Map();
  for (const [id, count] of hits) {
    const names = new Set();
    for (let k = id; k !== undefined; k = parent.get(k)) names.add(byId.get(k).callFrame.functionName || '(anonymous)');
    for (const name of names) incl.set(name, (incl.get(name) ?? 0) + count);
  }
  const pct = (c) => `${((100 * c) / total).toFixed(1)}%`;
  return {
    samples: total,
    self: [...self].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${pct(v)} ${k}`),
    inclusive: [...incl].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${pct(v)} ${k}`),
  };
}

// untilStatus polls the bridge's status until want(status) holds, and
// returns the milliseconds since t0 (Date.now() in this process).
async function untilStatus(page, t0, want) {
  for (;;) {
    const st = JSON.parse(await page.evaluate(() => window.cofferCore.status()));
    if (want(st)) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
  }
}
