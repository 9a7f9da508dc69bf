// The time-series annotator: the template's three channels from a CSV file
// plotted with uPlot (loaded on first use), a range by dragging and an
// instant by clicking, then ranges and instants with the keyboard alone;
// zoom; the draft after a reload; the submission's Label Studio shape.
// Desktop and 360 px, axe-core on each screen. A JSON task's range past the
// end of its data is refused by the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEMPLATES } from '../../web/js/templates.js';
import { apiSession, shot, shotAtPhone, expectAccessible, tabTo } from './lib.mjs';
import { liveProject, openWork, submitAndNext, submissionsOf, resultOn, annotatorSuite } from './annotate-lib.mjs';

const CONFIG = TEMPLATES.find((t) => t.id === 'time-series').config;
const S = annotatorSuite('ts', async (s) => {
  s.pid = await liveProject(s.req, { title: 'Label activities', instructions: 'Mark walking, running and falls.', label_config: CONFIG },
    [{ csv: '/samples/walk.csv' }, { csv: '/samples/walk.csv?2' }], 'tfund');
});

const chartReady = (page) => page.waitForFunction(() => /points × 3 channels/.test(document.querySelector('.ts-status')?.textContent || ''));
const tsView = 'document.querySelector(".work-task").annotator.objectViews.get("ts").real';

test('time series: drag, click and keyboard labels, zoom, draft, submit', async () => {
  const page = await openWork(S.browser, S.server, S.CON, S.pid, S.errors);
  await chartReady(page);
  assert.equal(await page.locator('.ts-channel canvas').count(), 3, 'one chart per channel');
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /uPlot/.test(n)));
  assert.ok(loaded.length >= 1, 'uPlot is loaded on first use');

  // Walk: pick label 1, drag across the first chart from 20 % to 40 % of the time axis
  await page.keyboard.press('1');
  const over = page.locator('.ts-channel .u-over').first();
  const b = await over.boundingBox();
  await page.mouse.move(b.x + b.width * 0.2, b.y + b.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width * 0.3, b.y + b.height / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width * 0.4, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelectorAll('.region-item').length === 1);
  // Fall: label 3, a click at 90 %
  await page.keyboard.press('Escape');
  await page.keyboard.press('3');
  await page.mouse.click(b.x + b.width * 0.9, b.y + b.height / 2);
  await page.waitForFunction(() => document.querySelectorAll('.region-item').length === 2);
  let res = await resultOn(page);
  const walk = res.find((r) => r.value.timeserieslabels[0] === 'Walk');
  const fall = res.find((r) => r.value.timeserieslabels[0] === 'Fall');
  assert.equal(walk.type, 'timeserieslabels');
  assert.equal(walk.to_name, 'ts');
  assert.ok(walk.value.start > 3 && walk.value.start < 5 && walk.value.end > 7 && walk.value.end < 9 && walk.value.instant === false, JSON.stringify(walk));
  assert.ok(fall.value.instant === true && fall.value.start === fall.value.end && fall.value.start > 17 && fall.value.start < 19, JSON.stringify(fall));

  // keyboard alone: focus the chart, Run from the cursor at 12 s to 18 s, then an instant at the end
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await tabTo(page, '.ts-stack');
  await page.keyboard.press('2');
  await page.keyboard.press('Home');
  for (let i = 0; i < 6; i++) await page.keyboard.press('Shift+ArrowRight'); // 6 × 10 % of 19.98 s
  await page.keyboard.press('[');
  for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press(']');
  await page.waitForFunction(() => document.querySelectorAll('.region-item').length === 3);
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.region-item').length === 4);
  res = await resultOn(page);
  const run = res.find((r) => r.value.timeserieslabels[0] === 'Run' && !r.value.instant);
  assert.ok(Math.abs(run.value.start - 11.988) < 0.01 && Math.abs(run.value.end - 17.982) < 0.01, JSON.stringify(run));
  const last = res.find((r) => r.value.instant && r.value.timeserieslabels[0] === 'Run');
  assert.equal(last.value.start, 19.98);
  // zoom from the keyboard: + halves the window around the cursor, 0 shows all
  await page.keyboard.press('+');
  let view = await page.evaluate(`${tsView}.view`);
  assert.ok(Math.abs(view[1] - view[0] - 9.99) < 0.01, `zoomed view ${view}`);
  await page.keyboard.press('0');
  view = await page.evaluate(`${tsView}.view`);
  assert.deepEqual(view, [0, 19.98]);
  await expectAccessible(page, 'time-series annotator');
  await shot(page, '70-timeseries');
  await shotAtPhone(page, '71-timeseries-360', { full: false });

  // the draft survives a reload
  await page.waitForTimeout(400);
  await page.reload();
  await page.waitForSelector('body[data-task-ready]');
  await chartReady(page);
  await page.waitForFunction(() => document.querySelectorAll('.region-item').length === 4);
  assert.equal((await resultOn(page)).filter((r) => r.type === 'timeserieslabels').length, 4);
  await submitAndNext(page);
  await chartReady(page);
  await page.setViewportSize({ width: 360, height: 740 });
  await expectAccessible(page, 'time-series annotator at 360 px');
  await page.context().close();

  const subs = await submissionsOf(S.server, S.CON);
  assert.equal(subs.length, 1);
});

