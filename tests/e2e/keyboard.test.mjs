// Keyboard only: a contributor signs in, goes from the board to a project,
// agrees to its consent, takes tasks, answers them (a choice by its hotkey,
// a rating with the arrow keys, a note) and submits; the requester opens the
// review queue, rejects one submission with a reason and accepts the other.
// No mouse: Tab, Shift+Tab, Enter, Space, arrows and the hotkeys. Every
// element that takes focus on the way must show it (an outline or a shadow).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiSession, launch, watchErrors, expectAccessible, ADMIN } from './lib.mjs';

const CONFIG = `<View>
  <Header value="Is this review positive?"/>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single" required="true">
    <Choice value="Positive"/>
    <Choice value="Negative"/>
  </Choices>
  <Rating name="confidence" toName="text" maxRating="5" required="true"/>
  <TextArea name="note" toName="text" rows="2"/>
</View>`;
const REQ = { email: 'kreq@example.com', password: 'requester-pass-1', display_name: 'Kim Requester' };
const CON = { email: 'kcon@example.com', password: 'contributor-pass-1', display_name: 'Kai Contributor' };

let server;
let browser;
let req;
let projectId;
const errors = [];

before(async () => {
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  for (const [u, roles] of [[REQ, ['requester']], [CON, ['contributor']]]) assert.equal((await admin.call('POST', '/users', { ...u, roles })).status, 201);
  req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Keyboard sentiment', instructions: 'Pick the sentiment, rate how sure you are.', label_config: CONFIG, reward: 20, overlap: 1 });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  projectId = p.body.id;
  const tasks = [{ text: 'Arrived early and works great.' }, { text: 'Broke on the second day.' }];
  assert.equal((await req.call('POST', `/projects/${projectId}/tasks`, tasks)).status, 201);
  assert.equal((await req.call('POST', `/projects/${projectId}/fund`, { amount: 1000 }, { 'Idempotency-Key': 'kfund' })).status, 201);
  const consent = await req.call('PUT', `/projects/${projectId}/consent`, { text: 'My answers may be used to **train models**.', version: 'v1' });
  assert.ok(consent.status < 300, JSON.stringify(consent.body));
  assert.equal((await req.call('POST', `/projects/${projectId}/publish`)).status, 200);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

/** What has focus, and whether it shows a focus indicator. */
function focusState(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { name: 'body', visible: false, body: true };
    const cs = getComputedStyle(el);
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
    const shadow = cs.boxShadow && cs.boxShadow !== 'none';
    const text = (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return { name: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} “${text}”`, visible: outline || shadow, body: false };
  });
}

async function expectFocusVisible(page, where) {
  const f = await focusState(page);
  assert.ok(!f.body, `${where}: focus was lost (it is on the page body)`);
  assert.ok(f.visible, `${where}: ${f.name} has focus but shows no outline or shadow`);
  return f;
}

/** Presses Tab (or Shift+Tab) until the focused element matches selector
 * (and holds text); every element passed on the way must show its focus. */
async function tabTo(page, selector, { text = '', back = false, max = 60 } = {}) {
  const goal = `${selector}${text ? ` “${text}”` : ''}`;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await expectFocusVisible(page, `Tab ${i + 1} towards ${goal}`);
    if (await page.evaluate(([sel, t]) => document.activeElement.matches(sel) && document.activeElement.textContent.includes(t), [selector, text])) return f;
  }
  throw new Error(`${goal} not reached with ${max} presses of ${back ? 'Shift+' : ''}Tab`);
}

async function signIn(page, who) {
  await page.goto(`${server.url}/signin`);
  await page.waitForSelector('input[name=email]:focus'); // the form focuses its first field
  await page.keyboard.type(who.email);
  await tabTo(page, 'input[name=password]');
  await page.keyboard.type(who.password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#nav .profile-link');
}

test('contributor: board → project → consent → tasks → submit, by keyboard alone', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  watchErrors(page, errors);
  await signIn(page, CON);
  await page.waitForSelector('.project-card');
  // back up to the skip link (the first stop); it lands on the content
  await tabTo(page, '.skip-link', { back: true });
  await page.keyboard.press('Enter');
  await tabTo(page, `.project-card a.btn[href="/work/${projectId}"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.consent');
  await tabTo(page, 'button', { text: 'I agree' });
  await page.keyboard.press('Space');
  await page.waitForSelector('.notice.ok');
  // agreeing moves focus to the start button
  const f = await expectFocusVisible(page, 'after agreeing');
  assert.match(f.name, /Start working/);
  await page.keyboard.press('Enter');
  await page.waitForSelector('body[data-task-ready]');
  await expectAccessible(page, 'work screen (keyboard)');

  const answer = async (hotkey, stars) => {
    const first = await page.evaluate(() => document.body.dataset.taskReady);
    // the task takes focus; the choice's hotkey works from there
    await expectFocusVisible(page, 'task ready');
    await page.keyboard.press(hotkey);
    await page.waitForSelector(`[data-control=sentiment] input[value=${hotkey === '1' ? 'Positive' : 'Negative'}]:checked`);
    // the rating: Tab to the stars, Space sets one, arrows move
    await tabTo(page, '[data-control=confidence] .star');
    await page.keyboard.press('Space');
    for (let i = 1; i < stars; i++) await page.keyboard.press('ArrowRight');
    await page.waitForSelector(`[data-control=confidence] .star[aria-checked=true][aria-label^="${stars} "]`);
    await expectFocusVisible(page, 'rating');
    await tabTo(page, '[data-control=note] textarea');
    await page.keyboard.type('Clear wording.');
    return first;
  };

  // task one: Tab to Submit, press Enter
  let first = await answer('1', 4);
  await tabTo(page, 'button', { text: 'Submit' });
  await page.keyboard.press('Enter');
  await page.waitForFunction((f) => document.body.dataset.taskReady && document.body.dataset.taskReady !== f, first);
  // task two: submit from anywhere with Ctrl+Enter
  first = await answer('2', 2);
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('text=All done for now');
  const f2 = await expectFocusVisible(page, 'all done');
  assert.match(f2.name, /Find other work/);
  const subs = (await (await apiSession(server.url, CON.email, CON.password)).call('GET', '/me/submissions')).body.items;
  assert.equal(subs.length, 2);
  await page.context().close();
});

test('requester: review queue → reject with a reason → accept, by keyboard alone', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  watchErrors(page, errors);
  await signIn(page, REQ);
  await page.waitForSelector('h1:text-is("Projects")');
  await expectAccessible(page, 'project list with a live project');
  await tabTo(page, `a[href="/projects/${projectId}"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.badge-live');
  await expectAccessible(page, 'dashboard with submissions pending');
  await tabTo(page, `a[href="/projects/${projectId}/review"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('body[data-review-ready]');
  const firstSub = await page.evaluate(() => document.body.dataset.reviewReady);

  // Reject…: the form opens with focus on the reason
  await tabTo(page, 'button', { text: 'Reject…' });
  await page.keyboard.press('Enter');
  let f = await expectFocusVisible(page, 'reject form open');
  assert.match(f.name, /#reject-code/);
  // sending it empty explains, and focus goes to the field to fix
  await tabTo(page, '.reject-form button[type=submit]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.reject-form .field-error');
  f = await expectFocusVisible(page, 'reject without a reason');
  assert.match(f.name, /#reject-code/);
  await page.keyboard.press('ArrowDown'); // the first reason
  assert.notEqual(await page.inputValue('#reject-code'), '');
  await tabTo(page, '#reject-message');
  await page.keyboard.type('Please rate how sure you are honestly.');
  await expectAccessible(page, 'review with the reject form (keyboard)');
  await tabTo(page, '.reject-form button[type=submit]');
  await page.keyboard.press('Enter');
  await page.waitForFunction((s) => document.body.dataset.reviewReady && document.body.dataset.reviewReady !== s, firstSub);
  // the next submission: focus is not lost; Tab reaches Accept, Space accepts
  await expectFocusVisible(page, 'next submission');
  await tabTo(page, 'button', { text: 'Accept' });
  await page.keyboard.press('Space');
  await page.waitForSelector('text=All caught up');
  f = await expectFocusVisible(page, 'all caught up');
  assert.match(f.name, /Back to the dashboard/);

  const subs = (await (await apiSession(server.url, CON.email, CON.password)).call('GET', '/me/submissions')).body.items;
  assert.deepEqual(subs.map((s) => s.status).sort(), ['accepted', 'rejected']);
  assert.match(subs.find((s) => s.status === 'rejected').reason || JSON.stringify(subs), /honestly/);
  await page.context().close();
});
