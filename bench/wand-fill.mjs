// The magic wand's flood fill alone, in node, on a 3840×2160 array: a flat image (every
// pixel) and 200 boxes on a flat background (bench/README.md).  node bench/wand-fill.mjs
import { flood } from '../web/js/annotate/wand.js';
const w = 3840, h = 2160;
const px = new Uint32Array(w * h).fill(0xffdbeafe);
for (let i = 0; i < 200; i++) { const x0 = (i * 193) % 3600, y0 = (i * 97) % 1960; for (let y = y0; y < y0 + 150; y++) px.fill(0xff000000 + i * 4099, y * w + x0, y * w + x0 + 200); }
const flat = new Uint32Array(w * h).fill(0xff808080);
const out = new Uint8Array(w * h);
for (const [name, p] of [['flat 4K image (every pixel)', flat], ['background between 200 boxes', px]]) {
  const t = [];
  let c;
  for (let i = 0; i < 10; i++) { out.fill(0); const t0 = performance.now(); c = flood(p, w, h, w - 2, h - 2, 10, out).count; t.push(performance.now() - t0); }
  t.sort((a, b) => a - b);
  console.log(`${name}: ${c} pixels, median ${t[5].toFixed(1)} ms, min ${t[0].toFixed(1)} ms (n=10)`);
}
// a drag to the right: the fill at tolerance 10 grown to 11 from its edge, against a fill from scratch
{
  const t = [];
  const base = new Uint8Array(w * h);
  const first = flood(px, w, h, w - 2, h - 2, 10, base);
  const fresh = [];
  for (let i = 0; i < 10; i++) {
    const g = base.slice();
    let t0 = performance.now();
    flood(px, w, h, w - 2, h - 2, 11, g, { box: first.box });
    t.push(performance.now() - t0);
    out.fill(0);
    t0 = performance.now();
    flood(px, w, h, w - 2, h - 2, 11, out);
    fresh.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  fresh.sort((a, b) => a - b);
  console.log(`background, tolerance 10 → 11: grown from the edge median ${t[5].toFixed(1)} ms, min ${t[0].toFixed(1)} ms; from scratch median ${fresh[5].toFixed(1)} ms, min ${fresh[0].toFixed(1)} ms (n=10)`);
}
