// Drawing on an image by keyboard alone (WCAG 2.1.1): a crosshair that the
// arrow keys move (Shift: bigger steps) and Enter or Space acting where it
// is — a keypoint, the two corners of a box or an ellipse, the vertices of a
// polygon (Space adds one; Enter adds one, or closes once there are three) —
// or, with no
// label picked, selecting the region under it. A selected region moves with
// the arrows and grows or shrinks with Alt+arrows. With a brush: Space dabs
// at the crosshair, Enter puts the brush down (the arrows then paint) and
// up again; [ and ] size it, E erases. With the magic wand: Enter or Space
// fills from the crosshair, [ and ] narrow or widen the tolerance (Shift: by
// 10) and the fill follows, Enter keeps it, Esc drops it. The ImageView owns the
// state (v.cross, v.kdraw); this module reads and changes it.
import { s } from '../dom.js';

const clamp = (v, a, b) => Math.min(b, Math.max(a, v));
const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
const labelsOf = (tool) => (tool.k.tool ? [] : [tool.opt.value]);
const pct = (p) => `${Math.round(p[0])}%, ${Math.round(p[1])}%`;

/** Handles keydown e on the image's viewport; true when it used the key. */
export function imageKey(v, e) {
  if (e.ctrlKey || e.metaKey) return false;
  v.viewport.classList.add('kbd');
  const d = ARROWS[e.key];
  const ro = v.ann.readOnly;
  const sel = v.ann.selected && v.ann.region(v.ann.selected);
  const r = sel && sel.to === v.obj.name && sel.kind !== 'brush' ? sel : null;
  if (d && r && !ro && !v.kdraw && !v.draft) {
    e.preventDefault();
    const step = e.shiftKey ? 5 : 0.5;
    const orig = JSON.parse(JSON.stringify(r));
    if (e.altKey) v.ann.commit(() => grow(r, d[0] * step, d[1] * step));
    else v.ann.commit(() => v.translate(r, orig, d[0] * step, d[1] * step));
    return true;
  }
  if (v.kwand && (e.key === '[' || e.key === ']')) {
    e.preventDefault();
    const t = v.kwand.tol() + (e.key === ']' ? 1 : -1) * (e.shiftKey ? 10 : 1);
    v.kwand.set(t);
    v.ann.say(`Tolerance ${Math.max(0, Math.min(255, t))}.`);
    return true;
  }
  if (d && !e.altKey) {
    e.preventDefault();
    const step = e.shiftKey ? 5 : 0.5;
    v.cross = [clamp(v.cross[0] + d[0] * step, 0, 100), clamp(v.cross[1] + d[1] * step, 0, 100)];
    if (v.draft) v.draft.cursor = v.cross;
    if (v.kpaint) {
      const at = natural(v);
      v.kpaint.m.line(v.kpaint.last, at, v.kpaint.rad, v.erasing ? 0 : 1);
      v.kpaint.last = at;
    }
    follow(v);
    v.render();
    return true;
  }
  if (e.key === 'Enter' && !e.altKey && !e.shiftKey) {
    e.preventDefault();
    act(v, 'enter');
    return true;
  }
  return false;
}

/** Space released without a pointer drag in between: the same as Enter, but never closes a polygon. */
export function spaceAct(v) {
  act(v, 'space');
}

/** Esc: drop a half-drawn keyboard box or a keyboard wand fill; end a keyboard brush stroke. True when there was one. */
export function cancelKeys(v) {
  if (v.kpaint) {
    penUp(v);
    return true;
  }
  if (v.kwand) {
    const d = v.kwand;
    v.kwand = null;
    if (d.cancel) d.cancel();
    v.ann.say('Fill dropped.');
    return true;
  }
  if (!v.kdraw) return false;
  v.kdraw = null;
  v.render();
  v.ann.say('Box cancelled.');
  return true;
}

