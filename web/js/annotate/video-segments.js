// TimelineLabels on a Video: ranges of frames with a label, one row a label
// under the video. Mouse: drag along a label's row (a click is one frame);
// click a range to select it and go to its first frame. Keyboard (on the
// video): [ marks the first frame of a range for the chosen label (the
// label picked, else the first), ] at another frame closes it. A region is
// {kind: 'tl', ranges: [{start, end}]} (frames from 1) and leaves the
// annotator as Label Studio's `timelinelabels` result. Ranges that run past
// the video's last frame (a prediction or an import made for a longer
// video; the result carries no framesCount) are cut at it once the video's
// length is known.
import { h, clear, keepFocus } from '../dom.js';

const clamp = (x, lo, hi) => Math.max(lo, Math.min(hi, x));

export class VideoSegments {
  /** view: the VideoView (frame, framesCount, seekFrame); controls: its TimelineLabels. */
  constructor(view, controls) {
    this.view = view;
    this.ann = view.ann;
    this.controls = controls;
    this.mark = null; // {k, opt, frame} after [
    this.el = h('div', { class: 'vt-segments', role: 'group', 'aria-label': 'Timeline segments' });
  }

  /** The label a new range gets: the picked one when it is ours, else the first. */
  label() {
    const a = this.ann.active;
    if (a && this.controls.includes(a.k)) return a;
    const k = this.controls[0];
    return k && k.options.length ? { k, opt: k.options[0] } : null;
  }

  add(k, opt, a, b) {
    const start = Math.min(a, b);
    const end = Math.max(a, b);
    const r = this.ann.addRegion({ kind: 'tl', control: k.name, to: this.view.obj.name, labels: [opt.value], ranges: [{ start, end }] });
    this.ann.select(r.id);
  }

  /** [ : the first frame; ] : the last frame, which adds the range. */
  key(k) {
    if (this.ann.readOnly) return false;
    const f = this.view.frame;
    if (k === '[') {
      const l = this.label();
      if (!l) return false;
      this.mark = { ...l, frame: f };
      this.ann.say(`${l.opt.value} from frame ${f}; go to its last frame and press ].`);
      this.render();
      return true;
    }
    if (k === ']') {
      if (!this.mark) {
        this.ann.say('Press [ at the first frame of the range first.');
        return true;
      }
      const m = this.mark;
      this.mark = null;
      this.add(m.k, m.opt, m.frame, f);
      return true;
    }
    return false;
  }

  cancel() {
    if (!this.mark) return false;
    this.mark = null;
    this.render();
    this.ann.say('Range cancelled.');
    return true;
  }

  frameAt(bar, x) {
    const rect = bar.getBoundingClientRect();
    const n = this.view.framesCount || 1;
    return clamp(Math.round(((x - rect.left) / Math.max(1, rect.width)) * (n - 1)) + 1, 1, n);
  }

  drag(e, bar, k, opt) {
    if (this.ann.readOnly || e.button !== 0 || e.target.closest('.vt-range')) return;
    const f0 = this.frameAt(bar, e.clientX);
    const ghost = h('span', { class: 'vt-range vt-ghost-range' });
    bar.append(ghost);
    let f1 = f0;
    const span = Math.max(1, (this.view.framesCount || 1) - 1);
    const place = () => {
      const a = Math.min(f0, f1);
      const b = Math.max(f0, f1);
      Object.assign(ghost.style, { left: `${((a - 1) / span) * 100}%`, width: `${Math.max(0.5, ((b - a) / span) * 100)}%` });
    };
    place();
    const move = (ev) => {
      f1 = this.frameAt(bar, ev.clientX);
      place();
      this.view.seekFrame(f1, { fast: true });
    };
    const up = () => {
      bar.removeEventListener('pointermove', move);
      bar.removeEventListener('pointerup', up);
      ghost.remove();
      this.view.seekFrame(f1);
      this.add(k, opt, f0, f1);
    };
    bar.setPointerCapture?.(e.pointerId);
    bar.addEventListener('pointermove', move);
    bar.addEventListener('pointerup', up);
    e.preventDefault();
  }

  /** Cuts the ranges past the video's last frame at it; says so. */
  clampToVideo() {
    const n = this.view.isReady ? this.view.framesCount : 0;
    if (!n) return;
    let cut = 0;
    for (const r of this.ann.regionsOf(this.view.obj.name)) {
      if (r.kind !== 'tl') continue;
      for (const g of r.ranges) {
        if (g.end <= n && g.start <= n) continue;
        g.start = Math.min(g.start, n);
        g.end = Math.min(g.end, n);
        cut++;
      }
    }
    if (!cut) return;
    this.ann.say(`${cut} ${cut === 1 ? 'range ran' : 'ranges ran'} past the video's last frame (${n}): cut at it.`);
    this.ann.emit();
  }

  /** Redraws the rows; a range button that had the focus keeps it (the video gets it when the range went). */
  render() {
    this.clampToVideo();
    keepFocus(this.el, () => this.draw(), () => this.view.stage);
  }

  draw() {
    const el = clear(this.el);
    const span = Math.max(1, (this.view.framesCount || 1) - 1);
    const pos = (f) => `${((f - 1) / span) * 100}%`;
    const regions = this.ann.regionsOf(this.view.obj.name).filter((r) => r.kind === 'tl');
    this.nows = [];
    for (const k of this.controls) {
      for (const opt of k.options) {
        const bar = h('div', { class: 'vt-bar vt-seg-bar', title: this.ann.readOnly ? '' : `Drag for a range of ${opt.value}` });
        bar.addEventListener('pointerdown', (e) => this.drag(e, bar, k, opt));
        for (const r of regions) {
          if (r.control !== k.name || !r.labels.includes(opt.value)) continue;
          const sel = r.id === this.ann.selected;
          for (const [i, g] of r.ranges.entries()) {
            const b = h('button', { type: 'button', class: ['vt-range', sel && 'selected'], dataset: { fkey: `${r.id}:${i}` }, 'aria-pressed': String(sel), 'aria-label': `${opt.value}, frames ${g.start} to ${g.end}`, title: `${opt.value}: frames ${g.start}–${g.end}`, onclick: () => { this.ann.select(r.id); this.view.seekFrame(g.start); } });
            Object.assign(b.style, { left: pos(g.start), width: `${Math.max(0.5, ((g.end - g.start) / span) * 100)}%`, background: opt.background });
            bar.append(b);
          }
        }
        if (this.mark && this.mark.k === k && this.mark.opt === opt) {
          const m = h('span', { class: 'vt-seg-mark', title: `Starts at frame ${this.mark.frame}` });
          m.style.left = pos(this.mark.frame);
          bar.append(m);
        }
        const now = h('span', { class: 'vt-now' });
        this.nows.push(now);
        bar.append(now);
        const dot = h('span', { class: 'dot' });
        dot.style.background = opt.background;
        el.append(h('div', { class: 'vt-row' }, h('span', { class: 'vt-row-name' }, dot, ' ', opt.value), bar));
      }
    }
    this.showFrame();
  }

  showFrame() {
    const left = `${((this.view.frame - 1) / Math.max(1, (this.view.framesCount || 1) - 1)) * 100}%`;
    for (const now of this.nows || []) now.style.left = left;
  }
}

