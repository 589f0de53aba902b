// What the browser scenarios share (run.mjs, orgs.mjs): Chromium's
// launch, checks, and screenshots that also check every control's
// accessible name.
import { chromium } from 'playwright-core';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const url = process.env.COFFER_URL;
export const origin = url ? new URL(url).origin : '';
export const shots = process.env.COFFER_SHOTS ?? 'screenshots';
mkdirSync(shots, { recursive: true });

export const fail = (msg) => { throw new Error(msg); };
export const check = (ok, msg) => { if (!ok) fail(msg); };

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

// unnamedControls lists the controls on the page that a screen reader
// would announce without a name (Chromium's own accessibility tree).
const named = new Set(['button', 'textbox', 'checkbox', 'combobox', 'spinbutton', 'link', 'searchbox', 'slider', 'radio', 'switch', 'listbox', 'progressbar', 'meter', 'timer']);
//
// One DevTools session per page, kept for the page's life: detaching a
// session ends the page's WebAuthn environment (Chromium drops the
// virtual authenticators a scenario plugged in, and a get() then waits
// for a real key that never comes).
const sessions = new WeakMap();
export async function unnamedControls(page) {
  let cdp = sessions.get(page);
  if (!cdp) {
    cdp = await page.context().newCDPSession(page);
    sessions.set(page, cdp);
  }
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  return nodes.filter((n) => !n.ignored && named.has(n.role?.value) && !String(n.name?.value ?? '').trim())
    .map((n) => `${n.role.value} (DOM node ${n.backendDOMNodeId})`);
}

// shot writes a screenshot of a main screen and checks, on the same
// screen, that every control has a name a screen reader reads.
export async function shot(page, name, opts = {}) {
  // A full-page shot from the top: sticky bars stay where a person sees them.
  if (opts.fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, `${name}.png`), ...opts });
  const missing = await unnamedControls(page);
  check(missing.length === 0, `${name}: controls without an accessible name: ${missing.join(', ')}`);
  const wide = await overflow(page);
  check(!wide, `${name}: wider than the window: ${wide}`);
}

// overflow names what sticks out of the window sideways, if anything: a
// page that scrolls sideways, or a box that draws past the window's edge
// (issue 24: at 375 px the page was 421 px wide; a table's last column
// was cut off).
export async function overflow(page) {
  return page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const past = [...document.querySelectorAll('body *')].filter((el) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= w + 1 || getComputedStyle(el).position === 'fixed') return false;
      // Inside a box that scrolls sideways on purpose (tabs, the vaults
      // row), or one the drawer hides: not past the window.
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.visibility === 'hidden' || s.position === 'fixed') return false;
      }
      return true;
    });
    if (document.documentElement.scrollWidth <= w && past.length === 0) return '';
    const names = past.slice(0, 5).map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')} (right ${Math.round(el.getBoundingClientRect().right)})`);
    return `page ${document.documentElement.scrollWidth} px wide in ${w}: ${names.join(', ')}`;
  });
}

// failureShots writes what each open page showed when a scenario failed.
export async function failureShots(browser, prefix) {
  let i = 0;
  for (const ctx of browser.contexts()) {
    for (const p of ctx.pages()) await p.screenshot({ path: join(shots, `${prefix}-${i++}.png`), fullPage: true }).catch(() => undefined);
  }
}

// signUp opens url + path in a new browser context of its own (one per
// person, with the clipboard allowed; onPage(page) first, awaited, so that
// what it sets up sees the first load) and submits the sign-up form; the
// caller waits for what comes next (the Passwords screen, or a held
// sign-up's code).
export async function signUp(browser, { email, name, password, path = '', onPage = () => undefined }) {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const page = await ctx.newPage();
  await onPage(page); // listeners that must see the whole visit (a request recorder)
  await page.goto(url + path);
  await page.getByRole('heading', { name: 'Create your account' }).waitFor({ timeout: 30000 });
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Master password', { exact: true }).fill(password);
  await page.getByLabel('Master password again').fill(password);
  await page.getByRole('button', { name: 'Create your account' }).click();
  return page;
}

// logIn opens the app in a new context and logs email in; it resolves
// when Passwords shows.
export async function logIn(browser, email, password) {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(url + 'login');
  await page.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 30000 });
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Master password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByRole('heading', { name: 'Passwords', exact: true }).waitFor({ timeout: 30000 });
  return page;
}

// bridge calls the page's client core and parses its JSON answer.
export const bridge = (page, name, ...args) => page.evaluate(([n, a]) => window.cofferCore[n](...a).then((s) => JSON.parse(s)), [name, args]);

// totp is RFC 6238 (SHA-1, 6 digits, 30 s) of a base32 secret at time t
// (ms): the code an authenticator app shows.
export function totp(secret, t) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 30000)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}
