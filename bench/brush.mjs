// Brush on a 4K image (issue #21): paints strokes with the mouse in
// chromium over a 3840×2160 image and reports, while painting, the time
// the page spends on each pointer move (the dab and the canvas update) and
// the interval between animation frames, then the cost of ending a stroke
// (Label Studio RLE of the whole mask, undo snapshot, result).
//   cd tests/e2e && FC_BINARY=$PWD/../../build-test/faircrowd node ../../bench/brush.mjs
import { startServer, apiSession, launch, ADMIN } from '../tests/e2e/lib.mjs';

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
  await page.evaluate(async () => {
    const { Annotator } = await import('/js/annotate/annotator.js');
    const c = document.createElement('canvas');
    c.width = 3840;
    c.height = 2160;
    const g = c.getContext('2d');
    for (let i = 0; i < 200; i++) {
      g.fillStyle = `hsl(${i * 37} 60% 60%)`;
      g.fillRect((i * 193) % 3840, (i * 97) % 2160, 300, 200);
    }
    const host = document.createElement('div');
    document.querySelector('main').replaceChildren(host);
    window.bench = new Annotator(host, {
      config: '<View><BrushLabels name="m" toName="img"><Label value="A"/></BrushLabels><Image name="img" value="$image"/></View>',
      data: { image: c.toDataURL('image/png') },
    });
  });
  await page.waitForFunction(() => window.bench.objectViews.get('img').natural);
  await page.waitForFunction(() => window.bench.objectViews.get('img').W > 0);
  await page.evaluate(() => {
    const svg = document.querySelector('.img-overlay');
    window.t = { moves: [], ups: [], frames: [] };
    let t0 = 0;
    svg.parentNode.addEventListener('pointermove', () => { t0 = performance.now(); }, true);
    window.addEventListener('pointermove', () => { if (window.bench.objectViews.get('img').drag) window.t.moves.push(performance.now() - t0); });
    svg.parentNode.addEventListener('pointerup', () => { t0 = performance.now(); }, true);
    window.addEventListener('pointerup', () => window.t.ups.push(performance.now() - t0));
    let last = performance.now();
    const tick = (now) => {
      if (window.bench.objectViews.get('img').drag) window.t.frames.push(now - last);
      last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.keyboard.press('1');
  const b = await page.locator('.img-overlay').boundingBox();
  const at = (px, py) => [b.x + (b.width * px) / 100, b.y + (b.height * py) / 100];
  await page.evaluate(() => { window.bench.objectViews.get('img').brushSize = 40; });
  for (let s = 0; s < 5; s++) {
    await page.mouse.move(...at(5, 10 + s * 18));
    await page.mouse.down();
    for (let i = 1; i <= 60; i++) await page.mouse.move(...at(5 + i * 1.5, 10 + s * 18 + 6 * Math.sin(i / 5)));
    await page.mouse.up();
  }
  const t = await page.evaluate(() => window.t);
  const r = await page.evaluate(() => window.bench.getResult());
  const q = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * p))];
  const f = (a) => `median ${q(a, 0.5).toFixed(2)} ms, p95 ${q(a, 0.95).toFixed(2)} ms, max ${Math.max(...a).toFixed(2)} ms (n=${a.length})`;
  console.log(`image ${r[0].original_width}x${r[0].original_height}, brush 40 screen px, 5 strokes of 60 moves`);
  console.log(`pointer move while painting: ${f(t.moves)}`);
  console.log(`frame interval while painting: ${f(t.frames)}`);
  console.log(`stroke end (RLE of the mask, undo, result): ${f(t.ups)}`);
  console.log(`masks: ${r.length}, RLE bytes of the first: ${r[0].value.rle.length}`);
} finally {
  await browser.close();
  await server.stop();
}
