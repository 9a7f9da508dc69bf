// Text objects: spans with labels (offsets in JavaScript string units, as
// Label Studio stores them), overlapping spans drawn as stacked underlines.
// Also the simple objects: Audio/Video, List (Paragraphs: paragraphs.js).
import { h, clear, inkOn } from '../dom.js';

function hexToRgba(hex, a) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || '');
  if (!m) return `rgba(100,116,139,${a})`;
  return `rgba(${parseInt(m[1], 16)},${parseInt(m[2], 16)},${parseInt(m[3], 16)},${a})`;
}

/** Plain text of an HTML string, without running or fetching anything. */
function htmlToText(html) {
  const doc = new DOMParser().parseFromString(String(html), 'text/html');
  return doc.body ? doc.body.textContent : '';
}

/**
 * What the text and paragraphs views share: a keyboard caret and the
 * selection's anchor (offsets, or paragraphs), a live line, and going from
 * span to span (spans() in reading order, each with a start).
 */
export class SpanKeys {
  /** [ and ]: the previous or next span from the selected one, else from the caret. */
  hop(e) {
    e.preventDefault();
    const all = this.spans();
    const cur = all.findIndex((r) => r.id === this.ann.selected);
    const next = e.key === ']' ? (cur >= 0 ? all[cur + 1] : all.find((r) => r.start >= this.caret)) : cur >= 0 ? all[cur - 1] : [...all].reverse().find((r) => r.start < this.caret);
    if (next) this.pick(next);
    else this.tell(e.key === ']' ? 'No span after this one.' : 'No span before this one.');
  }

  pick(r) {
    this.anchor = this.caret = r.start;
    this.ann.select(r.id);
    this.tell(`${this.ann.regionTitle(r)} selected: Delete removes it, a label's key relabels it.`);
  }

  tell(msg) {
    this.live.textContent = msg;
  }

  /** A click on a span selects it; repeated clicks cycle through overlapping spans, shortest first. */
  clickSpan(e) {
    const seg = e.target.closest('[data-spans]');
    const sel = window.getSelection();
    if (!seg || (sel && !sel.isCollapsed)) return;
    const ids = seg.dataset.spans.split(' ');
    const i = ids.indexOf(this.ann.selected);
    this.ann.select(ids[(i + 1) % ids.length]);
  }

  cancel() {
    if (this.caret === this.anchor) return false;
    this.anchor = this.caret;
    this.render();
    return true;
  }
}

export class TextView extends SpanKeys {
  constructor(ann, obj, value) {
    super();
    this.ann = ann;
    this.obj = obj;
    this.text = obj.tag === 'HyperText' ? htmlToText(value) : typeof value === 'string' ? value : JSON.stringify(value);
    const spans = this.spanKinds().length > 0;
    this.body = h('div', { class: 'text-body', tabindex: '0', role: 'document', 'aria-label': `Text (${obj.name}).${spans ? ' Arrows move the caret, Shift+arrows select, a label\'s key or Enter labels the selection; [ and ] go to the previous or next span, Delete removes it.' : ''}` });
    // what the keyboard caret reads out (the caret itself is drawn, not the browser's)
    this.live = h('span', { class: 'sr-only', 'aria-live': 'polite' });
    this.el = h('div', { class: ['ann-object', 'text-object', spans && 'has-spans'], dataset: { object: obj.name } }, this.body, this.live);
    this.pending = null;
    this.caret = 0; // keyboard caret and selection anchor, offsets into this.text
    this.anchor = 0;
    // the caret is drawn once the keyboard is used here (a mouse user's text stays one node)
    this.keyed = false;
    if (spans) {
      this.body.addEventListener('keydown', (e) => this.key(e));
      this.body.addEventListener('focus', () => {
        if (this.keyed || !this.body.matches(':focus-visible')) return;
        this.keyed = true;
        this.render();
      });
    }
    this.body.addEventListener('mouseup', () => setTimeout(() => this.onSelect(), 0));
    this.body.addEventListener('keyup', (e) => {
      if (e.shiftKey) this.onSelect();
    });
    this.body.addEventListener('click', (e) => this.clickSpan(e));
  }

  spanKinds() {
    return [...this.ann.cfg.controls.values()].filter((k) => k.region === 'span' && k.toName.includes(this.obj.name));
  }

  offsetOf(node, off) {
    const r = document.createRange();
    r.setStart(this.body, 0);
    r.setEnd(node, off);
    return r.toString().length;
  }

