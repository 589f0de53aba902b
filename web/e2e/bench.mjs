// Measures the web app in Chromium (docs/performance.md): bytes and time of
// a first load, a cold log-in and decrypt of a big vault, the list scrolled
// to its end and its frames while scrolling, the last item opened, search
// keystrokes, unlocks. Run by scripts/bench-web.sh against a filled server
// (N items: benchfill's site-0 … site-N-1).
import { chromium } from 'playwright-core';

const [url, email, password] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const out = {};
try {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  page.on('console', (m) => { if (m.type() === 'warning' || m.type() === 'error') console.error('page:', m.text()); });
  await cdp.send('Network.enable');
  const sizes = {};
  cdp.on('Network.loadingFinished', (e) => { sizes[e.requestId] = e.encodedDataLength; });
  const urls = {};
  cdp.on('Network.responseReceived', (e) => { urls[e.requestId] = e.response.url; });
  let t0 = Date.now();
  await page.goto(url);
  await page.getByRole('heading', { name: 'Create your account' }).waitFor({ timeout: 60000 });
  out.first_load_ms = Date.now() - t0;
  out.first_load_bytes = Object.values(sizes).reduce((a, b) => a + b, 0);
  out.first_load_files = Object.keys(sizes).map((id) => `${new URL(urls[id] ?? url).pathname} ${sizes[id]}`);

  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Master password').fill(password);
  if (process.env.PROFILE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp.send('Profiler.start');
  }
  t0 = Date.now();
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('.list-head .count').filter({ hasText: /^[\d,]+ items?$/ }).waitFor({ timeout: 600000 });
  out.login_and_decrypt_ms = Date.now() - t0;
  if (process.env.PROFILE) out.profile = topFunctions((await cdp.send('Profiler.stop')).profile, 40);
  // The signatures the log-in left are checked in the background, then
  // the device cache is written (§16.7).
  out.login_until_all_signatures_checked_ms = await untilStatus(page, t0, (st) => st.checking === '0');
  out.login_until_cache_saved_ms = await untilStatus(page, t0, (st) => st.busy === 'false');
  out.count_line = await page.locator('.list-head .count').textContent();

  const n = Number(process.env.N ?? 10000);
  const last = `site-${n - 1}`;

  // Scroll to the end: from scrollTop set to the bottom until the last
  // item's row is drawn (the core sorts in natural order: site-N-1 last).
  if (process.env.PROFILE) await cdp.send('Profiler.start');
  out.scroll_to_end_ms = round(await page.evaluate(async (last) => {
    const v = document.querySelector('.vlist');
    const start = performance.now();
    v.scrollTop = v.scrollHeight;
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      if ([...document.querySelectorAll('.item-list .entry .name')].some((e) => e.textContent === last)) return performance.now() - start;
      if (performance.now() - start > 60000) throw new Error(`${last} never drawn`);
    }
  }, last));

  // Open the last item: a click on its row until its heading shows.
  out.open_last_item_ms = round(await page.evaluate(async (last) => {
    const row = [...document.querySelectorAll('.item-list .entry')].find((e) => e.querySelector('.name')?.textContent === last);
    const start = performance.now();
    row.click();
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      if (document.getElementById('item-title')?.textContent === last) return performance.now() - start;
      if (performance.now() - start > 60000) throw new Error(`${last} never opened`);
    }
  }, last));
  if (process.env.PROFILE) out.profile_scroll_open = topFunctions((await cdp.send('Profiler.stop')).profile, 30);

  // Frames while scrolling, programmatically, one step per animation
  // frame: the whole list top to bottom in 300 frames (every frame a new
  // set of rows), and a steady 48 px a frame (a quick wheel, 2,900 px/s).
  // A frame is the time between two requestAnimationFrame callbacks; a gap
  // is a frame after whose scroll the rows in view were not all drawn.
  if (process.env.PROFILE) await cdp.send('Profiler.start');
  out.scroll_whole_list_frames = await scrollFrames(page, 300, 0);
  out.scroll_steady_frames = await scrollFrames(page, 300, 48);
  if (process.env.PROFILE) out.profile_scroll = topFunctions((await cdp.send('Profiler.stop')).profile, 30);

  // Search: time from a keystroke to the list showing its result — not
  // busy, the count of matches, and the rows drawn being the right
  // matches (the list stays where it was scrolled, so the first row drawn
  // is checked against the match at its position). Narrowing,
  // broadening, matches through the user name only, none, and clearing
  // back to every item.
  const queries = ['s', 'si', 'site-9', 'site-99', 'site-999', 'site-9999', 'site-99999', '', 'example', 'user-5', 'site-12345', 'zzz', '']
    .filter((q) => !/^site-\d+$/.test(q) || Number(q.slice(5)) < n);
  const times = [];
  if (process.env.PROFILE) await cdp.send('Profiler.start');
  for (const q of queries) {
    const matches = expected(q, n);
    const t = await page.evaluate(async ({ q, matches }) => {
      const input = document.getElementById('search');
      const start = performance.now();
      input.value = q;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        const shown = Number((document.querySelector('.list-head .count')?.textContent ?? '').replace(/\D/g, ''));
        const row = document.querySelector('.item-list li');
        const at = Number(row?.getAttribute('aria-posinset') ?? 0);
        const name = row?.querySelector('.name')?.textContent;
        // aria-busy: the list does not answer what was typed yet (a
        // result equal to the one before would pass the checks early).
        const busy = document.querySelector('.item-list[aria-busy="true"]');
        if (!busy && shown === matches.length && (matches.length === 0 ? !row : at > 0 && name === `site-${matches[at - 1]}`)) return performance.now() - start;
        if (performance.now() - start > 60000) throw new Error(`search ${q}: ${shown} shown, row ${at} ${name}; want ${matches.length}`);
      }
    }, { q, matches });
    times.push([q, Math.round(t), matches.length]);
  }
  if (process.env.PROFILE) out.profile_search = topFunctions((await cdp.send('Profiler.stop')).profile, 40);
  out.search_keystroke_ms = times;

  // Lock and unlock (the profile and the device cache are there), three
  // times: the first is the figure; in_page is from the click event to
  // the count shown, by the page's own clock (without the harness's
  // click and polling).
  const unlocks = [];
  for (let k = 0; k < 3; k++) {
    await page.getByRole('button', { name: 'Lock' }).click();
    await page.getByLabel('Master password').fill(password);
    await page.evaluate(() => {
      window.__unlock = {};
      document.addEventListener('click', () => { window.__unlock.click ??= performance.now(); }, { capture: true, once: true });
      const seen = new MutationObserver(() => {
        if (/^[\d,]+ items?$/.test(document.querySelector('.list-head .count')?.textContent ?? '')) { window.__unlock.count = performance.now(); seen.disconnect(); }
      });
      seen.observe(document, { subtree: true, childList: true, characterData: true });
    });
    if (process.env.PROFILE && k === 0) await cdp.send('Profiler.start');
    t0 = Date.now();
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.locator('.list-head .count').filter({ hasText: /^[\d,]+ items?$/ }).waitFor({ timeout: 600000 });
    const ms = Date.now() - t0;
    if (process.env.PROFILE && k === 0) out.profile_unlock = topFunctions((await cdp.send('Profiler.stop')).profile, 40);
    const inPage = await page.evaluate(() => Math.round(window.__unlock.count - window.__unlock.click));
    unlocks.push({ ms, in_page_ms: inPage });
  }
  out.unlock_and_decrypt_ms = unlocks[0].ms;
  out.unlocks = unlocks;
  // Argon2id alone in this browser, with the account's parameters.
  out.argon2id_ms = JSON.parse(await page.evaluate(() => window.cofferCore.kdfTime())).ms;
  // The cold path again, in a fresh context (no profile, no cache).
  const fresh = await browser.newContext();
  const p2 = await fresh.newPage();
  await p2.goto(url);
  await p2.getByRole('button', { name: 'Log in', exact: true }).click();
  await p2.getByLabel('E-mail').fill(email);
  await p2.getByLabel('Master password').fill(password);
  t0 = Date.now();
  await p2.getByRole('button', { name: 'Log in', exact: true }).click();
  await p2.locator('.list-head .count').filter({ hasText: /^[\d,]+ items?$/ }).waitFor({ timeout: 600000 });
  out.login_and_decrypt_again_ms = Date.now() - t0;
} finally {
  await browser.close();
}
console.log(JSON.stringify(out, null, 2));

