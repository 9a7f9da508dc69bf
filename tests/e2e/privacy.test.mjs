// Privacy screens (issue #18): a contributor withdraws consent from the
// project page through a confirmation that says what happens (opened and
// dismissed by keyboard, Escape closes it), downloads their data as a zip
// from the profile page, and an admin reads the audit log, where the
// withdrawal is recorded. axe-core and the 360 px layout are checked on each
// screen (shot / shotAtPhone). Screenshots go to artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiSession, launch, shot, shotAtPhone, ADMIN, signInPage } from './lib.mjs';

const CONFIG = '<View><Text name="text" value="$text"/><Choices name="label" toName="text" choice="single"><Choice value="yes"/><Choice value="no"/></Choices></View>';
const REQ = { email: 'privreq@example.com', password: 'requester-pass-1', display_name: 'Rita Requester' };
const CON = { email: 'privcon@example.com', password: 'contributor-pass-1', display_name: 'Carl Contributor' };

let server;
let browser;
let projectId;
const errors = [];

function signIn(who, width = 1280, height = 900) {
  return signInPage(browser, server, who, { width, height }, errors);
}

const ok = (r, want) => assert.equal(r.status, want, JSON.stringify(r.body));

before(async () => {
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  ok(await admin.call('POST', '/users', { ...REQ, roles: ['requester'] }), 201);
  ok(await admin.call('POST', '/users', { ...CON, roles: ['contributor'] }), 201);
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Label reviews', instructions: 'Answer yes or no.', label_config: CONFIG, reward: 10, overlap: 1 });
  ok(p, 201);
  projectId = p.body.id;
  ok(await req.call('POST', `/projects/${projectId}/tasks`, '{"text":"Great value."}\n{"text":"Broke quickly."}\n', { 'Content-Type': 'application/x-ndjson' }), 201);
  ok(await req.call('POST', `/projects/${projectId}/fund`, { amount: 1000 }, { 'Idempotency-Key': `fund-${projectId}` }), 201);
  ok(await req.call('PUT', `/projects/${projectId}/consent`, { version: 'v1', text: 'My labels may be used to train models.' }), 200);
  ok(await req.call('POST', `/projects/${projectId}/publish`), 200);
  const con = await apiSession(server.url, CON.email, CON.password);
  ok(await con.call('POST', `/projects/${projectId}/consent/accept`, { version: 'v1' }), 201);
  const a = await con.call('POST', `/projects/${projectId}/assignments`);
  ok(a, 201);
  const result = [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['yes'] } }];
  ok(await con.call('POST', `/assignments/${a.body.id}/submit`, { result, active_seconds: 12 }), 201);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

test('a contributor downloads their data from the profile page', async () => {
  const page = await signIn(CON);
  await page.goto(`${server.url}/me/profile`);
  const link = page.locator('.data-card a:has-text("Download my data")');
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), '/api/v1/me/data');
  const res = await page.request.get(`${server.url}/api/v1/me/data`);
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'application/zip');
  const zip = await res.body();
  assert.equal(zip.subarray(0, 2).toString('latin1'), 'PK', 'a zip file');
  assert.ok(zip.includes(Buffer.from('submissions.jsonl')), 'the zip lists the submissions');
  await shot(page, 'pv01-profile-data');
  await shotAtPhone(page, 'pv01-profile-data-360');
  await page.context().close();
});

test('a contributor withdraws consent through a confirmation, by keyboard', async () => {
  const page = await signIn(CON);
  await page.goto(`${server.url}/work/${projectId}`);
  const card = page.locator('.withdraw-card');
  await card.waitFor();
  const open = card.locator('button:has-text("Withdraw consent")');
  const confirmBox = page.locator('#withdraw-confirm');
  assert.equal(await confirmBox.isHidden(), true, 'nothing happens before the confirmation');
  await shotAtPhone(page, 'pv02-project-withdraw-360');

  await open.focus();
  await page.keyboard.press('Enter');
  await confirmBox.waitFor();
  assert.equal(await open.getAttribute('aria-expanded'), 'true');
  const text = await confirmBox.textContent();
  assert.match(text, /deleted from our storage/);
  assert.match(text, /left out of every dataset exported from now on/);
  assert.match(text, /stays paid/);
  assert.match(text, /no more tasks/);
  assert.match(text, /cannot be undone/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'withdraw-title', 'focus moves to the question');
  await shot(page, 'pv03-withdraw-confirm');
  await shotAtPhone(page, 'pv03-withdraw-confirm-360');
  await page.keyboard.press('Escape');
  assert.equal(await confirmBox.isHidden(), true, 'Escape closes the confirmation');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Withdraw consent', 'focus returns to the button');

  await page.keyboard.press('Enter');
  await confirmBox.waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Withdraw and erase my data');
  await page.keyboard.press('Enter');
  const done = page.locator('p.notice.ok:has-text("Consent withdrawn")');
  await done.waitFor();
  assert.match(await done.textContent(), /1 answer and 0 files erased; your earnings are unchanged/);
  await shot(page, 'pv04-withdrawn');

  const con = await apiSession(server.url, CON.email, CON.password);
  const again = await con.call('POST', `/projects/${projectId}/consent/withdraw`);
  assert.equal(again.status, 409, 'a second withdrawal is refused');
  await page.context().close();
});

test('an admin reads the audit log, keyboard-usable at 360 px', async () => {
  const page = await signIn(ADMIN);
  await page.goto(`${server.url}/admin/audit`);
  const rows = page.locator('table.audit-table tbody tr');
  await rows.first().waitFor();
  const body = await page.locator('table.audit-table tbody').textContent();
  assert.match(body, /consent\.withdraw/);
  assert.match(body, /project\.publish/);
  assert.match(body, /user\.create/);
  await shot(page, 'pv05-audit-log');
  await page.setViewportSize({ width: 360, height: 740 });
  // the nav link to the screen is reachable by keyboard
  await page.goto(`${server.url}/admin/users`);
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.getAttribute('href') === '/admin/audit');
  }
  assert.ok(reached, 'Tab reaches the Audit log link');
  await page.keyboard.press('Enter');
  await rows.first().waitFor();
  await shotAtPhone(page, 'pv05-audit-log-360');
  await page.context().close();
});
