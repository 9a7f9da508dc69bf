// The requester's workbench in a browser (issue #16): the data manager
// (filters, a virtualised table that loads further pages as it scrolls,
// image thumbnails, a task's predictions and results side by side, bulk
// delete that keeps tasks with submissions), the submissions list (accept
// selected, reject one row with a reason, one contributor's figures) and the
// members screen (add a reviewer by email, an unknown email refused next to
// the field, remove). Desktop and 360 px, axe-core on every screenshot,
// keyboard only for a rejection and for adding a member.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiSession, launch, shot, shotAtPhone, ADMIN, signedInPage } from './lib.mjs';

const CONFIG = '<View><Image name="image" value="$image"/><Text name="text" value="$caption"/><Choices name="label" toName="text" choice="single"><Choice value="yes"/><Choice value="no"/></Choices></View>';
const REQ = { email: 'wbreq@example.com', password: 'requester-pass-1', display_name: 'Wanda Bench' };
const ANN = { email: 'wbann@example.com', password: 'annotator-pass-1', display_name: 'Ann Otator' };
const BEN = { email: 'wbben@example.com', password: 'annotator-pass-2', display_name: 'Ben Labeller' };
const REV = { email: 'wbrev@example.com', password: 'reviewer-pass-1', display_name: 'Rita Reviewer' };
const TASKS = 260;

let server;
let browser;
let projectId;
const errors = [];

before(async () => {
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  assert.equal((await admin.call('POST', '/users', { ...REQ, roles: ['requester'] })).status, 201);
  for (const u of [ANN, BEN, REV]) assert.equal((await admin.call('POST', '/users', { ...u, roles: ['contributor'] })).status, 201);
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Street photos', instructions: 'Is there a car?', label_config: CONFIG, reward: 5, overlap: 2, reject_reasons: ['wrong_answer', 'instructions_not_followed'] });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  projectId = p.body.id;
  const lines = [];
  for (let i = 0; i < TASKS; i++) {
    const t = { data: { image: '/favicon.svg', caption: `street corner ${i}`, city: i % 2 ? 'Lyon' : 'Porto' } };
    if (i < 3) t.predictions = [{ model_version: 'baseline-1', result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['yes'] } }] }];
    lines.push(JSON.stringify(t));
  }
  const imp = await req.call('POST', `/projects/${projectId}/tasks`, lines.join('\n'), { 'Content-Type': 'application/x-ndjson' });
  assert.equal(imp.status, 201, JSON.stringify(imp.body));
  assert.equal((await req.call('POST', `/projects/${projectId}/fund`, { amount: 100000 }, { 'Idempotency-Key': `f-${projectId}` })).status, 201);
  assert.equal((await req.call('POST', `/projects/${projectId}/publish`)).status, 200);
  // Ann and Ben answer the first three tasks, disagreeing on the third
  for (const [u, answers] of [[ANN, ['yes', 'yes', 'yes']], [BEN, ['yes', 'yes', 'no']]]) {
    const c = await apiSession(server.url, u.email, u.password);
    for (const choice of answers) {
      const a = await c.call('POST', `/projects/${projectId}/assignments`);
      assert.equal(a.status, 201, JSON.stringify(a.body));
      const s = await c.call('POST', `/assignments/${a.body.id}/submit`, { result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: [choice] } }], active_seconds: 7 });
      assert.equal(s.status, 201, JSON.stringify(s.body));
    }
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

const signedIn = (user, width, height) => signedInPage(browser, server.url, user, width, height, errors);

