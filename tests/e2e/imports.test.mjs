// Imports of other tools' files in a browser (issue 13): on the project
// dashboard at 360 px a requester picks "Mechanical Turk batch results",
// sends a file whose answer names no control and reads the error with its
// line, then a good file (two tasks); a .zip under the tasks kind is
// refused before sending. The export menu offers YOLO pose and WebDataset.
// axe-core checks the page (WCAG 2.1 A and AA), and nothing scrolls
// sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiSession, launch, watchErrors, shot, expectAccessible, ADMIN, PHONE } from './lib.mjs';

const CONFIG = '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="positive"/><Choice value="negative"/></Choices></View>';
const REQ = { email: 'importer@example.com', password: 'requester-pass-1', display_name: 'Ida Imports' };
const HEAD = 'HITId,WorkerId,AssignmentId,AssignmentStatus,WorkTimeInSeconds,Input.text,';

let server;
let browser;
let projectId;
const errors = [];

before(async () => {
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  const r = await admin.call('POST', '/users', { ...REQ, roles: ['requester'] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Reviews from MTurk', instructions: 'Positive or negative?', label_config: CONFIG, reward: 10, overlap: 1 });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  projectId = p.body.id;
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

test('MTurk results import at 360 px: the error names the line, then two tasks', async () => {
  const page = await (await browser.newContext({ viewport: PHONE })).newPage();
  watchErrors(page, errors);
  await page.goto(`${server.url}/signin`);
  await page.fill('input[name=email]', REQ.email);
  await page.fill('input[name=password]', REQ.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav .nav-user .avatar');
  await page.goto(`${server.url}/projects/${projectId}`);
  await page.waitForSelector('#import-kind');
  await expectAccessible(page, 'imports: the dashboard with the import kinds');

  await page.getByLabel('The file holds').selectOption('mturk');
  const bad = `${HEAD}Answer.colour\nH1,A1,a1,Approved,3,Fine,red\n`;
  await page.setInputFiles('#import-file', { name: 'Batch_1_results.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.locator('.import-result.error').waitFor();
  assert.match(await page.textContent('.import-result'), /line 1: column Answer\.colour names no control/);
  await shot(page, 'im01-mturk-error');

  const good = `${HEAD}Answer.sentiment.label\nH1,A1,a1,Approved,30,Great,positive\nH2,A2,a2,Approved,20,Awful,negative\n`;
  await page.setInputFiles('#import-file', { name: 'Batch_2_results.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await page.locator('.import-result.ok').waitFor();
  assert.match(await page.textContent('.import-result'), /2 tasks created/);

  // an archive is for the media kind only: refused before a byte is sent
  await page.getByLabel('The file holds').selectOption('tasks');
  await page.setInputFiles('#import-file', { name: 'photos.zip', mimeType: 'application/zip', buffer: Buffer.from('PK') });
  await page.locator('.import-result.error').waitFor();
  assert.match(await page.textContent('.import-result'), /use a \.json, \.jsonl or \.csv file/);

  const formats = await page.$$eval('#export-format option', (os) => os.map((o) => [o.value, o.disabled]));
  assert.deepEqual(formats.filter(([v]) => v === 'yolo_pose' || v === 'webdataset'), [['yolo_pose', true], ['webdataset', false]]);
  await expectAccessible(page, 'imports: after the import');
  await shot(page, 'im02-mturk-done');
});
