// Image object: boxes, polygons and keypoints in percent of the image, drawn
// on an SVG overlay sized in screen pixels; zoom with +/− or Ctrl+wheel, pan
// by dragging the background (or Space+drag, or the scrollbars).
import { h, s, clear } from '../dom.js';

const clamp = (v, a, b) => Math.min(b, Math.max(a, v));
const MIN_ZOOM = 1;
const MAX_ZOOM = 8;
/** The labels a new region gets: none from a drawing tool without labels. */
const labelsOf = (tool) => (tool.k.tool ? [] : [tool.opt.value]);

export class ImageView {
  constructor(ann, obj, src) {
    this.ann = ann;
    this.obj = obj;
    this.src = String(src || '');
    this.zoom = 1;
    this.natural = null;
    this.draft = null; // polygon being drawn: {points, cursor}
    this.drag = null;
    this.space = false;
    this.cross = [50, 50]; // the keyboard crosshair, in percent (image-keys.js)
    this.kdraw = null; // a box drawn by keyboard: {start}
    this.keys = null; // image-keys.js, loaded when the keyboard first comes here
    this.img = h('img', { alt: `Image to label (${obj.name})`, draggable: 'false', decoding: 'async' });
    this.svg = s('svg', { class: 'img-overlay', role: 'presentation' });
    this.stage = h('div', { class: 'img-stage' }, this.img, this.svg);
    this.viewport = h('div', { class: ['img-viewport', 'kbd'], tabindex: '0', role: 'group', 'aria-label': 'Image canvas. Arrows move the crosshair (Shift: further); Enter or Space places a point, a box corner or a polygon vertex, or selects the region under it; Enter closes a polygon; arrows move and Alt+arrows resize the selected region; + and − zoom. Brush: Space dabs, Enter puts it down to paint with the arrows and lifts it, [ and ] size, E eraser. Magic wand: Enter fills at the crosshair, [ and ] change the tolerance, Enter keeps, Esc drops.' }, this.stage);
    this.zoomText = h('span', { class: 'zoom-text', 'aria-live': 'polite' }, '100%');
    this.hint = h('span', { class: 'tool-hint' });
    this.masks = new Map(); // brush region id → MaskLayer
    this.brushSize = 12; // screen pixels
    this.erasing = false;
    const brushes = [...ann.cfg.controls.values()].some((k) => k.region === 'brush' && k.toName.includes(obj.name));
    this.eraser = h('button', { type: 'button', class: 'btn small', 'aria-pressed': 'false', title: 'Eraser (E): rub out the selected mask', hidden: !brushes, onclick: () => this.setEraser(!this.erasing) }, 'Eraser');
    this.sizeInput = h('input', { type: 'range', min: '2', max: '80', value: String(this.brushSize), 'aria-label': 'Brush size ([ and ])', hidden: !brushes, oninput: (e) => { this.brushSize = +e.target.value; } });
    this.status = h('p', { class: 'img-status muted', hidden: true });
    // the mask layers (brush.js) load only where a brush or wand can paint this image
    this.brush = null;
    this.brushLoad = brushes ? import('./brush.js').then((m) => { this.brush = m; this.render(); return m; }) : null;
    this.el = h('div', { class: 'ann-object img-tool', dataset: { object: obj.name } },
      h('div', { class: 'img-toolbar' },
        h('button', { type: 'button', class: 'btn small', 'aria-label': 'Zoom out', title: 'Zoom out (−)', onclick: () => this.setZoom(this.zoom / 1.25) }, '−'),
        this.zoomText,
        h('button', { type: 'button', class: 'btn small', 'aria-label': 'Zoom in', title: 'Zoom in (+)', onclick: () => this.setZoom(this.zoom * 1.25) }, '+'),
        h('button', { type: 'button', class: 'btn small', title: 'Fit the image', onclick: () => this.setZoom(1) }, 'Fit'),
        this.eraser, this.sizeInput, this.hint),
      this.viewport, this.status);
    this.img.addEventListener('load', () => {
      this.natural = { w: this.img.naturalWidth, h: this.img.naturalHeight };
      this.layout();
      this.ann.emit && this.ann.opts.onReady && this.ann.opts.onReady(this.obj.name);
    });
    this.img.addEventListener('error', () => {
      this.status.textContent = 'The image could not be loaded. Skip this task if it stays blank.';
      this.status.hidden = false;
    });
    this.img.src = this.src;
    this.svg.addEventListener('pointerdown', (e) => this.down(e));
    this.svg.addEventListener('pointermove', (e) => this.move(e));
    this.svg.addEventListener('pointerup', (e) => this.up(e));
    this.svg.addEventListener('pointercancel', (e) => this.up(e));
    this.svg.addEventListener('dblclick', (e) => {
      e.preventDefault();
      this.closePolygon();
    });
    this.viewport.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    this.viewport.addEventListener('keydown', (e) => this.key(e));
    this.viewport.addEventListener('keyup', (e) => {
      if (e.key !== ' ') return;
      if (this.space && !this.spaceUsed) this.loadKeys().then((m) => m.spaceAct(this));
      this.space = false;
    });
    this.viewport.addEventListener('focus', () => {
      if (this.viewport.matches(':focus-visible')) this.loadKeys();
    });
    this.resizeObs = new ResizeObserver(() => this.layout());
    this.resizeObs.observe(this.viewport);
  }

