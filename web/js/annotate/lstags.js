// Label Studio's later tags, each a small view: the objects Table (shown
// read-only), Markdown (rendered by the server's cmark), Pdf and a plain
// Chat fallback; the controls Taxonomy (a tree of checkboxes) and DateTime;
// and visibleWhen, which shows a control only when its condition holds.
import { h, clear, randomId, setProse } from '../dom.js';
import { post } from '../api.js';

const text = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

class TableView {
  constructor(ann, obj, value) {
    this.obj = obj;
    const rows = Array.isArray(value) ? value.map((v, i) => [String(i + 1), v]) : value && typeof value === 'object' ? Object.entries(value) : [['', value]];
    this.el = h('div', { class: 'ann-object table-object', dataset: { object: obj.name } },
      h('table', { class: 'data-table' },
        h('caption', { class: 'sr-only' }, `Task data (${obj.name})`),
        h('tbody', null, rows.map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, text(v)))))));
  }

  render() {}
}

class MarkdownView {
  constructor(ann, obj, value) {
    this.obj = obj;
    this.body = h('div', { class: 'prose markdown-object' }, h('p', null, text(value)));
    this.el = h('div', { class: 'ann-object', dataset: { object: obj.name } }, this.body);
    // cmark on the server, in safe mode: no raw HTML, no script URLs
    post('/markdown', { markdown: text(value) }).then(({ html }) => setProse(this.body, html), () => {});
  }

  render() {}
}

/** Pdf: a link that opens the document in a new tab (the page's content
 * policy embeds no plugins). */
