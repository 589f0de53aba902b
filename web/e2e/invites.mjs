// A locked invitation in the browser (issue 24, defect 6): the invitee
// uses up the wrong-code attempts on the Join page and is told, in words
// and without a command line, to ask the owner; the owner's open Members
// page shows the lock and re-issues it; the invitee joins with the new
// code, and the Join page follows the confirmation. Started by cmd/coffer's
// TestWebAppLockedInvitation against a real `coffer serve` (COFFER_URL).
import { check, failureShots, launch, shot, signUp } from './lib.mjs';

const browser = await launch();

async function person(email, path = '') {
  const page = await signUp(browser, { email, name: email.split('@')[0], password: `master password of ${email}`, path });
  await page.getByRole('heading', { name: path.startsWith('join') ? 'You were invited' : 'Passwords' }).waitFor({ timeout: 30000 });
  return page;
}

// invite opens the invitation dialog, invites, and returns the code the
// modal shows once.
async function invite(owner, email) {
  await owner.getByRole('button', { name: 'Invite people' }).click();
  await owner.getByLabel(/E-mail addresses/).fill(email);
  await owner.getByRole('button', { name: 'Invite', exact: true }).click();
  return codeShown(owner);
}

async function codeShown(owner) {
  const modal = owner.getByRole('dialog', { name: 'Confirmation code' });
  await modal.waitFor({ timeout: 20000 });
  const code = (await owner.locator('#invite-code').textContent()).trim();
  await modal.getByLabel('I have copied the code').check();
  await modal.getByRole('button', { name: 'Close' }).click();
  await modal.waitFor({ state: 'hidden' });
  return code;
}

try {
  const owner = await person('olga@lock.example');
  await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Join or create/ }).click();
  await owner.getByLabel('New organisation').fill('Lockers');
  await owner.getByRole('button', { name: 'Create', exact: true }).click();
  await owner.getByRole('heading', { name: 'Lockers' }).waitFor({ timeout: 20000 });
  const orgID = await owner.evaluate(() => localStorage.getItem('coffer.org'));
  const code = await invite(owner, 'ivan@lock.example');

  // Five wrong codes: each says how many are left; then the page says the
  // invitation is locked and whom to ask — no command to run.
  const ivan = await person('ivan@lock.example', `join?org=${orgID}`);
  const wrong = ['AAAA-BBBB-CCCC-DDDD-EEEE-FFFF', 'BBBB-CCCC-DDDD-EEEE-FFFF-GGGG', 'CCCC-DDDD-EEEE-FFFF-GGGG-HHHH', 'DDDD-EEEE-FFFF-GGGG-HHHH-JJJJ', 'EEEE-FFFF-GGGG-HHHH-JJJJ-KKKK'];
  for (let i = 0; i < wrong.length - 1; i++) {
    await ivan.getByLabel('Confirmation code').fill(wrong[i]);
    await ivan.getByRole('button', { name: 'Join', exact: true }).click();
    await ivan.getByRole('alert').filter({ hasText: `${4 - i} of 5 attempts left` }).waitFor({ timeout: 20000 });
  }
  await ivan.getByLabel('Confirmation code').fill(wrong[4]);
  await ivan.getByRole('button', { name: 'Join', exact: true }).click();
  const locked = ivan.getByRole('status').filter({ hasText: 'locked' });
  await locked.waitFor({ timeout: 20000 });
  const said = await ivan.locator('main').textContent();
  check(said.includes('olga@lock.example') && /re-issue/.test(said), `the locked invitation is said as: ${said}`);
  check(!/coffer [a-z]/.test(said), `the invitee is told to run a command: ${said}`);
  check(await ivan.getByLabel('Confirmation code').count() === 0, 'a locked invitation still asks for a code');
  await shot(ivan, 'invitation-locked-light');

  // The owner's open Members page shows the lock (a live event) and
  // re-issues: a new code, shown once.
  const row = owner.locator('table.members tr', { hasText: 'ivan@lock.example' });
  await row.getByText('Locked: too many wrong codes').waitFor();
  await shot(owner, 'members-locked-light');
  await owner.getByRole('button', { name: 'Re-issue the invitation of ivan@lock.example' }).click();
  const code2 = await codeShown(owner);
  check(code2 !== code, 'the re-issued invitation has the old code');
  await row.getByText('Locked: too many wrong codes').waitFor({ state: 'detached' });

  // The same page finds the new invitation (by its organisation); the new
  // code joins; the page follows the owner's confirmation.
  await ivan.getByRole('button', { name: 'Check again' }).click();
  await ivan.getByLabel('Confirmation code').fill(code2);
  await ivan.getByRole('button', { name: 'Join', exact: true }).click();
  await ivan.getByRole('status').filter({ hasText: 'You joined' }).waitFor({ timeout: 20000 });
  await owner.getByRole('button', { name: 'Confirm ivan@lock.example' }).click();
  await owner.getByRole('status').filter({ hasText: 'ivan@lock.example is confirmed' }).waitFor({ timeout: 30000 });
  await ivan.getByRole('status').filter({ hasText: 'You are a member of "Lockers"' }).waitFor();
  await shot(ivan, 'invitation-confirmed-light');

  // Inviting an address whose invitation still works is refused in words,
  // with Re-issue offered (never "HTTP 400").
  await invite(owner, 'vera@lock.example');
  await owner.getByRole('button', { name: 'Invite people' }).click();
  await owner.getByLabel(/E-mail addresses/).fill('vera@lock.example');
  await owner.getByRole('button', { name: 'Invite', exact: true }).click();
  const refusal = owner.getByRole('dialog', { name: 'Invite people to Lockers' }).getByRole('alert');
  await refusal.waitFor({ timeout: 20000 });
  check(!/HTTP \d{3}/.test(await refusal.textContent()), `an invite again says: ${await refusal.textContent()}`);
  await owner.getByRole('button', { name: 'Re-issue the invitations' }).click();
  await codeShown(owner);
  console.log('locked invitation: said in words to the invitee, shown to the owner live, re-issued, joined and confirmed');
} catch (e) {
  await failureShots(browser, 'invites-failure');
  throw e;
} finally {
  await browser.close();
}
