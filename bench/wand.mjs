// Magic wand on a 4K image (issue #21): in chromium, over a 3840×2160
// image, clicks the wand (a) on a flat background that fills most of the
// image — the worst case, every pixel is looked at — and (b) inside one of
// 200 boxes; then drags sideways so the fill reruns at a new tolerance each
// frame. Reports the first read of the pixels (once per image), the fill
// itself, and the whole click (fill, mask update, Label Studio RLE, result).
//   cd tests/e2e && FC_BINARY=$PWD/../../build-test/faircrowd node ../../bench/wand.mjs
import { startServer, apiSession, launch, signInPage, ADMIN } from '../tests/e2e/lib.mjs';

const BENCH = { email: 'bench@example.com', password: 'bench-pass-1' };
const server = await startServer();
const browser = await launch();
try {
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  await admin.call('POST', '/users', { ...BENCH, display_name: 'Bench', roles: ['requester'] });
  const page = await signInPage(browser, server, BENCH, { width: 1600, height: 1000 }, []);
  await page.evaluate(async () => {
    const [{ Annotator }, c] = [await import('/js/annotate/annotator.js'), document.createElement('canvas')];
    Object.assign(c, { width: 3840, height: 2160 });
    const g = c.getContext('2d');
    g.fillStyle = '#dbeafe';
    g.fillRect(0, 0, 3840, 2160);
    for (let i = 0; i < 200; i++) {
      g.fillStyle = `hsl(${i * 37} 60% 60%)`;
      g.fillRect((i * 193) % 3600, (i * 97) % 1960, 200, 150);
    }
    const host = document.createElement('div');
    document.querySelector('main').replaceChildren(host);
    window.bench = new Annotator(host, {
      config: '<View><MagicWand name="w" toName="img" defaultThreshold="10"/><Image name="img" value="$image"/></View>',
      data: { image: c.toDataURL('image/png') },
    });
  });
  await page.waitForFunction(() => window.bench.objectViews.get('img').W > 0);
  const stats = () => page.evaluate(() => window.bench.objectViews.get('img').wandStats);
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
  lines.push(`first click (load wand.js, read the 4K pixels once, fill, RLE, result): ${Date.now() - t0} ms wall; fill ${s.fillMs.toFixed(1)} ms, ${s.count} pixels`);
  for (const [name, x, y] of [['background (most of the image)', 99, 99], ['one box (200×150 px)', (60 / 3840) * 100, (60 / 2160) * 100]]) {
    const fill = [];
    const shown = [];
    const up = [];
    for (let i = 0; i < 8; i++) {
      const n = await masks();
      await fresh();
      await page.mouse.click(...at(x, y));
      await page.waitForFunction((k) => window.bench.getResult().length === k + 1, n);
      s = await stats();
      fill.push(s.fillMs);
      shown.push(s.runMs);
      up.push(s.upMs);
    }
    lines.push(`${name}, ${s.count} pixels: fill ${f(fill)}; fill + mask drawn ${f(shown)}; release (RLE of the mask, undo, result) ${f(up)}`);
  }
  // a drag: the fill reruns at most once a frame at the new tolerance
  await fresh();
  const drag = [];
  const [x0, y0] = at(99, 99);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.waitForFunction(() => window.bench.objectViews.get('img').wandStats);
  for (let i = 1; i <= 20; i++) {
    await page.mouse.move(x0 - i * 4, y0);
    await page.waitForTimeout(30);
    s = await stats();
    drag.push(s.runMs);
  }
  await page.mouse.up();
  lines.push(`dragging left on the background (tolerance 10 → 0, each frame a new fill): fill + mask drawn per frame ${f(drag)}, last tolerance ${s.tol}`);
  // to the right: each frame grows the last fill from its edge
  await fresh();
  const grow = [];
  const [gx, gy] = at(50, 99); // the bottom rows are background only
  await page.mouse.move(gx, gy);
  await page.mouse.down();
  await page.waitForFunction(() => window.bench.objectViews.get('img').wandStats);
  for (let i = 1; i <= 20; i++) {
    await page.mouse.move(gx + i * 4, gy);
    await page.waitForTimeout(30);
    s = await stats();
    if (s.grew) grow.push(s.runMs);
  }
  await page.mouse.up();
  lines.push(`dragging right on the background (tolerance 10 → 50, each frame grows the last fill): fill + mask drawn per frame ${f(grow)}, last tolerance ${s.tol}, ${s.count} pixels`);
  console.log('image 3840x2160, MagicWand defaultThreshold 10');
  for (const l of lines) console.log(l);
} finally {
  await browser.close();
  await server.stop();
}
