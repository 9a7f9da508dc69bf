// The contributor's own limits in a browser: on the profile's "Limits and
// notifications" card a contributor sets quiet hours and notification
// choices by keyboard at 360 px; the work screen then explains, in plain
// words, that their quiet hours refuse a task, with a way to change them.
// The password card refuses a wrong current password next to its field and
// changes it. axe-core and the 360 px check run with every screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiSession, launch, watchErrors, shot, ADMIN, PHONE, tabTo } from './lib.mjs';

const CONFIG = '<View><Text name="text" value="$text"/><Choices name="label" toName="text" choice="single"><Choice value="yes"/><Choice value="no"/></Choices></View>';
const REQ = { email: 'limreq@example.com', password: 'requester-pass-1', display_name: 'Lim Req' };
const ANN = { email: 'night@example.com', password: 'contrib-pass-1', display_name: 'Nia Night' };

let server;
let browser;
let projectId;
let admin;
let ann;
const errors = [];

before(async () => {
  server = await startServer();
  browser = await launch();
  // 10:00 UTC, fixed before any session starts (sessions end 14 days
  // after they start, by the same clock)
  const first = await apiSession(server.url, ADMIN.email, ADMIN.password);
  const clock = await first.call('POST', '/admin/clock', { now: '2031-09-01T10:00:00Z' });
  assert.equal(clock.status, 200, JSON.stringify(clock.body));
  admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  for (const [u, roles] of [[REQ, ['requester']], [ANN, ['contributor']]]) {
    const r = await admin.call('POST', '/users', { ...u, roles });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Night shift', instructions: 'Answer yes or no.', label_config: CONFIG, reward: 10, overlap: 1 });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  projectId = p.body.id;
  const t = await req.call('POST', `/projects/${projectId}/tasks`, [{ text: 'one' }, { text: 'two' }]);
  assert.equal(t.status, 201, JSON.stringify(t.body));
  const f = await req.call('POST', `/projects/${projectId}/fund`, { amount: 1000 }, { 'Idempotency-Key': `fund-${projectId}` });
  assert.equal(f.status, 201, JSON.stringify(f.body));
  const pub = await req.call('POST', `/projects/${projectId}/publish`);
  assert.equal(pub.status, 200, JSON.stringify(pub.body));
  ann = await apiSession(server.url, ANN.email, ANN.password);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

async function signIn(viewport) {
  const page = await (await browser.newContext({ viewport })).newPage();
  watchErrors(page, errors);
  await page.goto(`${server.url}/signin`);
  await page.fill('input[name=email]', ANN.email);
  await page.fill('input[name=password]', ANN.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav .nav-user .avatar');
  return page;
}

test('quiet hours set by keyboard at 360 px refuse work in plain words', async () => {
  // at 10:00 UTC, quiet hours 09:00-11:00 at +00:00 cover now
  const page = await signIn(PHONE);
  await page.goto(`${server.url}/me/profile`);
  await page.waitForSelector('#limits');
  await tabTo(page, '#lm-limit');
  await page.keyboard.type('45');
  await tabTo(page, '#lm-quiet-on');
  await page.keyboard.press('Space');
  await page.fill('#lm-from', '09:00');
  await page.fill('#lm-to', '11:00');
  await tabTo(page, '#lm-tz');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('+00:00');
  await tabTo(page, 'input[name=notify_decisions]');
  await page.keyboard.press('Space');
  await shot(page, 'lim01-limits-card-360');
  await tabTo(page, '.limits-form button[type=submit]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=Limits and notifications saved.');
  const got = await ann.call('GET', '/me/preferences');
  assert.equal(got.status, 200, JSON.stringify(got.body));
  const prefs = got.body;
  assert.equal(prefs.daily_limit_minutes, 45);
  assert.deepEqual(prefs.quiet_hours, { from: '09:00', to: '11:00', tz: '+00:00' });
  assert.equal(prefs.notify.decisions, false);
  assert.equal(prefs.notify.email, true);

  // a wrong offset is shown next to its field
  await page.fill('#lm-tz', 'Berlin');
  await page.click('.limits-form button[type=submit]');
  await page.waitForSelector('#lm-tz[aria-invalid=true]');
  await page.fill('#lm-tz', '+00:00');

  await page.goto(`${server.url}/work/${projectId}/task`);
  const notice = page.locator('.limit-notice');
  await notice.waitFor();
  assert.match(await notice.locator('h2').textContent(), /quiet hours have started/);
  assert.match(await notice.textContent(), /until 11:00/);
  await shot(page, 'lim02-work-quiet-hours-360');
  await notice.locator('a:has-text("Change my limits")').click();
  await page.waitForSelector('#limits');
  await page.context().close();
});

test('password change: a wrong current password is named, then it changes', async () => {
  const page = await signIn({ width: 1280, height: 900 });
  await page.goto(`${server.url}/me/profile`);
  await page.waitForSelector('.password-form');
  await page.fill('#pw-old', 'not-my-password');
  await page.fill('#pw-new', 'a-brand-new-pass');
  await page.fill('#pw-again', 'a-brand-new-pass');
  await page.click('.password-form button[type=submit]');
  await page.waitForSelector('#pw-old[aria-invalid=true]');
  await page.fill('#pw-old', ANN.password);
  await page.click('.password-form button[type=submit]');
  await page.waitForSelector('text=Password changed.');
  await shot(page, 'lim03-password-changed');
  const old = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: ANN.email, password: ANN.password }) });
  assert.equal(old.status, 401);
  assert.equal((await ann.call('GET', '/me')).status, 401, 'the other session ended');
  await page.context().close();
});
