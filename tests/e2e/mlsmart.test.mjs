// The Smart tool of the image annotator with an interactive (SAM-style) ML
// backend. A FAKE ML BACKEND started here speaks Label Studio's protocol:
// /predict with params.context (a click or a box) answers a box and a
// polygon around it (and for a box a brush mask), as a segmenter would;
// batch runs answer nothing. A
// contributor at 360 px turns Smart on, clicks the image (the suggestions
// appear dashed, origin "prediction"), accepts them, then by keyboard moves
// the crosshair, marks a box with B and Enter, clears those, and submits.
// A model that fails says so in the status line, never breaks the task.
// axe-core checks each state; screenshots go to artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fakeMlBackend } from './ml-backend.mjs';
import { startServer, apiSession, launch, signInAs, shot, expectAccessible, ADMIN, PHONE } from './lib.mjs';

const CONFIG = '<View><Image name="img" value="$image"/><RectangleLabels name="box" toName="img"><Label value="Car"/><Label value="Tree"/></RectangleLabels><PolygonLabels name="outline" toName="img"><Label value="Car"/><Label value="Tree"/></PolygonLabels><KeyPointLabels name="kp" toName="img"><Label value="Car"/></KeyPointLabels><BrushLabels name="mask" toName="img"><Label value="Car"/></BrushLabels></View>';
const REQ = { email: 'smartreq@example.com', password: 'requester-pass-1', display_name: 'Sam Requester' };
const CON = { email: 'smartcon@example.com', password: 'contrib-pass-1', display_name: 'Sia Contrib' };

let server;
let browser;
let backend;
let projectId;
let failing = false;
let maskRle = null; // a brush mask the fake segmenter adds for a box (Label Studio's RLE)
const contexts = [];
const errors = [];

const result = (page) => page.evaluate(() => document.querySelector('.work-task').annotator.getResult());

/** What the fake segmenter answers for a click or a box: a 10 % box and a diamond polygon around it. */
function segment(context) {
  const c = context.result[0];
  const v = c.value;
  const cx = c.type === 'rectanglelabels' ? v.x + v.width / 2 : v.x;
  const cy = c.type === 'rectanglelabels' ? v.y + v.height / 2 : v.y;
  const lo = (a) => Math.max(0, a - 5);
  const label = (v[c.type] || ['Car'])[0];
  const mask = c.type === 'rectanglelabels' && maskRle ? [{ id: 'm1', from_name: 'mask', to_name: 'img', type: 'brushlabels', value: { format: 'rle', rle: maskRle, brushlabels: [label] } }] : [];
  return [...mask,
    { id: 'r1', from_name: 'box', to_name: 'img', type: 'rectanglelabels', value: { x: lo(cx), y: lo(cy), width: 10, height: 10, rotation: 0, rectanglelabels: [label] } },
    { id: 'p1', from_name: 'outline', to_name: 'img', type: 'polygonlabels', value: { points: [[cx, lo(cy)], [Math.min(100, cx + 5), cy], [cx, Math.min(100, cy + 5)], [lo(cx), cy]], polygonlabels: [label] } },
  ];
}

