// The requester's workbench, second part (issue #16), in a browser: tasks
// pasted as text (a refused line named and selected, the error gone once
// the text is fixed) and image files dropped straight into the import
// panel, one task each, the same file twice refused by name; and the UI
// polish of the issue (word-granularity NER, no image jump, loading
// placeholders, no null in headings). Desktop and 360 px, axe-core on every
// screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiSession, launch, shot, shotAtPhone, makePng, ADMIN, PHONE, signedInPage, selectText } from './lib.mjs';

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

// UI polish found in use: a selection in a word-granularity text grows to
// whole words (and never to the word before a leading space), picking a label
// does not move the image, every screen shows a placeholder while its data
// loads, and no heading reads "null".
const selectInPreview = (page, start, end) => selectText(page, '.preview-host .text-body', start, end);

const spans = (page) => page.evaluate(() => document.querySelector('.preview-host').annotator.getResult().filter((x) => x.type === 'labels').map((x) => x.value.text));

for (const [label, width, height] of [['desktop', 1280, 900], ['360 px', PHONE.width, PHONE.height]]) {
  test(`NER with granularity="word" labels whole words (${label})`, async () => {
    const page = await signedIn(REQ, width, height);
    await page.goto(`${server.url}/projects/new`);
    await page.click('[data-template="ner"]'); // <Text … granularity="word"/>
    await page.waitForSelector('.preview-host .text-body');
    await page.evaluate(() => document.activeElement.blur());
    const text = 'Ada Lovelace worked with Charles Babbage at the Analytical Engine project in London.';
    // "ovela" inside "Lovelace" → the whole word
    await selectInPreview(page, 5, 9);
    await page.keyboard.press('1');
    // " London" with the space before it → "London", not "in London"
    const london = text.indexOf('London');
    await selectInPreview(page, london - 1, london + 3);
    await page.keyboard.press('2');
    assert.deepEqual(await spans(page), ['Lovelace', 'London']);
    await page.locator('.preview-host .text-body').scrollIntoViewIfNeeded();
    await shot(page, `60-ner-word-granularity-${width}`, { full: false });
    await page.context().close();
  });
}

test('picking a label does not move the image (desktop and 360 px)', async () => {
  const page = await signedIn(REQ, 1280, 900);
  await page.goto(`${server.url}/projects/new`);
  await page.click('[data-template="image-objects"]');
  const img = page.locator('.preview-host .img-overlay');
  // where the image sits in the annotator (the page may scroll to the button clicked)
  const place = () => page.evaluate(() => {
    const a = document.querySelector('.preview-host .annotator').getBoundingClientRect();
    const i = document.querySelector('.preview-host .img-overlay').getBoundingClientRect();
    return { top: i.top - a.top, left: i.left - a.left, width: i.width, height: i.height };
  });
  await page.waitForFunction(() => document.querySelector('.preview-host .img-overlay')?.getAttribute('width') > 0);
  for (const size of [{ width: 1280, height: 900 }, PHONE]) {
    await page.setViewportSize(size);
    await img.scrollIntoViewIfNeeded();
    const before = await place();
    for (const name of ['Pedestrian', 'Road', 'Head', 'Car']) {
      await page.click(`.preview-host .label-btn:has-text("${name}")`);
      await page.waitForSelector('.preview-host .ann-banner:not([hidden])');
      assert.deepEqual(await place(), before, `${name} picked at ${size.width} px: the image stays put`);
    }
  }
  await shotAtPhone(page, '61-image-label-picked-360', { full: false });
  await page.context().close();
});

test('a screen shows a placeholder while its data loads, and no heading reads null', async () => {
  const page = await signedIn(REQ, 1280, 900);
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route(`**/api/v1/projects/${projectId}`, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`${server.url}/projects/${projectId}`);
  await page.waitForSelector('.route-loading');
  assert.equal(await page.textContent('.route-loading'), 'Loading…');
  await shotAtPhone(page, '62-loading-placeholder-360', { full: false });
  release();
  await page.waitForSelector('h1:has-text("Car or not")');
  assert.equal(await page.locator('.route-loading').count(), 0, 'the placeholder goes when the screen is drawn');
  await page.unroute(`**/api/v1/projects/${projectId}`);
  // the requester's screens of this project
  for (const path of ['', '/data', '/submissions', '/members', '/edit']) {
    await page.goto(`${server.url}/projects/${projectId}${path}`);
    await page.waitForSelector('main h1');
    await page.waitForFunction(() => !document.querySelector('main[aria-busy]'));
    const heads = await page.$$eval('main :is(h1,h2,h3,h4,h5,th,caption,legend)', (els) => els.map((e) => e.textContent));
    for (const t of heads) assert.doesNotMatch(t, /\b(null|undefined|NaN)\b/, `${path || '/'}: "${t}"`);
  }
  await page.context().close();
});

test('an error goes as soon as the field it is about is edited (sign-up and sign-in, 360 px)', async () => {
  const page = await browser.newPage({ viewport: PHONE });
  await page.goto(`${server.url}/signup`);
  await page.fill('input[name=display_name]', 'Stale Sam');
  await page.fill('input[name=email]', 'stale@example.com');
  await page.fill('input[name=password]', 'short');
  await page.click('button[type=submit]');
  await page.waitForSelector('.field-error, .form-error:not([hidden])');
  await shot(page, '63-signup-error-360', { full: false });
  await page.type('input[name=password]', '-and-longer');
  assert.equal(await page.locator('.field-error').count(), 0, 'the field error goes with the edit');
  assert.equal(await page.locator('.form-error:not([hidden])').count(), 0);
  assert.equal(await page.getAttribute('input[name=password]', 'aria-invalid'), null);
  await page.goto(`${server.url}/signin`);
  await page.fill('input[name=email]', REQ.email);
  await page.fill('input[name=password]', 'not-the-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('.form-error:not([hidden]), .field-error');
  await page.type('input[name=password]', 'x');
  assert.equal(await page.locator('.form-error:not([hidden]), .field-error').count(), 0, 'no stale sign-in error');
  await page.close();
});
