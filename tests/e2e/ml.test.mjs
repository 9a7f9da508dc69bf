// ML assistance in a browser. A TEST ML BACKEND started here speaks Label
// Studio's ML-backend protocol (/health, /setup, /predict: "yes" for every
// task, the score from the task's data). The requester connects it on the
// project dashboard (a dead address first: the 422 names the failure next
// to the URL), sees the suggestions counted, sets the order to "least
// confident first", then the backend starts failing and the panel shows its
// last error. A contributor gets the least confident task with the model's
// suggestion above the annotator: Clear, Accept one, Accept all. A
// transcription project gets the speech transcriber's words. axe-core
// checks each state; at 360 px nothing scrolls sideways. Screenshots go to
// artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fakeMlBackend } from './ml-backend.mjs';
import { startServer, apiSession, launch, signInAs, shot, expectAccessible, ADMIN, PHONE } from './lib.mjs';

const CONFIG = '<View><Text name="text" value="$text"/><Choices name="label" toName="text" choice="single"><Choice value="yes"/><Choice value="no"/></Choices><Choices name="topic" toName="text" choice="single"><Choice value="price"/><Choice value="quality"/></Choices></View>';
const REQ = { email: 'mlreq@example.com', password: 'requester-pass-1', display_name: 'Mina Models' };
const CON = { email: 'mlcon@example.com', password: 'contrib-pass-1', display_name: 'Cai Contrib' };

let server;
let browser;
let backend;
let backendUrl;
let failing = false;
let projectId;
const errors = [];

const signIn = (who, viewport) => signInAs(browser, server.url, who, viewport, errors);

async function until(check, what, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  backend = await fakeMlBackend('test-v1', ({ tasks }) => (failing ? [500, { error: 'model crashed' }] : [200, { results: tasks.map((t) => ({ model_version: 'test-v1', score: t.data.conf, result: [
    { from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['yes'] } },
    { from_name: 'topic', to_name: 'text', type: 'choices', value: { choices: ['quality'] } }] })) }]));
  backendUrl = backend.url;
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  assert.equal((await admin.call('POST', '/users', { ...REQ, roles: ['requester'] })).status, 201);
  assert.equal((await admin.call('POST', '/users', { ...CON, roles: ['contributor'] })).status, 201);
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Reviews with a model', instructions: 'Is the review positive?', label_config: CONFIG, reward: 10, overlap: 1 });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  projectId = p.body.id;
  const tasks = [{ text: 'Lovely, works well.', conf: 0.93 }, { text: 'Hm, not sure about it.', conf: 0.52 }];
  assert.equal((await req.call('POST', `/projects/${projectId}/tasks`, JSON.stringify(tasks), { 'Content-Type': 'application/json' })).status, 201);
  assert.equal((await req.call('POST', `/projects/${projectId}/fund`, { amount: 1000 })).status, 201);
  assert.equal((await req.call('POST', `/projects/${projectId}/publish`)).status, 200);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await backend?.close();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

test('a requester connects a backend, sees suggestions counted, the order and the last error', async () => {
  const page = await signIn(REQ, { width: 1280, height: 900 });
  await page.goto(`${server.url}/projects/${projectId}`);
  const panel = page.locator('.ml-panel');
  await panel.locator('.ml-none').waitFor();
  await expectAccessible(page, 'ml: nothing connected');

  await page.fill('#ml-url', 'http://127.0.0.1:1');
  await page.click('.ml-form button[type=submit]');
  await panel.locator('.field-error').waitFor();
  assert.match(await panel.locator('.field-error').textContent(), /did not answer.*\/health/);
  assert.equal(await page.getAttribute('#ml-url', 'aria-invalid'), 'true');
  await expectAccessible(page, 'ml: a dead backend refused');

  await page.fill('#ml-url', backendUrl);
  await page.click('.ml-form button[type=submit]');
  await panel.locator('.ml-url').waitFor();
  assert.equal(await panel.locator('.ml-url').textContent(), backendUrl);
  await until(async () => {
    await page.reload();
    await panel.locator('.ml-facts').waitFor();
    return /Suggestions stored\s*2/.test(await panel.locator('.ml-facts').textContent());
  }, 'two suggestions');
  assert.match(await panel.locator('.ml-facts').textContent(), /Model version\s*test-v1/);

  await page.selectOption('#ml-order', 'uncertainty');
  assert.match(await page.textContent('#ml-order-hint'), /lowest score first/);
  await page.click('.ml-order-form button[type=submit]');
  await page.waitForSelector('text=Order saved.');
  const req = await apiSession(server.url, REQ.email, REQ.password);
  assert.equal((await req.call('GET', `/projects/${projectId}`)).body.order, 'uncertainty');
  await shot(page, 'ml01-connected', { full: false });

  failing = true;
  await page.click('.ml-panel button:has-text("Predict again")');
  await until(async () => {
    await page.reload();
    await panel.locator('.ml-facts').waitFor();
    return (await panel.locator('.ml-error').count()) > 0;
  }, 'the last error');
  assert.match(await panel.locator('.ml-error-text').textContent(), /HTTP 500/);
  await expectAccessible(page, 'ml: the backend failing');

  const phone = await signIn(REQ, PHONE);
  await phone.goto(`${server.url}/projects/${projectId}`);
  await phone.locator('.ml-panel .ml-error').waitFor();
  await expectAccessible(phone, 'ml: panel at 360 px');
  await shot(phone, 'ml02-error-360');
  failing = false; // the retry (backoff) heals it before the contributor comes
});

