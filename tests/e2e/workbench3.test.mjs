// The requester's workbench (issue #16), the parts the first two files leave
// out: the data manager's other filters (state, gold, contributor, text
// search), its sort by priority after a bulk priority change and the
// single-task delete, all by keyboard at 360 px; audio and video files
// dropped on the import zone (a real drop event), one task each; money typed
// in a German locale; the warning before leaving unsaved edits in the
// project editor (a link, Back, closing the tab) and none once saved.
// Desktop and 360 px, axe-core on every screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, apiSession, launch, shot, shotAtPhone, tabTo, ADMIN, PHONE, signInPage, signedInPage } from './lib.mjs';

const CONFIG = '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text" choice="single"><Choice value="positive"/><Choice value="negative"/></Choices></View>';
const REQ = { email: 'wb3req@example.com', password: 'requester-pass-3', display_name: 'Vera Bench' };
const ANN = { email: 'wb3ann@example.com', password: 'annotator-pass-3', display_name: 'Ari Answer' };
const BEN = { email: 'wb3ben@example.com', password: 'annotator-pass-4', display_name: 'Bea Answer' };
const SAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/samples');

let server;
let browser;
let req;
let projectId;
let annId;
const errors = [];
const ok = (r, want) => assert.equal(r.status, want, JSON.stringify(r.body));
const ndjson = (rows) => rows.map((r) => JSON.stringify(r)).join('\n');

