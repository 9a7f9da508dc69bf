// The Video object: frame-accurate stepping (requestVideoFrameCallback
// reports the frame on screen), VideoRectangle tracks made of keyframes with
// linear interpolation between them, per-keyframe visibility, a keyframe
// timeline per track, copy-to-next-frame and frame-step hotkeys. Tracks live
// in the annotator's state as {kind: 'track', sequence: [{frame, x, y,
// width, height, enabled, time}]} (frames from 1, boxes in percent) and
// leave it as Label Studio `videorectangle` results with framesCount and
// duration. TimelineLabels ranges are drawn by video-segments.js.
import { h, clear, isTyping } from '../dom.js';
import { ensureCss, clockText } from './media-common.js';
import { VideoSegments } from './video-segments.js';

const round2 = (x) => Math.round(x * 100) / 100;
const clamp = (x, lo, hi) => Math.max(lo, Math.min(hi, x));

/**
 * A track's keyframes in frame order, cached per sequence array: edits
 * replace the array (filter/concat), so a cached order stays right; an
 * in-place push or splice changes the length and is sorted again.
 */
const ordered = new WeakMap();
function keysInOrder(sequence) {
  let o = ordered.get(sequence);
  if (!o || o.n !== sequence.length) {
    // stable: among keyframes on one frame the first listed wins, as before
    o = { n: sequence.length, keys: [...sequence].sort((p, q) => p.frame - q.frame) };
    ordered.set(sequence, o);
  }
  return o.keys;
}

/**
 * The box of a track at frame f: a keyframe's own, or the linear blend of
 * the keyframes around it; null where the track is hidden (before its first
 * keyframe, or after a keyframe with enabled false until the next one: as in
 * Label Studio, enabled false ends the track after that frame). A binary
 * search: a 10,000-keyframe track costs 14 steps a frame.
 */
export function boxAt(sequence, f) {
  const keys = keysInOrder(sequence);
  let lo = 0;
  let hi = keys.length; // first index with frame > f
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid].frame <= f) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return null;
  let i = lo - 1;
  while (i > 0 && keys[i - 1].frame === keys[i].frame) i--;
  const prev = keys[i];
  const next = lo < keys.length ? keys[lo] : null;
  if (prev.frame === f) return { ...prev, keyframe: true };
  if (prev.enabled === false) return null;
  if (!next) return { ...prev, keyframe: false };
  const t = (f - prev.frame) / (next.frame - prev.frame);
  const mix = (a, b) => a + (b - a) * t;
  return { frame: f, x: mix(prev.x, next.x), y: mix(prev.y, next.y), width: mix(prev.width, next.width), height: mix(prev.height, next.height), enabled: true, keyframe: false };
}

/**
 * The marks of a keyframe timeline: at most MAX_MARKS buttons a track, the
 * keyframes that fall in one slot of the bar sharing the button of the first
 * (a 10,000-keyframe track would otherwise be 10,000 buttons, each a tab
 * stop, rebuilt on every edit).
 */
const MAX_MARKS = 200;
export function timelineMarks(sequence, framesCount) {
  const keys = keysInOrder(sequence);
  const span = Math.max(1, framesCount - 1);
  const marks = [];
  let slot = -1;
  for (const k of keys) {
    const s = keys.length <= MAX_MARKS ? k.frame : Math.floor(((k.frame - 1) / span) * MAX_MARKS);
    if (s === slot && marks.length) marks[marks.length - 1].more++;
    else marks.push({ key: k, more: 0 });
    slot = s;
  }
  return marks;
}

