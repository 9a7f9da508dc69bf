// The annotator: renders a labeling config's layout for one task and keeps
// the answers as Label Studio result JSON. Object views (image, text, …)
// draw regions; control views (labels, choices, rating, …) edit answers.
import { h, clear, keepFocus, randomId, isTyping } from '../dom.js';
import { parseConfig, canonicalTag, resolveValue } from './config.js';
import { ImageView } from './image.js';
import { TextView, ListView } from './text.js';
import { makeControl } from './controls.js';
import { extraObjectView, isVisible } from './lstags.js';

const STYLE_PROPS = new Set(['display', 'flex', 'flex-direction', 'flex-wrap', 'flex-grow', 'flex-basis', 'gap', 'align-items',
  'justify-content', 'width', 'max-width', 'min-width', 'padding', 'margin', 'text-align', 'border', 'border-radius', 'background']);

function applySafeStyle(el, style) {
  if (!style) return;
  for (const decl of style.split(';')) {
    const i = decl.indexOf(':');
    if (i < 0) continue;
    const prop = decl.slice(0, i).trim().toLowerCase();
    const val = decl.slice(i + 1).trim();
    if (STYLE_PROPS.has(prop) && !/url\(|expression|@import/i.test(val)) el.style.setProperty(prop, val);
  }
  if (/display\s*:\s*flex/i.test(style)) el.classList.add('ann-row');
}

/**
 * An object view whose code (and libraries) load on first use: audio, video,
 * time series and chat keep their weight off pages that do not show them.
 * Stands in for the real view, forwarding what the annotator asks of it.
 */
class LazyView {
  constructor(ann, obj, value, load) {
    this.el = h('div', { class: 'ann-object', dataset: { object: obj.name } }, h('p', { class: 'muted small' }, `Loading the ${obj.tag.toLowerCase()} tool…`));
    load().then((View) => {
      if (this.dead) return;
      this.real = new View(ann, obj, value);
      this.el.replaceChildren(this.real.el);
      this.real.render();
    }).catch((e) => {
      this.el.textContent = `The ${obj.tag.toLowerCase()} tool cannot load: ${e.message}`;
    });
  }

  render() { this.real?.render(); }
  destroy() { this.dead = true; this.real?.destroy?.(); }
  cancel() { return !!this.real?.cancel?.(); }
  takeSelection() { return this.real?.takeSelection?.() || null; }
  get mediaLength() { return this.real?.mediaLength; }
  trackValue(r) { return this.real?.trackValue?.(r) || { sequence: r.sequence, labels: r.labels }; }
}

const lazy = (load) => function View(ann, obj, value) { return new LazyView(ann, obj, value, load); };
const AudioView = lazy(() => import('./audio.js').then((m) => m.AudioView));
const VideoView = lazy(() => import('./video.js').then((m) => m.VideoView));
const ChatView = lazy(() => import('./chat.js').then((m) => m.ChatView));
const TimeSeriesView = lazy(() => import('./timeseries.js').then((m) => m.TimeSeriesView));
const ParagraphsView = lazy(() => import('./paragraphs.js').then((m) => m.ParagraphsView));
const HyperTextView = lazy(() => import('./hypertext.js').then((m) => m.HyperTextView));

const VALUE_KEYS = { choices: 'choices', textarea: 'text', rating: 'rating', number: 'number', pairwise: 'selected', ranker: 'ranker', taxonomy: 'taxonomy', datetime: 'datetime' };

export class Annotator {
  /**
   * host: element to render into. opts: {config (XML string), data, result
   * (initial Label Studio result), predictions, readOnly, onChange(result),
   * interact(context) → Promise of an interactive model's answer}.
   * Throws ConfigError when the config is unusable.
   */
  constructor(host, opts) {
    this.host = host;
    this.opts = opts;
    this.data = opts.data || {};
    this.cfg = typeof opts.config === 'string' ? parseConfig(opts.config, this.data) : opts.config;
    // a Repeater or labels from the task: the config reads this task's data
    if (this.cfg.dataDependent) this.cfg = parseConfig(this.cfg.xml, this.data);
    this.readOnly = !!opts.readOnly;
    this.state = { regions: [], classes: {}, relations: [], items: {} };
    this.selected = null;
    this.active = null; // {k, opt}: the label new regions get
    this.linkFrom = null;
    this.history = [];
    this.future = [];
    this.objectViews = new Map();
    this.controlViews = new Map();
    let initial = opts.result;
    let fromPrediction = false;
    if (!initial && opts.predictions && opts.predictions.length) {
      const p = opts.predictions[0];
      initial = Array.isArray(p) ? p : p && p.result;
      fromPrediction = true;
    }
    if (Array.isArray(initial)) this.load(initial, fromPrediction);
    this.build();
    if (!this.readOnly && opts.predictions && opts.predictions.length) {
      // the suggestions bar: its own module, loaded only for tasks that have predictions
      import('./suggest.js').then((m) => {
        const bar = m.suggestionBar(this, opts.predictions);
        if (bar && this.main.isConnected) this.main.before(bar);
      });
    }
    if (!this.readOnly && opts.interact && [...this.cfg.objects.values()].some((o) => o.tag === 'Image')) {
      // an interactive (SAM-style) model: the Smart tool, its own module
      import('./interactive.js').then((m) => this.main.isConnected && m.attachSmart(this, opts.interact));
    }
    host.annotator = this; // lets tests and tools read the live result
    this.onKey = this.onKey.bind(this);
    if (!this.readOnly) document.addEventListener('keydown', this.onKey);
    this.refresh();
  }

  destroy() {
    document.removeEventListener('keydown', this.onKey);
    if (this.host.annotator === this) delete this.host.annotator;
    for (const v of this.objectViews.values()) v.destroy && v.destroy();
    clear(this.host);
  }

  // ---- layout ----

  build() {
    clear(this.host);
    this.main = h('div', { class: 'ann-main' });
    this.banner = h('div', { class: 'ann-banner', role: 'status', 'aria-live': 'polite', hidden: true });
    this.side = h('aside', { class: 'ann-side', 'aria-label': 'Regions and relations' });
    this.renderChildren(this.cfg.root, this.main);
    this.host.append(h('div', { class: ['annotator', this.readOnly && 'read-only'] }, this.banner, this.main));
  }

  renderChildren(el, parent) {
    for (const child of el.children) {
      const tag = canonicalTag(child);
      const name = child.getAttribute('name');
      if (tag === 'View') {
        const div = h('div', { class: 'ann-view' });
        applySafeStyle(div, child.getAttribute('style'));
        this.renderChildren(child, div);
        parent.append(div);
        if (child.hasAttribute('fcPages')) import('./pager.js').then((m) => m.paginate(this, div));
      } else if (tag === 'Header') {
        const v = child.getAttribute('value') ?? child.textContent;
        const size = child.getAttribute('size');
        parent.append(h(size && +size >= 5 ? 'h5' : 'h3', { class: 'ann-header' }, String(resolveValue(v, this.data))));
      } else if (tag === 'Collapse') {
        this.renderChildren(child, parent);
      } else if (tag === 'Panel') {
        const d = h('details', { class: 'ann-panel', open: true }, h('summary', null, child.getAttribute('value') || 'Details'));
        this.renderChildren(child, d);
        parent.append(d);
      } else if (tag === 'Style' || tag === 'Filter') {
        continue;
      } else if (this.cfg.objects.has(name) && this.cfg.objects.get(name).el === child) {
        const obj = this.cfg.objects.get(name);
        // HyperText with HyperTextLabels: the sanitised HTML and XPath regions; else its text
        const html = obj.tag === 'HyperText' && [...this.cfg.controls.values()].some((c) => c.region === 'html' && c.toName.includes(name));
        const View = { Image: ImageView, Text: TextView, HyperText: html ? HyperTextView : TextView, Paragraphs: ParagraphsView, Audio: AudioView, AudioPlus: AudioView, Video: VideoView, List: ListView, Chat: ChatView, TimeSeries: TimeSeriesView }[obj.tag] || extraObjectView(obj.tag);
        const view = new View(this, obj, resolveValue(obj.value, this.data));
        this.objectViews.set(name, view);
        parent.append(view.el);
      } else {
        const k = [...this.cfg.controls.values()].find((c) => c.el === child);
        if (!k || this.perTurn(k)) continue; // per-turn controls sit inside their chat's turns
        const view = makeControl(this, k);
        if (!view) continue;
        this.controlViews.set(k.name, view);
        parent.append(view.el);
      }
    }
  }

  // ---- state ----

  control(name) {
    return this.cfg.controls.get(name);
  }

  /** Whether k answers per turn of a chat (the chat view shows it under each turn). */
  perTurn(k) {
    return !!(k.perItem && !k.region && k.toName.some((t) => this.cfg.objects.get(t)?.tag === 'Chat'));
  }

  /** A per-item answer (value.item_index = index), or null. */
  itemAnswer(name, index) {
    const a = this.state.items[name];
    return (a && a[index] && a[index].value) || null;
  }

  setItemAnswer(name, index, value, quiet) {
    const apply = () => {
      const a = (this.state.items[name] ||= {});
      if (value === null) delete a[index];
      else a[index] = { id: (a[index] && a[index].id) || randomId(), value };
    };
    if (quiet) {
      apply();
      this.emit();
    } else this.commit(apply);
  }

  region(id) {
    return this.state.regions.find((r) => r.id === id) || null;
  }

  regionsOf(objectName) {
    return this.state.regions.filter((r) => r.to === objectName);
  }

  /** Records the current state for undo, then applies fn and redraws. */
  commit(fn, { quiet } = {}) {
    this.snapshot();
    fn();
    this.changed(quiet);
  }

  snapshot() {
    this.history.push(JSON.stringify(this.state));
    if (this.history.length > 200) this.history.shift();
    this.future = [];
  }

  changed(quiet) {
    if (this.selected && !this.region(this.selected)) this.selected = null;
    this.refresh();
    if (!quiet) this.emit();
  }

  emit() {
    if (this.opts.onChange) this.opts.onChange(this.getResult());
  }

  undo() {
    if (!this.history.length) return;
    this.future.push(JSON.stringify(this.state));
    this.state = JSON.parse(this.history.pop());
    this.changed();
  }

  redo() {
    if (!this.future.length) return;
    this.history.push(JSON.stringify(this.state));
    this.state = JSON.parse(this.future.pop());
    this.changed();
  }

  addRegion(r) {
    const k = this.control(r.control);
    const region = { id: randomId(), answers: {}, labels: [], ...r };
    this.commit(() => this.state.regions.push(region));
    const hasPerRegion = [...this.cfg.controls.values()].some((c) => c.perRegion && c.toName.includes(region.to));
    if (hasPerRegion || (k && k.region === 'span')) this.select(region.id);
    this.say(`${this.regionTitle(region)} added.`);
    return region;
  }

  deleteRegion(id) {
    if (!this.region(id)) return;
    this.commit(() => {
      this.state.regions = this.state.regions.filter((r) => r.id !== id);
      this.state.relations = this.state.relations.filter((rel) => rel.from_id !== id && rel.to_id !== id);
    });
    this.say('Region deleted.');
  }

  select(id) {
    if (this.linkFrom && id && id !== this.linkFrom) {
      const from = this.linkFrom;
      this.linkFrom = null;
      const exists = this.state.relations.some((r) => r.from_id === from && r.to_id === id);
      if (!exists) this.commit(() => this.state.relations.push({ from_id: from, to_id: id, direction: 'right', labels: [] }));
      this.say('Relation added.');
      this.selected = id;
      this.refresh();
      return;
    }
    this.selected = id;
    const r = id && this.region(id);
    if (r && r.origin === 'prediction') r.origin = 'prediction-seen';
    this.refresh();
  }

  startLink() {
    if (!this.selected) return this.say('Select a region first, then press R and pick the region it relates to.');
    this.linkFrom = this.selected;
    this.refresh();
    this.say('Pick the region this one relates to (Esc cancels).');
  }

  /** A label chosen by click or hotkey. */
  pickLabel(k, opt) {
    if (this.readOnly) return;
    const sel = this.selected && this.region(this.selected);
    // with text selected and a span control, label the selection at once
    if (k.region === 'span' || k.region === 'html') {
      for (const t of k.toName) {
        const v = this.objectViews.get(t);
        const range = v && v.takeSelection && v.takeSelection();
        if (range) {
          this.active = { k, opt };
          this.addRegion({ kind: k.region, control: k.name, to: t, labels: [opt.value], ...range });
          return;
        }
      }
    }
    // Labels name the selected region of a drawing tool (Brush, MagicWand, … + Labels)
    if (sel && k.tag === 'Labels' && k.toName.includes(sel.to) && this.control(sel.control)?.tool) {
      this.setRegionAnswer(sel.id, k.name, { labels: [opt.value] });
      this.say(`Region labelled ${opt.value}.`);
      return;
    }
    if (sel && ((sel.control === k.name && !k.tool) || (sel.kind === 'track' && k.toName.includes(sel.to)))) {
      this.commit(() => {
        if (k.choice === 'multiple') {
          sel.labels = sel.labels.includes(opt.value) ? sel.labels.filter((l) => l !== opt.value) : [...sel.labels, opt.value];
        } else sel.labels = [opt.value];
      });
      this.say(`Region labelled ${opt.value}.`);
      return;
    }
    const same = this.active && this.active.k === k && this.active.opt === opt;
    this.active = same ? null : { k, opt };
    if (!same && sel) this.selected = null;
    this.refresh();
    if (!same) this.say(`${opt.value || k.tag}: ${k.region === 'rect' ? 'drag on the image to draw a box' : k.region === 'polygon' ? 'click points on the image; click the first point or press Enter to close' : k.region === 'keypoint' ? 'click on the image to place points' : k.region === 'ellipse' ? 'drag on the image to draw an ellipse' : k.wand ? 'click on the image to fill by colour; drag sideways to change the tolerance' : k.region === 'brush' ? 'paint on the image ([ and ] change the size, E erases)' : k.region === 'ts' ? 'drag across the chart for a range, click for an instant (on the focused chart: [ and ] at the cursor, Enter)' : k.region === 'tl' ? 'drag along its row under the video, or press [ on the video at the first frame and ] at the last' : 'select text to label it'}.`);
  }

  setClass(name, value) {
    this.commit(() => {
      if (value === null || value === undefined) delete this.state.classes[name];
      else this.state.classes[name] = { id: (this.state.classes[name] && this.state.classes[name].id) || randomId(), value };
    });
  }

  /** Sets an answer without an undo step per keystroke (text inputs). */
  setClassQuiet(name, value) {
    if (value === null) delete this.state.classes[name];
    else this.state.classes[name] = { id: (this.state.classes[name] && this.state.classes[name].id) || randomId(), value };
    this.emit();
  }

  setRegionAnswer(regionId, name, value, quiet) {
    const r = this.region(regionId);
    if (!r) return;
    const apply = () => {
      if (value === null) delete r.answers[name];
      else r.answers[name] = value;
    };
    if (quiet) {
      apply();
      this.emit();
    } else this.commit(apply);
  }

  /** The answer a control shows now: its own, or the selected region's. */
  answerFor(k) {
    if (k.perRegion) {
      const r = this.selected && this.region(this.selected);
      return r && k.toName.includes(r.to) ? r.answers[k.name] || null : null;
    }
    return (this.state.classes[k.name] && this.state.classes[k.name].value) || null;
  }

  setAnswer(k, value, quiet) {
    if (k.perRegion) {
      const r = this.selected && this.region(this.selected);
      if (r) this.setRegionAnswer(r.id, k.name, value, quiet);
    } else if (quiet) this.setClassQuiet(k.name, value);
    else this.setClass(k.name, value);
  }

  say(msg) {
    this.banner.textContent = msg;
    this.banner.hidden = !msg;
    clearTimeout(this.sayTimer);
    this.sayTimer = setTimeout(() => {
      this.banner.hidden = true;
    }, 5000);
  }

  refresh() {
    for (const v of this.objectViews.values()) v.render();
    for (const [name, v] of this.controlViews) {
      v.el.hidden = !isVisible(this, this.control(name));
      v.render();
    }
    this.renderSide();
  }

  // ---- side panel: regions and relations ----

  regionTitle(r) {
    // a drawing tool's region takes its labels from a Labels control's answer
    const lab = [...r.labels, ...Object.values(r.answers).flatMap((a) => a.labels || [])].join(', ') || '(no label)';
    if (r.kind === 'span' || r.kind === 'html' || (r.kind === 'para' && r.text)) return `${lab}: “${r.text.length > 40 ? r.text.slice(0, 40) + '…' : r.text}”`;
    if (r.kind === 'para') return `${lab} (paragraph ${r.start + 1}${r.end > r.start ? `–${r.end + 1}` : ''})`;
    if (r.kind === 'audio') return `${lab} (${r.start.toFixed(2)}–${r.end.toFixed(2)} s)`;
    if (r.kind === 'ts') {
      const t = (v) => (typeof v === 'number' ? String(+v.toFixed(3)) : String(v));
      return r.instant ? `${lab} (at ${t(r.start)})` : `${lab} (${t(r.start)} to ${t(r.end)})`;
    }
    if (r.kind === 'tl') return `${lab} (frames ${r.ranges.map((g) => (g.end > g.start ? `${g.start}–${g.end}` : g.start)).join(', ')})`;
    if (r.kind === 'track') return `${lab} (track, ${r.sequence.length} keyframe${r.sequence.length === 1 ? '' : 's'})`;
    return `${lab} (${{ rect: 'box', polygon: 'polygon', ellipse: 'ellipse', brush: 'mask' }[r.kind] || 'point'})`;
  }

  colorOf(r) {
    const k = this.control(r.control);
    // a video track's labels come from a Labels control on the same video
    const o = (k && (k.options.find((x) => x.value === r.labels[0]) || (k.tool && k.options[0]))) || (r.kind === 'track' && [...this.cfg.controls.values()].flatMap((c) => c.options).find((x) => x.value === r.labels[0]));
    return o ? o.background : '#64748b';
  }

  /** Redraws the side panel; a button of it that had the focus keeps it (a region's first button when it went). */
  renderSide() {
    keepFocus(this.side, () => this.drawSide(), () => this.side.querySelector('.region-pick, button:not([disabled])'));
  }

  drawSide() {
    const side = clear(this.side);
    const regions = this.state.regions;
    const drawable = [...this.cfg.controls.values()].some((k) => k.region);
    this.side.hidden = !drawable && !regions.length && !this.cfg.relations;
    if (this.side.hidden) return;
    side.append(h('h3', { class: 'side-title' }, `Regions (${regions.length})`));
    if (!regions.length) side.append(h('p', { class: 'muted small' }, this.readOnly ? 'No regions.' : 'Choose a label (or press its number), then draw or select text.'));
    const list = h('ul', { class: 'region-list' });
    for (const r of regions) {
      const sel = r.id === this.selected;
      const dot = h('span', { class: 'dot' });
      dot.style.background = this.colorOf(r);
      list.append(h('li', { class: ['region-item', sel && 'selected', r.origin === 'prediction' && 'suggested'] },
        h('button', { type: 'button', class: 'link region-pick', dataset: { fkey: `p:${r.id}` }, 'aria-pressed': String(sel), onclick: () => this.select(sel ? null : r.id) }, dot, this.regionTitle(r), r.origin === 'prediction' ? h('span', { class: 'tag' }, 'suggested') : null),
        this.readOnly ? null : h('button', { type: 'button', class: 'icon-btn', dataset: { fkey: `r:${r.id}` }, title: 'Relate to another region (R)', 'aria-label': 'Relate', onclick: () => { this.selected = r.id; this.startLink(); } }, '↔'),
        this.readOnly ? null : h('button', { type: 'button', class: 'icon-btn danger', dataset: { fkey: `d:${r.id}` }, title: 'Delete (Del)', 'aria-label': `Delete ${this.regionTitle(r)}`, onclick: () => this.deleteRegion(r.id) }, '×')));
    }
    side.append(list);
    if (this.state.relations.length || this.cfg.relations) {
      side.append(h('h3', { class: 'side-title' }, `Relations (${this.state.relations.length})`));
      const rl = h('ul', { class: 'region-list' });
      this.state.relations.forEach((rel, i) => {
        const a = this.region(rel.from_id);
        const b = this.region(rel.to_id);
        if (!a || !b) return;
        const arrow = rel.direction === 'left' ? '←' : rel.direction === 'bi' ? '↔' : '→';
        let labelSel = null;
        if (this.cfg.relations && this.cfg.relations.options.length) {
          labelSel = h('select', { 'aria-label': 'Relation label', disabled: this.readOnly, onchange: (e) => this.commit(() => { rel.labels = e.target.value ? [e.target.value] : []; }) },
            h('option', { value: '' }, '—'), this.cfg.relations.options.map((o) => h('option', { value: o.value, selected: rel.labels.includes(o.value) }, o.value)));
        }
        rl.append(h('li', { class: 'region-item relation' },
          h('span', { class: 'rel-text' }, `${a.labels[0] || a.kind} `,
            h('button', { type: 'button', class: 'link', title: 'Change direction', disabled: this.readOnly, onclick: () => this.commit(() => { rel.direction = { right: 'left', left: 'bi', bi: 'right' }[rel.direction] || 'right'; }) }, arrow),
            ` ${b.labels[0] || b.kind}`),
          labelSel,
          this.readOnly ? null : h('button', { type: 'button', class: 'icon-btn danger', 'aria-label': 'Delete relation', onclick: () => this.commit(() => this.state.relations.splice(i, 1)) }, '×')));
      });
      side.append(rl);
      if (!this.readOnly && !this.state.relations.length) side.append(h('p', { class: 'muted small' }, 'Select a region and press R, then pick another.'));
    }
    if (!this.readOnly) {
      side.append(h('div', { class: 'side-actions' },
        h('button', { type: 'button', class: 'btn small', dataset: { fkey: 'undo' }, disabled: !this.history.length, onclick: () => this.undo(), title: 'Ctrl+Z' }, 'Undo'),
        h('button', { type: 'button', class: 'btn small', dataset: { fkey: 'redo' }, disabled: !this.future.length, onclick: () => this.redo(), title: 'Ctrl+Shift+Z' }, 'Redo')));
    }
  }

  // ---- keyboard ----

  onKey(e) {
    if (!this.host.isConnected) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && !e.altKey && (e.key === 'z' || e.key === 'Z')) {
      if (isTyping(e)) return;
      e.preventDefault();
      return e.shiftKey ? this.redo() : this.undo();
    }
    if (mod && e.key === 'y') {
      if (isTyping(e)) return;
      e.preventDefault();
      return this.redo();
    }
    if (isTyping(e) || mod || e.altKey) return;
    if (e.key === 'Escape') {
      for (const v of this.objectViews.values()) if (v.cancel && v.cancel()) return;
      if (this.linkFrom) this.linkFrom = null;
      else if (this.selected) this.selected = null;
      else this.active = null;
      this.refresh();
      return;
    }
    if ((e.key === 'Delete' || e.key === 'Backspace') && this.selected) {
      e.preventDefault();
      this.deleteRegion(this.selected);
      return;
    }
    const key = e.key.toLowerCase();
    for (const k of this.cfg.controls.values()) {
      for (const opt of k.options) {
        if (!opt.hotkey || opt.hotkey.toLowerCase() !== key) continue;
        e.preventDefault();
        if (k.region) this.pickLabel(k, opt);
        else if (k.tag === 'Choices') this.controlViews.get(k.name)?.toggle(opt);
        return;
      }
    }
    if (key === 'r' && this.selected) {
      e.preventDefault();
      this.startLink();
    }
  }

  // ---- result JSON ----

  geometry(r) {
    if (r.kind === 'rect') return { x: r.x, y: r.y, width: r.width, height: r.height, rotation: r.rotation || 0 };
    if (r.kind === 'polygon') return { points: r.points.map((p) => [p[0], p[1]]), closed: true };
    if (r.kind === 'keypoint') return { x: r.x, y: r.y, width: r.size || 1 };
    if (r.kind === 'span') return { start: r.start, end: r.end, text: r.text };
    // ParagraphLabels: paragraph indices and offsets in the first and last one (saveTextResult="no": no text)
    if (r.kind === 'para') return { start: r.start, end: r.end, startOffset: r.startOffset, endOffset: r.endOffset, ...(r.noText ? {} : { text: r.text }) };
    if (r.kind === 'ellipse') return { x: r.x, y: r.y, radiusX: r.radiusX, radiusY: r.radiusY, rotation: r.rotation || 0 };
    if (r.kind === 'brush') return { format: 'rle', rle: r.rle || [] };
    if (r.kind === 'audio') return { start: r.start, end: r.end, channel: 0 };
    if (r.kind === 'ts') return { start: r.start, end: r.end, instant: !!r.instant };
    if (r.kind === 'html') return { start: r.start, end: r.end, startOffset: r.startOffset, endOffset: r.endOffset, ...(r.globalOffsets ? { globalOffsets: { ...r.globalOffsets } } : {}), text: r.text };
    if (r.kind === 'tl') return { ranges: r.ranges.map((g) => ({ start: g.start, end: g.end })) };
    return {};
  }

  /** The Label Studio result array. */
  getResult() {
    const round = (v) => (typeof v === 'number' ? Math.round(v * 1e4) / 1e4 : v);
    const out = [];
    for (const r of this.state.regions) {
      const k = this.control(r.control);
      if (!k) continue;
      const view = this.objectViews.get(r.to);
      if (r.kind === 'track') {
        out.push({ id: r.id, from_name: k.name, to_name: r.to, type: k.type, value: view ? view.trackValue(r) : { sequence: r.sequence, labels: r.labels } });
        continue;
      }
      if (r.kind === 'brush' && !r.rle && !r.png) continue; // a mask still being made (a stroke, the wand's worker)
      const geo = this.geometry(r);
      // Bitmask(Labels): the mask as a PNG data URL; the one loaded stays while the mask is unchanged
      if (r.kind === 'brush' && (k.type === 'bitmasklabels' || k.type === 'bitmask')) {
        if (!r.png && view && view.brush && view.natural) r.png = view.brush.maskToPng(r.rle, view.natural.w, view.natural.h);
        delete geo.format;
        delete geo.rle;
        geo.imageDataURL = r.png || '';
      }
      for (const key of ['x', 'y', 'width', 'height', 'radiusX', 'radiusY']) if (key in geo) geo[key] = round(geo[key]);
      if (geo.points) geo.points = geo.points.map(([x, y]) => [round(x), round(y)]);
      const extra = {};
      if (view && view.natural) Object.assign(extra, { original_width: view.natural.w, original_height: view.natural.h, image_rotation: 0 });
      if (view && view.mediaLength) extra.original_length = view.mediaLength;
      // a drawing tool without labels (Rectangle, Brush, …) writes the shape alone
      const labels = k.tool ? {} : { [k.type]: [...r.labels] };
      out.push({ id: r.id, from_name: k.name, to_name: r.to, type: k.type, ...extra, value: { ...geo, ...labels }, ...(r.origin && r.origin.startsWith('prediction') ? { origin: 'prediction' } : {}) });
      for (const [name, value] of Object.entries(r.answers)) {
        const c = this.control(name);
        if (c) out.push({ id: r.id, from_name: name, to_name: r.to, type: c.type, ...extra, value: { ...geo, ...value } });
      }
    }
    for (const [name, { id, value }] of Object.entries(this.state.classes)) {
      const k = this.control(name);
      if (k) out.push({ id, from_name: name, ...(k.toName.length ? { to_name: k.toName[0] } : {}), type: k.type, value: { ...value } });
    }
    for (const [name, byIndex] of Object.entries(this.state.items || {})) {
      const k = this.control(name);
      if (!k) continue;
      for (const [index, { id, value }] of Object.entries(byIndex)) out.push({ id, from_name: name, to_name: k.toName[0], type: k.type, value: { ...value, item_index: Number(index) } });
    }
    for (const rel of this.state.relations) {
      out.push({ type: 'relation', from_id: rel.from_id, to_id: rel.to_id, direction: rel.direction, ...(rel.labels.length ? { labels: [...rel.labels] } : {}) });
    }
    return out;
  }

  /** Loads a Label Studio result array (a draft, a prediction, a submission). */
  load(result, fromPrediction) {
    const regions = new Map();
    const st = { regions: [], classes: {}, relations: [], items: {} };
    for (const item of result) {
      if (!item || typeof item !== 'object') continue;
      if (item.type === 'relation') {
        st.relations.push({ from_id: item.from_id, to_id: item.to_id, direction: item.direction || 'right', labels: item.labels || [] });
        continue;
      }
      const k = this.control(item.from_name);
      if (k && k.tag === 'VideoRectangle' && item.value && Array.isArray(item.value.sequence) && this.cfg.objects.has(item.to_name)) {
        const r = { id: String(item.id || randomId()), kind: 'track', control: k.name, to: item.to_name, labels: [...(item.value.labels || [])], answers: {}, sequence: item.value.sequence.map((f) => ({ ...f })) };
        regions.set(r.id, r);
        st.regions.push(r);
        continue;
      }
      if (!k || !k.region || !item.value || !this.cfg.objects.has(item.to_name)) continue;
      const v = item.value;
      const tooled = item.id !== undefined && regions.get(String(item.id));
      if (tooled && k.tag === 'Labels' && this.control(tooled.control)?.tool) {
        tooled.answers[k.name] = { labels: [...(v.labels || [])] };
        continue;
      }
      const r = { id: String(item.id || randomId()), kind: k.region, control: k.name, to: item.to_name, labels: [...(v[k.type] || [])], answers: {} };
      if (fromPrediction || item.origin === 'prediction') r.origin = 'prediction';
      if (k.region === 'rect') Object.assign(r, { x: +v.x, y: +v.y, width: +v.width, height: +v.height, rotation: +v.rotation || 0 });
      else if (k.region === 'polygon') r.points = (v.points || []).map((p) => [+p[0], +p[1]]);
      else if (k.region === 'keypoint') Object.assign(r, { x: +v.x, y: +v.y, size: v.width });
      else if (k.region === 'span' && /^Audio/.test(this.cfg.objects.get(item.to_name).tag)) Object.assign(r, { kind: 'audio', start: +v.start, end: +v.end });
      else if (k.region === 'span' && this.cfg.objects.get(item.to_name).tag === 'Paragraphs') Object.assign(r, { kind: 'para', start: +v.start, end: +v.end, startOffset: +v.startOffset || 0, endOffset: +v.endOffset || 0, text: v.text || '', noText: !('text' in v) });
      else if (k.region === 'span') Object.assign(r, { start: +v.start, end: +v.end, text: v.text || '' });
      else if (k.region === 'ts') Object.assign(r, { start: v.start, end: v.end, instant: !!v.instant });
      else if (k.region === 'html') Object.assign(r, { start: String(v.start), end: String(v.end), startOffset: +v.startOffset || 0, endOffset: +v.endOffset || 0, text: v.text || '', ...(v.globalOffsets ? { globalOffsets: { start: +v.globalOffsets.start, end: +v.globalOffsets.end } } : {}) });
      else if (k.region === 'tl') r.ranges = (Array.isArray(v.ranges) ? v.ranges : []).map((g) => ({ start: +g.start, end: +g.end }));
      else if (k.region === 'ellipse') Object.assign(r, { x: +v.x, y: +v.y, radiusX: +v.radiusX, radiusY: +v.radiusY, rotation: +v.rotation || 0 });
      else if (k.region === 'brush' && typeof v.imageDataURL === 'string') Object.assign(r, { rle: [], png: v.imageDataURL }); // Bitmask: decoded when shown (image.js)
      else if (k.region === 'brush') r.rle = Array.isArray(v.rle) ? v.rle : [];
      regions.set(r.id, r);
      st.regions.push(r);
    }
    for (const item of result) {
      if (!item || item.type === 'relation') continue;
      const k = this.control(item.from_name);
      if (!k || k.region || !item.value) continue;
      const key = VALUE_KEYS[k.type];
      if (!key || !(key in item.value)) continue;
      const value = { [key]: item.value[key] };
      if (k.perItem && Number.isInteger(item.value.item_index) && item.value.item_index >= 0) {
        (st.items[k.name] ||= {})[item.value.item_index] = { id: String(item.id || randomId()), value };
        continue;
      }
      const r = item.id !== undefined && regions.get(String(item.id));
      if (r && k.perRegion) r.answers[k.name] = value;
      else st.classes[k.name] = { id: String(item.id || randomId()), value };
    }
    st.relations = st.relations.filter((rel) => regions.has(rel.from_id) && regions.has(rel.to_id));
    this.state = st;
  }

  /** Checks required, maxUsages, perRegion and maxSubmissions; returns messages. */
  validate() {
    const problems = [];
    const regionName = (r) => this.regionTitle(r);
    for (const k of this.cfg.controls.values()) {
      if (k.tag === 'Relations' || !isVisible(this, k)) continue;
      const what = k.hint || k.name;
      if (k.region) {
        const mine = this.state.regions.filter((r) => r.control === k.name);
        if (k.required && !mine.length) problems.push({ control: k.name, message: k.requiredMessage || `Add at least one region with “${what}”.` });
        for (const o of k.options) {
          const limit = o.maxUsages || k.maxUsages;
          const used = mine.filter((r) => r.labels.includes(o.value)).length;
          if (limit && used > limit) problems.push({ control: k.name, message: `“${o.value}” is used ${used} times; at most ${limit} allowed.` });
        }
        for (const r of mine) if (!r.labels.length && !k.tool) problems.push({ control: k.name, message: `A region of “${what}” has no label.` });
        if (k.region === 'polygon') for (const r of mine) if (r.points.length < 3) problems.push({ control: k.name, message: 'A polygon needs at least 3 points.' });
        continue;
      }
      if (this.perTurn(k)) {
        if (k.required && !Object.keys(this.state.items[k.name] || {}).length) problems.push({ control: k.name, message: k.requiredMessage || `Answer “${what}” for at least one turn.` });
        continue;
      }
      if (k.perRegion) {
        if (!k.required) continue;
        for (const r of this.state.regions) {
          if (k.toName.includes(r.to) && !r.answers[k.name]) problems.push({ control: k.name, region: r.id, message: k.requiredMessage || `Answer “${what}” for region ${regionName(r)}.` });
        }
        continue;
      }
      const ans = this.state.classes[k.name];
      const empty = !ans || (k.type === 'choices' && !(ans.value.choices || []).length) || (k.type === 'textarea' && !(ans.value.text || []).some((t) => t.trim()));
      if (k.required && empty) problems.push({ control: k.name, message: k.requiredMessage || `“${what}” needs an answer.` });
      if (k.type === 'textarea' && ans && k.maxSubmissions && ans.value.text.length > k.maxSubmissions) problems.push({ control: k.name, message: `“${what}” accepts at most ${k.maxSubmissions} texts.` });
      if (k.type === 'choices' && ans) {
        for (const o of k.options) if (o.maxUsages && (ans.value.choices || []).includes(o.value) && o.maxUsages < 1) problems.push({ control: k.name, message: `“${o.value}” may not be used.` });
      }
    }
    for (const v of this.controlViews.values()) v.el.classList.remove('invalid');
    for (const p of problems) this.controlViews.get(p.control)?.el.classList.add('invalid');
    return problems;
  }
}
