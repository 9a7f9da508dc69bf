// The time-series annotator: Label Studio's TimeSeries object (value="$ts",
// valueType "url" (CSV or JSON file, the default) or "json" (the task holds
// {column: [values]}), timeColumn, timeFormat, sep) with one <Channel
// column="…"/> per plotted column. Each channel is a uPlot chart (the library
// loads on first use); the charts share the time axis, zoom and cursor.
// TimeSeriesLabels make ranges (drag, or [ and ] at the keyboard cursor) and
// instants (click, or Enter). A million points stay responsive: each chart
// draws the visible window reduced to a min and a max per pixel column, so a
// redraw costs the width of the chart, not the length of the data.
import { h } from '../dom.js';
import { ensureCss } from './media-common.js';

let uplotLoad = null;
function loadUPlot() {
  if (!uplotLoad) {
    if (!document.querySelector('link[data-uplot]')) {
      document.head.append(h('link', { rel: 'stylesheet', href: '/vendor/uplot/uPlot.min.css', dataset: { uplot: '' } }));
    }
    uplotLoad = import('/vendor/uplot/uPlot.esm.js').then((m) => m.default);
  }
  return uplotLoad;
}

const COLORS = ['#1d4ed8', '#b91c1c', '#047857', '#7c3aed', '#b45309', '#0e7490', '#be185d', '#4d7c0f'];

/** The index of the first x >= v in a sorted array. */
export function lowerBound(xs, v) {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Where the lowest and highest values of ys lie, per block of B rows, for
 * B = 16, 256, 4096 (each level built from the one below): decimate() reads
 * whole blocks from here, so a wide window costs its blocks, not its rows.
 */
export function summarize(ys) {
  const levels = [];
  let prev = null;
  for (let B = 16; ys.length / B >= 8; B *= 16) {
    const nb = Math.ceil(ys.length / B);
    const lo = new Int32Array(nb);
    const hi = new Int32Array(nb);
    for (let b = 0; b < nb; b++) {
      let l = -1;
      let h = -1;
      if (!prev) {
        for (let i = b * B, e = Math.min(ys.length, i + B); i < e; i++) {
          if (l < 0 || ys[i] < ys[l]) l = i;
          if (h < 0 || ys[i] > ys[h]) h = i;
        }
      } else {
        for (let k = b * 16, e = Math.min(prev.lo.length, k + 16); k < e; k++) {
          if (l < 0 || ys[prev.lo[k]] < ys[l]) l = prev.lo[k];
          if (h < 0 || ys[prev.hi[k]] > ys[h]) h = prev.hi[k];
        }
      }
      lo[b] = l;
      hi[b] = h;
    }
    prev = { B, lo, hi };
    levels.push(prev);
  }
  return levels;
}

/**
 * The points of (xs, ys) between x0 and x1 to draw at `buckets` columns:
 * all of them when few, else each column's first, lowest, highest and last
 * point in order (the line looks the same, spikes included). One point on
 * each side of the window keeps the line running to the edges. With the
 * summary of summarize(ys), a column reads its whole blocks from there and
 * only the rows at its two ends one by one.
 */
export function decimate(xs, ys, x0, x1, buckets, levels = []) {
  const i0 = Math.max(0, lowerBound(xs, x0) - 1);
  const i1 = Math.min(xs.length, lowerBound(xs, x1) + 1);
  const n = i1 - i0;
  if (n <= buckets * 4) return [xs.subarray(i0, i1), ys.subarray(i0, i1)];
  const ox = new Float64Array(buckets * 4);
  const oy = new Float64Array(buckets * 4);
  let k = 0;
  const per = n / buckets;
  // the level whose blocks cost least: 2·B rows at the ends plus per/B blocks
  let lv = null;
  for (const l of levels) if (2 * l.B + per / l.B < (lv ? 2 * lv.B + per / lv.B : per)) lv = l;
  const B = lv ? lv.B : 1;
  const blo = lv ? lv.lo : null;
  const bhi = lv ? lv.hi : null;
  for (let b = 0; b < buckets; b++) {
    const s = i0 + Math.floor(b * per);
    const e = Math.min(i1, i0 + Math.floor((b + 1) * per));
    if (e <= s) continue;
    let lo = s;
    let hi = s;
    let ylo = ys[s];
    let yhi = ylo;
    // whole blocks [bs, be) from the summary, the rows around them one by one
    let bs = lv ? Math.ceil(s / B) : 0;
    let be = lv ? Math.floor(e / B) : 0;
    if (be <= bs) bs = be = Math.ceil(e / B) + 1;
    const rawEnd = lv && be > bs ? bs * B : e;
    for (let i = s + 1; i < rawEnd; i++) {
      const y = ys[i];
      if (y < ylo) (ylo = y), (lo = i);
      if (y > yhi) (yhi = y), (hi = i);
    }
    if (lv && be > bs) {
      for (let j = bs; j < be; j++) {
        const a = blo[j];
        const c = bhi[j];
        if (ys[a] < ylo) (ylo = ys[a]), (lo = a);
        if (ys[c] > yhi) (yhi = ys[c]), (hi = c);
      }
      for (let i = be * B; i < e; i++) {
        const y = ys[i];
        if (y < ylo) (ylo = y), (lo = i);
        if (y > yhi) (yhi = y), (hi = i);
      }
    }
    const pick = [s, lo, hi, e - 1].sort((a, c) => a - c);
    let prev = -1;
    for (const i of pick) {
      if (i === prev) continue;
      ox[k] = xs[i];
      oy[k] = ys[i];
      k++;
      prev = i;
    }
  }
  return [ox.subarray(0, k), oy.subarray(0, k)];
}

/** CSV text → {column: [strings]} (header row; quotes around fields allowed). */
export function parseCsv(text, sep = ',') {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const unq = (s) => (s.length > 1 && s[0] === '"' && s[s.length - 1] === '"' ? s.slice(1, -1).replace(/""/g, '"') : s.trim());
  const head = lines[0].split(sep).map(unq);
  const cols = head.map(() => []);
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const f = lines[i].split(sep);
    for (let c = 0; c < head.length; c++) cols[c].push(f[c] === undefined ? '' : unq(f[c]));
  }
  return Object.fromEntries(head.map((name, c) => [name, cols[c]]));
}

