// The magic wand (Label Studio's <MagicWand>): a click floods the image from
// that pixel over every 4-connected pixel whose colour is within the
// tolerance of the seed's (the largest of |ΔR|, |ΔG|, |ΔB|, 0…255); dragging
// right while the button is down widens the tolerance, left narrows it, and
// the fill is shown as it changes; releasing puts it into a brush mask (the
// selected mask of this image, else a new one). Loaded on first use.
//
// Bounded work: the image's pixels are read once per image view (one
// getImageData at its natural size); a fill is a scanline fill with an
// explicit stack that looks at each pixel a constant number of times, and
// while dragging at most one fill runs per animation frame.

const DRAG_PX_PER_STEP = 2; // screen pixels of drag per unit of tolerance

/** The RGBA pixels of the view's image at its natural size, read once. */
function pixels(view) {
  if (view.wandPixels) return view.wandPixels;
  const { w, h } = view.natural;
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const g = c.getContext('2d', { willReadFrequently: true });
  g.drawImage(view.img, 0, 0);
  // throws SecurityError when the image comes from a server that does not allow it (CORS)
  view.wandPixels = new Uint32Array(g.getImageData(0, 0, w, h).data.buffer);
  return view.wandPixels;
}

/**
 * Flood fill of px (w×h, one Uint32 RGBA a pixel) from (sx, sy) within tol:
 * sets out[i] = 1 for every pixel reached. Returns {count (pixels it set),
 * box: [x0, y0, x1, y1], runs: [first, last, …] (the indices it set, a
 * run of a row at a time)}. grow = {box}: out already holds the fill of a
 * lower tolerance from the same seed inside box; the fill goes on from its
 * edge instead of starting again (a drag to the right).
 */
export function flood(px, w, h, sx, sy, tol, out, grow = null) {
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
  if (!grow) push(sx, sy);
  else {
    // the old fill's edge: its pixels' neighbours that are out and now belong
    const [gx0, gy0, gx1, gy1] = grow.box;
    [x0, y0, x1, y1] = grow.box;
    for (let y = gy0; y <= gy1; y++)
      for (let x = gx0, i = y * w + gx0; x <= gx1; x++, i++) {
        if (out[i] !== 1) continue;
        if (x > 0 && out[i - 1] === 0 && near(i - 1)) push(x - 1, y);
        if (x < w - 1 && out[i + 1] === 0 && near(i + 1)) push(x + 1, y);
        if (y > 0 && out[i - w] === 0 && near(i - w)) push(x, y - 1);
        if (y < h - 1 && out[i + w] === 0 && near(i + w)) push(x, y + 1);
      }
  }
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

/**
 * Makes mask m base | fill inside box [x0, y0, x1, y1] and draws on its
 * canvas only the rows that changed (a drag changes the fill a little).
 */
function apply(m, base, fill, box) {
  const [x0, y0, x1, y1] = box;
  const d = m.img.data;
  const [r, g, b] = m.color;
  let top = -1;
  let bottom = -1;
  for (let y = y0; y <= y1; y++) {
    let changed = false;
    for (let i = y * m.w + x0, end = y * m.w + x1; i <= end; i++) {
      const v = base[i] | fill[i];
      if (v === m.mask[i]) continue;
      m.mask[i] = v;
      d[i * 4] = r;
      d[i * 4 + 1] = g;
      d[i * 4 + 2] = b;
      d[i * 4 + 3] = v ? 140 : 0;
      changed = true;
    }
    if (changed) {
      if (top < 0) top = y;
      bottom = y;
    }
  }
  if (top >= 0) m.ctx.putImageData(m.img, 0, 0, x0, top, x1 - x0 + 1, bottom - top + 1);
}

/** Adds the runs [first, last, …] of a grown fill to mask m and draws their rows. */
function applyRuns(m, runs) {
  const d = m.img.data;
  const [r, g, b] = m.color;
  let top = Infinity;
  let bottom = -1;
  let left = Infinity;
  let right = -1;
  for (let k = 0; k < runs.length; k += 2) {
    for (let i = runs[k]; i <= runs[k + 1]; i++) {
      if (m.mask[i]) continue;
      m.mask[i] = 1;
      d[i * 4] = r;
      d[i * 4 + 1] = g;
      d[i * 4 + 2] = b;
      d[i * 4 + 3] = 140;
    }
    const y = Math.floor(runs[k] / m.w);
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
    left = Math.min(left, runs[k] - y * m.w);
    right = Math.max(right, runs[k + 1] - y * m.w);
  }
  if (bottom >= 0) m.ctx.putImageData(m.img, 0, 0, left, top, right - left + 1, bottom - top + 1);
}

const union = (a, b) => (a ? [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])] : b);

