// The requester's workbench, second part (issue #16), in a browser: tasks
// pasted as text (a refused line named and selected, the error gone once
// the text is fixed) and image files dropped straight into the import
// panel, one task each, the same file twice refused by name. Desktop and
// 360 px, axe-core on every screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiSession, launch, shot, shotAtPhone, makePng, ADMIN, signedInPage } from './lib.mjs';

const CONFIG = '<View><Image name="image" value="$image"/><Choices name="label" toName="image" choice="single"><Choice value="car"/><Choice value="no car"/></Choices></View>';
const REQ = { email: 'wb2req@example.com', password: 'requester-pass-2', display_name: 'Wim Bench' };

let server;
let browser;
let projectId;
const errors = [];

before(async () => {
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  assert.equal((await admin.call('POST', '/users', { ...REQ, roles: ['requester'] })).status, 201);
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Car or not', instructions: 'Is there a car?', label_config: CONFIG, reward: 5 });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  projectId = p.body.id;
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

const signedIn = (user, width, height) => signedInPage(browser, server.url, user, width, height, errors);

test('paste tasks: the refused line is named and selected, fixed, imported', async () => {
  const page = await signedIn(REQ, 1280, 900);
  await page.goto(`${server.url}/projects/${projectId}`);
  await page.click('button:has-text("Paste tasks instead")');
  const area = page.locator('#paste-tasks');
  await area.waitFor();
  await area.fill('{"image": "/favicon.svg"}\n{"picture": "/favicon.svg"}\n{"image": "/favicon.svg"}');
  assert.match(await page.textContent('.paste-form'), /Read as JSON Lines/);
  await page.click('button:has-text("Import pasted tasks")');
  const err = page.locator('.paste-form .form-error');
  await err.waitFor({ state: 'visible' });
  assert.match(await err.textContent(), /line 2/);
  assert.match(await err.textContent(), /\$image/);
  const sel = await area.evaluate((a) => a.value.slice(a.selectionStart, a.selectionEnd));
  assert.equal(sel, '{"picture": "/favicon.svg"}', 'the refused line is selected');
  await shot(page, 'wb2-01-paste-refused');
  await shotAtPhone(page, 'wb2-02-paste-refused-360');
  // typing the fix clears the stale error at once
  await area.fill('{"image": "/favicon.svg"}\n{"image": "/favicon.svg?2"}\n{"image": "/favicon.svg?3"}');
  assert.equal(await err.isVisible(), false, 'no stale error after a fix');
  await page.click('button:has-text("Import pasted tasks")');
  await page.waitForSelector('.import-result.ok');
  assert.match(await page.textContent('.import-result.ok'), /3 tasks created/);
  assert.match(await page.textContent('.card.panel'), /3 tasks so far/);
  await page.context().close();
});

test('drop image files: one task each, the same file twice refused', async () => {
  for (const [width, height, tag] of [[1280, 900, ''], [360, 740, '-360']]) {
    const page = await signedIn(REQ, width, height);
    await page.goto(`${server.url}/projects/${projectId}`);
    await page.waitForSelector('#import-file', { state: 'attached' });
    const png = Buffer.from((await makePng(page)).split(',')[1], 'base64');
    // the second file differs by one trailing byte: other bytes, another task
    const other = Buffer.concat([png, Buffer.from([width & 255])]);
    await page.setInputFiles('#import-file', [
      { name: `street${tag}.png`, mimeType: 'image/png', buffer: png },
      { name: `street-copy${tag}.png`, mimeType: 'image/png', buffer: png },
      { name: `road${tag}.png`, mimeType: 'image/png', buffer: other },
    ]);
    if (!tag) {
      await page.waitForSelector('.import-result.error .import-failures li');
      const text = await page.textContent('.import-result');
      assert.match(text, /2 added, 1 refused/);
      assert.match(text, /street-copy\.png: street-copy\.png: this exact file is already in the project \(task \d+\)/);
    } else {
      // the phone run sends the desktop's first file again: both street files are refused
      await page.waitForSelector('.import-result.error .import-failures li');
      assert.match(await page.textContent('.import-result'), /1 added, 2 refused/);
    }
    await shot(page, `wb2-03-files-dropped${tag}`);
    await page.context().close();
  }
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const list = await req.call('GET', `/projects/${projectId}/tasks`);
  const files = list.body.items.filter((t) => /^\/api\/v1\/files\/\d+$/.test(t.data.image));
  assert.equal(files.length, 3, 'three dropped files are three tasks');
  // the data manager shows them as thumbnails, served from the blob store
  const page = await signedIn(REQ, 1280, 900);
  await page.goto(`${server.url}/projects/${projectId}/data`);
  const img = page.locator('.dm-row img[src^="/api/v1/files/"]').first();
  await img.waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('.dm-row img[src^="/api/v1/files/"]')].some((i) => i.complete && i.naturalWidth === 320));
  await shot(page, 'wb2-04-data-manager-files');
  await page.context().close();
});

