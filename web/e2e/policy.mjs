// "Allow export of My Vault only" in the page (issue 26). COFFER_URL is a
// real `coffer serve --admin ADMIN_EMAIL` on which the CLI made
// OWNER_EMAIL's organisation ORG with MIA_EMAIL confirmed and in the
// group GROUP (every password PASSWORD). One browser context per person:
//   - the administrator opens Mia in the portal and allows her to export
//     My Vault only, in a dialog that says what the policy cannot stop,
//     and allows everything again;
//   - the owner flags GROUP in Groups (a dialog again); Mia sees the flag
//     in Groups but no switch.
import { check, failureShots, launch, logIn as logInAs, shot } from './lib.mjs';

const env = (k) => process.env[k] ?? (() => { throw new Error(`${k} is not set`); })();
const admin = env('ADMIN_EMAIL'), owner = env('OWNER_EMAIL'), mia = env('MIA_EMAIL');
const password = env('PASSWORD'), group = env('GROUP');
const limits = 'someone who can read an item can still copy it';

const browser = await launch();
const logIn = (email) => logInAs(browser, email, password);
const nav = (page) => page.getByRole('navigation', { name: 'Main' });

try {
  const miaPage = await logIn(mia);

  // The administrator restricts her account.
  const adminPage = await logIn(admin);
  await nav(adminPage).getByRole('link', { name: 'Administrator Portal' }).click();
  await adminPage.getByLabel('Search accounts').fill(mia);
  await adminPage.getByRole('button', { name: 'Search', exact: true }).click();
  await adminPage.getByRole('link', { name: mia, exact: true }).click();
  await adminPage.getByRole('heading', { name: mia, exact: true }).waitFor();
  const card = adminPage.locator('section', { has: adminPage.getByRole('heading', { name: 'Export', exact: true }) });
  check((await card.locator('.may-export').textContent()) === 'everything they can read', 'the portal does not say what Mia may export');
  await card.getByRole('button', { name: 'Allow export of My Vault only' }).click();
  const ask = adminPage.getByRole('alertdialog', { name: `Allow ${mia} to export My Vault only?` });
  check((await ask.textContent()).includes(limits), 'the dialog does not say what the policy cannot stop');
  await shot(adminPage, 'policy-admin-dialog');
  await ask.getByRole('button', { name: 'Allow export of My Vault only' }).click();
  await adminPage.getByRole('status').filter({ hasText: `Changed the export policy of ${mia}.` }).waitFor();
  await card.locator('.may-export', { hasText: /^My Vault only$/ }).waitFor();
  await card.getByRole('button', { name: 'Allow export of everything they can read' }).waitFor();
  await shot(adminPage, 'policy-admin-user', { fullPage: true });

  await card.getByRole('button', { name: 'Allow export of everything they can read' }).click();
  await adminPage.getByRole('alertdialog', { name: `Let ${mia} export everything?` }).getByRole('button', { name: 'Allow export of everything' }).click();
  await card.locator('.may-export', { hasText: /^everything they can read$/ }).waitFor();

  // The owner flags the group.
  const ownerPage = await logIn(owner);
  await nav(ownerPage).getByRole('link', { name: 'Groups', exact: true }).click();
  const box = ownerPage.getByRole('checkbox', { name: `Allow export of My Vault only for ${group}` });
  check(!(await box.isChecked()), 'the group starts flagged');
  await box.click();
  const flag = ownerPage.getByRole('alertdialog', { name: `Allow ${group} to export My Vault only?` });
  const flagText = await flag.textContent();
  check(flagText.includes('its members export no vault of this organisation') && flagText.includes(limits), `the group's dialog: ${flagText}`);
  check(!(await box.isChecked()), 'the box changed before the dialog was answered');
  await shot(ownerPage, 'policy-group-dialog');
  await flag.getByRole('button', { name: 'Allow export of My Vault only' }).click();
  await ownerPage.getByRole('status').filter({ hasText: `${group} now allows export of My Vault only.` }).waitFor();
  await ownerPage.waitForFunction((name) => document.querySelector(`input[aria-label="Allow export of My Vault only for ${name}"]`)?.checked, group);
  await ownerPage.getByText('What “Allow export of My Vault only” does').click();
  await ownerPage.getByText(limits, { exact: false }).waitFor();
  await shot(ownerPage, 'policy-groups-owner', { fullPage: true });

  // Mia sees it, with no switch.
  await nav(miaPage).getByRole('link', { name: 'Groups', exact: true }).click();
  const miaGroup = miaPage.locator('li.group', { has: miaPage.getByRole('heading', { name: group, exact: true }) });
  await miaGroup.getByText('Export: My Vault only').waitFor({ timeout: 15000 });
  check(await miaPage.getByRole('checkbox').count() === 0, 'a member is offered the export switch');
  await shot(miaPage, 'policy-groups-member', { fullPage: true });
  console.log('administrator: an account to My Vault only and back; owner: a group flagged; member: sees it, no switch');
} catch (e) {
  await failureShots(browser, 'policy-failure');
  throw e;
} finally {
  await browser.close();
}
