// The video annotator: a track drawn with the mouse, moved by keyboard on a
// later frame (a second keyframe), the frames between interpolated, copied
// to the next frame, hidden from a frame on; the draft survives a reload and
// the submission is Label Studio's videorectangle. TimelineLabels: a range
// dragged along a label's row, one marked with [ and ], one deleted; the
// submission holds timelinelabels results. Desktop and 360 px, axe-core on
// each screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TEMPLATES } from '../../web/js/templates.js';
import { boxAt, timelineMarks } from '../../web/js/annotate/video.js';
import { startServer, apiSession, launch, shot, shotAtPhone, expectAccessible, ADMIN, PHONE } from './lib.mjs';
import { liveProject, openWork, submitAndNext, submissionsOf, resultOn, makeUsers } from './annotate-lib.mjs';

const CONFIG = TEMPLATES.find((t) => t.id === 'video-tracking').config;
const REQ = { email: 'vreq@example.com', password: 'requester-pass-1', display_name: 'Vera Requester' };
const CON = { email: 'vcon@example.com', password: 'contributor-pass-1', display_name: 'Vic Contributor' };
const CON2 = { email: 'tlcon@example.com', password: 'contributor-pass-1', display_name: 'Tom Contributor' };

let server;
let browser;
let pid;
let pid2;
const errors = [];