  /** The keyboard drawing module (image-keys.js), loaded once: it stays off pages only a mouse uses. */
  loadKeys() {
    this.keysLoad ||= import('./image-keys.js').then((m) => {
      this.keys = m;
      this.render();
      return m;
    });
    return this.keysLoad;
  }

  destroy() {
    this.resizeObs.disconnect();
  }

  get tool() {
    const a = this.ann.active;
    return a && a.k.region && a.k.region !== 'span' && a.k.toName.includes(this.obj.name) ? a : null;
  }

  setEraser(on) {
    this.erasing = on;
    this.eraser.setAttribute('aria-pressed', String(on));
    this.ann.say(on ? 'Eraser: rub out parts of the selected mask.' : 'Brush.');
  }

  /** The mask layer of brush region r, made (and kept in step with r.rle) on demand. */
  maskOf(r) {
    let m = this.masks.get(r.id);
    if (!m && this.natural && this.brush) {
      m = new this.brush.MaskLayer(this.natural.w, this.natural.h, this.ann.colorOf(r));
      this.masks.set(r.id, m);
      this.stage.insertBefore(m.canvas, this.svg);
    }
    // a Bitmask's PNG data URL: decoded once into the mask (the URL stays the result until the mask changes)
    if (m && r.png && !r.pngRead) {
      r.pngRead = true;
      const png = r.png;
      this.brush.pngToRle(png, this.natural.w, this.natural.h).then((rle) => {
        if (r.png !== png) return;
        r.rle = rle;
        this.render();
      }, () => this.ann.say('This mask\'s PNG could not be read.'));
    }
    if (m && r.rle && r.rle !== m.rle && !(this.drag && this.drag.mode === 'brush')) m.load(r.rle);
    return m;
  }

  /** Natural pixels of pointer event e. */
  px(e) {
    const p = this.pct(e);
    return [(p[0] / 100) * this.natural.w, (p[1] / 100) * this.natural.h];
  }

  startBrush(e, tool) {
    const d = this.beginBrush(this.px(e), tool);
    if (!d) return;
    this.drag = d;
    this.svg.setPointerCapture(e.pointerId);
  }

