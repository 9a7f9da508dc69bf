// The magic wand's flood fill alone, in node, on a 3840×2160 array: a flat image (every
// pixel) and 200 boxes on a flat background (bench/README.md).  node bench/wand-fill.mjs
import { flood, levels } from '../web/js/annotate/wand.js';
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
// what a drag's click computes: every cell's level on a screen-sized grid (the visible part of
// the image at fit: 1500×844 cells, boxes scaled alike), then a frame of the worst kind: the
// preview's cap of 120,000 cells changed (wand.js FRAME_CELLS)
{
  const W = 1500, H = 844;
  const g = new Uint32Array(W * H).fill(0xffdbeafe);
  for (let i = 0; i < 200; i++) { const x0 = Math.floor(((i * 193) % 3600) / 2.56), y0 = Math.floor(((i * 97) % 1960) / 2.56); for (let y = y0; y < y0 + 58; y++) g.fill(0xff000000 + i * 4099, y * W + x0, y * W + x0 + 78); }
  const t = [];
  const frame = [];
  const data = new Uint32Array(W * H);
  for (let i = 0; i < 10; i++) {
    let t0 = performance.now();
    const { order, cum } = levels(g, W, H, W * H - 2);
    t.push(performance.now() - t0);
    t0 = performance.now();
    for (let k = 0; k < Math.min(cum[256], 120000); k++) data[order[k]] = 0x8c2563eb;
    frame.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  frame.sort((a, b) => a - b);
  console.log(`levels of a 1500×844 grid (the click): median ${t[5].toFixed(1)} ms, min ${t[0].toFixed(1)} ms; a frame changing 120,000 cells: median ${frame[5].toFixed(1)} ms (n=10)`);
}
