// Single sign-on in the browser (issue 27; cmd/coffer's TestWebAppSSO
// runs a real OpenID Connect provider on loopback, "Corp ID", and a Coffer
// server with corp.example on single sign-on only). A person clicks "Log
// in with Corp ID" on the log-in page, signs in at the provider's own
// page, comes back and — the first time — chooses a master password;
// another browser later signs in and unlocks with it. The e-mail form
// alone is refused for corp.example, and an address the provider did not
// verify comes back with the reason.
import { check, failureShots, launch, shot, url } from './lib.mjs';

const pw = process.env.COFFER_PASSWORD;

async function fresh(browser) {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(url + 'login');
  await page.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 30000 });
  return page;
}

// providerSignIn: from Coffer's log-in page to the provider's form and
// back to Coffer's /sso page.
async function providerSignIn(page, user, password) {
  await page.getByRole('button', { name: 'Log in with Corp ID' }).click();
  await page.locator('#username').waitFor({ timeout: 30000 });
  check(!page.url().startsWith(url), `the provider's page is at ${page.url()}`);
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL((u) => u.href.startsWith(url + 'sso'), { timeout: 30000 });
}

// shots writes the light shot, the dark one and a phone's (375 px).
async function shots(page, name) {
  await shot(page, name);
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
  const size = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 760 });
  await shot(page, `${name}-375`, { fullPage: true });
  await page.setViewportSize(size);
}

const browser = await launch();
try {
  // The log-in page offers both ways in, and says what SSO does not do.
  const page = await fresh(browser);
  const sso = page.getByRole('button', { name: 'Log in with Corp ID' });
  await sso.waitFor({ timeout: 30000 });
  await page.getByText('Your master password still unlocks your vault').waitFor();
  await shots(page, 'sso-login-page');
  // Company staff cannot use the e-mail form.
  await page.getByLabel('E-mail').fill('alice@corp.example');
  await page.getByLabel('Master password', { exact: true }).fill(pw);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByRole('alert').waitFor({ timeout: 60000 });
  const refusal = await page.getByRole('alert').textContent();
  check(refusal.includes('corp.example') && refusal.includes('Log in with Corp ID'), `the refusal: ${refusal}`);
  await shot(page, 'sso-email-form-refused');

  // The first sign-in: the account is made with a master password chosen now.
  await providerSignIn(page, 'alice', 'idp-alice-pw');
  await page.getByRole('heading', { name: 'Choose your master password' }).waitFor({ timeout: 30000 });
  check(!page.url().includes('ticket'), `the ticket stayed in the address: ${page.url()}`);
  await page.getByText('Signed in with Corp ID as').waitFor();
  check(await page.getByLabel('Your name').inputValue() === 'Alice Archer', 'the name is not the provider\'s');
  await page.getByLabel('Master password', { exact: true }).fill(pw);
  await page.getByLabel('Master password again').fill(pw);
  await shots(page, 'sso-choose-master-password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Passwords', exact: true }).waitFor({ timeout: 60000 });
  check(new URL(page.url()).pathname.startsWith('/vault'), `after the sign-up: ${page.url()}`);

  // Another browser: SSO, then the master password.
  const other = await fresh(browser);
  await providerSignIn(other, 'alice', 'idp-alice-pw');
  await other.getByRole('heading', { name: 'Unlock with your master password' }).waitFor({ timeout: 30000 });
  await shots(other, 'sso-unlock');
  await other.getByLabel('Master password', { exact: true }).fill('not the master password');
  await other.getByRole('button', { name: 'Unlock' }).click();
  await other.getByRole('alert').waitFor({ timeout: 60000 });
  await other.getByLabel('Master password', { exact: true }).fill(pw);
  await other.getByRole('button', { name: 'Unlock' }).click();
  await other.getByRole('heading', { name: 'Passwords', exact: true }).waitFor({ timeout: 60000 });

  // The provider does not vouch for Bob's address: no account, the reason.
  const bob = await fresh(browser);
  await providerSignIn(bob, 'bob', 'idp-bob-pw');
  await bob.getByRole('heading', { name: 'Sign-in not finished' }).waitFor({ timeout: 30000 });
  check((await bob.getByRole('alert').textContent()).includes('verified'), 'the reason is not said');
  await shots(bob, 'sso-unverified');
  console.log('sso: first sign-in chose the master password, the second unlocked with it; the e-mail form and an unverified address were refused');
} catch (e) {
  await failureShots(browser, 'sso-failed');
  throw e;
} finally {
  await browser.close();
}
