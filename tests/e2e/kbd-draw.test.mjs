// Every region by keyboard alone (WCAG 2.1.1), with no page.mouse and no
// clicks: named-entity spans (caret, Shift+arrows word by word, a label's key
// or Enter, [ and ] between spans, Delete), then a box, a polygon and a
// keypoint on an image with the keyboard crosshair (arrows, Shift for big
// steps, Enter and Space), a box selected under the crosshair, moved with
// the arrows and resized with Alt+arrows. The draft survives a reload, the
// submission stores the same values; at desktop width and at 360 px, axe
// finds nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible, shot, tabTo, watchErrors, PHONE } from './lib.mjs';
import { annotatorSuite, liveProject, resultOn, submitAndNext, submissionsOf } from './annotate-lib.mjs';

const CONFIG = `<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text" granularity="word">
    <Label value="Person" background="#b91c1c"/>
    <Label value="Place" background="#1d4ed8"/>
  </Labels>
  <Image name="img" value="$image"/>
  <RectangleLabels name="box" toName="img"><Label value="Car" background="#047857"/></RectangleLabels>
  <PolygonLabels name="poly" toName="img"><Label value="Road" background="#7c3aed"/></PolygonLabels>
  <KeyPointLabels name="kp" toName="img"><Label value="Head" background="#c2410c"/></KeyPointLabels>
</View>`;
const TEXT = 'Ada Lovelace visited London in 1842.';

let pid;
const ctx = annotatorSuite('kbd', async (c) => {
  pid = await liveProject(c.req, { title: 'Keyboard drawing', instructions: 'Mark people, places, cars, the road and heads.', label_config: CONFIG },
    [{ text: TEXT, image: '/samples/street.svg' }, { text: TEXT, image: '/samples/street.svg?2' }], 'kbdfund');
});

/** Presses key n times. */
async function press(page, key, n = 1) {
  for (let i = 0; i < n; i++) await page.keyboard.press(key);
}

const banner = (page) => page.textContent('.ann-banner');
const regionsOf = (res, name) => res.filter((r) => r.from_name === name);

