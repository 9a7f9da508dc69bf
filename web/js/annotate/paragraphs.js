// Paragraphs (Label Studio's <Paragraphs>): a list of utterances
// [{author, text, start?, end?, duration?}, …] (nameKey/textKey rename the
// keys), shown plain or as a dialogue (layout="dialogue"), read from the task
// or from a URL (valueType="url"). ParagraphLabels label a selection that may
// run across paragraphs: {start, end (paragraph indices), startOffset,
// endOffset (offsets in the start and end paragraphs' text), text} — the text
// left out with saveTextResult="no" (the default for valueType="url").
// granularity="paragraph" widens a selection to whole paragraphs, "word" to
// whole words. With audio (audioUrl="$audio" and showPlayer="true", or
// sync="<an Audio object>"), each paragraph that has a start time plays its
// part, the paragraph being played is marked, and contextScroll="true" keeps
// it in view. Keyboard: Up/Down go from paragraph to paragraph (Shift:
// select several), Left/Right go a word at a time inside the paragraph and
// Shift+Left/Right select words (the browser's selection, as HyperTextLabels
// does, so a phrase is labelled as the mouse would), Enter or a label's key
// labels the selection (the words, else the selected paragraphs), [ and ] go
// to the previous or next labelled span, P plays the paragraph.
// Loaded on first use (annotator.js).
import { h, clear, inkOn } from '../dom.js';
import { resolveValue } from './config.js';
import { SpanKeys } from './text.js';

const attrOf = (el, name) => {
  for (const a of el.attributes) if (a.name.toLowerCase() === name.toLowerCase()) return a.value;
  return null;
};
const yes = (v) => v !== null && /^(true|1|yes)$/i.test(v);
const num = (v) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : null);

function tint(hex, a) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || '');
  return m ? `rgba(${parseInt(m[1], 16)},${parseInt(m[2], 16)},${parseInt(m[3], 16)},${a})` : `rgba(100,116,139,${a})`;
}