  /** A brush stroke's first dab at natural pixel `at` (a pointer or the keyboard crosshair): the stroke, or null. */
  beginBrush(at, tool) {
    if (!this.natural || !this.brush) return null;
    const sel = this.ann.selected && this.ann.region(this.ann.selected);
    let r = sel && sel.kind === 'brush' && sel.to === this.obj.name ? sel : null;
    if (this.erasing && !r) {
      this.ann.say('Select a mask to erase from.');
      return null;
    }
    this.ann.snapshot();
    if (!r) {
      r = { id: Math.random().toString(36).slice(2, 12), kind: 'brush', control: tool.k.name, to: this.obj.name, labels: labelsOf(tool), answers: {}, rle: null };
      this.ann.state.regions.push(r);
      this.ann.selected = r.id;
    }
    const m = this.maskOf(r);
    const rad = (this.brushSize / this.W) * this.natural.w;
    m.dab(at[0], at[1], rad, this.erasing ? 0 : 1);
    return { mode: 'brush', r, m, last: at, rad };
  }

  /** The magic wand: the fill itself comes from wand.js, loaded on first use. */
  startWand(e, tool) {
    if (!this.natural) return;
    const d = this.beginWand(this.px(e), tool, e.clientX);
    this.drag = d;
    this.svg.setPointerCapture(e.pointerId);
  }

  /** A wand stroke seeded at natural pixel `seed`; d.ready resolves to whether it began. */
  beginWand(seed, tool, x = 0) {
    const d = { mode: 'wand', seed, x, tool, lastX: x, up: null };
    d.ready = Promise.all([import('./wand.js'), this.brushLoad]).then(([m]) => {
      if (!m.begin(this, d)) return false;
      if (d.lastX !== d.x) d.move(d.lastX);
      if (d.released) d.up();
      return true;
    });
    return d;
  }

  endBrush(d) {
    if (d.m.empty()) {
      this.ann.state.regions = this.ann.state.regions.filter((x) => x !== d.r);
      this.masks.delete(d.r.id);
      d.m.canvas.remove();
    } else {
      d.r.rle = d.m.encode();
      delete d.r.png; // a Bitmask's PNG is made again from the mask
    }
    this.ann.changed();
  }

  layout() {
    if (!this.natural || !this.natural.w) return;
    const vw = this.viewport.clientWidth || 600;
    const maxH = Math.max(240, Math.round(window.innerHeight * 0.62));
    let baseW = vw;
    if ((baseW * this.natural.h) / this.natural.w > maxH) baseW = (maxH * this.natural.w) / this.natural.h;
    const W = Math.round(baseW * this.zoom);
    const H = Math.round((W * this.natural.h) / this.natural.w);
    if (W === this.W && H === this.H) return;
    this.W = W;
    this.H = H;
    this.stage.style.width = `${W}px`;
    this.stage.style.height = `${H}px`;
    this.img.style.width = `${W}px`;
    this.img.style.height = `${H}px`;
    this.svg.setAttribute('width', W);
    this.svg.setAttribute('height', H);
    this.svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    this.render();
  }

  setZoom(z, anchor) {
    const nz = clamp(z, MIN_ZOOM, MAX_ZOOM);
    const vp = this.viewport;
    const ax = anchor ? anchor.x : vp.clientWidth / 2;
    const ay = anchor ? anchor.y : vp.clientHeight / 2;
    const fx = this.W ? (vp.scrollLeft + ax) / this.W : 0;
    const fy = this.H ? (vp.scrollTop + ay) / this.H : 0;
    this.zoom = nz;
    this.layout();
    vp.scrollLeft = fx * this.W - ax;
    vp.scrollTop = fy * this.H - ay;
    this.zoomText.textContent = `${Math.round(nz * 100)}%`;
  }

  wheel(e) {
    if (!e.ctrlKey && !e.metaKey) return;
    e.preventDefault();
    const r = this.viewport.getBoundingClientRect();
    this.setZoom(this.zoom * (e.deltaY < 0 ? 1.2 : 1 / 1.2), { x: e.clientX - r.left, y: e.clientY - r.top });
  }

