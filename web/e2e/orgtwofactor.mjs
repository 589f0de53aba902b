// An organisation that requires two-factor log-in, in the browser (issue
// 27, docs/protocol.md §8.3). COFFER_URL is a real `coffer serve` on which
// the CLI made OWNER_EMAIL (two-factor log-in on, its secret
// OWNER_TOTP_SECRET) and MEMBER_EMAIL (none), every password PASSWORD;
// cmd/coffer's TestWebAppOrgRequireTwoFactor runs it. One browser context
// per person, everything else clicked or typed in the page:
//   - the owner logs in with a code, creates ORG, and requires two-factor
//     log-in in Settings through the dialog that says what it does;
//   - the owner invites the member, who joins with the code; the owner's
//     Members page marks the member "No two-factor" and shows Confirm
//     disabled, with the reason next to it;
//   - the member turns two-factor log-in on under Account → Security; the
//     owner's Members page, opened again from the navigation, lets them be
//     confirmed, and the owner confirms them;
//   - the member, and the owner, then try to turn theirs off: refused, in
//     words that say why and what to do.
// Every wait is for what a person would see, never for a while.
import { check, failureShots, launch, shot, totp, url } from './lib.mjs';

const env = (k) => process.env[k] ?? (() => { throw new Error(`${k} is not set`); })();
const owner = env('OWNER_EMAIL'), ownerSecret = env('OWNER_TOTP_SECRET'), member = env('MEMBER_EMAIL');
const password = env('PASSWORD'), org = env('ORG');

const browser = await launch();
const nav = (page) => page.getByRole('navigation', { name: 'Main' });

// logIn logs email in in a context of its own; code, if given, answers
// the two-factor step.
async function logIn(email, code) {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(url + 'login');
  await page.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 30000 });
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Master password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  if (code) {
    await page.getByLabel('Two-factor code (or a recovery code)').fill(code);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
  }
  await page.getByRole('heading', { name: 'Passwords', exact: true }).waitFor({ timeout: 30000 });
  return page;
}

// orgTab opens a tab of the organisation in use from the navigation
// (Members, Settings …), the page asking the core anew.
async function orgTab(page, name) {
  await nav(page).getByRole('link', { name: 'Passwords', exact: true }).click();
  await page.getByRole('heading', { name: 'Passwords', exact: true }).waitFor();
  await nav(page).getByRole('link', { name, exact: true }).click();
  await page.locator(`section[aria-labelledby="${name.toLowerCase()}-title"]`).waitFor();
}

// security opens Account → Security.
async function security(page) {
  await nav(page).getByRole('link', { name: 'Account' }).click();
  await page.getByRole('link', { name: 'Security', exact: true }).click();
  await page.getByRole('heading', { name: 'Two-factor log-in' }).waitFor();
}

