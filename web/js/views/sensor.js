// Sensor recordings (collect.media "sensor"), loaded by collect.js when a
// project records the phone's motion sensors: asks for the permission iOS
// needs (DeviceMotionEvent.requestPermission, on the button press), listens
// to devicemotion / deviceorientation on window while the contributor does
// the prompted activity, shows a live indicator, the elapsed time, the
// readings and the rate, and hands back a CSV:
//   t,ax,ay,az[,gx,gy,gz][,alpha,beta,gamma]
// t in seconds from the first reading; ax..az acceleration with gravity
// (m/s²); gx gy gz rotation rate about x, y, z (°/s); alpha beta gamma the
// orientation (°). A missing reading is an empty field. docs/collection.md.
import { h } from '../dom.js';

const GROUPS = {
  accelerometer: ['ax', 'ay', 'az'],
  gyroscope: ['gx', 'gy', 'gz'],
  orientation: ['alpha', 'beta', 'gamma'],
};

/** The CSV header's columns for the spec's sensors (accelerometer by default). */
export function sensorColumns(spec) {
  const want = Array.isArray(spec.sensors) && spec.sensors.length ? spec.sensors : ['accelerometer'];
  return ['t', ...Object.keys(GROUPS).filter((g) => want.includes(g)).flatMap((g) => GROUPS[g])];
}

const num = (v, d = 4) => (typeof v === 'number' && Number.isFinite(v) ? String(Math.round(v * 10 ** d) / 10 ** d) : '');

/** Asks for motion (and orientation) access where the browser wants it (iOS 13+). Must run in a user gesture. */
export async function askPermission(needOrientation) {
  const asks = [];
  if (typeof DeviceMotionEvent !== 'undefined' && typeof DeviceMotionEvent.requestPermission === 'function') asks.push(DeviceMotionEvent.requestPermission());
  if (needOrientation && typeof DeviceOrientationEvent !== 'undefined' && typeof DeviceOrientationEvent.requestPermission === 'function') asks.push(DeviceOrientationEvent.requestPermission());
  const answers = await Promise.all(asks);
  return answers.every((a) => a === 'granted');
}

/**
 * The capture panel. opts: {spec, onTake(blob, seconds, stats), onStart(), say(text, cls)}.
 * Returns {el, first, start(), stop(), reset(), recording(), restored(media)}.
 */