  pct(e) {
    const r = this.svg.getBoundingClientRect();
    return [clamp(((e.clientX - r.left) / r.width) * 100, 0, 100), clamp(((e.clientY - r.top) / r.height) * 100, 0, 100)];
  }

  down(e) {
    this.viewport.classList.remove('kbd');
    if (this.space) this.spaceUsed = true;
    if (e.button === 1 || this.space || (e.button === 0 && !this.tool && !e.target.dataset.rid && !e.target.dataset.handle && !this.draft)) {
      if (e.button === 0 && !this.space && this.ann.selected) this.ann.select(null);
      return this.startPan(e);
    }
    if (e.button !== 0) return;
    e.preventDefault();
    this.viewport.focus({ preventScroll: true });
    const p = this.pct(e);
    const t = e.target;
    const ro = this.ann.readOnly;
    if (this.draft && !ro) {
      const first = this.draft.points[0];
      if (this.draft.points.length >= 3 && this.near(p, first)) return this.closePolygon();
      this.draft.points.push(p);
      return this.render();
    }
    if (t.dataset.handle && !ro) {
      const r = this.ann.region(t.dataset.rid);
      this.ann.snapshot();
      this.drag = { mode: 'handle', handle: t.dataset.handle, r, start: p, orig: JSON.parse(JSON.stringify(r)) };
      this.svg.setPointerCapture(e.pointerId);
      return;
    }
    if (t.dataset.rid) {
      const id = t.dataset.rid;
      this.ann.select(id);
      if (ro) return;
      const r = this.ann.region(id);
      if (!r) return;
      this.drag = { mode: 'move', r, start: p, orig: JSON.parse(JSON.stringify(r)), moved: false };
      this.svg.setPointerCapture(e.pointerId);
      return;
    }
    const tool = this.tool;
    if (!tool || ro) return;
    const kind = tool.k.region;
    // painting goes on in the selected mask
    if (kind === 'brush' && this.wandBusy) return this.ann.say('The magic wand is still filling; a moment.');
    if (kind === 'brush') return tool.k.wand ? this.startWand(e, tool) : this.startBrush(e, tool);
    if (this.ann.selected) this.ann.selected = null;
    if (kind === 'rect' || kind === 'ellipse') {
      this.drag = { mode: 'draw', start: p, cur: p };
      this.svg.setPointerCapture(e.pointerId);
      this.render();
    } else if (kind === 'polygon') {
      this.draft = { points: [p], cursor: p, k: tool.k, opt: tool.opt };
      this.render();
    } else if (kind === 'keypoint') {
      this.ann.addRegion({ kind: 'keypoint', control: tool.k.name, to: this.obj.name, labels: labelsOf(tool), x: p[0], y: p[1], size: 1 });
    }
  }

  startPan(e) {
    e.preventDefault();
    this.drag = { mode: 'pan', x: e.clientX, y: e.clientY, sl: this.viewport.scrollLeft, st: this.viewport.scrollTop };
    this.svg.setPointerCapture(e.pointerId);
    this.viewport.classList.add('panning');
  }

  near(a, b) {
    const dx = ((a[0] - b[0]) / 100) * this.W;
    const dy = ((a[1] - b[1]) / 100) * this.H;
    return dx * dx + dy * dy < 100;
  }

  move(e) {
    if (this.draft) {
      this.draft.cursor = this.pct(e);
      this.render();
    }
    const d = this.drag;
    if (!d) return;
    if (d.mode === 'pan') {
      this.viewport.scrollLeft = d.sl - (e.clientX - d.x);
      this.viewport.scrollTop = d.st - (e.clientY - d.y);
      return;
    }
    if (d.mode === 'wand') {
      d.lastX = e.clientX;
      return d.move && d.move(e.clientX);
    }
    if (d.mode === 'brush') {
      const at = this.px(e);
      d.m.line(d.last, at, d.rad, this.erasing ? 0 : 1);
      d.last = at;
      return;
    }
    const p = this.pct(e);
    if (d.mode === 'draw') {
      d.cur = p;
    } else if (d.mode === 'move') {
      let dx = p[0] - d.start[0];
      let dy = p[1] - d.start[1];
      if (!d.moved && Math.abs(dx) + Math.abs(dy) < 0.3) return;
      if (!d.moved) {
        this.ann.snapshot();
        d.moved = true;
      }
      this.translate(d.r, d.orig, dx, dy);
    } else if (d.mode === 'handle') {
      this.reshape(d, p);
    }
    this.render();
  }

