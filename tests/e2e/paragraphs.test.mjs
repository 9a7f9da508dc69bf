// Label Studio's Paragraphs and ParagraphLabels (issue #21): the attributes
// its documentation lists (layout="dialogue", nameKey/textKey,
// saveTextResult, granularity, audioUrl + showPlayer, contextScroll), spans
// across paragraphs by mouse ({start, end, startOffset, endOffset, text}),
// whole paragraphs by keyboard, a paragraph played by P, the server taking
// the results; at 360 px and axe-clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requesterPage, expectAccessible, shot, PHONE } from './lib.mjs';

const REQ = { email: 'req-para@example.com', password: 'requester-pass-para', display_name: 'Paula Graph' };
let server, browser, page, req; // eslint-disable-line one-var
const errors = [];

// the shape of Label Studio's "contextual scrolling" and dialogue templates, with other key names
const CONFIG = `<View>
  <ParagraphLabels name="label" toName="dialog">
    <Label value="Question" background="#2563eb"/>
    <Label value="Answer" background="#16a34a"/>
  </ParagraphLabels>
  <Paragraphs name="dialog" value="$dialog" layout="dialogue" nameKey="speaker" textKey="line"
              audioUrl="$audio" showPlayer="true" contextScroll="true" saveTextResult="SAVE"/>
</View>`;
const DIALOG = [
  { speaker: 'Ana', line: 'Where is the station?', start: 0, end: 0.8 },
  { speaker: 'Ben', line: 'Two streets down, on the left.', start: 0.8, duration: 0.9 },
  { speaker: 'Ana', line: 'Thank you very much.', start: 1.7, end: 2.4 },
];

async function mount(config, data) {
  await page.evaluate(async ([c, d]) => {
    const { Annotator } = await import('/js/annotate/annotator.js');
    const host = document.createElement('div');
    host.className = 'para-host';
    document.querySelector('main').replaceChildren(host);
    window.ann = new Annotator(host, { config: c, data: d });
  }, [config, data]);
  await page.waitForSelector('.para-host .para[data-idx="2"]');
}
const result = () => page.evaluate(() => window.ann.getResult());

before(async () => {
  ({ server, browser, req, page } = await requesterPage(REQ, errors));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, []);
});

test('Paragraphs: dialogue with its own keys; a span across paragraphs by mouse; the server takes it', async () => {
  process.env.FC_STEP = 'paragraphs mouse';
  await mount(CONFIG.replace('SAVE', 'yes'), { dialog: DIALOG, audio: '/samples/speech.ogg' });
  assert.equal(await page.locator('.para-host .paragraphs.dialogue .para-author').first().textContent(), 'Ana');
  assert.equal(await page.locator('.para-host .para[data-idx="1"] .para-text').textContent(), DIALOG[1].line);
  assert.ok(await page.locator('.para-host audio.para-player').isVisible(), 'showPlayer shows the player');
  // "street" in paragraph 1 (offset 4) to "Thank" in paragraph 2 (offset 5), label picked first
  await page.click('.para-host [data-control="label"] .label-btn:has-text("Question")');
  await page.evaluate(() => {
    const t = (i) => document.querySelector(`.para-host .para[data-idx="${i}"] .para-text`).firstChild;
    const r = document.createRange();
    r.setStart(t(1), 4);
    r.setEnd(t(2), 5);
    getSelection().removeAllRanges();
    getSelection().addRange(r);
  });
  await page.dispatchEvent('.para-host .para[data-idx="2"] .para-text', 'mouseup');
  await page.waitForFunction(() => window.ann.getResult().length === 1);
  const [r] = await result();
  assert.equal(r.type, 'paragraphlabels');
  assert.deepEqual(r.value, { start: 1, end: 2, startOffset: 4, endOffset: 5, text: 'streets down, on the left.\nThank', paragraphlabels: ['Question'] });
  assert.equal(await page.locator('.para-host .para[data-idx="2"] .seg').count(), 1, 'the span is drawn');
  const p = await req.call('POST', '/projects', { title: 'paragraphs', label_config: CONFIG.replace('SAVE', 'yes') });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  const ok = await req.call('POST', `/projects/${p.body.id}/tasks`, [{ data: { dialog: DIALOG, audio: 'https://cdn.example/a.ogg' }, annotations: [{ completed_by: 'w1', result: [r] }] }]);
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  // past the last paragraph: refused, naming the field
  const bad = await req.call('POST', `/projects/${p.body.id}/tasks`, [{ data: { dialog: DIALOG, audio: 'x' }, annotations: [{ completed_by: 'w1', result: [{ ...r, value: { ...r.value, end: 3 } }] }] }]);
  assert.equal(bad.status, 400, JSON.stringify(bad.body));
  // the result loads back as it was
  await page.evaluate((res) => window.ann.load(res), [r]);
  assert.deepEqual((await result())[0].value, r.value);
});