test('data manager: filters, a virtualised table, a task side by side, bulk delete', async () => {
  const page = await signedIn(REQ, 1280, 900);
  await page.goto(`${server.url}/projects/${projectId}`);
  await page.click('a.btn:has-text("Data")');
  await page.waitForSelector('.dm-row');
  assert.match(await page.textContent('.dm-counts'), /260 tasks · 257 open · 3 done · 3 with results · 0 gold/);
  const headers = await page.$$eval('.dm-table thead th', (ths) => ths.map((t) => t.textContent));
  assert.ok(headers.includes('image') && headers.includes('caption') && headers.includes('city'), `columns from the data: ${headers}`);
  assert.ok(await page.$('.dm-row img.dm-thumb[alt="image of the task"]'), 'images as thumbnails');
  const inDom = await page.$$eval('.dm-row', (r) => r.length);
  assert.ok(inDom < 60, `only the rows in view are in the DOM (${inDom})`);
  await shot(page, 'wb01-data-manager');

  // scrolling to the end loads the next keyset pages
  for (let i = 0; i < 6; i++) {
    await page.$eval('.dm-scroll', (el) => { el.scrollTop = el.scrollHeight; });
    await page.waitForTimeout(250);
  }
  await page.waitForFunction(() => /^260 tasks\.$/.test(document.querySelector('.dm-status').textContent));
  assert.ok(await page.$('.dm-row[data-task] td.num'), 'rows still painted at the end');

  // filters: results, then a search in the data, the URL keeps them
  await page.selectOption('#dm-has_results', 'true');
  await page.waitForFunction(() => document.querySelectorAll('.dm-row').length === 3);
  await page.fill('#dm-agreement_below', '0.9');
  await page.click('.dm-filters button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('.dm-row').length === 1);
  assert.match(page.url(), /has_results=true&agreement_below=0.9/);
  await page.click('.dm-row button:has-text("Open")');
  const detail = page.locator('.dm-detail');
  await detail.locator('h2').waitFor();
  assert.match(await detail.locator('.dm-compare').textContent(), /Predictions.*Label: yes.*baseline-1.*Results.*Ann Otator.*Label: yes.*Ben Labeller.*Label: no/s);
  await shot(page, 'wb02-task-detail');
  await shotAtPhone(page, 'wb03-task-detail-360');

  // a bad filter value is shown next to the filters, and goes once fixed
  await page.fill('#dm-agreement_below', '5');
  await page.click('.dm-filters button[type=submit]');
  await page.waitForSelector('.dm-filters .form-error:not([hidden])');
  assert.match(await page.textContent('.dm-filters .form-error'), /agreement_below/);
  await page.fill('#dm-agreement_below', '');
  await page.click('.dm-filters button[type=submit]');
  await page.waitForSelector('.dm-filters .form-error[hidden]', { state: 'attached' });

  // bulk delete: one task with results is kept and named
  await page.click('.dm-filters button:has-text("Clear")');
  await page.waitForFunction(() => document.querySelectorAll('.dm-row').length > 10);
  await page.check('.dm-row:nth-child(2) input[type=checkbox]'); // task 1: answered
  await page.check('.dm-row:nth-child(6) input[type=checkbox]');
  await page.check('.dm-row:nth-child(7) input[type=checkbox]');
  assert.equal(await page.textContent('.dm-selected'), '3 selected');
  await page.click('#dm-delete');
  await page.waitForSelector('.dm-bulk-result p');
  assert.match(await page.textContent('.dm-bulk-result'), /Deleted 2 task\(s\).*has submissions/s);
  await page.waitForFunction(() => /^258 tasks/.test(document.querySelector('.dm-counts').textContent));

  const phone = await signedIn(REQ, 360, 740);
  await phone.goto(`${server.url}/projects/${projectId}/data`);
  await phone.waitForSelector('.dm-row');
  await shot(phone, 'wb04-data-manager-360');
});

test('submissions: accept selected, reject a row by keyboard, one contributor', async () => {
  const page = await signedIn(REQ, 1280, 900);
  await page.goto(`${server.url}/projects/${projectId}/submissions`);
  await page.waitForSelector('tr[data-submission]');
  assert.equal(await page.$$eval('tr[data-submission]', (r) => r.length), 6);
  await shot(page, 'wb05-submissions');
  await shotAtPhone(page, 'wb05-submissions-360');

  // reject Ben's "no" on the third task by keyboard alone
  const benRow = page.locator('tr[data-submission]', { hasText: 'Ben Labeller' }).nth(2);
  await benRow.locator('button:has-text("Reject")').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('.subs-reject select:focus');
  await page.keyboard.press('ArrowDown'); // Instructions not followed
  await page.keyboard.press('Tab');
  await page.keyboard.type('The photo shows a parked car.');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => [...document.querySelectorAll('tr[data-submission]')].some((r) => /Instructions not followed/.test(r.textContent)));

  // everything else pending: select all, accept
  await page.check('#subs-all');
  await page.click('#subs-accept');
  await page.waitForSelector('.subs-report p');
  assert.match(await page.textContent('.subs-report'), /Accepted 5/);
  await page.waitForSelector('td:has-text("No submission matches")');

  // one contributor: their figures and answers
  await page.selectOption('#subs-status', '');
  await page.selectOption('#subs-contributor', { label: BEN.display_name });
  await page.waitForSelector('.subs-person h2');
  assert.match(await page.textContent('.subs-person'), /Answers\s*3.*Rejected\s*1/s);
  await page.waitForFunction(() => document.querySelectorAll('tr[data-submission]').length === 3);
  await shot(page, 'wb06-one-contributor');
  await shotAtPhone(page, 'wb07-one-contributor-360');
});