  translate(r, o, dx, dy) {
    if (r.kind === 'rect') {
      r.x = clamp(o.x + dx, 0, 100 - o.width);
      r.y = clamp(o.y + dy, 0, 100 - o.height);
    } else if (r.kind === 'keypoint' || r.kind === 'ellipse') {
      r.x = clamp(o.x + dx, 0, 100);
      r.y = clamp(o.y + dy, 0, 100);
    } else if (r.kind === 'polygon') {
      const xs = o.points.map((q) => q[0]);
      const ys = o.points.map((q) => q[1]);
      dx = clamp(dx, -Math.min(...xs), 100 - Math.max(...xs));
      dy = clamp(dy, -Math.min(...ys), 100 - Math.max(...ys));
      r.points = o.points.map(([x, y]) => [x + dx, y + dy]);
    }
  }

  reshape(d, p) {
    const r = d.r;
    const o = d.orig;
    if (r.kind === 'polygon') {
      r.points[+d.handle] = p;
      return;
    }
    // a corner follows the pointer; the opposite corner stays put
    const left = d.handle.includes('w') ? o.x + o.width : o.x;
    const top = d.handle.includes('n') ? o.y + o.height : o.y;
    const fixed = [d.handle.includes('w') ? o.x + o.width : o.x, d.handle.includes('n') ? o.y + o.height : o.y];
    void left;
    void top;
    r.x = Math.min(fixed[0], p[0]);
    r.y = Math.min(fixed[1], p[1]);
    r.width = Math.max(0.2, Math.abs(p[0] - fixed[0]));
    r.height = Math.max(0.2, Math.abs(p[1] - fixed[1]));
  }

  up(e) {
    const d = this.drag;
    this.drag = null;
    this.viewport.classList.remove('panning');
    if (!d) return;
    try {
      this.svg.releasePointerCapture(e.pointerId);
    } catch {
      /* already released */
    }
    if (d.mode === 'brush') return this.endBrush(d);
    if (d.mode === 'wand') {
      d.released = true;
      return d.up && d.up();
    }
    if (d.mode === 'draw') {
      const tool = this.tool;
      const x = Math.min(d.start[0], d.cur[0]);
      const y = Math.min(d.start[1], d.cur[1]);
      const w = Math.abs(d.cur[0] - d.start[0]);
      const hgt = Math.abs(d.cur[1] - d.start[1]);
      if (tool && w > 0.5 && hgt > 0.5 && tool.k.region === 'ellipse') {
        // Label Studio's ellipse: the centre and the two radii
        this.ann.addRegion({ kind: 'ellipse', control: tool.k.name, to: this.obj.name, labels: labelsOf(tool), x: x + w / 2, y: y + hgt / 2, radiusX: w / 2, radiusY: hgt / 2, rotation: 0 });
      } else if (tool && w > 0.5 && hgt > 0.5) {
        this.ann.addRegion({ kind: 'rect', control: tool.k.name, to: this.obj.name, labels: labelsOf(tool), x, y, width: w, height: hgt, rotation: 0 });
      } else this.render();
    } else if ((d.mode === 'move' && d.moved) || d.mode === 'handle') {
      this.ann.changed();
    }
  }