export function sensorCapture({ spec, onTake, onStart, say }) {
  const cols = sensorColumns(spec);
  const wantOrientation = cols.includes('alpha');
  const minHz = spec.min_hz || 20;
  const dot = h('span', { class: 'rec-dot', 'aria-hidden': 'true' });
  const recordBtn = h('button', { type: 'button', class: 'btn record-btn', 'aria-pressed': 'false', title: 'R' }, dot, h('span', { class: 'rec-label' }, 'Start recording'));
  const redoBtn = h('button', { type: 'button', class: 'btn redo-btn', hidden: true }, '↺ Record again');
  const live = h('p', { class: 'sensor-live', hidden: true }, h('span', { class: 'live-dot', 'aria-hidden': 'true' }), h('strong', null, 'Recording'), ' — do the activity now.');
  const secEl = h('span', { class: 'sensor-seconds' }, '0.0 s');
  const countEl = h('span', { class: 'sensor-count' }, '0 readings');
  const rateEl = h('span', { class: 'sensor-rate' }, '— Hz');
  const counter = h('p', { class: 'sensor-counter', 'aria-live': 'off' }, secEl, ' · ', countEl, ' · ', rateEl);
  const canvas = h('canvas', { class: 'sensor-trace', width: 600, height: 80, 'aria-hidden': 'true' });
  const limits = [spec.min_seconds ? `at least ${spec.min_seconds} s` : null, spec.max_seconds ? `at most ${spec.max_seconds} s` : null, `${minHz} readings a second or more`].filter(Boolean).join(' · ');
  const el = h('div', { class: 'sensor-capture' },
    h('p', { class: 'hint' }, 'Press Start, put the phone where the instructions say, do the activity, then press Stop. Keep this page open and the screen on.'),
    live, counter, canvas,
    h('p', { class: 'small muted' }, `Records ${cols.slice(1).join(', ')} · ${limits}`),
    h('div', { class: 'capture-buttons' }, recordBtn, redoBtn));

  let rows = [];
  let t0 = null;
  let lastT = -1;
  let orient = null;
  let tick = null;
  let started = 0;
  let on = false;
  let noData = null;

  function onMotion(e) {
    if (!on) return;
    if (t0 === null) t0 = e.timeStamp;
    const t = Math.round(e.timeStamp - t0) / 1000; // ms resolution, in seconds
    if (t <= lastT) return; // the CSV's times strictly increase
    lastT = t;
    const a = e.accelerationIncludingGravity || {};
    const r = e.rotationRate || {};
    const o = orient || {};
    const v = { t: num(t, 3), ax: num(a.x), ay: num(a.y), az: num(a.z), gx: num(r.beta), gy: num(r.gamma), gz: num(r.alpha), alpha: num(o.alpha), beta: num(o.beta), gamma: num(o.gamma) };
    rows.push(cols.map((c) => v[c]).join(','));
    draw(a);
  }
  function onOrientation(e) {
    orient = { alpha: e.alpha, beta: e.beta, gamma: e.gamma };
  }

  const trace = [];
  const ctx2d = canvas.getContext ? canvas.getContext('2d') : null;
  function draw(a) {
    if (!ctx2d) return;
    const m = Math.hypot(a.x || 0, a.y || 0, a.z || 0);
    trace.push(m);
    if (trace.length > 300) trace.shift();
    if (rows.length % 3) return;
    const w = canvas.width;
    const hh = canvas.height;
    ctx2d.clearRect(0, 0, w, hh);
    ctx2d.strokeStyle = getComputedStyle(canvas).color || '#1a5';
    ctx2d.lineWidth = 2;
    ctx2d.beginPath();
    trace.forEach((v, i) => {
      const y = hh - Math.max(0, Math.min(hh, (v / 20) * hh));
      if (i) ctx2d.lineTo((i / 300) * w, y);
      else ctx2d.moveTo(0, y);
    });
    ctx2d.stroke();
  }

  function seconds() {
    return rows.length > 1 ? Number(rows[rows.length - 1].split(',')[0]) - Number(rows[0].split(',')[0]) : 0;
  }

  function update() {
    const wall = (performance.now() - started) / 1000;
    const sec = seconds();
    secEl.textContent = `${wall.toFixed(1)} s`;
    countEl.textContent = `${rows.length} reading${rows.length === 1 ? '' : 's'}`;
    const hz = sec > 0 ? (rows.length - 1) / sec : 0;
    rateEl.textContent = hz ? `${Math.round(hz)} Hz` : '— Hz';
    rateEl.classList.toggle('low', hz > 0 && hz < minHz);
    if (spec.max_seconds && wall >= spec.max_seconds) stop();
  }

  async function start() {
    if (on) return;
    say('');
    try {
      if (!(await askPermission(wantOrientation))) {
        say('Motion sensors are blocked. Allow “Motion & Orientation Access” for this site (on iPhone: Settings › Safari), then press Start again.', 'error');
        return;
      }
    } catch (e) {
      say(`Could not get the motion sensors: ${e.message || e.name}`, 'error');
      return;
    }
    if (onStart) onStart();
    reset();
    on = true;
    started = performance.now();
    window.addEventListener('devicemotion', onMotion);
    if (wantOrientation) window.addEventListener('deviceorientation', onOrientation);
    live.hidden = false;
    el.closest('.collect')?.classList.add('recording');
    recordBtn.setAttribute('aria-pressed', 'true');
    recordBtn.querySelector('.rec-label').textContent = 'Stop';
    redoBtn.hidden = true;
    tick = setInterval(update, 100);
    noData = setTimeout(() => {
      if (on && !rows.length) say('No sensor readings are arriving: this device or browser has no motion sensors. Use a phone or tablet.', 'error');
    }, 2500);
  }

  function halt() {
    on = false;
    clearInterval(tick);
    clearTimeout(noData);
    window.removeEventListener('devicemotion', onMotion);
    window.removeEventListener('deviceorientation', onOrientation);
    live.hidden = true;
    el.closest('.collect')?.classList.remove('recording');
    recordBtn.setAttribute('aria-pressed', 'false');
    recordBtn.querySelector('.rec-label').textContent = 'Start recording';
  }

  function stop() {
    if (!on) return;
    halt();
    update();
    recordBtn.hidden = true;
    redoBtn.hidden = false;
    const sec = seconds();
    const hz = sec > 0 ? (rows.length - 1) / sec : 0;
    if (rows.length < 2) return say('No sensor readings were recorded. Use a phone or tablet, and keep this page in front.', 'error');
    if (spec.min_seconds && sec < spec.min_seconds) return say(`That was ${sec.toFixed(1)} s; record at least ${spec.min_seconds} s.`, 'error');
    if (hz < minHz) return say(`The sensors gave ${hz.toFixed(1)} readings a second; at least ${minHz} are needed. Close other apps and keep this page in front.`, 'error');
    const blob = new Blob([`${cols.join(',')}\n${rows.join('\n')}\n`], { type: 'text/csv' });
    onTake(blob, sec, { rows: rows.length, hz });
  }

  function reset() {
    if (on) halt();
    rows = [];
    t0 = null;
    lastT = -1;
    orient = null;
    trace.length = 0;
    if (ctx2d) ctx2d.clearRect(0, 0, canvas.width, canvas.height);
    secEl.textContent = '0.0 s';
    countEl.textContent = '0 readings';
    rateEl.textContent = '— Hz';
    recordBtn.hidden = false;
    redoBtn.hidden = true;
  }

  function restored(media) {
    const c = media.checks || {};
    recordBtn.hidden = true;
    redoBtn.hidden = false;
    if (c.samples) countEl.textContent = `${c.samples} readings`;
    if (c.sample_hz) rateEl.textContent = `${Math.round(c.sample_hz)} Hz`;
    if (media.probe && media.probe.duration_seconds) secEl.textContent = `${media.probe.duration_seconds.toFixed(1)} s`;
  }

  recordBtn.addEventListener('click', () => (on ? stop() : start()));
  redoBtn.addEventListener('click', start);
  return { el, first: recordBtn, start, stop, reset, restored, recording: () => on, toggle: () => (on ? stop() : start()) };
}