export class ParagraphsView extends SpanKeys {
  constructor(ann, obj, value) {
    super();
    this.ann = ann;
    this.obj = obj;
    const el = obj.el;
    this.url = (attrOf(el, 'valueType') || '').toLowerCase() === 'url';
    this.dialogue = (attrOf(el, 'layout') || '').toLowerCase() === 'dialogue';
    this.contextScroll = yes(attrOf(el, 'contextScroll'));
    const save = attrOf(el, 'saveTextResult');
    this.saveText = save === null ? !this.url : !/^(no|false|0)$/i.test(save);
    this.granularity = (attrOf(el, 'granularity') || obj.granularity || '').toLowerCase();
    this.syncName = attrOf(el, 'sync');
    const audioRef = attrOf(el, 'audioUrl');
    const audioUrl = audioRef ? String(resolveValue(audioRef, ann.data || {}) || '') : '';
    this.items = [];
    this.caret = 0; // keyboard: the paragraph the caret is on, and the other end of the selection
    this.anchor = 0;
    this.word = null; // keyboard, inside the caret's paragraph: {p, anchor, focus} text offsets
    this.keyed = false;
    this.pending = null;
    this.playing = -1;
    this.stopAt = null;
    const spans = this.spanKinds().length > 0;
    this.live = h('span', { class: 'sr-only', 'aria-live': 'polite' });
    this.list = h('div', { class: ['paragraphs', this.dialogue && 'dialogue', this.contextScroll && 'context-scroll'], tabindex: '0', role: 'document',
      'aria-label': `Paragraphs (${obj.name}). Up and Down go from paragraph to paragraph${spans ? ', Shift selects several; Left and Right go a word at a time, Shift selects words; Enter or a label\'s key labels the selection, [ and ] go to the previous or next span' : ''}${audioUrl || this.syncName ? ', P plays the paragraph' : ''}.` });
    // an own player: showPlayer with an audioUrl, when no Audio object is synced
    this.audio = audioUrl && !this.syncName ? h('audio', { class: 'para-player', controls: true, preload: 'metadata', src: audioUrl, hidden: !yes(attrOf(el, 'showPlayer')), 'aria-label': `Audio of ${obj.name}` }) : null;
    if (this.audio) this.watch(this.audio);
    // follow a synced Audio object's playback once its view has loaded (it loads on its own, lazily)
    const link = (tries) => this.player() || (tries > 0 && !this.dead && setTimeout(() => link(tries - 1), 250));
    if (this.syncName) setTimeout(() => link(40), 0);
    this.el = h('div', { class: 'ann-object paragraphs-object', dataset: { object: obj.name } }, this.audio, this.list, this.live);
    this.list.addEventListener('keydown', (e) => this.key(e));
    this.list.addEventListener('focus', () => {
      if (!this.list.matches(':focus-visible')) return;
      this.keyed = true;
      this.render();
    });
    this.list.addEventListener('mouseup', () => setTimeout(() => this.onSelect(), 0));
    this.list.addEventListener('click', (e) => {
      const play = e.target.closest('[data-play]');
      if (play) return this.play(+play.dataset.play);
      this.clickSpan(e);
    });
    if (this.url && typeof value === 'string' && value) {
      this.list.append(h('p', { class: 'muted' }, 'Loading the paragraphs…'));
      fetch(value).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`)))).then((v) => {
        this.items = Array.isArray(v) ? v : [];
        this.render();
      }).catch((e) => {
        this.list.replaceChildren(h('p', { class: 'muted' }, `The paragraphs could not be loaded (${e.message}).`));
      });
    } else this.items = Array.isArray(value) ? value : [];
  }

  destroy() {
    this.dead = true;
  }

  spanKinds() {
    return [...this.ann.cfg.controls.values()].filter((k) => k.region === 'span' && k.toName.includes(this.obj.name));
  }

  textOf(i) {
    const p = this.items[i];
    if (p && typeof p === 'object' && p[this.obj.textKey] !== undefined) return String(p[this.obj.textKey]);
    return typeof p === 'string' ? p : JSON.stringify(p);
  }

  /** A paragraph's time: [start, end] in seconds, or null. */
  timeOf(i) {
    const p = this.items[i];
    const s = p && typeof p === 'object' ? num(p.start) : null;
    if (s === null) return null;
    const e = num(p.end) ?? (num(p.duration) !== null ? s + num(p.duration) : null);
    return [s, e];
  }

  /** The media element paragraphs play on: their own, or the synced Audio object's (once it loaded). */
  player() {
    if (this.audio) return this.audio;
    const v = this.syncName && this.ann.objectViews.get(this.syncName);
    const a = v && (v.real ? v.real.audio : v.audio);
    if (a && a !== this.synced) {
      this.synced = a;
      this.watch(a);
    }
    return a || null;
  }

  watch(a) {
    a.addEventListener('timeupdate', () => {
      const t = a.currentTime;
      if (this.stopAt !== null && t >= this.stopAt) {
        this.stopAt = null;
        a.pause();
      }
      let at = -1;
      for (let i = 0; i < this.items.length; i++) {
        const tm = this.timeOf(i);
        if (tm && t >= tm[0] && (tm[1] === null ? true : t < tm[1])) at = i;
      }
      if (at !== this.playing) {
        this.playing = at;
        this.markPlaying();
      }
    });
  }

  markPlaying() {
    for (const p of this.list.querySelectorAll('.para')) {
      const on = +p.dataset.idx === this.playing;
      p.classList.toggle('playing', on);
      if (on && this.contextScroll) p.scrollIntoView({ block: 'nearest' });
    }
  }

  play(i) {
    const a = this.player();
    const tm = this.timeOf(i);
    if (!a || !tm) return this.tell('No audio for this paragraph.');
    a.currentTime = tm[0];
    this.stopAt = tm[1];
    const p = a.play();
    if (p && p.catch) p.catch(() => this.tell('The audio could not play.'));
  }

  /** Offset of (node, off) inside paragraph text element t. */
  offsetIn(t, node, off) {
    const r = document.createRange();
    r.setStart(t, 0);
    r.setEnd(node, off);
    return r.toString().length;
  }

  /** Where (node, off) is: [paragraph, offset], or null when outside every paragraph's text. */
  locate(node, off, atEnd) {
    const el = node.nodeType === 1 ? node : node.parentElement;
    let t = el && el.closest('.para-text');
    if (t && this.list.contains(t)) return [+t.closest('.para').dataset.idx, this.offsetIn(t, node, off)];
    // a selection ending on a paragraph's edge (its author or button): that paragraph's end or start
    const p = el && el.closest('.para');
    if (!p || !this.list.contains(p)) return null;
    const i = +p.dataset.idx;
    return atEnd ? [i, this.textOf(i).length] : [i, 0];
  }

  /** [start, startOffset] .. [end, endOffset] widened by granularity and trimmed of spaces, as a region's fields; or null. */
  range(s, so, e, eo) {
    if (e < s || (e === s && eo <= so)) return null;
    const tS = this.textOf(s);
    const tE = this.textOf(e);
    if (this.granularity === 'paragraph') {
      so = 0;
      eo = tE.length;
    } else {
      while (so < tS.length && /\s/.test(tS[so]) && !(s === e && so >= eo)) so++;
      while (eo > 0 && /\s/.test(tE[eo - 1]) && !(s === e && eo <= so)) eo--;
      if (this.granularity === 'word') {
        const w = /[\p{L}\p{N}\p{M}_]/u;
        while (so > 0 && w.test(tS[so - 1])) so--;
        while (eo < tE.length && w.test(tE[eo])) eo++;
      }
    }
    if (s === e && eo <= so) return null;
    const parts = [];
    for (let i = s; i <= e; i++) {
      const t = this.textOf(i);
      parts.push(t.slice(i === s ? so : 0, i === e ? eo : t.length));
    }
    return { kind: 'para', start: s, end: e, startOffset: so, endOffset: eo, text: parts.join('\n'), ...(this.saveText ? {} : { noText: true }) };
  }

  readSelection() {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    const r = sel.getRangeAt(0);
    const a = this.locate(r.startContainer, r.startOffset, false);
    const b = this.locate(r.endContainer, r.endOffset, true);
    return a && b ? this.range(a[0], a[1], b[0], b[1]) : null;
  }

  /** The keyboard's selection: whole paragraphs from the anchor to the caret. */
  keySelection() {
    if (!this.keyed || !this.items.length) return null;
    const s = Math.min(this.caret, this.anchor);
    const e = Math.max(this.caret, this.anchor);
    return this.range(s, 0, e, this.textOf(e).length);
  }

  onSelect() {
    if (this.ann.readOnly) return;
    const range = this.readSelection();
    if (!range) return;
    const a = this.ann.active;
    if (a && a.k.region === 'span' && a.k.toName.includes(this.obj.name)) {
      window.getSelection().removeAllRanges();
      this.ann.addRegion({ control: a.k.name, to: this.obj.name, labels: [a.opt.value], ...range });
    } else if (this.spanKinds().length) {
      this.pending = range;
      this.ann.say(`“${range.text.slice(0, 30)}” selected: press a label's key or click a label.`);
    }
  }