  /** The current selection inside this text as {start, end, text}, or null:
   * the browser's (a mouse) or else the keyboard caret's. */
  readSelection(mouseOnly) {
    const sel = window.getSelection();
    const keys = mouseOnly ? null : this.keySelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return keys;
    const range = sel.getRangeAt(0);
    if (!this.body.contains(range.startContainer) || !this.body.contains(range.endContainer)) return keys;
    return this.span(this.offsetOf(range.startContainer, range.startOffset), this.offsetOf(range.endContainer, range.endOffset));
  }

  keySelection() {
    return this.caret === this.anchor ? null : this.span(Math.min(this.caret, this.anchor), Math.max(this.caret, this.anchor));
  }

  /** Offsets start..end widened to whole words (word granularity) and trimmed of spaces. */
  span(start, end) {
    const t = this.text;
    while (start < end && /\s/.test(t[start])) start++;
    while (end > start && /\s/.test(t[end - 1])) end--;
    if (end <= start) return null;
    // granularity="word" (on the Text or its Labels): a selection grows to
    // whole words, letters of any script, after the spaces at its ends went
    if (this.obj.granularity === 'word') {
      const word = /[\p{L}\p{N}\p{M}_]/u;
      while (start > 0 && word.test(t[start - 1])) start--;
      while (end < t.length && word.test(t[end])) end++;
    }
    return { start, end, text: t.slice(start, end) };
  }

  onSelect() {
    if (this.ann.readOnly) return;
    const range = this.readSelection(true);
    if (!range) return;
    const a = this.ann.active;
    if (a && a.k.region === 'span' && a.k.toName.includes(this.obj.name)) {
      window.getSelection().removeAllRanges();
      this.ann.addRegion({ kind: 'span', control: a.k.name, to: this.obj.name, labels: [a.opt.value], ...range });
    } else if (this.spanKinds().length) {
      this.pending = range;
      this.ann.say(`“${range.text.slice(0, 30)}” selected: press a label's key or click a label.`);
    }
  }

  /** A selection made before a label was chosen (consumed once). */
  takeSelection() {
    const r = this.readSelection() || this.pending;
    this.pending = null;
    if (r) window.getSelection().removeAllRanges();
    if (r) this.anchor = this.caret = r.end;
    return r;
  }

  /** Where the caret goes from pos: a character, or a word (word granularity, or Ctrl). */
  stop(pos, dir, word) {
    const t = this.text;
    if (!word) return Math.max(0, Math.min(t.length, pos + dir));
    const w = (i) => /\w/.test(t[i]);
    if (dir > 0) {
      while (pos < t.length && !w(pos)) pos++;
      while (pos < t.length && w(pos)) pos++;
    } else {
      while (pos > 0 && !w(pos - 1)) pos--;
      while (pos > 0 && w(pos - 1)) pos--;
    }
    return pos;
  }

  /** Spans of this text, in reading order. */
  spans() {
    return this.ann.regionsOf(this.obj.name).filter((r) => r.kind === 'span').sort((a, b) => a.start - b.start || a.end - b.end);
  }

