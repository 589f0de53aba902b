// Measures Tools → Import in Chromium (docs/performance.md, "Export and
// import"): N logins in a Bitwarden JSON export (written to FILE) into My
// Vault — the tools module loaded, the file read and previewed, and the
// import through the batch create. Run by scripts/bench-web-import.sh.
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [url, email, password] = process.argv.slice(2);
const n = Number(process.env.N ?? 10000);
const file = process.env.FILE;
const items = [];
for (let i = 0; i < n; i++) {
  items.push({ type: 1, name: `Site ${i}`, notes: 'imported', favorite: false,
    login: { username: `user${i}`, password: `pw-${i}-${'x'.repeat(12)}`, uris: [{ uri: `https://site${i}.example` }] } });
}
writeFileSync(file, JSON.stringify({ encrypted: false, folders: [], items }));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const out = { items: n };
try {
  const page = await (await browser.newContext()).newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.error('page:', m.text()); });
  await page.goto(url + 'login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Master password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByRole('heading', { name: 'Passwords', exact: true }).waitFor({ timeout: 60000 });
  let t0 = Date.now();
  // A reload locks the tab: the navigation's link, as a person goes.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import', exact: true }).click();
  await page.getByLabel('Into').waitFor();
  await page.waitForFunction(() => typeof window.cofferTools === 'object', null, { timeout: 60000 });
  out.tools_module_ms = Date.now() - t0;
  t0 = Date.now();
  await page.locator('input[type=file]').setInputFiles(file);
  await page.getByText(`Will create ${n.toLocaleString('en-US')} items`, { exact: true }).waitFor({ timeout: 120000 });
  out.read_and_preview_ms = Date.now() - t0;
  const cdp = process.env.PROFILE ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
    await cdp.send('Profiler.start');
  }
  t0 = Date.now();
  await page.getByRole('button', { name: /^Import .* items into My Vault$/ }).click();
  await page.getByText(`Created ${n.toLocaleString('en-US')} items`, { exact: true }).waitFor({ timeout: 300000 });
  out.import_ms = Date.now() - t0;
  if (cdp) {
    // PROFILE=file: Chromium's CPU profile of the import (.cpuprofile).
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync(process.env.PROFILE, JSON.stringify(profile));
  }
  out.total_ms = out.read_and_preview_ms + out.import_ms;
} finally {
  await browser.close();
}
console.log(JSON.stringify(out, null, 1));
