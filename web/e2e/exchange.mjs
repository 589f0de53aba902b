// Tools → Export and Import in the page (issue 26). COFFER_URL is a real
// `coffer serve`, where the CLI made OWNER_EMAIL's organisation Quay with
// a vault Ops (MIA_EMAIL may view it), an item in it and a login with an
// attachment in the owner's My Vault; the administrator allows Mia to
// export My Vault only; NIA_EMAIL is a fresh account. Every password is
// PASSWORD. Files saved go to OUT (the Go test reads them back).
//   - The owner exports both vaults password-protected, as a KeePass
//     database, and — after the warning — as clear Coffer JSON.
//   - Mia (the administrator's restriction) and LEO_EMAIL (in a group the
//     owner restricts) are shown why the organisation's vault is held
//     back; Mia exports My Vault.
//   - Nia imports the owner's password-protected export (its password,
//     the preview, the import, the items listed), a Bitwarden export with
//     an entry Coffer cannot take (left out, and why) twice (duplicates
//     said), and a CSV — dropped on the page — whose columns she maps by
//     hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, failureShots, launch, logIn as logInAs, shot } from './lib.mjs';

const env = (k) => process.env[k] ?? (() => { throw new Error(`${k} is not set`); })();
const owner = env('OWNER_EMAIL'), mia = env('MIA_EMAIL'), leo = env('LEO_EMAIL'), nia = env('NIA_EMAIL'), password = env('PASSWORD'), out = env('OUT');

const browser = await launch();
const logIn = (email) => logInAs(browser, email, password);
const nav = (page) => page.getByRole('navigation', { name: 'Main' });

// exportAs exports in the format labelled label (under filePassword when
// it has one) and saves the download as OUT/name; it answers the status.
async function exportAs(page, label, filePassword, name, { warned = false } = {}) {
  await page.getByRole('radio', { name: new RegExp(`^${label.replace(/[()]/g, '\\$&')}`) }).check();
  if (filePassword) {
    await page.getByLabel('Password', { exact: true }).fill(filePassword);
    await page.getByLabel('The same password again').fill(filePassword);
  }
  const saved = page.waitForEvent('download');
  await page.getByRole('button', { name: /^Export \d+ vaults?$/ }).click();
  if (warned) {
    const dialog = page.getByRole('alertdialog', { name: 'Export without encryption?' });
    await dialog.waitFor();
    check((await dialog.textContent()).includes('whoever can read the file reads every password in it'), 'the warning does not say what a clear file means');
    await shot(page, 'tools-export-warning');
    await dialog.getByRole('button', { name: /^Export to an unencrypted/ }).click();
  }
  const download = await saved;
  await download.saveAs(join(out, name));
  const status = page.getByRole('status').filter({ hasText: /^Exported / });
  await status.waitFor();
  return (await status.textContent()).trim();
}

// importFile chooses the file at path on Tools → Import.
async function importFile(page, path) {
  await page.locator('input[type=file]').setInputFiles(path);
}

