// Two-factor log-in in the browser (issue 27; cmd/coffer's
// TestWebAppTwoFactor makes the account with the CLI first): Account →
// Security enrols with the QR code drawn as SVG (no data: image under the
// CSP) and the secret, the code from an authenticator (computed here from
// the secret the page shows), the recovery codes shown once; then a log-in
// in another browser is asked for the code and gets in with it, and one
// with a recovery code too.
import { check, launch, logIn, shot, totp, url } from './lib.mjs';

const [email, password] = [process.env.COFFER_EMAIL, process.env.COFFER_PASSWORD];

const browser = await launch();
try {
  const page = await logIn(browser, email, password);
  await page.getByRole('link', { name: 'Account' }).first().click();
  await page.getByRole('link', { name: 'Security' }).click();
  await page.getByRole('heading', { name: 'Two-factor log-in' }).waitFor();
  await page.locator('#tf-start-pw').fill(password);
  await page.getByRole('button', { name: 'Set up two-factor log-in' }).click();
  const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
  await qr.waitFor({ timeout: 30000 });
  check(await qr.evaluate((el) => el.tagName.toLowerCase() === 'svg' && el.querySelectorAll('g rect').length > 100), 'the QR code is not drawn');
  const secret = (await page.locator('code.secret').textContent()).trim();
  check(/^[A-Z2-7]{32}$/.test(secret), `the secret shown: ${secret}`);
  await shot(page, 'twofactor-enrol');
  const now = Date.now();
  await page.getByLabel('Code from the app').fill(totp(secret, now));
  await page.getByRole('button', { name: 'Turn on two-factor log-in' }).click();
  const list = page.getByRole('list', { name: 'Recovery codes' });
  await list.waitFor({ timeout: 30000 });
  const codes = (await list.locator('li').allTextContents()).map((c) => c.trim());
  check(codes.length === 10 && codes.every((c) => /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/.test(c)), `recovery codes: ${codes}`);
  await shot(page, 'twofactor-recovery-codes');
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await page.getByText('Two-factor log-in is on; 10 recovery codes left.').waitFor();
  check(!(await page.content()).includes(codes[0]), 'the recovery codes are still on the page');

  // Another browser: the password alone is not enough. The code of the
  // step after the confirming one (the server takes ±1 step): no waiting.
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const other = await ctx.newPage();
  await other.goto(url + 'login');
  await other.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 30000 });
  await other.getByLabel('E-mail').fill(email);
  await other.getByLabel('Master password', { exact: true }).fill(password);
  await other.getByRole('button', { name: 'Log in', exact: true }).click();
  const field = other.getByLabel('Two-factor code (or a recovery code)');
  await field.waitFor({ timeout: 30000 });
  check(await other.getByRole('alert').count() === 0, 'the code is asked for as an error');
  await shot(other, 'twofactor-login');
  await field.fill(totp(secret, now + 30000));
  await other.getByRole('button', { name: 'Log in', exact: true }).click();
  await other.getByRole('heading', { name: 'Passwords', exact: true }).waitFor({ timeout: 30000 });

  // A third: a recovery code.
  const third = await (await browser.newContext()).newPage();
  await third.goto(url + 'login');
  await third.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 30000 });
  await third.getByLabel('E-mail').fill(email);
  await third.getByLabel('Master password', { exact: true }).fill(password);
  await third.getByRole('button', { name: 'Log in', exact: true }).click();
  await third.getByLabel('Two-factor code (or a recovery code)').fill(codes[0]);
  await third.getByRole('button', { name: 'Log in', exact: true }).click();
  await third.getByRole('heading', { name: 'Passwords', exact: true }).waitFor({ timeout: 30000 });
  console.log('two-factor log-in: enrolled with the QR code, logged in with a TOTP code and with a recovery code');
} finally {
  await browser.close();
}