/** A table as {column: [values]}, or rows [{column: value}], → {column: [values]}. */
function columnsOf(v) {
  if (Array.isArray(v)) {
    const out = {};
    for (const row of v) if (row && typeof row === 'object') for (const [k, x] of Object.entries(row)) (out[k] ||= []).push(x);
    return out;
  }
  return v && typeof v === 'object' ? v : {};
}

/** Numbers from values: numeric text as numbers, dates (when dates) as ms, the rest NaN. */
function numbers(list, dates) {
  const out = new Float64Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    out[i] = typeof v === 'number' ? v : dates ? Date.parse(v) : v === '' || v === null ? NaN : Number(v);
  }
  return out;
}

export class TimeSeriesView {
  constructor(ann, obj, value) {
    ensureCss();
    this.ann = ann;
    this.obj = obj;
    const el = obj.el;
    const attr = (n) => [...el.attributes].find((a) => a.name.toLowerCase() === n.toLowerCase())?.value ?? null;
    this.timeColumn = attr('timeColumn');
    this.sep = attr('sep') || ',';
    this.isUrl = (attr('valueType') || 'url').toLowerCase() !== 'json';
    this.channels = [...el.children].filter((c) => c.tagName.toLowerCase() === 'channel').map((c, i) => ({
      column: c.getAttribute('column'), legend: c.getAttribute('legend') || c.getAttribute('column'),
      units: c.getAttribute('units') || '', color: c.getAttribute('strokeColor') || COLORS[i % COLORS.length],
    }));
    this.plots = [];
    this.cur = null; // the keyboard cursor, in time units
    this.mark = null; // where [ was pressed
    this.status = h('p', { class: 'ts-status muted small', role: 'status', 'aria-live': 'polite' }, 'Loading the data…');
    this.stack = h('div', {
      class: 'ts-stack', tabindex: '0', role: 'group',
      'aria-label': `Time series ${obj.name}: ← → move the cursor (Shift: faster), [ and ] mark a range, Enter an instant, + and − zoom, 0 shows all`,
    });
    const btn = (label, title, fn) => h('button', { type: 'button', class: 'btn small', title, onclick: fn }, label);
    this.toolbar = h('div', { class: 'ts-toolbar' },
      btn('Zoom in', 'Zoom in (+)', () => this.zoom(0.5)), btn('Zoom out', 'Zoom out (−)', () => this.zoom(2)), btn('Show all', 'Show all (0)', () => this.setView(this.x0, this.x1)));
    this.el = h('div', { class: 'ann-object ts-object', dataset: { object: obj.name } }, this.toolbar, this.stack, this.status);
    this.stack.addEventListener('keydown', (e) => this.onKey(e));
    this.ready = this.load(value).catch((e) => {
      this.status.textContent = `The data cannot be shown: ${e.message}`;
    });
  }