before(async () => {
  backend = await fakeMlBackend('sam-fake-1', (body) => {
    const context = body.params && body.params.context;
    if (!context) return [200, { results: body.tasks.map(() => ({ result: [], score: 0, model_version: 'sam-fake-1' })) }];
    contexts.push(context);
    if (failing) return [500, { error: 'out of GPU memory' }];
    return [200, { results: [{ result: segment(context), score: 0.87, model_version: 'sam-fake-1' }] }];
  });
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  assert.equal((await admin.call('POST', '/users', { ...REQ, roles: ['requester'] })).status, 201);
  assert.equal((await admin.call('POST', '/users', { ...CON, roles: ['contributor'] })).status, 201);
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const p = await req.call('POST', '/projects', { title: 'Street objects, smart', instructions: 'Outline the cars.', label_config: CONFIG, reward: 10, overlap: 1 });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  projectId = p.body.id;
  const tasks = [{ image: '/samples/street.svg' }, { image: '/samples/street.svg?2' }];
  assert.equal((await req.call('POST', `/projects/${projectId}/tasks`, JSON.stringify(tasks), { 'Content-Type': 'application/json' })).status, 201);
  assert.equal((await req.call('POST', `/projects/${projectId}/fund`, { amount: 1000 })).status, 201);
  assert.equal((await req.call('POST', `/projects/${projectId}/publish`)).status, 200);
  const ml = await req.call('PUT', `/projects/${projectId}/ml`, { url: backend.url, interactive: true });
  assert.equal(ml.status, 200, JSON.stringify(ml.body));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await backend?.close();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

test('a contributor clicks and boxes with the Smart tool, by pointer and by keyboard, accepts and clears', async () => {
  const page = await signInAs(browser, server.url, CON, PHONE, errors);
  await page.goto(`${server.url}/work/${projectId}/task`);
  await page.waitForSelector('body[data-task-ready]');
  const smart = page.locator('.smart-btn');
  await smart.waitFor();
  assert.deepEqual(await result(page), [], 'the batch run suggested nothing: an empty start');
  await smart.click();
  assert.equal(await smart.getAttribute('aria-pressed'), 'true');
  assert.match(await page.textContent('.tool-hint'), /Smart: click the object or drag a box/);
  await expectAccessible(page, 'smart: tool on at 360 px');

  // a click at 30 %, 40 % of the image
  const box = await page.locator('.smart-overlay').boundingBox();
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.4);
  const bar = page.locator('.smart-suggest');
  await bar.waitFor();
  assert.match(await bar.textContent(), /model sam-fake-1, 87% confident: 2 regions/);
  const click = contexts.at(-1).result[0];
  assert.equal(click.type, 'keypointlabels');
  assert.equal(click.from_name, 'kp');
  assert.ok(Math.abs(click.value.x - 30) < 1 && Math.abs(click.value.y - 40) < 1, JSON.stringify(click.value));
  let res = await result(page);
  assert.deepEqual(res.map((r) => [r.type, r.origin]), [['rectanglelabels', 'prediction'], ['polygonlabels', 'prediction']]);
  assert.ok(Math.abs(res[0].value.x - 25) < 1, 'the box sits around the click');
  assert.equal(await page.locator('.img-overlay .region.suggested').count(), 2, 'drawn dashed as suggestions');
  await expectAccessible(page, 'smart: suggestions at 360 px');
  await shot(page, 'mlsmart01-suggested-360');
  await bar.getByRole('button', { name: 'Accept smart suggestions' }).click();
  assert.ok(await bar.isHidden());
  res = await result(page);
  assert.equal(res.length, 2);
  assert.ok(res.every((r) => !r.origin), 'accepted: the contributor\'s own regions');

  // the segmenter's mask for a box: the image's size, the box's pixels (made with the annotator's own encoder)
  maskRle = await page.evaluate(async () => {
    const { encodeMask } = await import('/js/annotate/brush.js');
    const { w, h } = document.querySelector('.work-task').annotator.objectViews.get('img').natural;
    const m = new Uint8Array(w * h);
    for (let y = Math.round(h * 0.4); y < Math.round(h * 0.5); y++) m.fill(1, y * w + Math.round(w * 0.3), y * w + Math.round(w * 0.5));
    return encodeMask(m);
  });
  // by keyboard: the crosshair stands at the last click; B marks a corner, Enter sends the box
  await page.locator('.img-viewport').focus();
  await page.keyboard.press('b');
  for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowRight');
  for (let i = 0; i < 2; i++) await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Enter');
  await bar.waitFor();
  const sent = contexts.at(-1).result[0];
  assert.equal(sent.type, 'rectanglelabels');
  assert.equal(sent.from_name, 'box');
  const near = (a, b) => Math.abs(a - b) < 1;
  assert.ok(near(sent.value.x, 30) && near(sent.value.y, 40) && near(sent.value.width, 20) && near(sent.value.height, 10), JSON.stringify(sent.value));
  res = await result(page);
  assert.equal(res.length, 5);
  assert.deepEqual(res.filter((r) => r.origin === 'prediction').map((r) => r.type).sort(), ['brushlabels', 'polygonlabels', 'rectanglelabels']);
  assert.deepEqual(res.find((r) => r.type === 'brushlabels').value.rle, maskRle, 'the mask as the model drew it');
  assert.equal(await page.locator('.img-stage canvas').count(), 1, 'the mask is painted');
  await shot(page, 'mlsmart02-mask-360');
  await bar.getByRole('button', { name: 'Clear smart suggestions' }).click();
  res = await result(page);
  assert.equal(res.length, 2, 'cleared: only the accepted ones stay');
  assert.equal(await page.locator('.img-stage canvas').count(), 0, 'the mask went with them');

  // a failing model is a message, not a broken task
  failing = true;
  await page.keyboard.press('Enter');
  await page.waitForSelector('.ann-banner:has-text("The model could not help here")');
  assert.equal((await result(page)).length, 2);
  failing = false;
  await page.keyboard.press('Escape');
  assert.equal(await smart.getAttribute('aria-pressed'), 'false', 'Esc leaves the tool');
  await expectAccessible(page, 'smart: after a failure at 360 px');

  await page.click('button:has-text("Submit")');
  await page.waitForFunction(() => document.body.dataset.taskReady && document.querySelector('.work-task')?.annotator?.getResult().length === 0);
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const subs = await req.call('GET', `/projects/${projectId}/submissions`);
  assert.equal(subs.status, 200, JSON.stringify(subs.body));
  const items = subs.body.items || subs.body;
  assert.equal(items.length, 1);
  assert.deepEqual(items[0].result.map((r) => r.type).sort(), ['polygonlabels', 'rectanglelabels']);
});
