// The whole loop in a browser: a requester builds, fills, funds and
// publishes a project; a contributor signs up, labels (box, polygon,
// keypoints, a text span, a pairwise choice, a rating with rationale) and
// submits; the requester rejects one submission with a reason; the
// contributor reads the reason in "My work". Screenshots of every screen,
// at desktop width and at 360 px, go to artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, apiSession, launch, watchErrors, shot, makePng, ADMIN, ARTIFACTS, PHONE, shotAtPhone } from './lib.mjs';

const CONFIG = `<View>
  <Header value="Label the scene"/>
  <RectangleLabels name="box" toName="image">
    <Label value="Car" background="#2563eb"/>
    <Label value="Pedestrian" background="#e11d48"/>
  </RectangleLabels>
  <PolygonLabels name="shape" toName="image">
    <Label value="Road" background="#16a34a"/>
  </PolygonLabels>
  <KeyPointLabels name="point" toName="image">
    <Label value="Head" background="#d97706"/>
  </KeyPointLabels>
  <Image name="image" value="$image"/>
  <Labels name="ner" toName="text">
    <Label value="Person" background="#9333ea"/>
    <Label value="Location" background="#0891b2"/>
  </Labels>
  <Text name="text" value="$text"/>
  <Header value="$prompt"/>
  <View style="display: flex; gap: 1em">
    <Text name="answer_a" value="$answer_a"/>
    <Text name="answer_b" value="$answer_b"/>
  </View>
  <Pairwise name="preference" toName="answer_a,answer_b" required="true"/>
  <Rating name="quality" toName="answer_a" maxRating="5" required="true"/>
  <TextArea name="rationale" toName="answer_a" rows="2" required="true"/>
</View>`;

const REQ = { email: 'req@example.com', password: 'requester-pass-1', display_name: 'Rita Requester' };
const CON = { email: 'cat@example.com', password: 'contributor-pass-1', display_name: 'Cat Contributor' };

let server;
let browser;
let reqPage;
let conPage;
let projectId;
const errors = [];
const figures = {};

