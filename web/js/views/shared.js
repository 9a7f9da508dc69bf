// Helpers several views share: local storage that may fail, the active-time
// counter of the work screens, a figure card, a percentage. Views import them
// from here and never from each other's files for these, so the view modules
// form no import cycle (tools/check-imports.mjs checks that).
import { h } from '../dom.js';

const IDLE_SECONDS = 60;

export function readJSON(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

export function writeJSON(key, v) {
  try {
    localStorage.setItem(key, JSON.stringify(v));
  } catch {
    /* storage full or blocked: drafts are a convenience */
  }
}

/** Counts seconds while the tab is visible and the person was active in the last minute. */
export class ActiveTimer {
  constructor(start, onTick) {
    this.seconds = start || 0;
    this.onTick = onTick;
    this.lastInput = performance.now();
    this.last = performance.now();
    this.bump = () => {
      this.lastInput = performance.now();
    };
    for (const ev of ['pointerdown', 'pointermove', 'keydown', 'wheel', 'input']) document.addEventListener(ev, this.bump, { passive: true, capture: true });
    this.vis = () => {
      this.last = performance.now();
      this.bump();
    };
    document.addEventListener('visibilitychange', this.vis);
    this.iv = setInterval(() => this.tick(), 1000);
  }

  get running() {
    return document.visibilityState === 'visible' && (performance.now() - this.lastInput) / 1000 < IDLE_SECONDS;
  }

  tick() {
    const now = performance.now();
    const dt = Math.min(5, (now - this.last) / 1000);
    this.last = now;
    if (this.running) this.seconds += dt;
    this.onTick(this.seconds, this.running);
  }

  stop() {
    clearInterval(this.iv);
    for (const ev of ['pointerdown', 'pointermove', 'keydown', 'wheel', 'input']) document.removeEventListener(ev, this.bump, { capture: true });
    document.removeEventListener('visibilitychange', this.vis);
  }
}

export function stat(label, value, note) {
  return h('div', { class: 'stat card' }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value' }, value), note ? h('div', { class: 'stat-note muted' }, note) : null);
}

/** 0.666 → '67%'; null → '—'. */
export function pct(v) {
  return v === null || v === undefined || Number.isNaN(v) ? '—' : `${Math.round(v * 100)}%`;
}

/** A project's instructions as a collapsible panel whose open or closed
 * state is remembered on this device (per project); the first time it is
 * open on wide screens and closed on phones, so the task comes first. */
export function instructionsPanel(projectId, content) {
  const key = `fc.instructions.${projectId}`;
  const saved = localStorage.getItem(key);
  const panel = h('details', { class: 'work-instructions card', open: saved === null ? window.innerWidth > 900 : saved === 'open' }, h('summary', null, 'Instructions'), content);
  panel.addEventListener('toggle', () => localStorage.setItem(key, panel.open ? 'open' : 'closed'));
  return panel;
}

/** A code or control name as words: "instructions_not_followed" →
 * "Instructions not followed", "label_1" → "Label 1". */
export function asWords(code) {
  if (code === null || code === undefined) return '';
  const t = String(code).replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').trim();
  return t.charAt(0).toUpperCase() + t.slice(1);
}