  async load(value) {
    let table = value;
    if (typeof value === 'string' && value) {
      const r = await fetch(value, { credentials: 'same-origin' });
      if (!r.ok) throw new Error(`${value}: HTTP ${r.status}`);
      const text = await r.text();
      table = /^\s*[[{]/.test(text) ? JSON.parse(text) : parseCsv(text, this.sep);
    }
    const cols = columnsOf(table);
    const first = this.channels[0] && cols[this.channels[0].column];
    const n = first ? first.length : 0;
    const tcol = this.timeColumn && cols[this.timeColumn];
    this.dates = !!(tcol && tcol.length && typeof tcol[0] === 'string' && Number.isNaN(Number(tcol[0])));
    this.xs = tcol ? numbers(tcol, this.dates) : Float64Array.from({ length: n }, (_, i) => i);
    this.ys = this.channels.map((c) => numbers(cols[c.column] || [], false));
    this.levels = this.ys.map((ys) => summarize(ys));
    for (const [i, c] of this.channels.entries()) if (!cols[c.column]) throw new Error(`the data has no column “${c.column}” (channel ${i + 1})`);
    if (!this.xs.length) throw new Error('the data has no rows');
    this.x0 = this.xs[0];
    this.x1 = this.xs[this.xs.length - 1];
    this.view = [this.x0, this.x1];
    const uPlot = await loadUPlot();
    if (this.dead) return;
    this.build(uPlot);
    this.status.textContent = `${this.xs.length.toLocaleString()} points × ${this.channels.length} channel${this.channels.length === 1 ? '' : 's'}. ${this.hint()}`;
  }

  hint() {
    return this.ann.readOnly ? '' : 'Pick a label, then drag across the chart (a click marks an instant); without a label, dragging zooms.';
  }

  get length() {
    return this.xs ? this.xs.length : 0;
  }

  build(uPlot) {
    const width = Math.max(240, this.stack.clientWidth || 600);
    const height = this.channels.length > 3 ? 90 : 140;
    this.channels.forEach((c, i) => {
      const last = i === this.channels.length - 1;
      const box = h('div', { class: 'ts-channel' }, h('div', { class: 'ts-legend small' }, h('span', { class: 'swatch', style: { background: c.color } }), `${c.legend}${c.units ? ` (${c.units})` : ''}`));
      this.stack.append(box);
      const opts = {
        width, height: height + (last ? 30 : 0), ms: this.dates ? 1 : undefined,
        // the same padding on every chart keeps their time axes aligned
        padding: [8, 24, 0, 0],
        scales: { x: { time: this.dates } },
        legend: { show: false },
        series: [{}, { stroke: c.color, width: 1, points: { show: false } }],
        axes: [{ show: last, size: last ? 30 : 0 }, { size: 50 }],
        cursor: { sync: { key: `ts-${this.obj.name}` }, drag: { x: true, y: false, setScale: false }, points: { show: false } },
        hooks: { draw: [(u) => this.drawMarks(u)], setSelect: [(u) => this.onSelect(u)] },
      };
      const [dx, dy] = decimate(this.xs, this.ys[i], this.view[0], this.view[1], width, this.levels[i]);
      const u = new uPlot(opts, [dx, dy], box);
      u.over.addEventListener('mousedown', (e) => { this.down = { x: e.clientX, u }; });
      u.over.addEventListener('mouseup', (e) => this.onClick(u, e));
      this.plots.push({ u, i });
    });
    this.resize = new ResizeObserver(() => {
      const w = Math.max(240, this.stack.clientWidth);
      if (w === this.width) return;
      this.width = w;
      for (const { u } of this.plots) u.setSize({ width: w, height: u.height });
      this.redrawData();
    });
    this.width = width;
    this.resize.observe(this.stack);
    this.setView(this.view[0], this.view[1]);
  }

  /** The visible window [a, b], redrawn from the decimated data. */
  setView(a, b) {
    if (!this.plots.length) return;
    const span = this.x1 - this.x0 || 1;
    const min = span / 1e6;
    if (b - a < min) [a, b] = [(a + b) / 2 - min / 2, (a + b) / 2 + min / 2];
    a = Math.max(this.x0, a);
    b = Math.min(this.x1, b);
    this.view = [a, b];
    this.redrawData();
  }

  redrawData() {
    const [a, b] = this.view;
    for (const { u, i } of this.plots) {
      u.batch(() => {
        u.setData(decimate(this.xs, this.ys[i], a, b, Math.max(64, Math.round(u.bbox.width / devicePixelRatio) || this.width), this.levels[i]), false);
        u.setScale('x', { min: a, max: b });
      });
    }
  }

  zoom(f, at) {
    const [a, b] = this.view;
    const c = at ?? this.cur ?? (a + b) / 2;
    this.setView(c - (c - a) * f, c + (b - c) * f);
  }

  /** A time as the results write it: a number with at most 6 significant decimals. */
  round(t) {
    return Math.round(t * 1e6) / 1e6;
  }

  activeLabel() {
    const a = this.ann.active;
    return a && a.k.region === 'ts' && a.k.toName.includes(this.obj.name) ? a : null;
  }

  add(start, end, instant) {
    const a = this.activeLabel();
    if (!a || this.ann.readOnly) {
      this.status.textContent = 'Pick a label first (its number key).';
      return;
    }
    const s = this.round(Math.max(this.x0, Math.min(start, end)));
    const e = this.round(Math.min(this.x1, Math.max(start, end)));
    this.ann.addRegion({ kind: 'ts', control: a.k.name, to: this.obj.name, labels: [a.opt.value], start: s, end: instant ? s : e, instant: !!instant });
  }

  /** A drag ended: a range with a label picked, else a zoom. The charts share
   * their cursor, so each gets the selection; the one dragged on acts. */
  onSelect(u) {
    const w = u.select.width;
    if (w < 3 || !this.down || this.down.u !== u) return;
    const a = u.posToVal(u.select.left, 'x');
    const b = u.posToVal(u.select.left + w, 'x');
    this.down = null;
    for (const p of this.plots) p.u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
    if (this.activeLabel()) this.add(a, b, false);
    else this.setView(a, b);
  }

  onClick(u, e) {
    // runs before uPlot's own mouseup (which ends a drag in onSelect)
    const d = this.down;
    if (!d || d.u !== u || Math.abs(e.clientX - d.x) > 3) return;
    this.down = null;
    const t = u.posToVal(e.clientX - u.over.getBoundingClientRect().left, 'x');
    this.cur = t;
    if (this.activeLabel()) return this.add(t, t, true);
    // no label: a click on a region selects it
    const hit = this.ann.regionsOf(this.obj.name).find((r) => t >= r.start - this.pxTime(u, 3) && t <= r.end + this.pxTime(u, 3));
    this.ann.select(hit ? hit.id : null);
  }

  pxTime(u, px) {
    return ((this.view[1] - this.view[0]) / (u.bbox.width / devicePixelRatio)) * px;
  }

  onKey(e) {
    if (!this.plots.length || e.ctrlKey || e.metaKey) return;
    const [a, b] = this.view;
    const step = ((b - a) / 100) * (e.shiftKey ? 10 : 1);
    const sel = this.ann.selected && this.ann.region(this.ann.selected);
    const move = (t) => {
      this.cur = Math.max(this.x0, Math.min(this.x1, t));
      // keep the cursor in view
      if (this.cur < a || this.cur > b) this.setView(this.cur - (b - a) / 2, this.cur + (b - a) / 2);
      this.say();
      this.drawAll();
    };
    if (e.altKey && sel && sel.kind === 'ts' && sel.to === this.obj.name && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
      // Alt+arrows move the selected region's start, Alt+Shift+arrows its end
      e.preventDefault();
      const d = (e.key === 'ArrowLeft' ? -1 : 1) * ((b - a) / 100);
      this.ann.commit(() => {
        if (e.shiftKey || sel.instant) sel.end = this.round(Math.min(this.x1, Math.max(sel.start, sel.end + d)));
        if (!e.shiftKey || sel.instant) sel.start = this.round(Math.max(this.x0, Math.min(sel.end, sel.start + d)));
      });
      return;
    }
    const cur = this.cur ?? a;
    if (e.key === 'ArrowRight') move(cur + step);
    else if (e.key === 'ArrowLeft') move(cur - step);
    else if (e.key === 'Home') move(this.x0);
    else if (e.key === 'End') move(this.x1);
    else if (e.key === '+' || e.key === '=') this.zoom(0.5);
    else if (e.key === '-' || e.key === '_') this.zoom(2);
    else if (e.key === '0') this.setView(this.x0, this.x1);
    else if (e.key === '[') {
      this.mark = cur;
      this.cur = cur;
      this.status.textContent = `Range starts at ${this.fmt(cur)}; move and press ] to end it.`;
      this.drawAll();
    } else if (e.key === ']') {
      if (this.mark === null) this.status.textContent = 'Press [ first to start a range.';
      else {
        this.add(this.mark, cur, false);
        this.mark = null;
      }
    } else if (e.key === 'Enter') this.add(cur, cur, true);
    else return;
    e.preventDefault();
    e.stopPropagation();
  }

  fmt(t) {
    return this.dates ? new Date(t).toISOString().replace('T', ' ').replace(/\.000Z$/, 'Z') : String(this.round(t));
  }

  say() {
    const i = Math.min(this.xs.length - 1, lowerBound(this.xs, this.cur));
    const vals = this.channels.map((c, k) => `${c.legend} ${Number.isFinite(this.ys[k][i]) ? +this.ys[k][i].toPrecision(6) : '—'}`).join(', ');
    this.status.textContent = `Cursor ${this.fmt(this.cur)}: ${vals}.`;
  }

  /** Regions, the range being marked and the keyboard cursor, over each chart. */
  drawMarks(u) {
    const ctx = u.ctx;
    const { top, height, left, width } = u.bbox;
    const X = (t) => u.valToPos(t, 'x', true);
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    for (const r of this.ann.regionsOf(this.obj.name)) {
      const sel = r.id === this.ann.selected;
      const x0 = X(r.start);
      const x1 = X(r.end);
      ctx.fillStyle = this.ann.colorOf(r);
      ctx.globalAlpha = sel ? 0.35 : 0.18;
      if (r.instant || x1 - x0 < 2) ctx.fillRect(x0 - devicePixelRatio, top, 2 * devicePixelRatio, height);
      else ctx.fillRect(x0, top, x1 - x0, height);
      if (sel) {
        ctx.globalAlpha = 1;
        ctx.strokeStyle = this.ann.colorOf(r);
        ctx.lineWidth = 2 * devicePixelRatio;
        ctx.strokeRect(x0, top + 1, Math.max(2, x1 - x0), height - 2);
      }
    }
    ctx.globalAlpha = 1;
    if (this.mark !== null) {
      ctx.fillStyle = '#0f172a';
      ctx.fillRect(X(this.mark) - devicePixelRatio, top, 2 * devicePixelRatio, height);
    }
    if (this.cur !== null) {
      ctx.strokeStyle = '#0f172a';
      ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
      ctx.lineWidth = devicePixelRatio;
      ctx.beginPath();
      ctx.moveTo(X(this.cur), top);
      ctx.lineTo(X(this.cur), top + height);
      ctx.stroke();
    }
    ctx.restore();
  }

  drawAll() {
    for (const { u } of this.plots) u.redraw(false, false);
  }

  render() {
    this.stack.classList.toggle('labelling', !!this.activeLabel());
    this.drawAll();
  }

  cancel() {
    if (this.mark === null) return false;
    this.mark = null;
    this.drawAll();
    return true;
  }

  destroy() {
    this.dead = true;
    this.resize?.disconnect();
    for (const { u } of this.plots) u.destroy();
    this.plots = [];
  }
}
