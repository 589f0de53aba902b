// Issue 24, defect 1: the client core must never stop under the page. Run
// by cmd/coffer's TestWebAppCoreNeverStops against a real `coffer serve`
// (COFFER_URL) that RESTART_URL restarts on the same address and data.
//
// What the report did, in rounds: one account open in three tabs of one
// browser (A1, A2, A3), its master password changed in A1 (every second
// round signing the other sessions out), the server restarted under every
// open live stream while A2's edits flow, then log-ins from two new
// browser contexts at once, lock and unlock in A3, and the bridge called
// as a page that mounts calls it — status, then watch — while the edits
// keep every session syncing and writing its device cache. Then a page
// bug: a live-update callback that throws, and an attach handed bytes of
// the wrong type.
//
// Every tab is watched from its first load for the signs of a stopped
// core (Go's "exit code", "Go program has already exited", a fatal error
// or panic), and every bridge call has a deadline (a core stuck in a
// deadlock answers nothing). The scenario waits for events, never for
// time; its loops are bounded and it stops by itself.
import { check, failureShots, fail, launch, url } from './lib.mjs';
import { randomBytes } from 'node:crypto';

const restartURL = process.env.RESTART_URL ?? fail('RESTART_URL is not set');
const rounds = Number(process.env.COFFER_ROUNDS ?? 3);
const email = 'stress@web.example';
const pw = (n) => `tidal copper lantern ${n} harbour`;

// Signs that a tab's core stopped: Go's own words on the console, or an
// error the page could not catch.
const stopSign = /exit code|Go program has already exited|fatal error|^panic:|all goroutines are asleep/;
const tabs = [];
function watchTab(page, label) {
  const tab = { page, label, stops: [], logs: [] };
  let stopped;
  tab.stopped = new Promise((_, reject) => { stopped = reject; });
  tab.stopped.catch(() => undefined);
  const saw = (text) => {
    tab.logs.push(text);
    if (tab.logs.length > 400) tab.logs.shift();
    if (stopSign.test(text)) {
      tab.stops.push(text);
      stopped(new Error(`${label}: the client core stopped: ${text}`));
    }
  };
  page.on('console', (m) => saw(m.text()));
  page.on('pageerror', (e) => saw(String(e?.message ?? e)));
  page.on('crash', () => saw('fatal error: the tab crashed'));
  tabs.push(tab);
  return tab;
}

