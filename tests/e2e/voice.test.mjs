// The contributor's side in a browser (issue #17): the bell and the
// notifications page (read by keyboard at 360 px), reporting a broken task
// from the work screen (it is skipped and the owner's dashboard lists it),
// the signed work history on the profile (downloaded and checked), the
// transparency card on a project page, and a password reset that goes
// through a real SMTP conversation (tests/api/smtp_sink.py, Debian's
// python3-aiosmtpd) from "Forgot your password?" to signing in again.
// axe-core and the 360 px check run with every screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, apiSession, launch, watchErrors, signInPage, shot, ADMIN, PHONE, tabTo } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CONFIG = '<View><Text name="text" value="$text"/><Choices name="label" toName="text" choice="single"><Choice value="yes"/><Choice value="no"/></Choices></View>';
const REQ = { email: 'voicereq@example.com', password: 'requester-pass-1', display_name: 'Vo Req' };
const ANN = { email: 'voice@example.com', password: 'contrib-pass-1', display_name: 'Val Voice' };

let server;
let sink;
let mailFile;
let browser;
let projectId;
let req;
let ann;
const errors = [];

/** The SMTP sink on a free port: resolves {port, stop()}. */
async function startSink(file) {
  const proc = spawn('/usr/bin/python3', [resolve(here, '../api/smtp_sink.py'), '0', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((res, rej) => {
    const rl = createInterface({ input: proc.stdout });
    rl.once('line', (line) => res(Number(line)));
    proc.once('exit', (code) => rej(new Error(`smtp sink exited ${code} (python3-aiosmtpd missing?)`)));
  });
  return { port, stop: () => proc.kill('SIGTERM') };
}

/** The reset mails the sink holds, waiting up to ms for the first. */
async function resetMailsWithin(ms) {
  const end = Date.now() + ms;
  for (;;) {
    const all = existsSync(mailFile) ? readFileSync(mailFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
    const lines = all.filter((m) => /Reset your faircrowd password/.test(m.subject));
    if (lines.length || Date.now() > end) return lines;
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  mailFile = join(tmpdir(), `fc-e2e-mail-${process.pid}.jsonl`);
  rmSync(mailFile, { force: true });
  sink = await startSink(mailFile);
  server = await startServer({ env: { FAIRCROWD_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, FAIRCROWD_SMTP_FROM: 'noreply@faircrowd.test' } });
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  for (const [u, roles] of [[REQ, ['requester']], [ANN, ['contributor']]]) {
    const r = await admin.call('POST', '/users', { ...u, roles });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  // notices of new work have their own test (reach.test.mjs): off here, so
  // the bell counts the rejection alone
  const quiet = await apiSession(server.url, ANN.email, ANN.password);
  assert.equal((await quiet.call('PUT', '/me/preferences', { notify: { new_work: false } })).status, 200);
  req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Street names', instructions: 'Is it a street name?', label_config: CONFIG, reward: 10, overlap: 1, reject_reasons: ['wrong_answer'] });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  projectId = p.body.id;
  const t = await req.call('POST', `/projects/${projectId}/tasks`, [{ text: 'Main Street' }, { text: 'Banana' }, { text: 'Elm Road' }, { text: 'Oak Lane' }]);
  assert.equal(t.status, 201, JSON.stringify(t.body));
  assert.equal((await req.call('POST', `/projects/${projectId}/fund`, { amount: 1000 }, { 'Idempotency-Key': `fund-${projectId}` })).status, 201);
  assert.equal((await req.call('POST', `/projects/${projectId}/publish`)).status, 200);
  ann = await apiSession(server.url, ANN.email, ANN.password);
  // one answer, rejected with a reason: a notification for the contributor
  const a = await ann.call('POST', `/projects/${projectId}/assignments`);
  assert.equal(a.status, 201, JSON.stringify(a.body));
  const s = await ann.call('POST', `/assignments/${a.body.id}/submit`, { result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['no'] } }] });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  const rj = await req.call('POST', `/submissions/${s.body.id}/reject`, { reason_code: 'wrong_answer', message: 'Main Street is a street.' });
  assert.equal(rj.status, 200, JSON.stringify(rj.body));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  sink?.stop();
  rmSync(mailFile, { force: true });
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

const signIn = (viewport, who = ANN) => signInPage(browser, server, who, viewport, errors, { acceptDownloads: true });

test('the bell counts the rejection; the notification is read by keyboard at 360 px', async () => {
  const page = await signIn(PHONE);
  const count = page.locator('.bell-link .note-count');
  await count.waitFor();
  assert.equal(await count.textContent(), '1');
  await tabTo(page, '.bell-link');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.note.unread');
  assert.match(await page.locator('.note-body').first().textContent(), /Main Street is a street\./);
  await shot(page, 'voice01-notifications-360');
  await tabTo(page, '.note.unread button');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.note.read');
  const out = await ann.call('GET', '/me/notifications');
  assert.equal(out.body.unread, 0);
  await page.context().close();
});

test('a broken task is reported from the work screen, skipped, and listed for the owner', async () => {
  const page = await signIn(PHONE);
  await page.goto(`${server.url}/work/${projectId}/task`);
  await page.waitForSelector('body[data-task-ready]');
  const before = await page.locator('.work-task').textContent();
  await tabTo(page, '.report-box summary');
  await page.keyboard.press('Enter');
  await page.check('input[name=report-reason][value=other]');
  await page.click('.report-form button[type=submit]');
  await page.waitForSelector('#rp-message[aria-invalid=true]'); // "other" needs words
  await page.fill('#rp-message', 'The text is cut off.');
  await shot(page, 'voice02-report-form-360');
  await page.click('.report-form button[type=submit]');
  await page.waitForSelector('text=Thanks — reported.');
  await page.waitForFunction((old) => document.body.dataset.taskReady && document.querySelector('.work-task').textContent !== old, before);
  const list = await req.call('GET', `/projects/${projectId}/reports`);
  assert.equal(list.status, 200);
  assert.equal(list.body.items.length, 1);
  assert.equal(list.body.items[0].message, 'The text is cut off.');
  await page.context().close();

  const owner = await signIn({ width: 1280, height: 900 }, REQ);
  await owner.goto(`${server.url}/projects/${projectId}`);
  await owner.waitForSelector('.reports-card td');
  assert.match(await owner.locator('.reports-card').textContent(), /The text is cut off\./);
  await shot(owner, 'voice03-dashboard-reports');
  await owner.context().close();
});

test('the profile offers the signed history; the project page shows how it treats people', async () => {
  const page = await signIn({ width: 1280, height: 900 });
  await page.goto(`${server.url}/me/profile`);
  await page.waitForSelector('.history-card');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('.history-card button')]);
  const doc = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(doc.algorithm, 'Ed25519');
  assert.equal(doc.history.totals.rejected, 1);
  assert.ok(doc.signature.length > 80);
  await shot(page, 'voice04-profile-history');
  await page.goto(`${server.url}/work/${projectId}`);
  await page.waitForSelector('.transparency');
  assert.match(await page.locator('.transparency').textContent(), /Rejected\s*100\.0 %/);
  await page.setViewportSize(PHONE);
  await shot(page, 'voice05-transparency-360');
  await page.context().close();
});

test('My work lists the task held on another device; Resume opens exactly that one', async () => {
  const held = await ann.call('POST', `/projects/${projectId}/assignments`); // "another device"
  assert.equal(held.status, 201, JSON.stringify(held.body));
  const page = await signIn(PHONE);
  await page.goto(`${server.url}/me/work`);
  await page.waitForSelector('.held-card');
  assert.match(await page.locator('.held-card').textContent(), new RegExp(`task #${held.body.task.id}`));
  await shot(page, 'voice08-my-work-held-360');
  await page.click(`.held-card a[aria-label^="Resume task ${held.body.task.id} "]`);
  await page.waitForSelector('body[data-task-ready]');
  assert.match(await page.locator('.work-task').textContent(), new RegExp(held.body.task.data.text));
  await page.context().close();
});

test('an admin sets a minimum wage and a rate at 360 px; a typo is named', async () => {
  const page = await signIn(PHONE, ADMIN);
  await page.goto(`${server.url}/admin/wages`);
  await page.waitForSelector('.wages-form');
  await page.fill('#wg-country-0', 'DE');
  await page.fill('#wg-hourly-0', '12,82');
  await page.fill('#wg-currency-0', 'EUR');
  await page.fill('#wg-source-0', 'Mindestlohngesetz');
  await page.fill('#wg-as_of-0', '2025-01-01');
  await page.click('.wages-form button[type=submit]');
  await page.waitForSelector('text=Minimum wages saved.');
  await page.fill('#wg-rates', 'EUR O.92');
  await page.click('.rates-form button[type=submit]');
  await page.waitForSelector('#wg-rates[aria-invalid=true]');
  await page.fill('#wg-rates', 'EUR 0.92');
  await page.click('.rates-form button[type=submit]');
  await page.waitForSelector('text=Exchange rates saved.');
  await shot(page, 'voice09-admin-wages-360');
  const got = await (await apiSession(server.url, ADMIN.email, ADMIN.password)).call('GET', '/minimum-wages');
  assert.deepEqual({ hourly: got.body.minimum_wages.DE.hourly, currency: got.body.minimum_wages.DE.currency }, { hourly: 1282, currency: 'EUR' });
  assert.equal(got.body.exchange_rates.EUR, 0.92);
  await page.context().close();
});

test('forgot password: the mailed link sets a new password that signs in', async () => {
  const page = await (await browser.newContext({ viewport: PHONE })).newPage();
  watchErrors(page, errors);
  await page.goto(`${server.url}/signin`);
  await page.click('text=Forgot your password?');
  await page.waitForSelector('#fg-email');
  await page.fill('#fg-email', ANN.email);
  await page.click('button[type=submit]');
  await page.waitForSelector('.notice.ok:not([hidden])');
  await shot(page, 'voice06-forgot-360');
  // the outbox sends on its next tick (about a second)
  const mails = await resetMailsWithin(15000);
  assert.equal(mails.length, 1, 'one reset mail');
  const code = /enter this code:\n(\S+)/.exec(mails[0].body)[1];
  await page.goto(`${server.url}/reset?token=${encodeURIComponent(code)}`);
  await page.waitForSelector('#rs-password');
  assert.equal(new URL(page.url()).search, '', 'the code leaves the address bar');
  await page.fill('#rs-password', 'short');
  await page.fill('#rs-again', 'short');
  await page.click('button[type=submit]');
  await page.waitForSelector('#rs-password[aria-invalid=true]');
  await page.fill('#rs-password', 'a-fresh-password-9');
  await page.fill('#rs-again', 'a-fresh-password-9');
  await shot(page, 'voice07-reset-360');
  await page.click('button[type=submit]');
  await page.waitForURL(/\/signin$/);
  await page.fill('input[name=email]', ANN.email);
  await page.fill('input[name=password]', 'a-fresh-password-9');
  await page.click('button[type=submit]');
  await page.waitForSelector('nav .nav-user .avatar');
  await page.context().close();
});
