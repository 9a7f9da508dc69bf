// HyperText with HyperTextLabels: the task's HTML shown sanitised (its
// elements kept, so paths stay Label Studio's; scripts, frames, forms,
// media and every attribute dropped), a selection in it becoming a region
// {kind: 'html', start, end, startOffset, endOffset, text}: start and end are
// XPaths of text nodes relative to the content's root ("/p[2]/text()[1]"),
// the offsets count characters inside those nodes, as Label Studio's
// `hypertextlabels` results. Regions are drawn as marks over the text (the
// content itself is never rewrapped, so paths stay valid).
// Keyboard: on the focused content, arrows move a caret a word at a time,
// Shift+arrows select whole words (the browser's own selection, so the
// mouse and the keyboard make the same thing); a label's key or Enter labels
// it.
import { h, clear } from '../dom.js';
import { ensureCss } from './media-common.js';

const DROP = new Set(['script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'link', 'meta', 'base', 'form', 'input', 'button', 'textarea', 'select', 'option', 'svg', 'math', 'img', 'picture', 'video', 'audio', 'source', 'track', 'canvas', 'template', 'noscript', 'head', 'title', 'dialog', 'portal', 'slot']);

/** The HTML's body as inert nodes: same element names, no attributes. */
export function sanitise(html) {
  const doc = new DOMParser().parseFromString(String(html || ''), 'text/html');
  const copy = (src, dst) => {
    for (const n of src.childNodes) {
      if (n.nodeType === 3) dst.append(document.createTextNode(n.data));
      else if (n.nodeType === 1) {
        const tag = n.localName;
        if (DROP.has(tag) || !/^[a-z][a-z0-9-]*$/.test(tag)) continue;
        const el = document.createElement(tag);
        copy(n, el);
        dst.append(el);
      }
    }
  };
  const root = h('div', { class: 'ht-content' });
  if (doc.body) copy(doc.body, root);
  root.normalize();
  return root;
}

/** The XPath of node relative to root: /tag[i]/…/text()[j]. */
export function xpathOf(root, node) {
  const parts = [];
  for (let n = node; n && n !== root; n = n.parentNode) {
    let i = 1;
    for (let s = n.previousSibling; s; s = s.previousSibling) {
      if (n.nodeType === 3 ? s.nodeType === 3 : s.nodeType === 1 && s.localName === n.localName) i++;
    }
    parts.unshift(n.nodeType === 3 ? `text()[${i}]` : `${n.localName}[${i}]`);
  }
  return `/${parts.join('/')}`;
}

/** The node at an XPath written by xpathOf (or Label Studio), or null. */
export function nodeAt(root, path) {
  let n = root;
  for (const step of String(path).split('/').filter(Boolean)) {
    const m = /^(text\(\)|[a-zA-Z][\w-]*)(?:\[(\d+)\])?$/.exec(step);
    if (!m || !n) return null;
    const want = Number(m[2] || 1);
    const text = m[1] === 'text()';
    let i = 0;
    let found = null;
    for (const c of n.childNodes) {
      if (text ? c.nodeType === 3 : c.nodeType === 1 && c.localName === m[1].toLowerCase()) i++;
      if (i === want) { found = c; break; }
    }
    n = found;
  }
  return n;
}

export class HyperTextView {
  constructor(ann, obj, value) {
    ensureCss();
    document.querySelector('link[data-annotate-media]')?.addEventListener('load', () => this.drawMarks());
    this.ann = ann;
    this.obj = obj;
    this.content = sanitise(value);
    this.marks = h('div', { class: 'ht-marks', 'aria-hidden': 'true' });
    this.body = h('div', { class: 'ht-body text-body', tabindex: '0', role: 'document', 'aria-label': `Text (${obj.name}). Arrows move a word, Shift+arrows select words, a label's key or Enter labels the selection; Delete removes the selected region.` }, this.marks, this.content);
    this.live = h('span', { class: 'sr-only', 'aria-live': 'polite' });
    this.el = h('div', { class: ['ann-object', 'text-object', 'has-spans'], dataset: { object: obj.name } }, this.body, this.live);
    this.texts = []; // the content's text nodes, in order
    const walk = document.createTreeWalker(this.content, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) this.texts.push(n);
    this.caret = { node: this.texts[0] || null, offset: 0 };
    this.body.addEventListener('mouseup', () => setTimeout(() => this.onSelect(), 0));
    this.body.addEventListener('keydown', (e) => this.key(e));
    if (typeof ResizeObserver === 'function') new ResizeObserver(() => this.drawMarks()).observe(this.body);
  }

  destroy() {}

  controls() {
    return [...this.ann.cfg.controls.values()].filter((k) => k.region === 'html' && k.toName.includes(this.obj.name));
  }

  /** A DOM position as (text node, offset): an element position goes to the text next to it. */
  textPos(node, offset) {
    if (node.nodeType === 3) return { node, offset };
    const after = node.childNodes[offset];
    const walk = document.createTreeWalker(this.content, NodeFilter.SHOW_TEXT);
    if (after) {
      walk.currentNode = after;
      const t = after.nodeType === 3 ? after : walk.nextNode();
      if (t) return { node: t, offset: 0 };
    }
    const before = this.texts.filter((t) => node.contains(t) || t.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING).at(-1);
    return before ? { node: before, offset: before.length } : null;
  }

  /** The browser's selection inside the content as a region value, or null. */
  readSelection() {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    const range = sel.getRangeAt(0);
    if (!this.content.contains(range.startContainer) || !this.content.contains(range.endContainer)) return null;
    const a = this.textPos(range.startContainer, range.startOffset);
    const b = this.textPos(range.endContainer, range.endOffset);
    if (!a || !b) return null;
    // a start at the end of a node is the start of the next one, an end at
    // the start of a node the end of the one before
    const i = this.texts.indexOf(a.node);
    if (a.offset === a.node.length && this.texts[i + 1]) Object.assign(a, { node: this.texts[i + 1], offset: 0 });
    const j = this.texts.indexOf(b.node);
    if (b.offset === 0 && j > 0) Object.assign(b, { node: this.texts[j - 1], offset: this.texts[j - 1].length });
    const text = range.toString();
    if (!text.trim()) return null;
    return { start: xpathOf(this.content, a.node), startOffset: a.offset, end: xpathOf(this.content, b.node), endOffset: b.offset, text, globalOffsets: { start: this.flat(a), end: this.flat(b) } };
  }

  onSelect() {
    if (this.ann.readOnly) return;
    const v = this.readSelection();
    if (!v) return;
    const a = this.ann.active;
    if (a && a.k.region === 'html' && a.k.toName.includes(this.obj.name)) this.add(a.k, a.opt, v);
    else this.ann.say(`“${v.text.slice(0, 30)}” selected: press a label's key or click a label.`);
  }

  add(k, opt, v) {
    window.getSelection().removeAllRanges();
    this.ann.addRegion({ kind: 'html', control: k.name, to: this.obj.name, labels: [opt.value], ...v });
  }

  /** For the annotator: a selection made before a label was chosen. */
  takeSelection() {
    const v = this.readSelection();
    if (v) window.getSelection().removeAllRanges();
    return v;
  }

  // ---- keyboard: the browser's selection, a word at a time ----

  /** (text node, offset) ↔ an index into all the content's text. */
  flat(pos) {
    let n = 0;
    for (const t of this.texts) {
      if (t === pos.node) return n + pos.offset;
      n += t.length;
    }
    return n;
  }

  unflat(x) {
    for (const t of this.texts) {
      if (x <= t.length) return { node: t, offset: x };
      x -= t.length;
    }
    const last = this.texts.at(-1);
    return { node: last, offset: last.length };
  }

  /** From pos, past the spaces and then the word in direction dir. */
  wordStep(pos, dir) {
    const all = this.texts.map((t) => t.data).join('');
    const isWord = (c) => c !== undefined && /[\p{L}\p{N}\p{M}_'’-]/u.test(c);
    // a word ends where its text node does too (a heading runs into the next paragraph)
    const bounds = new Set();
    let n = 0;
    for (const t of this.texts) bounds.add((n += t.length));
    let x = this.flat(pos);
    const next = () => (dir > 0 ? all[x] : all[x - 1]);
    while (next() !== undefined && !isWord(next())) x += dir;
    while (isWord(next())) {
      x += dir;
      if (bounds.has(x)) break;
    }
    return this.unflat(x);
  }

  key(e) {
    if (this.ann.readOnly || e.ctrlKey || e.metaKey || e.altKey || !this.texts.length) return;
    const sel = window.getSelection();
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      const dir = e.key === 'ArrowRight' ? 1 : -1;
      const inside = sel.rangeCount && this.content.contains(sel.focusNode);
      const from = inside ? this.textPos(sel.focusNode, sel.focusOffset) : this.caret;
      const anchor = inside && e.shiftKey ? this.textPos(sel.anchorNode, sel.anchorOffset) : null;
      const to = this.wordStep(from, dir);
      this.caret = to;
      if (anchor) sel.setBaseAndExtent(anchor.node, anchor.offset, to.node, to.offset);
      else if (e.shiftKey) sel.setBaseAndExtent(from.node, from.offset, to.node, to.offset);
      else sel.setBaseAndExtent(to.node, to.offset, to.node, to.offset);
      const v = this.readSelection();
      this.live.textContent = v ? `Selected: ${v.text}` : `At: ${to.node.data.slice(to.offset, to.offset + 30)}`;
      return;
    }
    if (e.key === 'Enter') {
      const v = this.readSelection();
      const a = this.ann.active;
      const k = a && a.k.region === 'html' && a.k.toName.includes(this.obj.name) ? a : this.controls()[0] && { k: this.controls()[0], opt: this.controls()[0].options[0] };
      if (v && k && k.opt) {
        e.preventDefault();
        this.add(k.k, k.opt, v);
      }
    }
  }

  // ---- drawing ----

  rangeOf(r) {
    const a = nodeAt(this.content, r.start);
    const b = nodeAt(this.content, r.end);
    if (!a || !b) return null;
    try {
      const range = document.createRange();
      range.setStart(a, Math.min(r.startOffset, a.length ?? a.childNodes.length));
      range.setEnd(b, Math.min(r.endOffset, b.length ?? b.childNodes.length));
      return range;
    } catch {
      return null;
    }
  }

  render() {
    this.drawMarks();
  }

  drawMarks() {
    const box = this.body.getBoundingClientRect();
    const marks = clear(this.marks);
    for (const r of this.ann.regionsOf(this.obj.name)) {
      if (r.kind !== 'html') continue;
      const range = this.rangeOf(r);
      if (!range) continue;
      const colour = this.ann.colorOf(r);
      for (const rect of range.getClientRects()) {
        if (!rect.width) continue;
        const m = h('span', { class: ['ht-mark', r.id === this.ann.selected && 'selected'] });
        Object.assign(m.style, { left: `${rect.left - box.left + this.body.scrollLeft}px`, top: `${rect.top - box.top + this.body.scrollTop}px`, width: `${rect.width}px`, height: `${rect.height}px`, borderColor: colour, background: `${colour}33` });
        marks.append(m);
      }
    }
  }
}
