// The contributor's screens at 360 px (issue #17): the work board sorted
// and filtered, a notice of new work under the bell, the preferences card
// with the new-work and payout choices, "My work" (held tasks and the
// submission table), the signed history card, the report form, messages
// with the requester on both sides (pseudonymous), instructions that stay
// closed once closed, and a recording task whose prompt is above the fold.
// axe-core and the 360 px check run with every screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiSession, launch, signInPage, shot, ADMIN, PHONE } from './lib.mjs';

const CONFIG = '<View><Text name="text" value="$text"/><Choices name="label" toName="text" choice="single"><Choice value="yes"/><Choice value="no"/></Choices></View>';
const REQ = { email: 'reachreq@example.com', password: 'requester-pass-1', display_name: 'Rea Req' };
const ANN = { email: 'reach@example.com', password: 'contrib-pass-1', display_name: 'Ria Reach' };

let server;
let browser;
let req;
let ann;
let german;
let plain;
let voice;
const errors = [];

async function live(body, tasks, key) {
  const p = await req.call('POST', '/projects', { reward: 10, overlap: 1, ...body });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  assert.equal((await req.call('POST', `/projects/${p.body.id}/tasks`, tasks)).status, 201);
  assert.equal((await req.call('POST', `/projects/${p.body.id}/fund`, { amount: 1000 }, { 'Idempotency-Key': key })).status, 201);
  const pub = await req.call('POST', `/projects/${p.body.id}/publish`);
  assert.equal(pub.status, 200, JSON.stringify(pub.body));
  return p.body.id;
}

before(async () => {
  server = await startServer();
  browser = await launch();
  // the clock is set before the sessions that count on it start
  const first = await apiSession(server.url, ADMIN.email, ADMIN.password);
  assert.equal((await first.call('POST', '/admin/clock', { now: '2032-07-01T10:00:00Z' })).status, 200);
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  for (const [u, roles] of [[REQ, ['requester']], [ANN, ['contributor']]]) {
    const r = await admin.call('POST', '/users', { ...u, roles });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  req = await apiSession(server.url, REQ.email, REQ.password);
  ann = await apiSession(server.url, ANN.email, ANN.password);
  const prof = await ann.call('PATCH', '/me/profile', { languages: ['de', 'en'] });
  assert.equal(prof.status, 200, JSON.stringify(prof.body));
  german = await live({ title: 'Strassennamen', instructions: 'Ist es ein Strassenname?', label_config: CONFIG, eligibility: { languages: ['de'] } }, [{ text: 'Hauptstrasse' }, { text: 'Banane' }], 'rf1');
  plain = await live({ title: 'Street names', instructions: 'Is it a **street name**? Answer yes or no.', label_config: CONFIG, reward: 20, reject_reasons: ['wrong_answer'] }, [{ text: 'Main Street' }, { text: 'Banana' }, { text: 'Elm Road' }], 'rf2');
  voice = await live({ title: 'Say a sentence', kind: 'collection', instructions: 'Read the sentence aloud in a quiet room.', collect: { media: 'audio', prompt_field: 'sentence', min_seconds: 1, max_seconds: 30, formats: ['ogg'] } }, [{ sentence: 'The quick brown fox jumps over the lazy dog.' }], 'rf3');
  // the notice job runs a minute later; then one answer, rejected
  assert.equal((await admin.call('POST', '/admin/clock', { now: '2032-07-01T10:02:00Z' })).status, 200);
  const answered = await answer(plain, 'no');
  const rj = await req.call('POST', `/submissions/${answered}/reject`, { reason_code: 'wrong_answer', message: 'Main Street is a street.' });
  assert.equal(rj.status, 200, JSON.stringify(rj.body));
});

/** The contributor answers the next task of a project: the submission's id. */
async function answer(project, choice) {
  const lease = await ann.call('POST', `/projects/${project}/assignments`);
  assert.equal(lease.status, 201, JSON.stringify(lease.body));
  const result = [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: [choice] } }];
  const sub = await ann.call('POST', `/assignments/${lease.body.id}/submit`, { result });
  assert.equal(sub.status, 201, JSON.stringify(sub.body));
  return sub.body.id;
}

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

const signIn = (who = ANN, viewport = PHONE) => signInPage(browser, server, who, viewport, errors);

test('the board at 360 px: sorted by pay, filtered by language, the choice remembered', async () => {
  const page = await signIn();
  await page.goto(`${server.url}/work`);
  await page.waitForSelector('.project-card');
  const titles = () => page.locator('.project-card .card-title').allTextContents();
  assert.equal((await titles()).length, 3);
  await page.selectOption('#board-sort', 'newest');
  assert.deepEqual(await titles(), ['Say a sentence', 'Street names', 'Strassennamen']);
  await page.selectOption('#board-lang', 'de');
  assert.deepEqual(await titles(), ['Strassennamen']);
  await shot(page, 'reach01-board-360');
  await page.reload();
  await page.waitForSelector('.project-card');
  assert.equal(await page.inputValue('#board-lang'), 'de', 'remembered on this device');
  await page.context().close();
});