before(async () => {
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  await makeUsers(server, admin, [[REQ, ['requester']], [CON, ['contributor']], [CON2, ['contributor']]]);
  const req = await apiSession(server.url, REQ.email, REQ.password);
  pid = await liveProject(req, { title: 'Track shapes', instructions: 'Track every moving shape.', label_config: CONFIG },
    [{ video: '/samples/clip.webm' }, { video: '/samples/clip.webm?2' }], 'vfund');
  pid2 = await liveProject(req, { title: 'Segments', instructions: 'Mark movement.', label_config: TEMPLATES.find((t) => t.id === 'video-segments').config },
    [{ video: '/samples/clip.webm' }, { video: '/samples/clip.webm?3' }], 'tlfund');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

test('interpolation: keyframes blend linearly, a hidden keyframe hides until the next', () => {
  const seq = [{ frame: 1, x: 0, y: 10, width: 10, height: 10, enabled: true }, { frame: 11, x: 50, y: 10, width: 30, height: 10, enabled: false }, { frame: 21, x: 80, y: 10, width: 10, height: 10, enabled: true }];
  assert.equal(boxAt(seq, 0), null);
  assert.deepEqual([boxAt(seq, 6).x, boxAt(seq, 6).width, boxAt(seq, 6).keyframe], [25, 20, false]);
  assert.equal(boxAt(seq, 11).keyframe, true);
  assert.equal(boxAt(seq, 15), null);
  assert.equal(boxAt(seq, 40).x, 80);
  // 10,000 frames: every frame of a long track interpolates in well under a frame each
  const long = Array.from({ length: 200 }, (_, i) => ({ frame: 1 + i * 50, x: i % 90, y: 5, width: 5, height: 5, enabled: true }));
  const t0 = performance.now();
  for (let f = 1; f <= 10000; f++) assert.ok(boxAt(long, f));
  assert.ok(performance.now() - t0 < 2000);
  // keyframes listed out of order (imports) give the same boxes; of two on one frame the first listed wins
  const shuffled = [seq[2], seq[0], { ...seq[1], x: 99 }, seq[1]];
  assert.equal(boxAt(shuffled, 6).x, 49.5);
  assert.equal(boxAt(shuffled, 11).x, 99);
  assert.equal(boxAt(shuffled, 15), null);
  assert.equal(boxAt([], 1), null);
  // a track edited in place (a keyframe pushed) is sorted again
  const grown = [seq[0]];
  assert.equal(boxAt(grown, 30).x, 0);
  grown.push({ frame: 21, x: 40, y: 10, width: 10, height: 10, enabled: true });
  assert.equal(boxAt(grown, 11).x, 20);
});

test('timeline: a 10,000-keyframe track gets at most 200 marks, each going to the first keyframe of its slot', () => {
  const every = Array.from({ length: 10000 }, (_, i) => ({ frame: i + 1, x: 1, y: 1, width: 1, height: 1, enabled: i !== 4999 }));
  const marks = timelineMarks(every, 15000);
  assert.ok(marks.length <= 200 && marks.length > 100, String(marks.length));
  assert.equal(marks[0].key.frame, 1);
  assert.equal(marks.reduce((n, m) => n + 1 + m.more, 0), 10000);
  const few = [{ frame: 5 }, { frame: 1 }, { frame: 9 }];
  assert.deepEqual(timelineMarks(few, 100).map((m) => [m.key.frame, m.more]), [[1, 0], [5, 0], [9, 0]]);
});

const result = resultOn;
const frame = (page) => page.evaluate(() => document.querySelector('.work-task').annotator.objectViews.get('video').real.frame);

test('video: draw a track, keyframes by keyboard, interpolate, hide, draft, submit', async () => {
  const page = await openWork(browser, server, CON, pid, errors);
  await page.waitForFunction(() => /Frame 1 \/ 100/.test(document.querySelector('.vt-frame')?.textContent || ''));

  // a Shape box drawn with the mouse on frame 1
  await page.keyboard.press('1');
  const st = await page.locator('.vt-overlay').boundingBox();
  const at = (px, py) => [st.x + (st.width * px) / 100, st.y + (st.height * py) / 100];
  await page.mouse.move(...at(10, 20));
  await page.mouse.down();
  await page.mouse.move(...at(20, 30), { steps: 5 });
  await page.mouse.move(...at(30, 40), { steps: 5 });
  await page.mouse.up();
  await page.waitForSelector('.vt-box.keyframe');
  let res = await result(page);
  assert.equal(res.length, 1, JSON.stringify(res));
  assert.equal(res[0].type, 'videorectangle');
  assert.deepEqual(res[0].value.labels, ['Shape']);
  const k1 = res[0].value.sequence[0];
  assert.equal(k1.frame, 1);
  assert.ok(Math.abs(k1.x - 10) < 1 && Math.abs(k1.width - 20) < 1, JSON.stringify(k1));
  assert.equal(res[0].value.framesCount, 100);

  // ten frames on (Shift+.), move it right 5 % twice: a keyframe at frame 11
  await page.focus('.vt-stage');
  await page.keyboard.press('Shift+.');
  await page.waitForFunction(() => document.querySelector('.work-task').annotator.objectViews.get('video').real.frame === 11);
  // the video really shows frame 11: the middle of it, 10.5 / 25 s
  await page.waitForFunction(() => { const v = document.querySelector('.vt-stage video'); return !v.seeking && Math.abs(v.currentTime - 10.5 / 25) < 0.002; });
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Alt+ArrowDown'); // 1 % taller
  res = await result(page);
  let seq = res[0].value.sequence;
  assert.deepEqual(seq.map((k) => k.frame), [1, 11]);
  assert.ok(Math.abs(seq[1].x - (k1.x + 10)) < 0.01 && Math.abs(seq[1].height - (k1.height + 1)) < 0.01, JSON.stringify(seq));
  // back to frame 6: the box is interpolated (dashed, halfway)
  for (let i = 0; i < 5; i++) await page.keyboard.press(',');
  assert.equal(await frame(page), 6);
  const mid = await page.evaluate(() => document.querySelector('.vt-box').style.left);
  assert.ok(Math.abs(parseFloat(mid) - (k1.x + 5)) < 0.1, mid);
  assert.equal(await page.locator('.vt-box.keyframe').count(), 0);
  // copy to the next frame (C): a keyframe at 7, the playhead there
  await page.keyboard.press('c');
  assert.equal(await frame(page), 7);
  // frame 20: the track ends here (H): shown on 20, hidden from 21
  for (let i = 0; i < 13; i++) await page.keyboard.press('.');
  await page.keyboard.press('h');
  assert.equal(await page.locator('.vt-box').count(), 1);
  await page.keyboard.press('.');
  await page.waitForFunction(() => !document.querySelector('.vt-box'));
  res = await result(page);
  seq = res[0].value.sequence;
  assert.deepEqual(seq.map((k) => [k.frame, k.enabled]), [[1, true], [7, true], [11, true], [20, false]]);
  assert.equal(await page.locator('.vt-key').count(), 4);
  await page.keyboard.press(',');
  await page.keyboard.press(',');
  await page.waitForSelector('.vt-box');
  await expectAccessible(page, 'video annotator');
  await shot(page, '43-video-track');
  await shotAtPhone(page, '44-video-track-360', { full: false });

  // the draft survives a reload
  await page.waitForTimeout(400);
  await page.reload();
  await page.waitForSelector('body[data-task-ready]');
  await page.waitForSelector('.vt-key');
  res = await result(page);
  assert.deepEqual(res[0].value.sequence.map((k) => k.frame), [1, 7, 11, 20]);

  await submitAndNext(page);
  await page.context().close();
  const subs = await submissionsOf(server, CON);
  assert.equal(subs.length, 1);
  const track = subs[0].result[0];
  assert.equal(track.type, 'videorectangle');
  assert.deepEqual(track.value.sequence.map((k) => k.frame), [1, 7, 11, 20]);
  assert.equal(track.value.framesCount, 100);
});

test('timeline labels: a range by mouse and one by keyboard at 360 px, submitted as timelinelabels', async () => {
  const page = await openWork(browser, server, CON2, pid2, errors);
  await page.setViewportSize(PHONE);
  await page.waitForFunction(() => /Frame 1 \/ 100/.test(document.querySelector('.vt-frame')?.textContent || ''));
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no horizontal scroll at 360 px (${width})`);
  // no box tools without a VideoRectangle
  assert.equal(await page.getByRole('button', { name: 'Add box (N)' }).count(), 0);
  assert.equal(await page.locator('.vt-seg-bar').count(), 2);

  // mouse: drag along the Movement row from about 10 % to 30 %
  await page.locator('.vt-seg-bar').first().scrollIntoViewIfNeeded();
  const bar = await page.locator('.vt-seg-bar').first().boundingBox();
  const y = bar.y + bar.height / 2;
  await page.mouse.move(bar.x + bar.width * 0.1, y);
  await page.mouse.down();
  await page.mouse.move(bar.x + bar.width * 0.2, y, { steps: 4 });
  await page.mouse.move(bar.x + bar.width * 0.3, y, { steps: 4 });
  await page.mouse.up();
  await page.waitForSelector('.vt-range');
  let res = await resultOn(page);
  assert.equal(res.length, 1, JSON.stringify(res));
  assert.equal(res[0].type, 'timelinelabels');
  assert.deepEqual(res[0].value.timelinelabels, ['Movement']);
  const [g] = res[0].value.ranges;
  assert.ok(Math.abs(g.start - 11) <= 2 && Math.abs(g.end - 31) <= 2 && g.start < g.end, JSON.stringify(g));

  // keyboard: Still (2), then on the video back to frame 1, [ at frame 41 and ] at frame 51
  await page.keyboard.press('Escape');
  await page.keyboard.press('2');
  await page.focus('.vt-stage');
  while ((await frame(page)) > 1) await page.keyboard.press('Shift+,');
  for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+.');
  assert.equal(await frame(page), 41);
  await page.keyboard.press('[');
  await page.waitForSelector('.vt-seg-mark');
  await page.keyboard.press('Shift+.');
  await page.keyboard.press(']');
  res = await resultOn(page);
  assert.equal(res.length, 2, JSON.stringify(res));
  assert.deepEqual(res[1].value, { ranges: [{ start: 41, end: 51 }], timelinelabels: ['Still'] });
  assert.equal(await page.locator('.vt-range').count(), 2);
  await expectAccessible(page, 'video timeline labels');
  await shot(page, '45-video-timeline-360', { full: false });

  // a third range (Still, 71–71) and Delete removes the selected one
  for (let i = 0; i < 2; i++) await page.keyboard.press('Shift+.');
  await page.keyboard.press('[');
  await page.keyboard.press(']');
  res = await resultOn(page);
  assert.deepEqual(res[2].value.ranges, [{ start: 71, end: 71 }]);
  await page.keyboard.press('Delete');
  res = await resultOn(page);
  assert.equal(res.length, 2);

  await submitAndNext(page);
  await page.context().close();
  const subs = await submissionsOf(server, CON2);
  assert.equal(subs.length, 1);
  const types = subs[0].result.map((r) => r.type);
  assert.deepEqual(types, ['timelinelabels', 'timelinelabels']);
  assert.deepEqual(subs[0].result[1].value.ranges, [{ start: 41, end: 51 }]);
});

test('timeline labels: ranges past the end of the video (a prediction for a longer one, no framesCount) are cut at its last frame', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForSelector('main');
  await page.evaluate(async (config) => {
    const { Annotator } = await import('/js/annotate/annotator.js');
    const host = document.createElement('div');
    document.querySelector('main').replaceChildren(host);
    const ranges = [{ start: 90, end: 400 }, { start: 300, end: 310 }, { start: 5, end: 10 }];
    window.tl = new Annotator(host, { config, data: { video: '/samples/clip.webm' }, result: [{ id: 'p1', from_name: 'videoLabels', to_name: 'video', type: 'timelinelabels', value: { ranges, timelinelabels: ['Movement'] } }] });
  }, TEMPLATES.find((t) => t.id === 'video-segments').config);
  await page.waitForFunction(() => /Frame 1 \/ 100/.test(document.querySelector('.vt-frame')?.textContent || ''));
  const r = await page.evaluate(() => window.tl.getResult());
  assert.deepEqual(r[0].value.ranges, [{ start: 90, end: 100 }, { start: 100, end: 100 }, { start: 5, end: 10 }]);
  assert.match(await page.locator('.ann-banner').textContent(), /2 ranges ran past the video's last frame \(100\)/);
  // by keyboard: Enter on a range selects it and the focus stays on it (the rows are redrawn); Delete
  // removes the region and the focus goes to the video, not to the page's top
  const focused = () => page.evaluate(() => `${document.activeElement.className}|${document.activeElement.getAttribute('aria-label')}`);
  await page.focus('.vt-range');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => window.tl.selected), 'p1');
  assert.match(await focused(), /^vt-range selected\|Movement, frames 90 to 100/);
  await page.keyboard.press('Delete');
  assert.equal(await page.evaluate(() => window.tl.getResult().length), 0);
  assert.match(await focused(), /^vt-stage/);
  await page.close();
});
