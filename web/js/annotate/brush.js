// Brush masks: Label Studio's RLE (the RGBA bytes of the image, 4 values a
// pixel, packed as in its editor: a 32-bit count, the word size, four run
// length field sizes, then runs and literal groups), and the painting layer
// the image view uses. A mask is kept as one byte a pixel at the image's own
// size; a dab paints a disc into it and puts only the changed rectangle on a
// canvas, so a stroke on a 4K image costs a few thousand pixels a frame.

const SIZES = [3, 4, 8, 16];

class BitWriter {
  constructor() {
    this.buf = new Uint8Array(1024);
    this.bit = 0;
  }

  write(value, n) {
    for (let i = n - 1; i >= 0; i--) {
      const byte = this.bit >> 3;
      if (byte >= this.buf.length) {
        const b = new Uint8Array(this.buf.length * 2);
        b.set(this.buf);
        this.buf = b;
      }
      if ((value / 2 ** i) & 1) this.buf[byte] |= 0x80 >> (this.bit & 7);
      this.bit++;
    }
  }

  bytes() {
    return Array.from(this.buf.subarray(0, (this.bit + 7) >> 3));
  }
}

/** A mask (one byte a pixel, 0 or not) → Label Studio's RLE array. */
export function encodeMask(mask) {
  const out = new BitWriter();
  out.write(mask.length * 4, 32);
  out.write(7, 5); // 8-bit words
  for (const s of SIZES) out.write(s - 1, 4);
  // each pixel is 4 equal values, so every group is a run of at least 4
  let i = 0;
  while (i < mask.length) {
    const v = mask[i] ? 255 : 0;
    let j = i + 1;
    while (j < mask.length && (mask[j] ? 255 : 0) === v) j++;
    for (let left = (j - i) * 4; left > 0;) {
      const n = Math.min(left, 1 << 16);
      const cls = SIZES.findIndex((s) => n - 1 < 2 ** s);
      out.write(1, 1);
      out.write(cls, 2);
      out.write(n - 1, SIZES[cls]);
      out.write(v, 8);
      left -= n;
    }
    i = j;
  }
  return out.bytes();
}

/** Label Studio's RLE → a mask of the given pixel count (alpha > 0). */
export function decodeMask(rle, pixels) {
  const mask = new Uint8Array(pixels);
  if (!Array.isArray(rle) || rle.length < 6) return mask;
  let pos = 0;
  const total = rle.length * 8;
  const read = (n) => {
    let x = 0;
    for (let i = 0; i < n; i++, pos++) {
      if (pos >= total) throw new Error('short');
      x = x * 2 + ((rle[pos >> 3] >> (7 - (pos & 7))) & 1);
    }
    return x;
  };
  try {
    const count = read(32);
    const word = read(5) + 1;
    const sizes = [read(4) + 1, read(4) + 1, read(4) + 1, read(4) + 1];
    for (let i = 0; i < count;) {
      const run = read(1);
      const n = read(sizes[read(2)]) + 1;
      if (run) {
        const v = read(word);
        if (v) for (let j = i; j < i + n; j++) if ((j & 3) === 3 && j >> 2 < pixels) mask[j >> 2] = 1;
      } else {
        for (let j = i; j < i + n; j++) {
          const v = read(word);
          if (v && (j & 3) === 3 && j >> 2 < pixels) mask[j >> 2] = 1;
        }
      }
      i += n;
    }
  } catch {
    /* a short stream shows what it holds */
  }
  return mask;
}

function rgb(hex) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || '');
  return m ? [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)] : [100, 116, 139];
}

/** One brush region's mask and the canvas that shows it. */
export class MaskLayer {
  constructor(w, h, color) {
    this.w = w;
    this.h = h;
    this.mask = new Uint8Array(w * h);
    this.canvas = document.createElement('canvas');
    this.canvas.width = w;
    this.canvas.height = h;
    this.canvas.className = 'mask-layer';
    this.canvas.setAttribute('aria-hidden', 'true');
    this.ctx = this.canvas.getContext('2d');
    this.img = this.ctx.createImageData(w, h);
    this.color = rgb(color);
    this.rle = null; // the RLE the canvas shows
  }

  /** Shows rle (when it is not what is shown already). */
  load(rle) {
    if (rle === this.rle) return;
    if (this.busy) {
      this.later = rle; // the magic wand's worker has the buffers: shown when they come back
      return;
    }
    this.mask = decodeMask(rle, this.w * this.h);
    const d = this.img.data;
    const [r, g, b] = this.color;
    for (let i = 0; i < this.mask.length; i++) {
      const on = this.mask[i];
      d[i * 4] = r;
      d[i * 4 + 1] = g;
      d[i * 4 + 2] = b;
      d[i * 4 + 3] = on ? 140 : 0;
    }
    this.ctx.putImageData(this.img, 0, 0);
    this.rle = rle;
  }

  /** Paints (value 1) or erases (0) a disc of radius rad at (cx, cy), in pixels. */
  dab(cx, cy, rad, value) {
    const x0 = Math.max(0, Math.floor(cx - rad));
    const x1 = Math.min(this.w - 1, Math.ceil(cx + rad));
    const y0 = Math.max(0, Math.floor(cy - rad));
    const y1 = Math.min(this.h - 1, Math.ceil(cy + rad));
    if (x1 < x0 || y1 < y0 || this.busy) return;
    const d = this.img.data;
    const [r, g, b] = this.color;
    const r2 = rad * rad;
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - cy;
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - cx;
        if (dx * dx + dy * dy > r2) continue;
        const i = y * this.w + x;
        this.mask[i] = value;
        d[i * 4] = r;
        d[i * 4 + 1] = g;
        d[i * 4 + 2] = b;
        d[i * 4 + 3] = value ? 140 : 0;
      }
    }
    this.ctx.putImageData(this.img, 0, 0, x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  }

  /** A stroke segment: dabs every third of a radius from a to b. */
  line(a, b, rad, value) {
    const dist = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const steps = Math.max(1, Math.ceil(dist / Math.max(1, rad / 3)));
    for (let i = 1; i <= steps; i++) this.dab(a[0] + ((b[0] - a[0]) * i) / steps, a[1] + ((b[1] - a[1]) * i) / steps, rad, value);
  }

  empty() {
    return !this.mask.some((v) => v);
  }

  /** The mask as Label Studio's RLE; the layer keeps showing it. */
  encode() {
    this.rle = encodeMask(this.mask);
    return this.rle;
  }
}

/** Label Studio's Bitmask: the mask of rle as a PNG data URL, black pixels on a transparent background. */
export function maskToPng(rle, w, h) {
  const mask = decodeMask(rle, w * h);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const ctx = c.getContext('2d');
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < mask.length; i++) if (mask[i]) img.data[i * 4 + 3] = 255;
  ctx.putImageData(img, 0, 0);
  return c.toDataURL('image/png');
}

/** A Bitmask PNG data URL → the RLE of its mask (alpha > 0) at w×h. */
export async function pngToRle(url, w, h) {
  const im = new Image();
  im.src = url;
  await im.decode();
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const ctx = c.getContext('2d');
  ctx.drawImage(im, 0, 0, w, h);
  const d = ctx.getImageData(0, 0, w, h).data;
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = d[i * 4 + 3] > 0 ? 1 : 0;
  return encodeMask(mask);
}