before(async () => {
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  ok(await admin.call('POST', '/users', { ...REQ, roles: ['requester'] }), 201);
  for (const u of [ANN, BEN]) ok(await admin.call('POST', '/users', { ...u, roles: ['contributor'] }), 201);
  req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Kettle reviews', instructions: 'Positive or negative?', label_config: CONFIG, reward: 5, overlap: 1 });
  ok(p, 201);
  projectId = p.body.id;
  // tasks 1-3 are answered (Ari two, Bea one); gold and the rest come after
  ok(await req.call('POST', `/projects/${projectId}/tasks`, ndjson([0, 1, 2].map((i) => ({ data: { text: `kettle review ${i}` } }))), { 'Content-Type': 'application/x-ndjson' }), 201);
  ok(await req.call('POST', `/projects/${projectId}/fund`, { amount: 10000 }, { 'Idempotency-Key': `f3-${projectId}` }), 201);
  ok(await req.call('POST', `/projects/${projectId}/publish`), 200);
  for (const [u, n] of [[ANN, 2], [BEN, 1]]) {
    const c = await apiSession(server.url, u.email, u.password);
    if (u === ANN) annId = c.user.id;
    for (let i = 0; i < n; i++) {
      const a = await c.call('POST', `/projects/${projectId}/assignments`);
      ok(a, 201);
      ok(await c.call('POST', `/assignments/${a.body.id}/submit`, { result: [{ from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: ['positive'] } }], active_seconds: 6 }), 201);
    }
  }
  const more = [3, 4, 5, 6].map((i) => ({ data: { text: i === 5 ? 'a zebra-striped kettle' : `kettle review ${i}` } }));
  more.push({ data: { text: 'check: boils fast, love it' }, gold: { sentiment: 'positive' } }, { data: { text: 'check: leaks, broke in a week' }, gold: { sentiment: 'negative' } });
  ok(await req.call('POST', `/projects/${projectId}/tasks`, ndjson(more), { 'Content-Type': 'application/x-ndjson' }), 201);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

const signedIn = (user, width, height) => signedInPage(browser, server.url, user, width, height, errors);
const rows = (page) => page.$$eval('.dm-row', (r) => r.map((x) => x.querySelector('td.num').textContent).map(Number));
const rowsAre = (page, n) => page.waitForFunction((k) => document.querySelectorAll('.dm-row').length === k && !/Loading/.test(document.querySelector('.dm-status').textContent), n);

/** Picks the option labelled text in the select by keyboard: focus, then arrows. */
async function pick(page, selector, text) {
  await page.focus(selector);
  const [from, to] = await page.$eval(selector, (s, t) => [s.selectedIndex, [...s.options].findIndex((o) => o.textContent === t)], text);
  assert.ok(to >= 0, `${selector} offers ${text}`);
  for (let i = from; i !== to; i += to > from ? 1 : -1) await page.keyboard.press(to > from ? 'ArrowDown' : 'ArrowUp');
  assert.equal(await page.$eval(selector, (s) => s.options[s.selectedIndex].textContent), text);
}

test('data manager at 360 px by keyboard: state, gold, contributor, search, priority sort, delete one', async () => {
  const page = await signedIn(REQ, PHONE.width, PHONE.height);
  await page.goto(`${server.url}/projects/${projectId}/data`);
  await rowsAre(page, 9);
  assert.match(await page.textContent('.dm-counts'), /9 tasks · 6 open · 3 done · 3 with results · 2 gold/);

  await pick(page, '#dm-state', 'Done');
  await rowsAre(page, 3);
  assert.equal(await page.locator('.dm-row .badge-done').count(), 3, 'only done tasks');
  assert.match(page.url(), /state=done/);
  await pick(page, '#dm-state', 'Any state');
  await pick(page, '#dm-gold', 'Gold only');
  await rowsAre(page, 2);
  assert.equal(await page.locator('.dm-row .badge-gold').count(), 2, 'gold rows say so');
  await shot(page, 'wb3-01-dm-gold-360');
  await pick(page, '#dm-gold', 'Any');
  await rowsAre(page, 9);

  // contributor and search are typed, then Enter applies them
  await page.focus('#dm-contributor');
  await page.keyboard.type(String(annId));
  await page.keyboard.press('Enter');
  await rowsAre(page, 2);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.focus('#dm-q');
  await page.keyboard.type('zebra');
  await page.keyboard.press('Enter');
  await rowsAre(page, 1);
  assert.match(await page.textContent('.dm-row'), /zebra-striped kettle/);
  assert.match(page.url(), /q=zebra/);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Enter');
  await rowsAre(page, 9);

  // two tasks to the front: tick them with Space, set priority 50, sort by it
  const all = await rows(page);
  const [a, b] = [all[4], all[6]];
  for (const id of [a, b]) {
    await page.focus(`.dm-row[data-task="${id}"] input[type=checkbox]`);
    await page.keyboard.press('Space');
  }
  assert.equal(await page.textContent('.dm-selected'), '2 selected');
  await page.focus('#dm-priority');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('50');
  await page.focus('#dm-set-priority');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.dm-bulk-result p:has-text("Changed 2 task(s).")');
  await pick(page, '#dm-sort', 'Priority, highest first');
  await page.waitForFunction(() => /sort=-priority/.test(location.search));
  await rowsAre(page, 9);
  assert.deepEqual((await rows(page)).slice(0, 2), [b, a], 'the two at priority 50 first, newest first among equals');
  await shot(page, 'wb3-02-dm-priority-360');

  // a task nobody worked on is deleted from its details, after a confirmation
  await page.focus(`.dm-row[data-task="${a}"] button`); // signedInPage accepts the confirmation
  await page.keyboard.press('Enter');
  await page.waitForSelector('.dm-detail h2:focus');
  await page.locator('.dm-detail button:has-text("Delete this task")').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /^8 tasks/.test(document.querySelector('.dm-counts').textContent));
  assert.equal((await req.call('GET', `/tasks/${a}`)).status, 404);
  // an answered task offers no delete
  await page.goto(`${server.url}/projects/${projectId}/data?state=done`);
  await rowsAre(page, 3);
  await page.click('.dm-row button');
  await page.waitForSelector('.dm-detail h2');
  assert.equal(await page.locator('.dm-detail button:has-text("Delete this task")').count(), 0);
  await page.setViewportSize({ width: 1280, height: 900 });
  await shot(page, 'wb3-03-dm-answered-task');
  await page.context().close();
});

/** Drops files (name, type, path) on the import zone as a real drag and drop does. */
async function dropFiles(page, files) {
  const payload = files.map(([name, type, path]) => ({ name, type, b64: readFileSync(path).toString('base64') }));
  const dt = await page.evaluateHandle((list) => {
    const t = new DataTransfer();
    for (const f of list) t.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    return t;
  }, payload);
  await page.dispatchEvent('.dropzone', 'dragover', { dataTransfer: dt });
  await page.dispatchEvent('.dropzone', 'drop', { dataTransfer: dt });
}