// topFunctions sums a CPU profile's samples by function: self time, and
// the total time of the functions a name prefix selects (PROFILE=1).
function topFunctions(profile, n) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const hits = new Map();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  for (const [id, count] of hits) {
    const name = byId.get(id).callFrame.functionName || '(anonymous)';
    self.set(name, (self.get(name) ?? 0) + count);
  }
  // inclusive: a function counted once per sample whose stack holds it
  const parent = new Map();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const incl = new Map();
  for (const [id, count] of hits) {
    const names = new Set();
    for (let k = id; k !== undefined; k = parent.get(k)) names.add(byId.get(k).callFrame.functionName || '(anonymous)');
    for (const name of names) incl.set(name, (incl.get(name) ?? 0) + count);
  }
  const pct = (c) => `${((100 * c) / total).toFixed(1)}%`;
  return {
    samples: total,
    self: [...self].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${pct(v)} ${k}`),
    inclusive: [...incl].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${pct(v)} ${k}`),
  };
}

// expected is what a search for q shows of benchfill's n items (site-i,
// user-i@example.com, https://sitei.example.com/login, tag bench): the
// numbers i of the matches, in the core's natural order (by i).
function expected(q, n) {
  q = q.toLowerCase();
  const out = [];
  for (let i = 0; i < n; i++) {
    if ([`site-${i}`, `user-${i}@example.com`, `https://site${i}.example.com/login`, 'bench'].some((h) => h.includes(q))) out.push(i);
  }
  return out;
}