test('time series: a JSON task range past the end of its data is 400 naming the field', async () => {
  const req = S.req;
  const cfg = '<View><TimeSeries name="ts" value="$ts" valueType="json" timeColumn="t"><Channel column="x"/></TimeSeries><TimeSeriesLabels name="l" toName="ts"><Label value="Peak"/></TimeSeriesLabels></View>';
  const jp = await liveProject(req, { title: 'Peaks', label_config: cfg }, [{ ts: { t: [0, 1, 2, 3], x: [0, 5, 1, 0] } }], 'tfund2');
  const con = await apiSession(S.server.url, S.CON.email, S.CON.password);
  const lease = await con.call('POST', `/projects/${jp}/assignments`);
  assert.equal(lease.status, 201, JSON.stringify(lease.body));
  const item = (start, end) => ({ result: [{ id: 'p1', from_name: 'l', to_name: 'ts', type: 'timeserieslabels', value: { start, end, instant: false, timeserieslabels: ['Peak'] } }], active_seconds: 5 });
  const bad = await con.call('POST', `/assignments/${lease.body.id}/submit`, item(1, 4));
  assert.equal(bad.status, 400, JSON.stringify(bad.body));
  assert.equal(bad.body.error.field, 'result[0].value.end');
  assert.match(bad.body.error.message, /past the end of the data/);
  const ok = await con.call('POST', `/assignments/${lease.body.id}/submit`, item(1, 2));
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
});

test('time series: decimation keeps every column’s lowest and highest point, with or without the block summary', async () => {
  const { decimate, summarize } = await import('../../web/js/annotate/timeseries.js');
  const n = 100_003;
  const xs = Float64Array.from({ length: n }, (_, i) => i * 0.5);
  let seed = 7;
  const ys = Float64Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 100);
  ys[77_777] = 1000; // a spike survives
  const levels = summarize(ys);
  assert.deepEqual(levels.map((l) => l.B), [16, 256, 4096]);
  for (const [x0, x1, cols] of [[0, xs[n - 1], 300], [1000.25, 20000, 97], [38000, 39000, 50], [10, 20, 300]]) {
    const [ax, ay] = decimate(xs, ys, x0, x1, cols);
    const [bx, by] = decimate(xs, ys, x0, x1, cols, levels);
    assert.ok(ax.length <= cols * 4 + 2, `${ax.length} points for ${cols} columns`);
    assert.equal(Math.max(...ay), Math.max(...by));
    assert.equal(Math.min(...ay), Math.min(...by));
    // the same points either way (no two values tie in this data)
    assert.deepEqual(Array.from(bx), Array.from(ax));
    assert.deepEqual(Array.from(by), Array.from(ay));
    for (let i = 1; i < bx.length; i++) assert.ok(bx[i] >= bx[i - 1], 'in time order');
    if (x0 === 0) assert.ok(by.includes(1000), 'the spike is drawn');
  }
});
