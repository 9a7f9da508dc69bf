// Shared helpers for the browser tests: a private server per test file,
// a small API client, chromium, screenshots, accessibility checks.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = join(here, 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

export const ADMIN = { email: 'admin@example.com', password: 'adminadmin1' };
/** The phone viewport every main screen is checked at. */
export const PHONE = { width: 360, height: 740 };

/** Starts `faircrowd serve` on a free port; resolves {url, stop()}. env: more
 * environment for the server (e.g. an SMTP relay); args: more flags (--demo). */
export async function startServer({ env = {}, args = [] } = {}) {
  const bin = process.env.FC_BINARY || resolve(here, '../../build-test/faircrowd');
  const data = mkdtempSync(join(tmpdir(), 'fc-e2e-'));
  const proc = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data', data, '--test-clock', ...args], {
    env: { ...process.env, FAIRCROWD_ADMIN_EMAIL: ADMIN.email, FAIRCROWD_ADMIN_PASSWORD: ADMIN.password, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr += d;
  });
  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start: ${stderr}`)), 15000);
    const rl = createInterface({ input: proc.stdout });
    rl.once('line', (line) => {
      clearTimeout(timer);
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) res(m[1]);
      else rej(new Error(`unexpected first line: ${line}`));
    });
    proc.once('exit', (code) => rej(new Error(`server exited ${code}: ${stderr}`)));
  });
  return {
    url,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => {
            proc.kill('SIGKILL');
            r();
          }, 5000);
          proc.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** A new browser context at viewport, signed in as who through the sign-in
 * form; page errors go to errors. */
export async function signInPage(browser, server, who, viewport, errors, contextOptions = {}) {
  const page = await (await browser.newContext({ viewport, ...contextOptions })).newPage();
  watchErrors(page, errors);
  await page.goto(`${server.url}/signin`);
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav .nav-user .avatar');
  return page;
}

/** A signed-in API session (cookie + CSRF token), for test setup. */
export async function apiSession(base, email, password) {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrf_token: csrf, user } = await res.json();
  const call = async (method, path, body, extra = {}) => {
    const headers = { Cookie: cookie, 'X-CSRF-Token': csrf, ...extra };
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['Content-Type'] ??= 'application/json';
    }
    const r = await fetch(`${base}/api/v1${path}`, { method, headers, body: payload });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  return { user, call };
}

/** Chromium; extraArgs are added to the usual flags (e.g. the fake microphone). */
export async function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

/** Fails the test on any page error, CSP violation or console error. */
export function watchErrors(page, bucket) {
  page.on('pageerror', (e) => bucket.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (40[0-9]|409|422|204)/.test(m.text())) bucket.push(`console: ${m.text()} @ ${JSON.stringify(m.location())} during ${process.env.FC_STEP || ''}`);
  });
}

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe-core on the whole document against WCAG 2.1 A and AA and fails
 * with one line per violating node (rule, impact, target, help) if any.
 * axe.min.js is evaluated over the DevTools protocol rather than added with
 * page.addScriptTag: the server's CSP (script-src 'self') blocks an inline
 * script tag, and the tests must not weaken the CSP they also check.
 */
export async function expectNoAxeViolations(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    axeSource ??= readFileSync(AXE_PATH, 'utf8');
    await page.evaluate(axeSource);
  }
  const violations = await page.evaluate(async (tags) => {
    const res = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })) }));
  }, AXE_TAGS);
  if (violations.length === 0) return;
  const lines = [];
  for (const v of violations) {
    for (const n of v.nodes) lines.push(`  ${v.id} (${v.impact}) ${n.target} — ${v.help}\n      ${(n.summary || '').replace(/\n\s*/g, ' ')}`);
  }
  throw new Error(`axe: ${lines.length} WCAG 2.1 AA violation(s) on ${label} at ${page.viewportSize()?.width}px:\n${lines.join('\n')}`);
}

/** Fails when the page scrolls sideways (checked at phone widths). */
export async function expectNoHorizontalScroll(page, label) {
  const { scroll, inner, culprits } = await page.evaluate(() => {
    const inner = window.innerWidth;
    const wide = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > inner + 1 && !el.closest('[hidden]'));
    const outer = wide.filter((el) => !wide.includes(el.parentElement)).slice(0, 5);
    const name = (el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + (el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : '');
    return { scroll: document.documentElement.scrollWidth, inner, culprits: outer.map(name) };
  });
  if (scroll > inner + 1) throw new Error(`${label} scrolls sideways at ${inner}px: scrollWidth ${scroll}; widest: ${culprits.join(', ')}`);
}

/** Fails when a text node on the page reads as a leaked JavaScript value:
 * exactly "null", "undefined", "false" or "NaN" (what Element.append shows
 * for an absent child), or anything with "undefined" or "[object Object]". */
export async function expectNoStrayValues(page, label) {
  const stray = await page.evaluate(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let n;
    while ((n = walker.nextNode())) {
      const t = n.textContent.trim();
      const el = n.parentElement;
      if (!t || !el || el.closest('script, style, textarea, [hidden]')) continue;
      if (/^(null|undefined|false|NaN)$/.test(t) || /\bundefined\b|\[object Object\]/.test(t)) out.push(`${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}: "${t.slice(0, 60)}"`);
    }
    return out;
  });
  if (stray.length) throw new Error(`${label} shows leaked values: ${stray.slice(0, 5).join('; ')}`);
}

/** Both checks: axe at any width, no sideways scrolling at phone widths;
 * and no leaked null/undefined on the page. */
export async function expectAccessible(page, label) {
  await expectNoStrayValues(page, label);
  await expectNoAxeViolations(page, label);
  if ((page.viewportSize()?.width ?? 1000) <= 400) await expectNoHorizontalScroll(page, label);
}

/** A screenshot in artifacts/; every screen photographed is first checked
 * with expectAccessible, so each screenshot is also an accessibility check. */
export async function shot(page, name, { full = true } = {}) {
  await expectAccessible(page, name);
  if (full) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: full, caret: 'initial' });
}

/** shot() at the PHONE viewport, then back to the viewport the page had. */
export async function shotAtPhone(page, name, opts) {
  const was = page.viewportSize();
  await page.setViewportSize(PHONE);
  await shot(page, name, opts);
  await page.setViewportSize(was);
}

/** A PNG (as a data: URL) drawn by chromium itself: sky, road, a car. */
export async function makePng(page) {
  return page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 320;
    c.height = 200;
    const g = c.getContext('2d');
    g.fillStyle = '#dbeafe';
    g.fillRect(0, 0, 320, 200);
    g.fillStyle = '#9ca3af';
    g.fillRect(0, 120, 320, 80);
    g.fillStyle = '#2563eb';
    g.fillRect(60, 100, 90, 40);
    g.fillStyle = '#111827';
    g.beginPath();
    g.arc(240, 90, 12, 0, Math.PI * 2);
    g.fill();
    return c.toDataURL('image/png');
  });
}

/** Presses Tab until the focused element matches selector (at most n presses). */
export async function tabTo(page, selector, n = 120) {
  for (let i = 0; i < n; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement && document.activeElement.matches(sel), selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** signInPage at width × height with base as the server's address; dialogs
 * are accepted. */
export async function signedInPage(browser, base, user, width, height, bucket) {
  const page = await signInPage(browser, { url: base }, user, { width, height }, bucket);
  page.on('dialog', (d) => d.accept());
  return page;
}

/** signInPage with base as the server's address. */
export function signInAs(browser, base, who, viewport, bucket) {
  return signInPage(browser, { url: base }, who, viewport, bucket);
}

/** Selects characters [start, end) of the text inside selector, as a mouse would. */
export function selectText(page, selector, start, end) {
  return page.evaluate(([sel, s, e]) => {
    const body = document.querySelector(sel);
    const pos = (off) => {
      const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
      let n;
      let acc = 0;
      while ((n = walker.nextNode())) {
        if (acc + n.length >= off) return [n, off - acc];
        acc += n.length;
      }
      return null;
    };
    const r = document.createRange();
    r.setStart(...pos(s));
    r.setEnd(...pos(e));
    getSelection().removeAllRanges();
    getSelection().addRange(r);
  }, [selector, start, end]);
}

/** A server, a browser and requester `who` made by the admin and signed in by API (req) and in a 1280×900 page. */
export async function requesterPage(who, bucket) {
  const server = await startServer();
  const browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  const made = await admin.call('POST', '/users', { ...who, roles: ['requester'] });
  if (made.status !== 201) throw new Error(`make ${who.email}: ${made.status} ${JSON.stringify(made.body)}`);
  const req = await apiSession(server.url, who.email, who.password);
  const page = await signInPage(browser, server, who, { width: 1280, height: 900 }, bucket);
  return { server, browser, req, page };
}
