// Security keys as a second factor in the browser (issue 27, protocol
// §8.2; cmd/coffer's TestWebAppSecurityKey makes the account with the CLI
// first and serves at http://localhost, a secure context whose host is a
// valid RP ID). Chromium's virtual authenticator (DevTools protocol,
// WebAuthn domain) plays the key: Account → Security adds it (its first
// second factor shows the recovery codes once), log out, log in with the
// key as the second factor, then the credential leaves the authenticator
// and the log-in with the key is refused with a clear message.
import { check, launch, logIn, shot, url } from './lib.mjs';

const [email, password] = [process.env.COFFER_EMAIL, process.env.COFFER_PASSWORD];

const browser = await launch();
try {
  const page = await logIn(browser, email, password);
  // The key: a virtual authenticator of this tab. Logging out loads the
  // app afresh, and a new document gets no WebAuthn environment from the
  // old one: the same key (its credential, exported) is plugged in again.
  const plugIn = async (credentials = [], into = page) => {
    const cdp = await into.context().newCDPSession(into);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    for (const credential of credentials) await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    return { cdp, authenticatorId };
  };
  const { cdp, authenticatorId } = await plugIn();

  await page.getByRole('link', { name: 'Account' }).first().click();
  await page.getByRole('link', { name: 'Security' }).click();
  await page.getByRole('heading', { name: 'Security keys' }).waitFor({ timeout: 30000 });
  await page.getByText('No security keys yet.').waitFor();
  await page.getByLabel('Name of the key').fill('Virtual key');
  await page.locator('#key-pw').fill(password);
  await page.getByRole('button', { name: 'Add a security key' }).click();
  const list = page.getByRole('list', { name: 'Recovery codes' });
  await list.waitFor({ timeout: 30000 });
  const codes = (await list.locator('li').allTextContents()).map((c) => c.trim());
  check(codes.length === 10, `recovery codes of the first key: ${codes}`);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  check(credentials.length === 1, `the authenticator holds ${credentials.length} credentials`);
  await page.getByRole('button', { name: 'I have saved them' }).click();
  const keys = page.getByRole('list', { name: 'Security keys' });
  await keys.getByText('Virtual key').waitFor();
  check((await keys.textContent()).includes('never used'), 'a new key is not "never used"');
  await page.getByRole('heading', { name: 'Security keys' }).scrollIntoViewIfNeeded();
  await shot(page, 'securitykey-added');

  // Another browser with the same key (its credential, exported from this
  // authenticator): the password, then the key.
  const elsewhere = async (creds) => {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const other = await ctx.newPage();
    // The authenticator goes in once the app's page is loaded, into the
    // document that will ask for it.
    await other.goto(url + 'login');
    await plugIn(creds, other);
    await other.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 30000 });
    await other.getByLabel('E-mail').fill(email);
    await other.getByLabel('Master password', { exact: true }).fill(password);
    await other.getByRole('button', { name: 'Log in', exact: true }).click();
    const use = other.getByRole('button', { name: 'Use your security key' });
    await use.waitFor({ timeout: 30000 });
    check(await other.getByRole('alert').count() === 0, 'the key is asked for as an error');
    return { other, use };
  };
  let { other, use } = await elsewhere(credentials);
  check(await other.getByLabel('Recovery code').count() === 1, 'no recovery-code field next to the key');
  await shot(other, 'securitykey-login');
  await use.click();
  await other.getByRole('heading', { name: 'Passwords', exact: true }).waitFor({ timeout: 30000 });
  await page.getByRole('link', { name: 'Devices' }).click();
  await page.getByRole('link', { name: 'Security' }).click();
  await keys.getByText(/last used/).waitFor({ timeout: 30000 });
  await page.getByRole('heading', { name: 'Security keys' }).scrollIntoViewIfNeeded();
  await shot(page, 'securitykey-used');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'securitykey-used-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // A second key replaces the first in this browser's authenticator; the
  // first is then removed from the account while another browser (which
  // still holds it) is at its second step: that browser's key answers,
  // and the server refuses it — the page says so.
  await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: credentials[0].credentialId });
  await page.getByLabel('Name of the key').fill('Second key');
  await page.locator('#key-pw').fill(password);
  await page.getByRole('button', { name: 'Add a security key' }).click();
  await keys.getByText('Second key').waitFor({ timeout: 30000 });
  ({ other, use } = await elsewhere(credentials));
  await page.getByRole('button', { name: 'Remove Virtual key' }).click();
  await page.locator('#remove-key-pw').fill(password);
  await page.getByRole('button', { name: 'Remove the key' }).click();
  await page.getByText('Security key “Virtual key” removed.').waitFor({ timeout: 30000 });
  await use.click();
  const alert = other.getByRole('alert');
  await alert.waitFor({ timeout: 60000 });
  const said = await alert.textContent();
  check(/security key was refused/.test(said), `the refusal said: ${said}`);
  check(await other.getByRole('heading', { name: 'Passwords', exact: true }).count() === 0, 'logged in with a removed key');
  await shot(other, 'securitykey-refused');
  await other.emulateMedia({ colorScheme: 'dark' });
  await shot(other, 'securitykey-refused-dark');
  await other.setViewportSize({ width: 375, height: 760 });
  await shot(other, 'securitykey-refused-375', { fullPage: true });
  console.log('security key: added in Account → Security, logged in with it in another browser, refused once removed from the account (another key still on it)');
} finally {
  await browser.close();
}
