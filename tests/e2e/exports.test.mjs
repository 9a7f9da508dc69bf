// Export files (issue #13): on the project dashboard a requester picks COCO,
// presses Prepare file, watches the job run in the Export files panel and
// downloads the finished file, whose bytes match the SHA-256 the panel
// shows. axe-core and the 360 px layout are checked (shot / shotAtPhone).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { startServer, apiSession, launch, watchErrors, shot, shotAtPhone, ADMIN, PHONE, signInPage } from './lib.mjs';

const CONFIG = '<View><Image name="img" value="$image"/><RectangleLabels name="box" toName="img"><Label value="car"/></RectangleLabels></View>';
const REQ = { email: 'expreq@example.com', password: 'requester-pass-1', display_name: 'Erin Exports' };
const TASK = (n) => JSON.stringify({
  data: { image: `https://cdn.example/${n}.jpg` },
  annotations: [{ completed_by: 'w1', result: [{ from_name: 'box', to_name: 'img', type: 'rectanglelabels', original_width: 100, original_height: 100, value: { x: 10, y: 10, width: 20, height: 20, rectanglelabels: ['car'] } }] }],
});

let server;
let browser;
let projectId;
const errors = [];
const ok = (r, want) => assert.equal(r.status, want, JSON.stringify(r.body));

before(async () => {
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  ok(await admin.call('POST', '/users', { ...REQ, roles: ['requester'] }), 201);
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Cars in streets', instructions: 'Box every car.', label_config: CONFIG, reward: 10, overlap: 1 });
  ok(p, 201);
  projectId = p.body.id;
  ok(await req.call('POST', `/projects/${projectId}/tasks`, `${TASK(1)}\n${TASK(2)}\n${TASK(3)}\n`, { 'Content-Type': 'application/x-ndjson' }), 201);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

test('a requester prepares a COCO file in the background and downloads it', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })).newPage();
  watchErrors(page, errors);
  await page.goto(`${server.url}/signin`);
  await page.fill('input[name=email]', REQ.email);
  await page.fill('input[name=password]', REQ.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav .nav-user .avatar');
  await page.goto(`${server.url}/projects/${projectId}`);
  await page.locator('.exports-panel li.muted').waitFor();
  await page.selectOption('#export-format', 'coco');
  await page.focus('#export-job');
  await page.keyboard.press('Enter');
  const row = page.locator('.export-job[data-status="done"]');
  await row.waitFor({ timeout: 20000 });
  assert.match(await row.textContent(), /#1 coco.*Ready.*3 rows/s);
  const sha = await row.locator('code').getAttribute('title');
  assert.match(sha, /^[0-9a-f]{64}$/);
  await shot(page, 'ex01-export-ready');
  await shotAtPhone(page, 'ex02-export-ready-phone');
  const [download] = await Promise.all([page.waitForEvent('download'), row.locator('a.btn').click()]);
  const bytes = await readFile(await download.path());
  assert.equal(createHash('sha256').update(bytes).digest('hex'), sha, 'the file is the one the panel names');
  assert.equal(JSON.parse(bytes.toString('utf8')).annotations.length, 3);
  // one aggregated label per task, prepared the same way
  await page.check('#export-aggregated');
  await page.click('#export-job');
  await page.locator('.export-job[data-id="2"][data-status="done"]').waitFor({ timeout: 20000 });
  assert.match(await page.locator('.export-job[data-id="2"]').textContent(), /aggregated.*3 rows/s);
});

