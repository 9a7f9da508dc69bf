// The collection work screen: a prompt to read aloud, photograph or film.
// Record in the browser (live level meter, play back, re-record) or take or
// pick a photo; the file uploads with a progress bar as soon as it is ready
// and the server's checks show at once; submit (idempotent, retried); next.
import { h, add, s, clear, money, clock, toast, randomId, isTyping, setProse } from '../dom.js';
import { api, post, upload } from '../api.js';
import { ActiveTimer, readJSON, writeJSON, instructionsPanel } from './shared.js';

const leaseKey = (pid) => `fc-lease-${pid}`;

// Icons as inline SVG (Feather, MIT): emoji fonts are missing on some systems.
const ICONS = {
  up: ['path', { d: 'M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3' }],
  down: ['path', { d: 'M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17' }],
  camera: ['path', { d: 'M23 19a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h4l2-3h6l2 3h4a2 2 0 0 1 2 2zM12 17a4 4 0 1 0 0-8 4 4 0 0 0 0 8z' }],
  image: ['path', { d: 'M5 3h14a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zM8.5 10a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zM21 15l-5-5L5 21' }],
};
export function icon(name, cls = '') {
  const [tag, attrs] = ICONS[name];
  return s('svg', { class: `icon ${cls}`, viewBox: '0 0 24 24', width: 24, height: 24, fill: 'none', stroke: 'currentColor', 'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true' }, s(tag, attrs));
}

export const MEDIA_WORDS = {
  audio: { verb: 'Read this aloud', noun: 'recording', start: 'Start recording', check: 'Listen and vote' },
  image: { verb: 'Take a photo of', noun: 'photo', start: 'Start taking photos', check: 'Look and vote' },
  video: { verb: 'Film this', noun: 'video', start: 'Start filming', check: 'Watch and vote' },
  sensor: { verb: 'Do this with your phone', noun: 'sensor recording', start: 'Start recording', check: 'Check and vote' },
};

/** The text a contributor acts on: task.data[collect.prompt_field], else the first text field. */
export function promptOf(project, data) {
  const field = (project.collect && project.collect.prompt_field) || 'sentence';
  const v = data && data[field];
  if (typeof v === 'string' && v.trim()) return v;
  const any = Object.values(data || {}).find((x) => typeof x === 'string' && x.trim() && !/^(data:|https?:|\/)/.test(x));
  return any || '';
}

const fmtSeconds = (s) => `${(Math.round(s * 10) / 10).toFixed(1)} s`;
const fmtBytes = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

/** What the project allows, in plain words ("1–15 s, at least 16 kHz"). */
export function specSummary(spec) {
  const out = [];
  if (spec.media !== 'image') {
    if (spec.min_seconds && spec.max_seconds) out.push(`${spec.min_seconds}–${spec.max_seconds} s long`);
    else if (spec.min_seconds) out.push(`at least ${spec.min_seconds} s long`);
    else if (spec.max_seconds) out.push(`at most ${spec.max_seconds} s long`);
  }
  if (spec.media === 'audio' && spec.min_sample_rate) out.push(`at least ${spec.min_sample_rate / 1000} kHz`);
  if (spec.media !== 'audio' && (spec.min_width || spec.min_height)) out.push(`at least ${spec.min_width || '?'}×${spec.min_height || '?'} pixels`);
  if (spec.max_bytes) out.push(`up to ${fmtBytes(spec.max_bytes)}`);
  return out.join(' · ');
}

/** The server's measurements as a list of passed checks, in plain words. */
export function checkLines(media, spec) {
  const p = media.probe || {};
  const c = media.checks || {};
  const lines = [];
  if (p.duration_seconds) lines.push(`Length ${fmtSeconds(p.duration_seconds)}${spec.min_seconds || spec.max_seconds ? ` (${spec.min_seconds || 0}–${spec.max_seconds || '∞'} s allowed)` : ''}`);
  if (c.sample_hz) lines.push(`${c.samples} readings at ${Math.round(c.sample_hz)} a second`);
  if (p.sample_rate) lines.push(`Sound quality ${Math.round(p.sample_rate / 100) / 10} kHz${p.channels ? `, ${p.channels === 1 ? 'mono' : `${p.channels} channels`}` : ''}`);
  if (typeof c.rms_dbfs === 'number') lines.push(`Loud enough (${Math.round(c.rms_dbfs)} dB)`);
  if (typeof c.silence_ratio === 'number') lines.push(`Not too much silence (${Math.round(c.silence_ratio * 100)}%)`);
  if (typeof c.clipping_ratio === 'number') lines.push(c.clipping_ratio > 0 ? `Hardly any distortion (${(c.clipping_ratio * 100).toFixed(2)}%)` : 'No distortion');
  if (p.width && p.height) lines.push(`Size ${p.width}×${p.height} pixels`);
  if (typeof c.brightness === 'number') lines.push('Not too dark, not too bright');
  if (typeof c.sharpness === 'number') lines.push('Sharp, not blurred');
  lines.push('Not a duplicate');
  return lines;
}