// within runs p, failing when the tab's core stops first or nothing
// happens for ms (a deadlocked core answers nothing, ever).
async function within(tab, what, p, ms = 60000) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${tab.label}: ${what}: no answer in ${ms / 1000} s (a stuck core?)`)), ms); });
  try {
    return await Promise.race([p, tab.stopped, late]);
  } finally {
    clearTimeout(timer);
  }
}

// bridge calls the page's own client core (globalThis.cofferCore).
const bridge = (tab, what, fn, arg, ms) => within(tab, what, tab.page.evaluate(fn, arg), ms);

async function alive(tab) {
  const st = await bridge(tab, 'status', async () => JSON.parse(await globalThis.cofferCore.status()), undefined, 20000);
  check(['none', 'locked', 'unlocked'].includes(st.state), `${tab.label}: status answered ${JSON.stringify(st)}`);
  check(tab.stops.length === 0, `${tab.label}: the core stopped: ${tab.stops.join(' | ')}`);
  return st;
}

async function openTab(ctx, label) {
  const page = await ctx.newPage();
  const tab = watchTab(page, label);
  await page.goto(url);
  return tab;
}

async function passwords(tab) {
  await within(tab, 'the Passwords screen', tab.page.getByRole('heading', { name: 'Passwords' }).waitFor({ timeout: 0 }));
  await within(tab, 'My Vault in the sidebar', tab.page.getByRole('navigation', { name: 'Vaults' }).getByText('My Vault').waitFor({ timeout: 0 }));
}

async function logIn(tab, password) {
  const { page } = tab;
  await within(tab, 'the log-in form', page.getByRole('button', { name: 'Log in', exact: true }).click());
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Master password').fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await passwords(tab);
}

async function unlock(tab, password) {
  const { page } = tab;
  await within(tab, 'the Unlock form', page.getByRole('heading', { name: 'Unlock' }).waitFor({ timeout: 0 }));
  await page.getByLabel('Master password').fill(password);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await passwords(tab);
}

async function lock(tab) {
  await tab.page.getByRole('button', { name: 'Lock' }).click();
  await within(tab, 'the Unlock form after Lock', tab.page.getByRole('heading', { name: 'Unlock' }).waitFor({ timeout: 0 }));
}

// edits saves n new revisions of the items, one after another, from tab's
// page. A save may fail while the server restarts or after the session
// was signed out (said in words by the page); anything else fails.
function edits(tab, ids, n) {
  return bridge(tab, `${n} edits`, async ({ ids, n }) => {
    const core = globalThis.cofferCore;
    let saved = 0;
    const expected = new Set(['offline', 'unauthorized', 'locked', 'conflict', 'error']);
    for (let i = 0; i < n; i++) {
      const id = ids[i % ids.length];
      try {
        const it = JSON.parse(await core.get(id));
        it.content.notes = `${it.content.notes.slice(0, 4000)} edit ${i} ${Math.random()}`;
        await core.update(id, JSON.stringify(it.content), 0);
        saved++;
      } catch (e) {
        if (!expected.has(e.kind) || /exited/.test(e.message)) throw new Error(`edit ${i}: ${e.kind}: ${e.message}`);
      }
    }
    return saved;
  }, { ids, n }, 180000);
}

// mounts calls the bridge as a Passwords screen does when it mounts —
// quarantined, status, list, vaults, then watch, in one turn — n times,
// each as soon as one call of the last mount answered, while other tabs'
// edits keep this session syncing and writing its cache. The live callback counts what arrives.
function mounts(tab, n) {
  return bridge(tab, `${n} mounts`, async (n) => {
    const core = globalThis.cofferCore;
    const calls = [];
    globalThis.__seen ??= 0;
    for (let i = 0; i < n; i++) {
      // The next mount comes as soon as one call of the last one answers
      // (an event, not a pause): mounts overlap the calls still running.
      if (calls.length) await Promise.race(calls.slice(-4)).catch(() => undefined);
      calls.push(core.quarantined(), core.status(), core.list('', ''), core.vaults());
      core.watch(() => { globalThis.__seen++; });
    }
    // Every call answers (an error is an answer: the session may be
    // signed out); none may hang.
    const settled = await Promise.allSettled(calls);
    const bad = settled.filter((s) => s.status === 'rejected' && (s.reason?.kind === 'internal' || /exited/.test(s.reason?.message)));
    if (bad.length) throw new Error(`mount calls failed: ${bad.map((s) => s.reason.message).join('; ')}`);
    return settled.length;
  }, n, 120000);
}

const browser = await launch();
try {
  // One browser, three tabs of one account.
  const home = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const a1 = await openTab(home, 'A1');
  await within(a1, 'the sign-up form', a1.page.getByRole('heading', { name: 'Create your account' }).waitFor({ timeout: 0 }));
  let password = pw(0);
  await a1.page.getByLabel('E-mail').fill(email);
  await a1.page.getByLabel('Your name').fill('Stress');
  await a1.page.getByLabel('Master password', { exact: true }).fill(password);
  await a1.page.getByLabel('Master password again').fill(password);
  await a1.page.getByRole('button', { name: 'Create your account' }).click();
  await passwords(a1);
  // Items whose notes do not compress, so that a sync answer spans many
  // reads and a cache write many IndexedDB requests.
  const ids = await bridge(a1, 'creating items', async (notes) => {
    const out = [];
    for (let i = 0; i < notes.length; i++) {
      out.push(JSON.parse(await globalThis.cofferCore.create('note', JSON.stringify({ name: `Stress note ${i}`, notes: notes[i] }))).id);
    }
    return out;
  }, Array.from({ length: 24 }, () => randomBytes(6000).toString('base64')), 120000);
  const a2 = await openTab(home, 'A2');
  const a3 = await openTab(home, 'A3');
  await unlock(a2, password);
  await unlock(a3, password);

  for (let round = 1; round <= rounds; round++) {
    const revoke = round % 2 === 0;
    const next = pw(round);
    // A2 edits while A1 changes the master password and the server
    // restarts under everyone's live stream.
    const flowing = edits(a2, ids, 30);
    await bridge(a1, 'changing the master password', async ({ cur, next, revoke }) =>
      JSON.parse(await globalThis.cofferCore.password(cur, next, revoke ? 'revoke' : '')), { cur: password, next, revoke });
    password = next;
    const restarted = await fetch(restartURL, { method: 'POST' });
    check(restarted.ok, `restart: ${restarted.status} ${await restarted.text()}`);
    // Log-ins from two new browser contexts at once, while the open tabs'
    // live streams reconnect to the server that came back.
    const fresh = await Promise.all(['D1', 'D2'].map(async (label) => {
      const ctx = await browser.newContext({ viewport: { width: 1000, height: 700 } });
      const tab = await openTab(ctx, `${label}.${round}`);
      return { ctx, tab };
    }));
    await Promise.all(fresh.map(({ tab }) => logIn(tab, password)));
    // Signed out with the password's change: A2 and A3 lock and unlock
    // with the new password, as a person would.
    if (revoke) {
      await lock(a2);
      await unlock(a2, password);
    }
    // The edits go on while pages mount: the new contexts' and A3's.
    const more = edits(a2, ids, 30);
    await Promise.all([
      mounts(fresh[0].tab, 12),
      mounts(a3, 12),
      (async () => { await lock(fresh[1].tab); await unlock(fresh[1].tab, password); })(),
    ]);
    await lock(a3);
    await unlock(a3, password);
    await Promise.all([flowing, more]);
    for (const tab of [a1, a2, a3, ...fresh.map((f) => f.tab)]) await alive(tab);
    console.log(`round ${round}: password changed${revoke ? ' (others signed out)' : ''}, server restarted, 2 log-ins, mounts and lock/unlock; every core answers`);
    for (const { ctx } of fresh) await ctx.close();
  }

  // A page bug must not stop the core. A live-update callback that
  // throws: the core says so on the console and goes on; the next
  // edit still reaches a callback that works.
  await bridge(a3, 'a throwing live callback', async () => {
    globalThis.cofferCore.watch(() => { throw new Error('a bug in the page'); });
  });
  await edits(a2, ids, 2);
  await alive(a3);
  const live = bridge(a3, 'a live update after the throwing callback', () => new Promise((resolve) => {
    // (Not the "checked" event that ends a background signature check:
    // a change, which carries its description.)
    globalThis.cofferCore.watch((s) => { const e = JSON.parse(s); if (e.kind !== 'checked') resolve(e); });
  }), undefined, 60000);
  let got;
  live.then((c) => { got = c; }, () => undefined);
  // (Until it connects, an edit may come before the stream: edit again,
  // a bounded number of times, until one is seen.)
  for (let i = 0; i < 20 && got === undefined; i++) await edits(a2, ids, 1);
  const ev = await live;
  check(ev.kind !== 'error' && typeof ev.text === 'string', `no live update after a callback threw: ${JSON.stringify(ev)}`);
  // attach given an ArrayBuffer where a Uint8Array belongs: an error that
  // names the call (refused before it runs, or kind "internal" had it
  // panicked), and the core goes on.
  const bad = await bridge(a3, 'attach with bytes of the wrong type', async () => {
    try {
      await globalThis.cofferCore.attach('', 'x', 'x.bin', new ArrayBuffer(8));
      return { ok: true };
    } catch (e) {
      return { kind: e.kind, message: e.message };
    }
  });
  check(bad.ok !== true && ['internal', 'error'].includes(bad.kind) && bad.message.includes('attach'), `attach with an ArrayBuffer answered ${JSON.stringify(bad)}`);
  for (const tab of [a1, a2, a3]) await alive(tab);
  console.log(`page bugs answered: ${bad.message}`);
  console.log(`stress: ${rounds} rounds; no core stopped in ${tabs.length} tabs`);
} catch (e) {
  await failureShots(browser, 'stress-failed');
  // What a stopped core said last: Go's fatal error and its goroutines.
  for (const t of tabs) {
    if (!t.stops.length) continue;
    const from = Math.max(0, t.logs.findIndex((l) => stopSign.test(l)));
    console.error(`${t.label} console:\n  ${t.logs.slice(from).filter((l) => !/already exited/.test(l)).join('\n  ')}`);
  }
  throw e;
} finally {
  await browser.close();
}