class PdfView {
  constructor(ann, obj, value) {
    this.obj = obj;
    const url = text(value);
    const safe = /^(https?:\/\/|\/)/i.test(url) ? url : '';
    const name = safe ? decodeURIComponent(safe.split(/[?#]/)[0].split('/').pop() || 'document.pdf') : '';
    this.el = h('div', { class: 'ann-object pdf-object', dataset: { object: obj.name } },
      safe ? h('p', null, h('a', { href: safe, target: '_blank', rel: 'noopener noreferrer', class: 'btn' }, `Open ${name} (PDF, new tab)`)) : h('p', { class: 'muted' }, 'No document.'));
  }

  render() {}
}

/** A conversation shown turn by turn; the chat helper's view replaces it. */
class ChatFallbackView {
  constructor(ann, obj, value) {
    this.obj = obj;
    const turns = Array.isArray(value) ? value : [];
    this.el = h('div', { class: 'ann-object chat-object', dataset: { object: obj.name } },
      h('ol', { class: 'chat-turns', 'aria-label': `Conversation (${obj.name})` },
        turns.map((t) => h('li', { class: ['chat-turn', t && t.role] }, h('strong', null, `${text(t && t.role)}: `), text(t && t.content)))));
  }

  render() {}
}

const OBJECT_VIEWS = { Table: TableView, Markdown: MarkdownView, Pdf: PdfView, Chat: ChatFallbackView };

/** The view class for an object tag the annotator has none of its own for. */
export function extraObjectView(tag) {
  return OBJECT_VIEWS[tag] || ChatFallbackView;
}

/** Taxonomy: nested checkboxes; the answer is a list of paths from the top. */
class TaxonomyControl {
  constructor(ann, k) {
    this.ann = ann;
    this.k = k;
    this.filter = h('input', { type: 'search', class: 'input', placeholder: 'Filter…', 'aria-label': `Filter ${k.name}`, oninput: () => this.render() });
    this.tree = h('ul', { class: 'taxonomy-tree', 'aria-label': k.name });
    this.el = h('fieldset', { class: ['ann-control', 'taxonomy-control', k.perRegion && 'per-region'], dataset: { control: k.name } },
      h('legend', { class: 'control-label' }, k.name), this.filter, this.tree);
  }

  path(opt) {
    const p = [];
    for (let o = opt; o; o = o.parent) p.unshift(o.alias || o.value);
    return p;
  }

  chosen() {
    const cur = this.ann.answerFor(this.k);
    return (cur && cur.taxonomy) || [];
  }

  toggle(opt) {
    const key = JSON.stringify(this.path(opt));
    const cur = this.chosen();
    const next = cur.some((p) => JSON.stringify(p) === key) ? cur.filter((p) => JSON.stringify(p) !== key) : [...cur, this.path(opt)];
    this.ann.setAnswer(this.k, next.length ? { taxonomy: next } : null);
  }

  render() {
    const list = clear(this.tree);
    const q = this.filter.value.trim().toLowerCase();
    const chosen = new Set(this.chosen().map((p) => JSON.stringify(p)));
    const leaf = (o) => !this.k.options.some((c) => c.parent === o);
    const matches = (o) => !q || (o.alias || o.value).toLowerCase().includes(q) || this.k.options.some((c) => c.parent === o && matches(c));
    const add = (parent, into) => {
      for (const o of this.k.options.filter((x) => x.parent === parent && matches(x))) {
        const id = `tx-${randomId(6)}`;
        const disabled = this.ann.readOnly || (this.k.leafsOnly && !leaf(o));
        const box = h('input', { type: 'checkbox', id, disabled, checked: chosen.has(JSON.stringify(this.path(o))), onchange: () => this.toggle(o) });
        const li = h('li', null, box, h('label', { for: id }, o.alias || o.value));
        if (!leaf(o)) {
          const sub = h('ul', null);
          add(o, sub);
          li.append(sub);
        }
        into.append(li);
      }
    };
    add(null, list);
  }
}

/** DateTime: the browser's own date/time inputs; ISO text in the result. */
class DateTimeControl {
  constructor(ann, k) {
    this.ann = ann;
    this.k = k;
    const only = (k.only || '').split(',').map((x) => x.trim());
    const type = only.includes('date') && only.includes('time') ? 'datetime-local' : only.includes('date') ? 'date' : only.includes('time') ? 'time' : only.includes('month') ? 'month' : only.includes('year') ? 'number' : 'datetime-local';
    const id = `dt-${k.name}-${randomId(4)}`;
    this.input = h('input', { id, type, class: 'input narrow', readonly: ann.readOnly, min: k.dtMin || undefined, max: k.dtMax || undefined, placeholder: type === 'number' ? 'Year' : undefined });
    this.input.addEventListener('change', () => {
      const v = this.input.value;
      this.ann.setAnswer(this.k, v ? { datetime: v } : null);
    });
    this.el = h('div', { class: ['ann-control', 'datetime-control'], dataset: { control: k.name } }, h('label', { for: id, class: 'control-label' }, k.name), this.input);
  }

  render() {
    if (document.activeElement === this.input) return;
    const cur = this.ann.answerFor(this.k);
    this.input.value = cur ? cur.datetime : '';
  }
}

export function extraControl(ann, k) {
  if (k.tag === 'Taxonomy') return new TaxonomyControl(ann, k);
  if (k.tag === 'DateTime') return new DateTimeControl(ann, k);
  return null;
}

const listed = (list, v) => !list || list.split(',').map((x) => x.trim()).includes(v);

/** visibleWhen: whether control k shows now (Label Studio's four conditions). */
export function isVisible(ann, k) {
  const w = k && k.visibleWhen;
  if (!w) return true;
  if (w === 'choice-selected' || w === 'choice-unselected') {
    const names = k.whenTagName ? [k.whenTagName] : [...ann.cfg.controls.keys()];
    const any = names.some((n) => {
      const c = ann.cfg.controls.get(n);
      const a = c && (c.perRegion ? ann.answerFor(c) : ann.state.classes[n] && ann.state.classes[n].value);
      return a && (a.choices || []).some((v) => listed(k.whenChoiceValue, v));
    });
    return w === 'choice-selected' ? any : !any;
  }
  const r = ann.selected && ann.region(ann.selected);
  const on = !!r && (!k.whenTagName || r.to === k.whenTagName) && (!k.whenLabelValue || r.labels.some((l) => listed(k.whenLabelValue, l)));
  return w === 'region-selected' ? on : !r;
}