  /** A selection made before a label was chosen (consumed once): the mouse's, or the keyboard's while the list has focus. */
  takeSelection() {
    const r = this.readSelection() || this.pending || (document.activeElement === this.list ? this.keySelection() : null);
    this.pending = null;
    if (r) window.getSelection().removeAllRanges();
    if (r) this.anchor = this.caret;
    if (r) this.dropWords();
    return r;
  }

  // ---- keyboard: words inside a paragraph, as the browser's selection ----

  /** From offset x of text t, past the spaces and then the word in direction dir. */
  static wordStep(t, x, dir) {
    const isWord = (c) => c !== undefined && /[\p{L}\p{N}\p{M}_'’-]/u.test(c);
    const next = () => (dir > 0 ? t[x] : t[x - 1]);
    while (next() !== undefined && !isWord(next())) x += dir;
    while (isWord(next())) x += dir;
    return x;
  }

  /** (text node, offset) at text offset x of paragraph i, or null. */
  nodeAt(i, x) {
    const el = this.list.querySelector(`.para[data-idx="${i}"] .para-text`);
    if (!el) return null;
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let last = null;
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (x <= n.length) return { node: n, offset: x };
      x -= n.length;
      last = n;
    }
    return last ? { node: last, offset: last.length } : { node: el, offset: 0 };
  }