// scrollFrames scrolls the list from its top, one step a frame (0: the
// whole list in frames steps), and sums up the frames' times.
async function scrollFrames(page, frames, step) {
  const r = await page.evaluate(async ({ frames, step }) => {
    const raf = () => new Promise((r) => requestAnimationFrame(r));
    const v = document.querySelector('.vlist');
    v.scrollTop = 0;
    await raf();
    await raf();
    const max = v.scrollHeight - v.clientHeight;
    const by = step || max / frames;
    const deltas = [];
    let gaps = 0;
    let prev = await raf();
    for (let f = 1; f <= frames; f++) {
      v.scrollTop = Math.min(max, Math.round(by * f));
      const t = await raf();
      deltas.push(t - prev);
      prev = t;
      // By now the scroll event has been handled: the rows in view must be there.
      const rows = [...v.querySelectorAll('li')].map((li) => li.getBoundingClientRect());
      const box = v.getBoundingClientRect();
      const covered = rows.some((b) => b.top <= box.top + 1) && rows.some((b) => b.bottom >= box.bottom - 1);
      if (!covered) gaps++;
    }
    return { deltas, gaps, scrolled: v.scrollTop };
  }, { frames, step });
  const d = r.deltas.slice().sort((a, b) => a - b);
  const q = (p) => round(d[Math.min(d.length - 1, Math.floor(p * d.length))]);
  return { frames: d.length, p50_ms: q(0.5), p95_ms: q(0.95), max_ms: round(d[d.length - 1]), over_33ms: d.filter((x) => x > 33.4).length, gaps: r.gaps, scrolled_px: r.scrolled };
}

function round(x) { return Math.round(x * 10) / 10; }

// untilStatus polls the bridge's status until want(status) holds, and
// returns the milliseconds since t0 (Date.now() in this process).
async function untilStatus(page, t0, want) {
  for (;;) {
    const st = JSON.parse(await page.evaluate(() => window.cofferCore.status()));
    if (want(st)) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
  }
}
