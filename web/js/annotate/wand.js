// The magic wand (Label Studio's <MagicWand>): a click floods the image from
// that pixel over every 4-connected pixel whose colour is within the
// tolerance of the seed's (the largest of |ΔR|, |ΔG|, |ΔB|, 0…255); dragging
// right while the button is down widens the tolerance, left narrows it, and
// the fill is shown as it changes; releasing puts it into a brush mask (the
// selected mask of this image, else a new one). Loaded on first use.
//
// Bounded work: a drag previews on the visible part of the image at screen
// resolution — the click reads that part once and computes, in one O(cells)
// pass, the tolerance at which each cell joins the fill (levels()), so a
// frame redraws only the cells between the old tolerance and the new one.
// The release fills at natural resolution inside the visible part (a
// scanline fill with an explicit stack, each pixel a constant number of
// times), once, in a module worker (wand-worker.js, started on the first
// release): the page stays responsive while a fill of a whole 4K picture
// runs; without workers it runs here, as it did before.

const DRAG_PX_PER_STEP = 2; // screen pixels of drag per unit of tolerance
const FRAME_CELLS = 120000; // preview cells a frame may change (a few ms on a loaded 2-core machine)

/**
 * Flood fill of px (w×h, one Uint32 RGBA a pixel) from (sx, sy) within tol:
 * sets out[i] = 1 for every pixel reached. Returns {count (pixels it set),
 * box: [x0, y0, x1, y1], runs: [first, last, …] (the indices it set, a
 * run of a row at a time)}.
 */
export function flood(px, w, h, sx, sy, tol, out) {
  const seed = px[sy * w + sx];
  const r0 = seed & 255;
  const g0 = (seed >>> 8) & 255;
  const b0 = (seed >>> 16) & 255;
  // per channel: v - c0 + tol in 0..2·tol (unsigned compare does both ends)
  const span = 2 * tol;
  const near = (i) => {
    const v = px[i];
    return ((v & 255) - r0 + tol) >>> 0 <= span && (((v >>> 8) & 255) - g0 + tol) >>> 0 <= span && (((v >>> 16) & 255) - b0 + tol) >>> 0 <= span;
  };
  let count = 0;
  let x0 = sx;
  let x1 = sx;
  let y0 = sy;
  let y1 = sy;
  let stack = new Int32Array(1024);
  let top = 0;
  const push = (x, y) => {
    if (top + 2 > stack.length) {
      const bigger = new Int32Array(stack.length * 2);
      bigger.set(stack);
      stack = bigger;
    }
    stack[top++] = x;
    stack[top++] = y;
  };
  // seeds of the runs of fillable pixels of row ny between l and r
  const scan = (ny, l, r) => {
    const row = ny * w;
    let inRun = false;
    for (let i = row + l, end = row + r; i <= end; i++) {
      const ok = out[i] === 0 && near(i);
      if (ok && !inRun) push(i - row, ny);
      inRun = ok;
    }
  };
  const runs = [];
  push(sx, sy);
  while (top) {
    const y = stack[--top];
    const x = stack[--top];
    const row = y * w;
    if (out[row + x]) continue;
    let l = row + x;
    while (l > row && out[l - 1] === 0 && near(l - 1)) l--;
    let r = row + x;
    while (r < row + w - 1 && out[r + 1] === 0 && near(r + 1)) r++;
    out.fill(1, l, r + 1);
    runs.push(l, r);
    count += r - l + 1;
    l -= row;
    r -= row;
    if (l < x0) x0 = l;
    if (r > x1) x1 = r;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (y > 0) scan(y - 1, l, r);
    if (y < h - 1) scan(y + 1, l, r);
  }
  return { count, box: [x0, y0, x1, y1], runs };
}

/** Adds the runs [first, last, …] of fill (indices into a cw-wide crop at
 * (cx, cy) of the image) to mask m and draws the rows they touch. */
