// Devices (issue 27): two browsers and the CLI signed in to one account.
// One browser's Account → Devices lists all three, named by the client
// core ("Chrome on Linux", "coffer CLI on HOST (Linux)"), this one marked;
// it signs the other browser out (asked first), and that page locks at
// once — its live stream ended — and unlocks again with the password;
// then "Sign out all other devices" ends the rest (the CLI's next command
// exits 3: cmd/coffer's TestWebAppDevices checks it after this).
import { check, failureShots, launch, logIn, shot } from './lib.mjs';

const email = process.env.COFFER_EMAIL;
const password = process.env.COFFER_PASSWORD;
const browser = await launch();

const rows = (page) => page.locator('ul.devices > li');

try {
  const desk = await logIn(browser, email, password);
  const laptop = await logIn(browser, email, password);
  await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  await desk.getByRole('navigation', { name: 'Account pages' }).getByRole('link', { name: 'Devices' }).click();
  check(new URL(desk.url()).pathname === '/account/devices', `Devices is at ${desk.url()}`);
  await rows(desk).nth(2).waitFor({ timeout: 20000 });
  const texts = await rows(desk).allTextContents();
  check(texts.length === 3, `three devices listed: ${texts.join(' | ')}`);
  check(/^Chrome on Linux\s*this device/.test(texts[0]), `this device first and marked: ${texts[0]}`);
  check(texts.filter((x) => x.includes('this device')).length === 1, `one device marked as this one: ${texts.join(' | ')}`);
  check(texts.some((x) => /coffer CLI on .+ \(Linux\)/.test(x)), `the CLI is named after its host: ${texts.join(' | ')}`);
  check(texts.every((x) => /Last used .+ from 127\.0\.0\.1/.test(x)), `last use and address: ${texts.join(' | ')}`);
  await shot(desk, 'account-devices-light');

  // Sign the other browser out: asked first; that page locks at once.
  const other = rows(desk).filter({ hasText: 'Chrome on Linux' }).filter({ hasNotText: 'this device' });
  await other.getByRole('button', { name: /^Sign out Chrome on Linux/ }).click();
  const dialog = desk.getByRole('alertdialog', { name: 'Sign out Chrome on Linux?' });
  await dialog.waitFor();
  await shot(desk, 'account-devices-confirm-light');
  await dialog.getByRole('button', { name: 'Sign out Chrome on Linux' }).click();
  await desk.getByRole('status').filter({ hasText: 'Chrome on Linux signed out.' }).waitFor({ timeout: 20000 });
  await laptop.getByRole('heading', { name: 'Unlock' }).waitFor({ timeout: 20000 });
  await laptop.getByRole('status').filter({ hasText: 'This device was signed out from another device.' }).waitFor();
  await shot(laptop, 'devices-signed-out-elsewhere-light');
  check((await rows(desk).count()) === 2, `after signing out the laptop: ${await rows(desk).allTextContents()}`);

  // Unlocking signs in again with the master password: a new device.
  await laptop.getByLabel('Master password', { exact: true }).fill(password);
  await laptop.getByRole('button', { name: 'Unlock', exact: true }).click();
  await laptop.getByRole('heading', { name: 'Passwords', exact: true }).waitFor({ timeout: 30000 });

  // Sign out all other devices: the CLI and the laptop's new session.
  const tabs = desk.getByRole('navigation', { name: 'Account pages' });
  await tabs.getByRole('link', { name: 'Profile' }).click();
  await tabs.getByRole('link', { name: 'Devices' }).click();
  await rows(desk).nth(2).waitFor({ timeout: 20000 });
  await desk.getByRole('button', { name: 'Sign out all other devices' }).click();
  const all = desk.getByRole('alertdialog', { name: 'Sign out all other devices?' });
  check((await all.textContent()).includes('2 other device(s)'), `the dialog says: ${await all.textContent()}`);
  await all.getByRole('button', { name: 'Sign out all other devices' }).click();
  await desk.getByRole('status').filter({ hasText: '2 other device(s) signed out.' }).waitFor({ timeout: 20000 });
  check((await rows(desk).count()) === 1, 'other devices are still listed');
  await laptop.getByRole('heading', { name: 'Unlock' }).waitFor({ timeout: 20000 });
  await shot(desk, 'account-devices-alone-light');
  console.log('devices: listed by name with last use and address, one signed out (its page locked at once), then all others');
} catch (e) {
  await failureShots(browser, 'devices-failure');
  throw e;
} finally {
  await browser.close();
}