test('audio and video files dropped on the import zone become one task each', async () => {
  const made = [];
  for (const [title, config] of [['Recordings', '<View><Audio name="audio" value="$audio"/><Choices name="ok" toName="audio" choice="single"><Choice value="clear"/><Choice value="noisy"/></Choices></View>'],
    ['Clips', '<View><Video name="video" value="$video"/><Choices name="ok" toName="video" choice="single"><Choice value="steady"/><Choice value="shaky"/></Choices></View>']]) {
    const p = await req.call('POST', '/projects', { title, label_config: config, reward: 5 });
    ok(p, 201);
    made.push(p.body.id);
  }
  const [audioProject, videoProject] = made;
  const speech = ['speech.ogg', 'audio/ogg', `${SAMPLES}/speech.ogg`];
  const clip = ['clip.webm', 'video/webm', `${SAMPLES}/clip.webm`];
  const result = (page) => page.waitForFunction(() => /created|refused/.test(document.querySelector('.import-result')?.textContent || ''));
  const page = await signedIn(REQ, 1280, 900);
  await page.goto(`${server.url}/projects/${audioProject}`);
  await page.waitForSelector('.dropzone');
  await dropFiles(page, [speech, clip]);
  await result(page);
  // the clip has no place in a project that only plays recordings: refused by name
  assert.match(await page.textContent('.import-result'), /1 added, 1 refused.*clip\.webm: .*video/s);
  const audioTasks = (await req.call('GET', `/projects/${audioProject}/tasks`)).body.items;
  assert.equal(audioTasks.length, 1);
  assert.match(audioTasks[0].data.audio, /^\/api\/v1\/files\/\d+$/, 'the recording fills $audio');
  await shot(page, 'wb3-04-audio-dropped');
  // at 360 px: the clip into the video project, then the same clip again
  await page.setViewportSize(PHONE);
  await page.goto(`${server.url}/projects/${videoProject}`);
  await page.waitForSelector('.dropzone');
  await dropFiles(page, [clip]);
  await page.waitForSelector('.import-result.ok');
  assert.match(await page.textContent('.import-result'), /1 task created from files/);
  await dropFiles(page, [clip]);
  await page.waitForSelector('.import-result.error .import-failures li');
  assert.match(await page.textContent('.import-result'), /0 added, 1 refused.*clip\.webm: .*already in the project/s);
  await shot(page, 'wb3-05-video-duplicate-360');
  const videoTasks = (await req.call('GET', `/projects/${videoProject}/tasks`)).body.items;
  assert.equal(videoTasks.length, 1);
  assert.match(videoTasks[0].data.video, /^\/api\/v1\/files\/\d+$/, 'the clip fills $video');
  await page.context().close();
});