/**
 * Starts a wand stroke for image view `view` at drag d ({seed: natural px,
 * x: screen x, tool}); d.move(clientX) and d.up() follow (image.js routes
 * the pointer to them). Returns false when the pixels cannot be read.
 */
export function begin(view, d) {
  const { w, h } = view.natural;
  let px;
  try {
    px = pixels(view);
  } catch {
    view.ann.say('The magic wand needs to read the image, and its server does not allow that (CORS). Use the brush.');
    return false;
  }
  const ann = view.ann;
  const sx = Math.min(w - 1, Math.max(0, Math.floor(d.seed[0])));
  const sy = Math.min(h - 1, Math.max(0, Math.floor(d.seed[1])));
  const sel = ann.selected && ann.region(ann.selected);
  ann.snapshot();
  let r = sel && sel.kind === 'brush' && sel.to === view.obj.name ? sel : null;
  if (!r) {
    r = { id: Math.random().toString(36).slice(2, 12), kind: 'brush', control: d.tool.k.name, to: view.obj.name, labels: d.tool.k.tool ? [] : [d.tool.opt.value], answers: {}, rle: null };
    ann.state.regions.push(r);
    ann.selected = r.id;
  }
  const m = view.maskOf(r);
  const base = m.mask.slice();
  const fill = new Uint8Array(w * h);
  let shown = null; // the box the last fill touched
  let tol = d.tool.k.threshold;
  let filledAt = -1; // the tolerance fill holds
  let total = 0;
  let pending = false;
  const run = () => {
    pending = false;
    const t0 = performance.now();
    // a higher tolerance takes in all the lower one did: go on from its edge
    const grow = shown && tol > filledAt;
    if (shown && !grow) fill.fill(0, shown[1] * w, (shown[3] + 1) * w);
    const f = flood(px, w, h, sx, sy, tol, fill, grow ? { box: shown } : null);
    const t1 = performance.now();
    if (grow) applyRuns(m, f.runs);
    else apply(m, base, fill, union(shown, f.box));
    total = grow ? total + f.count : f.count;
    shown = f.box;
    filledAt = tol;
    // what bench/wand.mjs reads: the fill alone, and with the mask shown
    view.wandStats = { fillMs: t1 - t0, runMs: performance.now() - t0, count: total, tol, grew: grow };
  };
  run();
  d.move = (clientX) => {
    const t = Math.max(0, Math.min(255, d.tool.k.threshold + Math.round((clientX - d.x) / DRAG_PX_PER_STEP)));
    if (t === tol) return;
    tol = t;
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => d.done || run());
    }
  };
  d.up = () => {
    d.done = true;
    if (pending) run();
    const t0 = performance.now();
    if (m.empty()) {
      ann.state.regions = ann.state.regions.filter((x) => x !== r);
      view.masks.delete(r.id);
      m.canvas.remove();
    } else r.rle = m.encode();
    ann.changed();
    view.wandStats.upMs = performance.now() - t0;
    ann.say(`Magic wand: tolerance ${tol}, ${view.wandStats.count} pixels.`);
  };
  return true;
}
