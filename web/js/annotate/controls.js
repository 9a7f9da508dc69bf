// Control tags: the buttons and inputs that produce answers.
import { h, clear, randomId, inkOn } from '../dom.js';
import { resolveValue } from './config.js';
import { extraControl } from './lstags.js';

function kbd(key) {
  return key ? h('kbd', null, key) : null;
}

class LabelsControl {
  constructor(ann, k) {
    this.ann = ann;
    this.k = k;
    this.buttons = k.options.map((opt) => {
      const sw = h('span', { class: 'swatch' });
      sw.style.background = opt.background;
      const b = h('button', { type: 'button', class: 'label-btn', 'aria-pressed': 'false', title: opt.hint || `${opt.value}${opt.hotkey ? ` (key ${opt.hotkey})` : ''}`, disabled: ann.readOnly, onclick: () => ann.pickLabel(k, opt) }, sw, opt.alias || opt.value || `Draw (${k.tag})`, kbd(opt.hotkey));
      b.style.setProperty('--label', opt.background);
      b.style.setProperty('--label-ink', inkOn(opt.background));
      return { opt, b };
    });
    const media = k.toName.map((t) => ann.cfg.objects.get(t)?.tag).find((t) => /^(Audio|Video)/.test(t || ''));
    const kind = media ? `${media.replace('Plus', '')} regions` : { rect: 'Boxes', polygon: 'Polygons', keypoint: 'Points', span: 'Text spans', ellipse: 'Ellipses', brush: 'Masks', ts: 'Time ranges' }[k.region];
    this.el = h('div', { class: 'ann-control labels-control', role: 'toolbar', 'aria-label': `${kind} labels (${k.name})`, dataset: { control: k.name } },
      h('span', { class: 'control-kind' }, kind), this.buttons.map((x) => x.b));
  }

  render() {
    const a = this.ann.active;
    const sel = this.ann.selected && this.ann.region(this.ann.selected);
    for (const { opt, b } of this.buttons) {
      const on = (a && a.k === this.k && a.opt === opt) || (sel && sel.control === this.k.name && sel.labels.includes(opt.value));
      b.setAttribute('aria-pressed', String(!!on));
      b.classList.toggle('active', !!on);
    }
  }
}

class ChoicesControl {
  constructor(ann, k) {
    this.ann = ann;
    this.k = k;
    const multiple = k.choice === 'multiple';
    const group = `c-${k.name}-${randomId(4)}`;
    this.inputs = k.options.map((opt) => {
      const input = h('input', { type: multiple ? 'checkbox' : 'radio', name: group, value: opt.value, disabled: ann.readOnly, onchange: () => this.fromInputs() });
      return { opt, input, label: h('label', { class: 'choice' }, input, h('span', null, opt.alias || opt.value), kbd(opt.hotkey)) };
    });
    this.note = h('p', { class: 'muted small', hidden: true }, 'Select a region to answer this for it.');
    this.el = h('fieldset', { class: ['ann-control', 'choices-control', k.perRegion && 'per-region'], dataset: { control: k.name } },
      h('legend', { class: 'sr-only' }, k.name), this.note, h('div', { class: 'choices' }, this.inputs.map((x) => x.label)));
  }

  fromInputs() {
    const chosen = this.inputs.filter((x) => x.input.checked).map((x) => x.opt.value);
    this.ann.setAnswer(this.k, chosen.length ? { choices: chosen } : null);
  }

  toggle(opt) {
    if (this.k.perRegion && !this.enabled()) return;
    const cur = (this.ann.answerFor(this.k) || { choices: [] }).choices;
    let next;
    if (this.k.choice === 'multiple') next = cur.includes(opt.value) ? cur.filter((c) => c !== opt.value) : [...cur, opt.value];
    else next = cur.includes(opt.value) ? [] : [opt.value];
    this.ann.setAnswer(this.k, next.length ? { choices: next } : null);
  }

  enabled() {
    if (!this.k.perRegion) return true;
    const r = this.ann.selected && this.ann.region(this.ann.selected);
    return !!(r && this.k.toName.includes(r.to));
  }

  render() {
    const on = this.enabled();
    this.el.classList.toggle('inactive', !on);
    this.note.hidden = on;
    const cur = (this.ann.answerFor(this.k) || { choices: [] }).choices || [];
    for (const { opt, input } of this.inputs) {
      input.checked = cur.includes(opt.value);
      input.disabled = this.ann.readOnly || !on;
    }
  }
}

class TextAreaControl {
  constructor(ann, k) {
    this.ann = ann;
    this.k = k;
    const id = `ta-${k.name}-${randomId(4)}`;
    this.input = h(k.rows > 1 ? 'textarea' : 'input', { id, rows: k.rows, placeholder: k.placeholder, readonly: ann.readOnly, class: 'input' });
    this.input.addEventListener('input', () => {
      const v = this.input.value;
      this.ann.setAnswer(this.k, v.trim() ? { text: [v] } : null, true);
    });
    this.input.addEventListener('change', () => this.ann.refresh());
    this.el = h('div', { class: ['ann-control', 'textarea-control', k.perRegion && 'per-region'], dataset: { control: k.name } },
      h('label', { for: id, class: 'control-label' }, k.placeholder ? k.name : k.name), this.input);
  }