test('bonus screen: from a contributor to a paid bonus, refusals beside the field', async () => {
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  const ANN = { email: 'wb2ann@example.com', password: 'annotator-pass-9', display_name: 'Bo Nus' };
  assert.equal((await admin.call('POST', '/users', { ...ANN, roles: ['contributor'] })).status, 201);
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Bonus round', label_config: CONFIG, reward: 5 });
  const pid = p.body.id;
  assert.equal((await req.call('POST', `/projects/${pid}/tasks`, '{"image": "/favicon.svg"}', { 'Content-Type': 'application/x-ndjson' })).status, 201);
  assert.equal((await req.call('POST', `/projects/${pid}/fund`, { amount: 5000 }, { 'Idempotency-Key': `f2-${pid}` })).status, 201);
  assert.equal((await req.call('POST', `/projects/${pid}/publish`)).status, 200);
  const c = await apiSession(server.url, ANN.email, ANN.password);
  const a = await c.call('POST', `/projects/${pid}/assignments`);
  assert.equal(a.status, 201, JSON.stringify(a.body));
  const sub = await c.call('POST', `/assignments/${a.body.id}/submit`, { result: [{ from_name: 'label', to_name: 'image', type: 'choices', value: { choices: ['car'] } }], active_seconds: 9 });
  assert.equal(sub.status, 201, JSON.stringify(sub.body));

  const page = await signedIn(REQ, 1280, 900);
  await page.goto(`${server.url}/projects/${pid}/submissions?status=&contributor=${c.user.id}`);
  await page.click('a:has-text("Give a bonus")');
  await page.waitForSelector('.bonus-form');
  assert.equal(await page.inputValue('#bonus-user'), String(c.user.id), 'the contributor comes preselected');
  assert.match(await page.textContent('.bonus-list'), /No bonuses yet/);
  await page.fill('#bonus-amount', '1e2');
  await page.fill('#bonus-reason', 'Sharp eyes');
  await page.click('button:has-text("Pay the bonus")');
  await page.waitForSelector('#bonus-amount-error');
  await shot(page, 'wb2-05-bonus-refused');
  await page.fill('#bonus-amount', '0,75');
  assert.equal(await page.locator('#bonus-amount-error').count(), 0, 'the stale error goes with the fix');
  await page.click('button:has-text("Pay the bonus")');
  await page.waitForSelector('.bonus-list td:has-text("Sharp eyes")');
  assert.match(await page.textContent('.bonus-list'), /\$0\.75/);
  await shot(page, 'wb2-06-bonus-paid');
  await shotAtPhone(page, 'wb2-07-bonus-paid-360');
  // unsaved edits: leaving asks first; staying keeps the text
  await page.fill('#bonus-reason', 'Half-typed');
  page.removeAllListeners('dialog');
  let asked = '';
  page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
  await page.click('.crumbs a');
  assert.match(asked, /unsaved changes/);
  assert.match(page.url(), /\/bonuses/);
  assert.equal(await page.inputValue('#bonus-reason'), 'Half-typed');
  page.once('dialog', (d) => d.accept());
  await page.click('.crumbs a');
  await page.waitForURL(new RegExp(`/projects/${pid}$`));
  const list = await req.call('GET', `/projects/${pid}/bonuses`);
  assert.equal(list.body.items.length, 1, 'paid once');
  assert.equal(list.body.items[0].amount, 75);
  await page.context().close();
});
