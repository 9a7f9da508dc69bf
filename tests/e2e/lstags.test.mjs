// Label Studio's later tags in the annotator (issue #21): a config with every
// tag pastes in, previews without a console error and is accepted by the
// server; brush masks paint, erase and undo, and come out as Label Studio
// RLE the server accepts; ellipses; OCR boxes with their text; the taxonomy
// tree and visibleWhen by keyboard; a Repeater's pages; all at 360 px too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiSession, launch, watchErrors, shot, ADMIN, PHONE, expectAccessible } from './lib.mjs';

const REQ = { email: 'req-ls@example.com', password: 'requester-pass-ls', display_name: 'Lara Studio' };
let server;
let browser;
let page;
let req;
const errors = [];

const result = () => page.evaluate(() => document.querySelector('.preview-host').annotator.getResult());

async function template(id) {
  process.env.FC_STEP = id;
  await page.goto(`${server.url}/projects/new`);
  await page.click(`[data-template="${id}"]`);
  await page.waitForSelector('.preview-host .annotator');
}

async function imageBox() {
  await page.waitForFunction(() => document.querySelector('.preview-host .img-overlay')?.getAttribute('width') > 0);
  await page.locator('.preview-host .img-viewport').scrollIntoViewIfNeeded();
  const b = await page.locator('.preview-host .img-overlay').boundingBox();
  return (px, py) => [b.x + (b.width * px) / 100, b.y + (b.height * py) / 100];
}