try {
  // The owner: Tools → Export, loaded from the navigation.
  const ownerPage = await logIn(owner);
  await nav(ownerPage).getByRole('link', { name: 'Export', exact: true }).click();
  await ownerPage.waitForURL((u) => u.pathname === '/tools/export');
  await ownerPage.getByRole('heading', { name: 'Export', exact: true }).waitFor();
  check(await ownerPage.getByRole('checkbox', { name: /^My Vault/ }).isChecked(), 'My Vault is not chosen');
  check(await ownerPage.getByRole('checkbox', { name: /^Quay\/Ops/ }).isChecked(), 'Quay/Ops is not chosen');
  check(await ownerPage.getByRole('radio', { name: /^Coffer, password-protected/ }).isChecked(), 'the safest format is not the first choice');
  await ownerPage.getByLabel('Password', { exact: true }).fill('sealed file password');
  await ownerPage.getByLabel('The same password again').fill('sealed file passwort');
  await ownerPage.getByText('The two passwords differ.').waitFor();
  await shot(ownerPage, 'tools-export', { fullPage: true });
  let said = await exportAs(ownerPage, 'Coffer, password-protected', 'sealed file password', 'olga.coffer');
  check(/^Exported 2 items from 2 vaults to coffer-export-\d{4}-\d\d-\d\d\.coffer\.$/.test(said), `the export said: ${said}`);
  said = await exportAs(ownerPage, 'KeePass (KDBX 4)', 'kdbx file password', 'olga.kdbx');
  check(said.endsWith('.kdbx.'), `the KeePass export said: ${said}`);
  said = await exportAs(ownerPage, 'Coffer JSON', '', 'olga.json', { warned: true });
  check(said.endsWith('.json.'), `the clear export said: ${said}`);

  // Mia: the administrator allows My Vault only.
  const miaPage = await logIn(mia);
  await nav(miaPage).getByRole('link', { name: 'Export', exact: true }).click();
  await miaPage.getByRole('heading', { name: 'Export', exact: true }).waitFor();
  await miaPage.getByRole('note').filter({ hasText: 'Your administrator allows exporting My Vault only.' }).waitFor();
  const ops = miaPage.getByRole('checkbox', { name: /^Quay\/Ops/ });
  check(await ops.isDisabled() && !(await ops.isChecked()), 'the held-back vault can be chosen');
  await miaPage.getByText('held back by the export policy').waitFor();
  await shot(miaPage, 'tools-export-policy', { fullPage: true });
  said = await exportAs(miaPage, 'Coffer, password-protected', 'mia file password', 'mia.coffer');
  check(said.startsWith('Exported 1 items from 1 vault '), `Mia's export said: ${said}`);

  // Leo: a group of his allows My Vault only — in Quay.
  const leoPage = await logIn(leo);
  await nav(leoPage).getByRole('link', { name: 'Export', exact: true }).click();
  await leoPage.getByRole('note').filter({ hasText: 'Your organisation allows exporting My Vault only' }).waitFor();
  check(await leoPage.getByRole('checkbox', { name: /^Quay\/Ops/ }).isDisabled(), "the group's restriction does not hold Quay/Ops back");
  check(await leoPage.getByRole('checkbox', { name: /^My Vault/ }).isChecked(), 'My Vault is not offered under a group restriction');
  await shot(leoPage, 'tools-export-group-policy');

  // Nia imports the owner's password-protected export.
  const niaPage = await logIn(nia);
  await nav(niaPage).getByRole('link', { name: 'Import', exact: true }).click();
  await niaPage.getByRole('heading', { name: 'Import', exact: true }).waitFor();
  await shot(niaPage, 'tools-import');
  await importFile(niaPage, join(out, 'olga.coffer'));
  await niaPage.getByLabel("The file's password").fill('not the password');
  await niaPage.getByRole('button', { name: 'Read the file' }).click();
  await niaPage.getByRole('alert').filter({ hasText: /password is wrong/ }).waitFor();
  await niaPage.getByLabel("The file's password").fill('sealed file password');
  await niaPage.getByRole('button', { name: 'Read the file' }).click();
  await niaPage.getByText('Will create 2 items', { exact: true }).waitFor();
  await niaPage.getByText(/with 1 attachment/).waitFor();
  await shot(niaPage, 'tools-import-preview', { fullPage: true });
  check(!(await niaPage.evaluate(() => window.cofferCore.list('', '').then((s) => JSON.parse(s).length))), 'the preview created items');
  await niaPage.getByRole('button', { name: 'Import 2 items into My Vault' }).click();
  await niaPage.getByText('Created 2 items', { exact: true }).waitFor();
  await shot(niaPage, 'tools-import-done', { fullPage: true });
  await niaPage.getByRole('link', { name: 'Open My Vault' }).click();
  await niaPage.locator('.item-list .entry', { hasText: 'Harbour gate – Zürich' }).first().waitFor();
  await niaPage.locator('.item-list .entry', { hasText: 'Ops runbook' }).first().waitFor();

  // A Bitwarden export with an entry Coffer cannot take, twice.
  const bitwarden = join(out, 'bitwarden.json');
  writeFileSync(bitwarden, JSON.stringify({
    encrypted: false,
    folders: [{ id: 'f1', name: 'Work' }],
    items: [
      { type: 1, name: 'Work mail', folderId: 'f1', favorite: true, login: { username: 'nia', password: 'm@il', uris: [{ uri: 'https://mail.example' }] } },
      { type: 2, name: 'Door code', notes: '4711', secureNote: { type: 0 } },
      { type: 9, name: 'From the future' },
    ],
  }));
  await nav(niaPage).getByRole('link', { name: 'Import', exact: true }).click();
  await importFile(niaPage, bitwarden);
  await niaPage.getByText('Will create 2 items', { exact: true }).waitFor();
  await niaPage.getByText(/bitwarden\.json — Bitwarden JSON/).waitFor();
  await niaPage.getByText('1 entry will be left out').waitFor();
  await niaPage.getByText('From the future').waitFor();
  await niaPage.getByRole('button', { name: 'Import 2 items into My Vault' }).click();
  await niaPage.getByText('Created 2 items', { exact: true }).waitFor();
  await importFile(niaPage, bitwarden);
  await niaPage.getByRole('note').filter({ hasText: /^2 of them look like items already in My Vault/ }).waitFor();
  await shot(niaPage, 'tools-import-duplicates', { fullPage: true });

  // A CSV of columns Coffer does not know: mapped by hand.
  const csv = join(out, 'accounts.csv');
  writeFileSync(csv, 'Site,Login,Secret,Remarks\nhttps://shop.example,nia,"s3,cret",first line\nhttps://forum.example,nia2,f0rum,"two\nlines"\n');
  // Dropped on the drop zone this time, as from a file manager.
  const dropped = await niaPage.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'accounts.csv', { type: 'text/csv' }));
    return dt;
  }, readFileSync(csv, 'utf8'));
  await niaPage.dispatchEvent('.dropzone', 'drop', { dataTransfer: dropped });
  await niaPage.getByRole('group', { name: 'Which column holds what' }).waitFor();
  await niaPage.getByLabel('Web address').selectOption('Site');
  await niaPage.getByLabel('User name').selectOption('Login');
  await niaPage.getByLabel('Password', { exact: true }).selectOption('Secret');
  await niaPage.getByLabel('Notes').selectOption('Remarks');
  await shot(niaPage, 'tools-import-mapping', { fullPage: true });
  await niaPage.getByRole('button', { name: 'Read the file' }).click();
  await niaPage.getByText('Will create 2 items', { exact: true }).waitFor();
  await niaPage.getByRole('button', { name: 'Import 2 items into My Vault' }).click();
  await niaPage.getByText('Created 2 items', { exact: true }).waitFor();
  const shop = await niaPage.evaluate(async () => {
    const rows = JSON.parse(await window.cofferCore.list('shop.example', ''));
    return rows.length ? JSON.parse(await window.cofferCore.get(rows[0].id, '')).content : null;
  });
  check(shop?.login?.password === 's3,cret' && shop?.notes === 'first line', `the mapped CSV's item: ${JSON.stringify(shop)}`);
  console.log('export and import: ok');
} catch (e) {
  await failureShots(browser, 'exchange-failure');
  throw e;
} finally {
  await browser.close();
}