/** Decodes any recording the browser can play and writes 16-bit mono PCM WAV at rate. */
async function toWav(blob, rate) {
  const ctx = new OfflineAudioContext(1, 1, rate);
  const buf = await ctx.decodeAudioData(await blob.arrayBuffer());
  const n = buf.length;
  const mono = new Float32Array(n);
  for (let c = 0; c < buf.numberOfChannels; c++) {
    const d = buf.getChannelData(c);
    for (let i = 0; i < n; i++) mono[i] += d[i] / buf.numberOfChannels;
  }
  const out = new DataView(new ArrayBuffer(44 + n * 2));
  const str = (o, t) => [...t].forEach((ch, i) => out.setUint8(o + i, ch.charCodeAt(0)));
  str(0, 'RIFF');
  out.setUint32(4, 36 + n * 2, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  out.setUint32(16, 16, true);
  out.setUint16(20, 1, true);
  out.setUint16(22, 1, true);
  out.setUint32(24, buf.sampleRate, true);
  out.setUint32(28, buf.sampleRate * 2, true);
  out.setUint16(32, 2, true);
  out.setUint16(34, 16, true);
  str(36, 'data');
  out.setUint32(40, n * 2, true);
  for (let i = 0; i < n; i++) {
    const v = Math.max(-1, Math.min(1, mono[i]));
    out.setInt16(44 + i * 2, v < 0 ? v * 0x8000 : v * 0x7fff, true);
  }
  return { blob: new Blob([out.buffer], { type: 'audio/wav' }), seconds: n / buf.sampleRate };
}

function pickMime(kind) {
  if (typeof MediaRecorder === 'undefined') return null;
  const list = kind === 'video' ? ['video/webm;codecs=vp8,opus', 'video/webm', 'video/mp4'] : ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/mp4'];
  return list.find((t) => MediaRecorder.isTypeSupported(t)) || '';
}

function micError(e, kind) {
  const what = kind === 'video' ? 'camera and microphone' : 'microphone';
  if (!e || e.name === 'Unsupported') return `Recording needs a secure (https) connection and a browser that can record. Use “Upload a file” instead.`;
  if (e.name === 'NotAllowedError' || e.name === 'SecurityError') return `The ${what} is blocked. Allow it for this site in your browser’s settings, then press Record again.`;
  if (e.name === 'NotFoundError' || e.name === 'OverconstrainedError') return `No ${what} was found. Plug one in, or use “Upload a file”.`;
  if (e.name === 'NotReadableError') return `The ${what} is busy in another app. Close it and try again.`;
  return `Could not start the ${what}: ${e.message || e.name}`;
}

/** A live input meter from an AudioContext AnalyserNode. */
class LevelMeter {
  constructor(stream, fill, onLevel) {
    this.ctx = new (window.AudioContext || window.webkitAudioContext)();
    this.analyser = this.ctx.createAnalyser();
    this.analyser.fftSize = 1024;
    this.ctx.createMediaStreamSource(stream).connect(this.analyser);
    this.data = new Float32Array(this.analyser.fftSize);
    this.fill = fill;
    this.onLevel = onLevel;
    const loop = () => {
      this.analyser.getFloatTimeDomainData(this.data);
      let sum = 0;
      let peak = 0;
      for (const v of this.data) {
        sum += v * v;
        peak = Math.max(peak, Math.abs(v));
      }
      const db = 20 * Math.log10(Math.sqrt(sum / this.data.length) || 1e-6);
      const pct = Math.max(0, Math.min(100, ((db + 60) / 60) * 100));
      this.fill.style.width = `${pct}%`;
      this.fill.classList.toggle('hot', peak > 0.98);
      this.onLevel(db, peak);
      this.raf = requestAnimationFrame(loop);
    };
    this.raf = requestAnimationFrame(loop);
  }

  stop() {
    cancelAnimationFrame(this.raf);
    this.fill.style.width = '0%';
    this.ctx.close().catch(() => {});
  }
}

export async function collectView(ctx, project) {
  const pid = project.id;
  const spec = project.collect || { media: 'audio' };
  const kind = spec.media || 'audio';
  const words = MEDIA_WORDS[kind] || MEDIA_WORDS.audio;
  let entry = null;
  let timer = null;
  let busy = false;
  let done = 0;
  let stream = null;
  let meter = null;
  let rec = null;
  let recTick = null;
  let recStart = 0;
  let take = null; // {blob, url, seconds, contentType}
  let pending = null; // the upload in flight
  let discardNext = false;

  // --- the screen ---
  const timerEl = h('span', { class: 'timer', role: 'timer', 'aria-live': 'off' }, '00:00');
  const timerState = h('span', { class: 'timer-state' });
  const countEl = h('span', { class: 'muted' });
  const instr = h('div', { class: 'prose' });
  setProse(instr, project.instructions_html, 'No instructions.');
  const instrPanel = instructionsPanel(project.id, instr);
  const promptText = h('p', { class: 'prompt-text', id: 'prompt-text' });
  const promptCard = h('div', { class: 'card prompt-card' }, h('p', { class: 'prompt-verb' }, words.verb), promptText);
  const allowed = specSummary(spec);
  const host = h('div', { class: 'capture card' });
  const checksBox = h('div', { class: 'checks', 'aria-live': 'polite' });
  const submitBtn = h('button', { type: 'button', class: 'btn primary big', title: 'Ctrl+Enter', disabled: true }, 'Submit', h('kbd', null, 'Ctrl+↵'));
  const skipBtn = h('button', { type: 'button', class: 'btn' }, 'Skip');
  const actions = h('div', { class: 'work-actions' }, submitBtn, skipBtn);
  const keys = kind === 'image' ? [['Ctrl+Enter', 'submit']] : kind === 'sensor' ? [['R', 'start / stop'], ['Ctrl+Enter', 'submit']] : [['R', 'record / stop'], ['P', 'play / pause'], ['Ctrl+Enter', 'submit']];
  const keysHelp = h('details', { class: 'keys-help' }, h('summary', null, 'Keyboard shortcuts'), h('dl', null, keys.map(([k, d]) => h('div', null, h('dt', null, h('kbd', null, k)), h('dd', null, d)))));
  const center = h('div', { class: 'work-center collect-center' }, promptCard, host);
  const screen = h('section', { class: `work collect collect-${kind}` },
    h('header', { class: 'work-head' },
      h('div', { class: 'work-head-title' }, h('a', { href: `/work/${pid}`, class: 'muted small' }, '← Project'), h('h1', { class: 'work-title' }, project.title)),
      h('div', { class: 'work-meta' }, h('span', { class: 'reward-chip' }, money(project.reward, project.currency)), h('span', { class: 'timer-box' }, 'Active ', timerEl, timerState), countEl)),
    h('div', { class: 'work-grid' }, instrPanel, center, h('div', { class: 'work-right' }, checksBox, actions, keysHelp)));
  ctx.main.append(screen);

  // --- capture UI, built once and reset per prompt ---
  const status = h('p', { class: 'capture-status', role: 'status' });
  const progress = h('div', { class: 'upload-progress', hidden: true }, h('div', { class: 'upload-bar' }, h('div', { class: 'upload-fill' })), h('span', { class: 'upload-text small muted' }));
  const progressFill = progress.querySelector('.upload-fill');
  const progressText = progress.querySelector('.upload-text');
  const sensor = kind === 'sensor' ? (await import('./sensor.js')).sensorCapture({ spec, onTake: (blob, sec) => useTake(blob, sec), onStart: () => resetTake(), say: (t, c) => setStatus(t, c) }) : null;
  const fileInput = h('input', { type: 'file', id: 'collect-file', class: 'sr-only', accept: sensor ? '.csv,text/csv' : kind === 'image' ? 'image/*' : `${kind}/*` });
  const cameraInput = h('input', { type: 'file', id: 'collect-camera', class: 'sr-only', accept: kind === 'image' ? 'image/*' : `${kind}/*`, capture: kind === 'image' ? 'environment' : 'user' });
  const fileLabel = h('label', { for: 'collect-file', class: 'btn' }, kind === 'image' ? 'Choose from files' : 'Upload a file');
  const retryBtn = h('button', { type: 'button', class: 'btn', hidden: true }, 'Retry upload');
  let recordBtn;
  let playBtn;
  let redoBtn;
  let durEl;
  let meterFill;
  let levelHint;
  let player;
  let live;
  let preview;
  if (kind === 'image') {
    preview = h('img', { class: 'photo-preview', alt: 'Your photo', hidden: true });
    const cameraLabel = h('label', { for: 'collect-camera', class: 'btn primary big' }, icon('camera'), 'Take a photo');
    const coarse = window.matchMedia && window.matchMedia('(pointer: coarse)').matches;
    const drop = h('label', { class: 'photo-drop', for: coarse ? 'collect-camera' : 'collect-file' }, preview, h('span', { class: 'photo-empty' }, icon('image', 'photo-icon'), h('span', { class: 'muted' }, coarse ? 'Take the photo with your camera, or pick one you took.' : 'Drop a photo here or choose one from your files.')));
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      if (e.dataTransfer.files[0]) usePhoto(e.dataTransfer.files[0]);
    });
    if (!coarse) fileLabel.classList.add('primary', 'big');
    add(host, drop, h('div', { class: 'capture-buttons' }, coarse ? cameraLabel : null, fileLabel, coarse ? cameraInput : null, fileInput), allowed ? h('p', { class: 'hint' }, `Photos must be ${allowed}.`) : null, status, progress, retryBtn);
  } else if (sensor) {
    recordBtn = sensor.first;
    fileLabel.className = 'link';
    host.append(sensor.el, status, progress, retryBtn, h('p', { class: 'hint alt-upload' }, 'Recorded elsewhere? ', fileLabel, fileInput));
  } else {
    recordBtn = h('button', { type: 'button', class: 'btn record-btn', 'aria-pressed': 'false', title: 'R' }, h('span', { class: 'rec-dot', 'aria-hidden': 'true' }), h('span', { class: 'rec-label' }, 'Record'));
    playBtn = h('button', { type: 'button', class: 'btn play-btn', disabled: true, title: 'P' }, '▶ Play');
    redoBtn = h('button', { type: 'button', class: 'btn redo-btn', hidden: true }, '↺ Re-record');
    durEl = h('span', { class: 'duration' }, '0.0 s');
    meterFill = h('div', { class: 'meter-fill' });
    levelHint = h('span', { class: 'level-hint small muted' }, 'Press Record and allow the microphone.');
    player = h(kind === 'video' ? 'video' : 'audio', { class: 'player', preload: 'auto', playsinline: true, hidden: kind !== 'video' });
    if (kind === 'video') {
      live = h('video', { class: 'live-video', muted: true, playsinline: true, autoplay: true });
      live.muted = true;
    }
    const limits = h('span', { class: 'duration-limits muted' }, [spec.min_seconds ? `min ${spec.min_seconds} s` : null, spec.max_seconds ? `max ${spec.max_seconds} s` : null].filter(Boolean).join(' · '));
    host.append(
      kind === 'video' ? h('div', { class: 'video-box' }, live, player) : player,
      h('div', { class: 'meter-row' }, h('div', { class: 'meter', 'aria-hidden': 'true' }, meterFill), h('div', { class: 'duration-row' }, durEl, limits)),
      levelHint,
      h('div', { class: 'capture-buttons' }, recordBtn, playBtn, redoBtn),
      status, progress, retryBtn,
      h('p', { class: 'hint alt-upload' }, 'Can’t record here? ', fileLabel, fileInput));
    fileLabel.className = 'link';
  }

  function setStatus(text, cls = '') {
    status.textContent = text || '';
    status.className = `capture-status ${cls}`;
  }

  function setChecks(content) {
    clear(checksBox);
    if (content) checksBox.append(content);
  }

  function showProblems(err) {
    const details = err.details && err.details.length ? err.details : [{ message: err.message }];
    setChecks(h('div', { class: 'problems check-list' }, h('strong', null, `Your ${words.noun} did not pass ${details.length === 1 ? 'a check' : `${details.length} checks`}:`),
      h('ul', null, details.map((d) => h('li', null, d.message || String(d)))),
      h('p', { class: 'small' }, kind === 'image' ? 'Take or choose another photo.' : 'Record it again — your previous take is discarded.')));
  }

  function showPassed(media) {
    setChecks(h('div', { class: 'passed check-list' }, h('strong', null, `✓ Your ${words.noun} passed the checks`), h('ul', null, checkLines(media, spec).map((t) => h('li', null, t)))));
  }

  function resetTake() {
    if (take && take.url) URL.revokeObjectURL(take.url);
    take = null;
    if (pending) pending.abort();
    pending = null;
    progress.hidden = true;
    retryBtn.hidden = true;
    submitBtn.disabled = true;
    setChecks(null);
    setStatus('');
    if (kind === 'image') {
      preview.hidden = true;
      preview.removeAttribute('src');
      host.querySelector('.photo-drop').classList.remove('has-photo');
    } else if (sensor) {
      sensor.reset();
    } else {
      player.pause();
      player.removeAttribute('src');
      player.load();
      if (kind === 'video') player.hidden = true;
      playBtn.disabled = true;
      playBtn.textContent = '▶ Play';
      redoBtn.hidden = true;
      recordBtn.hidden = false;
      durEl.textContent = '0.0 s';
      durEl.className = 'duration';
      if (live) live.hidden = false;
    }
  }

  // --- recording ---
  async function ensureStream() {
    if (stream) return stream;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || pickMime(kind) === null) throw Object.assign(new Error('unsupported'), { name: 'Unsupported' });
    stream = await navigator.mediaDevices.getUserMedia(kind === 'video'
      ? { audio: true, video: { facingMode: 'user', width: { ideal: 1280 }, height: { ideal: 720 } } }
      : { audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: true, channelCount: 1 } });
    if (live) live.srcObject = stream;
    meter = new LevelMeter(stream, meterFill, (db, peak) => {
      if (take || (rec && rec.state === 'recording')) return;
      levelHint.textContent = peak > 0.98 ? 'Too loud — move back from the microphone.' : db < -50 ? 'Very quiet — speak up or move closer.' : 'Microphone on. Press Record when you are ready.';
    });
    return stream;
  }

  function stopStream() {
    if (meter) meter.stop();
    meter = null;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
  }

  function durationClass(sec) {
    if (spec.min_seconds && sec < spec.min_seconds) return 'duration short';
    if (spec.max_seconds && sec > spec.max_seconds) return 'duration long';
    return 'duration ok';
  }

  async function startRecording() {
    if (sensor) return sensor.start();
    if (busy || (rec && rec.state === 'recording')) return;
    resetTake();
    try {
      await ensureStream();
    } catch (e) {
      setStatus(micError(e, kind), 'error');
      return;
    }
    if (!ctx.isCurrent()) return;
    const mime = pickMime(kind);
    const chunks = [];
    try {
      rec = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
    } catch (e) {
      setStatus(micError(e, kind), 'error');
      return;
    }
    rec.ondataavailable = (e) => e.data && e.data.size && chunks.push(e.data);
    rec.onstop = () => {
      clearInterval(recTick);
      const seconds = (performance.now() - recStart) / 1000;
      screen.classList.remove('recording');
      recordBtn.setAttribute('aria-pressed', 'false');
      recordBtn.querySelector('.rec-label').textContent = 'Record';
      if (discardNext) {
        discardNext = false;
        return;
      }
      finishRecording(new Blob(chunks, { type: (rec.mimeType || mime || `${kind}/webm`).split(';')[0] }), seconds);
    };
    rec.start(250);
    recStart = performance.now();
    screen.classList.add('recording');
    recordBtn.setAttribute('aria-pressed', 'true');
    recordBtn.querySelector('.rec-label').textContent = 'Stop';
    levelHint.textContent = kind === 'video' ? 'Recording…' : 'Recording… read the sentence, then press Stop.';
    setStatus('');
    recTick = setInterval(() => {
      const sec = (performance.now() - recStart) / 1000;
      durEl.textContent = fmtSeconds(sec);
      durEl.className = durationClass(sec);
      if (spec.max_seconds && sec >= spec.max_seconds) {
        stopRecording();
        toast(`Stopped at the ${spec.max_seconds} s limit.`, 'info');
      }
    }, 100);
  }

  function stopRecording() {
    if (sensor) sensor.stop();
    if (rec && rec.state === 'recording') rec.stop();
  }

  async function finishRecording(raw, measured) {
    let blob = raw;
    let seconds = measured;
    const formats = (spec.formats || []).map((f) => f.toLowerCase());
    if (kind === 'audio' && (!formats.length || formats.includes('wav'))) {
      setStatus('Preparing your recording…');
      try {
        const rate = spec.min_sample_rate ? Math.min(96000, Math.max(16000, spec.min_sample_rate)) : 48000;
        ({ blob, seconds } = await toWav(raw, rate));
      } catch {
        /* the browser cannot decode its own recording: send it as recorded */
      }
    }
    if (!ctx.isCurrent()) return;
    take = { blob, url: URL.createObjectURL(blob), seconds, contentType: blob.type || raw.type };
    player.src = take.url;
    if (kind === 'video') {
      player.hidden = false;
      live.hidden = true;
      player.controls = true;
    }
    playBtn.disabled = false;
    redoBtn.hidden = false;
    recordBtn.hidden = true;
    durEl.textContent = fmtSeconds(seconds);
    durEl.className = durationClass(seconds);
    levelHint.textContent = 'Listen to it, then submit — or record it again.';
    if (spec.min_seconds && seconds < spec.min_seconds) {
      setStatus(`That was ${fmtSeconds(seconds)}; record at least ${spec.min_seconds} s.`, 'error');
      return;
    }
    if (spec.max_seconds && seconds > spec.max_seconds + 0.5) {
      setStatus(`That was ${fmtSeconds(seconds)}; keep it under ${spec.max_seconds} s.`, 'error');
      return;
    }
    sendTake();
  }

  function togglePlay() {
    if (!take || !player) return;
    if (player.paused) player.play().catch((e) => setStatus(`Cannot play: ${e.message}`, 'error'));
    else player.pause();
  }

  // a finished sensor recording (or a picked CSV): straight to the checks
  function useTake(blob, seconds) {
    take = { blob, url: null, seconds, contentType: 'text/csv' };
    sendTake();
  }

  // --- photos and picked files ---
  function usePhoto(file) {
    if (sensor) return file && (resetTake(), useTake(file, 0));
    resetTake();
    if (!file) return;
    const url = URL.createObjectURL(file);
    take = { blob: file, url, seconds: 0, contentType: file.type };
    if (kind === 'image') {
      preview.src = url;
      preview.hidden = false;
      host.querySelector('.photo-drop').classList.add('has-photo');
      preview.onload = () => {
        const w = preview.naturalWidth;
        const hh = preview.naturalHeight;
        if ((spec.min_width && w < spec.min_width) || (spec.min_height && hh < spec.min_height)) {
          setStatus(`This photo is ${w}×${hh} pixels; the project needs at least ${spec.min_width || 0}×${spec.min_height || 0}. Use your camera’s full resolution.`, 'error');
          return;
        }
        sendTake();
      };
      preview.onerror = () => sendTake(); // the browser cannot show it (HEIC…): let the server judge
    } else {
      player.src = url;
      if (kind === 'video') {
        player.hidden = false;
        live.hidden = true;
        player.controls = true;
      }
      player.onloadedmetadata = () => {
        if (Number.isFinite(player.duration)) {
          take.seconds = player.duration;
          durEl.textContent = fmtSeconds(player.duration);
          durEl.className = durationClass(player.duration);
        }
      };
      playBtn.disabled = false;
      redoBtn.hidden = false;
      recordBtn.hidden = true;
      levelHint.textContent = `Your file: ${file.name}. Listen to it, then submit — or record instead.`;
      sendTake();
    }
  }
  fileInput.addEventListener('change', () => {
    usePhoto(fileInput.files[0]);
    fileInput.value = '';
  });
  cameraInput.addEventListener('change', () => {
    usePhoto(cameraInput.files[0]);
    cameraInput.value = '';
  });

  // --- upload ---
  async function sendTake() {
    if (!take || !entry) return;
    if (spec.max_bytes && take.blob.size > spec.max_bytes) {
      setStatus(`The file is ${fmtBytes(take.blob.size)}; the limit is ${fmtBytes(spec.max_bytes)}.`, 'error');
      return;
    }
    const a = entry.asg;
    const mine = take;
    retryBtn.hidden = true;
    progress.hidden = false;
    progressFill.style.width = '0%';
    progressText.textContent = `Uploading ${fmtBytes(mine.blob.size)}…`;
    setStatus('');
    setChecks(h('p', { class: 'muted small' }, 'Checking your upload…'));
    pending = upload(`/assignments/${a.id}/media`, mine.blob, {
      contentType: mine.contentType,
      onProgress: (f) => {
        if (f === null) return;
        progressFill.style.width = `${Math.round(f * 100)}%`;
        progressText.textContent = f >= 1 ? 'Uploaded — checking…' : `Uploading… ${Math.round(f * 100)}%`;
      },
    });
    try {
      const media = await pending.promise;
      if (take !== mine || !ctx.isCurrent()) return;
      progressFill.style.width = '100%';
      progressText.textContent = `Uploaded ${fmtBytes(mine.blob.size)}`;
      entry.media = media;
      writeJSON(leaseKey(pid), entry);
      showPassed(media);
      submitBtn.disabled = false;
      if (window.innerWidth <= 760) checksBox.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      document.body.dataset.uploadReady = String(media.id);
    } catch (e) {
      if (e && e.name === 'AbortError') return;
      if (take !== mine) return;
      progress.hidden = true;
      if (e.status === 422 || e.status === 413 || e.status === 415) {
        showProblems(e.status === 413 ? { message: `The file is too large (limit ${spec.max_bytes ? fmtBytes(spec.max_bytes) : 'reached'}).` } : e);
      } else if (e.status === 409 || e.status === 404) {
        toast(`${e.message} Getting a new prompt.`, 'info');
        forget();
        await next();
      } else {
        setChecks(null);
        setStatus(`${e.message} Your ${words.noun} is still here.`, 'error');
        retryBtn.hidden = false;
      }
    } finally {
      if (take === mine) pending = null;
    }
  }
  retryBtn.addEventListener('click', sendTake);

  // --- leasing, submitting, skipping ---
  function forget() {
    localStorage.removeItem(leaseKey(pid));
  }

  function teardown() {
    if (sensor) sensor.reset();
    if (rec && rec.state === 'recording') {
      discardNext = true;
      rec.stop();
    }
    clearInterval(recTick);
    if (timer) timer.stop();
    timer = null;
    resetTake();
  }

  function showEmpty(title, text) {
    teardown();
    stopStream();
    entry = null;
    delete document.body.dataset.taskReady;
    clear(center).append(h('div', { class: 'empty card' }, h('h2', null, title), h('p', null, text), h('div', { class: 'actions' },
      h('a', { class: 'btn primary', href: `/work/${pid}/validate` }, words.check),
      h('a', { class: 'btn', href: '/work' }, 'Find other work'), h('a', { class: 'btn', href: '/me/work' }, 'My work'))));
    setChecks(null);
    actions.hidden = true;
    keysHelp.hidden = true;
    timerEl.textContent = '00:00';
    center.querySelector('a').focus();
  }

  async function lease() {
    const saved = readJSON(leaseKey(pid));
    if (saved && saved.asg && Date.parse(saved.asg.expires_at) > Date.now() + 5000) return saved;
    try {
      const a = await post(`/projects/${pid}/assignments`);
      if (!a) return null;
      const e = { asg: a, key: `fc-${a.id}-${randomId(16)}`, active: 0 };
      writeJSON(leaseKey(pid), e);
      return e;
    } catch (e) {
      if (e.code === 'consent_required') {
        ctx.navigate(`/work/${pid}?consent=required`, { replace: true });
        return undefined;
      }
      throw e;
    }
  }

  function show(e) {
    teardown();
    if (e === undefined) return;
    if (!e) {
      forget();
      return showEmpty(done ? 'All done for now' : 'No prompts left right now', done
        ? `You submitted ${done} ${words.noun}${done === 1 ? '' : 's'}. There is nothing more for you in this project at the moment — thank you! You can still check other people’s ${words.noun}s.`
        : `Every prompt of this project is taken or finished. Check back later, or check other people’s ${words.noun}s.`);
    }
    entry = e;
    actions.hidden = false;
    promptText.textContent = promptOf(project, e.asg.task.data) || '(This prompt has no text — follow the instructions.)';
    promptText.classList.toggle('long', promptText.textContent.length > 140);
    timer = new ActiveTimer(e.active || 0, (sec, running) => {
      timerEl.textContent = clock(sec);
      timerState.textContent = running ? '' : ' · paused';
      screen.classList.toggle('paused', !running);
      if (entry) entry.active = sec;
    });
    timerEl.textContent = clock(timer.seconds);
    countEl.textContent = done ? `${done} done this session` : '';
    if (e.media) {
      // uploaded before a reload: keep it, play it from the server
      take = { blob: null, url: null, seconds: e.media.probe && e.media.probe.duration_seconds, contentType: '' };
      if (kind === 'image') {
        preview.src = e.media.url;
        preview.hidden = false;
        host.querySelector('.photo-drop').classList.add('has-photo');
      } else if (sensor) {
        sensor.restored(e.media);
      } else {
        player.src = e.media.url;
        playBtn.disabled = false;
        redoBtn.hidden = false;
        recordBtn.hidden = true;
        if (take.seconds) durEl.textContent = fmtSeconds(take.seconds);
      }
      showPassed(e.media);
      submitBtn.disabled = false;
    }
    document.body.dataset.taskReady = String(e.asg.id);
    performance.mark(`fc-task-ready-${e.asg.id}`);
    const first = kind === 'image' ? host.querySelector('label.btn') : recordBtn;
    if (first && !center.contains(document.activeElement)) first.focus({ preventScroll: true });
  }

  async function next() {
    try {
      show(await lease());
    } catch (e) {
      showEmpty('Could not get a prompt', e.message);
    }
  }

  async function submit() {
    if (!entry || busy || !entry.media || submitBtn.disabled) return;
    busy = true;
    submitBtn.disabled = skipBtn.disabled = true;
    const e = entry;
    try {
      await api('POST', `/assignments/${e.asg.id}/submit`, { body: { media_id: e.media.id, active_seconds: Math.round((timer ? timer.seconds : 0) * 10) / 10 }, idempotencyKey: e.key, retries: 6 });
      forget();
      done++;
      delete document.body.dataset.uploadReady;
      toast(`Submitted · ${money(e.asg.reward ?? project.reward, project.currency)} pending review`, 'ok', 2500);
      await next();
    } catch (err) {
      if (err.status === 409 || err.status === 404) {
        toast(`${err.message} Getting a new prompt.`, 'info');
        forget();
        await next();
      } else {
        setStatus(`${err.message} Press Submit again to retry.`, 'error');
        submitBtn.disabled = false;
      }
    } finally {
      busy = false;
      skipBtn.disabled = false;
    }
  }

  async function skip() {
    if (!entry || busy) return;
    busy = true;
    skipBtn.disabled = true;
    try {
      await post(`/assignments/${entry.asg.id}/release`);
    } catch (e) {
      if (e.status !== 409 && e.status !== 404) {
        toast(e.message, 'error');
        busy = false;
        skipBtn.disabled = false;
        return;
      }
    }
    forget();
    busy = false;
    skipBtn.disabled = false;
    await next();
  }

  submitBtn.addEventListener('click', submit);
  skipBtn.addEventListener('click', skip);
  if (kind !== 'image' && !sensor) {
    recordBtn.addEventListener('click', () => (rec && rec.state === 'recording' ? stopRecording() : startRecording()));
    redoBtn.addEventListener('click', startRecording);
    playBtn.addEventListener('click', togglePlay);
    player.addEventListener('play', () => {
      playBtn.textContent = '❚❚ Pause';
      document.body.dataset.playing = 'true';
    });
    const paused = () => {
      playBtn.textContent = '▶ Play';
      delete document.body.dataset.playing;
    };
    player.addEventListener('pause', paused);
    player.addEventListener('ended', () => {
      paused();
      document.body.dataset.played = 'true';
    });
  }
  const onKey = (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      submit();
      return;
    }
    if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey || !entry || kind === 'image') return;
    if (e.key === 'r' || e.key === 'R') {
      e.preventDefault();
      if (sensor) sensor.toggle();
      else if (rec && rec.state === 'recording') stopRecording();
      else startRecording();
    } else if (e.key === 'p' || e.key === 'P') {
      e.preventDefault();
      togglePlay();
    } else if (e.key === '?') {
      keysHelp.open = !keysHelp.open;
    }
  };
  document.addEventListener('keydown', onKey);
  const onHide = () => entry && writeJSON(leaseKey(pid), entry);
  window.addEventListener('pagehide', onHide);
  ctx.onLeave(() => {
    onHide();
    teardown();
    stopStream();
    document.removeEventListener('keydown', onKey);
    window.removeEventListener('pagehide', onHide);
    delete document.body.dataset.taskReady;
    delete document.body.dataset.uploadReady;
    delete document.body.dataset.playing;
    delete document.body.dataset.played;
  });
  await next();
}