export class VideoView {
  constructor(ann, obj, value) {
    ensureCss();
    this.ann = ann;
    this.obj = obj;
    this.fps = Number(obj.el.getAttribute('framerate') || obj.el.getAttribute('frameRate')) || 24;
    this.frame = 1;
    this.framesCount = 0;
    this.mediaLength = 0;
    // metadata first: the frame count and the first frame show without
    // waiting for the file; the player fetches the rest by byte ranges
    this.video = h('video', { preload: 'metadata', src: String(value || ''), playsinline: true, muted: true });
    this.pendingTime = null; // a seek asked for while another is in flight
    this.boxes = new Map(); // track id → its box on the overlay
    this.nows = []; // the playhead mark of each timeline row
    this.overlay = h('div', { class: 'vt-overlay' });
    const segs = [...ann.cfg.controls.values()].filter((k) => k.tag === 'TimelineLabels' && k.toName.includes(obj.name));
    this.segments = segs.length ? new VideoSegments(this, segs) : null;
    this.stage = h('div', { class: 'vt-stage', tabindex: '0', role: 'application', 'aria-label': `Video ${obj.name}: , and . step a frame, N adds a box, arrows move it, K sets a keyframe, H ends the track here, C copies to the next frame${this.segments ? ', [ and ] begin and end a range of the chosen timeline label' : ''}` }, this.video, this.overlay);
    this.frameText = h('span', { class: 'vt-frame', 'aria-live': 'polite' }, 'Frame 1');
    this.playBtn = h('button', { type: 'button', class: 'btn small', title: 'Play or pause (Space)', onclick: () => this.playPause() }, '▶ Play');
    this.timeline = h('div', { class: 'vt-timeline' });
    // dragging: fast (keyframe) seeks where the browser has them, one exact seek on release
    this.scrub = h('input', { type: 'range', min: '1', max: '1', value: '1', class: 'vt-scrub', 'aria-label': 'Frame',
      oninput: () => this.seekFrame(+this.scrub.value, { fast: true }), onchange: () => this.seekFrame(+this.scrub.value) });
    const btn = (text, title, fn) => h('button', { type: 'button', class: 'btn small', title, onclick: fn }, text);
    this.el = h('div', { class: ['ann-object', 'video-object'], dataset: { object: obj.name } },
      this.stage,
      h('div', { class: 'aw-toolbar' }, this.playBtn,
        btn('−10', 'Back 10 frames (Shift+,)', () => this.step(-10)), btn('−1', 'Previous frame (,)', () => this.step(-1)),
        btn('+1', 'Next frame (.)', () => this.step(1)), btn('+10', 'Forward 10 frames (Shift+.)', () => this.step(10)),
        this.frameText),
      this.scrub,
      ann.readOnly || !this.boxControl() ? null : h('div', { class: 'aw-toolbar' },
        btn('Add box (N)', 'A new track with a box here', () => this.addTrack()),
        btn('Keyframe (K)', 'Make this frame a keyframe of the selected track, or remove it', () => this.toggleKeyframe()),
        btn('End/resume (H)', 'The selected track ends at this frame (the object left), or shows again here', () => this.toggleVisible()),
        btn('Copy to next (C)', 'Copy the box to the next frame and step there', () => this.copyNext())),
      this.timeline, this.segments && this.segments.el);
    this.video.addEventListener('loadedmetadata', () => this.ready());
    this.video.addEventListener('play', () => { this.playBtn.textContent = '❚❚ Pause'; this.watchFrames(); });
    this.video.addEventListener('pause', () => { this.playBtn.textContent = '▶ Play'; this.syncFrame(); });
    this.video.addEventListener('seeked', () => (this.pendingTime !== null ? this.flushSeek() : this.syncFrame()));
    this.el.addEventListener('keydown', (e) => this.onKey(e));
    this.overlay.addEventListener('pointerdown', (e) => this.pointerDown(e));
    if (this.video.readyState >= 1) this.ready();
  }

  ready() {
    if (this.isReady) return;
    this.isReady = true;
    this.mediaLength = Math.round(this.video.duration * 1000) / 1000;
    this.framesCount = Math.max(1, Math.round(this.video.duration * this.fps));
    this.scrub.max = String(this.framesCount);
    this.render();
    this.ann.emit(); // results now carry framesCount and duration
  }

  /** Escape: drops a range begun with [. */
  cancel() {
    return this.segments ? this.segments.cancel() : false;
  }

  destroy() {
    this.dead = true;
    this.video.pause();
  }

  // ---- frames ----

  /**
   * Frame n (from 1) is shown from (n-1)/fps; seeking to its middle avoids
   * the boundary. The frame number, boxes and timeline follow at once; the
   * player gets one seek at a time, the latest asked for winning (a seek
   * decodes from the previous keyframe: queueing every scrub position would
   * keep the decoder seconds behind the hand). fast: the nearest keyframe
   * where the browser can (fastSeek), while a drag is on.
   */
  seekFrame(n, { fast = false } = {}) {
    n = clamp(Math.round(n), 1, this.framesCount || 1);
    if (!this.video.paused) this.video.pause();
    this.frame = n;
    this.pendingTime = (n - 0.5) / this.fps;
    this.pendingFast = fast && typeof this.video.fastSeek === 'function';
    if (!this.video.seeking) this.flushSeek();
    this.showFrame();
  }

