// Browser test of the web app (issue 16, part 1): Debian's Chromium driven
// by playwright-core against a real `coffer serve` (COFFER_URL), started by
// cmd/coffer's TestWebAppInChromium. Screenshots go to COFFER_SHOTS.
// Exits non-zero with a message on the first failed check.
import { check, failureShots, fail, launch, origin, shot, shots, url } from './lib.mjs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';

// RFC 6238 (SHA-1, 30 s, 6 digits), computed here, independently of Coffer.
function totp(base32, t = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of base32.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const off = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

async function newItem(page, type, name, fill) {
  await page.getByRole('link', { name: 'New item' }).first().click();
  await page.getByLabel('Type').selectOption(type);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await fill();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name }).waitFor();
}

async function open(page, name) {
  await page.locator('.item-list .entry', { hasText: name }).first().click();
  await page.getByRole('heading', { name }).waitFor();
}
const browser = await launch();
try {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const page = await ctx.newPage();
  // The request recorder: every request of the scenario.
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url(), body: r.postData() ?? '' }));
  // No native dialog ever (confirm(), alert()): the app asks in its own.
  const dialogs = [];
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  let master = 'violet kettle harbour 1987';
  const oldMaster = master;
  const secret = 'S3cr3t-of-the-router!';
  const resp = await page.goto(url);
  const csp = resp.headers()['content-security-policy'] ?? '';
  check(csp.includes("default-src 'self'") && csp.includes("'wasm-unsafe-eval'") && !csp.includes('unsafe-inline') && csp.includes("frame-ancestors 'none'"),
    `weak or missing CSP: ${csp}`);

  // Sign up, with the strength meter.
  await page.getByRole('heading', { name: 'Create your account' }).waitFor({ timeout: 20000 });
  await shot(page, 'signup-light');
  await page.getByLabel('E-mail').fill('ada@web.example');
  await page.getByLabel('Your name').fill('Ada');
  await page.getByLabel('Master password', { exact: true }).fill('short');
  check((await page.locator('#strength').textContent()).startsWith('Too short'), 'no too-short hint');
  await page.getByLabel('Master password', { exact: true }).fill(master);
  check(/Good|Strong/.test(await page.locator('#strength').textContent()), 'strength meter does not rate a long passphrase');
  await page.getByLabel('Master password again').fill(master);
  await page.getByRole('button', { name: 'Create your account' }).click();
  await page.getByRole('heading', { name: 'Passwords' }).waitFor({ timeout: 30000 });

  // Add a login whose name is markup: it must render as text.
  const evil = '<img src=x onerror=alert(1)>';
  await page.getByRole('link', { name: 'New item' }).first().click();
  await page.getByLabel('Name', { exact: true }).fill(evil);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password', { exact: true }).fill(secret);
  await page.getByLabel('URL').fill('https://router.example');
  await page.getByRole('button', { name: 'Generate a password' }).click();
  await shot(page, 'editor-light');
  // The generator: character sets, length, passphrases.
  const generated = () => page.locator('#generated').textContent();
  await page.getByLabel('Length').fill('32');
  for (const set of ['A–Z', '0–9', 'Symbols']) await page.getByLabel(set).uncheck();
  await page.waitForFunction(() => /^[a-z]{32}$/.test(document.getElementById('generated').textContent));
  await page.getByLabel('0–9').check();
  await page.waitForFunction(() => /^(?=.*[0-9])[a-z0-9]{32}$/.test(document.getElementById('generated').textContent));
  await page.getByLabel('Passphrase').check();
  await page.getByLabel('Words').fill('7');
  await page.waitForFunction(() => document.getElementById('generated').textContent.split('-').length === 7);
  check(/^[a-z]+(-[a-z]+){6}$/.test(await generated()), `a passphrase looks like ${await generated()}`);
  await page.getByRole('button', { name: 'Close the generator' }).click();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: evil }).waitFor();
  check(await page.locator('img[src="x"]').count() === 0, 'an item name was rendered as HTML');
  check((await page.locator('dd .masked').count()) >= 1, 'the password is not masked');
  await page.getByRole('button', { name: 'Reveal secrets' }).click();
  await page.getByText(secret).waitFor();
  await page.getByRole('button', { name: 'Hide secrets' }).click();

  await page.getByRole('link', { name: 'New item' }).first().click();
  await page.getByLabel('Type').selectOption('note');
  await page.getByLabel('Name', { exact: true }).fill('Wi-Fi guests');
  await page.getByLabel('Notes').fill('network: coffee-and-cake');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Wi-Fi guests' }).waitFor();
  await shot(page, 'passwords-light');

  // One item of every other type.
  const totpSecret = 'JBSWY3DPEHPK3PXP';
  await newItem(page, 'login', 'Bank', async () => {
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password', { exact: true }).fill('bank-pass-1');
    await page.locator('#item-totp').fill(totpSecret);
  });
  const shown = await page.locator('#totp-code').textContent();
  const now = Date.now();
  check([totp(totpSecret, now - 30000), totp(totpSecret, now), totp(totpSecret, now + 30000)].includes(shown),
    `TOTP code ${shown} is not RFC 6238's ${totp(totpSecret, now)}`);
  await newItem(page, 'secret', 'Deploy keys', async () => {
    await page.locator('#secret-key-0').fill('AWS_ACCESS_KEY_ID');
    await page.locator('#secret-value-0').fill('AKIAWEBEXAMPLE');
    await page.getByRole('button', { name: 'Add a key' }).click();
    await page.locator('#secret-key-1').fill('AWS_SECRET');
    await page.locator('#secret-value-1').fill('very-secret-value');
  });
  await newItem(page, 'card', 'Company card', async () => {
    await page.getByLabel('Card holder').fill('Ada Lovelace');
    await page.getByLabel('Card number').fill('4111111111111111');
    await page.getByLabel('Expiry').fill('12/29');
    await page.getByLabel('CVV').fill('123');
  });
  await page.getByRole('button', { name: 'Reveal secrets' }).click();
  await page.getByText('4111111111111111').waitFor();
  await shot(page, 'item-card-light');

  // An identity and an SSH key (issue 26): their fields are the client
  // core's list; the passport number and the private key are masked; the
  // fingerprint is the core's, shown as the key is pasted and saved.
  await page.getByRole('link', { name: 'New item' }).first().click();
  await page.getByLabel('Type').selectOption('identity');
  await page.getByLabel('Name', { exact: true }).fill('Ada at home');
  for (const [label, value] of [['First name', 'Ada'], ['Last name', 'Lovelace'], ['E-mail', 'ada@example.com'], ['Phone', '+44 20 7946 0000'],
    ['Address', '12 St James\'s Square'], ['City', 'London'], ['Postal code', 'SW1Y 4JH'], ['Country', 'GB']]) {
    await page.getByLabel(label, { exact: true }).fill(value);
  }
  await page.getByLabel('Passport number').fill('P7654321');
  check(await page.getByLabel('Passport number').getAttribute('type') === 'password', 'the passport number is not masked in the editor');
  await shot(page, 'editor-identity-light', { fullPage: true });
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Ada at home' }).waitFor();
  check(await page.getByText('P7654321').count() === 0, 'the passport number is shown unmasked');
  await page.getByText('ada@example.com').first().waitFor();
  await shot(page, 'item-identity-light');
  const sshPrivate = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACA6a8EAQ1HGf/rE3LB8wDuP7uri9CDn5MMQuvABd2QuhAAAAJAhJZCyISWQ\nsgAAAAtzc2gtZWQyNTUxOQAAACA6a8EAQ1HGf/rE3LB8wDuP7uri9CDn5MMQuvABd2QuhA\nAAAEAMrvfhslvvxkk8h+JPTA6DZfgNF2GNtUxI9n6UeLfJHTprwQBDUcZ/+sTcsHzAO4/u\n6uL0IOfkwxC68AF3ZC6EAAAACmFubkBsYXB0b3ABAgM=\n-----END OPENSSH PRIVATE KEY-----\n";
  const sshPublic = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDprwQBDUcZ/+sTcsHzAO4/u6uL0IOfkwxC68AF3ZC6E ann@laptop";
  const sshFingerprint = "SHA256:qykbumewGw5cYZBEiEVaHwaUoZA537mk2TjvVrKnCKU";
  await page.getByRole('link', { name: 'New item' }).first().click();
  await page.getByLabel('Type').selectOption('ssh-key');
  await page.getByLabel('Name', { exact: true }).fill('Laptop key');
  await page.getByLabel('Private key').fill(sshPrivate);
  // The core reads the public key and its fingerprint as it is pasted.
  await page.waitForFunction((fp) => document.getElementById('ssh_key-fingerprint')?.value === fp, sshFingerprint);
  check(await page.locator('#ssh_key-private_key.masked-text').count() === 1, 'the private key is not masked in the editor');
  await shot(page, 'editor-ssh-key-light', { fullPage: true });
  await page.getByLabel('Public key').fill('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl other@host');
  await page.getByText(/not the private key's/).first().waitFor();
  await shot(page, 'editor-ssh-key-mismatch-light');
  await page.getByLabel('Public key').fill(sshPublic);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Laptop key' }).waitFor();
  await page.locator('dd .value', { hasText: sshFingerprint }).waitFor();
  check(await page.getByText('OPENSSH PRIVATE KEY').count() === 0, 'the private key is shown unmasked');
  await page.getByRole('button', { name: 'Reveal secrets' }).click();
  await page.getByText(/BEGIN OPENSSH PRIVATE KEY/).waitFor();
  await shot(page, 'item-ssh-key-light');
  await page.getByRole('button', { name: 'Hide secrets' }).click();
  // The search finds a key by its comment and an identity by its e-mail;
  // the filters are the core's types.
  for (const [query, name] of [['ann@laptop', 'Laptop key'], ['ada@example', 'Ada at home']]) {
    await page.getByLabel('Search').fill(query);
    await page.waitForFunction((n) => { const e = [...document.querySelectorAll('.item-list .entry')]; return e.length === 1 && e[0].textContent.includes(n); }, name);
  }
  await page.getByLabel('Search').fill('');
  await page.getByRole('button', { name: 'SSH keys' }).click();
  await page.locator('.item-list .entry', { hasText: 'Laptop key' }).waitFor();
  check(await page.locator('.item-list .entry').count() === 1, 'the SSH keys filter shows other items');
  await shot(page, 'list-ssh-keys-light');
  await page.getByRole('button', { name: 'All items' }).click();

  // Files: a file item, and an attachment, uploaded with progress and
  // downloaded (verified by the client core) byte for byte.
  const scan = randomBytes(700 * 1024 + 13);
  await page.getByRole('link', { name: 'New item' }).first().click();
  await page.getByLabel('Type').selectOption('file');
  await page.locator('#item-file').setInputFiles({ name: 'passport.pdf', mimeType: 'application/pdf', buffer: scan });
  // The item gets the person's name; the file keeps its own (issue 24:
  // it was saved as "Passport scan.txt").
  await page.getByLabel('Name', { exact: true }).fill('Passport scan');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Passport scan' }).waitFor({ timeout: 20000 });
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download passport.pdf' }).click()]);
  check(Buffer.compare(readFileSync(await dl.path()), scan) === 0, 'the downloaded file differs from the uploaded one');
  check(dl.suggestedFilename() === 'passport.pdf', `the file item downloads as ${dl.suggestedFilename()}, want passport.pdf`);
  await shot(page, 'item-file-light');
  await open(page, 'Company card');
  const codes = Buffer.from('1111-2222\n3333-4444\n');
  await page.locator('.upload input[type=file]').setInputFiles({ name: 'pin.txt', mimeType: 'text/plain', buffer: codes });
  await page.getByRole('button', { name: 'Download pin.txt' }).waitFor({ timeout: 20000 });
  const [dl2] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download pin.txt' }).click()]);
  check(readFileSync(await dl2.path()).equals(codes), 'the downloaded attachment differs');
  check(dl2.suggestedFilename() === 'pin.txt', `the attachment downloads as ${dl2.suggestedFilename()}, want pin.txt`);
  await page.getByText('its hash checked out').waitFor();

  // Edit, then the history: restore one field, roll back a revision.
  await open(page, 'Bank');
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Password', { exact: true }).fill('bank-pass-2');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Revision').locator('..').getByText('2', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'History' }).click();
  await page.getByRole('heading', { name: 'History' }).waitFor();
  await shot(page, 'history-light');
  await page.getByRole('button', { name: 'Restore password from revision 1' }).click();
  await page.locator('li.revision[data-revision="3"]').waitFor();
  check((await page.locator('li.revision[data-revision="3"]').textContent()).includes('password restored from revision 1'), 'restore-field is not labelled');
  await page.getByRole('button', { name: 'Roll back to revision 2' }).click();
  await page.locator('li.revision[data-revision="4"]').waitFor();
  check((await page.locator('li.revision[data-revision="4"]').textContent()).includes('rolled back to revision 2'), 'rollback is not labelled');
  await page.getByRole('button', { name: 'Close' }).first().click();
  await page.getByRole('button', { name: 'Reveal secrets' }).click();
  await page.getByText('bank-pass-2').waitFor();

  // Trash and restore.
  await open(page, 'Deploy keys');
  await page.getByRole('button', { name: 'Move to trash' }).click();
  await page.waitForFunction(() => ![...document.querySelectorAll('.item-list .entry .name')].some((e) => e.textContent === 'Deploy keys'));
  await page.getByRole('link', { name: 'Trash' }).click();
  await shot(page, 'trash-light');
  await page.getByRole('button', { name: 'Restore Deploy keys' }).click();
  await page.getByText('The trash is empty').waitFor();
  await page.getByRole('link', { name: 'All vaults' }).click();
  await page.locator('.item-list .entry', { hasText: 'Deploy keys' }).waitFor();

  // Live: a second browser logs in; an edit in one appears in the other
  // without a reload; an item added with the CLI appears in both.
  const ctxB = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const pageB = await ctxB.newPage();
  pageB.on('request', (r) => requests.push({ url: r.url(), body: r.postData() ?? '' }));
  await pageB.goto(url);
  await pageB.getByRole('button', { name: 'Log in', exact: true }).click();
  await pageB.getByLabel('E-mail').fill('ada@web.example');
  await pageB.getByLabel('Master password').fill(master);
  await pageB.getByRole('button', { name: 'Log in', exact: true }).click();
  await pageB.getByRole('heading', { name: 'Passwords' }).waitFor({ timeout: 30000 });
  await open(pageB, 'Wi-Fi guests');
  await open(page, 'Wi-Fi guests');
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Notes').fill('network: tea-and-biscuits');
  const edited = Date.now();
  await page.getByRole('button', { name: 'Save' }).click();
  // The other browser shows it live, without a reload; how fast is
  // logged, not checked: on a loaded machine it arrives when it does
  // (issue 23: a 2 s bound failed there).
  await pageB.getByText('network: tea-and-biscuits').waitFor();
  const liveMs = Date.now() - edited;
  if (process.env.COFFER_BIN) {
    const cfg = mkdtempSync(join(tmpdir(), 'coffer-cli-'));
    const run = (args, input, env = {}) => execFileSync(process.env.COFFER_BIN, args, { input, env: { ...process.env, COFFER_CONFIG_DIR: cfg, ...env } }).toString();
    run(['login', '--server', origin, '--email', 'ada@web.example', '--password-stdin'], master + '\n');
    const session = run(['unlock', '--password-stdin', '--raw'], master + '\n').trim();
    run(['item', 'add', '--type', 'note', '--name', 'From the CLI', '--note', 'typed in a terminal',
      '--text-field', 'floor=3rd', '--url-field', 'wiki=https://wiki.example/door', '--field', 'door code=4711'], '', { COFFER_SESSION: session });
    await page.locator('.item-list .entry', { hasText: 'From the CLI' }).waitFor();
    await pageB.locator('.item-list .entry', { hasText: 'From the CLI' }).waitFor();
    // Its custom fields show in the browser (issue 24, defect 7: they never
    // did), each as the client core lists it: the hidden one masked.
    await open(page, 'From the CLI');
    const item = page.locator('article.item');
    await item.getByText('3rd', { exact: true }).waitFor();
    await item.getByRole('link', { name: 'Open wiki' }).waitFor();
    check(await item.getByText('4711').count() === 0, 'a hidden custom field shows in clear');
    await item.getByRole('button', { name: 'Reveal secrets' }).click();
    await item.getByText('4711', { exact: true }).waitFor();
    await item.getByRole('button', { name: 'Hide secrets' }).click();
  }
  // A conflict: A edits Bank while B saves first; A's save shows both and
  // A chooses.
  await open(page, 'Bank');
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Username').fill('ada-from-a');
  await open(pageB, 'Bank');
  await pageB.getByRole('button', { name: 'Edit' }).click();
  await pageB.getByLabel('Username').fill('ada-from-b');
  await pageB.getByRole('button', { name: 'Save' }).click();
  await pageB.locator('.item dd', { hasText: 'ada-from-b' }).waitFor();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Someone else saved first' }).waitFor({ timeout: 10000 });
  await page.locator('.conflict').getByText('ada-from-b').waitFor();
  await page.locator('.conflict').getByText('ada-from-a').waitFor();
  await shot(page, 'conflict-light');
  await page.getByRole('button', { name: 'Save mine over theirs' }).click();
  await page.getByRole('heading', { name: 'Bank' }).waitFor();
  await pageB.locator('.item dd', { hasText: 'ada-from-a' }).waitFor();

  // The server goes away mid-edit: a banner, nothing lost, and the save
  // works once it is back.
  await open(page, 'Wi-Fi guests');
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Notes').fill('network: offline edit');
  await page.route('**/api/v1/**', (r) => r.abort('internetdisconnected'));
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('The server cannot be reached; retrying').waitFor({ timeout: 10000 });
  check(await page.getByLabel('Notes').inputValue() === 'network: offline edit', 'the edit was lost while the server was away');
  await shot(page, 'offline-light');
  await page.unroute('**/api/v1/**');
  // The only console errors meanwhile: the requests the "network" refused.
  check(consoleErrors.every((m) => m.includes('ERR_INTERNET_DISCONNECTED')), `console errors while offline: ${consoleErrors.join(' | ')}`);
  consoleErrors.length = 0;
  await page.getByText('The server cannot be reached; retrying').waitFor({ state: 'hidden', timeout: 10000 });
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Wi-Fi guests' }).waitFor();
  await pageB.locator('.item-list .entry', { hasText: 'Wi-Fi guests' }).click();
  await pageB.locator('.item dd', { hasText: 'network: offline edit' }).waitFor();
  await ctxB.close();

  // Account: the fingerprint the CLI shows; change the master password
  // here — the CLI then unlocks only with the new one.
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
  const fp = (await page.locator('#fingerprint').textContent()).trim();
  check(new URL(page.url()).pathname === '/account/profile', `the account's address is ${page.url()}`);
  await page.getByRole('link', { name: 'Security' }).click();
  const next = 'a new master password for ada 2';
  await page.getByLabel('Current master password').fill(master);
  await page.getByLabel('New master password', { exact: true }).fill(next);
  await page.getByLabel('New master password again').fill(next);
  await page.getByRole('button', { name: 'Change the master password' }).click();
  await page.getByRole('status').filter({ hasText: 'Master password changed' }).waitFor({ timeout: 20000 });
  master = next;
  // Raise Argon2id: lowering is refused, "Time it" measures, raising the
  // passes to 4 shows on the account; every later unlock (the idle lock
  // below, the CLI) derives with them.
  await page.locator('#kdf-pw').fill('not the password at all');
  await page.getByLabel('Passes (t)').fill('2');
  await page.getByRole('button', { name: 'Raise the parameters' }).click();
  check(await page.getByLabel('Passes (t)').evaluate((el) => el.validity.rangeUnderflow), 'lowering the passes was not refused');
  check(await page.getByText('now 3', { exact: true }).count() === 1, 'the passes changed although lowering was refused');
  await page.getByLabel('Passes (t)').fill('4');
  await page.getByRole('button', { name: 'Time it' }).click();
  await page.getByRole('status').filter({ hasText: 'an unlock takes about' }).waitFor({ timeout: 20000 });
  await page.getByRole('button', { name: 'Raise the parameters' }).click();
  await page.getByText(/wrong master password/i).waitFor({ timeout: 20000 });
  await page.locator('#kdf-pw').fill(master);
  await page.getByRole('button', { name: 'Raise the parameters' }).click();
  await page.getByRole('status').filter({ hasText: 'Argon2id is now t=4' }).waitFor({ timeout: 20000 });
  await shot(page, 'account-security-light', { fullPage: true });
  await page.getByRole('link', { name: 'Profile' }).click();
  await page.locator('.account dl').filter({ hasText: 't=4, 64 MiB' }).waitFor();
  await shot(page, 'account-light', { fullPage: true });
  if (process.env.COFFER_BIN) {
    const cfg = mkdtempSync(join(tmpdir(), 'coffer-cli-'));
    const run = (args, input) => execFileSync(process.env.COFFER_BIN, args, { input, env: { ...process.env, COFFER_CONFIG_DIR: cfg } }).toString();
    let refused = false;
    try { run(['login', '--server', origin, '--email', 'ada@web.example', '--password-stdin'], oldMaster + '\n'); } catch { refused = true; }
    check(refused, 'the old master password still logs in after the change in the browser');
    run(['login', '--server', origin, '--email', 'ada@web.example', '--password-stdin'], master + '\n');
    check(run(['fingerprint']).includes(fp), `the CLI's fingerprint differs from the browser's ${fp}`);

    // Account recovery: an owner (with the CLI) offers it; ada enrols here.
    const ocfg = mkdtempSync(join(tmpdir(), 'coffer-owner-'));
    const orun = (args, input, env = {}) => execFileSync(process.env.COFFER_BIN, args, { input, env: { ...process.env, COFFER_CONFIG_DIR: ocfg, ...env } }).toString();
    const opw = 'the owner of the guild 42\n';
    orun(['signup', '--server', origin, '--email', 'boss@web.example', '--name', 'Boss', '--password-stdin'], opw);
    const osess = { COFFER_SESSION: orun(['unlock', '--password-stdin', '--raw'], opw).trim() };
    orun(['org', 'create', 'Guild'], '', osess);
    const inviteCode = /Confirmation code: (\S+)/.exec(orun(['org', 'invite', 'Guild', 'ada@web.example'], '', osess))[1];
    const asess = { COFFER_SESSION: run(['unlock', '--password-stdin', '--raw'], master + '\n').trim() };
    execFileSync(process.env.COFFER_BIN, ['org', 'join', 'Guild', '--code', inviteCode], { env: { ...process.env, COFFER_CONFIG_DIR: cfg, ...asess } });
    orun(['org', 'confirm', 'Guild', 'ada@web.example'], '', osess);
    orun(['org', 'recovery', 'Guild', 'enable'], '', osess);
    await page.getByRole('link', { name: 'Passwords', exact: true }).click();
    await open(page, 'Bank');
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.getByRole('link', { name: 'Recovery' }).click();
    await page.getByRole('button', { name: "Enrol in Guild's recovery" }).click({ timeout: 20000 });
    // A dialog says what enrolling means; its button enrols.
    const enrol = page.getByRole('alertdialog', { name: "Enrol in Guild's recovery?" });
    await enrol.getByText('could then open everything you can').waitFor();
    await shot(page, 'recovery-enrol-light');
    await enrol.getByRole('button', { name: "Enrol in Guild's recovery" }).click();
    await page.getByRole('button', { name: "Leave Guild's recovery" }).waitFor({ timeout: 10000 });
    check(orun(['org', 'recovery', 'Guild'], '', osess).includes('ada@web.example'), 'the owner does not see the enrolment made in the browser');
  }

  // Locks itself after the idle time (set short here).
  await page.evaluate(() => localStorage.setItem('coffer.idleMinutes', '0.05'));
  await page.getByRole('link', { name: 'Passwords', exact: true }).click();
  await page.getByRole('heading', { name: 'Unlock' }).waitFor({ timeout: 15000 });
  await page.evaluate(() => localStorage.removeItem('coffer.idleMinutes'));
  await page.getByLabel('Master password').fill(master);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('heading', { name: 'Passwords' }).waitFor({ timeout: 20000 });

  // Search.
  await page.getByLabel('Search').fill('wi-fi');
  await page.waitForFunction(() => document.querySelectorAll('.item-list .entry').length === 1);
  await page.getByLabel('Search').fill('');
  const total = process.env.COFFER_BIN ? 9 : 8; // with the identity and the SSH key
  await page.waitForFunction((n) => document.querySelectorAll('.item-list .entry').length === n, total);

  // An injected inline script does not run (CSP), and the browser says
  // why.
  const early = consoleErrors.filter((m) => !m.includes('ERR_INTERNET_DISCONNECTED')); // a retry aborted just before the network came back
  check(early.length === 0, `console errors: ${early.join(' | ')}`);
  consoleErrors.length = 0;
  await page.evaluate(() => { const s = document.createElement('script'); s.textContent = 'window.__pwned = 1'; document.body.appendChild(s); });
  check(await page.evaluate(() => window.__pwned === undefined), 'an inline script ran despite the CSP');
  const csp2 = consoleErrors.filter((m) => !m.includes('ERR_INTERNET_DISCONNECTED'));
  check(csp2.length === 1 && csp2[0].includes('Content Security Policy'), `the CSP did not block the inline script: ${consoleErrors}`);
  consoleErrors.length = 0;

  // Dark theme, then a phone-sized screen.
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'passwords-dark');
  await page.setViewportSize({ width: 375, height: 740 });
  await shot(page, 'passwords-375', { fullPage: true });
  await page.setViewportSize({ width: 1100, height: 760 });
  await page.emulateMedia({ colorScheme: 'light' });

  // Lock; a wrong password is refused in words; the right one unlocks.
  await page.getByRole('button', { name: 'Lock' }).click();
  await page.getByRole('heading', { name: 'Unlock' }).waitFor();
  await page.getByLabel('Master password').fill('not my password at all');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('alert').filter({ hasText: 'Wrong master password.' }).waitFor({ timeout: 20000 });
  await shot(page, 'unlock-wrong-light');
  await page.getByLabel('Master password').fill(master);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('heading', { name: 'Passwords' }).waitFor({ timeout: 20000 });
  // The list fills in after the screen appears.
  await page.waitForFunction((n) => document.querySelectorAll('.item-list .entry').length === n, total, { timeout: 10000 });

  // A reload of the tab: locked (keys lived in the wasm memory only).
  await page.reload();
  await page.getByRole('heading', { name: 'Unlock' }).waitFor({ timeout: 20000 });
  // Unlocking after the reload opens the device cache (IndexedDB): the
  // sync asks only for what changed since.
  const mark = requests.length;
  await page.getByLabel('Master password').fill(master);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('heading', { name: 'Passwords' }).waitFor({ timeout: 20000 });
  await page.waitForFunction((n) => document.querySelectorAll('.item-list .entry').length === n, total, { timeout: 10000 });
  const syncs = requests.slice(mark).filter((r) => r.url.includes('/api/v1/sync'));
  check(syncs.length > 0 && syncs.every((r) => !/[?&]since=0(&|$)/.test(r.url) && /[?&]since=\d+/.test(r.url)),
    `the unlock after a reload synced in full, not from the device cache: ${syncs.map((r) => r.url)}`);
  // The cache holds nothing typed in clear.
  const idb = await page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name).filter((n) => n.startsWith('coffer-cache-'));
    let text = '';
    for (const name of names) {
      const db = await new Promise((ok, no) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
      const all = await new Promise((ok) => { const r = db.transaction('kv').objectStore('kv').getAll(); r.onsuccess = () => ok(r.result); });
      for (const v of all) text += new TextDecoder('latin1').decode(v);
      db.close();
    }
    return { names, size: text.length, text };
  });
  check(idb.names.length === 1 && idb.size > 0, `no device cache in IndexedDB: ${JSON.stringify(idb.names)}`);
  for (const typed of [secret, 'coffee-and-cake', 'AKIAWEBEXAMPLE', '4111111111111111', 'Wi-Fi guests', 'ada-from-a']) {
    check(!idb.text.includes(typed), `"${typed}" is in the device cache in clear`);
  }

  // Keyboard only: a new note, lock and unlock, without the mouse.
  await page.getByRole('link', { name: 'New item' }).first().focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'item-name');
  await page.keyboard.type('Typed with keys');
  await page.keyboard.press('Enter'); // submits the form
  await page.getByRole('heading', { name: 'Typed with keys' }).waitFor();
  await page.getByRole('button', { name: 'Lock' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Unlock' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'password');
  await page.keyboard.type(master);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Passwords' }).waitFor({ timeout: 20000 });

  // Nothing left the origin, nothing typed left the browser in clear,
  // and no script could have shown a dialog.
  for (const r of requests) {
    check(r.url.startsWith(origin + '/'), `a request went elsewhere: ${r.url}`);
    for (const typed of [master, oldMaster, secret, 'coffee-and-cake', 'Wi-Fi guests', 'router.example', totpSecret, 'AKIAWEBEXAMPLE', '4111111111111111', 'bank-pass-2', 'tea-and-biscuits', '1111-2222', 'offline edit', 'ada-from-a']) {
      check(!r.url.includes(typed) && !r.body.includes(typed), `"${typed}" left the browser in clear: ${r.url}`);
    }
  }
  check(dialogs.length === 0, `a dialog opened: ${dialogs}`);
  check(await page.locator('.banner.tamper').count() === 0, 'a tampering banner showed for an honest server');
  const store = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  for (const typed of [master, secret, 'coffee-and-cake']) {
    check(!store.includes(typed), `"${typed}" is in browser storage in clear`);
  }
  const late = consoleErrors.filter((m) => !m.includes('ERR_INTERNET_DISCONNECTED')); // a retry aborted just before the network came back
  check(late.length === 0, `console errors: ${late.join(' | ')}`);
  console.log(`web app scenario passed: ${requests.length} requests, all to ${origin}; an edit reached the other browser in ${liveMs} ms`);
} catch (e) {
  await failureShots(browser, 'failure');
  throw e;
} finally {
  await browser.close();
}
