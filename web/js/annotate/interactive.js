// The Smart tool of the image annotator, for a project whose ML backend is
// interactive (SAM-style): a click or a drawn box goes to the model
// (POST /projects/{id}/ml/interactive, Label Studio's params.context), and
// the regions it answers (boxes, polygons, brush masks: whatever the config
// has) appear as suggestions, dashed like a model's predictions, to move,
// reshape, accept or clear. By keyboard: on the focused image the arrows move
// a crosshair (Shift: further), B marks a box corner, Enter sends the point
// or the box, Esc drops the corner, then leaves the tool. Loaded only when
// the lease says the project has such a model (annotator.js, opts.interact).
import { h, s, randomId } from '../dom.js';

const clamp = (v, a, b) => Math.min(b, Math.max(a, v));

/** Adds a Smart tool to every image of the annotator; interact(context) → Promise<{result, score, model_version}>. */
export function attachSmart(ann, interact) {
  const tools = [];
  for (const view of ann.objectViews.values()) {
    if (view.svg && view.stage && view.viewport && view.obj.tag === 'Image') tools.push(new SmartTool(ann, view, interact));
  }
  return tools;
}

class SmartTool {
  constructor(ann, view, interact) {
    this.ann = ann;
    this.view = view;
    this.interact = interact;
    this.on = false;
    this.busy = false;
    this.cross = [50, 50]; // the keyboard's crosshair, percent of the image
    this.corner = null; // a box's first corner (keyboard)
    this.drag = null;
    this.pending = new Set(); // ids of the suggested regions not yet accepted or cleared
    const name = view.obj.name;
    this.button = h('button', { type: 'button', class: 'btn small smart-btn', 'aria-pressed': 'false', title: 'Smart: click or draw a box and the model outlines the object', onclick: () => this.toggle(!this.on) }, 'Smart');
    view.el.querySelector('.img-toolbar')?.append(this.button);
    this.overlay = s('svg', { class: 'img-overlay smart-overlay', role: 'presentation', 'data-object': name });
    this.overlay.style.display = 'none';
    view.stage.append(this.overlay);
    this.text = h('p', null);
    this.bar = h('section', { class: 'ml-suggest smart-suggest', 'aria-label': `Smart suggestions on ${name}`, hidden: true }, this.text,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn small', onclick: () => this.accept() }, 'Accept smart suggestions'),
        h('button', { type: 'button', class: 'btn small', onclick: () => this.clearPending() }, 'Clear smart suggestions')));
    view.viewport.after(this.bar);
    this.overlay.addEventListener('pointerdown', (e) => this.down(e));
    this.overlay.addEventListener('pointermove', (e) => this.move(e));
    this.overlay.addEventListener('pointerup', (e) => this.up(e));
    this.overlay.addEventListener('pointercancel', () => { this.drag = null; this.draw(); });
    // before the image view's own keys: while the tool is on, the keys are its own
    view.viewport.addEventListener('keydown', (e) => this.key(e), true);
    // the toolbar's hint tells what the Smart tool does while it is on
    const render = view.render.bind(view);
    view.render = () => {
      render();
      if (this.on) view.hint.textContent = 'Smart: click the object or drag a box · arrows, B, Enter';
    };
  }

  toggle(on) {
    this.on = on;
    this.corner = null;
    this.drag = null;
    this.button.setAttribute('aria-pressed', String(on));
    this.overlay.style.display = on ? '' : 'none';
    this.view.viewport.classList.toggle('smart', on);
    this.view.render();
    this.draw();
    this.ann.say(on ? 'Smart: click the object or drag a box around it; on the focused image, arrows move the crosshair, B marks a box corner, Enter asks the model.' : 'Smart tool off.');
  }

  pct(e) {
    const r = this.overlay.getBoundingClientRect();
    return [clamp(((e.clientX - r.left) / r.width) * 100, 0, 100), clamp(((e.clientY - r.top) / r.height) * 100, 0, 100)];
  }

  down(e) {
    if (e.button !== 0 || this.busy) return;
    e.preventDefault();
    this.view.viewport.focus({ preventScroll: true });
    const p = this.pct(e);
    this.drag = { start: p, cur: p };
    this.overlay.setPointerCapture(e.pointerId);
    this.draw();
  }

  move(e) {
    if (!this.drag) return;
    this.drag.cur = this.pct(e);
    this.draw();
  }

  up(e) {
    const d = this.drag;
    this.drag = null;
    if (!d) return;
    try {
      this.overlay.releasePointerCapture(e.pointerId);
    } catch {
      /* already released */
    }
    this.cross = d.start;
    const box = this.box(d.start, d.cur);
    this.send(box.width > 1 && box.height > 1 ? box : null);
  }

  box(a, b) {
    return { x: Math.min(a[0], b[0]), y: Math.min(a[1], b[1]), width: Math.abs(b[0] - a[0]), height: Math.abs(b[1] - a[1]) };
  }

  key(e) {
    if (!this.on || e.ctrlKey || e.metaKey || e.altKey) return;
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const stop = () => {
      e.preventDefault();
      e.stopImmediatePropagation();
    };
    if (arrows[e.key]) {
      stop();
      const step = e.shiftKey ? 5 : 1;
      this.cross = [clamp(this.cross[0] + arrows[e.key][0] * step, 0, 100), clamp(this.cross[1] + arrows[e.key][1] * step, 0, 100)];
      this.draw();
    } else if (e.key === 'b' || e.key === 'B') {
      stop();
      this.corner = [...this.cross];
      this.draw();
      this.ann.say('Box corner marked: move to the opposite corner and press Enter.');
    } else if (e.key === 'Enter') {
      stop();
      const box = this.corner && this.box(this.corner, this.cross);
      this.corner = null;
      this.send(box && box.width > 1 && box.height > 1 ? box : null);
    } else if (e.key === 'Escape') {
      stop();
      if (this.corner) {
        this.corner = null;
        this.draw();
      } else this.toggle(false);
    }
  }

  /** The crosshair, a box being drawn. */
  draw() {
    const o = this.overlay;
    o.replaceChildren();
    if (!this.on) return;
    const [cx, cy] = this.cross;
    o.append(s('line', { class: 'smart-cross', x1: `${cx}%`, y1: '0', x2: `${cx}%`, y2: '100%' }),
      s('line', { class: 'smart-cross', x1: '0', y1: `${cy}%`, x2: '100%', y2: `${cy}%` }));
    const a = this.drag ? this.drag.start : this.corner;
    const b = this.drag ? this.drag.cur : this.cross;
    if (a) {
      const r = this.box(a, b);
      o.append(s('rect', { class: 'drawing-shape smart-box', x: `${r.x}%`, y: `${r.y}%`, width: `${r.width}%`, height: `${r.height}%` }));
    }
  }

  /** The control the context names: the picked label's, else one of the image's for that shape, else any of its. */
  control(kind) {
    const a = this.ann.active;
    const name = this.view.obj.name;
    if (a && a.k.region && a.k.toName.includes(name)) return { k: a.k, label: a.opt.value };
    const mine = [...this.ann.cfg.controls.values()].filter((k) => k.region && k.region !== 'span' && k.toName.includes(name));
    const k = mine.find((c) => c.region === kind) || mine[0];
    return k ? { k, label: k.options[0]?.value } : null;
  }

  /** Sends a click (box null: at the crosshair) or a box to the model. */
  async send(box) {
    if (this.busy) return;
    const c = this.control(box ? 'rect' : 'keypoint');
    if (!c) return this.ann.say('This image has no region control for the model to fill.');
    const nat = this.view.natural || {};
    const type = box ? 'rectanglelabels' : 'keypointlabels';
    const value = box ? { ...box, rotation: 0 } : { x: this.cross[0], y: this.cross[1], width: 1 };
    if (c.label !== undefined) value[type] = [c.label];
    const context = { result: [{ id: randomId(), type, from_name: c.k.name, to_name: this.view.obj.name, original_width: nat.w, original_height: nat.h, image_rotation: 0, is_positive: true, value }] };
    this.busy = true;
    this.view.viewport.setAttribute('aria-busy', 'true');
    this.ann.say('Asking the model…');
    this.draw();
    try {
      const answer = await this.interact(context);
      this.take(answer || {});
    } catch (e) {
      this.ann.say(`The model could not help here: ${e.message}`);
    } finally {
      this.busy = false;
      this.view.viewport.removeAttribute('aria-busy');
    }
  }

  /** Adds the model's regions as suggestions (fresh ids; a region's per-region answers keep theirs in step). */
  take(answer) {
    const name = this.view.obj.name;
    const ids = new Map();
    const items = (Array.isArray(answer.result) ? answer.result : []).filter((it) => it && typeof it === 'object' && it.type !== 'relation' && it.to_name === name);
    const added = items.map((it) => {
      const key = it.id === undefined ? randomId() : String(it.id);
      if (!ids.has(key)) ids.set(key, randomId());
      return { ...it, id: ids.get(key), origin: 'prediction' };
    });
    const before = new Set(this.ann.state.regions.map((r) => r.id));
    if (added.length) this.ann.commit(() => this.ann.load([...this.ann.getResult(), ...added], false));
    const fresh = this.ann.state.regions.filter((r) => !before.has(r.id) && r.to === name);
    // a suggested region keeps its mark after load; the earlier suggestions too
    for (const r of this.ann.state.regions) if (this.pending.has(r.id) || fresh.includes(r)) r.origin = 'prediction';
    for (const r of fresh) this.pending.add(r.id);
    this.prune();
    if (!fresh.length) {
      this.ann.say('The model found nothing there.');
      return;
    }
    const sure = typeof answer.score === 'number' ? `, ${Math.round(answer.score * 100)}% confident` : '';
    this.text.textContent = `Suggested by model ${answer.model_version || ''}${sure}: ${this.pending.size} region${this.pending.size === 1 ? '' : 's'}. Move or reshape them, then accept or clear.`;
    this.ann.refresh();
    this.ann.say(`The model suggested ${fresh.length} region${fresh.length === 1 ? '' : 's'}.`);
  }

  /** Forgets suggestions the contributor deleted; hides the bar when none is left. */
  prune() {
    for (const id of this.pending) if (!this.ann.region(id)) this.pending.delete(id);
    this.hideBar(!this.pending.size);
  }

  /** Hides the bar (or shows it); focus inside it goes back to the image. */
  hideBar(hide) {
    if (hide && this.bar.contains(document.activeElement)) this.view.viewport.focus({ preventScroll: true });
    this.bar.hidden = hide;
  }

  accept() {
    this.prune();
    this.ann.commit(() => {
      for (const id of this.pending) delete this.ann.region(id).origin;
    });
    this.pending.clear();
    this.hideBar(true);
    this.ann.say('Smart suggestions accepted: they are your answer now.');
  }

  clearPending() {
    const gone = this.pending;
    this.ann.commit(() => {
      this.ann.state.regions = this.ann.state.regions.filter((r) => !gone.has(r.id));
      this.ann.state.relations = this.ann.state.relations.filter((rel) => !gone.has(rel.from_id) && !gone.has(rel.to_id));
    });
    this.pending = new Set();
    this.hideBar(true);
    this.ann.say('Smart suggestions cleared.');
  }
}