  flushSeek() {
    const t = this.pendingTime;
    this.pendingTime = null;
    if (t === null) return;
    if (this.pendingFast) this.video.fastSeek(t);
    else this.video.currentTime = t;
  }

  step(d) {
    this.seekFrame(this.frame + d);
  }

  syncFrame() {
    if (this.video.paused) this.showFrame();
  }

  /** While playing, follow the frame actually presented. */
  watchFrames() {
    if (!this.video.requestVideoFrameCallback) return;
    const onFrame = (now, meta) => {
      if (this.dead) return;
      this.frame = clamp(Math.floor(meta.mediaTime * this.fps + 1e-6) + 1, 1, this.framesCount || 1);
      this.showFrame();
      if (!this.video.paused) this.video.requestVideoFrameCallback(onFrame);
    };
    this.video.requestVideoFrameCallback(onFrame);
  }

  playPause() {
    if (this.video.paused) this.video.play().catch(() => {});
    else this.video.pause();
  }

  // ---- tracks ----

  tracks() {
    return this.ann.regionsOf(this.obj.name).filter((r) => r.kind === 'track');
  }

  selectedTrack() {
    const r = this.ann.selected && this.ann.region(this.ann.selected);
    return r && r.kind === 'track' && r.to === this.obj.name ? r : null;
  }

  boxControl() {
    return [...this.ann.cfg.controls.values()].find((k) => k.tag === 'VideoRectangle' && k.toName.includes(this.obj.name));
  }

  addTrack(box) {
    const k = this.boxControl();
    if (!k) return;
    const a = this.ann.active;
    const labels = a && a.k.toName.includes(this.obj.name) ? [a.opt.value] : [];
    const b = box || { x: 40, y: 35, width: 20, height: 30 };
    this.ann.addRegion({ kind: 'track', control: k.name, to: this.obj.name, labels, sequence: [this.keyframe(b)] });
    this.ann.select(this.tracks().at(-1).id);
  }

  keyframe(b, enabled = true) {
    return { frame: this.frame, x: round2(b.x), y: round2(b.y), width: round2(b.width), height: round2(b.height), enabled, rotation: 0, time: Math.round(((this.frame - 1) / this.fps) * 1000) / 1000 };
  }

  /** Sets the selected track's box at this frame (a keyframe), from fn(current box). */
  editBox(fn) {
    const r = this.selectedTrack();
    if (!r) return this.ann.say('Select a track first (click its box, or pick it in the list).');
    const cur = boxAt(r.sequence, this.frame) || r.sequence[r.sequence.length - 1];
    const next = fn({ ...cur });
    next.width = clamp(next.width, 0.5, 100);
    next.height = clamp(next.height, 0.5, 100);
    next.x = clamp(next.x, 0, 100 - next.width);
    next.y = clamp(next.y, 0, 100 - next.height);
    this.ann.commit(() => {
      r.sequence = r.sequence.filter((k) => k.frame !== this.frame).concat(this.keyframe(next, true)).sort((p, q) => p.frame - q.frame);
    });
  }

  toggleKeyframe() {
    const r = this.selectedTrack();
    if (!r) return this.ann.say('Select a track first.');
    const own = r.sequence.find((k) => k.frame === this.frame);
    if (own && r.sequence.length > 1) {
      this.ann.commit(() => { r.sequence = r.sequence.filter((k) => k !== own); });
      this.ann.say(`Keyframe at frame ${this.frame} removed.`);
    } else if (!own) {
      this.editBox((b) => b);
      this.ann.say(`Keyframe at frame ${this.frame}.`);
    }
  }

  toggleVisible() {
    const r = this.selectedTrack();
    if (!r) return this.ann.say('Select a track first.');
    const shown = boxAt(r.sequence, this.frame);
    const base = shown || [...r.sequence].reverse().find((k) => k.frame <= this.frame) || r.sequence[0];
    this.ann.commit(() => {
      r.sequence = r.sequence.filter((k) => k.frame !== this.frame).concat(this.keyframe(base, !shown)).sort((p, q) => p.frame - q.frame);
    });
    this.ann.say(shown ? `The track ends at frame ${this.frame}.` : `Shown again from frame ${this.frame}.`);
  }