before(async () => {
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  const r = await admin.call('POST', '/users', { ...REQ, roles: ['requester'] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  reqPage = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  conPage = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  watchErrors(reqPage, errors);
  watchErrors(conPage, errors);
});

after(async () => {
  writeFileSync(join(ARTIFACTS, 'figures.json'), JSON.stringify(figures, null, 2));
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

async function imageBox(page) {
  const b = await page.locator('.img-overlay').boundingBox();
  return { at: (px, py) => [b.x + (b.width * px) / 100, b.y + (b.height * py) / 100] };
}

test('requester creates a project from a template, imports, funds and publishes', async () => {
  const page = reqPage;
  await page.goto(`${server.url}/`);
  await page.waitForSelector('input[name=email]');
  await shot(page, '01-signin');
  await shotAtPhone(page, '01-signin-360');
  await page.fill('input[name=email]', REQ.email);
  await page.fill('input[name=password]', 'wrong-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('.form-error:not([hidden])');
  assert.match(await page.textContent('.form-error'), /do not match/);
  await page.fill('input[name=password]', REQ.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('h1:text-is("Projects")');
  await shot(page, '02-projects-empty');
  await page.click('text=+ New project');
  await page.waitForSelector('[data-template=image-objects]');
  await page.click('[data-template=image-objects]');
  await page.waitForSelector('.preview-host .img-overlay rect, .preview-host .img-overlay');
  assert.equal(await page.inputValue('#p-title'), 'Image: boxes, polygons, keypoints');
  // the instructions preview is the server's rendering: "## What to do" is a heading (one level down)
  await page.click('.label-row button:has-text("Preview")');
  await page.waitForSelector('.preview-md h3:text-is("What to do")');
  assert.equal(await page.textContent('.preview-md li strong'), 'box');
  assert.equal(await page.getAttribute('.label-row button', 'aria-pressed'), 'true');
  await page.click('.label-row button:has-text("Edit")');
  await page.waitForSelector('#p-instructions:visible');
  // a broken config is caught in the browser at once
  await page.fill('#p-label_config', '<View><Image name="image" value="$image"></View>');
  await page.waitForSelector('.config-msg.error');
  assert.match(await page.textContent('.config-msg'), /not well-formed/);
  await page.fill('#p-label_config', CONFIG);
  await page.waitForSelector('.config-msg.ok');
  await page.waitForSelector('.preview-host [data-control=preference]');
  await page.fill('#p-title', 'Street scenes and model answers');
  await page.fill('#p-reward', '0.25');
  await shot(page, '03-editor');
  await page.click('button[name=save]');
  await page.waitForURL(/\/projects\/\d+$/);
  projectId = +page.url().match(/projects\/(\d+)/)[1];
  await page.waitForSelector('.dropzone');

  // a bad import names the line and stores nothing
  await page.setInputFiles('#import-file', { name: 'bad.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from('{"text": oops}\n{"text":"ok"}\n') });
  await page.waitForSelector('.import-result.error');
  assert.match(await page.textContent('.import-result'), /line 1/i);

  const png = await makePng(page);
  const tasks = [1, 2, 3].map((i) => JSON.stringify({ data: { image: png, text: `Ada Lovelace met Charles Babbage in London (${i}).`, prompt: `Question ${i}: what is 2 + 2?`, answer_a: 'It is 4.', answer_b: 'Probably 5, but it depends.' } })).join('\n');
  await page.setInputFiles('#import-file', { name: 'tasks.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(tasks + '\n') });
  await page.waitForSelector('.import-result.ok');
  assert.match(await page.textContent('.import-result'), /3 tasks created/);

  // publishing without money says why
  await page.click('[data-action=publish]');
  await page.waitForSelector('.page > .form-error:not([hidden])');
  assert.match(await page.textContent('.page > .form-error'), /fund|escrow|money/i);

  await page.fill('#fund-amount', '5.00');
  await page.click('text=Add funds');
  // the panels redraw once the money is in: wait, or the redraw drops the consent typed next
  await page.waitForFunction(() => /In escrow: \$(?!0\.00)\d/.test(document.querySelector('main').innerText));
  await page.fill('#consent-text', 'I agree that my labels may be used to **train models**.');
  await page.click('text=Publish consent');
  await page.waitForSelector('text=Current version: v1');
  await page.click('[data-action=publish]');
  await page.waitForSelector('.badge-live');
  await shot(page, '04-dashboard');
  // the export menu lists every format, disables the ones the config cannot fill, and its link follows the choice
  const formats = Object.fromEntries(await page.$$eval('#export-format option', (os) => os.map((o) => [o.value, o.disabled])));
  assert.deepEqual(Object.keys(formats), ['json', 'jsonl', 'csv', 'coco', 'yolo', 'yolo_pose', 'brush_png', 'voc', 'conll', 'mot', 'dpo', 'chat', 'webdataset', 'cv']);
  assert.equal(formats.coco, false);
  assert.equal(formats.brush_png, true, 'brush masks need a BrushLabels or Brush control');
  assert.equal(formats.conll, false);
  assert.equal(formats.cv, true, 'Common Voice is for collection projects');
  assert.equal(await page.getByLabel('Export as').inputValue(), 'coco');
  await page.getByLabel('Export as').selectOption('yolo');
  await page.getByLabel('Pending and rejected too').check();
  const href = await page.getAttribute('#export-link', 'href');
  assert.equal(href, `/api/v1/projects/${projectId}/export?format=yolo&status=all`);
  const got = await page.evaluate(async (u) => {
    const r = await fetch(u);
    return { status: r.status, type: r.headers.get('content-type'), magic: new Uint8Array(await r.arrayBuffer()).slice(0, 2).join(',') };
  }, href);
  assert.deepEqual(got, { status: 200, type: 'application/zip', magic: '80,75' }, 'a zip ("PK")');
  await page.setViewportSize(PHONE);
  await shot(page, '04-dashboard-360');
  await page.goto(`${server.url}/projects/${projectId}/edit`);
  await page.waitForSelector('.preview-host .img-overlay');
  await shot(page, '03-editor-360');
  await page.setViewportSize({ width: 1280, height: 860 });
});

test('contributor signs up, consents and labels a task with every tool', async () => {
  const page = conPage;
  await page.goto(`${server.url}/signup`);
  await page.waitForSelector('input[name=display_name]');
  await page.fill('input[name=display_name]', CON.display_name);
  await page.fill('input[name=email]', CON.email);
  await page.fill('input[name=password]', 'short');
  await page.click('button[type=submit]');
  await page.waitForSelector('.field-error');
  assert.match(await page.textContent('.field-error'), /10 characters/);
  await shot(page, '05-signup-error');
  await shotAtPhone(page, '05-signup-error-360');
  await page.fill('input[name=password]', CON.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('.project-card');
  assert.match(await page.textContent('.project-card'), /\$0\.25/);
  await shot(page, '06-board');
  await page.click('.project-card a.btn');
  await page.waitForSelector('.consent');
  // instructions and consent are Markdown rendered by the server
  await page.waitForSelector('.instructions h3:text-is("What to do")');
  assert.equal(await page.textContent('.instructions li strong'), 'box');
  assert.equal(await page.textContent('.consent-text strong'), 'train models');
  await shot(page, '07-project-consent');
  await shotAtPhone(page, '07-project-consent-360');
  await page.click('button:has-text("I agree")');
  await page.waitForSelector('a:text("Start working"):visible');

  await page.evaluate(() => performance.mark('fc-open-task'));
  await page.click('text=Start working');
  await page.waitForSelector('body[data-task-ready]');
  assert.equal(await page.textContent('.work-instructions h3'), 'What to do', 'the work screen shows the rendered instructions');
  figures.open_to_ready_ms = await page.evaluate(() => {
    const ready = performance.getEntriesByType('mark').find((m) => m.name.startsWith('fc-task-ready-'));
    return ready.startTime - performance.getEntriesByName('fc-open-task')[0].startTime;
  });

  // submitting too early lists what is missing
  await page.click('button:has-text("Submit")');
  await page.waitForSelector('.problems:not([hidden])');
  assert.match(await page.textContent('.problems'), /preference/);
  await shot(page, '08-work-missing');
  await page.setViewportSize(PHONE);
  await shot(page, '08-work-missing-360', { full: false });
  await page.setViewportSize({ width: 1366, height: 900 });

  await page.locator('.img-viewport').scrollIntoViewIfNeeded();
  const img = await imageBox(page);
  // a box: pick Car with its key, drag
  await page.keyboard.press('1');
  let [x, y] = img.at(18, 48);
  await page.mouse.move(x, y);
  await page.mouse.down();
  [x, y] = img.at(47, 72);
  await page.mouse.move(x, y, { steps: 5 });
  await page.mouse.up();
  // a polygon: Road, four clicks, Enter closes
  await page.keyboard.press('3');
  for (const [px, py] of [[2, 62], [97, 62], [97, 96], [2, 96]]) {
    [x, y] = img.at(px, py);
    await page.mouse.click(x, y);
  }
  await page.keyboard.press('Enter');
  // two keypoints: Head
  await page.keyboard.press('4');
  for (const [px, py] of [[75, 45], [60, 30]]) {
    [x, y] = img.at(px, py);
    await page.mouse.click(x, y);
  }
  await page.waitForFunction(() => document.querySelectorAll('.img-overlay .region').length === 4);
  // undo and redo the last point
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.querySelectorAll('.img-overlay .region').length === 3);
  await page.keyboard.press('Control+Shift+z');
  await page.waitForFunction(() => document.querySelectorAll('.img-overlay .region').length === 4);

  // a text span: select "Ada Lovelace", press Person's key
  await page.evaluate(() => {
    const body = document.querySelector('[data-object=text] .text-body');
    const node = body.firstChild;
    const r = document.createRange();
    r.setStart(node, 0);
    r.setEnd(node, 12);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(r);
  });
  await page.keyboard.press('5');
  await page.waitForSelector('[data-object=text] .span-tag[data-label=Person]');

  // model answers: prefer the left one, rate it, explain
  await page.click('button:has-text("A is better")');
  await page.click('[data-control=quality] .star >> nth=3');
  await page.fill('[data-control=rationale] textarea', 'Correct and short.');
  await page.waitForSelector('.problems', { state: 'hidden' });
  await shot(page, '09-work-labelled');

  const result = await page.evaluate(() => document.querySelector('.work-task').annotator.getResult());
  const types = result.map((r) => r.type).sort();
  assert.deepEqual(types, ['keypointlabels', 'keypointlabels', 'labels', 'pairwise', 'polygonlabels', 'rating', 'rectanglelabels', 'textarea']);
  const box = result.find((r) => r.type === 'rectanglelabels');
  assert.ok(Math.abs(box.value.x - 18) < 1 && Math.abs(box.value.width - 29) < 1.5, JSON.stringify(box.value));
  const span = result.find((r) => r.type === 'labels');
  assert.deepEqual([span.value.start, span.value.end, span.value.text, span.value.labels], [0, 12, 'Ada Lovelace', ['Person']]);

  // the draft survives a reload
  await page.waitForTimeout(400);
  await page.reload();
  await page.waitForSelector('body[data-task-ready]');
  await page.waitForFunction(() => document.querySelectorAll('.img-overlay .region').length === 4);

  await page.evaluate(() => performance.mark('fc-submit-click'));
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction((first) => document.body.dataset.taskReady && document.body.dataset.taskReady !== first, await page.evaluate(() => document.body.dataset.taskReady));
  figures.submit_to_next_ms = await page.evaluate(() => {
    const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('fc-task-ready-'));
    return marks[marks.length - 1].startTime - performance.getEntriesByName('fc-submit-click')[0].startTime;
  });
  assert.equal(await page.locator('.img-overlay .region').count(), 0, 'the next task starts empty');

  // second task: only what is required
  await page.click('button:has-text("B is better")');
  await page.click('[data-control=quality] .star >> nth=1');
  await page.fill('[data-control=rationale] textarea', 'Wrong arithmetic.');
  await page.click('button:has-text("Submit")');
  await page.waitForFunction(() => document.querySelector('.timer') && document.body.dataset.taskReady);
  await page.waitForTimeout(200);

  // third task on a phone: look, then skip
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  await shot(page, '10-work-360', { full: false });
  await shot(page, '10-work-360-full');
  await page.click('button:has-text("Skip")');
  await page.waitForSelector('text=All done for now');
  await shot(page, '11-work-done-360', { full: false });
  await page.setViewportSize({ width: 1366, height: 900 });
});

test('requester rejects one submission with a reason and accepts the other', async () => {
  const page = reqPage;
  await page.goto(`${server.url}/projects/${projectId}/review`);
  await page.waitForSelector('body[data-review-ready]');
  await page.waitForSelector('.review-task .img-overlay .region');
  assert.equal(await page.locator('.review-task .img-overlay .region').count(), 4);
  await shot(page, '12-review');
  await shotAtPhone(page, '12-review-360');
  const first = await page.evaluate(() => document.body.dataset.reviewReady);
  await page.keyboard.press('r');
  await page.click('.reject-form button[type=submit]');
  await page.waitForSelector('.reject-form .field-error');
  await page.selectOption('#reject-code', 'incomplete');
  await page.fill('#reject-message', 'The second pedestrian has no box.');
  await shot(page, '13-review-reject');
  await shotAtPhone(page, '13-review-reject-360');
  await page.click('.reject-form button[type=submit]');
  await page.waitForFunction((f) => document.body.dataset.reviewReady && document.body.dataset.reviewReady !== f, first);
  await page.keyboard.press('a');
  await page.waitForSelector('text=All caught up');
  await page.goto(`${server.url}/projects/${projectId}`);
  await page.waitForSelector('.chart-donut');
  await shot(page, '14-dashboard-after');
  await page.setViewportSize(PHONE);
  await page.goto(`${server.url}/projects`);
  await page.waitForSelector('table');
  await shot(page, '15-projects-360');
  await page.setViewportSize({ width: 1280, height: 860 });
});

test('contributor sees the rejection reason in My work', async () => {
  const page = conPage;
  await page.goto(`${server.url}/me/work`);
  await page.waitForSelector('.badge-rejected');
  const row = await page.textContent('tr.sub-rejected');
  assert.match(row, /incomplete/i);
  assert.match(row, /second pedestrian has no box/);
  assert.equal(await page.locator('.badge-accepted').count(), 1);
  await shot(page, '16-my-work');
  await page.setViewportSize(PHONE);
  await shot(page, '16-my-work-360');
  await page.goto(`${server.url}/work`);
  await page.waitForSelector('h1');
  await shot(page, '17-board-360');
});

test('the UI ships less than 150 KB of gzipped JavaScript and CSS, all preloaded', async () => {
  const { get } = await import('node:http');
  const html = await (await fetch(`${server.url}/`)).text();
  const assets = [...html.matchAll(/(?:href|src)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  assert.ok(assets.includes('/app.js') && assets.includes('/css/app.css'));
  let total = 0;
  for (const a of new Set(assets)) {
    total += await new Promise((res, rej) => {
      get(`${server.url}${a}`, { headers: { 'Accept-Encoding': 'gzip' } }, (r) => {
        let n = 0;
        r.on('data', (d) => {
          n += d.length;
        });
        r.on('end', () => (r.statusCode === 200 ? res(n) : rej(new Error(`${a}: ${r.statusCode}`))));
      }).on('error', rej);
    });
  }
  figures.shipped_gzip_bytes = total;
  figures.shipped_files = new Set(assets).size;
  // every module the app imports is preloaded, so there is no request waterfall
  const imported = await conPage.evaluate(() => performance.getEntriesByType('resource').filter((e) => /\.js$/.test(e.name)).map((e) => new URL(e.name).pathname));
  for (const m of imported) assert.ok(assets.includes(m), `${m} is not preloaded by index.html`);
  assert.ok(total < 150 * 1024, `${total} bytes`);
});