before(async () => {
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  assert.equal((await admin.call('POST', '/users', { ...REQ, roles: ['requester'] })).status, 201);
  req = await apiSession(server.url, REQ.email, REQ.password);
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

// Written in the shapes Label Studio's documentation shows for each tag.
const EVERY_TAG = `<View>
  <Header value="Every tag"/>
  <Text name="lit" value="John went to see Mary"/>
  <Labels name="ner" toName="lit"><Label value="Person"/></Labels>
  <Image name="img" value="$image"/>
  <BrushLabels name="mask" toName="img"><Label value="Sky"/></BrushLabels>
  <Brush name="brush" toName="img"/>
  <EllipseLabels name="ell" toName="img"><Label value="Eye"/></EllipseLabels>
  <Ellipse name="e" toName="img"/>
  <Rectangle name="rect" toName="img"/>
  <Polygon name="poly" toName="img"/>
  <KeyPoint name="kp" toName="img"/>
  <OcrLabels name="ocr" toName="img"><Label value="Line"/></OcrLabels>
  <Labels name="imglabels" toName="img"><Label value="Text"/></Labels>
  <TextArea name="transcript" toName="img" perRegion="true"/>
  <Table name="table" value="$record"/>
  <Markdown name="md" value="$notes"/>
  <Pdf name="pdf" value="$pdf"/>
  <Chat name="chat" value="$messages"/>
  <Rating name="stars" toName="chat" perItem="true"/>
  <Taxonomy name="tax" toName="lit"><Choice value="A"><Choice value="A1"/></Choice><Choice value="B"/></Taxonomy>
  <DateTime name="when" toName="lit" only="date"/>
  <Choices name="c" toName="lit"><Choice value="Yes"/><Choice value="No"/><Choice value="No"/></Choices>
  <TextArea name="why" visibleWhen="choice-selected" whenTagName="c" whenChoiceValue="No"/>
  <Number name="n"/>
  <List name="list" value="$items"/>
  <Ranker name="rank" toName="list"><Bucket name="good" title="Good"/><Bucket name="bad" title="Bad"/></Ranker>
  <Repeater on="$pages" indexFlag="{{idx}}"><Image name="page_{{idx}}" value="$pages[{{idx}}].url"/><RectangleLabels name="pl_{{idx}}" toName="page_{{idx}}" value="$labels"/></Repeater>
</View>`;

test('a config with every tag previews and the server accepts it', async () => {
  process.env.FC_STEP = 'every tag';
  await page.goto(`${server.url}/projects/new`);
  await page.fill('#p-title', 'Every Label Studio tag');
  await page.fill('#p-label_config', EVERY_TAG);
  await page.waitForSelector('.config-msg.ok');
  await page.waitForSelector('.preview-host .annotator .data-table');
  assert.equal(await page.locator('.preview-host [data-object="page_0"]').count(), 1, 'the Repeater shows its page');
  // visibleWhen: the "why" box appears only once "No" is chosen
  assert.equal(await page.locator('.preview-host [data-control="why"]').isHidden(), true);
  await page.check('.preview-host [data-control="c"] input[value="No"]');
  await page.waitForSelector('.preview-host [data-control="why"]:not([hidden])');
  await expectAccessible(page, 'every tag preview');
  const res = await req.call('POST', '/projects', { title: 'every tag', label_config: EVERY_TAG });
  assert.equal(res.status, 201, JSON.stringify(res.body));
});

test('brush: paint, erase, undo; Label Studio RLE the server accepts', async () => {
  await template('segmentation-masks');
  const at = await imageBox();
  await page.focus('.preview-host .img-viewport');
  await page.keyboard.press('1'); // Sky
  await page.mouse.move(...at(10, 20));
  await page.mouse.down();
  await page.mouse.move(...at(60, 20), { steps: 10 });
  await page.mouse.up();
  let r = await result();
  assert.equal(r.length, 1);
  assert.equal(r[0].type, 'brushlabels');
  assert.deepEqual(r[0].value.brushlabels, ['Sky']);
  assert.equal(r[0].value.format, 'rle');
  const rle = r[0].value.rle;
  const count = ((rle[0] << 24) >>> 0) + (rle[1] << 16) + (rle[2] << 8) + rle[3];
  assert.equal(count, r[0].original_width * r[0].original_height * 4, 'the header counts 4 values a pixel');
  // pixels in the mask, decoded from the result's RLE
  const painted = async () => {
    const [m] = await result();
    return page.evaluate(async (v) => {
      const { decodeMask } = await import('/js/annotate/brush.js');
      return decodeMask(v.rle, v.w * v.h).reduce((a, b) => a + b, 0);
    }, { rle: m.value.rle, w: m.original_width, h: m.original_height });
  };
  const before = await painted();
  assert.ok(before > 100, `painted ${before} pixels`);
  // the eraser (E) rubs out part of the selected mask
  await page.keyboard.press('e');
  await page.mouse.move(...at(30, 20));
  await page.mouse.down();
  await page.mouse.move(...at(40, 20), { steps: 4 });
  await page.mouse.up();
  const after = await painted();
  assert.ok(after < before && after > 0, `erased: ${before} → ${after}`);
  await page.keyboard.press('Control+z');
  assert.equal(await painted(), before, 'undo brings the erased part back');
  await page.keyboard.press('Control+z');
  assert.equal((await result()).length, 0, 'undo removes the stroke');
  await page.keyboard.press('Control+Shift+z');
  await shot(page, '60-brush-mask');
  // the server takes the result as it is
  const cfg = await page.inputValue('#p-label_config');
  const p = await req.call('POST', '/projects', { title: 'masks', label_config: cfg });
  assert.equal(p.status, 201);
  const res = await req.call('POST', `/projects/${p.body.id}/tasks`, [{ data: { image: 'https://cdn.example/a.png' }, annotations: [{ completed_by: 'w1', result: await result() }] }]);
  assert.equal(res.status, 201, JSON.stringify(res.body));
});

test('ellipses, unlabelled points and OCR boxes with their text', async () => {
  await template('ellipses-keypoints');
  let at = await imageBox();
  await page.focus('.preview-host .img-viewport');
  await page.keyboard.press('1'); // Cell
  await page.mouse.move(...at(20, 20));
  await page.mouse.down();
  await page.mouse.move(...at(40, 60), { steps: 4 });
  await page.mouse.up();
  let r = (await result())[0];
  assert.equal(r.type, 'ellipselabels');
  assert.ok(Math.abs(r.value.x - 30) < 1 && Math.abs(r.value.radiusY - 20) < 1.5, JSON.stringify(r.value));
  await page.click('.preview-host [data-control="point"] .label-btn');
  at = await imageBox();
  await page.mouse.click(...at(70, 70));
  r = (await result()).find((x) => x.type === 'keypoint');
  assert.ok(r && !('keypoint' in r.value), 'a tool without labels writes the shape alone');

  await template('ocr');
  await page.click('.preview-host [data-control="bbox"] .label-btn');
  at = await imageBox(); // after the click, which may scroll
  await page.mouse.move(...at(10, 10));
  await page.mouse.down();
  await page.mouse.move(...at(50, 20), { steps: 4 });
  await page.mouse.up();
  await page.mouse.click(...at(30, 15)); // select it
  await page.fill('.preview-host [data-control="transcription"] textarea', 'Total 12.00');
  const items = await result();
  const box = items.find((x) => x.type === 'rectangle');
  const text = items.find((x) => x.type === 'textarea');
  assert.ok(box && text && box.id === text.id, JSON.stringify(items));
  assert.deepEqual(text.value.text, ['Total 12.00']);
  await shot(page, '61-ocr');
});

test('taxonomy and date by keyboard; a Repeater shows every page; 360 px', async () => {
  await template('taxonomy');
  await page.focus('.preview-host .taxonomy-control input[type=search]');
  await page.keyboard.type('Hum');
  await page.keyboard.press('Tab'); // Eukarya
  await page.keyboard.press('Tab'); // Human
  await page.keyboard.press('Space');
  const t = (await result()).find((x) => x.type === 'taxonomy');
  assert.deepEqual(t.value.taxonomy, [['Eukarya', 'Human']]);
  await page.setViewportSize(PHONE);
  await shot(page, '62-taxonomy-360', { full: false });
  await page.setViewportSize({ width: 1280, height: 900 });

  await template('tabular-data');
  await page.fill('.preview-host [data-control="date"] input', '2024-05-01');
  await page.dispatchEvent('.preview-host [data-control="date"] input', 'change');
  const d = (await result()).find((x) => x.type === 'datetime');
  assert.equal(d.value.datetime, '2024-05-01');

  await template('multi-page-document');
  await page.waitForSelector('.preview-host [data-object="page_1"]');
  assert.equal(await page.locator('.preview-host [data-control^="labels_"]').count(), 2);
  await page.setViewportSize(PHONE);
  await shot(page, '63-pages-360', { full: false });
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('the editor lists every tag with an example that previews', async () => {
  process.env.FC_STEP = 'tag reference';
  await page.goto(`${server.url}/projects/new`);
  await page.click('.tag-reference summary');
  const tags = await page.$$eval('.tag-reference tbody th code', (els) => els.map((e) => e.textContent));
  for (const t of ['<BrushLabels>', '<Taxonomy>', '<Repeater>', '<DateTime>', '<Ellipse>', '<Table>', '<Markdown>', '<Pdf>', '<Chat>', '<OcrLabels>'])
    assert.ok(tags.includes(t), `${t} is listed`);
  const n = await page.locator('.tag-reference button:has-text("Try it")').count();
  for (let i = 0; i < n; i++) {
    process.env.FC_STEP = `tag reference ${tags[i]}`;
    await page.locator('.tag-reference button:has-text("Try it")').nth(i).click();
    await page.waitForFunction(() => /Looks good/.test(document.querySelector('.config-msg').textContent));
    await page.waitForSelector('.preview-host .annotator');
  }
  await expectAccessible(page, 'tag reference');
  await page.setViewportSize(PHONE);
  await shot(page, '64-tag-reference-360', { full: false });
  await page.setViewportSize({ width: 1280, height: 900 });
});