  copyNext() {
    const r = this.selectedTrack();
    if (!r) return this.ann.say('Select a track first.');
    const b = boxAt(r.sequence, this.frame);
    if (!b) return this.ann.say('The track is hidden on this frame.');
    if (this.frame >= this.framesCount) return;
    this.frame += 1;
    this.ann.commit(() => {
      r.sequence = r.sequence.filter((k) => k.frame !== this.frame).concat(this.keyframe(b, true)).sort((p, q) => p.frame - q.frame);
    });
    this.seekFrame(this.frame);
  }

  // ---- pointer: draw a new box, move or resize the selected one ----

  pointerDown(e) {
    if (this.ann.readOnly || e.button !== 0) return;
    const rect = this.overlay.getBoundingClientRect();
    const at = (ev) => ({ x: clamp(((ev.clientX - rect.left) / rect.width) * 100, 0, 100), y: clamp(((ev.clientY - rect.top) / rect.height) * 100, 0, 100) });
    const p0 = at(e);
    const hit = e.target.closest('[data-track]');
    const handle = e.target.closest('.vt-handle');
    if (hit) this.ann.select(hit.dataset.track);
    const r = hit ? this.ann.region(hit.dataset.track) : null;
    const start = r && boxAt(r.sequence, this.frame);
    const ghost = h('div', { class: 'vt-box vt-ghost' });
    if (!r) this.overlay.append(ghost);
    let last = p0;
    const move = (ev) => {
      last = at(ev);
      if (!r) {
        Object.assign(ghost.style, { left: `${Math.min(p0.x, last.x)}%`, top: `${Math.min(p0.y, last.y)}%`, width: `${Math.abs(last.x - p0.x)}%`, height: `${Math.abs(last.y - p0.y)}%` });
      }
    };
    const up = () => {
      this.overlay.removeEventListener('pointermove', move);
      this.overlay.removeEventListener('pointerup', up);
      ghost.remove();
      const dx = last.x - p0.x;
      const dy = last.y - p0.y;
      if (!r) {
        if (Math.abs(dx) > 1 && Math.abs(dy) > 1) this.addTrack({ x: Math.min(p0.x, last.x), y: Math.min(p0.y, last.y), width: Math.abs(dx), height: Math.abs(dy) });
      } else if (start && (Math.abs(dx) > 0.2 || Math.abs(dy) > 0.2)) {
        this.editBox((b) => (handle ? { ...b, width: start.width + dx, height: start.height + dy } : { ...b, x: start.x + dx, y: start.y + dy }));
      }
    };
    this.overlay.setPointerCapture?.(e.pointerId);
    this.overlay.addEventListener('pointermove', move);
    this.overlay.addEventListener('pointerup', up);
    e.preventDefault();
  }

  // ---- drawing ----

  /**
   * Everything that depends on the tracks: one box element per track on the
   * overlay, the timeline rows and their keyframe marks. Called on edits and
   * selection; a new frame only moves what is already there (showFrame).
   */
  render() {
    if (!this.isReady) return;
    const boxes = new Map();
    const tl = clear(this.timeline);
    this.nows = [];
    const span = Math.max(1, this.framesCount - 1);
    for (const r of this.tracks()) {
      const sel = r.id === this.ann.selected;
      const colour = this.ann.colorOf(r);
      const box = h('div', { class: ['vt-box', sel && 'selected'], dataset: { track: r.id }, title: this.ann.regionTitle(r) },
        h('span', { class: 'vt-tag' }, r.labels.join(', ') || 'track'), sel && !this.ann.readOnly ? h('span', { class: 'vt-handle' }) : null);
      box.style.borderColor = colour;
      boxes.set(r.id, { el: box, r, last: '' });
      const row = h('div', { class: ['vt-row', sel && 'selected'] }, h('button', { type: 'button', class: 'link vt-row-name', 'aria-pressed': String(sel), onclick: () => this.ann.select(sel ? null : r.id) }, this.ann.regionTitle(r)));
      const bar = h('div', { class: 'vt-bar' });
      for (const { key: k, more } of timelineMarks(r.sequence, this.framesCount)) {
        const off = k.enabled === false ? ' (the track ends here)' : '';
        const also = more ? ` and ${more} more up to the next mark` : '';
        const mark = h('button', { type: 'button', class: ['vt-key', k.enabled === false && 'off'], title: `Keyframe ${k.frame}${off}${also}`, 'aria-label': `Go to keyframe ${k.frame}${also}`, onclick: () => { this.ann.select(r.id); this.seekFrame(k.frame); } });
        mark.style.left = `${((k.frame - 1) / span) * 100}%`;
        mark.style.background = colour;
        bar.append(mark);
      }
      const now = h('span', { class: 'vt-now' });
      this.nows.push(now);
      bar.append(now);
      row.append(bar);
      tl.append(row);
    }
    this.overlay.replaceChildren();
    if (this.segments) this.segments.render();
    this.boxes = boxes;
    this.shownFrame = 0;
    this.showFrame();
  }