test('a requester makes a speaker-disjoint dataset version and reads its card', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  watchErrors(page, errors);
  await page.goto(`${server.url}/signin`);
  await page.fill('input[name=email]', REQ.email);
  await page.fill('input[name=password]', REQ.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav .nav-user .avatar');
  await page.goto(`${server.url}/projects/${projectId}`);
  const panel = page.locator('.versions-panel');
  await panel.locator('li.muted').waitFor();
  // shares that do not add up: the error is next to the shares
  await page.fill('#version-name', 'v1');
  await page.fill('#version-train', '0.9');
  await page.click('.version-form button[type=submit]');
  await panel.locator('.field-error, .form-error:not([hidden])').first().waitFor();
  await page.fill('#version-train', '0.8');
  await page.check('#version-by-contributor');
  await page.focus('.version-form button[type=submit]');
  await page.keyboard.press('Enter');
  const item = panel.locator('li.version');
  await item.waitFor();
  assert.match(await item.textContent(), /v1.*grouped by contributor.*1 contributors/s);
  assert.match(await item.locator('tbody tr').first().textContent(), /train\s*3\s*3/);
  await shot(page, 'ex03-version');
  await shotAtPhone(page, 'ex04-version-phone');
  const card = await page.request.get(server.url + await item.locator('a:has-text("Dataset card")').getAttribute('href'));
  assert.equal(card.status(), 200);
  assert.match(await card.text(), /## Who labelled/);
  // the Croissant description and a split in every format the version offers
  const croissant = await page.request.get(server.url + await item.locator('a:has-text("Croissant")').getAttribute('href'));
  assert.equal(croissant.status(), 200);
  assert.ok(JSON.parse(await croissant.text())['@context'], 'Croissant is JSON-LD');
  const id = await item.getAttribute('data-id');
  await page.selectOption(`#version-${id}-split`, 'train');
  const formats = await page.$$eval(`#version-${id}-format option`, (os) => os.map((o) => [o.value, o.disabled]));
  assert.deepEqual(formats.filter(([, off]) => off).map(([f]) => f), ['conll'], 'a box project offers no CoNLL');
  for (const [f] of formats.filter(([, off]) => !off)) {
    await page.selectOption(`#version-${id}-format`, f);
    const href = await page.getAttribute(`#version-${id}-download`, 'href');
    assert.equal(href, `/api/v1/versions/${id}/download?format=${f}&split=train`);
    const r = await page.request.get(server.url + href);
    assert.equal(r.status(), 200, `version ${f}: ${(await r.text()).slice(0, 200)}`);
  }
});

test('every format the menu offers downloads, the options follow, a running job shows its progress', async () => {
  const page = await signInPage(browser, server, REQ, PHONE, errors);
  // a job still running: its progress bar, named for screen readers
  let held = true;
  await page.route(`**/api/v1/projects/${projectId}/exports`, async (route) => {
    if (!held || route.request().method() !== 'GET') return route.continue();
    const real = await (await route.fetch()).json();
    const running = { id: 99, format: 'yolo', status: 'running', progress: 0.4, rows: 1, bytes: 2048, options: { status: 'accepted', labels: 'raw' }, created_at: new Date().toISOString() };
    return route.fulfill({ json: { ...real, items: [running, ...real.items] } });
  });
  await page.goto(`${server.url}/projects/${projectId}`);
  const bar = page.locator('.export-job[data-id="99"] progress');
  await bar.waitFor();
  assert.equal(await bar.getAttribute('value'), '40');
  assert.equal(await bar.getAttribute('aria-label'), 'Export 99: 40% done');
  assert.match(await page.textContent('.export-job[data-id="99"]'), /#99 yolo.*Running.*1 rows · 2\.0 KB/s);
  await shot(page, 'ex05-export-running-phone');
  held = false;
  await page.locator('.export-job[data-id="99"]').waitFor({ state: 'detached' }); // the next poll shows the real list
  await page.unroute(`**/api/v1/projects/${projectId}/exports`);

  const options = await page.$$eval('#export-format option', (os) => os.map((o) => ({ value: o.value, disabled: o.disabled, text: o.textContent })));
  assert.equal(options.length, 14, 'the menu lists every format');
  const offered = options.filter((o) => !o.disabled);
  assert.deepEqual(options.filter((o) => o.disabled && !/not for this project/.test(o.text)), [], 'a format that does not fit says so');
  for (const o of offered) {
    await page.selectOption('#export-format', o.value);
    for (const all of [false, true]) {
      await page.setChecked('#export-all', all);
      const href = await page.getAttribute('#export-link', 'href');
      assert.match(href, new RegExp(`format=${o.value}${all ? '&status=all' : ''}($|&)`));
      const r = await page.request.get(server.url + href);
      assert.equal(r.status(), 200, `${o.value}${all ? ' (all)' : ''}: ${r.status()} ${(await r.text()).slice(0, 200)}`);
      assert.ok((await r.body()).length > 0, `${o.value} is not empty`);
    }
    await page.setChecked('#export-all', false);
    if (!(await page.isDisabled('#export-aggregated'))) {
      await page.check('#export-aggregated');
      assert.match(await page.getAttribute('#export-link', 'href'), /&labels=aggregated$/);
      const r = await page.request.get(server.url + await page.getAttribute('#export-link', 'href'));
      assert.equal(r.status(), 200, `${o.value} aggregated: ${(await r.text()).slice(0, 200)}`);
      await page.uncheck('#export-aggregated');
    }
  }
  assert.ok(offered.some((o) => o.value === 'coco') && offered.some((o) => o.value === 'yolo') && offered.some((o) => o.value === 'voc'), 'box formats offered for a box project');
});