  /** Left/Right (Shift: select): a word at a time in the caret's paragraph. */
  wordKey(e) {
    const p = this.caret;
    const t = this.textOf(p);
    const dir = e.key === 'ArrowRight' ? 1 : -1;
    const w = this.word && this.word.p === p ? this.word : { p, anchor: dir > 0 ? 0 : t.length, focus: dir > 0 ? 0 : t.length };
    const to = ParagraphsView.wordStep(t, w.focus, dir);
    this.word = { p, anchor: e.shiftKey ? w.anchor : to, focus: to };
    const a = this.nodeAt(p, this.word.anchor);
    const b = this.nodeAt(p, to);
    if (a && b) window.getSelection().setBaseAndExtent(a.node, a.offset, b.node, b.offset);
    const v = this.readSelection();
    this.list.classList.toggle('words', !!v);
    this.tell(v ? `Selected: ${v.text}` : `At: ${t.slice(to, to + 30) || 'the end of the paragraph'}`);
  }

  /** Drops the keyboard's word selection (a paragraph move, a new region). */
  dropWords() {
    if (!this.word) return;
    this.word = null;
    this.list.classList.remove('words');
    const sel = window.getSelection();
    if (sel.rangeCount && this.list.contains(sel.anchorNode)) sel.removeAllRanges();
  }

  spans() {
    return this.ann.regionsOf(this.obj.name).filter((r) => r.kind === 'para').sort((a, b) => a.start - b.start || a.startOffset - b.startOffset);
  }

  key(e) {
    if (e.altKey || e.metaKey || e.ctrlKey) return;
    this.keyed = true;
    const n = this.items.length;
    let to = null;
    if (e.key === 'ArrowDown') to = Math.min(n - 1, this.caret + 1);
    else if (e.key === 'ArrowUp') to = Math.max(0, this.caret - 1);
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = n - 1;
    if (to !== null && n) {
      e.preventDefault();
      this.dropWords();
      this.caret = to;
      if (!e.shiftKey) this.anchor = to;
      this.render();
      const p = this.list.querySelector(`.para[data-idx="${to}"]`);
      if (p) p.scrollIntoView({ block: 'nearest' });
      const who = this.items[to] && this.items[to][this.obj.nameKey];
      const inside = this.spans().filter((r) => r.start <= to && r.end >= to);
      const many = this.caret !== this.anchor ? ` (${Math.abs(this.caret - this.anchor) + 1} paragraphs selected)` : '';
      this.tell(`${to + 1} of ${n}${who ? `, ${who}` : ''}: ${this.textOf(to).slice(0, 120)}${inside.length ? ` (in ${inside.map((r) => this.ann.regionTitle(r)).join('; ')})` : ''}${many}`);
      return;
    }
    if ((e.key === 'ArrowRight' || e.key === 'ArrowLeft') && n) {
      e.preventDefault();
      return this.wordKey(e);
    }
    if (this.ann.readOnly) return;
    if (e.key === 'p' || e.key === 'P') {
      e.preventDefault();
      e.stopPropagation();
      return this.play(this.caret);
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      const a = this.ann.active;
      const sel = this.readSelection() || this.keySelection();
      if (sel && a && a.k.region === 'span' && a.k.toName.includes(this.obj.name)) {
        this.anchor = this.caret;
        this.dropWords();
        return this.ann.addRegion({ control: a.k.name, to: this.obj.name, labels: [a.opt.value], ...sel });
      }
      const inside = this.spans().filter((r) => r.start <= this.caret && r.end >= this.caret);
      if (!inside.length) return this.tell('Pick a label first (or press its key) to label the selected paragraphs.');
      const i = inside.findIndex((r) => r.id === this.ann.selected);
      return this.pick(inside[(i + 1) % inside.length]);
    }
    if (e.key === '[' || e.key === ']') this.hop(e);
  }