  /** The current frame: its number, the boxes' places and the playhead marks; only what changed is written. */
  showFrame() {
    if (!this.isReady || this.shownFrame === this.frame) return;
    this.shownFrame = this.frame;
    this.frameText.textContent = `Frame ${this.frame} / ${this.framesCount} · ${clockText((this.frame - 1) / this.fps)}`;
    this.scrub.value = String(this.frame);
    this.scrub.setAttribute('aria-valuetext', `Frame ${this.frame}`);
    for (const b of this.boxes.values()) {
      const at = boxAt(b.r.sequence, this.frame);
      const key = at ? `${at.x},${at.y},${at.width},${at.height},${at.keyframe}` : '';
      if (key === b.last) continue;
      b.last = key;
      if (!at) {
        b.el.remove(); // hidden on this frame: off the overlay
        continue;
      }
      if (!b.el.isConnected) this.overlay.append(b.el);
      b.el.classList.toggle('keyframe', at.keyframe);
      Object.assign(b.el.style, { left: `${at.x}%`, top: `${at.y}%`, width: `${at.width}%`, height: `${at.height}%` });
    }
    const left = `${((this.frame - 1) / Math.max(1, this.framesCount - 1)) * 100}%`;
    for (const now of this.nows) now.style.left = left;
    if (this.segments) this.segments.showFrame();
  }

  /** Label Studio's track value. */
  trackValue(r) {
    return { framesCount: this.framesCount, duration: this.mediaLength, sequence: r.sequence.map((k) => ({ ...k })), labels: [...r.labels] };
  }

  // ---- keyboard ----

  onKey(e) {
    if (isTyping(e) || e.ctrlKey || e.metaKey) return;
    const onButton = e.target && e.target.tagName === 'BUTTON';
    const key = e.key;
    const by = e.shiftKey ? 5 : 1;
    let done = true;
    if (key === ',' || key === '<') this.step(e.shiftKey ? -10 : -1);
    else if (key === '.' || key === '>') this.step(e.shiftKey ? 10 : 1);
    else if (key === ' ' && !onButton) this.playPause();
    else if (this.ann.readOnly) done = false;
    else if ((key === '[' || key === ']') && this.segments && !this.isHotkey(key)) this.segments.key(key);
    else if ((key === 'n' || key === 'N') && !this.isHotkey('n')) this.addTrack();
    else if ((key === 'k' || key === 'K') && !this.isHotkey('k')) this.toggleKeyframe();
    else if ((key === 'h' || key === 'H') && !this.isHotkey('h')) this.toggleVisible();
    else if ((key === 'c' || key === 'C') && !this.isHotkey('c')) this.copyNext();
    else if (key.startsWith('Arrow') && this.selectedTrack() && e.target === this.stage) {
      const d = { ArrowLeft: [-by, 0], ArrowRight: [by, 0], ArrowUp: [0, -by], ArrowDown: [0, by] }[key];
      this.editBox((b) => (e.altKey ? { ...b, width: b.width + d[0], height: b.height + d[1] } : { ...b, x: b.x + d[0], y: b.y + d[1] }));
    } else done = false;
    if (done) {
      e.preventDefault();
      e.stopPropagation();
    }
  }

  isHotkey(key) {
    return [...this.ann.cfg.controls.values()].some((k) => k.options.some((o) => o.hotkey && o.hotkey.toLowerCase() === key));
  }
}