function applyRuns(m, runs, cx, cy, cw) {
  const d = m.img.data;
  const [r, g, b] = m.color;
  let top = Infinity;
  let bottom = -1;
  let left = Infinity;
  let right = -1;
  for (let k = 0; k < runs.length; k += 2) {
    const y = Math.floor(runs[k] / cw);
    const x0 = runs[k] - y * cw + cx;
    const x1 = runs[k + 1] - y * cw + cx;
    const row = (y + cy) * m.w;
    for (let i = row + x0; i <= row + x1; i++) {
      if (m.mask[i]) continue;
      m.mask[i] = 1;
      d[i * 4] = r;
      d[i * 4 + 1] = g;
      d[i * 4 + 2] = b;
      d[i * 4 + 3] = 140;
    }
    top = Math.min(top, y + cy);
    bottom = Math.max(bottom, y + cy);
    left = Math.min(left, x0);
    right = Math.max(right, x1);
  }
  if (bottom >= 0) m.ctx.putImageData(m.img, 0, 0, left, top, right - left + 1, bottom - top + 1);
}

/**
 * The tolerance at which each pixel joins a fill from seed s: the least, over
 * the 4-connected paths from s, of the largest colour distance (max of
 * |ΔR|, |ΔG|, |ΔB| to the seed's) on the path. A fill at tolerance t is then
 * exactly the pixels whose level is ≤ t (the flood above at t gives the same
 * set). One pass of Dial's algorithm over 256 buckets, O(pixels). Returns
 * {order: the pixels by level, cum: order[cum[t]…cum[t+1]) have level t}.
 */
export function levels(px, w, h, s) {
  const n = w * h;
  const seed = px[s];
  const r0 = seed & 255;
  const g0 = (seed >>> 8) & 255;
  const b0 = (seed >>> 16) & 255;
  const dist = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = px[i];
    const dr = Math.abs((v & 255) - r0);
    const dg = Math.abs(((v >>> 8) & 255) - g0);
    const db = Math.abs(((v >>> 16) & 255) - b0);
    dist[i] = dr > dg ? (dr > db ? dr : db) : dg > db ? dg : db;
  }
  const best = new Uint16Array(n).fill(256); // 257: done
  const order = new Int32Array(n);
  const cum = new Int32Array(257);
  // one stack of pixel indices a level, typed and grown by doubling
  const stacks = new Array(256).fill(null);
  const tops = new Int32Array(256);
  const push = (l, j) => {
    let st = stacks[l];
    if (!st || tops[l] === st.length) {
      const bigger = new Int32Array(st ? st.length * 2 : 4096);
      if (st) bigger.set(st);
      stacks[l] = st = bigger;
    }
    st[tops[l]++] = j;
  };
  let k = 0;
  best[s] = dist[s];
  push(dist[s], s);
  for (let b = 0; b < 256; b++) {
    while (tops[b]) {
      const i = stacks[b][--tops[b]];
      if (best[i] !== b) continue; // done, or reached at a lower level since
      best[i] = 257;
      order[k++] = i;
      const y = (i / w) | 0;
      const x = i - y * w;
      let j = i - 1;
      let l;
      if (x > 0 && best[j] < 257 && (l = dist[j] > b ? dist[j] : b) < best[j]) {
        best[j] = l;
        push(l, j);
      }
      j = i + 1;
      if (x < w - 1 && best[j] < 257 && (l = dist[j] > b ? dist[j] : b) < best[j]) {
        best[j] = l;
        push(l, j);
      }
      j = i - w;
      if (y > 0 && best[j] < 257 && (l = dist[j] > b ? dist[j] : b) < best[j]) {
        best[j] = l;
        push(l, j);
      }
      j = i + w;
      if (j < n && best[j] < 257 && (l = dist[j] > b ? dist[j] : b) < best[j]) {
        best[j] = l;
        push(l, j);
      }
    }
    stacks[b] = null;
    cum[b + 1] = k;
  }
  return { order, cum };
}

