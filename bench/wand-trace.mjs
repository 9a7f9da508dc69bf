// What the main thread does during a magic wand release (bench/README.md): one drag release over a
// 3840×2160 grey gradient (the fill takes all 8.29 M pixels) under a chromium trace; prints each
// renderer main-thread task over 50 ms, in time order, with the trace events inside it (longest first).
//   cd tests/e2e && FC_BINARY=$PWD/../../build-test/faircrowd node ../../bench/wand-trace.mjs
import { readFileSync } from 'node:fs';
import { benchPage } from './browser.mjs';

const { page, browser, close } = await benchPage();
try {
  await page.evaluate(async () => {
    const [{ Annotator }, c] = [await import('/js/annotate/annotator.js'), document.createElement('canvas')];
    Object.assign(c, { width: 3840, height: 2160 });
    const g = c.getContext('2d');
    const grad = g.createLinearGradient(0, 0, 3840, 0); grad.addColorStop(0, '#000'); grad.addColorStop(1, '#fff');
    g.fillStyle = grad; g.fillRect(0, 0, 3840, 2160);
    const host = document.createElement('div');
    document.querySelector('main').replaceChildren(host);
    window.bench = new Annotator(host, { config: '<View><MagicWand name="w" toName="img" defaultThreshold="10"/><Image name="img" value="$image"/></View>', data: { image: c.toDataURL('image/png') } });
  });
  await page.waitForFunction(() => window.bench.objectViews.get('img').W > 0);
  await page.click('[data-control="w"] .label-btn');
  const b = await page.locator('.img-overlay').boundingBox();
  // warm up once (loads wand.js and the worker)
  await page.mouse.click(b.x + 5, b.y + b.height / 2);
  await page.waitForFunction(() => window.bench.getResult().length === 1);
  await page.keyboard.press('Escape'); await page.keyboard.press('Escape');
  await page.click('[data-control="w"] .label-btn');
  await page.mouse.move(b.x + 5, b.y + b.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) { await page.mouse.move(b.x + 5 + i * 60, b.y + b.height / 2); await page.waitForTimeout(30); }
  await page.waitForTimeout(500);
  await browser.startTracing(page, { path: '/tmp/ui-trace.json', categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  await page.mouse.up();
  await page.waitForFunction(() => window.bench.getResult().length === 2, null, { timeout: 60000 });
  await page.waitForTimeout(500);
  await browser.stopTracing();
  const s = await page.evaluate(() => window.bench.objectViews.get('img').wandStats);
  console.log('release', Math.round(s.upMs), 'ms; main JS', Math.round(s.mainMs), 'count', s.count);
  const ev = JSON.parse(readFileSync('/tmp/ui-trace.json', 'utf8')).traceEvents;
  // the renderer main thread: the thread of the RunTask events with the longest total
  const main = ev.find((e) => e.name === 'thread_name' && e.args.name === 'CrRendererMain');
  const mine = ev.filter((e) => e.tid === main.tid && e.ph === 'X');
  const tasks = mine.filter((e) => e.name === 'RunTask' && e.dur > 50000);
  for (const t of tasks) {
    const inner = {};
    for (const e of mine) if (e.ts >= t.ts && e.ts < t.ts + t.dur && e.name !== 'RunTask') inner[e.name] = (inner[e.name] || 0) + e.dur;
    console.log('long task', Math.round(t.dur / 1000), 'ms:', Object.entries(inner).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${Math.round(v / 1000)}`).join(', '));
  }
} finally {
  await close();
}