  /** Paragraph i's text with the spans over it drawn as marks. */
  body(i, spans) {
    const t = this.textOf(i);
    const over = spans.map((r) => ({ r, a: r.start === i ? Math.max(0, Math.min(t.length, r.startOffset)) : 0, b: r.end === i ? Math.max(0, Math.min(t.length, r.endOffset)) : t.length }))
      .filter((x) => x.r.start <= i && x.r.end >= i && x.b > x.a);
    const el = h('span', { class: 'para-text' });
    if (!over.length) {
      el.append(t);
      return el;
    }
    const cuts = [...new Set([0, t.length, ...over.flatMap((x) => [x.a, x.b])])].sort((a, b) => a - b);
    for (let k = 0; k < cuts.length - 1; k++) {
      const [a, b] = [cuts[k], cuts[k + 1]];
      const cover = over.filter((x) => x.a <= a && x.b >= b).sort((x, y) => x.b - x.a - (y.b - y.a));
      if (!cover.length) {
        el.append(t.slice(a, b));
        continue;
      }
      const seg = h('span', { class: 'seg', dataset: { spans: cover.map((x) => x.r.id).join(' ') } }, t.slice(a, b));
      seg.style.backgroundColor = tint(this.ann.colorOf(cover[0].r), 0.22);
      seg.style.boxShadow = cover.slice(0, 4).map((x, d) => `inset 0 -${3 * (d + 1)}px 0 ${this.ann.colorOf(x.r)}`).join(', ');
      if (cover.some((x) => x.r.id === this.ann.selected)) seg.classList.add('selected');
      if (cover.some((x) => x.r.origin === 'prediction')) seg.classList.add('suggested');
      el.append(seg);
    }
    for (const x of over.filter((y) => y.r.end === i)) {
      const tag = h('span', { class: 'span-tag', dataset: { label: x.r.labels.join(', ') || '?', spans: x.r.id } });
      tag.style.backgroundColor = this.ann.colorOf(x.r);
      tag.style.color = inkOn(tag.style.backgroundColor);
      el.append(tag);
    }
    return el;
  }

  render() {
    if (this.url && !this.items.length && this.list.firstChild) return; // still loading, or failed
    const list = clear(this.list);
    if (!this.items.length) return list.append(h('p', { class: 'muted' }, 'No paragraphs in this task.'));
    const spans = this.spans();
    const canPlay = !!(this.audio || this.syncName);
    const lo = Math.min(this.caret, this.anchor);
    const hi = Math.max(this.caret, this.anchor);
    this.items.forEach((p, i) => {
      const who = p && typeof p === 'object' ? p[this.obj.nameKey] : null;
      const tm = canPlay ? this.timeOf(i) : null;
      const cls = ['para', who != null && `para-${String(who).toLowerCase().replace(/[^a-z0-9]/g, '')}`, i === this.playing && 'playing',
        this.keyed && i >= lo && i <= hi && 'para-sel', this.keyed && i === this.caret && 'para-at'];
      list.append(h('div', { class: cls, dataset: { idx: String(i) } },
        who != null || tm ? h('span', { class: 'para-head' },
          who != null ? h('span', { class: 'para-author' }, String(who)) : null,
          tm ? h('button', { type: 'button', class: 'link para-play', tabindex: '-1', dataset: { play: String(i) }, 'aria-label': `Play paragraph ${i + 1} from ${tm[0].toFixed(1)} s` }, h('span', { 'aria-hidden': 'true' }, '▶ '), `${tm[0].toFixed(1)} s`) : null) : null,
        this.body(i, spans)));
    });
  }
}
