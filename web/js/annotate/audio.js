// The Audio object: a waveform (wavesurfer.js, built into the binary from
// npm) with zoom, a spectrogram on demand, labelled regions made by dragging
// or by keyboard ([ and ] set the start and end at the playhead), playback
// speed, looping a region. Regions live in the annotator's state as
// {kind: 'audio', start, end} (seconds) and leave it as Label Studio
// `labels` results with `original_length`; a per-region TextArea is the
// transcription of the selected region.
//
// A recording stored here (/api/v1/media/ID) is drawn from peaks the server
// decodes (GET …/peaks), so an hour of audio draws at once and plays by
// streaming; any other URL is fetched and decoded in the browser.
import { h, isTyping } from '../dom.js';
import { ensureCss, withAdoptedStyles, clockText } from './media-common.js';

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];
const ZOOMS = [0, 10, 25, 50, 100, 200, 400, 800]; // px per second; 0 fits the whole file
const SPECTROGRAM_MAX_SECONDS = 20 * 60; // the spectrogram decodes the file in the browser
const round3 = (x) => Math.round(x * 1000) / 1000;

function rgba(hex, a) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || '');
  return m ? `rgba(${parseInt(m[1], 16)},${parseInt(m[2], 16)},${parseInt(m[3], 16)},${a})` : `rgba(100,116,139,${a})`;
}

/** The id of a recording stored here, from a task's audio URL, or null. */
export function storedMediaId(url) {
  const m = /^\/api\/v1\/media\/(\d+)$/.exec(String(url || ''));
  return m ? m[1] : null;
}