test('new work arrives under the bell; the preferences card offers to turn it off', async () => {
  const page = await signIn();
  await page.goto(`${server.url}/me/notifications`);
  await page.waitForSelector('.note');
  const text = await page.locator('.notes').textContent();
  assert.match(text, /New work for you: "Street names"/);
  assert.match(text, /was rejected/);
  await shot(page, 'reach02-notifications-360');
  await page.goto(`${server.url}/me/profile`);
  await page.waitForSelector('input[name=notify_new_work]');
  await page.uncheck('input[name=notify_new_work]');
  await page.locator('input[name=notify_new_work]').locator('xpath=ancestor::form').locator('button[type=submit]').click();
  await page.waitForSelector('text=Limits and notifications saved.');
  assert.equal((await ann.call('GET', '/me/preferences')).body.notify.new_work, false);
  await shot(page, 'reach03-preferences-history-360');
  await page.context().close();
});

test('My work at 360 px: the held task and a readable submission table', async () => {
  const held = await ann.call('POST', `/projects/${plain}/assignments`);
  assert.equal(held.status, 201, JSON.stringify(held.body));
  const page = await signIn();
  await page.goto(`${server.url}/me/work`);
  await page.waitForSelector('table td');
  const cell = page.locator('table td').first();
  const box = await cell.boundingBox();
  assert.ok(box.width > 150, `a cell is ${box.width}px wide: stacked rows, not a squeezed table`);
  assert.equal(await page.locator('td.answer').first().textContent(), 'no', 'my own answer, viewable');
  await shot(page, 'reach04-my-work-360');
  await page.context().close();
});

test('a report from the work screen at 360 px; the instructions stay closed once closed', async () => {
  const page = await signIn();
  await page.goto(`${server.url}/work/${plain}/task`);
  await page.waitForSelector('body[data-task-ready]');
  const panel = page.locator('.work-instructions');
  assert.equal(await panel.evaluate((d) => d.open), false, 'closed on a phone at first: the task comes first');
  await panel.locator('summary').click();
  assert.equal(await panel.evaluate((d) => d.open), true);
  await page.reload();
  await page.waitForSelector('body[data-task-ready]');
  assert.equal(await page.locator('.work-instructions').evaluate((d) => d.open), true, 'remembered open');
  await page.locator('.work-instructions summary').click();
  await page.locator('.report-box summary').click();
  await page.check('input[name=report-reason][value=broken]');
  await shot(page, 'reach05-report-360');
  await page.reload();
  await page.waitForSelector('body[data-task-ready]');
  assert.equal(await page.locator('.work-instructions').evaluate((d) => d.open), false, 'remembered closed');
  await page.context().close();
});

test('a recording task at 360 px shows its prompt above the fold', async () => {
  const page = await signIn();
  await page.goto(`${server.url}/work/${voice}/task`);
  await page.waitForSelector('.prompt-text:not(:empty)');
  const box = await page.locator('.prompt-text').boundingBox();
  assert.ok(box.y + box.height <= PHONE.height, `the prompt ends at ${box.y + box.height}px of ${PHONE.height}`);
  await shot(page, 'reach06-recording-360', { full: false });
  await page.context().close();
});

test('messages: the contributor writes at 360 px, the requester answers a pseudonym', async () => {
  const page = await signIn();
  await page.goto(`${server.url}/work/${plain}`);
  await page.click('text=Message the requester');
  await page.waitForSelector('.thread textarea');
  await page.click('.thread button[type=submit]');
  await page.waitForSelector('.thread textarea[aria-invalid=true]');
  await page.fill('.thread textarea', 'Task 2 is a fruit, not a street. Is “no” right?');
  await page.click('.thread button[type=submit]');
  await page.waitForSelector('.msg-mine');
  await shot(page, 'reach07-messages-contributor-360');

  const owner = await signIn(REQ);
  await owner.goto(`${server.url}/projects/${plain}/messages`);
  await owner.waitForSelector('.thread');
  const title = await owner.locator('.thread .card-title').textContent();
  assert.match(title, /^Contributor \d+$/);
  assert.doesNotMatch(await owner.locator('main').textContent(), /reach@example\.com|Ria Reach/);
  await owner.fill('.thread textarea', 'Yes, “no” is right. Thanks for asking.');
  await owner.click('.thread button[type=submit]');
  await owner.waitForSelector('.msg-mine');
  await shot(owner, 'reach08-messages-requester-360');
  await owner.context().close();

  await page.reload();
  await page.waitForSelector('.msg-theirs');
  assert.match(await page.locator('.msg-theirs').textContent(), /Requester.*Yes, “no” is right/s);
  assert.doesNotMatch(await page.locator('main').textContent(), /reachreq@example\.com/);
  await page.context().close();
});