  /** Keyboard: the caret, a selection, labelling it, and going from span to span. */
  key(e) {
    if (e.altKey || e.metaKey || this.ann.readOnly) return;
    this.keyed = true;
    const t = this.text;
    const word = this.obj.granularity === 'word' || e.ctrlKey;
    let to = null;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') to = this.stop(this.caret, 1, word || e.key === 'ArrowDown');
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') to = this.stop(this.caret, -1, word || e.key === 'ArrowUp');
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = t.length;
    if (to !== null) {
      e.preventDefault();
      this.caret = to;
      if (!e.shiftKey) this.anchor = to;
      this.render();
      const sel = this.keySelection();
      if (sel) this.tell(`Selected “${sel.text}”.`);
      else {
        const a = this.stop(this.stop(to, 1, true), -1, true);
        const inside = this.spans().filter((r) => r.start <= to && r.end > to);
        this.tell(`${t.slice(a, this.stop(a, 1, true)) || (to >= t.length ? 'End of text' : 'Space')}${inside.length ? ` (in ${inside.map((r) => this.ann.regionTitle(r)).join('; ')})` : ''}`);
      }
      return;
    }
    if (e.ctrlKey) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      const sel = this.keySelection();
      const a = this.ann.active;
      if (sel && a && a.k.region === 'span' && a.k.toName.includes(this.obj.name)) {
        this.anchor = this.caret = sel.end;
        this.ann.addRegion({ kind: 'span', control: a.k.name, to: this.obj.name, labels: [a.opt.value], ...sel });
      } else if (sel) this.tell(`“${sel.text.slice(0, 30)}” selected: press a label's key.`);
      else {
        // on a span: select it (again: the next one that covers the caret)
        const inside = this.spans().filter((r) => r.start <= this.caret && r.end >= this.caret);
        if (!inside.length) return this.tell('Select words with Shift and the arrows first.');
        const i = inside.findIndex((r) => r.id === this.ann.selected);
        this.pick(inside[(i + 1) % inside.length]);
      }
      return;
    }
    if (e.key === '[' || e.key === ']') this.hop(e);
  }

  render() {
    const body = clear(this.body);
    const spans = this.ann.regionsOf(this.obj.name).filter((r) => r.kind === 'span');
    const t = this.text;
    const ks = Math.min(this.caret, this.anchor);
    const ke = Math.max(this.caret, this.anchor);
    if (!spans.length && !this.el.classList.contains('has-spans')) {
      body.append(t);
      return;
    }
    const cuts = new Set([0, t.length, ks, ke]);
    for (const r of spans) {
      cuts.add(Math.max(0, Math.min(t.length, r.start)));
      cuts.add(Math.max(0, Math.min(t.length, r.end)));
    }
    const points = [...cuts].sort((a, b) => a - b);
    const depth = new Map(); // stable stacking: longer spans lower
    [...spans].sort((a, b) => b.end - b.start - (a.end - a.start)).forEach((r, i) => depth.set(r.id, i));
    for (let i = 0; i < points.length - 1; i++) {
      const a = points[i];
      const b = points[i + 1];
      const cover = spans.filter((r) => r.start <= a && r.end >= b).sort((x, y) => x.end - x.start - (y.end - y.start));
      let piece = t.slice(a, b);
      if (a === this.caret && this.keyed) body.append(h('span', { class: 'kbd-caret', 'aria-hidden': 'true' }));
      if (a >= ks && b <= ke && ks < ke) piece = h('mark', { class: 'kbd-sel' }, piece);
      if (!cover.length) {
        body.append(piece);
      } else {
        const seg = h('span', { class: 'seg', dataset: { spans: cover.map((r) => r.id).join(' ') } }, piece);
        const colors = cover.map((r) => this.ann.colorOf(r));
        seg.style.backgroundColor = hexToRgba(colors[0], 0.18);
        const byDepth = [...cover].sort((x, y) => depth.get(x.id) - depth.get(y.id));
        seg.style.boxShadow = byDepth.slice(0, 4).map((r, k) => `inset 0 -${3 * (k + 1)}px 0 ${this.ann.colorOf(r)}`).join(', ');
        seg.style.paddingBottom = `${Math.min(4, cover.length) * 3}px`;
        if (cover.some((r) => r.id === this.ann.selected)) seg.classList.add('selected');
        if (cover.some((r) => r.id === this.ann.linkFrom)) seg.classList.add('linking');
        if (cover.some((r) => r.origin === 'prediction')) seg.classList.add('suggested');
        body.append(seg);
      }
      for (const r of spans.filter((x) => x.end === b)) {
        const tag = h('span', { class: 'span-tag', dataset: { label: r.labels.join(', ') || '?', spans: r.id } });
        tag.style.backgroundColor = this.ann.colorOf(r);
        tag.style.color = inkOn(tag.style.backgroundColor);
        body.append(tag);
      }
    }
    if (this.caret === t.length && this.keyed) body.append(h('span', { class: 'kbd-caret', 'aria-hidden': 'true' }));
  }
}

export class MediaView {
  constructor(ann, obj, value) {
    const tag = obj.tag === 'Video' ? 'video' : 'audio';
    this.el = h('div', { class: 'ann-object media', dataset: { object: obj.name } }, h(tag, { controls: true, preload: 'metadata', src: String(value || '') }));
  }

  render() {}
}

/** A List object is drawn by the Ranker that ranks it; alone it is a list. */
export class ListView {
  constructor(ann, obj, value) {
    this.ann = ann;
    this.obj = obj;
    this.items = Array.isArray(value) ? value : [];
    const ranked = [...ann.cfg.controls.values()].some((k) => k.tag === 'Ranker' && k.toName.includes(obj.name));
    this.el = h('div', { class: 'ann-object list-object', dataset: { object: obj.name } });
    if (!ranked) this.el.append(h('ol', null, this.items.map((it) => h('li', null, h('strong', null, String(it.title || it.id)), it.body ? ` ${it.body}` : ''))));
  }

  render() {}
}