  enabled() {
    if (!this.k.perRegion) return true;
    const r = this.ann.selected && this.ann.region(this.ann.selected);
    return !!(r && this.k.toName.includes(r.to));
  }

  render() {
    const on = this.enabled();
    this.el.classList.toggle('inactive', !on);
    this.input.disabled = !on;
    if (document.activeElement === this.input) return;
    const cur = this.ann.answerFor(this.k);
    this.input.value = cur && cur.text ? cur.text.join('\n') : '';
  }
}

class RatingControl {
  constructor(ann, k) {
    this.ann = ann;
    this.k = k;
    this.stars = [];
    for (let i = 1; i <= k.maxRating; i++) {
      const b = h('button', { type: 'button', class: 'star', role: 'radio', 'aria-checked': 'false', 'aria-label': `${i} of ${k.maxRating}`, disabled: ann.readOnly, onclick: () => this.set(i) }, '★');
      b.addEventListener('keydown', (e) => {
        if (e.key === 'ArrowRight' || e.key === 'ArrowUp') this.move(e, Math.min(k.maxRating, i + 1));
        else if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') this.move(e, Math.max(1, i - 1));
      });
      this.stars.push(b);
    }
    this.text = h('span', { class: 'rating-text muted' });
    this.el = h('div', { class: ['ann-control', 'rating-control', k.perRegion && 'per-region'], dataset: { control: k.name } },
      h('span', { class: 'control-label' }, k.name),
      h('div', { class: 'stars', role: 'radiogroup', 'aria-label': `${k.name} rating` }, this.stars), this.text);
  }

  move(e, i) {
    e.preventDefault();
    this.set(i);
    this.stars[i - 1].focus();
  }

  set(i) {
    const cur = this.ann.answerFor(this.k);
    this.ann.setAnswer(this.k, cur && cur.rating === i ? null : { rating: i });
  }

  render() {
    const cur = this.ann.answerFor(this.k);
    const v = cur ? cur.rating : 0;
    this.stars.forEach((b, i) => {
      b.classList.toggle('on', i < v);
      b.setAttribute('aria-checked', String(i + 1 === v));
      b.tabIndex = i + 1 === (v || 1) ? 0 : -1;
    });
    this.text.textContent = v ? `${v} / ${this.k.maxRating}` : 'not rated';
  }
}

class NumberControl {
  constructor(ann, k) {
    this.ann = ann;
    this.k = k;
    const id = `num-${k.name}-${randomId(4)}`;
    this.input = h('input', { id, type: 'number', class: 'input narrow', min: k.min ?? undefined, max: k.max ?? undefined, step: k.step ?? 'any', readonly: ann.readOnly });
    this.input.addEventListener('input', () => {
      const v = this.input.value === '' ? null : Number(this.input.value);
      this.ann.setAnswer(this.k, v === null || Number.isNaN(v) ? null : { number: v }, true);
    });
    this.el = h('div', { class: ['ann-control', 'number-control'], dataset: { control: k.name } }, h('label', { for: id, class: 'control-label' }, k.name), this.input);
  }

  render() {
    if (document.activeElement === this.input) return;
    const cur = this.ann.answerFor(this.k);
    this.input.value = cur ? cur.number : '';
  }
}

class PairwiseControl {
  constructor(ann, k) {
    this.ann = ann;
    this.k = k;
    const [left, right] = k.toName;
    this.left = h('button', { type: 'button', class: 'btn pair-btn', 'aria-pressed': 'false', title: left, disabled: ann.readOnly, onclick: () => this.set('left') }, h('span', null, 'A is better'));
    this.right = h('button', { type: 'button', class: 'btn pair-btn', 'aria-pressed': 'false', title: right, disabled: ann.readOnly, onclick: () => this.set('right') }, h('span', null, 'B is better'));
    // badge the two objects so "A" and "B" mean something on every layout
    queueMicrotask(() => {
      for (const [name, tag] of [[left, 'A'], [right, 'B']]) {
        const v = ann.objectViews.get(name);
        if (v) {
          v.el.dataset.pair = tag;
          v.el.classList.add('pair-object');
        }
      }
    });
    this.el = h('div', { class: ['ann-control', 'pairwise-control'], role: 'group', 'aria-label': `Which is better (${k.name})`, dataset: { control: k.name } }, this.left, this.right);
  }

  set(side) {
    const cur = this.ann.answerFor(this.k);
    this.ann.setAnswer(this.k, cur && cur.selected === side ? null : { selected: side });
  }

  render() {
    const cur = this.ann.answerFor(this.k);
    const sel = cur && cur.selected;
    this.left.setAttribute('aria-pressed', String(sel === 'left'));
    this.right.setAttribute('aria-pressed', String(sel === 'right'));
    const [l, r] = this.k.toName;
    for (const [name, side] of [[l, 'left'], [r, 'right']]) {
      const v = this.ann.objectViews.get(name);
      if (v) {
        v.el.classList.toggle('chosen', sel === side);
        v.el.classList.toggle('not-chosen', !!sel && sel !== side);
      }
    }
  }
}