const GROUP_NAMES = { accelerometer: 'Acceleration (m/s²)', gyroscope: 'Rotation rate (°/s)', orientation: 'Orientation (°)' };
const LINE_COLOURS = ['#1d4ed8', '#be123c', '#15803d']; // .sensor-chart .axis-N in app.css

/** Fills host with a recording's charts (one per sensor, its three axes) and a download link; resolves the row count. */
export async function sensorPreview(host, url) {
  const r = await fetch(url, { credentials: 'same-origin' });
  if (!r.ok) {
    host.append(h('p', { class: 'muted' }, `The recording cannot be loaded (${r.status}).`));
    return 0;
  }
  const lines = (await r.text()).trim().split(/\r?\n/);
  const head = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(',').map((v) => (v === '' ? NaN : Number(v))));
  const scale = head[0] === 't_ms' ? 0.001 : 1;
  const seconds = rows.length > 1 ? (rows[rows.length - 1][0] - rows[0][0]) * scale : 0;
  for (const [group, axes] of Object.entries(GROUPS)) {
    const idx = axes.map((a) => head.indexOf(a));
    if (idx.every((i) => i < 0)) continue;
    const canvas = h('canvas', { class: 'sensor-trace', width: 600, height: 110, role: 'img', 'aria-label': `${GROUP_NAMES[group]}: ${axes.join(', ')}, ${rows.length} readings over ${seconds.toFixed(1)} s` });
    host.append(h('figure', { class: 'sensor-chart' }, h('figcaption', { class: 'small muted' }, GROUP_NAMES[group], ' — ', axes.map((a, k) => h('span', { class: `axis-${k}` }, `${a} `))), canvas));
    const g = canvas.getContext && canvas.getContext('2d');
    if (!g || rows.length < 2) continue;
    const vals = rows.flatMap((row) => idx.map((i) => row[i])).filter(Number.isFinite);
    const lo = Math.min(...vals);
    const span = Math.max(...vals) - lo || 1;
    const t0 = rows[0][0];
    const tspan = rows[rows.length - 1][0] - t0 || 1;
    idx.forEach((i, k) => {
      if (i < 0) return;
      g.strokeStyle = LINE_COLOURS[k];
      g.lineWidth = 1.5;
      g.beginPath();
      rows.forEach((row, n) => {
        const x = ((row[0] - t0) / tspan) * canvas.width;
        const y = canvas.height - 4 - ((row[i] - lo) / span) * (canvas.height - 8);
        if (Number.isFinite(y)) (n ? g.lineTo(x, y) : g.moveTo(x, y));
      });
      g.stroke();
    });
  }
  host.append(h('p', { class: 'small' }, `${rows.length} readings over ${seconds.toFixed(1)} s · `, h('a', { href: url, download: 'recording.csv' }, 'Download the CSV')));
  return rows.length;
}

/** A TimeSeries labelling config over recordings with the spec's sensors (value="$csv", time column t). */
export function labellingConfig(spec) {
  const channels = sensorColumns(spec).slice(1).map((c) => `    <Channel column="${c}"/>`).join('\n');
  return `<View>
  <Header value="Mark each activity in the recording"/>
  <TimeSeriesLabels name="activity" toName="ts">
    <Label value="Walk"/>
    <Label value="Stand"/>
    <Label value="Sit"/>
  </TimeSeriesLabels>
  <TimeSeries name="ts" value="$csv" valueType="url" timeColumn="t">
${channels}
  </TimeSeries>
</View>`;
}

/** Makes a draft labelling project with one task per accepted recording of collection p ({"csv": "/api/v1/media/ID"}); its id. */
export async function labellingProjectFrom(p, { get, post }) {
  const ids = [];
  for (const status of ['accepted', 'auto_accepted']) {
    let after = null;
    do {
      const page = await get(`/projects/${p.id}/submissions?status=${status}&limit=200${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      for (const s of page.items || []) if (s.media_id) ids.push(s.media_id);
      after = page.next;
    } while (after);
  }
  if (!ids.length) throw new Error('There is no accepted recording to label yet.');
  const np = await post('/projects', {
    title: `Label: ${p.title}`.slice(0, 200),
    label_config: labellingConfig(p.collect || {}),
    currency: p.currency,
    reward: p.reward,
    instructions: '## What to do\n\n- Pick a label (1–3), then **drag** across the chart over the part where the activity happens.\n- By keyboard: focus the chart, move with ← →, press `[` and `]` for a range.',
  });
  await post(`/projects/${np.id}/tasks`, ids.map((id) => ({ csv: `/api/v1/media/${id}` })));
  return np.id;
}
