// Every screen of the web app (issue 24), each at its own address, in
// light, dark and at 375 px: a screenshot of each (in COFFER_SHOTS),
// every control named for a screen reader, and nothing wider than the
// viewport — at 375 px and at a desktop's 1100. Started by cmd/coffer's
// TestWebAppEveryScreen against a real `coffer serve` (COFFER_URL).
//
// The screens are reached the way a person reaches them — a link in the
// navigation or the page — or, for the ones a shared link opens, by the
// address itself (pushed as the app's own links push it: a reload would
// lock the tab, whose keys live in its memory only).
import { bridge, check, failureShots, launch, overflow, shot, signUp } from './lib.mjs';

const browser = await launch();

// go opens an address inside the app, as its links do.
async function go(page, path) {
  await page.evaluate((p) => { history.pushState(null, '', p); dispatchEvent(new Event('coffer-navigate')); }, path);
}

// tallFields names one-line inputs drawn taller than one line (issue 24:
// URL and key fields were 180 px tall empty boxes).
const tallFields = (page) => page.evaluate(() => [...document.querySelectorAll('input:not([type=checkbox]):not([type=radio]):not([type=file]), select')]
  .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 48; })
  .map((el) => `${el.id || el.getAttribute('aria-label') || el.tagName} (${Math.round(el.getBoundingClientRect().height)} px)`).join(', '));

// screen takes a screen in its three looks; ready waits for what shows
// that it is there.
async function screen(page, name, ready) {
  const looks = [['light', 1100, 'light'], ['dark', 1100, 'dark'], ['375', 375, 'light']];
  for (const [look, width, scheme] of looks) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width, height: width === 375 ? 760 : 800 });
    await ready();
    const wide = await overflow(page);
    check(!wide, `${name} at ${width} px: ${wide}`);
    const tall = await tallFields(page);
    check(!tall, `${name} at ${width} px: one-line fields taller than a line: ${tall}`);
    await shot(page, `${name}-${look}`);
  }
  await page.setViewportSize({ width: 1100, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });
}

const heading = (page, name) => () => page.getByRole('heading', { name, exact: true }).first().waitFor();

