// Time series with a million points (issue #14): three channels of 1,000,000
// rows each, held in the task (valueType="json"), in headless chromium.
// Reports the time to open (columns to typed arrays, uPlot loaded, first
// draw), the JS time of each zoom step and each keyboard pan step (the
// visible window decimated and redrawn on three charts), the frame
// intervals meanwhile, a drag that makes a range, and for comparison one
// chart handed all 1M points undecimated.
//   cd tests/e2e && FC_BINARY=$PWD/../../build-test/faircrowd node ../../bench/timeseries.mjs
import { startServer, apiSession, launch, ADMIN } from '../tests/e2e/lib.mjs';

const N = 1_000_000;
const server = await startServer();
const browser = await launch();
try {
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  await admin.call('POST', '/users', { email: 'bench@example.com', password: 'bench-pass-1', display_name: 'Bench', roles: ['requester'] });
  const page = await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
  await page.goto(`${server.url}/signin`);
  await page.fill('input[name=email]', 'bench@example.com');
  await page.fill('input[name=password]', 'bench-pass-1');
  await page.click('button[type=submit]');
  await page.waitForSelector('h1:text-is("Projects")');
  const open = await page.evaluate(async (n) => {
    const { Annotator } = await import('/js/annotate/annotator.js');
    const ts = { t: new Array(n), x: new Array(n), y: new Array(n), z: new Array(n) };
    for (let i = 0; i < n; i++) {
      ts.t[i] = i / 100;
      ts.x[i] = Math.sin(i / 500) + Math.sin(i * 1.7) * 0.1;
      ts.y[i] = Math.cos(i / 1300) * 2 + ((i * 7919) % 101) / 500;
      ts.z[i] = (i % 20000 < 300 ? 5 : 0) + Math.sin(i / 37);
    }
    const host = document.createElement('div');
    document.querySelector('main').replaceChildren(host);
    const t0 = performance.now();
    window.bench = new Annotator(host, {
      config: '<View><TimeSeriesLabels name="l" toName="ts"><Label value="Event"/></TimeSeriesLabels><TimeSeries name="ts" value="$ts" valueType="json" timeColumn="t"><Channel column="x"/><Channel column="y"/><Channel column="z"/></TimeSeries></View>',
      data: { ts },
    });
    while (!/points/.test(document.querySelector('.ts-status')?.textContent || '')) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t0;
  }, N);
  // time every keydown handler on the chart and every frame
  await page.evaluate(() => {
    window.t = { keys: [], frames: [] };
    const stack = document.querySelector('.ts-stack');
    let t0 = 0;
    // capture: before the view's handler; bubble on the same element: after it
    // (the view stops the key there), and a microtask after uPlot's own
    window.addEventListener('keydown', () => { t0 = performance.now(); }, true);
    stack.addEventListener('keydown', () => queueMicrotask(() => window.t.keys.push(performance.now() - t0)));
    window.t.on = false;
    let last = performance.now();
    const tick = (now) => {
      if (window.t.on) window.t.frames.push(now - last);
      last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.focus('.ts-stack');
  await page.evaluate(() => { window.t.on = true; });
  // zoom: in 6 times and out again, 3 rounds (each step decimates the window anew)
  for (let r = 0; r < 3; r++) {
    for (let i = 0; i < 6; i++) await page.keyboard.press('+');
    for (let i = 0; i < 6; i++) await page.keyboard.press('-');
  }
  const zoomKeys = await page.evaluate(() => window.t.keys.splice(0));
  // pan at 4× zoom: 100 cursor steps of 10 % (each moves the window)
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  await page.evaluate(() => window.t.keys.splice(0));
  for (let i = 0; i < 100; i++) await page.keyboard.press('Shift+ArrowRight');
  const panKeys = await page.evaluate(() => window.t.keys.splice(0));
  await page.evaluate(() => { window.t.on = false; });
  const frames = await page.evaluate(() => window.t.frames);
  // a drag that makes a range: mouse down to the region in the result
  await page.keyboard.press('0');
  await page.keyboard.press('1');
  const b = await page.locator('.ts-channel .u-over').first().boundingBox();
  await page.mouse.move(b.x + b.width * 0.3, b.y + b.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width * 0.5, b.y + b.height / 2, { steps: 10 });
  const dragT0 = await page.evaluate(() => performance.now());
  await page.mouse.up();
  await page.waitForFunction(() => window.bench.getResult().length === 1);
  const drag = (await page.evaluate(() => performance.now())) - dragT0;
  // the view's own work, timed in a loop: decimating all 1M rows of 3 channels,
  // and a whole redraw of the three charts at full and at 1/16 zoom
  const work = await page.evaluate(async () => {
    const { decimate } = await import('/js/annotate/timeseries.js');
    const v = window.bench.objectViews.get('ts').real;
    const out = { dec: [], full: [], zoomed: [] };
    for (let i = 0; i < 15; i++) {
      let t0 = performance.now();
      for (let c = 0; c < 3; c++) decimate(v.xs, v.ys[c], v.x0, v.x1, 1524, v.levels[c]);
      out.dec.push(performance.now() - t0);
      t0 = performance.now();
      v.setView(v.x0, v.x1);
      out.full.push(performance.now() - t0);
      t0 = performance.now();
      v.setView(v.x0 + (v.x1 - v.x0) * 0.4, v.x0 + (v.x1 - v.x0) * (0.4 + 1 / 16));
      out.zoomed.push(performance.now() - t0);
    }
    return out;
  });
  // the same chart without decimation: all 1M points of one channel to uPlot
  const full = await page.evaluate(async () => {
    const v = window.bench.objectViews.get('ts').real;
    const u = v.plots[0].u;
    const t0 = performance.now();
    u.setData([v.xs, v.ys[0]], false);
    u.setScale('x', { min: v.x0, max: v.x1 });
    await new Promise((r) => requestAnimationFrame(r));
    return performance.now() - t0;
  });
  const q = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * p))];
  const f = (a) => `median ${q(a, 0.5).toFixed(2)} ms, p95 ${q(a, 0.95).toFixed(2)} ms, max ${Math.max(...a).toFixed(2)} ms (n=${a.length})`;
  console.log(`${N.toLocaleString('en')} rows × 3 channels, charts ${Math.round(b.width)} px wide`);
  console.log(`open (typed arrays, uPlot, first draw): ${open.toFixed(0)} ms`);
  console.log(`zoom step (+/-), JS per key: ${f(zoomKeys)}`);
  console.log(`pan step (Shift+→ at 4× zoom), JS per key: ${f(panKeys)}`);
  console.log(`frame interval while zooming and panning: ${f(frames)}`);
  console.log(`drag to a range in the result: ${drag.toFixed(1)} ms`);
  console.log(`decimate 3 × 1M rows to 1524 columns: ${f(work.dec)}`);
  console.log(`setView, whole series (decimate + redraw 3 charts): ${f(work.full)}`);
  console.log(`setView, 1/16 of the series: ${f(work.zoomed)}`);
  console.log(`for comparison, one chart drawn from all 1M points: ${full.toFixed(1)} ms`);
} finally {
  await browser.close();
  await server.stop();
}