class RankerControl {
  constructor(ann, k) {
    this.ann = ann;
    this.k = k;
    this.listName = k.toName[0];
    const obj = ann.cfg.objects.get(this.listName);
    const raw = obj ? resolveValue(obj.value, ann.data) : [];
    this.items = (Array.isArray(raw) ? raw : []).map((it, i) => (it && typeof it === 'object' ? { ...it, id: String(it.id ?? i) } : { id: String(i), title: String(it) }));
    this.list = h('ol', { class: 'rank-list' });
    this.confirm = h('button', { type: 'button', class: 'btn small', disabled: ann.readOnly, onclick: () => this.save(this.order()) }, 'Keep this order');
    this.el = h('div', { class: ['ann-control', 'ranker-control'], dataset: { control: k.name } },
      h('p', { class: 'muted small' }, k.options.length ? 'Put each item in a bucket.' : 'Order the items, best first: use ▲ ▼ or Alt+↑/↓ on a focused item.'),
      this.list, k.options.length ? null : this.confirm);
  }

  order() {
    const cur = this.ann.answerFor(this.k);
    const ids = cur && cur.ranker && cur.ranker[this.listName];
    if (!ids) return this.items.map((it) => it.id);
    return [...ids, ...this.items.map((it) => it.id).filter((id) => !ids.includes(id))];
  }

  save(ids) {
    this.ann.setAnswer(this.k, { ranker: { [this.listName]: ids } });
  }

  moveItem(id, delta, focus) {
    const ids = this.order();
    const i = ids.indexOf(id);
    const j = i + delta;
    if (j < 0 || j >= ids.length) return;
    [ids[i], ids[j]] = [ids[j], ids[i]];
    this.save(ids);
    if (focus) this.list.querySelector(`[data-id="${CSS.escape(id)}"]`)?.focus();
  }

  bucketOf(id) {
    const cur = this.ann.answerFor(this.k);
    if (!cur || !cur.ranker) return '_';
    for (const [b, ids] of Object.entries(cur.ranker)) if (b !== '_' && ids.includes(id)) return b;
    return '_';
  }

  setBucket(id, bucket) {
    const value = { _: [] };
    for (const o of this.k.options) value[o.value] = [];
    for (const it of this.items) value[it.id === id ? bucket : this.bucketOf(it.id)].push(it.id);
    this.ann.setAnswer(this.k, { ranker: value });
  }

  render() {
    const list = clear(this.list);
    const byId = new Map(this.items.map((it) => [it.id, it]));
    const touched = !!this.ann.answerFor(this.k);
    this.el.classList.toggle('answered', touched);
    const ids = this.k.options.length ? this.items.map((it) => it.id) : this.order();
    ids.forEach((id, i) => {
      const it = byId.get(id);
      const text = [h('strong', null, String(it.title ?? it.id)), it.body ? h('span', { class: 'muted' }, ` ${it.body}`) : null];
      if (this.k.options.length) {
        const sel = h('select', { 'aria-label': `Bucket for ${it.title || it.id}`, disabled: this.ann.readOnly, onchange: (e) => this.setBucket(id, e.target.value) },
          h('option', { value: '_' }, 'Unsorted'), this.k.options.map((o) => h('option', { value: o.value, selected: this.bucketOf(id) === o.value }, o.title || o.value)));
        list.append(h('li', { class: 'rank-item' }, h('span', { class: 'rank-text' }, text), sel));
      } else {
        const li = h('li', { class: 'rank-item', tabindex: '0', dataset: { id } },
          h('span', { class: 'rank-text' }, text),
          h('span', { class: 'rank-btns' },
            h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Move up', disabled: this.ann.readOnly || i === 0, onclick: () => this.moveItem(id, -1) }, '▲'),
            h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Move down', disabled: this.ann.readOnly || i === ids.length - 1, onclick: () => this.moveItem(id, 1) }, '▼')));
        li.addEventListener('keydown', (e) => {
          if (!e.altKey || this.ann.readOnly) return;
          if (e.key === 'ArrowUp') (e.preventDefault(), this.moveItem(id, -1, true));
          if (e.key === 'ArrowDown') (e.preventDefault(), this.moveItem(id, 1, true));
        });
        list.append(li);
      }
    });
    this.confirm.hidden = touched;
  }
}

export function makeControl(ann, k) {
  if (k.region) return new LabelsControl(ann, k);
  switch (k.tag) {
    case 'Choices': return new ChoicesControl(ann, k);
    case 'TextArea': return new TextAreaControl(ann, k);
    case 'Rating': return new RatingControl(ann, k);
    case 'Number': return new NumberControl(ann, k);
    case 'Pairwise': return new PairwiseControl(ann, k);
    case 'Ranker': return new RankerControl(ann, k);
    default: return extraControl(ann, k); // null for Relations: they live in the side panel
  }
}
