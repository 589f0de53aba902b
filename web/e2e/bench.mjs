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
  t0 = Date.now();
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('.list .count').waitFor({ timeout: 600000 });
  out.login_and_decrypt_ms = Date.now() - t0;
  out.count_line = await page.locator('.list .count').textContent();

  // Search: time from a keystroke to the list showing its result.
  const times = [];
  for (const q of ['s', 'si', 'site-9', 'site-99', 'site-999', 'site-9999']) {
    const t = await page.evaluate(async (q) => {
      const input = document.getElementById('search');
      const start = performance.now();
      input.value = q;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      const want = q;
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        const first = document.querySelector('.list .entry .name');
        if (first && first.textContent.toLowerCase().includes(want)) return performance.now() - start;
      }
    }, q);
    times.push([q, Math.round(t)]);
  }
  out.search_keystroke_ms = times;

  // Lock and unlock (the profile is there; no device cache yet).
  await page.getByRole('button', { name: 'Lock' }).click();
  await page.getByLabel('Master password').fill(password);
  t0 = Date.now();
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.locator('.list .count').waitFor({ timeout: 600000 });
  out.unlock_and_decrypt_ms = Date.now() - t0;
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
  await p2.locator('.list .count').waitFor({ timeout: 600000 });
  out.login_and_decrypt_again_ms = Date.now() - t0;
} finally {
  await browser.close();
}
console.log(JSON.stringify(out, null, 2));