/**
 * The part of the image on screen, in natural pixels, and a grid over it at
 * screen resolution (at most one cell a screen pixel, at least one a natural
 * pixel): what a drag previews on. {x0, y0, x1, y1 (natural, inclusive),
 * gw, gh, sx, sy (natural pixels a cell)}.
 */
function visible(view) {
  const { w, h } = view.natural;
  const img = view.svg.getBoundingClientRect();
  const vp = view.viewport.getBoundingClientRect();
  const left = Math.max(img.left, vp.left);
  const right = Math.min(img.right, vp.right);
  const top = Math.max(img.top, vp.top);
  const bottom = Math.min(img.bottom, vp.bottom);
  if (right <= left || bottom <= top || !img.width) return { x0: w, y0: h, x1: -1, y1: -1 }; // nothing on screen
  const x0 = Math.max(0, Math.floor(((left - img.left) / img.width) * w));
  const x1 = Math.min(w - 1, Math.ceil(((right - img.left) / img.width) * w) - 1);
  const y0 = Math.max(0, Math.floor(((top - img.top) / img.height) * h));
  const y1 = Math.min(h - 1, Math.ceil(((bottom - img.top) / img.height) * h) - 1);
  const gw = Math.max(1, Math.min(x1 - x0 + 1, Math.ceil(right - left)));
  const gh = Math.max(1, Math.min(y1 - y0 + 1, Math.ceil(bottom - top)));
  return { x0, y0, x1, y1, gw, gh };
}

/** The RGBA pixels of a part of the view's image, scaled to gw×gh by taking the nearest pixel. */
function read(view, x, y, sw, sh, gw, gh) {
  const c = document.createElement('canvas');
  c.width = gw;
  c.height = gh;
  const g = c.getContext('2d', { willReadFrequently: true });
  g.imageSmoothingEnabled = false;
  g.drawImage(view.img, x, y, sw, sh, 0, 0, gw, gh);
  // throws SecurityError when the image comes from a server that does not allow it (CORS)
  return new Uint32Array(g.getImageData(0, 0, gw, gh).data.buffer);
}

/** The natural pixels of the visible part [x0, y0, x1, y1], kept for the next fill of the same part. */
function crop(view, v) {
  const key = `${v.x0},${v.y0},${v.x1},${v.y1}`;
  if (view.wandCrop && view.wandCrop.key === key) return view.wandCrop.px;
  const cw = v.x1 - v.x0 + 1;
  const ch = v.y1 - v.y0 + 1;
  const px = read(view, v.x0, v.y0, cw, ch, cw, ch);
  view.wandCrop = { key, px };
  return px;
}

// ---- the release in a worker ----

let worker; // undefined: not started; null: none (no Worker, or it failed to start)
let sent = null; // the key of the part whose pixels the worker keeps
let ids = 0;
const waiting = new Map(); // request id → resolve
let images = 0;
const imageNo = new WeakMap(); // img element → a number that changes with each picture it loads, so a key names the picture

function pictureOf(img) {
  if (!imageNo.has(img)) {
    imageNo.set(img, ++images);
    img.addEventListener('load', () => imageNo.set(img, ++images));
  }
  return imageNo.get(img);
}

function fillWorker() {
  if (worker !== undefined) return worker;
  worker = null;
  // globalThis.fcWandInline: bench/wand.mjs measures the release on the main thread, as before the worker
  if (globalThis.fcWandInline || typeof Worker !== 'function' || typeof OffscreenCanvas !== 'function' || typeof createImageBitmap !== 'function') return null;
  try {
    worker = new Worker(new URL('./wand-worker.js', import.meta.url), { type: 'module', name: 'magic wand' });
  } catch {
    return null;
  }
  worker.onmessage = (e) => {
    const done = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    if (done) done(e.data);
  };
  // a worker that cannot load (or dies): every fill waiting gets its buffers back... which are lost with
  // it, so the masks waiting are rebuilt from their RLE by the caller; later fills run on the main thread
  worker.onerror = (e) => {
    e.preventDefault?.();
    worker.terminate();
    worker = null;
    sent = null;
    for (const [, done] of waiting) done({ error: 'the magic wand worker stopped', lost: true });
    waiting.clear();
  };
  return worker;
}