test('members: the owner adds a reviewer by email and removes them', async () => {
  const page = await signedIn(REQ, 360, 740);
  await page.goto(`${server.url}/projects/${projectId}/members`);
  await page.waitForSelector('tr[data-member]');
  await page.focus('#member-email');
  await page.keyboard.type('nobody@example.com');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#member-email[aria-invalid="true"]');
  assert.match(await page.textContent('.members-add .field-error'), /Nobody has an account with nobody@example.com/);
  await shot(page, 'wb08-members-error-360');
  await page.fill('#member-email', REV.email);
  assert.equal(await page.$('.members-add .field-error'), null, 'the error goes once the field is edited');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`tr[data-member]:has-text("${REV.email}")`);
  assert.match(await page.textContent(`tr[data-member]:has-text("${REV.email}")`), /Reviewer/);
  await shot(page, 'wb09-members-360');

  // the reviewer now reviews: the submissions screen opens for them
  const rev = await signedIn(REV, 1280, 900);
  await rev.goto(`${server.url}/projects/${projectId}/submissions?status=`);
  await rev.waitForSelector('tr[data-submission]');
  assert.equal(await rev.$('.members-add'), null);

  await page.click(`tr[data-member]:has-text("${REV.email}") button:has-text("Remove")`);
  await page.waitForFunction((e) => ![...document.querySelectorAll('tr[data-member]')].some((r) => r.textContent.includes(e)), REV.email);
  await page.setViewportSize({ width: 1280, height: 900 });
  await shot(page, 'wb10-members');
});

