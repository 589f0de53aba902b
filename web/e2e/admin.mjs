// Instance administration, leaving and the audit log in the page (issue
// 25). COFFER_URL is a real `coffer serve --admin ADMIN_EMAIL` on which
// the CLI made OWNER_EMAIL's organisation HARBOUR with MIA_EMAIL and
// LEO_EMAIL confirmed (every password PASSWORD). One browser context per
// person:
//   - the administrator finds Mia, opens her page and unbinds her from
//     the organisation while Mia's own page shows it: it goes from her
//     page (the live event, then the core's answer; nothing waits by the
//     clock); the owner is not offered Unbind;
//   - the administrator disables Mia — her log-in is refused in the
//     core's words — and enables her again: she logs in;
//   - the owner opens Settings (no Leave: the reason in the core's
//     words), the Security section and the audit log, and sees the
//     entries (the administrator's unbind and the rotation their client
//     did after it among them), filtered by person and action in the
//     address;
//   - Leo leaves the organisation from its Settings: the app goes to
//     Organisations and the organisation is gone.
import { bridge, check, failureShots, launch, logIn as logInAs, shot, url } from './lib.mjs';

const env = (k) => process.env[k] ?? (() => { throw new Error(`${k} is not set`); })();
const admin = env('ADMIN_EMAIL'), owner = env('OWNER_EMAIL'), mia = env('MIA_EMAIL'), leo = env('LEO_EMAIL');
const password = env('PASSWORD'), harbour = env('HARBOUR');

const browser = await launch();

const logIn = (email) => logInAs(browser, email, password);

const nav = (page) => page.getByRole('navigation', { name: 'Main' });

