// Browser test of the web app (issue 16, part 1): Debian's Chromium driven
// by playwright-core against a real `coffer serve` (COFFER_URL), started by
// cmd/coffer's TestWebAppInChromium. Screenshots go to COFFER_SHOTS.
// Exits non-zero with a message on the first failed check.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const url = process.env.COFFER_URL;
const shots = process.env.COFFER_SHOTS ?? 'screenshots';
mkdirSync(shots, { recursive: true });
const origin = new URL(url).origin;

const fail = (msg) => { throw new Error(msg); };
const check = (ok, msg) => { if (!ok) fail(msg); };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
try {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const page = await ctx.newPage();
  // The request recorder: every request of the scenario.
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url(), body: r.postData() ?? '' }));
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  const master = 'violet kettle harbour 1987';
  const secret = 'S3cr3t-of-the-router!';
  const resp = await page.goto(url);
  const csp = resp.headers()['content-security-policy'] ?? '';
  check(csp.includes("default-src 'self'") && csp.includes("'wasm-unsafe-eval'") && !csp.includes('unsafe-inline') && csp.includes("frame-ancestors 'none'"),
    `weak or missing CSP: ${csp}`);

  // Sign up, with the strength meter.
  await page.getByRole('heading', { name: 'Create your account' }).waitFor({ timeout: 20000 });
  await page.screenshot({ path: join(shots, 'signup-light.png') });
  await page.getByLabel('E-mail').fill('ada@web.example');
  await page.getByLabel('Your name').fill('Ada');
  await page.getByLabel('Master password', { exact: true }).fill('short');
  check((await page.locator('#strength').textContent()).startsWith('Too short'), 'no too-short hint');
  await page.getByLabel('Master password', { exact: true }).fill(master);
  check(/Good|Strong/.test(await page.locator('#strength').textContent()), 'strength meter does not rate a long passphrase');
  await page.getByLabel('Master password again').fill(master);
  await page.getByRole('button', { name: 'Create your account' }).click();
  await page.getByRole('heading', { name: 'Passwords' }).waitFor({ timeout: 30000 });

  // Add a login whose name is markup: it must render as text.
  const evil = '<img src=x onerror=alert(1)>';
  await page.getByRole('button', { name: 'New item' }).click();
  await page.getByLabel('Name', { exact: true }).fill(evil);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password', { exact: true }).fill(secret);
  await page.getByLabel('URL').fill('https://router.example');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: evil }).waitFor();
  check(await page.locator('img[src="x"]').count() === 0, 'an item name was rendered as HTML');
  check((await page.locator('dd.masked').count()) >= 1, 'the password is not masked');
  await page.getByRole('button', { name: 'Reveal secrets' }).click();
  await page.getByText(secret).waitFor();
  await page.getByRole('button', { name: 'Hide secrets' }).click();

  await page.getByRole('button', { name: 'New item' }).click();
  await page.getByLabel('Type').selectOption('note');
  await page.getByLabel('Name', { exact: true }).fill('Wi-Fi guests');
  await page.getByLabel('Notes').fill('network: coffee-and-cake');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Wi-Fi guests' }).waitFor();
  await page.screenshot({ path: join(shots, 'passwords-light.png') });

  // Search.
  await page.getByLabel('Search').fill('wi-fi');
  await page.waitForFunction(() => document.querySelectorAll('.list .entry').length === 1);
  await page.getByLabel('Search').fill('');
  await page.waitForFunction(() => document.querySelectorAll('.list .entry').length === 2);

  // An injected inline script does not run (CSP), and the browser says
  // why.
  check(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
  await page.evaluate(() => { const s = document.createElement('script'); s.textContent = 'window.__pwned = 1'; document.body.appendChild(s); });
  check(await page.evaluate(() => window.__pwned === undefined), 'an inline script ran despite the CSP');
  check(consoleErrors.length === 1 && consoleErrors[0].includes('Content Security Policy'), `the CSP did not block the inline script: ${consoleErrors}`);
  consoleErrors.length = 0;

  // Dark theme, then a phone-sized screen.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, 'passwords-dark.png') });
  await page.setViewportSize({ width: 375, height: 740 });
  await page.screenshot({ path: join(shots, 'passwords-375.png'), fullPage: true });
  await page.setViewportSize({ width: 1100, height: 760 });
  await page.emulateMedia({ colorScheme: 'light' });

  // Lock; a wrong password is refused in words; the right one unlocks.
  await page.getByRole('button', { name: 'Lock' }).click();
  await page.getByRole('heading', { name: 'Unlock' }).waitFor();
  await page.getByLabel('Master password').fill('not my password at all');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('alert').filter({ hasText: 'Wrong master password.' }).waitFor({ timeout: 20000 });
  await page.screenshot({ path: join(shots, 'unlock-wrong-light.png') });
  await page.getByLabel('Master password').fill(master);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('heading', { name: 'Passwords' }).waitFor({ timeout: 20000 });
  check(await page.locator('.list .entry').count() === 2, 'items missing after unlock');

  // A reload of the tab: locked (keys lived in the wasm memory only).
  await page.reload();
  await page.getByRole('heading', { name: 'Unlock' }).waitFor({ timeout: 20000 });

  // Nothing left the origin, nothing typed left the browser in clear,
  // and no script could have shown a dialog.
  for (const r of requests) {
    check(r.url.startsWith(origin + '/'), `a request went elsewhere: ${r.url}`);
    for (const typed of [master, secret, 'coffee-and-cake', 'Wi-Fi guests', 'router.example']) {
      check(!r.url.includes(typed) && !r.body.includes(typed), `"${typed}" left the browser in clear: ${r.url}`);
    }
  }
  check(dialogs.length === 0, `a dialog opened: ${dialogs}`);
  const store = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  for (const typed of [master, secret, 'coffee-and-cake']) {
    check(!store.includes(typed), `"${typed}" is in browser storage in clear`);
  }
  check(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
  console.log(`web app scenario passed: ${requests.length} requests, all to ${origin}`);
} finally {
  await browser.close();
}
