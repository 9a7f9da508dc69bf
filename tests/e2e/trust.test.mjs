// Trust screens (issue #18), loaded lazily: the contributor's privacy page
// (identity upload and status, blocks with an appeal, account deletion), the
// owner's block dialog (opened and filled by keyboard) and the admin's
// identity review queue. axe-core and the 360 px layout are checked on each
// screen (shot / shotAtPhone). Screenshots go to artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiSession, launch, shot, shotAtPhone, makePng, tabTo, ADMIN, signInPage } from './lib.mjs';

const CONFIG = '<View><Text name="text" value="$text"/><Choices name="label" toName="text" choice="single"><Choice value="yes"/><Choice value="no"/></Choices></View>';
const REQ = { email: 'trustreq@example.com', password: 'requester-pass-1', display_name: 'Rita Requester' };
const CON = { email: 'trustcon@example.com', password: 'contributor-pass-1', display_name: 'Carl Contributor' };
const BYE = { email: 'leaving@example.com', password: 'contributor-pass-2', display_name: 'Lena Leaving' };
const KEY = 'k1:' + '0123456789abcdef'.repeat(4);

let server;
let browser;
let projectId;
let conId;
const errors = [];

function signIn(who, width = 1280, height = 900) {
  return signInPage(browser, server, who, { width, height }, errors);
}

const ok = (r, want) => assert.equal(r.status, want, JSON.stringify(r.body));

before(async () => {
  server = await startServer({ env: { FAIRCROWD_IDENTITY_KEYS: KEY } });
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  ok(await admin.call('POST', '/users', { ...REQ, roles: ['requester'] }), 201);
  const c = await admin.call('POST', '/users', { ...CON, roles: ['contributor'] });
  ok(c, 201);
  conId = c.body.id;
  ok(await admin.call('POST', '/users', { ...BYE, roles: ['contributor'] }), 201);
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Label reviews', instructions: 'Answer yes or no.', label_config: CONFIG, reward: 10, overlap: 1 });
  ok(p, 201);
  projectId = p.body.id;
  ok(await req.call('POST', `/projects/${projectId}/tasks`, '{"text":"Great value."}\n{"text":"Broke quickly."}\n', { 'Content-Type': 'application/x-ndjson' }), 201);
  ok(await req.call('POST', `/projects/${projectId}/fund`, { amount: 1000 }, { 'Idempotency-Key': `fund-${projectId}` }), 201);
  ok(await req.call('POST', `/projects/${projectId}/publish`), 200);
  const con = await apiSession(server.url, CON.email, CON.password);
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

test('a contributor sends an identity document from the privacy page', async () => {
  const page = await signIn(CON);
  await page.goto(`${server.url}/me/privacy`);
  await page.locator('h1:has-text("Privacy")').waitFor();
  await page.locator('td[data-label=Project]:has-text("Label reviews")').waitFor();
  await shot(page, 'tr01-privacy');
  await shotAtPhone(page, 'tr01-privacy-360');
  const png = await makePng(page);
  await page.setInputFiles('#identity-file', { name: 'id.png', mimeType: 'image/png', buffer: Buffer.from(png.split(',')[1], 'base64') });
  await tabTo(page, '.identity-form button[type=submit]');
  await page.keyboard.press('Enter');
  await page.locator('#identity-h ~ div[role=status]:has-text("pending")').waitFor();
  assert.equal(await page.locator('.identity-form').isHidden(), true, 'no second document while one waits');
  await shot(page, 'tr02-identity-pending');
  await page.context().close();
});

test('an admin reviews the document in the queue, then it is gone', async () => {
  const page = await signIn(ADMIN);
  await page.goto(`${server.url}/admin/identity`);
  const img = page.locator('img.identity-doc');
  await img.waitFor();
  assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the document is shown');
  await shot(page, 'tr03-identity-review');
  await shotAtPhone(page, 'tr03-identity-review-360');
  await tabTo(page, 'button[value=reject]');
  await page.keyboard.press('Enter');
  await page.locator('.field-error:has-text("Say why")').waitFor(); // a refusal needs a reason
  await page.click('button[value=approve]');
  await page.locator('p[role=status]:has-text("No documents wait")').waitFor();
  await shot(page, 'tr04-identity-queue-empty');
  await page.context().close();
});

test('an owner blocks a contributor with a reason, by keyboard in a dialog', async () => {
  const page = await signIn(REQ);
  await page.goto(`${server.url}/projects/${projectId}/blocks`);
  await page.locator('p:has-text("Nobody is blocked")').waitFor();
  await tabTo(page, 'button.block-open');
  await page.keyboard.press('Enter');
  const dialog = page.locator('dialog.block-dialog');
  await dialog.waitFor();
  await page.locator('#block-user').fill(String(conId));
  await page.locator('#block-reason').fill('Answers copied from another site.');
  await shot(page, 'tr05-block-dialog', { full: false });
  await shotAtPhone(page, 'tr05-block-dialog-360', { full: false });
  await page.locator('#block-reason').focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.locator('td:has-text("Answers copied from another site.")').waitFor();
  assert.equal(await dialog.isVisible(), false, 'the dialog closes');
  await shot(page, 'tr06-blocks');
  await shotAtPhone(page, 'tr06-blocks-360');
  await page.context().close();
});

test('the blocked contributor sees the reason and appeals', async () => {
  const page = await signIn(CON, 360, 740);
  await page.goto(`${server.url}/me/privacy`);
  const item = page.locator('.block-item');
  await item.waitFor();
  assert.match(await item.textContent(), /Answers copied from another site\./);
  assert.match(await page.locator('#identity-h ~ div[role=status]').textContent(), /Verified/);
  await page.locator('.appeal-form textarea').fill('I wrote every answer myself.');
  await page.locator('.appeal-form button').click();
  await page.locator('.block-item:has-text("waiting for a decision")').waitFor();
  await shot(page, 'tr07-appeal-sent-360');
  await page.context().close();
});

test('a contributor deletes their account after typing DELETE', async () => {
  const page = await signIn(BYE);
  await page.goto(`${server.url}/me/privacy`);
  const form = page.locator('.delete-form');
  await form.waitFor();
  await form.locator('button').click();
  await form.locator('.field-error:has-text("Type DELETE")').waitFor(); // nothing happens without the word
  await form.locator('#delete-confirm').fill('DELETE');
  await shotAtPhone(page, 'tr08-delete-360');
  await form.locator('button').click();
  await page.waitForURL(/\/signin/);
  const res = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: BYE.email, password: BYE.password }) });
  assert.equal(res.status, 401, 'the deleted account cannot sign in');
  await page.context().close();
});
