// Webhooks in a browser: a requester adds a webhook on the project dashboard
// (a generated secret, two actions) pointing at a receiver started here,
// imports tasks and publishes; the receiver gets signed POSTs and the
// deliveries table shows them delivered. A URL that is not http(s) is
// refused next to the URL field; the webhook is deleted. At 360 px the add
// form, the deliveries and Delete are used by keyboard alone. axe-core
// checks the page (WCAG 2.1 A and AA) in each state. Screenshots go to
// artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { startServer, apiSession, launch, watchErrors, shot, expectNoAxeViolations, ADMIN, ARTIFACTS, tabTo } from './lib.mjs';

const CONFIG = '<View><Text name="text" value="$text"/><Choices name="label" toName="text" choice="single"><Choice value="yes"/><Choice value="no"/></Choices></View>';
const REQ = { email: 'hookreq@example.com', password: 'requester-pass-1', display_name: 'Hana Hooks' };

let server;
let browser;
let receiver;
let receiverUrl;
let projectId;
const received = []; // {headers, body (raw string)}
const errors = [];

/** A signed-in requester's page on the project's dashboard, its webhooks
 * panel loaded (empty, unless ready names what to wait for). */
async function openDashboard(width, height, ready = '.webhooks-empty') {
  const page = await (await browser.newContext({ viewport: { width, height } })).newPage();
  watchErrors(page, errors);
  await page.goto(`${server.url}/signin`);
  await page.fill('input[name=email]', REQ.email);
  await page.fill('input[name=password]', REQ.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav .nav-user .avatar');
  await page.goto(`${server.url}/projects/${projectId}`);
  const panel = page.locator('.webhooks-panel');
  await panel.locator(ready).waitFor();
  return { page, panel };
}

/** The focused element draws a visible focus ring. */
async function assertFocusVisible(page) {
  const ring = await page.evaluate(() => {
    const st = getComputedStyle(document.activeElement);
    return { style: st.outlineStyle, width: parseFloat(st.outlineWidth), what: document.activeElement.outerHTML.slice(0, 80) };
  });
  assert.ok(ring.style !== 'none' && ring.width >= 2, `no visible focus on ${ring.what}`);
}

async function waitFor(check, what, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${receiver.address().port}/hooks/faircrowd`;
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  const r = await admin.call('POST', '/users', { ...REQ, roles: ['requester'] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Reviews with a webhook', instructions: 'Answer yes or no.', label_config: CONFIG, reward: 10, overlap: 1 });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  projectId = p.body.id;
  const f = await req.call('POST', `/projects/${projectId}/fund`, { amount: 1000 }, { 'Idempotency-Key': `fund-${projectId}` });
  assert.equal(f.status, 201, JSON.stringify(f.body));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((r) => (receiver ? receiver.close(r) : r()));
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

test('a requester adds a webhook, gets signed deliveries, sees a URL error and deletes it', async () => {
  const { page, panel } = await openDashboard(1280, 900);
  await expectNoAxeViolations(page, 'webhooks: the empty panel and its form');

  // add: URL, two actions, a generated secret
  await page.fill('#webhook-url', receiverUrl);
  await page.check('#webhook-ev-TASKS_CREATED');
  await page.check('#webhook-ev-PROJECT_PUBLISHED');
  await page.click('.secret-row button:has-text("Generate")');
  const secret = await page.inputValue('#webhook-secret');
  assert.match(secret, /^[0-9a-f]{64}$/, 'Generate fills 32 random bytes as hex');
  await page.click('.secret-row button:has-text("Generate")');
  assert.notEqual(await page.inputValue('#webhook-secret'), secret, 'each Generate makes a new secret');
  await page.fill('#webhook-secret', secret);
  assert.match(await panel.locator('#webhook-secret-hint').textContent(), /shown only now.*X-Faircrowd-Signature.*HMAC-SHA256/s);
  assert.equal(await panel.locator('.webhook-events legend').textContent(), 'Actions to send');
  await shot(page, 'wh01-add-form', { full: false });
  await page.click('.webhook-form button[type=submit]');
  const row = panel.locator('table.webhooks tbody tr');
  await row.waitFor();
  assert.equal(await row.count(), 1);
  assert.equal(await row.locator('.webhook-url').textContent(), receiverUrl);
  assert.match(await row.textContent(), /Tasks created, Project published/);
  assert.equal(await page.inputValue('#webhook-secret'), '', 'the secret is gone once saved');
  assert.equal(await page.isChecked('#webhook-ev-TASKS_CREATED'), false, 'the form is reset');

  // trigger TASKS_CREATED (import in the dashboard) and PROJECT_PUBLISHED (Publish)
  const tasks = JSON.stringify([{ text: 'Great value.' }, { text: 'Broke quickly.' }]);
  await page.setInputFiles('#import-file', { name: 'tasks.json', mimeType: 'application/json', buffer: Buffer.from(tasks) });
  await page.locator('.import-result.ok').waitFor();
  await page.click('button[data-action="publish"]');
  await page.locator('.badge-live').first().waitFor();
  await waitFor(() => received.length >= 2, 'two deliveries at the receiver');

  // every POST is signed with the secret over its raw body
  const actions = [];
  for (const d of received) {
    assert.equal(d.method, 'POST');
    assert.equal(d.headers['content-type'], 'application/json');
    const want = `sha256=${createHmac('sha256', secret).update(d.body).digest('hex')}`;
    assert.equal(d.headers['x-faircrowd-signature'], want, 'X-Faircrowd-Signature is the HMAC-SHA256 of the raw body');
    const body = JSON.parse(d.body);
    assert.equal(body.action, d.headers['x-faircrowd-event']);
    assert.equal(body.project.id, projectId);
    assert.ok(d.headers['x-faircrowd-delivery']);
    actions.push(body.action);
  }
  assert.deepEqual(actions.sort(), ['PROJECT_PUBLISHED', 'TASKS_CREATED']);
  assert.equal(JSON.parse(received.find((d) => /TASKS_CREATED/.test(d.body)).body).tasks_created, 2);

  // the deliveries table: delivered after Refresh (the server settles each
  // delivery just after the receiver answers)
  await panel.locator('button[data-deliveries]').click();
  assert.equal(await panel.locator('button[data-deliveries]').getAttribute('aria-expanded'), 'true');
  const deliveries = panel.locator('#webhook-deliveries');
  await deliveries.locator('.deliveries-body :is(table, p)').first().waitFor();
  for (let i = 0; i < 50; i++) {
    await deliveries.locator('button.webhook-refresh').click();
    await page.waitForFunction(() => !document.querySelector('#webhook-deliveries[aria-busy]') && !document.querySelector('button.webhook-refresh:disabled'));
    if ((await deliveries.locator('tr[data-state="delivered"]').count()) === 2) break;
    await page.waitForTimeout(200);
  }
  const states = await deliveries.locator('table.deliveries tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('[data-label="State"]').textContent));
  assert.deepEqual(states, ['delivered', 'delivered']);
  const first = deliveries.locator('table.deliveries tbody tr').first();
  assert.match(await first.locator('[data-label="Last status or error"]').textContent(), /HTTP 204/);
  assert.equal(await first.locator('[data-label="Attempts"]').textContent(), '1');
  assert.match(await deliveries.locator('table.deliveries thead').textContent(), /Action.*State.*Attempts.*Last status or error.*Time/s);
  await row.locator('[data-label="Delivered"]:text-is("2")').waitFor({ timeout: 5000 }); // the counts follow the refresh
  await shot(page, 'wh02-deliveries');
  await expectNoAxeViolations(page, 'webhooks: the panel with a webhook and its deliveries');

  // a URL that is not http(s): the server's message next to the URL field
  await page.fill('#webhook-url', 'ftp://example.com/hook');
  await page.check('#webhook-ev-EXPORT_DONE');
  await page.fill('#webhook-secret', 'another-secret');
  await page.click('.webhook-form button[type=submit]');
  const urlError = panel.locator('#webhook-url-error');
  await urlError.waitFor();
  assert.match(await urlError.textContent(), /http:\/\/ or https:\/\//);
  assert.equal(await urlError.evaluate((e) => e.closest('.field').querySelector('input').id), 'webhook-url', 'the error sits in the URL field');
  assert.equal(await page.getAttribute('#webhook-url', 'aria-invalid'), 'true');
  assert.match(await page.getAttribute('#webhook-url', 'aria-describedby'), /webhook-url-error/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'webhook-url', 'focus goes to the field');
  assert.equal(await row.count(), 1, 'nothing was added');
  await shot(page, 'wh03-url-error', { full: false });
  await expectNoAxeViolations(page, 'webhooks: the form showing an error');

  // no action chosen: caught before the request, next to the actions
  await page.fill('#webhook-url', receiverUrl);
  await page.uncheck('#webhook-ev-EXPORT_DONE');
  await page.click('.webhook-form button[type=submit]');
  await panel.locator('.webhook-events .field-error').waitFor();
  assert.equal(await panel.locator('#webhook-url-error').count(), 0, 'the old error is cleared');

  // delete, after confirming
  let asked = '';
  page.once('dialog', (d) => {
    asked = d.message();
    d.accept();
  });
  await row.locator('button[data-delete-webhook]').click();
  await panel.locator('.webhooks-empty').waitFor();
  assert.match(asked, /Delete the webhook to http:\/\/127\.0\.0\.1/);
  assert.equal(await panel.locator('#webhook-deliveries').isHidden(), true, 'its deliveries close with it');
  const req = await apiSession(server.url, REQ.email, REQ.password);
  assert.deepEqual((await req.call('GET', `/projects/${projectId}/webhooks`)).body.items, []);
});

test('at 360 px the add form, the deliveries and Delete work by keyboard alone', async () => {
  const { page, panel } = await openDashboard(360, 740);

  await page.locator('h1').focus();
  await tabTo(page, '#webhook-url');
  await assertFocusVisible(page);
  await page.keyboard.type(receiverUrl);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'webhook-ev-TASKS_CREATED');
  await assertFocusVisible(page);
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'webhook-ev-ANNOTATION_CREATED');
  await page.keyboard.press('Space');
  await tabTo(page, '.secret-row button:first-of-type', 8);
  assert.equal((await page.evaluate(() => document.activeElement.textContent)), 'Generate');
  await assertFocusVisible(page);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'webhook-secret', 'Generate hands focus to the secret');
  assert.match(await page.inputValue('#webhook-secret'), /^[0-9a-f]{64}$/);
  await panel.screenshot({ path: join(ARTIFACTS, 'wh04-add-form-360.png') });
  await tabTo(page, '.webhook-form button[type=submit]', 5);
  await assertFocusVisible(page);
  await page.keyboard.press('Enter');
  const row = panel.locator('table.webhooks tbody tr');
  await row.waitFor();
  assert.match(await row.textContent(), /Tasks created, Annotation submitted/);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling at 360 px');
  await expectNoAxeViolations(page, 'webhooks: the panel at 360 px');

  // deliveries, then Refresh, by keyboard
  await page.locator('h1').focus();
  await tabTo(page, 'button[data-deliveries]');
  await assertFocusVisible(page);
  await page.keyboard.press('Enter');
  await panel.locator('#webhook-deliveries .deliveries-empty').waitFor();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Refresh');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement.textContent === 'Refresh' && !document.activeElement.disabled);
  await panel.screenshot({ path: join(ARTIFACTS, 'wh05-deliveries-360.png') });

  // delete by keyboard: Shift+Tab back to the row's Delete, Enter, accept
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Delete');
  page.once('dialog', (d) => d.accept());
  await page.keyboard.press('Enter');
  await panel.locator('.webhooks-empty').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'webhooks-title', 'focus returns to the panel');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling at 360 px');
});

test('at 360 px Send test delivers a signed PING and the log shows its result, by keyboard', async () => {
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const secret = 'ping-secret-360';
  const made = await req.call('POST', `/projects/${projectId}/webhooks`, { url: receiverUrl, events: ['EXPORT_DONE'], secret });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const { page, panel } = await openDashboard(360, 740, 'table.webhooks tbody tr');
  const before = received.length;
  await page.locator('h1').focus();
  await tabTo(page, 'button[data-test-webhook]');
  await assertFocusVisible(page);
  await page.keyboard.press('Enter');
  await panel.locator('.webhooks-status:has-text("Test event delivered")').waitFor();
  assert.match(await panel.locator('.webhooks-status').textContent(), /delivered to http:\/\/127\.0\.0\.1.*HTTP 204/);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testWebhook), String(made.body.id), 'focus stays on Send test');
  const ping = received.slice(before).find((d) => d.headers['x-faircrowd-event'] === 'PING');
  assert.ok(ping, 'the receiver got the PING');
  assert.equal(ping.headers['x-faircrowd-signature'], `sha256=${createHmac('sha256', secret).update(ping.body).digest('hex')}`);
  const body = JSON.parse(ping.body);
  assert.deepEqual([body.action, body.project.id, body.webhook.id, body.test], ['PING', projectId, made.body.id, true]);
  const first = panel.locator('#webhook-deliveries table.deliveries tbody tr').first();
  assert.equal(await first.locator('[data-label="Action"]').textContent(), 'PING');
  assert.equal(await first.getAttribute('data-state'), 'delivered');
  assert.match(await first.locator('[data-label="Last status or error"]').textContent(), /HTTP 204/);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling at 360 px');
  await expectNoAxeViolations(page, 'webhooks: a test event delivered, at 360 px');
  await panel.screenshot({ path: join(ARTIFACTS, 'wh06-test-event-360.png') });
  assert.equal((await req.call('DELETE', `/projects/${projectId}/webhooks/${made.body.id}`)).status, 204);
});
