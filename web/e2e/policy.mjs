// "Allow export of My Vault only" in the page (issue 26). COFFER_URL is a
// real `coffer serve --admin ADMIN_EMAIL` on which the CLI made
// OWNER_EMAIL's organisation ORG with MIA_EMAIL confirmed and in the
// group GROUP (every password PASSWORD). One browser context per person:
//   - Mia's Account → Profile says she may export everything she can read;
//   - the administrator opens Mia in the portal and allows her to export
//     My Vault only, in a dialog that says what the policy cannot stop;
//     Mia's Profile then says her administrator restricts her;
//   - the owner flags GROUP in Groups (a dialog again); Mia sees the flag
//     in Groups but no switch, and once the administrator frees her
//     account again her Profile names ORG as what she may not export.
import { bridge, check, failureShots, launch, logIn as logInAs, shot } from './lib.mjs';

const env = (k) => process.env[k] ?? (() => { throw new Error(`${k} is not set`); })();
const admin = env('ADMIN_EMAIL'), owner = env('OWNER_EMAIL'), mia = env('MIA_EMAIL');
const password = env('PASSWORD'), org = env('ORG'), group = env('GROUP');
const limits = 'someone who can read an item can still copy it';

const browser = await launch();
const logIn = (email) => logInAs(browser, email, password);
const nav = (page) => page.getByRole('navigation', { name: 'Main' });

// profile opens Account → Profile anew (it asks the core when it opens)
// and resolves to what "May export" says.
async function profile(page) {
  await nav(page).getByRole('link', { name: 'Passwords' }).click();
  await page.getByRole('heading', { name: 'Passwords', exact: true }).waitFor();
  await nav(page).getByRole('link', { name: 'Account' }).click();
  const row = page.locator('.row', { has: page.getByText('May export', { exact: true }) });
  await row.waitFor();
  return (await row.locator('dd').textContent()).trim();
}

try {
  const miaPage = await logIn(mia);
  const said = await profile(miaPage);
  check(said === 'everything you can read', `Mia may export: ${said}`);

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

  check((await profile(miaPage)) === 'My Vault only', 'Mia is not told she may export My Vault only');
  await miaPage.getByText('Your administrator allows exporting My Vault only.').waitFor();
  await shot(miaPage, 'policy-profile-admin');

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

  // Mia sees it, with no switch; freed by the administrator, her Profile
  // names the organisation she may not export.
  await nav(miaPage).getByRole('link', { name: 'Groups', exact: true }).click();
  const miaGroup = miaPage.locator('li.group', { has: miaPage.getByRole('heading', { name: group, exact: true }) });
  await miaGroup.getByText('Export: My Vault only').waitFor({ timeout: 15000 });
  check(await miaPage.getByRole('checkbox').count() === 0, 'a member is offered the export switch');
  await shot(miaPage, 'policy-groups-member', { fullPage: true });
  await card.getByRole('button', { name: 'Allow export of everything they can read' }).click();
  await adminPage.getByRole('alertdialog', { name: `Let ${mia} export everything?` }).getByRole('button', { name: 'Allow export of everything' }).click();
  await card.locator('.may-export', { hasText: /^everything they can read$/ }).waitFor();
  const now = await profile(miaPage);
  check(now === `everything you can read except the vaults of ${org}`, `Mia, freed but in a flagged group, may export: ${now}`);
  await miaPage.getByText('Your organisation allows exporting My Vault only').waitFor();
  check((await bridge(miaPage, 'exportPolicy')).restricted_orgs.includes(org), 'the core does not name the organisation');
  await shot(miaPage, 'policy-profile-group');
  console.log('administrator: an account to My Vault only and back; owner: a group flagged; member: sees both, no switch');
} catch (e) {
  await failureShots(browser, 'policy-failure');
  throw e;
} finally {
  await browser.close();
}