/**
 * Fills in the worker: the mask's buffers go there and come back with the
 * fill added. Resolves to the worker's answer ({mask, rgba, rle, empty,
 * count, box, fullMs} or {error}).
 */
async function fillIn(w, view, v, q, m) {
  const key = `${pictureOf(view.img)}:${v.x0},${v.y0},${v.x1},${v.y1}`;
  const cw = v.x1 - v.x0 + 1;
  const ch = v.y1 - v.y0 + 1;
  let bitmap = null;
  if (sent !== key) {
    // throws (rejects) when the image comes from a server that does not allow it (CORS)
    const a = performance.now();
    bitmap = await createImageBitmap(view.img, v.x0, v.y0, cw, ch);
    view.wandStats.bitmapMs = performance.now() - a;
    sent = key;
  }
  const id = ++ids;
  const answer = new Promise((resolve) => waiting.set(id, resolve));
  const msg = { id, key, bitmap, cw, ch, cx: v.x0, cy: v.y0, sx: q.sx - v.x0, sy: q.sy - v.y0, tol: q.tol, w: m.w, h: m.h, color: m.color, mask: m.mask, rgba: m.img.data };
  w.postMessage(msg, bitmap ? [m.mask.buffer, m.img.data.buffer, bitmap] : [m.mask.buffer, m.img.data.buffer]);
  const res = await answer;
  if (res.error) sent = null;
  return res;
}

/**
 * Starts a wand stroke for image view `view` at drag d ({seed: natural px,
 * x: screen x, tool}); d.move(clientX) or d.set(tolerance), then d.up()
 * (commit) or d.cancel() follow (image.js routes the pointer and keys to
 * them). Returns false when the pixels cannot be read.
 *
 * Bounded by the screen: the drag previews on the visible part of the image
 * at screen resolution; the click computes every cell's level once, so a
 * frame only redraws the cells whose level lies between the old tolerance
 * and the new one. The release fills at natural resolution, inside the
 * visible part (Label Studio's wand, too, fills what is on screen).
 */