async function openByKeyboard(viewport) {
  const page = await (await ctx.browser.newContext({ viewport })).newPage();
  watchErrors(page, ctx.errors);
  await page.goto(`${ctx.server.url}/signin`);
  await page.waitForSelector('input[name=email]:focus');
  await page.keyboard.type(ctx.CON.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(ctx.CON.password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#nav .profile-link');
  await page.goto(`${ctx.server.url}/work/${pid}`);
  await page.locator('text=Start working').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('body[data-task-ready]');
  return page;
}

function checkResult(res) {
  const spans = regionsOf(res, 'ner').map((r) => [r.value.labels[0], r.value.start, r.value.end, r.value.text]);
  assert.deepEqual(spans.sort((a, b) => a[1] - b[1]), [['Person', 0, 12, 'Ada Lovelace'], ['Place', 21, 27, 'London']]);
  const [box] = regionsOf(res, 'box');
  assert.deepEqual([box.value.x, box.value.y, box.value.width, box.value.height, box.value.rectanglelabels], [21, 40, 20, 20.5, ['Car']]);
  const [poly] = regionsOf(res, 'poly');
  assert.deepEqual(poly.value.points, [[10, 70], [90, 70], [90, 90], [10, 90]]);
  assert.deepEqual(poly.value.polygonlabels, ['Road']);
  const [kp] = regionsOf(res, 'kp');
  assert.deepEqual([kp.value.x, kp.value.y, kp.value.keypointlabels], [75, 25, ['Head']]);
  assert.equal(res.length, 5);
}

async function drawEverything(page, label) {
  // ---- text: caret, Shift+arrows (word by word), a label's key ----
  await tabTo(page, '.text-body');
  await press(page, 'Shift+ArrowRight', 2);
  assert.equal(await page.textContent('.kbd-sel'), 'Ada Lovelace');
  assert.match(await page.textContent('.text-object [aria-live]'), /Selected “Ada Lovelace”/);
  await page.keyboard.press('1');
  await page.waitForSelector('.text-body .seg');
  assert.match(await banner(page), /Person: “Ada Lovelace” added/);
  // a label first (Esc lets the new span go), then the words, then Enter
  await page.keyboard.press('Escape');
  await page.keyboard.press('2');
  await press(page, 'ArrowRight', 2);
  await page.keyboard.press('Shift+ArrowLeft');
  assert.equal(await page.textContent('.kbd-sel'), 'London');
  await page.keyboard.press('Enter');
  assert.match(await banner(page), /Place: “London” added/);
  // a third span, then gone again with Delete
  await page.keyboard.press('Escape');
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('1');
  assert.match(await banner(page), /Person: “1842” added/);
  assert.equal(regionsOf(await resultOn(page), 'ner').length, 3);
  await page.keyboard.press('Delete');
  assert.equal(regionsOf(await resultOn(page), 'ner').length, 2);
  // ] and [ go from span to span
  await page.keyboard.press('Home');
  await page.keyboard.press(']');
  assert.match(await page.textContent('.text-object [aria-live]'), /Person: “Ada Lovelace” selected/);
  await page.keyboard.press(']');
  assert.match(await page.textContent('.text-object [aria-live]'), /Place: “London” selected/);
  await page.keyboard.press('Escape');
  await expectAccessible(page, `${label}: spans by keyboard`);

  // ---- image: the crosshair ----
  await tabTo(page, '.img-viewport');
  await page.waitForSelector('.img-overlay .kbd-cross');
  assert.ok(await page.locator('.img-overlay .kbd-cross').isVisible(), 'the crosshair shows while the canvas has focus');
  // a box: Car, corner (20, 40), corner (40, 60)
  await page.keyboard.press('3');
  await press(page, 'Shift+ArrowLeft', 6);
  await press(page, 'Shift+ArrowUp', 2);
  await page.keyboard.press('Enter');
  assert.match(await banner(page), /Box started at 20%, 40%/);
  await press(page, 'Shift+ArrowRight', 4);
  await press(page, 'Shift+ArrowDown', 4);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.img-overlay rect.region');
  // a polygon: Road, Enter and Space add vertices, Enter closes
  await page.keyboard.press('4');
  await press(page, 'Shift+ArrowLeft', 6);
  await press(page, 'Shift+ArrowDown', 2);
  await page.keyboard.press('Enter');
  await press(page, 'Shift+ArrowRight', 16);
  await page.keyboard.press('Space');
  await press(page, 'Shift+ArrowDown', 4);
  await page.keyboard.press('Enter');
  assert.match(await banner(page), /Point 3 at 90%, 90%\. Enter closes/);
  await press(page, 'Shift+ArrowLeft', 16);
  await page.keyboard.press('Space');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.img-overlay polygon.region');
  // a keypoint: Head at (75, 25)
  await page.keyboard.press('5');
  await press(page, 'Shift+ArrowRight', 13);
  await press(page, 'Shift+ArrowUp', 13);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.img-overlay circle.keypoint');
  // no label: Enter selects the box under the crosshair; arrows move it, Alt+arrows resize it
  await page.keyboard.press('Escape');
  await press(page, 'Shift+ArrowLeft', 9);
  await press(page, 'Shift+ArrowDown', 5);
  await page.keyboard.press('Enter');
  assert.match(await banner(page), /Car \(box\) selected/);
  await press(page, 'ArrowRight', 2);
  await page.keyboard.press('Alt+ArrowDown');
  await page.keyboard.press('Escape');
  const f = await page.evaluate(() => document.activeElement.className);
  assert.match(f, /img-viewport/, 'focus stays on the canvas');
  checkResult(await resultOn(page));
  await shot(page, `kbd-draw-${label}`);
}

// one page: the first task at desktop width, the next (which submitting opens) at 360 px
let page;
for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['360', PHONE]]) {
  test(`every region by keyboard alone (${label}): spans, box, polygon, keypoint; draft; submit`, async () => {
    if (!page) page = await openByKeyboard(viewport);
    else await page.setViewportSize(viewport);
    await drawEverything(page, label);
    // the draft survives a reload
    await page.waitForTimeout(500);
    await page.reload();
    await page.waitForSelector('body[data-task-ready]');
    await page.waitForSelector('.img-overlay polygon.region');
    checkResult(await resultOn(page));
    if (label === 'desktop') await submitAndNext(page);
    else {
      await page.keyboard.press('Control+Enter');
      await page.waitForSelector('text=All done for now');
    }
    const subs = await submissionsOf(ctx.server, ctx.CON);
    assert.equal(subs.length, label === 'desktop' ? 1 : 2);
    for (const sub of subs) checkResult(sub.result);
    if (label === '360') await page.context().close();
  });
}