try {
  // The CLI's confirmation used the code of this step: the next one.
  const ownerPage = await logIn(owner, totp(ownerSecret, Date.now() + 30000));

  // The owner creates the organisation.
  await nav(ownerPage).getByRole('link', { name: /^Join or create/ }).click();
  await ownerPage.getByRole('heading', { name: 'Join an organisation' }).waitFor();
  await ownerPage.getByLabel('New organisation').fill(org);
  await ownerPage.getByRole('button', { name: 'Create', exact: true }).click();
  await ownerPage.getByRole('heading', { name: org }).waitFor({ timeout: 20000 });
  const orgID = await ownerPage.evaluate(() => localStorage.getItem('coffer.org'));

  // Settings → Two-factor log-in: the box only asks, the dialog changes it.
  await orgTab(ownerPage, 'Settings');
  const card = ownerPage.locator('section[aria-labelledby="two-factor-policy-title"]');
  await card.getByText('Not required.').waitFor();
  const box = card.getByRole('checkbox', { name: 'Require two-factor log-in' });
  await box.click();
  const ask = ownerPage.getByRole('alertdialog', { name: `Require two-factor log-in in ${org}?` });
  await ask.waitFor();
  const asked = await ask.textContent();
  check(asked.includes('audit log'), `the dialog does not say the change is audited: ${asked}`);
  check(!(await box.isChecked()), 'the box changed before the dialog was answered');
  await shot(ownerPage, 'orgtwofactor-dialog');
  await ask.getByRole('button', { name: 'Require two-factor log-in' }).click();
  await ownerPage.getByRole('status').filter({ hasText: 'Two-factor log-in is now required of every member.' }).waitFor();
  await card.getByText('Required: every member logs in with two-factor log-in.').waitFor();
  await ownerPage.waitForFunction(() => document.querySelector('input[aria-label="Require two-factor log-in"]')?.checked);
  await shot(ownerPage, 'orgtwofactor-settings', { fullPage: true });

  // The owner invites the member.
  await orgTab(ownerPage, 'Members');
  await ownerPage.getByRole('button', { name: 'Invite people' }).click();
  await ownerPage.getByLabel(/E-mail addresses/).fill(member);
  await ownerPage.getByRole('button', { name: 'Invite', exact: true }).click();
  const modal = ownerPage.getByRole('dialog', { name: 'Confirmation code' });
  await modal.waitFor({ timeout: 20000 });
  const code = (await ownerPage.locator('#invite-code').textContent()).trim();
  await modal.getByLabel('I have copied the code').check();
  await modal.getByRole('button', { name: 'Close' }).click();
  await modal.waitFor({ state: 'hidden' });

  // The member joins from Join or create.
  const memberPage = await logIn(member);
  await nav(memberPage).getByRole('link', { name: /^Join or create/ }).click();
  await memberPage.getByRole('heading', { name: 'Join an organisation' }).waitFor();
  await memberPage.getByLabel('Organisation (its name, or the org= part of the Join link)').fill(orgID);
  await memberPage.getByLabel('Confirmation code').fill(code);
  await memberPage.getByRole('button', { name: 'Join', exact: true }).click();
  await memberPage.getByRole('status').filter({ hasText: 'You joined' }).waitFor({ timeout: 20000 });

  // The owner's Members page: no two-factor, Confirm disabled with why.
  await orgTab(ownerPage, 'Members');
  const row = ownerPage.locator('tr.member', { hasText: member });
  await row.getByText('No two-factor', { exact: true }).waitFor();
  check(await row.getByText('Joined', { exact: true }).count() === 1, 'the state is not "Joined"');
  check(await row.getByText(/confirm them/).count() === 0, 'the row says "confirm them" while they cannot be');
  const confirmButton = row.getByRole('button', { name: `Confirm ${member}` });
  check(await confirmButton.isDisabled(), 'Confirm is enabled for a member without two-factor log-in');
  // Why: on the line under the row, which the disabled button points to.
  const reason = await ownerPage.locator(`tr.member-note [id="refusal-${member}"]`).textContent();
  check(reason.includes('requires two-factor log-in') && reason.includes('Account → Security'), `the reason: ${reason}`);
  check(!/coffer [a-z]/.test(reason), `the page tells the owner to run a command: ${reason}`);
  check((await confirmButton.getAttribute('aria-describedby')) === `refusal-${member}`, 'the disabled Confirm is not described by its reason');
  await shot(ownerPage, 'orgtwofactor-members-no-2fa', { fullPage: true });
  await ownerPage.emulateMedia({ colorScheme: 'dark' });
  await shot(ownerPage, 'orgtwofactor-members-no-2fa-dark', { fullPage: true });
  await ownerPage.emulateMedia({ colorScheme: 'light' });
  await ownerPage.setViewportSize({ width: 375, height: 760 });
  await shot(ownerPage, 'orgtwofactor-members-no-2fa-375', { fullPage: true });
  await ownerPage.setViewportSize({ width: 1100, height: 800 });

  // The member turns two-factor log-in on.
  await security(memberPage);
  await memberPage.locator('#tf-start-pw').fill(password);
  await memberPage.getByRole('button', { name: 'Set up two-factor log-in' }).click();
  const secretBox = memberPage.locator('code.secret');
  await secretBox.waitFor({ timeout: 30000 });
  const memberSecret = (await secretBox.textContent()).trim();
  const enrolled = Date.now();
  await memberPage.getByLabel('Code from the app').fill(totp(memberSecret, enrolled));
  await memberPage.getByRole('button', { name: 'Turn on two-factor log-in' }).click();
  await memberPage.getByRole('list', { name: 'Recovery codes' }).waitFor({ timeout: 30000 });
  await memberPage.getByRole('button', { name: 'I have saved them' }).click();
  await memberPage.getByText(/^Two-factor log-in is on; 10 recovery codes left\./).waitFor();

  // The owner opens Members again: confirmable now, and confirmed.
  await orgTab(ownerPage, 'Members');
  await row.getByText('Joined — confirm them').waitFor();
  check(await row.getByText('No two-factor', { exact: true }).count() === 0, 'still marked No two-factor');
  check(await ownerPage.locator(`[id="refusal-${member}"]`).count() === 0, 'the reason is still shown');
  await shot(ownerPage, 'orgtwofactor-members-confirmable', { fullPage: true });
  await row.getByRole('button', { name: `Confirm ${member}` }).click();
  await ownerPage.getByRole('status').filter({ hasText: `${member} is confirmed.` }).waitFor({ timeout: 20000 });
  await row.getByText('Member', { exact: true }).waitFor();

  // The member, confirmed, cannot turn theirs off.
  await nav(memberPage).getByRole('link', { name: 'Passwords', exact: true }).click();
  await memberPage.getByRole('heading', { name: 'Passwords', exact: true }).waitFor();
  await security(memberPage);
  // Said before trying, from what this device synced.
  await memberPage.getByText(`${org} requires two-factor log-in, so yours stays on while you belong to it`).waitFor();
  await memberPage.locator('#tf-disable-pw').fill(password);
  await memberPage.locator('#tf-disable-code').fill(totp(memberSecret, enrolled + 30000));
  await memberPage.getByRole('button', { name: 'Turn off two-factor log-in' }).click();
  const refusal = memberPage.getByRole('alert');
  await refusal.waitFor({ timeout: 20000 });
  const said = await refusal.textContent();
  check(/^An organisation you belong to requires two-factor log-in.*ask its owner to stop requiring it.*\.$/.test(said), `the member's refusal: ${said}`);
  check(!/HTTP \d{3}|two_factor_required/.test(said), `the refusal is in a server's words: ${said}`);
  await shot(memberPage, 'orgtwofactor-member-disable-refused', { fullPage: true });
  await memberPage.getByText(/^Two-factor log-in is on;/).waitFor();

  // Nor can the owner.
  await security(ownerPage);
  await ownerPage.getByText(`${org} requires two-factor log-in, of you too: stop requiring it in ${org}'s Settings`).waitFor();
  await ownerPage.locator('#tf-disable-pw').fill(password);
  await ownerPage.locator('#tf-disable-code').fill(totp(ownerSecret, Date.now() + 60000));
  await ownerPage.getByRole('button', { name: 'Turn off two-factor log-in' }).click();
  const ownerRefusal = ownerPage.getByRole('alert');
  await ownerRefusal.waitFor({ timeout: 20000 });
  check((await ownerRefusal.textContent()).includes('requires two-factor log-in'), `the owner's refusal: ${await ownerRefusal.textContent()}`);
  await shot(ownerPage, 'orgtwofactor-owner-disable-refused', { fullPage: true });
  console.log(`two-factor requirement: set in Settings through the dialog; ${member} marked No two-factor with Confirm disabled and why, confirmed once on; neither could turn theirs off`);
} catch (err) {
  await failureShots(browser, 'orgtwofactor-failure');
  throw err;
} finally {
  await browser.close();
}