  closePolygon() {
    const dr = this.draft;
    if (!dr) return;
    this.draft = null;
    if (dr.points.length >= 3) {
      this.ann.addRegion({ kind: 'polygon', control: dr.k.name, to: this.obj.name, labels: labelsOf(dr), points: dr.points });
    } else {
      this.ann.say('A polygon needs at least 3 points.');
      this.render();
    }
  }

  /** Esc: drop a half-drawn polygon. True when there was one. */
  cancel() {
    if (this.keys && this.keys.cancelKeys(this)) return true;
    if (!this.draft) return false;
    this.draft = null;
    this.render();
    return true;
  }

  key(e) {
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const r = this.ann.selected && this.ann.region(this.ann.selected);
    const mine = r && r.to === this.obj.name;
    if (this.keys && this.keys.imageKey(this, e)) return;
    if (!this.keys && !e.ctrlKey && !e.metaKey && ((arrows[e.key] && !mine) || (e.key === 'Enter' && !this.draft))) {
      e.preventDefault(); // the crosshair's first key, once its module is here
      this.loadKeys().then((m) => m.imageKey(this, e));
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === ' ') {
      if (!e.repeat) this.spaceUsed = false;
      this.space = true;
      e.preventDefault();
      return;
    }
    if (e.key === '+' || e.key === '=') {
      e.preventDefault();
      e.stopPropagation();
      return this.setZoom(this.zoom * 1.25);
    }
    if (e.key === '-' || e.key === '_') {
      e.preventDefault();
      e.stopPropagation();
      return this.setZoom(this.zoom / 1.25);
    }
    if ((e.key === 'e' || e.key === 'E') && !this.eraser.hidden) {
      e.preventDefault();
      e.stopPropagation();
      return this.setEraser(!this.erasing);
    }
    if ((e.key === '[' || e.key === ']') && !this.sizeInput.hidden) {
      e.preventDefault();
      this.brushSize = clamp(this.brushSize + (e.key === ']' ? 4 : -4), 2, 80);
      this.sizeInput.value = String(this.brushSize);
      return;
    }
    if (e.key === 'Enter' && this.draft) {
      e.preventDefault();
      return this.closePolygon();
    }
    if (arrows[e.key] && mine && !this.ann.readOnly) {
      e.preventDefault();
      const step = e.shiftKey ? 5 : 0.5;
      const [dx, dy] = arrows[e.key];
      const orig = JSON.parse(JSON.stringify(r));
      this.ann.commit(() => this.translate(r, orig, dx * step, dy * step));
    }
  }