try {
  // The open screens: sign up (the first visit), log in.
  const page = await signUp(browser, { email: 'sam@screens.example', name: 'Sam', password: 'screens master password 1', onPage: async (p) => {
    await p.goto(process.env.COFFER_URL);
    await screen(p, 'signup', heading(p, 'Create your account'));
    await p.getByRole('button', { name: 'Log in', exact: true }).click();
    await screen(p, 'login', heading(p, 'Log in'));
    check(new URL(p.url()).pathname === '/login', `the log-in screen is at ${p.url()}`);
    await p.getByRole('button', { name: 'Create an account' }).click();
  } });
  await page.getByRole('heading', { name: 'Passwords', exact: true }).waitFor({ timeout: 30000 });

  // An empty vault says what to do.
  await screen(page, 'vault-empty', () => page.getByText('No items in your vaults yet.').waitFor());

  // Things to show: items of every type (a login with custom fields), an
  // organisation with a vault, a group and an invitation.
  const login = await bridge(page, 'create', 'login', JSON.stringify({
    name: 'Staging database', notes: 'rotate monthly',
    login: { username: 'deploy', password: 'S3cret-of-staging', urls: ['https://db.staging.example'], totp: 'JBSWY3DPEHPK3PXP' },
    fields: [{ name: 'port', value: '5432', kind: 'text' }, { name: 'replica key', value: 'rk-99', kind: 'hidden' }],
  }), '');
  // More than the old list showed (200), named so that string order and
  // a person's order differ (Note 9 before Note 10).
  for (let i = 1; i <= 240; i++) await bridge(page, 'create', 'note', JSON.stringify({ name: `Note ${i}`, notes: `note number ${i}` }), '');
  await bridge(page, 'create', 'card', JSON.stringify({ name: 'Company card', card: { holder: 'Sam', number: '4111111111111111', expiry: '12/29', cvv: '123' } }), '');
  await bridge(page, 'create', 'secret', JSON.stringify({ name: 'Deploy keys', secret: { AWS_KEY: 'AKIA1', AWS_SECRET: 's3' } }), '');
  const gone = await bridge(page, 'create', 'note', JSON.stringify({ name: 'Old note' }), '');
  await bridge(page, 'trash', gone.id);
  const org = await bridge(page, 'createOrg', 'Screens & Co');
  await bridge(page, 'createVault', org.id, 'Operations');
  await bridge(page, 'createGroup', org.id, 'Engineering', '', 'edit');
  await bridge(page, 'createGroup', org.id, 'Close friends', 'private', 'view');
  await bridge(page, 'invite', org.id, JSON.stringify(['ines@screens.example']));
  await bridge(page, 'sync');
  const my = (await bridge(page, 'vaults')).find((v) => v.kind === 'personal');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Passwords', exact: true }).click();
  await screen(page, 'vault', () => page.locator('.item-list .entry').first().waitFor());

  // A long list (issue 24, defect 3): every item can be reached (the old
  // list stopped at 200), in a person's order, and the item chosen far
  // down shows in view — beside the list, or on a phone as its own screen.
  await page.locator('.list-head .count').filter({ hasText: '243 items' }).waitFor();
  const names = await page.locator('.item-list .entry .name').allTextContents();
  check(names.indexOf('Note 9') >= 0 && names.indexOf('Note 9') < names.indexOf('Note 10'), `not in natural order: ${names.slice(0, 14).join(', ')}`);
  for (const [width, height] of [[1100, 800], [375, 760]]) {
    await page.setViewportSize({ width, height });
    await go(page, '/vault');
    await page.locator('.item-list .entry').first().waitFor();
    await page.locator('.vlist').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.locator('.item-list .entry', { hasText: 'Note 240' }).click();
    const h = page.getByRole('heading', { name: 'Note 240', exact: true });
    await h.waitFor();
    const box = await h.boundingBox();
    check(box && box.y >= 0 && box.y + box.height <= height, `the item chosen far down the list is out of view at ${width} px: ${JSON.stringify(box)}`);
    if (width === 375) {
      check(await page.locator('.list-pane').isHidden(), 'on a phone the list stays beside the item');
      await page.getByRole('link', { name: /^Back to/ }).click();
      await page.locator('.item-list .entry').first().waitFor();
    }
  }
  await page.setViewportSize({ width: 1100, height: 800 });
  await go(page, '/vault');
  await page.locator('.vlist').evaluate((el) => { el.scrollTop = 0; });
  await go(page, `/vault/${my.id}`);
  await screen(page, 'vault-one', heading(page, 'My Vault'));
  // Far down the list: not drawn until scrolled to (a virtualised list);
  // the search finds it.
  check(await page.locator('.item-list .entry', { hasText: 'Staging database' }).count() === 0, 'the whole list is drawn');
  await page.getByLabel('Search').fill('staging');
  await page.locator('.item-list .entry', { hasText: 'Staging database' }).click();
  await page.getByLabel('Search').fill('');
  check(new URL(page.url()).pathname === `/vault/${my.id}/${login.id}`, `an item opens at ${page.url()}`);
  await screen(page, 'item', heading(page, 'Staging database'));
  // The custom fields show (issue 24, defect 7), the hidden one masked.
  await page.getByText('5432').waitFor();
  check(await page.getByText('rk-99').count() === 0, 'a hidden custom field shows in clear');
  await page.getByRole('button', { name: 'Edit' }).click();
  await screen(page, 'item-edit', heading(page, 'Edit Staging database'));
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'History' }).click();
  await screen(page, 'item-history', heading(page, 'History'));
  await page.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  await screen(page, 'item-share', () => page.getByRole('dialog', { name: 'Share Staging database' }).waitFor());
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Move', exact: true }).click();
  await screen(page, 'item-move', () => page.getByRole('dialog', { name: 'Move Staging database' }).waitFor());
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  await page.getByRole('link', { name: 'New item' }).first().click();
  await screen(page, 'item-new', heading(page, 'New item'));
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('link', { name: 'Trash' }).click();
  await screen(page, 'trash', () => page.getByRole('button', { name: 'Restore Old note' }).waitFor());

  // The organisation's four pages, its home, and a Join link.
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const [tab, ready] of [['Members', () => page.getByText('ines@screens.example').waitFor()], ['Groups', () => page.getByText('Engineering').first().waitFor()],
    ['Vaults', () => page.getByText('Operations').first().waitFor()], ['Settings', heading(page, 'Settings')]]) {
    await nav.getByRole('link', { name: tab, exact: true }).click();
    check(new URL(page.url()).pathname === `/orgs/${org.id}/${tab.toLowerCase()}`, `${tab} is at ${page.url()}`);
    await screen(page, `org-${tab.toLowerCase()}`, ready);
  }
  // Settings' Security section leads to the audit log, a page of its own.
  await page.getByRole('link', { name: 'Open the audit log' }).click();
  check(new URL(page.url()).pathname === `/orgs/${org.id}/audit`, `the audit log is at ${page.url()}`);
  await screen(page, 'org-audit', () => page.getByRole('status').filter({ hasText: 'the whole log verified' }).waitFor());
  // An exposure report, at its address (here the owner's own: nothing lost).
  await go(page, `/orgs/${org.id}/exposure/${encodeURIComponent('sam@screens.example')}`);
  await screen(page, 'org-exposure', () => page.getByRole('note').filter({ hasText: 'they may have copied' }).waitFor());
  await nav.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('button', { name: 'Delete Screens & Co' }).click();
  await screen(page, 'org-delete', () => page.getByRole('alertdialog', { name: 'Delete Screens & Co?' }).waitFor());
  await page.keyboard.press('Escape');
  await page.getByRole('alertdialog').waitFor({ state: 'hidden' });
  await nav.getByRole('link', { name: 'Members', exact: true }).click();
  await page.getByRole('button', { name: 'Invite people' }).click();
  await screen(page, 'org-invite', () => page.getByRole('dialog', { name: 'Invite people to Screens & Co' }).waitFor());
  await page.keyboard.press('Escape');
  await nav.getByRole('link', { name: /^Join or create/ }).click();
  await screen(page, 'orgs', heading(page, 'Your organisations'));
  await go(page, `/join?org=${encodeURIComponent(org.id)}`);
  // The owner opening their own organisation's Join link: the core says
  // they are a member (joinStatus), not a form.
  await screen(page, 'join', () => page.getByRole('status').filter({ hasText: 'You are a member of' }).waitFor());

  // Tools and the account's four pages.
  await nav.getByRole('link', { name: 'Password generator' }).click();
  await screen(page, 'tools-generator', () => page.locator('#generated').filter({ hasText: /./ }).waitFor());
  await nav.getByRole('link', { name: 'Import', exact: true }).click();
  check(new URL(page.url()).pathname === '/tools/import', `Import is at ${page.url()}`);
  await screen(page, 'tools-import', () => page.getByText('Choose a file').waitFor());
  await nav.getByRole('link', { name: 'Export', exact: true }).click();
  check(new URL(page.url()).pathname === '/tools/export', `Export is at ${page.url()}`);
  await screen(page, 'tools-export', () => page.getByRole('checkbox', { name: /^My Vault/ }).waitFor());
  await nav.getByRole('link', { name: 'Account' }).click();
  for (const tab of ['Profile', 'Security', 'Devices', 'Recovery']) {
    await page.getByRole('navigation', { name: 'Account pages' }).getByRole('link', { name: tab }).click();
    check(new URL(page.url()).pathname === `/account/${tab.toLowerCase()}`, `${tab} is at ${page.url()}`);
    await screen(page, `account-${tab.toLowerCase()}`, () => page.locator('main h2').first().waitFor());
  }

  await page.getByRole('navigation', { name: 'Account pages' }).getByRole('link', { name: 'Security' }).click();
  await page.getByRole('button', { name: 'Delete your account…' }).click();
  await screen(page, 'account-delete', () => page.getByRole('alertdialog', { name: 'Delete your account for good?' }).waitFor());
  await page.keyboard.press('Escape');
  await page.getByRole('alertdialog').waitFor({ state: 'hidden' });

  // The Administrator Portal (this account is an instance administrator):
  // the search, and an account's page.
  await nav.getByRole('link', { name: 'Administrator Portal' }).click();
  await screen(page, 'admin', () => page.getByRole('link', { name: 'sam@screens.example', exact: true }).waitFor());
  await page.getByRole('link', { name: 'sam@screens.example', exact: true }).click();
  check(/^\/admin\/users\/[^/]+$/.test(new URL(page.url()).pathname), `an account's page is at ${page.url()}`);
  await screen(page, 'admin-user', () => page.getByText('the owner cannot be unbound: transfer ownership first').waitFor());

  // An address the app has no screen for; the menu of a phone.
  await go(page, '/no/such/screen');
  await screen(page, 'not-found', heading(page, 'Nothing here'));
  await page.setViewportSize({ width: 375, height: 760 });
  await go(page, '/vault');
  // The menu with the keyboard: it takes the focus, Escape closes it.
  await page.getByRole('button', { name: 'Menu' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.closest('#nav-drawer') !== null);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Menu' && !document.querySelector('.shell.nav-open'));
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Password generator' }).waitFor();
  check(!(await overflow(page)), `the open menu at 375 px: ${await overflow(page)}`);
  await shot(page, 'menu-375');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Password generator' }).click();
  await heading(page, 'Password generator')();
  check(await page.locator('.shell.nav-open').count() === 0, 'the menu stays open after a choice');

  // Locked: the unlock screen, and the unlock lands where the lock was.
  await page.setViewportSize({ width: 1100, height: 800 });
  await page.getByRole('button', { name: 'Lock' }).click();
  await screen(page, 'unlock', heading(page, 'Unlock'));
  await page.getByLabel('Master password').fill('screens master password 1');
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await heading(page, 'Password generator')();
  check(new URL(page.url()).pathname === '/tools/generator', `the unlock landed at ${page.url()}`);
  console.log('every screen: light, dark and 375 px, named controls, no horizontal overflow');
} catch (e) {
  await failureShots(browser, 'screens-failure');
  throw e;
} finally {
  await browser.close();
}
