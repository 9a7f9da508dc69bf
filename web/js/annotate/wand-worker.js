// The magic wand's release off the main thread (a module worker, started by
// wand.js on the first release): it reads the visible part of the image at
// natural resolution from an ImageBitmap (kept for the next release over the
// same part), floods it from the seed, adds the fill to the mask and its
// RGBA layer (both transferred here and back, so nothing is copied), encodes
// Label Studio's RLE. The main thread then only swaps the buffers in and
// puts the changed rectangle on the mask's canvas (one putImageData: a
// 4K rectangle is 15–30 ms there; an ImageBitmap drawn instead costs more,
// measured in bench/README.md).
import { flood } from './wand.js';
import { encodeMask } from './brush.js';

let crop = null; // {key, px}: the natural pixels of the last part read

/** The crop's pixels: from q.bitmap when one came, else the kept ones (same key). */
function pixels(q) {
  if (q.bitmap) {
    const c = new OffscreenCanvas(q.cw, q.ch);
    const g = c.getContext('2d', { willReadFrequently: true });
    g.drawImage(q.bitmap, 0, 0);
    q.bitmap.close();
    crop = { key: q.key, px: new Uint32Array(g.getImageData(0, 0, q.cw, q.ch).data.buffer) };
  }
  if (!crop || crop.key !== q.key) throw new Error('the pixels of this part were not sent');
  return crop.px;
}

function fill(q) {
  const px = pixels(q);
  const t0 = performance.now();
  const f = flood(px, q.cw, q.ch, q.sx, q.sy, q.tol, new Uint8Array(q.cw * q.ch));
  const fullMs = performance.now() - t0;
  const { mask, rgba, w } = q;
  const [r, g, b] = q.color;
  for (let k = 0; k < f.runs.length; k += 2) {
    const y = Math.floor(f.runs[k] / q.cw);
    const row = (y + q.cy) * w + q.cx - y * q.cw;
    for (let i = row + f.runs[k], end = row + f.runs[k + 1]; i <= end; i++) {
      if (mask[i]) continue;
      mask[i] = 1;
      rgba[i * 4] = r;
      rgba[i * 4 + 1] = g;
      rgba[i * 4 + 2] = b;
      rgba[i * 4 + 3] = 140;
    }
  }
  const empty = !mask.some((v) => v);
  const rle = empty ? null : Uint8Array.from(encodeMask(mask));
  // the changed rectangle [x, y, width, height] in the image
  const box = f.count ? [f.box[0] + q.cx, f.box[1] + q.cy, f.box[2] - f.box[0] + 1, f.box[3] - f.box[1] + 1] : null;
  return { mask, rgba, rle, empty, count: f.count, box, fullMs, workMs: performance.now() - t0 };
}

self.onmessage = (e) => {
  const q = e.data;
  let res;
  try {
    res = { id: q.id, ...fill(q) };
  } catch (err) {
    // the buffers go back either way: the mask stays as it was
    res = { id: q.id, error: String(err && err.message ? err.message : err), mask: q.mask, rgba: q.rgba };
  }
  self.postMessage(res, [res.mask.buffer, res.rgba.buffer]);
};
