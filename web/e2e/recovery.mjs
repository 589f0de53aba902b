// A recovery leaves a trace (issue 23, finding 10). COFFER_URL is a real
// server on which the owner (the CLI profile in OWNER_CONFIG, unlocked
// with OWNER_SESSION) runs NORTHWIND with account recovery on, and
// MEMBER_EMAIL enrolled. The member logs in in this browser and locks;
// her account is then recovered with the real CLI (COFFER_BIN) on another
// device; the browser's next unlock, with the new password, shows a
// banner naming the organisation, the owner and what to do, until it is
// acknowledged; the account screen keeps the recovery.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, failureShots, launch, shot, url } from './lib.mjs';

const email = process.env.MEMBER_EMAIL;
const oldPW = process.env.MEMBER_PASSWORD;
const newPW = process.env.NEW_PASSWORD;
const org = process.env.NORTHWIND;
const owner = process.env.OWNER_EMAIL;
const cli = (config, args, input = '', env = {}) =>
  execFileSync(process.env.COFFER_BIN, args, { input, env: { ...process.env, COFFER_CONFIG_DIR: config, COFFER_SESSION: '', ...env } }).toString();

const browser = await launch();
try {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(url);
  await page.getByRole('heading', { name: 'Create your account' }).waitFor({ timeout: 30000 });
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Master password', { exact: true }).fill(oldPW);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Passwords' }).waitFor({ timeout: 30000 });
  check(await page.getByRole('heading', { name: 'Your account was recovered' }).count() === 0, 'a notice before any recovery');
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await page.getByRole('heading', { name: 'Unlock' }).waitFor();

  // Meanwhile, on another device: a recovery of the member's account,
  // approved by the owner and completed.
  const phone = mkdtempSync(join(tmpdir(), 'coffer-phone-'));
  const asked = cli(phone, ['account', 'recovery', 'request', '--server', new URL(url).origin, '--email', email, '--password-stdin'], `${newPW}\n${newPW}\n`);
  const code = /Recovery code: (\S+)/.exec(asked)?.[1];
  check(code, `no recovery code: ${asked}`);
  const approved = cli(process.env.OWNER_CONFIG, ['org', 'recover', org, email, '--code', code], '', { COFFER_SESSION: process.env.OWNER_SESSION });
  const approval = /Approval code: (\S+)/.exec(approved)?.[1];
  check(approval, `no approval code: ${approved}`);
  cli(phone, ['account', 'recovery', 'complete', '--password-stdin', '--code', approval], `${newPW}\n`);

  // The browser's next unlock takes the new password (§17.1) and shows
  // what happened.
  await page.getByLabel('Master password', { exact: true }).fill(newPW);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  const banner = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'Your account was recovered' }) });
  await banner.waitFor({ timeout: 30000 });
  const text = await banner.textContent();
  for (const want of [`the organisation "${org}"`, `its owner ${owner} approved it`, 'every session was signed out', 'If you did not', 'whoever runs this server']) {
    check(text.includes(want), `the banner lacks ${JSON.stringify(want)}: ${text}`);
  }
  await shot(page, 'recovery-notice-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'recovery-notice-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // The account screen keeps the recovery, not acknowledged yet.
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await page.getByRole('link', { name: 'Recovery' }).click();
  const history = page.locator('.recoveries li');
  await history.filter({ hasText: 'Not acknowledged yet.' }).waitFor({ timeout: 20000 });
  check((await history.first().textContent()).includes(`"${org}"`), 'the account screen does not name the organisation');

  // Acknowledged: the banner goes, and the next unlock shows none.
  await banner.getByRole('button', { name: 'I have read this' }).click();
  await banner.waitFor({ state: 'detached', timeout: 20000 });
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await page.getByLabel('Master password', { exact: true }).fill(newPW);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  // The unlock lands where the lock found the page.
  await page.getByRole('heading', { name: 'Account', exact: true }).waitFor({ timeout: 30000 });
  check(new URL(page.url()).pathname === '/account/recovery', `the unlock landed at ${page.url()}`);
  // The unlock's notices come with the screen it opens: none now.
  check(await page.getByRole('heading', { name: 'Your account was recovered' }).count() === 0, 'the acknowledged notice is shown again');
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await page.getByRole('link', { name: 'Recovery' }).click();
  await history.filter({ hasText: 'Acknowledged' }).waitFor({ timeout: 20000 });
  await shot(page, 'recovery-history', { fullPage: true });
  console.log('recovery: the next unlock named the organisation and the owner; acknowledged, it is gone, and the account screen keeps it');
} catch (e) {
  await failureShots(browser, 'recovery-failure');
  throw e;
} finally {
  await browser.close();
}
