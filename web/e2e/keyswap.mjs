// A server that swaps an invitee's keys (issue 17): COFFER_URL is a proxy,
// started by cmd/coffer's TestWebAppConfirmShowsSwappedKeys, that presents
// other keys for swapped@… in the owner's member list. Confirming shows a
// red warning and confirms nobody — not even the honest invitee confirmed
// in the same click.
import { check, failureShots, launch, shot, signUp } from './lib.mjs';

const browser = await launch();

async function person(email, path = '') {
  const page = await signUp(browser, { email, name: email.split('@')[0], password: `master password of ${email}`, path });
  // The Join link opens its own page; any other address the vault.
  await page.getByRole('heading', { name: String(path).startsWith('join') ? 'You were invited' : 'Passwords' }).waitFor({ timeout: 30000 });
  return page;
}

try {
  const owner = await person('owner@swap.example');
  await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Join or create/ }).click();
  await owner.getByLabel('New organisation').fill('Swap Co');
  await owner.getByRole('button', { name: 'Create', exact: true }).click();
  await owner.getByRole('heading', { name: 'Swap Co' }).waitFor({ timeout: 20000 });
  const orgID = await owner.evaluate(() => localStorage.getItem('coffer.org'));
  await owner.getByRole('button', { name: 'Invite people' }).click();
  await owner.getByLabel(/E-mail addresses/).fill('honest@swap.example\nswapped@swap.example');
  await owner.getByRole('button', { name: 'Invite', exact: true }).click();
  const modal = owner.getByRole('dialog', { name: 'Confirmation code' });
  await modal.waitFor({ timeout: 20000 });
  const code = (await owner.locator('#invite-code').textContent()).trim();
  await modal.getByLabel('I have copied the code').check();
  await modal.getByRole('button', { name: 'Close' }).click();
  for (const email of ['honest@swap.example', 'swapped@swap.example']) {
    const p = await person(email, `join?org=${orgID}`);
    await p.getByLabel('Confirmation code').fill(code);
    await p.getByRole('button', { name: 'Join', exact: true }).click();
    await p.getByRole('status').filter({ hasText: 'You joined' }).waitFor({ timeout: 20000 });
  }
  // Both joins reach the owner's open list live; when they do depends on
  // the machine's load, so no bound tighter than the default timeout.
  await owner.getByRole('button', { name: 'Confirm swapped@swap.example' }).waitFor();
  // Before anyone confirms, the list already says whose keys do not match
  // the keys they joined with, and shows no fingerprint for them.
  await owner.locator('table.members tr', { hasText: 'swapped@swap.example' }).getByText('Keys do not match').waitFor();
  check(await owner.getByRole('button', { name: 'Compare fingerprints with swapped@swap.example' }).count() === 0, 'a fingerprint is offered for swapped keys');
  await owner.getByRole('button', { name: 'Compare fingerprints with honest@swap.example' }).waitFor();
  await owner.getByLabel('Select honest@swap.example').check();
  await owner.getByLabel('Select swapped@swap.example').check();
  await owner.getByRole('button', { name: 'Confirm selected' }).click();
  const alert = owner.getByRole('alert').filter({ hasText: 'SECURITY WARNING: the keys the server presents for swapped@swap.example' });
  await alert.waitFor({ timeout: 20000 });
  check(await alert.evaluate((el) => getComputedStyle(el).color !== getComputedStyle(document.body).color), 'the warning is not in the error colour');
  await shot(owner, 'confirm-swapped-keys-light');
  // Nobody was confirmed: both still wait.
  await owner.waitForFunction(() => (document.querySelector('table.members')?.textContent.match(/Joined — confirm them/g) ?? []).length === 2);
  check(await owner.locator('table.members .badge.confirmed').count() === 0, 'someone was confirmed despite the swapped keys');
  // The honest invitee alone confirms.
  await owner.getByRole('button', { name: 'Confirm honest@swap.example' }).click();
  await owner.getByRole('status').filter({ hasText: 'honest@swap.example is confirmed' }).waitFor({ timeout: 30000 });
  console.log('swapped keys: warned, nobody confirmed; the honest invitee confirmed alone');
} catch (e) {
  await failureShots(browser, 'keyswap-failure');
  throw e;
} finally {
  await browser.close();
}