/** Peaks from the server, one byte each: about 100 per second, at most 200,000. */
export async function fetchPeaks(id, seconds) {
  const n = Math.max(200, Math.min(200000, Math.round((seconds || 60) * 100)));
  const res = await fetch(`/api/v1/media/${id}/peaks?n=${n}&format=u8`, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`peaks: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const peaks = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) peaks[i] = bytes[i] / 255;
  return { peaks, duration_seconds: Number(res.headers.get('X-Duration-Seconds')) || seconds };
}

export class AudioView {
  constructor(ann, obj, value) {
    ensureCss();
    this.ann = ann;
    this.obj = obj;
    this.url = String(value || '');
    this.mediaLength = 0;
    this.markStart = null;
    this.pending = null;
    this.loop = false;
    this.zoomIndex = 0;
    this.syncing = false;
    this.audio = h('audio', { preload: 'metadata', src: this.url, hidden: true });
    this.time = h('span', { class: 'aw-time', 'aria-live': 'off' }, '0:00.0 / –');
    this.playBtn = h('button', { type: 'button', class: 'btn small', title: 'Play or pause (Space)', onclick: () => this.playPause() }, '▶ Play');
    this.speed = h('select', { 'aria-label': 'Playback speed', onchange: () => this.setSpeed(+this.speed.value) },
      SPEEDS.map((s) => h('option', { value: String(s), selected: s === 1 }, `${s}×`)));
    this.loopBox = h('input', { type: 'checkbox', onchange: () => { this.loop = this.loopBox.checked; } });
    this.specBtn = h('button', { type: 'button', class: 'btn small', 'aria-pressed': 'false', onclick: () => this.toggleSpectrogram() }, 'Spectrogram');
    this.wave = h('div', { class: 'aw-wave', tabindex: '0', role: 'slider', 'aria-label': `Waveform of ${obj.name}: Space plays, arrows seek, [ and ] mark a region, + and - zoom`, 'aria-valuemin': '0', 'aria-valuemax': '0', 'aria-valuenow': '0' });
    this.spec = h('div', { class: 'aw-spec', hidden: true });
    this.status = h('p', { class: 'muted small aw-status' }, 'Loading the waveform…');
    const readOnly = ann.readOnly;
    this.el = h('div', { class: ['ann-object', 'audio-object'], dataset: { object: obj.name } },
      h('div', { class: 'aw-toolbar' },
        this.playBtn,
        h('button', { type: 'button', class: 'btn small', title: 'Back 5 seconds (Shift+←)', onclick: () => this.seekBy(-5) }, '−5 s'),
        h('button', { type: 'button', class: 'btn small', title: 'Forward 5 seconds (Shift+→)', onclick: () => this.seekBy(5) }, '+5 s'),
        h('label', { class: 'aw-field' }, 'Speed ', this.speed),
        h('button', { type: 'button', class: 'btn small', 'aria-label': 'Zoom out (-)', onclick: () => this.zoomBy(-1) }, '−'),
        h('button', { type: 'button', class: 'btn small', 'aria-label': 'Zoom in (+)', onclick: () => this.zoomBy(1) }, '+'),
        h('label', { class: 'aw-field' }, this.loopBox, ' Loop region'),
        this.specBtn,
        this.time),
      this.wave, this.spec,
      readOnly ? null : h('div', { class: 'aw-toolbar' },
        h('button', { type: 'button', class: 'btn small', onclick: () => this.mark('start') }, 'Start here ['),
        h('button', { type: 'button', class: 'btn small', onclick: () => this.mark('end') }, 'End here ]'),
        h('span', { class: 'muted small' }, 'Or drag across the waveform. Alt+←/→ moves the selected region’s start, Alt+Shift+←/→ its end.')),
      this.status, this.audio);
    this.el.addEventListener('keydown', (e) => this.onKey(e));
    this.target = null; // a seek asked for while the player is still seeking
    this.audio.addEventListener('seeked', () => this.flushSeek());
    this.start();
  }

  async start() {
    try {
      // the library, the file's length and then its peaks: the first two at the same time
      const id = storedMediaId(this.url);
      const stored = id ? this.metadataDuration().then((d) => fetchPeaks(id, d).then((p) => ({ d, p }))) : null;
      stored?.catch(() => {}); // handled below, once the library is here
      const [{ default: WaveSurfer }, { default: RegionsPlugin }] = await Promise.all([
        import('/vendor/wavesurfer.js/wavesurfer.esm.js'), import('/vendor/wavesurfer.js/regions.esm.js')]);
      if (this.dead) return;
      this.WaveSurfer = WaveSurfer;
      let peaks = null;
      let duration = 0;
      if (stored) {
        const { d, p } = await stored;
        peaks = [p.peaks];
        duration = p.duration_seconds || d;
      }
      if (this.dead) return;
      this.regions = RegionsPlugin.create();
      this.ws = withAdoptedStyles(() => WaveSurfer.create({
        container: this.wave, media: this.audio, height: 112, waveColor: '#94a3b8', progressColor: '#4338ca',
        cursorColor: '#0f172a', cursorWidth: 2, normalize: true, autoScroll: true,
        ...(peaks ? { peaks, duration } : { url: this.url }), plugins: [this.regions],
      }));
      this.ws.on('ready', (d) => this.ready(d));
      this.ws.on('timeupdate', (t) => this.followed(t));
      this.ws.on('play', () => { this.playBtn.textContent = '❚❚ Pause'; });
      this.ws.on('pause', () => { this.playBtn.textContent = '▶ Play'; });
      this.ws.on('error', (e) => { this.status.textContent = `The recording cannot be played: ${e && e.message ? e.message : e}`; });
      if (!this.ann.readOnly) this.regions.enableDragSelection({ color: 'rgba(67,56,202,.25)' });
      this.regions.on('region-created', (reg) => this.created(reg));
      this.regions.on('region-updated', (reg) => this.moved(reg));
      this.regions.on('region-clicked', (reg, e) => { e.stopPropagation(); this.ann.select(reg.id); });
      this.regions.on('region-out', (reg) => { if (this.loop && reg.id === this.ann.selected) reg.play(); });
      if (peaks) this.ready(duration);
    } catch (e) {
      this.status.textContent = `The waveform cannot be drawn (${e.message}); the recording still plays below.`;
      this.audio.controls = true;
      this.audio.hidden = false;
    }
  }

  /** The recording's length from its headers (preload=metadata), 0 if unknown. */
  metadataDuration() {
    if (this.audio.readyState >= 1) return Promise.resolve(this.audio.duration || 0);
    return new Promise((resolve) => {
      const done = () => resolve(Number.isFinite(this.audio.duration) ? this.audio.duration : 0);
      this.audio.addEventListener('loadedmetadata', done, { once: true });
      this.audio.addEventListener('error', () => resolve(0), { once: true });
      setTimeout(done, 4000);
    });
  }

  ready(duration) {
    if (this.isReady || this.dead) return;
    this.isReady = true;
    this.mediaLength = round3(duration || this.ws.getDuration() || 0);
    this.wave.setAttribute('aria-valuemax', String(this.mediaLength));
    this.status.textContent = this.ann.readOnly ? '' : 'Choose a label, then drag across the waveform, or press [ and ] while it plays.';
    this.tick(0);
    this.render();
    this.ann.emit(); // the result now carries original_length
  }

  destroy() {
    this.dead = true;
    if (this.ws) this.ws.destroy();
  }

  // ---- playback ----

  playPause() {
    if (this.ws) this.ws.playPause();
  }

  /** The playhead: where the last seek asked for, else the media element's (which wavesurfer follows). */
  now() {
    return this.target ?? (this.audio.currentTime || 0);
  }

  /**
   * Scrubbing: the playhead and the clock move at once (a style change
   * and, once a frame, the text); the media element gets one seek at a
   * time, the latest position winning, so a held arrow key or a fast drag
   * does not queue a seek (a bisection of a long Ogg file) per event.
   * The waveform itself is never redrawn for a seek.
   */
  seek(t) {
    if (!this.isReady) return;
    this.target = Math.max(0, Math.min(this.mediaLength, t));
    this.ws?.updateProgress?.(this.target);
    if (!this.audio.seeking) this.flushSeek();
    this.tickSoon();
  }

  flushSeek() {
    if (this.target === null || this.audio.seeking) return;
    const t = this.target;
    this.target = null;
    if (Math.abs(this.audio.currentTime - t) > 1e-3) this.audio.currentTime = t;
  }

  /** wavesurfer's timeupdate: while a later seek waits, the playhead stays where it was asked to be. */
  followed(t) {
    if (this.target !== null) this.ws.updateProgress(this.target);
    this.tick(this.now());
  }

  /** The clock and the slider's value, once per animation frame at most. */
  tickSoon() {
    if (this.tickQueued) return;
    this.tickQueued = true;
    requestAnimationFrame(() => {
      this.tickQueued = false;
      if (!this.dead) this.tick(this.now());
    });
  }

  seekBy(s) {
    this.seek(this.now() + s);
  }

  setSpeed(rate) {
    if (this.ws) this.ws.setPlaybackRate(rate, true);
    this.speed.value = String(rate);
  }

  zoomBy(d) {
    this.zoomIndex = Math.max(0, Math.min(ZOOMS.length - 1, this.zoomIndex + d));
    if (this.ws && this.isReady) this.ws.zoom(ZOOMS[this.zoomIndex]);
    this.ann.say(this.zoomIndex ? `Zoom: ${ZOOMS[this.zoomIndex]} pixels per second.` : 'Zoom: whole recording.');
  }

  tick(t) {
    this.time.textContent = `${clockText(t)} / ${this.mediaLength ? clockText(this.mediaLength) : '–'}`;
    this.wave.setAttribute('aria-valuenow', String(round3(t)));
    this.wave.setAttribute('aria-valuetext', clockText(t));
  }

  async toggleSpectrogram() {
    if (!this.ws) return;
    const on = this.spec.hidden;
    this.spec.hidden = !on;
    this.specBtn.setAttribute('aria-pressed', String(on));
    if (!on || this.specPlugin) return;
    if (this.mediaLength > SPECTROGRAM_MAX_SECONDS) {
      this.spec.hidden = true;
      this.specBtn.setAttribute('aria-pressed', 'false');
      this.ann.say('The spectrogram is drawn in the browser and needs the whole file: only for recordings up to 20 minutes.');
      return;
    }
    this.ann.say('Decoding the recording for the spectrogram…');
    const { default: Spectrogram } = await import('/vendor/wavesurfer.js/spectrogram.esm.js');
    if (this.dead) return;
    this.specPlugin = withAdoptedStyles(() => this.ws.registerPlugin(Spectrogram.create({ container: this.spec, height: 128, labels: true, useWebWorker: false, scale: 'mel', labelsColor: '#0f172a', labelsBackground: 'rgba(255,255,255,.85)' })));
    if (storedMediaId(this.url)) {
      // drawn from peaks so far: decode the real samples now (keeps the playhead)
      const t = this.now();
      await this.ws.load(this.url);
      this.seek(t);
      this.render();
    }
  }

  // ---- regions ----

  /** The control new regions use: the active label's, else the first Labels on this audio. */
  labelControl() {
    const a = this.ann.active;
    if (a && a.k.toName.includes(this.obj.name) && a.k.region) return { k: a.k, opt: a.opt };
    const k = [...this.ann.cfg.controls.values()].find((c) => c.region && c.toName.includes(this.obj.name));
    return k ? { k, opt: null } : null;
  }

  addRange(start, end) {
    const lc = this.labelControl();
    if (!lc) return;
    start = round3(Math.max(0, Math.min(start, end)));
    end = round3(Math.min(this.mediaLength || Infinity, Math.max(start, end)));
    if (end - start < 0.01) return this.ann.say('A region needs a start before its end.');
    if (!lc.opt) {
      this.pending = { start, end };
      this.ann.say(`Marked ${clockText(start)}–${clockText(end)}: now choose its label.`);
      return;
    }
    this.ann.addRegion({ kind: 'audio', control: lc.k.name, to: this.obj.name, labels: [lc.opt.value], start, end });
  }

  /** Called by the annotator when a label is picked: the marked range, if any. */
  takeSelection() {
    const p = this.pending;
    this.pending = null;
    return p ? { kind: 'audio', ...p } : null;
  }

  cancel() {
    if (this.pending || this.markStart !== null) {
      this.pending = null;
      this.markStart = null;
      this.ann.say('Marking cancelled.');
      return true;
    }
    return false;
  }

  mark(which) {
    if (!this.ws || this.ann.readOnly) return;
    const t = this.now();
    if (which === 'start') {
      this.markStart = t;
      this.ann.say(`Start marked at ${clockText(t)}; press ] at the end.`);
    } else if (this.markStart === null) {
      this.ann.say('Press [ at the start first.');
    } else {
      const s = this.markStart;
      this.markStart = null;
      this.addRange(s, t);
    }
  }

  created(reg) {
    if (this.syncing) return;
    // a drag on the waveform: the annotator's state owns regions, so the
    // drawn one is replaced by the state's on the next render
    const { start, end } = reg;
    reg.remove();
    this.addRange(start, end);
    this.render();
  }

  moved(reg) {
    const r = this.ann.region(reg.id);
    if (!r) return;
    const start = round3(reg.start);
    const end = round3(reg.end);
    this.ann.commit(() => { r.start = start; r.end = end; });
  }

  nudge(edge, by) {
    const r = this.ann.selected && this.ann.region(this.ann.selected);
    if (!r || r.to !== this.obj.name || r.kind !== 'audio') return false;
    const max = this.mediaLength || Infinity;
    this.ann.commit(() => {
      if (edge === 'start') r.start = round3(Math.max(0, Math.min(r.end - 0.01, r.start + by)));
      else r.end = round3(Math.min(max, Math.max(r.start + 0.01, r.end + by)));
    });
    return true;
  }

  render() {
    if (!this.regions || !this.isReady) return;
    this.syncing = true;
    this.regions.clearRegions();
    for (const r of this.ann.regionsOf(this.obj.name)) {
      if (r.kind !== 'audio') continue;
      const sel = r.id === this.ann.selected;
      // inside the waveform's shadow root: the page's stylesheet does not reach it
      const content = h('span', null, r.labels.join(', ') || '(no label)');
      Object.assign(content.style, { display: 'inline-block', margin: '2px', padding: '0 4px', borderRadius: '4px', background: 'rgba(255,255,255,.92)', color: '#0f172a', font: '700 12px/1.4 system-ui, sans-serif' });
      const reg = this.regions.addRegion({ id: r.id, start: r.start, end: r.end, color: rgba(this.ann.colorOf(r), sel ? 0.45 : 0.22), content, drag: !this.ann.readOnly, resize: !this.ann.readOnly });
      if (sel && reg.element) reg.element.style.outline = '2px solid #0f172a';
    }
    this.syncing = false;
  }

  // ---- keyboard (focus anywhere inside the audio object) ----

  isHotkey(key) {
    return [...this.ann.cfg.controls.values()].some((k) => k.options.some((o) => o.hotkey && o.hotkey.toLowerCase() === key));
  }

  onKey(e) {
    if (e.ctrlKey || e.metaKey) return;
    if (isTyping(e)) return;
    const onButton = e.target && e.target.tagName === 'BUTTON';
    if (e.altKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
      if (this.nudge(e.shiftKey ? 'end' : 'start', e.key === 'ArrowLeft' ? -0.1 : 0.1)) e.preventDefault();
      return;
    }
    if (e.altKey) return;
    let done = true;
    if (e.key === ' ' && !onButton) this.playPause();
    else if (e.key === 'ArrowLeft' && !onButton) this.seekBy(e.shiftKey ? -5 : -1);
    else if (e.key === 'ArrowRight' && !onButton) this.seekBy(e.shiftKey ? 5 : 1);
    else if (e.key === 'Home' && !onButton) this.seek(0);
    else if (e.key === 'End' && !onButton) this.seek(this.mediaLength);
    else if (e.key === '[') this.mark('start');
    else if (e.key === ']') this.mark('end');
    else if (e.key === '+' || e.key === '=') this.zoomBy(1);
    else if (e.key === '-') this.zoomBy(-1);
    else if (e.key === '>') this.setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, SPEEDS.indexOf(+this.speed.value) + 1)]);
    else if (e.key === '<') this.setSpeed(SPEEDS[Math.max(0, SPEEDS.indexOf(+this.speed.value) - 1)]);
    else if (e.key === 'l' && !this.isHotkey('l')) {
      this.loop = this.loopBox.checked = !this.loop;
      this.ann.say(this.loop ? 'Looping the selected region.' : 'Loop off.');
      const r = this.loop && this.regions && this.regions.getRegions().find((x) => x.id === this.ann.selected);
      if (r) r.play();
    } else done = false;
    if (done) {
      e.preventDefault();
      e.stopPropagation();
    }
  }
}
