// The exposure report and ownership transfer in the page. COFFER_URL is a
// real `coffer serve` on which the CLI made OWNER_EMAIL's organisation ORG
// with MIA_EMAIL and LEO_EMAIL confirmed, a vault Ops that Mia can view
// with the items Router and Door code (every password PASSWORD). One
// browser context per person:
//   - the owner removes Mia in Members; the removal dialog then links
//     "What they could read": the exposure report, at its own address,
//     with the core's notice and both items; Settings → Security lists her among the former members;
//   - the owner offers the organisation to Leo in Settings; Leo's page
//     (open meanwhile) shows "… offers you ownership of …"; he accepts;
//     his page says he owns it, and the owner's page turns to a member's
//     (the live event) — nothing waits by the clock.
import { bridge, check, failureShots, launch, logIn as logInAs, overflow, shot, url } from './lib.mjs';

const env = (k) => process.env[k] ?? (() => { throw new Error(`${k} is not set`); })();
const owner = env('OWNER_EMAIL'), mia = env('MIA_EMAIL'), leo = env('LEO_EMAIL'), password = env('PASSWORD'), orgName = env('ORG');

const browser = await launch();

const logIn = (email) => logInAs(browser, email, password);

// narrow shoots a screen at 375 px, dark too, with nothing wider than
// the viewport.
async function narrow(page, name) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 375, height: 760 });
    const wide = await overflow(page);
    check(!wide, `${name} at 375 px (${scheme}): ${wide}`);
    await shot(page, `${name}-375-${scheme}`, { fullPage: true });
  }
  await page.setViewportSize({ width: 1100, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });
}

const nav = (page) => page.getByRole('navigation', { name: 'Main' });

try {
  const ownerPage = await logIn(owner);
  const orgID = (await bridge(ownerPage, 'orgs')).find((o) => o.name === orgName)?.id;
  check(orgID, `the owner is not in ${orgName}`);

  // Remove Mia; the dialog's success state leads to what she could read.
  await nav(ownerPage).getByRole('link', { name: 'Members', exact: true }).click();
  await ownerPage.getByRole('button', { name: `Remove ${mia}` }).click();
  const dialog = ownerPage.getByRole('alertdialog', { name: `Remove ${mia}?` });
  await dialog.getByRole('button', { name: `Remove ${mia} from ${orgName}` }).click();
  const removed = ownerPage.getByRole('alertdialog', { name: `${mia} was removed` });
  await removed.waitFor();
  await shot(ownerPage, 'org-member-removed');
  await removed.getByRole('link', { name: 'What they could read' }).click();
  await ownerPage.waitForURL((u) => u.pathname === `/orgs/${orgID}/exposure/${encodeURIComponent(mia)}`);
  await ownerPage.getByRole('heading', { name: `What ${mia} could read` }).waitFor();
  await ownerPage.getByRole('note').filter({ hasText: 'they may have copied' }).waitFor({ timeout: 15000 });
  const record = ownerPage.getByRole('article');
  await record.getByRole('heading', { name: /^removed from the organisation/ }).waitFor();
  const names = await record.locator('table.exposed tbody td[data-label="Item"]').allTextContents();
  check(names.join(',') === 'Door code,Router', `the report names ${names.join(', ')}`);
  await shot(ownerPage, 'exposure-report');
  await narrow(ownerPage, 'exposure-report');

  // Settings → Security lists her, with the same link.
  await nav(ownerPage).getByRole('link', { name: 'Settings', exact: true }).click();
  const former = ownerPage.getByRole('list', { name: 'Former members' });
  await former.getByText(mia).waitFor();
  check(await ownerPage.getByRole('link', { name: `What ${mia} could read` }).getAttribute('href') === `/orgs/${orgID}/exposure/${encodeURIComponent(mia)}`, 'the former member does not link the report');

  // Leo opens Settings, then the owner offers him the organisation.
  const leoPage = await logIn(leo);
  await nav(leoPage).getByRole('link', { name: 'Settings', exact: true }).click();
  await leoPage.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
  await ownerPage.getByLabel('Offer to').selectOption(leo);
  await ownerPage.getByRole('button', { name: 'Offer ownership' }).click();
  await ownerPage.getByRole('status').filter({ hasText: `${orgName} is offered to ${leo}.` }).waitFor();
  await ownerPage.getByRole('button', { name: 'Withdraw the offer' }).waitFor();
  await shot(ownerPage, 'org-transfer-offered');

  // Leo's page shows the offer (the live change); he accepts.
  const offer = leoPage.getByRole('heading', { name: `${owner} offers you ownership of ${orgName}` });
  await offer.waitFor({ timeout: 15000 });
  await shot(leoPage, 'org-transfer-offer');
  await narrow(leoPage, 'org-transfer-offer');
  await leoPage.getByRole('button', { name: `Accept ownership of ${orgName}` }).click();
  await leoPage.getByRole('status').filter({ hasText: `You own ${orgName} now` }).waitFor({ timeout: 30000 });
  await leoPage.locator('.facts').getByText(`you (${leo})`).waitFor();
  await leoPage.getByRole('heading', { name: 'Transfer ownership' }).waitFor();

  // The previous owner's page follows: a member now, the new owner named.
  await ownerPage.locator('.facts').getByText(leo, { exact: true }).waitFor({ timeout: 20000 });
  await ownerPage.getByText(`Owner: ${leo}.`).waitFor();
  check(await ownerPage.getByRole('heading', { name: 'Transfer ownership' }).count() === 0, 'the previous owner is still offered the transfer');
  const roles = Object.fromEntries((await bridge(leoPage, 'members', orgID)).map((m) => [m.email, m.state]));
  check(roles[leo] === 'owner' && roles[owner] === 'confirmed', `roles after the transfer: ${JSON.stringify(roles)}`);
  await shot(leoPage, 'org-transfer-accepted');
  console.log('owner: removal → exposure report; offer → the member accepts in another context → roles swap');
} catch (e) {
  await failureShots(browser, 'transfer-failure');
  throw e;
} finally {
  await browser.close();
}