function act(v, how) {
  if (v.ann.readOnly) return;
  const p = [...v.cross];
  const tool = v.tool;
  if (!tool) return pickAt(v, p);
  if (tool.k.region === 'brush' && v.wandBusy) return v.ann.say('The magic wand is still filling; a moment.');
  if (tool.k.region === 'brush') return tool.k.wand ? wandAt(v, tool) : paintAt(v, tool, how);
  if (v.ann.selected) v.ann.selected = null;
  const kind = tool.k.region;
  const base = { control: tool.k.name, to: v.obj.name, labels: labelsOf(tool) };
  if (kind === 'keypoint') {
    v.ann.addRegion({ kind: 'keypoint', ...base, x: p[0], y: p[1], size: 1 });
  } else if (kind === 'rect' || kind === 'ellipse') {
    const what = kind === 'rect' ? 'Box' : 'Ellipse';
    if (!v.kdraw) {
      v.kdraw = { start: p };
      v.render();
      return v.ann.say(`${what} started at ${pct(p)}: move to the opposite corner and press Enter.`);
    }
    const a = v.kdraw.start;
    v.kdraw = null;
    const x = Math.min(a[0], p[0]);
    const y = Math.min(a[1], p[1]);
    const w = Math.abs(p[0] - a[0]);
    const hh = Math.abs(p[1] - a[1]);
    if (w <= 0.5 || hh <= 0.5) {
      v.render();
      return v.ann.say(`${what} too small: start again and move the crosshair further.`);
    }
    if (kind === 'rect') v.ann.addRegion({ kind: 'rect', ...base, x, y, width: w, height: hh, rotation: 0 });
    else v.ann.addRegion({ kind: 'ellipse', ...base, x: x + w / 2, y: y + hh / 2, radiusX: w / 2, radiusY: hh / 2, rotation: 0 });
  } else if (kind === 'polygon') {
    if (!v.draft) v.draft = { points: [p], cursor: p, k: tool.k, opt: tool.opt };
    else if (how === 'enter' && v.draft.points.length >= 3) return v.closePolygon();
    else v.draft.points.push(p);
    const n = v.draft.points.length;
    v.render();
    v.ann.say(`Point ${n} at ${pct(p)}.${n >= 3 ? ' Enter closes the polygon.' : ''}`);
  }
}

/** The crosshair in natural pixels. */
const natural = (v) => [(v.cross[0] / 100) * v.natural.w, (v.cross[1] / 100) * v.natural.h];

/** Space: one dab at the crosshair; Enter: the brush down (the arrows paint) or up again. */
function paintAt(v, tool, how) {
  if (v.kpaint) return penUp(v);
  const d = v.beginBrush(natural(v), tool);
  if (!d) return;
  v.render();
  if (how === 'space') return v.endBrush(d);
  v.kpaint = d;
  v.ann.say(`${v.erasing ? 'Eraser' : 'Brush'} down: the arrows ${v.erasing ? 'rub out' : 'paint'}; Enter or Esc lifts it.`);
}

function penUp(v) {
  const d = v.kpaint;
  v.kpaint = null;
  v.endBrush(d);
  v.ann.say(v.erasing ? 'Eraser lifted.' : 'Brush lifted: the mask is saved.');
}

/** Enter or Space: the wand fills from the crosshair; again: keeps the fill. */
function wandAt(v, tool) {
  if (v.kwand) {
    const d = v.kwand;
    v.kwand = null;
    if (d.up) d.up();
    else d.released = true;
    return;
  }
  const d = v.beginWand(natural(v), tool);
  v.kwand = d;
  d.ready.then((ok) => {
    if (!ok) {
      if (v.kwand === d) v.kwand = null;
      return;
    }
    if (v.kwand === d) v.ann.say(`Filled from the crosshair at tolerance ${d.tol()}: [ and ] change it (Shift: by 10), Enter keeps the fill, Esc drops it.`);
  });
}

/** Selects the region under the crosshair (again: the next one under it). */
function pickAt(v, p) {
  const hits = v.ann.regionsOf(v.obj.name).filter((r) => contains(v, r, p)).sort((a, b) => area(a) - area(b));
  if (!hits.length) return v.ann.say('No region under the crosshair. Pick a label to draw.');
  const i = hits.findIndex((r) => r.id === v.ann.selected);
  const r = hits[(i + 1) % hits.length];
  v.ann.select(r.id);
  v.ann.say(`${v.ann.regionTitle(r)} selected: arrows move it, Alt+arrows resize it, Delete removes it, Esc lets go.`);
}