test('money typed in a German locale at 360 px: 1.234,5 is 1234.50, 1,5 is 1.50, 1e2 refused', async () => {
  const page = await signInPage(browser, server, REQ, PHONE, errors, { locale: 'de-DE' });
  await page.goto(`${server.url}/projects/${projectId}`);
  await page.waitForSelector('#fund-amount');
  assert.equal(await page.evaluate(() => navigator.language), 'de-DE');
  await page.fill('#fund-amount', '1e2');
  await page.click('button:has-text("Add funds")');
  await page.waitForSelector('#fund-amount[aria-invalid="true"]');
  assert.match(await page.textContent('.field-error'), /plain digits/);
  await shot(page, 'wb3-06-money-refused-de-360');
  for (const [typed, minor] of [['1.234,5', 123450], ['1,5', 150], ['2.000', 200000]]) {
    await page.fill('#fund-amount', typed);
    const [sent] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/projects/${projectId}/fund`)),
      page.click('button:has-text("Add funds")'),
    ]);
    assert.equal(JSON.parse(sent.postData()).amount, minor, `${typed} in de-DE`);
    await page.waitForSelector('.toast:has-text("Added")');
    await page.evaluate(() => document.querySelectorAll('.toast').forEach((t) => t.remove()));
  }
  await page.context().close();
});

test('unsaved edits in the project editor: a link, Back and closing the tab ask first; saved edits do not', async () => {
  const page = await signedIn(REQ, 1280, 900);
  await page.goto(`${server.url}/projects/${projectId}`);
  await page.click(`a[href="/projects/${projectId}/edit"]`); // in the app: Back is a popstate
  await page.waitForSelector('#p-title');
  await page.fill('#p-title', 'Kettle reviews, second round');
  page.removeAllListeners('dialog');
  const asked = [];
  const answer = (accept) => page.once('dialog', (d) => { asked.push(`${d.type()}: ${d.message()}`); accept ? d.accept() : d.dismiss(); });
  answer(false);
  await page.click('.crumbs a');
  assert.match(asked.pop() || '', /confirm: .*unsaved changes/);
  assert.match(page.url(), /\/edit$/);
  answer(false);
  await page.evaluate(() => history.back());
  await page.waitForTimeout(300);
  await page.waitForFunction(() => /\/edit$/.test(location.pathname));
  assert.match(asked.pop() || '', /unsaved changes/, 'Back asks too');
  assert.equal(await page.inputValue('#p-title'), 'Kettle reviews, second round', 'staying keeps the edit');
  answer(false);
  await page.close({ runBeforeUnload: true });
  await page.waitForTimeout(200);
  assert.match(asked.pop() || '', /^beforeunload/, 'closing the tab asks the browser to confirm');
  assert.equal(page.isClosed(), false);
  await shotAtPhone(page, 'wb3-07-editor-unsaved-360');
  // saved: leaving asks nothing
  await page.click('button[name=save]');
  await page.waitForURL(new RegExp(`/projects/${projectId}$`));
  await page.evaluate(() => history.back());
  await page.waitForSelector('#p-title');
  await page.click('.crumbs a');
  await page.waitForURL(new RegExp(`/projects/${projectId}$`));
  assert.deepEqual(asked, [], 'no question once saved');
  assert.equal((await req.call('GET', `/projects/${projectId}`)).body.title, 'Kettle reviews, second round');
  await page.context().close();
});

/** Presses Tab until the focused element matches selector and its text starts with text. */
async function tabToText(page, selector, text, n = 150) {
  for (let i = 0; i < n; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(([sel, t]) => !!document.activeElement?.matches(sel) && document.activeElement.textContent.trim().startsWith(t), [selector, text])) return;
  }
  throw new Error(`Tab never reached ${selector} "${text}"`);
}

test('by keyboard alone at 360 px: accept every pending submission, pay a bonus, paste tasks, disable and reset a user', async () => {
  const page = await signedIn(REQ, PHONE.width, PHONE.height);
  await page.goto(`${server.url}/projects/${projectId}/submissions`);
  await page.waitForSelector('tr[data-submission]');
  assert.equal(await page.locator('tr[data-submission]').count(), 3);
  await tabTo(page, '#subs-all');
  await page.keyboard.press('Space');
  await tabTo(page, '#subs-accept');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.subs-report p');
  assert.match(await page.textContent('.subs-report'), /Accepted 3/);
  await shot(page, 'wb3-08-accepted-by-keyboard-360');

  await page.goto(`${server.url}/projects/${projectId}/bonuses?user=${annId}`);
  await page.waitForSelector('.bonus-form');
  await tabTo(page, '#bonus-amount');
  await page.keyboard.type('0,50');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Careful work on the kettle reviews');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.bonus-list td:has-text("Careful work")');
  assert.match(await page.textContent('.bonus-list'), /\$0\.50/);

  await page.goto(`${server.url}/projects/${projectId}`);
  await tabTo(page, 'button[aria-controls="paste-box"]');
  await page.keyboard.press('Enter');
  await tabTo(page, '#paste-tasks');
  await page.keyboard.type('{"text": "typed by keyboard"}');
  await tabTo(page, '.paste-form button[type=submit]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.import-result.ok');
  assert.match(await page.textContent('.import-result.ok'), /1 task/);
  await page.context().close();

  const admin = await signedIn(ADMIN, PHONE.width, PHONE.height);
  await admin.goto(`${server.url}/admin/users`);
  await admin.waitForSelector('.users-table tr[data-user]');
  await tabTo(admin, '#users-q');
  await admin.keyboard.type('wb3ben');
  await admin.keyboard.press('Enter');
  await admin.waitForFunction(() => document.querySelectorAll('.users-table tr[data-user]').length === 1);
  await tabToText(admin, '.users-table button', 'Disable');
  await admin.keyboard.press('Enter'); // the confirmation is accepted by signedInPage
  await admin.waitForFunction(() => /Disabled/.test(document.querySelector('.users-table tr[data-user]')?.textContent || ''));
  await tabToText(admin, '.users-table button', 'Enable');
  await admin.keyboard.press('Enter');
  await admin.waitForFunction(() => /Active/.test(document.querySelector('.users-table tr[data-user]')?.textContent || ''));
  await tabToText(admin, '.users-table button', 'Reset password');
  await admin.keyboard.press('Enter');
  const pw = (await admin.locator('.new-password').textContent()).trim();
  assert.equal((await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: BEN.email, password: pw }) })).status, 200, 'the new password works');
  await shot(admin, 'wb3-09-admin-by-keyboard-360');
  await admin.context().close();
});
