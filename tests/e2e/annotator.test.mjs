// The annotators in detail: every starter template in the editor's live
// preview (also at 360 px), the server's config error shown inline, image
// editing (select, nudge, resize, delete, zoom, undo), overlapping text
// spans with a relation, the ranker, and predictions shown as editable
// suggestions with maxUsages enforced before submit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiSession, launch, watchErrors, shot, ADMIN, PHONE, shotAtPhone, expectAccessible, selectText } from './lib.mjs';

const REQ = { email: 'req2@example.com', password: 'requester-pass-2', display_name: 'Ravi Requester' };
let server;
let browser;
let page;
const errors = [];

const result = () => page.evaluate(() => document.querySelector('.preview-host').annotator.getResult());

before(async () => {
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  assert.equal((await admin.call('POST', '/users', { ...REQ, roles: ['requester'] })).status, 201);
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  watchErrors(page, errors);
  await page.goto(`${server.url}/signin`);
  await page.fill('input[name=email]', REQ.email);
  await page.fill('input[name=password]', REQ.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('h1:text-is("Projects")');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, []);
});

test('every template in the picker renders in the live preview (no console error), the server takes it with its sample task; 360 px', async () => {
  await page.goto(`${server.url}/projects/new`);
  await page.waitForSelector('[data-template]'); // the editor renders after its data loads
  const ids = await page.$$eval('[data-template]', (els) => els.map((e) => e.dataset.template));
  const templates = await page.evaluate(async () => (await import('/js/templates.js')).TEMPLATES.map((t) => ({ id: t.id, config: t.config, sample: t.sample })));
  assert.deepEqual(ids, templates.map((t) => t.id), 'the picker shows every template');
  assert.ok(ids.length >= 20);
  const req = await apiSession(server.url, REQ.email, REQ.password);
  // the sample's pictures are drawn in the browser; the server gets a link instead
  const linked = (v) => (v === 'sample:image' ? 'https://cdn.example/sample.png' : Array.isArray(v) ? v.map(linked) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, linked(x)])) : v);
  for (const t of templates) {
    process.env.FC_STEP = `template ${t.id}`;
    const before = errors.length;
    await page.click(`[data-template="${t.id}"]`);
    await page.waitForSelector('.config-msg.ok');
    await page.waitForSelector('.preview-host .annotator');
    assert.equal(await page.inputValue('#p-label_config'), t.config, `${t.id}: the editor holds the template`);
    await page.waitForTimeout(50); // lazily loaded views report their errors a moment later
    assert.deepEqual(errors.slice(before), [], `${t.id}: no console error`);
    await expectAccessible(page, `editor with the ${t.id} template`);
    const p = await req.call('POST', '/projects', { title: `template ${t.id}`, label_config: t.config });
    assert.equal(p.status, 201, `${t.id}: ${JSON.stringify(p.body)}`);
    if (t.sample) {
      const r = await req.call('POST', `/projects/${p.body.id}/tasks`, [{ data: linked(t.sample) }]);
      assert.equal(r.status, 201, `${t.id}'s sample task: ${JSON.stringify(r.body)}`);
    }
  }
  await page.setViewportSize(PHONE);
  for (const id of ['pairwise', 'rating', 'ner']) {
    await page.click(`[data-template="${id}"]`);
    await page.waitForSelector('.preview-host .annotator');
    await page.locator('.preview').scrollIntoViewIfNeeded();
    await shot(page, `20-template-${id}-360`, { full: false });
  }
  // the lazily loaded views draw their sample in the preview: a conversation, three charts
  for (const [id, sel] of [['chat-rewrite', '.preview-host .chat-turn[data-turn="3"] textarea'], ['time-series', '.preview-host .ts-channel:nth-child(3) canvas']]) {
    await page.click(`[data-template="${id}"]`);
    await page.waitForSelector(sel);
    await page.locator('.preview').scrollIntoViewIfNeeded();
    await shot(page, `20-template-${id}-360`, { full: false });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('the server\'s verdict on a config appears next to the config', async () => {
  await page.goto(`${server.url}/projects/new`);
  await page.fill('#p-title', 'Bad config');
  // well-formed, so the browser accepts it; the server refuses an
  // attribute that must be a number
  await page.fill('#p-label_config', '<View><Image name="img" value="$image"/><Rating name="r" toName="img" maxRating="ten"/></View>');
  await page.waitForSelector('.config-msg.ok');
  await page.click('button[name=save]');
  await page.waitForSelector('#p-label_config[aria-invalid=true]');
  const msg = await page.textContent('.field:has(#p-label_config) .field-error');
  assert.match(msg, /maxRating/);
  await shot(page, '21-editor-server-error');
  // and the browser's own check names the line
  await page.fill('#p-label_config', '<View>\n  <Text name="t" value="$text">\n</View>');
  await page.waitForFunction(() => /not well-formed/.test(document.querySelector('.config-msg').textContent));
  assert.match(await page.textContent('.config-msg'), /line 3/);
  // editing the config clears the server's old complaint
  assert.equal(await page.locator('.field:has(#p-label_config) .field-error').count(), 0);
});

test('image regions: select, nudge, resize, delete, zoom, undo', async () => {
  await page.goto(`${server.url}/projects/new`);
  await page.click('[data-template="image-boxes"]');
  await page.waitForSelector('.preview-host .img-overlay');
  await page.waitForFunction(() => document.querySelector('.preview-host .img-overlay').getAttribute('width') > 0);
  await page.locator('.preview-host .img-viewport').scrollIntoViewIfNeeded();
  await page.focus('.preview-host .img-viewport');
  await page.keyboard.press('1');
  const b = await page.locator('.preview-host .img-overlay').boundingBox();
  const at = (px, py) => [b.x + (b.width * px) / 100, b.y + (b.height * py) / 100];
  await page.mouse.move(...at(20, 20));
  await page.mouse.down();
  await page.mouse.move(...at(50, 60), { steps: 4 });
  await page.mouse.up();
  let r = (await result())[0];
  assert.equal(r.type, 'rectanglelabels');
  assert.deepEqual(r.value.rectanglelabels, ['Cat']);
  assert.ok(Math.abs(r.value.x - 20) < 1 && Math.abs(r.value.height - 40) < 1.5, JSON.stringify(r.value));
  // select by clicking, nudge with the arrow keys, relabel with a hotkey
  await page.keyboard.press('Escape');
  await page.mouse.click(...at(35, 40));
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('2');
  r = (await result())[0];
  assert.ok(Math.abs(r.value.x - 20.5) < 1 && Math.abs(r.value.y - 25) < 1.2, JSON.stringify(r.value));
  assert.deepEqual(r.value.rectanglelabels, ['Dog']);
  // resize from the bottom-right handle
  const se = await page.locator('.preview-host .handle.h-se').boundingBox();
  await page.mouse.move(se.x + se.width / 2, se.y + se.height / 2);
  await page.mouse.down();
  await page.mouse.move(...at(80, 90), { steps: 4 });
  await page.mouse.up();
  r = (await result())[0];
  assert.ok(Math.abs(r.value.x + r.value.width - 80) < 1.5, JSON.stringify(r.value));
  // zoom in and out
  await page.click('.preview-host button[aria-label="Zoom in"]');
  assert.equal(await page.textContent('.preview-host .zoom-text'), '125%');
  await shot(page, '22-image-zoomed');
  await page.click('.preview-host button:has-text("Fit")');
  // delete, then undo brings it back
  await page.mouse.click(...at(50, 60));
  await page.keyboard.press('Delete');
  assert.equal((await result()).length, 0);
  await page.keyboard.press('Control+z');
  assert.equal((await result()).length, 1);
});

test('overlapping text spans and a relation between them', async () => {
  await page.goto(`${server.url}/projects/new`);
  await page.click('[data-template="ner"]');
  await page.waitForSelector('.preview-host .text-body');
  await page.evaluate(() => document.activeElement.blur());
  const select = (start, end) => selectText(page, '.preview-host .text-body', start, end);
  // "Ada Lovelace" as Person, "Analytical Engine project" as Organization,
  // and "Engine project in London" overlapping it as Location
  await select(0, 12);
  await page.keyboard.press('1');
  const text = await page.textContent('.preview-host .text-body');
  const org = 'Analytical Engine project';
  const s1 = 'Ada Lovelace worked with Charles Babbage at the '.length;
  await select(s1, s1 + org.length);
  await page.keyboard.press('3');
  await select(s1 + 'Analytical '.length, s1 + org.length + ' in London'.length);
  await page.keyboard.press('2');
  const spans = (await result()).filter((x) => x.type === 'labels');
  assert.equal(spans.length, 3, text);
  const loc = spans.find((x) => x.value.labels[0] === 'Location');
  assert.equal(loc.value.text, 'Engine project in London');
  // relation: select the Person span, press R, pick the Organization
  await page.click('.preview-host .region-pick:has-text("Person")');
  await page.keyboard.press('r');
  await page.click('.preview-host .region-pick:has-text("Organization")');
  await page.selectOption('.preview-host .relation select', 'works for');
  const rel = (await result()).find((x) => x.type === 'relation');
  assert.equal(rel.labels[0], 'works for');
  assert.equal(rel.from_id, spans.find((x) => x.value.labels[0] === 'Person').id);
  await page.locator('.preview').scrollIntoViewIfNeeded();
  await shot(page, '23-ner-overlap-relation', { full: false });
});

test('the ranker reorders with the keyboard', async () => {
  await page.goto(`${server.url}/projects/new`);
  await page.click('[data-template="ranking"]');
  await page.waitForSelector('.preview-host .rank-item');
  await page.focus('.preview-host .rank-item >> nth=0');
  await page.keyboard.press('Alt+ArrowDown');
  const r = (await result()).find((x) => x.type === 'ranker');
  assert.deepEqual(r.value.ranker.results, ['b', 'a', 'c']);
  await expectAccessible(page, 'ranker preview');
});

test('predictions arrive as editable suggestions; maxUsages is enforced before submit', async () => {
  const req = await apiSession(server.url, REQ.email, REQ.password);
  const config = '<View><Labels name="ner" toName="text"><Label value="PER" maxUsages="1"/><Label value="LOC"/></Labels><Text name="text" value="$text"/><Choices name="topic" toName="text" required="true"><Choice value="History"/><Choice value="Sport"/></Choices></View>';
  const p = (await req.call('POST', '/projects', { title: 'Entities with suggestions', label_config: config, reward: 10 })).body;
  const task = { data: { text: 'Ada Lovelace lived in London.' }, predictions: [{ result: [
    { id: 'p1', from_name: 'ner', to_name: 'text', type: 'labels', value: { start: 0, end: 12, text: 'Ada Lovelace', labels: ['PER'] } },
    { id: 'p2', from_name: 'topic', to_name: 'text', type: 'choices', value: { choices: ['History'] } },
  ] }] };
  assert.equal((await req.call('POST', `/projects/${p.id}/tasks`, JSON.stringify([task]), { 'Content-Type': 'application/json' })).status, 201);
  assert.equal((await req.call('POST', `/projects/${p.id}/fund`, { amount: 1000 })).status, 201);
  assert.equal((await req.call('POST', `/projects/${p.id}/publish`)).status, 200);
  const worker = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const w = await worker.newPage();
  watchErrors(w, errors);
  await w.goto(`${server.url}/signup`);
  await w.fill('input[name=display_name]', 'Sam');
  await w.fill('input[name=email]', 'sam@example.com');
  await w.fill('input[name=password]', 'sam-password-1');
  await w.click('button[type=submit]');
  await w.waitForSelector('.project-card');
  await w.goto(`${server.url}/work/${p.id}/task`);
  await w.waitForSelector('body[data-task-ready]');
  assert.equal(await w.locator('.region-item.suggested').count(), 1);
  assert.ok(await w.isChecked('[data-control=topic] input[value=History]'));
  // a second PER breaks maxUsages="1"
  await w.evaluate(() => {
    const node = document.querySelector('.text-body').lastChild;
    const r = document.createRange();
    const i = node.data.indexOf('London');
    r.setStart(node, i);
    r.setEnd(node, i + 6);
    getSelection().removeAllRanges();
    getSelection().addRange(r);
  });
  await w.keyboard.press('1');
  await w.click('button:has-text("Submit")');
  await w.waitForSelector('.problems:not([hidden])');
  assert.match(await w.textContent('.problems'), /at most 1/);
  await shot(w, '24-work-suggestions-maxusages');
  await shotAtPhone(w, '24-work-suggestions-maxusages-360', { full: false });
  // relabel it LOC and submit: the server accepts the result
  await w.keyboard.press('2');
  await w.click('button:has-text("Submit")');
  await w.waitForSelector('text=All done for now');
  const subs = (await req.call('GET', `/projects/${p.id}/review/next`)).body;
  const labels = subs.result.filter((x) => x.type === 'labels').map((x) => x.value.labels[0]).sort();
  assert.deepEqual(labels, ['LOC', 'PER']);
  await worker.close();
});