function contains(v, r, [px, py]) {
  if (r.kind === 'rect') return px >= r.x && px <= r.x + r.width && py >= r.y && py <= r.y + r.height;
  if (r.kind === 'ellipse') return ((px - r.x) / r.radiusX) ** 2 + ((py - r.y) / r.radiusY) ** 2 <= 1;
  if (r.kind === 'keypoint') return Math.hypot(((px - r.x) / 100) * v.W, ((py - r.y) / 100) * v.H) < 12;
  if (r.kind === 'polygon') {
    let inside = false;
    const q = r.points;
    for (let i = 0, j = q.length - 1; i < q.length; j = i++) {
      if (q[i][1] > py !== q[j][1] > py && px < ((q[j][0] - q[i][0]) * (py - q[i][1])) / (q[j][1] - q[i][1]) + q[i][0]) inside = !inside;
    }
    return inside;
  }
  return false;
}

function area(r) {
  if (r.kind === 'rect') return r.width * r.height;
  if (r.kind === 'ellipse') return Math.PI * r.radiusX * r.radiusY;
  if (r.kind === 'polygon') {
    const xs = r.points.map((q) => q[0]);
    const ys = r.points.map((q) => q[1]);
    return (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys));
  }
  return 0;
}

/** Alt+arrows: a box or ellipse grows right/down (shrinks left/up); a polygon scales about its centre. */
function grow(r, dx, dy) {
  if (r.kind === 'rect') {
    r.width = clamp(r.width + dx, 0.5, 100 - r.x);
    r.height = clamp(r.height + dy, 0.5, 100 - r.y);
  } else if (r.kind === 'ellipse') {
    r.radiusX = clamp(r.radiusX + dx / 2, 0.25, 50);
    r.radiusY = clamp(r.radiusY + dy / 2, 0.25, 50);
  } else if (r.kind === 'polygon') {
    const xs = r.points.map((q) => q[0]);
    const ys = r.points.map((q) => q[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const sx = Math.max(0.5, x1 - x0 + dx) / Math.max(0.5, x1 - x0);
    const sy = Math.max(0.5, y1 - y0 + dy) / Math.max(0.5, y1 - y0);
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    r.points = r.points.map(([x, y]) => [clamp(cx + (x - cx) * sx, 0, 100), clamp(cy + (y - cy) * sy, 0, 100)]);
  }
}

/** Scrolls a zoomed image so that the crosshair stays in view. */
function follow(v) {
  const vp = v.viewport;
  if (!v.W) return;
  const x = (v.cross[0] / 100) * v.W;
  const y = (v.cross[1] / 100) * v.H;
  const m = 24;
  if (x < vp.scrollLeft + m) vp.scrollLeft = x - m;
  else if (x > vp.scrollLeft + vp.clientWidth - m) vp.scrollLeft = x - vp.clientWidth + m;
  if (y < vp.scrollTop + m) vp.scrollTop = y - m;
  else if (y > vp.scrollTop + vp.clientHeight - m) vp.scrollTop = y - vp.clientHeight + m;
}

/** The crosshair (shown while the canvas has keyboard focus) and a keyboard box being drawn. */
export function drawCross(v, svg) {
  const W = v.W / 100;
  const H = v.H / 100;
  const [x, y] = [v.cross[0] * W, v.cross[1] * H];
  if (v.kdraw) {
    const a = v.kdraw.start;
    const tool = v.tool;
    const ax = Math.min(a[0], v.cross[0]) * W;
    const ay = Math.min(a[1], v.cross[1]) * H;
    const w = Math.abs(v.cross[0] - a[0]) * W;
    const hh = Math.abs(v.cross[1] - a[1]) * H;
    const stroke = tool ? tool.opt.background : '#000';
    if (tool && tool.k.region === 'ellipse') svg.append(s('ellipse', { class: 'drawing-shape', stroke, cx: ax + w / 2, cy: ay + hh / 2, rx: w / 2, ry: hh / 2 }));
    else svg.append(s('rect', { class: 'drawing-shape', stroke, x: ax, y: ay, width: w, height: hh }));
  }
  const g = s('g', { class: 'kbd-cross', 'aria-hidden': 'true' });
  for (const cls of ['halo', 'line']) {
    g.append(s('line', { class: cls, x1: x - 14, y1: y, x2: x + 14, y2: y }), s('line', { class: cls, x1: x, y1: y - 14, x2: x, y2: y + 14 }));
  }
  g.append(s('circle', { class: 'line', cx: x, cy: y, r: 4 }));
  // the brush's size around the crosshair
  if (v.tool && v.tool.k.region === 'brush' && !v.tool.k.wand) g.append(s('circle', { class: 'line', cx: x, cy: y, r: v.brushSize, 'stroke-dasharray': v.kpaint ? null : '3 3' }));
  svg.append(g);
}