test('appeals show the rejected work and its reason, and say so to the reviewer who rejected', async () => {
  const ben = await apiSession(server.url, BEN.email, BEN.password);
  const mine = await ben.call('GET', '/me/submissions');
  const rejected = mine.body.items.find((s) => s.status === 'rejected');
  assert.ok(rejected, 'Ben has the rejection from the submissions test');
  assert.equal((await ben.call('POST', `/submissions/${rejected.id}/appeal`, { message: 'There is no car, only a bicycle.' })).status, 201);

  const page = await signedIn(REQ, 1280, 900);
  await page.goto(`${server.url}/projects/${projectId}/review`);
  await page.click('#tab-appeals');
  const card = page.locator('li.appeal').first();
  await card.waitFor();
  const text = await card.textContent();
  assert.match(text, /Instructions not followed: The photo shows a parked car\./);
  assert.match(text, /The rejected work\s*Label: no/);
  assert.match(text, /street corner 2/);
  assert.match(await card.locator('.appeal-mine').textContent(), /You rejected this submission, so another reviewer must decide/);
  assert.ok(await card.locator('button[data-decision=uphold]').isDisabled());
  await shot(page, 'wb11-appeal-own-rejection');
  await shotAtPhone(page, 'wb11-appeal-own-rejection-360');

  const req = await apiSession(server.url, REQ.email, REQ.password);
  assert.equal((await req.call('POST', `/projects/${projectId}/members`, { email: REV.email, role: 'reviewer' })).status, 201);
  const rev = await signedIn(REV, 360, 740);
  await rev.goto(`${server.url}/projects/${projectId}/review`);
  await rev.click('#tab-appeals');
  const revCard = rev.locator('li.appeal').first();
  await revCard.waitFor();
  assert.equal(await revCard.locator('.appeal-mine').count(), 0);
  await revCard.locator('textarea').fill('A bicycle is not a car; the answer no was right.');
  await shot(rev, 'wb12-appeal-decide-360');
  await revCard.locator('button[data-decision=uphold]').click();
  await rev.waitForSelector('text=No open appeals');
});

test('money typed as 0,25 or 1e2 or -1 is read for the locale or refused, never misread', async () => {
  const page = await signedIn(REQ, 1280, 900);
  await page.goto(`${server.url}/projects/${projectId}`);
  const before = (await (await apiSession(server.url, REQ.email, REQ.password)).call('GET', `/projects/${projectId}/money`)).body;
  for (const [typed, message] of [['1e2', /plain digits/], ['-1', /cannot be negative/], ['0.255', /at most 2 digits/], ['1,2,3', /mixes separators/]]) {
    await page.fill('#fund-amount', typed);
    await page.click('button:has-text("Add funds")');
    await page.waitForSelector('#fund-amount[aria-invalid="true"]');
    assert.match(await page.textContent('#fund-amount-error, .field-error'), message, typed);
  }
  await page.fill('#fund-amount', '0,25');
  await page.click('button:has-text("Add funds")');
  await page.waitForSelector('.toast:has-text("Added $0.25")');
  const after = (await (await apiSession(server.url, REQ.email, REQ.password)).call('GET', `/projects/${projectId}/money`)).body;
  assert.equal(JSON.stringify(after).length > 0, true);
  assert.notDeepEqual(after, before, 'the fund went through as 25 cents');
});

test('admin: search users, disable one, reset a password', async () => {
  const page = await signedIn(ADMIN, 1280, 900);
  await page.goto(`${server.url}/admin/users`);
  await page.waitForSelector('.users-table tr[data-user]');
  await page.fill('#users-q', 'wbben');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.users-table tr[data-user]').length === 1);
  const row = page.locator('.users-table tr[data-user]');
  assert.match(await row.textContent(), /wbben@example\.com.*Ben Labeller.*Contributor.*Active/);
  await row.locator('button:has-text("Disable")').click();
  await page.waitForFunction(() => /Disabled/.test(document.querySelector('.users-table tr[data-user]')?.textContent || ''));
  const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: BEN.email, password: BEN.password }) });
  assert.notEqual(login.status, 200, 'a disabled account cannot sign in');
  await page.locator('.users-table tr[data-user] button:has-text("Enable")').click();
  await page.waitForFunction(() => /Active/.test(document.querySelector('.users-table tr[data-user]')?.textContent || ''));
  await page.locator('.users-table tr[data-user] button:has-text("Reset password")').click();
  const pw = (await page.locator('.new-password').textContent()).trim();
  assert.equal(pw.length, 16);
  await shot(page, 'wb13-admin-users');
  await page.selectOption('#users-role', 'requester');
  await page.waitForFunction(() => [...document.querySelectorAll('.users-table tr[data-user]')].every((r) => /Requester|Admin/.test(r.textContent)));
  await shotAtPhone(page, 'wb14-admin-users-360');
  const again = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: BEN.email, password: pw }) });
  assert.equal(again.status, 200, 'the new password works');
});