  render() {
    const svg = clear(this.svg);
    const tool = this.tool;
    this.hint.textContent = this.kdraw ? 'Move the crosshair to the opposite corner · Enter or Space finishes · Esc cancels'
      : this.draft ? 'Click (or Space) to add points · Enter or click the first point to close · Esc cancels'
      : tool ? `${tool.opt.value || tool.k.tag}: ${{ rect: 'drag to draw a box', ellipse: 'drag to draw an ellipse', polygon: 'click to add points', brush: this.erasing ? 'rub out the selected mask' : tool.k.wand ? 'click to fill by colour, drag sideways to change the tolerance' : 'paint the mask' }[tool.k.region] || 'click to place a point'}`
      : this.ann.readOnly ? '' : 'Pick a label to draw · drag to pan';
    this.viewport.classList.toggle('drawing', !!tool);
    if (!this.W) return;
    const W = this.W / 100;
    const H = this.H / 100;
    const sel = this.ann.selected;
    const labelTags = [];
    const live = new Set();
    for (const r of this.ann.regionsOf(this.obj.name)) {
      if (r.kind === 'brush') {
        live.add(r.id);
        const m = this.maskOf(r);
        if (m) {
          m.canvas.style.width = `${this.W}px`;
          m.canvas.style.height = `${this.H}px`;
          m.canvas.classList.toggle('selected', r.id === sel);
        }
        continue;
      }
      const color = this.ann.colorOf(r);
      const isSel = r.id === sel;
      const cls = ['region', isSel && 'selected', r.origin === 'prediction' && 'suggested', this.ann.linkFrom === r.id && 'linking'];
      const common = { class: cls, stroke: color, fill: color, 'data-rid': r.id };
      let anchor;
      if (r.kind === 'rect') {
        svg.append(s('rect', { ...common, x: r.x * W, y: r.y * H, width: r.width * W, height: r.height * H }));
        anchor = [r.x * W, r.y * H];
        if (isSel && !this.ann.readOnly) {
          for (const [hn, hx, hy] of [['nw', r.x, r.y], ['ne', r.x + r.width, r.y], ['sw', r.x, r.y + r.height], ['se', r.x + r.width, r.y + r.height]]) {
            svg.append(s('rect', { class: `handle h-${hn}`, x: hx * W - 5, y: hy * H - 5, width: 10, height: 10, 'data-handle': hn, 'data-rid': r.id }));
          }
        }
      } else if (r.kind === 'polygon') {
        svg.append(s('polygon', { ...common, points: r.points.map(([x, y]) => `${x * W},${y * H}`).join(' ') }));
        anchor = [r.points[0][0] * W, r.points[0][1] * H];
        if (isSel && !this.ann.readOnly) {
          r.points.forEach(([x, y], i) => svg.append(s('circle', { class: 'handle', cx: x * W, cy: y * H, r: 5, 'data-handle': String(i), 'data-rid': r.id })));
        }
      } else if (r.kind === 'ellipse') {
        svg.append(s('ellipse', { ...common, cx: r.x * W, cy: r.y * H, rx: r.radiusX * W, ry: r.radiusY * H, transform: r.rotation ? `rotate(${r.rotation} ${r.x * W} ${r.y * H})` : undefined }));
        anchor = [(r.x - r.radiusX) * W, (r.y - r.radiusY) * H];
      } else if (r.kind === 'keypoint') {
        svg.append(s('circle', { ...common, class: [...cls, 'keypoint'], cx: r.x * W, cy: r.y * H, r: isSel ? 7 : 5 }));
        anchor = [r.x * W + 6, r.y * H - 6];
      }
      if (anchor && r.labels.length) labelTags.push(s('text', { class: 'region-label', x: anchor[0] + 2, y: Math.max(12, anchor[1] - 4), fill: color }, r.labels.join(', ')));
    }
    for (const t of labelTags) svg.append(t);
    for (const [id, m] of this.masks) {
      if (live.has(id)) continue;
      m.canvas.remove();
      this.masks.delete(id);
    }
    const d = this.drag;
    if (d && d.mode === 'draw') {
      const x = Math.min(d.start[0], d.cur[0]);
      const y = Math.min(d.start[1], d.cur[1]);
      const color = tool ? tool.opt.background : '#000';
      const w = Math.abs(d.cur[0] - d.start[0]) * W;
      const hh = Math.abs(d.cur[1] - d.start[1]) * H;
      if (tool && tool.k.region === 'ellipse') svg.append(s('ellipse', { class: 'drawing-shape', stroke: color, cx: x * W + w / 2, cy: y * H + hh / 2, rx: w / 2, ry: hh / 2 }));
      else svg.append(s('rect', { class: 'drawing-shape', stroke: color, x: x * W, y: y * H, width: w, height: hh }));
    }
    if (this.keys) this.keys.drawCross(this, svg);
    if (this.draft) {
      const pts = [...this.draft.points, this.draft.cursor].map(([x, y]) => `${x * W},${y * H}`).join(' ');
      svg.append(s('polyline', { class: 'drawing-shape', stroke: this.draft.opt.background, points: pts }));
      this.draft.points.forEach(([x, y], i) => svg.append(s('circle', { class: i === 0 ? 'handle first' : 'handle', cx: x * W, cy: y * H, r: i === 0 ? 7 : 4 })));
    }
  }
}