export function begin(view, d) {
  const t0 = performance.now();
  const { w, h } = view.natural;
  const ann = view.ann;
  let v = visible(view);
  const px0 = Math.min(w - 1, Math.max(0, Math.floor(d.seed[0])));
  const py0 = Math.min(h - 1, Math.max(0, Math.floor(d.seed[1])));
  // a seed off screen (a keyboard crosshair scrolled away): the whole image, on a grid of at most 1024 cells a side
  if (px0 < v.x0 || px0 > v.x1 || py0 < v.y0 || py0 > v.y1) {
    const k = Math.max(1, w / 1024, h / 1024);
    v = { x0: 0, y0: 0, x1: w - 1, y1: h - 1, gw: Math.round(w / k), gh: Math.round(h / k) };
  }
  const sx = px0;
  const sy = py0;
  const cw = v.x1 - v.x0 + 1;
  const ch = v.y1 - v.y0 + 1;
  let gpx;
  try {
    gpx = read(view, v.x0, v.y0, cw, ch, v.gw, v.gh);
  } catch {
    ann.say('The magic wand needs to read the image, and its server does not allow that (CORS). Use the brush.');
    return false;
  }
  const gx = Math.min(v.gw - 1, Math.floor(((sx - v.x0 + 0.5) / cw) * v.gw));
  const gy = Math.min(v.gh - 1, Math.floor(((sy - v.y0 + 0.5) / ch) * v.gh));
  const { order, cum } = levels(gpx, v.gw, v.gh, gy * v.gw + gx);
  const sel = ann.selected && ann.region(ann.selected);
  ann.snapshot();
  let r = sel && sel.kind === 'brush' && sel.to === view.obj.name ? sel : null;
  const fresh = !r;
  if (!r) {
    r = { id: Math.random().toString(36).slice(2, 12), kind: 'brush', control: d.tool.k.name, to: view.obj.name, labels: d.tool.k.tool ? [] : [d.tool.opt.value], answers: {}, rle: null };
    ann.state.regions.push(r);
    ann.selected = r.id;
  }
  const m = view.maskOf(r);
  // a new layer's canvas gets its pixels now (tens of ms on a 4K image), not in the release
  if (fresh) m.ctx.clearRect(0, 0, 1, 1);
  // the preview: a canvas of the grid over the visible part, above the mask
  const pc = document.createElement('canvas');
  pc.width = v.gw;
  pc.height = v.gh;
  pc.className = 'mask-layer wand-preview';
  pc.setAttribute('aria-hidden', 'true');
  Object.assign(pc.style, { left: `${(v.x0 / w) * 100}%`, top: `${(v.y0 / h) * 100}%`, width: `${(cw / w) * 100}%`, height: `${(ch / h) * 100}%` });
  view.stage.insertBefore(pc, view.svg);
  const pctx = pc.getContext('2d');
  const img = pctx.createImageData(v.gw, v.gh);
  const data = new Uint32Array(img.data.buffer);
  const [cr, cg, cb] = m.color;
  const on = ((140 << 24) | (cb << 16) | (cg << 8) | cr) >>> 0; // little-endian RGBA
  // the preview shows order[0…pos): the cells of level ≤ want once pos reaches cum[want + 1];
  // a frame moves pos at most FRAME_CELLS cells toward it (the rest follows the next frame)
  let pos = 0;
  let want = d.tool.k.threshold;
  let pending = false;
  const show = () => {
    pending = false;
    const a = performance.now();
    const goal = cum[want + 1];
    if (goal === pos) {
      view.wandStats = { ...view.wandStats, runMs: performance.now() - a, cells: 0, tol: want };
      view.wandFrames.push([view.wandStats.runMs, 0]);
      return;
    }
    const next = goal > pos ? Math.min(goal, pos + FRAME_CELLS) : Math.max(goal, pos - FRAME_CELLS);
    const [from, to, value] = next > pos ? [pos, next, on] : [next, pos, 0];
    let x0 = Infinity;
    let x1 = -1;
    let y0 = Infinity;
    let y1 = -1;
    for (let k = from; k < to; k++) {
      const i = order[k];
      data[i] = value;
      const y = (i / v.gw) | 0;
      const x = i - y * v.gw;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    pctx.putImageData(img, 0, 0, x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    pos = next;
    // what bench/wand.mjs reads: the preview's work this frame (cells changed and drawn)
    view.wandStats = { ...view.wandStats, runMs: performance.now() - a, cells: to - from, count: pos, tol: want, grid: [v.gw, v.gh] };
    view.wandFrames.push([view.wandStats.runMs, to - from]);
    if (pos !== goal) schedule();
  };
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => d.done || show());
  };
  view.wandStats = { levelsMs: 0 };
  view.wandFrames = []; // [ms, cells] of each preview frame of this stroke
  show();
  view.wandStats.levelsMs = performance.now() - t0;
  const set = (t) => {
    want = Math.max(0, Math.min(255, t));
    schedule();
  };
  d.set = set;
  d.tol = () => want;
  d.move = (clientX) => set(d.tool.k.threshold + Math.round((clientX - d.x) / DRAG_PX_PER_STEP));
  const finish = () => {
    d.done = true;
    pc.remove();
  };
  d.cancel = () => {
    finish();
    ann.history.pop(); // the snapshot begin() took: nothing changed
    if (fresh) {
      ann.state.regions = ann.state.regions.filter((x) => x !== r);
      view.masks.delete(r.id);
      m.canvas.remove();
      ann.selected = null;
    }
    ann.changed(true);
  };
  // the release: keeps the fill (or drops the new mask when it stayed empty)
  const keep = (count, t1, fullMs, extra, empty = m.empty()) => {
    const t2 = performance.now();
    if (empty) {
      ann.state.regions = ann.state.regions.filter((x) => x !== r);
      view.masks.delete(r.id);
      m.canvas.remove();
    } else {
      if (!extra) r.rle = m.encode();
      delete r.png;
    }
    const c0 = performance.now();
    ann.changed();
    view.wandStats.changedMs = performance.now() - c0;
    // what bench/wand.mjs and the tests read: the release's span [upAt, doneAt] and its main-thread part (mainMs)
    const end = performance.now();
    Object.assign(view.wandStats, { fullMs, upMs: end - t1, upAt: t1, doneAt: end, count, ...extra, mainMs: (extra ? extra.mainMs : 0) + end - t2 });
    ann.say(`Magic wand: tolerance ${want}, ${count} pixels.`);
  };
  const upHere = (t1) => {
    let count = 0;
    let fullMs = 0;
    try {
      const px = crop(view, v);
      const out = new Uint8Array(cw * ch);
      const a = performance.now();
      const f = flood(px, cw, ch, sx - v.x0, sy - v.y0, want, out);
      fullMs = performance.now() - a;
      applyRuns(m, f.runs, v.x0, v.y0, cw);
      count = f.count;
    } catch {
      ann.say('The magic wand could not read the image.');
    }
    keep(count, t1, fullMs, null);
    view.wandStats.mainMs = view.wandStats.upMs;
  };
  d.up = () => {
    finish();
    const t1 = performance.now();
    const w = fillWorker();
    if (!w) return upHere(t1);
    // until the worker answers, the mask's buffers are there: no painting on this image
    view.wandBusy = true;
    m.busy = true;
    const pixels = m.mask.length;
    const t2 = performance.now();
    fillIn(w, view, v, { sx, sy, tol: want }, m).then((res) => {
      const t3 = performance.now();
      view.wandBusy = false;
      m.busy = false;
      if (res.lost || !res.mask) {
        // the buffers went down with the worker: a clean layer, shown again from the region's RLE
        m.mask = new Uint8Array(pixels);
        m.img = m.ctx.createImageData(m.w, m.h);
        m.rle = null;
        m.ctx.clearRect(0, 0, m.w, m.h);
        if (r.rle) m.load(r.rle);
      } else {
        m.mask = res.mask;
        m.img = new ImageData(new Uint8ClampedArray(res.rgba.buffer), m.w, m.h);
      }
      if (res.box) m.ctx.putImageData(m.img, 0, 0, ...res.box);
      view.wandStats.applyMs = performance.now() - t3;
      const later = m.later;
      delete m.later;
      if (!ann.state.regions.includes(r)) {
        // undone while the worker filled: the layer shows what the region is now
        if (later) {
          m.rle = null;
          m.load(later);
        }
        return;
      }
      if (res.error) {
        if (res.lost) return upHere(t1);
        ann.say('The magic wand could not read the image.');
        return keep(0, t1, 0, { worker: true, mainMs: t2 - t1 + performance.now() - t3 });
      }
      if (res.rle) {
        r.rle = Array.from(res.rle);
        m.rle = r.rle;
      }
      keep(res.count, t1, res.fullMs, { worker: true, workMs: res.workMs, mainMs: t2 - t1 + performance.now() - t3 }, res.empty);
    }, () => {
      // the pixels could not be read (createImageBitmap refused): nothing was lent
      view.wandBusy = false;
      m.busy = false;
      ann.say('The magic wand could not read the image.');
      keep(0, t1, 0, { worker: true, mainMs: 0 });
    });
  };
  return true;
}