test('Paragraphs by keyboard: paragraphs selected with Shift+Down, labelled by Enter; P plays one; granularity and saveTextResult="no"', async () => {
  process.env.FC_STEP = 'paragraphs keyboard';
  await mount(CONFIG.replace('SAVE', 'no').replace('contextScroll', 'granularity="paragraph" contextScroll'), { dialog: DIALOG, audio: '/samples/speech.ogg' });
  await page.focus('.para-host [data-control="label"] .label-btn:has-text("Answer")');
  await page.keyboard.press('Enter');
  await page.focus('.para-host .paragraphs');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Shift+ArrowDown');
  assert.equal(await page.locator('.para-host .para.para-sel').count(), 2);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.ann.getResult().length === 1);
  const [r] = await result();
  assert.deepEqual(r.value, { start: 1, end: 2, startOffset: 0, endOffset: DIALOG[2].line.length, paragraphlabels: ['Answer'] }, 'whole paragraphs, no text (saveTextResult="no")');
  // [ goes back to the span; P plays the paragraph under the caret: it is marked while it plays
  await page.keyboard.press('[');
  assert.equal(await page.evaluate(() => window.ann.selected), r.id);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('p');
  await page.waitForSelector('.para-host .para.playing', { timeout: 5000 });
  // by mouse with granularity="paragraph": a few letters take the whole paragraph
  await page.keyboard.press('Escape');
  await page.click('.para-host [data-control="label"] .label-btn:has-text("Question")');
  await page.evaluate(() => {
    const t = document.querySelector('.para-host .para[data-idx="0"] .para-text').firstChild;
    const rg = document.createRange();
    rg.setStart(t, 2);
    rg.setEnd(t, 5);
    getSelection().removeAllRanges();
    getSelection().addRange(rg);
  });
  await page.dispatchEvent('.para-host .para[data-idx="0"] .para-text', 'mouseup');
  await page.waitForFunction(() => window.ann.getResult().length === 2);
  const q = (await result()).find((x) => x.value.paragraphlabels[0] === 'Question');
  assert.deepEqual([q.value.start, q.value.end, q.value.startOffset, q.value.endOffset], [0, 0, 0, DIALOG[0].line.length]);
  await expectAccessible(page, 'paragraphs');
  await page.setViewportSize(PHONE);
  await expectAccessible(page, 'paragraphs at 360 px');
  await shot(page, '66-paragraphs-360', { full: false });
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('ParagraphLabels by keyboard at 360 px: Left/Right go a word, Shift+Right selects words, Enter labels the phrase', async () => {
  process.env.FC_STEP = 'paragraph words by keyboard';
  await page.setViewportSize(PHONE);
  await mount(CONFIG.replace('SAVE', 'yes'), { dialog: DIALOG });
  await page.focus('.para-host [data-control="label"] .label-btn:has-text("Answer")');
  await page.keyboard.press('Enter');
  await page.focus('.para-host .paragraphs');
  // Enter on a collapsed caret (no words selected) would take the whole paragraph: the words go first
  await page.keyboard.press('ArrowDown'); // "Two streets down, on the left."
  await page.keyboard.press('ArrowRight'); // after "Two"
  await page.keyboard.press('Shift+ArrowRight'); // "streets"
  await page.keyboard.press('Shift+ArrowRight'); // "streets down"
  assert.equal(await page.evaluate(() => getSelection().toString()), ' streets down');
  assert.equal(await page.locator('.para-host .paragraphs.words').count(), 1, 'the paragraph is not shown as selected, the words are');
  assert.match(await page.locator('.para-host .paragraphs-object [aria-live]').textContent(), /Selected: streets down/);
  await page.keyboard.press('Shift+ArrowLeft'); // back to "streets"
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.ann.getResult().length === 1);
  let [r] = await result();
  assert.deepEqual(r.value, { start: 1, end: 1, startOffset: 4, endOffset: 11, text: 'streets', paragraphlabels: ['Answer'] });
  // a label's key takes the words too; Up/Down drop them (back to whole paragraphs)
  await page.keyboard.press('ArrowDown'); // "Thank you very much."
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight'); // "Thank you"
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.locator('.para-host .paragraphs.words').count(), 0);
  assert.equal(await page.evaluate(() => getSelection().toString()), '');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End'); // the last paragraph; from its end leftwards: "much."
  await page.keyboard.press('Shift+ArrowLeft');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.ann.getResult().length === 2);
  r = (await result())[1];
  assert.deepEqual([r.value.start, r.value.startOffset, r.value.endOffset, r.value.text], [2, 15, 20, 'much.']);
  // the server takes both
  const p = await req.call('POST', '/projects', { title: 'paragraph words', label_config: CONFIG.replace('SAVE', 'yes') });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  const ok = await req.call('POST', `/projects/${p.body.id}/tasks`, [{ data: { dialog: DIALOG, audio: '/samples/speech.ogg' }, annotations: [{ completed_by: 'k1', result: await result() }] }]);
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no sideways scroll at 360 px (${width})`);
  await expectAccessible(page, 'paragraph words at 360 px');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('the regions list by keyboard: picking a region keeps the focus on it, deleting one moves it to the next', async () => {
  process.env.FC_STEP = 'regions list focus';
  await mount(CONFIG.replace('SAVE', 'yes'), { dialog: DIALOG });
  await page.evaluate(() => document.querySelector('main').append(window.ann.side));
  for (const [p, label] of [[0, 'Question'], [1, 'Answer']]) {
    await page.focus(`.para-host [data-control="label"] .label-btn:has-text("${label}")`);
    await page.keyboard.press('Enter');
    await page.focus('.para-host .paragraphs');
    if (p) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape'); // lets go of the new region (a label picked now would relabel it)
  }
  await page.waitForFunction(() => window.ann.getResult().length === 2);
  const focused = () => page.evaluate(() => document.activeElement.getAttribute('aria-label') || document.activeElement.textContent);
  await page.focus('.ann-side .region-pick');
  await page.keyboard.press('Enter');
  assert.match(await focused(), /Question: “Where”/, 'the pressed button keeps the focus though the list is redrawn');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.match(await focused(), /^Delete Question/);
  await page.keyboard.press('Enter');
  assert.equal((await result()).length, 1);
  assert.match(await focused(), /Answer: “Two”/, 'after a delete the focus goes to the next region');
  await page.evaluate(() => window.ann.side.remove());
});

test('Paragraphs without layout: "author: text" lines; the config editor previews every attribute', async () => {
  process.env.FC_STEP = 'paragraphs plain';
  await mount('<View><Paragraphs name="p" value="$p"/><Choices name="c" toName="p"><Choice value="ok"/></Choices></View>', { p: [{ author: 'A', text: 'one' }, { author: 'B', text: 'two' }, { author: 'A', text: 'three' }] });
  assert.equal(await page.locator('.para-host .paragraphs.dialogue').count(), 0);
  assert.equal(await page.locator('.para-host .para-text').nth(2).textContent(), 'three');
  await page.goto(`${server.url}/projects/new`);
  await page.fill('#p-label_config', CONFIG.replace('SAVE', 'yes'));
  await page.waitForSelector('.config-msg.ok');
  await page.waitForSelector('.preview-host .para[data-idx="1"] .para-play');
  await expectAccessible(page, 'paragraphs preview');
  // Label Studio's contextual scrolling template: the paragraphs play on the Audio object they sync with
  await page.fill('#p-label_config', `<View>
  <Audio name="audio" value="$url" sync="text"></Audio>
  <View>
    <Header value="Transcript"/>
    <Paragraphs audioUrl="$audio" contextScroll="true" sync="audio" name="text" value="$text" layout="dialogue"
                textKey="text" nameKey="author" granularity="paragraph"/>
  </View>
  <View>
    <Header value="Sentiment Labels"/>
    <ParagraphLabels name="label" toName="text">
      <Label value="Positive" background="#00ff00"/>
      <Label value="Negative" background="#ff0000"/>
    </ParagraphLabels>
  </View>
</View>`);
  await page.waitForSelector('.preview-host [data-object="audio"]'); // the new preview
  await page.waitForSelector('.preview-host .paragraphs.context-scroll .para[data-idx="1"] .para-play');
  assert.equal(await page.locator('.preview-host audio.para-player').count(), 0, 'no player of its own when synced');
  // the paragraphs follow the Audio object's player once its view has loaded
  await page.waitForFunction(() => {
    const v = document.querySelector('.preview-host').annotator.objectViews.get('text');
    return v.real && v.real.synced && v.real.synced === document.querySelector('.preview-host').annotator.objectViews.get('audio').real?.audio;
  });
});