try {
  // Mia on her organisation's Settings page.
  const miaPage = await logIn(mia);
  check(await nav(miaPage).getByRole('link', { name: 'Administrator Portal' }).count() === 0, 'a member is shown the Administrator Portal');
  const orgID = (await bridge(miaPage, 'orgs')).find((o) => o.name === harbour)?.id;
  check(orgID, `Mia is not in ${harbour}`);
  await nav(miaPage).getByRole('link', { name: 'Settings', exact: true }).click();
  await miaPage.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
  check(await miaPage.getByRole('button', { name: `Leave ${harbour}` }).isEnabled(), 'a member cannot leave');

  // The administrator finds her and opens her page.
  const adminPage = await logIn(admin);
  await nav(adminPage).getByRole('link', { name: 'Administrator Portal' }).click();
  await adminPage.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
  await adminPage.getByLabel('Search accounts').fill('MIA@');
  await adminPage.getByRole('button', { name: 'Search', exact: true }).click();
  await adminPage.waitForURL((u) => u.pathname === '/admin/users' && u.searchParams.get('q') === 'MIA@');
  const rows = adminPage.getByRole('table', { name: 'Accounts matching MIA@' }).locator('tbody tr');
  await rows.first().waitFor();
  check(await rows.count() === 1, `the search for MIA@ found ${await rows.count()} accounts`);
  await adminPage.getByRole('link', { name: mia, exact: true }).click();
  await adminPage.getByRole('heading', { name: mia, exact: true }).waitFor();
  check(/^\/admin\/users\/[0-9a-f-]+$/.test(new URL(adminPage.url()).pathname), `her page is at ${adminPage.url()}`);
  await adminPage.getByText('names are end-to-end encrypted').waitFor();
  await shot(adminPage, 'admin-user-mia');

  // Unbind, while her page is open.
  await adminPage.getByRole('button', { name: `Unbind ${mia} from organisation ${orgID}` }).click();
  const unbind = adminPage.getByRole('alertdialog', { name: `Unbind ${mia}?` });
  check((await unbind.textContent()).includes('keep their account and My Vault'), 'the unbind dialog does not say what stays');
  await unbind.getByRole('button', { name: `Unbind from ${orgID}` }).click();
  await adminPage.getByRole('status').filter({ hasText: `${mia} is unbound from organisation ${orgID}.` }).waitFor();
  await adminPage.getByText('Bound to no organisation.').waitFor();
  // On Mia's page the organisation goes: the page and the navigation.
  await miaPage.getByRole('heading', { name: 'No such organisation here' }).waitFor({ timeout: 15000 });
  await nav(miaPage).getByRole('list', { name: `${harbour} pages` }).waitFor({ state: 'detached' });
  check(!(await bridge(miaPage, 'orgs')).some((o) => o.id === orgID), 'the core still lists the organisation for Mia');

  // The owner is not offered Unbind.
  await adminPage.getByRole('link', { name: '← Accounts' }).click();
  await adminPage.getByLabel('Search accounts').fill(owner);
  await adminPage.getByRole('button', { name: 'Search', exact: true }).click();
  await adminPage.getByRole('link', { name: owner, exact: true }).click();
  await adminPage.getByRole('heading', { name: owner, exact: true }).waitFor();
  await adminPage.getByText('the owner cannot be unbound: transfer ownership first').waitFor();
  check(await adminPage.getByRole('button', { name: /^Unbind / }).count() === 0, 'the owner is offered Unbind');

  // Disable Mia: her log-in is refused; enable her: she logs in.
  await adminPage.goBack();
  await adminPage.getByRole('link', { name: owner, exact: true }).waitFor();
  await adminPage.getByLabel('Search accounts').fill('mia');
  await adminPage.getByRole('button', { name: 'Search', exact: true }).click();
  await adminPage.getByRole('link', { name: mia, exact: true }).click();
  await adminPage.getByRole('button', { name: 'Disable the account' }).click();
  const disable = adminPage.getByRole('alertdialog', { name: `Disable ${mia}?` });
  const said = await disable.textContent();
  check(said.includes('signed out at once') && said.includes('cannot log in'), `the disable dialog: ${said}`);
  await disable.getByRole('button', { name: `Disable ${mia}` }).click();
  await adminPage.getByRole('status').filter({ hasText: /is disabled; [1-9]\d* session\(s\) were signed out/ }).waitFor();
  await adminPage.locator('.badge.danger', { hasText: 'Disabled' }).waitFor();
  await shot(adminPage, 'admin-user-disabled');
  const again = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const retry = await again.newPage();
  await retry.goto(url + 'login');
  await retry.getByLabel('E-mail').fill(mia);
  await retry.getByLabel('Master password', { exact: true }).fill(password);
  await retry.getByRole('button', { name: 'Log in', exact: true }).click();
  await retry.getByRole('alert').filter({ hasText: 'disabled by an instance administrator' }).waitFor({ timeout: 30000 });
  await adminPage.getByRole('button', { name: 'Enable the account' }).click();
  await adminPage.getByRole('alertdialog', { name: `Enable ${mia}?` }).getByRole('button', { name: `Enable ${mia}` }).click();
  await adminPage.getByRole('status').filter({ hasText: 'is enabled' }).waitFor();
  await retry.getByRole('button', { name: 'Log in', exact: true }).click();
  await retry.getByRole('heading', { name: 'Passwords', exact: true }).waitFor({ timeout: 30000 });

  // The owner: no Leave, the Security section, the audit log.
  const ownerPage = await logIn(owner);
  await nav(ownerPage).getByRole('link', { name: 'Settings', exact: true }).click();
  await ownerPage.getByRole('heading', { name: 'Security', exact: true }).waitFor();
  check(await ownerPage.getByRole('button', { name: `Leave ${harbour}` }).isDisabled(), 'the owner may leave');
  await ownerPage.getByText(`transfer ownership first: you own ${harbour} and cannot leave it`).waitFor();
  await ownerPage.getByRole('list', { name: 'Pending key rotations' }).or(ownerPage.getByText('None: every key is current.')).first().waitFor();
  await ownerPage.getByRole('link', { name: 'Open the audit log' }).click();
  check(new URL(ownerPage.url()).pathname === `/orgs/${orgID}/audit`, `the audit log is at ${ownerPage.url()}`);
  await ownerPage.getByRole('status').filter({ hasText: 'the whole log verified' }).waitFor({ timeout: 15000 });
  const actions = await ownerPage.locator('table.audit-log tbody tr td[data-label="Action"]').allTextContents();
  // The administrator's unbind (the server's word) and the rotation the
  // owner's client did after it are there.
  for (const want of ['invite', 'join', 'confirm', 'unbind', 'rotate']) check(actions.includes(want), `the audit log lacks ${want}: ${actions.join(', ')}`);
  await shot(ownerPage, 'org-audit-owner');
  await ownerPage.getByLabel('Action').selectOption('join');
  await ownerPage.getByLabel('Person').fill(mia);
  await ownerPage.getByRole('button', { name: 'Show', exact: true }).click();
  await ownerPage.getByRole('status').filter({ hasText: '1 entry match' }).waitFor();
  const asked = new URL(ownerPage.url()).searchParams;
  check(asked.get('action') === 'join' && asked.get('actor') === mia, `the filter is not in the address: ${ownerPage.url()}`);

  // Leo leaves.
  const leoPage = await logIn(leo);
  await nav(leoPage).getByRole('link', { name: 'Settings', exact: true }).click();
  await leoPage.getByRole('button', { name: `Leave ${harbour}` }).click();
  const leave = leoPage.getByRole('alertdialog', { name: `Leave ${harbour}?` });
  const leaveText = await leave.textContent();
  check(leaveText.includes('You keep your account and My Vault') && leaveText.includes('vaults at once'), `the leave dialog: ${leaveText}`);
  await leave.getByRole('button', { name: `Leave ${harbour}` }).click();
  await leoPage.waitForURL((u) => u.pathname === '/orgs');
  await leoPage.getByRole('heading', { name: 'Join an organisation' }).waitFor();
  await nav(leoPage).getByRole('list', { name: `${harbour} pages` }).waitFor({ state: 'detached' });
  check(!(await bridge(leoPage, 'orgs')).some((o) => o.id === orgID), 'Leo still has the organisation');
  console.log('administrator: search, unbind seen live, owner refused, disable and enable; owner: audit log; member: leave');
} catch (e) {
  await failureShots(browser, 'admin-failure');
  throw e;
} finally {
  await browser.close();
}
