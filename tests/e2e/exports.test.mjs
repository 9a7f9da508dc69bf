// Export files (issue #13): on the project dashboard a requester picks COCO,
// presses Prepare file, watches the job run in the Export files panel and
// downloads the finished file, whose bytes match the SHA-256 the panel
// shows. axe-core and the 360 px layout are checked (shot / shotAtPhone).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { startServer, apiSession, launch, watchErrors, shot, shotAtPhone, ADMIN } from './lib.mjs';

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
});
