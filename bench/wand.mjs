// Magic wand on a 4K image (issue #21): in chromium, over a 3840×2160
// image, clicks the wand (a) on a flat background that fills most of the
// image — the worst case — and (b) inside one of 200 boxes; then drags
// sideways so the preview follows a new tolerance each frame, at fit and
// zoomed in 4×. Reports the click (the visible part read at screen
// resolution and every cell's level computed), the work of a drag frame,
// and the release (the fill at natural resolution inside the visible part,
// Label Studio RLE, result).
// The release runs in a worker (wand-worker.js); each release also reports
// its main-thread time and the longest main-thread task (PerformanceObserver
// 'longtask') that began during it. WAND_INLINE=1: the release on the main
// thread, as before the worker (the "before" figures).
//   cd tests/e2e && FC_BINARY=$PWD/../../build-test/faircrowd node ../../bench/wand.mjs
import { benchPage } from './browser.mjs';

const { page, close } = await benchPage();
try {
  // a 3840×2160 picture in the annotator: 200 boxes on a flat background, or a grey gradient
  const inline = process.env.WAND_INLINE === '1';
  const mount = async (kind) => {
    await page.evaluate(async ([k, inl]) => {
      globalThis.fcWandInline = inl;
      if (!window.longTasks) {
        window.longTasks = [];
        new PerformanceObserver((l) => window.longTasks.push(...l.getEntries().map((e) => [e.startTime, e.duration]))).observe({ type: 'longtask' });
      }
      const [{ Annotator }, c] = [await import('/js/annotate/annotator.js'), document.createElement('canvas')];
      Object.assign(c, { width: 3840, height: 2160 });
      const g = c.getContext('2d');
      if (k === 'boxes') {
        g.fillStyle = '#dbeafe';
        g.fillRect(0, 0, 3840, 2160);
        for (let i = 0; i < 200; i++) {
          g.fillStyle = `hsl(${i * 37} 60% 60%)`;
          g.fillRect((i * 193) % 3600, (i * 97) % 1960, 200, 150);
        }
      } else {
        const grad = g.createLinearGradient(0, 0, 3840, 0);
        grad.addColorStop(0, '#000');
        grad.addColorStop(1, '#fff');
        g.fillStyle = grad;
        g.fillRect(0, 0, 3840, 2160);
      }
      const host = document.createElement('div');
      document.querySelector('main').replaceChildren(host);
      window.bench = new Annotator(host, {
        config: '<View><MagicWand name="w" toName="img" defaultThreshold="10"/><Image name="img" value="$image"/></View>',
        data: { image: c.toDataURL('image/png') },
      });
    }, [kind, inline]);
    await page.waitForFunction(() => window.bench.objectViews.get('img').W > 0);
  };
  await mount('boxes');
  // the stroke's stats, with the longest main-thread task that began during its release (0: none over 50 ms)
  const stats = () => page.evaluate(() => {
    const s = window.bench.objectViews.get('img').wandStats;
    const inRelease = window.longTasks.filter((t) => s.upAt !== undefined && t[0] >= s.upAt - 1 && t[0] <= s.doneAt);
    return { ...s, longMs: Math.max(0, ...inRelease.map((t) => t[1])) };
  });
  const masks = () => page.evaluate(() => window.bench.getResult().length);
  const fresh = async () => { // a new mask with the wand: nothing selected, the tool picked again
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.click('[data-control="w"] .label-btn');
  };
  await page.click('[data-control="w"] .label-btn');
  const b = await page.locator('.img-overlay').boundingBox();
  const at = (px, py) => [b.x + (b.width * px) / 100, b.y + (b.height * py) / 100];
  const q = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * p))];
  const f = (a) => `median ${q(a, 0.5).toFixed(1)} ms, p95 ${q(a, 0.95).toFixed(1)} ms, max ${Math.max(...a).toFixed(1)} ms (n=${a.length})`;
  const lines = [];
  // first click: loads wand.js, reads the pixels (once), fills the background
  const t0 = Date.now();
  await page.mouse.click(...at(99, 99));
  await page.waitForFunction(() => window.bench.getResult().length === 1);
  let s = await stats();
  lines.push(`first click (load wand.js, levels of the visible part, release: fill, RLE, result): ${Date.now() - t0} ms wall; levels ${s.levelsMs.toFixed(1)} ms on a ${s.grid.join('×')} grid; full fill ${s.fullMs.toFixed(1)} ms, ${s.count} pixels`);
  for (const [name, x, y] of [['background (most of the image)', 99, 99], ['one box (200×150 px)', (60 / 3840) * 100, (60 / 2160) * 100]]) {
    const fill = [];
    const shown = [];
    const up = [];
    const full = [];
    const main = [];
    const long = [];
    for (let i = 0; i < 8; i++) {
      const n = await masks();
      await fresh();
      await page.mouse.click(...at(x, y));
      await page.waitForFunction((k) => window.bench.getResult().length === k + 1, n);
      s = await stats();
      fill.push(s.levelsMs);
      shown.push(s.runMs);
      full.push(s.fullMs);
      up.push(s.upMs);
      main.push(s.mainMs);
      long.push(s.longMs);
    }
    lines.push(`${name}, ${s.count} pixels: click (read + levels + first preview) ${f(fill)}; release (${s.worker ? 'worker' : 'main thread'}): flood ${f(full)}, release to result (wall) ${f(up)}, of it on the main thread ${f(main)}, longest main-thread task during the release ${f(long)}`);
  }
  // drags: the preview follows the tolerance at most once a frame
  const dragAt = async (label, [x0, y0], dx) => {
    await fresh();
    await page.evaluate(() => { window.bench.objectViews.get('img').wandStats = null; });
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.waitForFunction(() => window.bench.objectViews.get('img').wandStats?.levelsMs > 0);
    const first = await stats();
    for (let i = 1; i <= 20; i++) {
      await page.mouse.move(x0 + i * dx, y0);
      await page.waitForTimeout(30);
    }
    await page.mouse.up();
    await page.waitForFunction(() => window.bench.objectViews.get('img').wandStats.upMs !== undefined);
    s = await stats();
    // every preview frame after the click's: its JS time, and the cells it changed
    const frames = (await page.evaluate(() => window.bench.objectViews.get('img').wandFrames)).slice(1);
    const per = frames.map((x) => x[0]);
    const cells = Math.max(0, ...frames.map((x) => x[1]));
    lines.push(`${label}: click ${first.levelsMs.toFixed(1)} ms (grid ${first.grid.join('×')}); per frame ${f(per)}, at most ${cells} cells a frame; release ${s.upMs.toFixed(1)} ms wall (flood ${s.fullMs.toFixed(1)} ms, ${s.count} px; main thread ${s.mainMs.toFixed(1)} ms, longest task ${s.longMs.toFixed(1)} ms), last tolerance ${s.tol}`);
  };
  await dragAt('fit, drag left on the background (10 → 0)', at(99, 99), -4);
  await dragAt('fit, drag right on the background (10 → 50)', at(50, 99), 4);
  await page.evaluate(() => window.bench.objectViews.get('img').setZoom(4));
  const vp = await page.locator('.img-viewport').boundingBox();
  await dragAt('zoomed 4×, drag right on the background (10 → 50)', [vp.x + vp.width * 0.3, vp.y + vp.height * 0.5], 4);
  // a gradient (left to right, 0 → 255 grey): each step of tolerance takes in more columns;
  // moves of 40 px (20 steps) change ~1/13 of the image a frame, the last move up to 255
  await mount('gradient');
  await page.click('[data-control="w"] .label-btn');
  const gb = await page.locator('.img-overlay').boundingBox();
  await dragAt('gradient, fit, drag right 40 px a move (tolerance +20 a frame)', [gb.x + 4, gb.y + gb.height / 2], 40);
  await dragAt('gradient, fit, jumps of 300 px (tolerance +150: the 120,000-cell cap splits a jump over frames)', [gb.x + 4, gb.y + gb.height / 2], 300);
  await page.evaluate(() => window.bench.objectViews.get('img').setZoom(4));
  const gv = await page.locator('.img-viewport').boundingBox();
  await dragAt('gradient, zoomed 4×, drag right 40 px a move', [gv.x + 10, gv.y + gv.height / 2], 40);
  console.log(`image 3840x2160, MagicWand defaultThreshold 10, release ${inline ? 'on the main thread (WAND_INLINE=1)' : 'in the worker'}`);
  for (const l of lines) console.log(l);
} finally {
  await close();
}