test('a contributor starts from the suggestion of the least confident task: clear, accept one, accept all', async () => {
  const page = await signIn(CON, PHONE);
  await page.goto(`${server.url}/work/${projectId}/task`);
  await page.waitForSelector('body[data-task-ready]');
  assert.match(await page.textContent('.text-body'), /not sure/, 'uncertainty: the 0.52 task comes before the 0.93 one');
  const bar = page.locator('.ml-suggest');
  await bar.waitFor();
  assert.match(await bar.textContent(), /model test-v1, 52% confident/);
  const yes = '[data-control=label] input[value=yes]';
  assert.ok(await page.isChecked(yes), 'the suggestion is the starting point');
  const quality = '[data-control=topic] input[value=quality]';
  await bar.locator('button:has-text("Clear")').click();
  assert.equal(await page.isChecked(yes), false, 'Clear starts from nothing');
  assert.equal(await page.isChecked(quality), false);
  await bar.getByRole('button', { name: 'Accept topic: quality' }).click();
  assert.ok(await page.isChecked(quality), 'Accept one takes that suggestion');
  assert.equal(await page.isChecked(yes), false, '... and only that one');
  await bar.locator('button:has-text("Accept all")').click();
  assert.ok(await page.isChecked(yes), 'Accept all puts the suggestion back');
  await expectAccessible(page, 'ml: suggestions in the annotator at 360 px');
  await shot(page, 'ml03-suggestions-360');
  await page.click('button:has-text("Submit")');
  // the next task, the surer one, comes with its own suggestion
  await page.waitForSelector('.ml-suggest:has-text("93% confident")');
});

test('a requester picks a built-in model instead of a backend URL', async () => {
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Reviews, built-in model', instructions: 'Is the review positive?', label_config: CONFIG, reward: 10, overlap: 1 });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  assert.equal((await req.call('POST', `/projects/${p.body.id}/tasks`, JSON.stringify([{ text: 'Lovely.' }]), { 'Content-Type': 'application/json' })).status, 201);
  assert.equal((await req.call('POST', `/projects/${p.body.id}/fund`, { amount: 100 })).status, 201);
  assert.equal((await req.call('POST', `/projects/${p.body.id}/publish`)).status, 200);
  const page = await signIn(REQ, PHONE);
  await page.goto(`${server.url}/projects/${p.body.id}`);
  const panel = page.locator('.ml-panel');
  await panel.locator('.ml-none').waitFor();
  await page.selectOption('#ml-builtin', 'text-classifier');
  await expectAccessible(page, 'ml: a built-in model picked at 360 px');
  await page.click('.ml-form button[type=submit]');
  await panel.locator('.ml-url').waitFor();
  assert.equal(await panel.locator('.ml-url').textContent(), 'text-classifier');
  assert.equal((await req.call('GET', `/projects/${p.body.id}/ml`)).body.builtin, 'text-classifier');
});

test('a transcription project gets the speech transcriber\'s pre-transcription as an editable suggestion', async () => {
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Transcribe the clip', instructions: 'Write what is said.', reward: 10, overlap: 1,
    label_config: '<View><Audio name="audio" value="$audio"/><TextArea name="transcript" toName="audio" rows="3"/></View>' });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  const tasks = [{ audio: `${server.url}/samples/speech.ogg` }];
  assert.equal((await req.call('POST', `/projects/${p.body.id}/tasks`, JSON.stringify(tasks), { 'Content-Type': 'application/json' })).status, 201);
  assert.equal((await req.call('POST', `/projects/${p.body.id}/fund`, { amount: 100 })).status, 201);
  assert.equal((await req.call('POST', `/projects/${p.body.id}/publish`)).status, 200);
  const owner = await signIn(REQ, PHONE);
  await owner.goto(`${server.url}/projects/${p.body.id}`);
  await owner.locator('.ml-panel .ml-none').waitFor();
  await owner.selectOption('#ml-builtin', 'speech-transcriber');
  await owner.click('.ml-form button[type=submit]');
  await owner.locator('.ml-panel .ml-url').waitFor();
  let st;
  await until(async () => {
    st = (await req.call('GET', `/projects/${p.body.id}/ml`)).body;
    return st.predicted >= 1 || st.last_error;
  }, 'the transcription', 120000);
  assert.equal(st.predicted, 1, JSON.stringify(st));

  const page = await signIn(CON, PHONE);
  await page.goto(`${server.url}/work/${p.body.id}/task`);
  await page.waitForSelector('body[data-task-ready]');
  const bar = page.locator('.ml-suggest');
  await bar.waitFor();
  assert.match(await bar.textContent(), /model speech-transcriber@pocketsphinx-en-us, \d+% confident/);
  const box = page.locator('[data-control=transcript] textarea');
  const suggestion = await box.inputValue();
  assert.ok(suggestion.length > 0, 'the text area starts from the recogniser\'s words');
  await bar.locator('button:has-text("Clear")').click();
  assert.equal(await box.inputValue(), '', 'Clear starts from nothing');
  await bar.locator('button:has-text("Accept all")').click();
  assert.equal(await box.inputValue(), suggestion, 'Accept all puts it back');
  await box.fill(`${suggestion} (checked)`);
  await expectAccessible(page, 'ml: a pre-transcription at 360 px');
  await shot(page, 'ml04-pre-transcription-360');
  await page.click('button:has-text("Submit")');
  await page.waitForSelector('.empty, .result-title, h2');
  const subs = (await req.call('GET', `/projects/${p.body.id}/submissions`)).body;
  const items = subs.items || subs;
  assert.equal(items[0].result.find((r) => r.from_name === 'transcript').value.text[0], `${suggestion} (checked)`, 'the contributor\'s edit is the answer');
});
