// The page against a server whose data was altered (cmd/coffer's
// TestWebAppShowsTampering changes a stored revision first): a red banner
// names what failed, and nothing of it is shown.
import { chromium } from 'playwright-core';
import { join } from 'node:path';

const url = process.env.COFFER_URL;
const [email, password, hidden] = [process.env.COFFER_EMAIL, process.env.COFFER_PASSWORD, process.env.COFFER_HIDDEN];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Master password').fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  const banner = page.locator('.banner.tamper');
  await banner.first().waitFor({ timeout: 30000 });
  const text = await banner.first().textContent();
  if (!text.includes('Tampering detected') || !text.includes('My Vault')) throw new Error(`the banner does not name what failed: ${text}`);
  if ((await page.content()).includes(hidden)) throw new Error('data that failed verification is shown');
  await page.screenshot({ path: join(process.env.COFFER_SHOTS ?? '.', 'tampered-light.png') });
  console.log(`tampering shown: ${text}`);
} finally {
  await browser.close();
}
