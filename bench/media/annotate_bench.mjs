// Opening and scrubbing a one-hour recording in the audio annotator, in
// chromium: the peaks the server computes once when the file arrives (an
// outbox job), time from "Start working" to a drawn waveform, and frame
// times while the playhead is scrubbed (a new position every animation
// frame), at the whole-file zoom and at 100 px/s; then a 10-minute 1080p
// video: time to the first frame, frame steps and scrubbing. Not a test: it
// prints figures for bench/README.md.
//   node bench/media/annotate_bench.mjs [BINARY] [audio|video|all]   (from the repo root)
// Needs tests/e2e/node_modules (scripts/install-deps --test) and ffmpeg.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startServer, apiSession, launch, ADMIN } from '../../tests/e2e/lib.mjs';
import { TEMPLATES } from '../../web/js/templates.js';

process.env.FC_BINARY ||= resolve(process.argv[2] || 'build/faircrowd');
const dir = '/tmp/fc-bench-media';
mkdirSync(dir, { recursive: true });
const hour = `${dir}/hour.ogg`;
if (!existsSync(hour)) {
  // pink noise with a slow swell, 1 h, Opus 24 kb/s (~9 MB)
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'anoisesrc=d=3600:c=pink:r=48000:a=0.3',
    '-af', "volume='0.3+0.7*abs(sin(t/7))':eval=frame", '-ac', '1', '-c:a', 'libopus', '-b:a', '24k', hour]);
}
const what = process.argv[3] || 'all';
const tenmin = `${dir}/tenmin.webm`;
if (what !== 'audio' && !existsSync(tenmin)) {
  // 10 minutes of 1080p at 25 fps, VP8 (chromium's own build has no H.264), a keyframe
  // every 2 s: 10 s encoded once and joined 60 times by the concat demuxer (no re-encode),
  // so making it takes seconds, not the half hour a full encode took on this shared machine
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-t', '10',
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '2M', '-g', '50', '-an', `${dir}/ten.webm`]);
  writeFileSync(`${dir}/list.txt`, Array(60).fill(`file '${dir}/ten.webm'`).join('\n'));
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', `${dir}/list.txt`, '-c', 'copy', tenmin]);
}
const users = { req: { email: 'breq@example.com', password: 'bench-requester-1', display_name: 'Bench Requester' },
  rec: { email: 'brec@example.com', password: 'bench-recorder-1', display_name: 'Bench Recorder' },
  con: { email: 'bcon@example.com', password: 'bench-contrib-1', display_name: 'Bench Contributor' } };

const server = await startServer();
const browser = await launch();
const ms = (t0) => Math.round(performance.now() - t0);
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { frames: s.length, p50: +q(0.5).toFixed(1), p95: +q(0.95).toFixed(1), max: +s[s.length - 1].toFixed(1), over16: s.filter((x) => x > 16.7).length };
};
try {
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  for (const [u, roles] of [[users.req, ['requester']], [users.rec, ['contributor']], [users.con, ['contributor']]]) await admin.call('POST', '/users', { ...u, roles });
  const req = await apiSession(server.url, users.req.email, users.req.password);
  const cr = await req.call('POST', '/projects', { title: 'Hour', kind: 'collection', collect: { media: 'audio', prompt_field: 's', min_seconds: 1, max_seconds: 4000, max_bytes: 52428800, formats: ['ogg'] }, reward: 5, overlap: 1 });
  if (cr.status !== 201) throw new Error(`project ${cr.status} ${JSON.stringify(cr.body)}`);
  const c = cr.body;
  await req.call('POST', `/projects/${c.id}/tasks`, [{ s: 'talk for an hour' }]);
  await req.call('POST', `/projects/${c.id}/fund`, { amount: 1000 }, { 'Idempotency-Key': 'b1' });
  await req.call('POST', `/projects/${c.id}/publish`);
  const rec = await apiSession(server.url, users.rec.email, users.rec.password);
  const lr = await rec.call('POST', `/projects/${c.id}/assignments`);
  if (lr.status !== 201) throw new Error(`lease ${lr.status} ${JSON.stringify(lr.body)}`);
  const lease = lr.body;
  const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: users.rec.email, password: users.rec.password }) });
  const cookie = login.headers.getSetCookie().map((x) => x.split(';')[0]).join('; ');
  const { csrf_token: csrf } = await login.json();
  let t0 = performance.now();
  // curl, not fetch: a refusal arrives before the body is sent, and curl shows it
  const upload = (aid, file, type) => {
    const out = execFileSync('curl', ['-s', '-w', '\n%{http_code}', '-H', `Cookie: ${cookie}`, '-H', `X-CSRF-Token: ${csrf}`, '-H', `Content-Type: ${type}`,
      '--data-binary', `@${file}`, `${server.url}/api/v1/assignments/${aid}/media`], { maxBuffer: 1 << 24 }).toString().trim().split('\n');
    if (out[1] !== '201') throw new Error(`upload ${out[1]} ${out[0]}`);
    return JSON.parse(out[0]);
  };
  const media = upload(lease.id, hour, 'audio/ogg');
  console.log(`upload of the 1-hour file (9 MB, every check incl. a full decode): ${ms(t0)} ms`);
  // the upload queued the peaks (outbox job "media_peaks"): wait until they are stored
  t0 = performance.now();
  for (;;) {
    const pr = await fetch(`${server.url}/api/v1/media/${media.id}/peaks?n=4`, { headers: { Cookie: cookie } });
    const pj = await pr.json();
    if (pj.source === 'stored') break;
    if (performance.now() - t0 > 600000) throw new Error(`peaks never stored: ${JSON.stringify(pj)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`upload answered → peaks stored by the job: ${ms(t0)} ms`);
  // the server's answer from the store, as the annotator asks for it (200,000 peaks, one byte each)
  const times = [];
  for (let i = 0; i < 5; i++) {
    t0 = performance.now();
    const pr = await fetch(`${server.url}/api/v1/media/${media.id}/peaks?n=200000&format=u8`, { headers: { Cookie: cookie } });
    await pr.arrayBuffer();
    if (pr.headers.get('X-Peaks-Source') !== 'stored') throw new Error(`peaks source ${pr.headers.get('X-Peaks-Source')}`);
    times.push(ms(t0));
  }
  console.log(`GET peaks?n=200000&format=u8 from the store, 5 times: ${times.join(', ')} ms`);
  const config = TEMPLATES.find((t) => t.id === 'audio-transcription').config;
  const p = (await req.call('POST', '/projects', { title: 'Label an hour', label_config: config, reward: 5, overlap: 1 })).body;
  await req.call('POST', `/projects/${p.id}/tasks`, [{ audio: `/api/v1/media/${media.id}` }]);
  await req.call('POST', `/projects/${p.id}/fund`, { amount: 1000 }, { 'Idempotency-Key': 'b2' });
  await req.call('POST', `/projects/${p.id}/publish`);

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${server.url}/signin`);
  await page.fill('input[name=email]', users.con.email);
  await page.fill('input[name=password]', users.con.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('#nav .profile-link');
  const ready = () => page.waitForFunction(() => /Choose a label/.test(document.querySelector('.aw-status')?.textContent || ''), null, { timeout: 120000 });
  for (const round of ['first open (peaks stored on arrival)', 'second open']) {
    await page.goto(`${server.url}/work/${p.id}`);
    await page.waitForSelector('text=Start working');
    t0 = performance.now();
    await page.click('text=Start working');
    await ready();
    console.log(`open, ${round}: Start working → waveform drawn ${ms(t0)} ms`);
  }
  const peaksUrl = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).find((n) => /peaks\?n=/.test(n)));
  console.log(`peaks request: ${new URL(peaksUrl).search}`);
  const peaksBytes = await page.evaluate((u) => performance.getEntriesByName(u).pop().encodedBodySize, peaksUrl);
  console.log(`peaks body: ${Math.round(peaksBytes / 1024)} KiB`);
  for (const [label, zoomIn] of [['whole file', 0], ['100 px/s', 4]]) {
    await page.focus('.aw-wave');
    for (let i = 0; i < zoomIn; i++) await page.keyboard.press('+');
    await page.waitForTimeout(300);
    const frames = await page.evaluate(() => new Promise((done) => {
      const v = document.querySelector('.work-task').annotator.objectViews.get('audio').real;
      const out = [];
      let last = performance.now();
      let pos = 600;
      const end = last + 3000;
      const step = (now) => {
        out.push(now - last);
        last = now;
        pos += 0.7; // scrub forward 0.7 s per frame
        v.seek(pos);
        if (now < end) requestAnimationFrame(step);
        else done(out.slice(1));
      };
      requestAnimationFrame(step);
    }));
    console.log(`scrub 3 s at ${label}: frame ms ${JSON.stringify(stats(frames))}`);
  }
  if (what !== 'audio') {

  // ---- 10 minutes of 1080p video ----
  const vc = (await req.call('POST', '/projects', { title: 'Film', kind: 'collection', collect: { media: 'video', prompt_field: 's', min_seconds: 1, max_seconds: 700, max_bytes: 1073741824, formats: ['webm'] }, reward: 5, overlap: 1 })).body;
  await req.call('POST', `/projects/${vc.id}/tasks`, [{ s: 'film ten minutes' }]);
  await req.call('POST', `/projects/${vc.id}/fund`, { amount: 1000 }, { 'Idempotency-Key': 'b3' });
  await req.call('POST', `/projects/${vc.id}/publish`);
  const vlease = (await rec.call('POST', `/projects/${vc.id}/assignments`)).body;
  t0 = performance.now();
  const vmedia = upload(vlease.id, tenmin, 'video/webm');
  console.log(`upload of the 10-minute 1080p file (${Math.round(readFileSync(tenmin).length / 1048576)} MB, every check): ${ms(t0)} ms`);
  const vconfig = TEMPLATES.find((t) => t.id === 'video-tracking').config;
  const vp = (await req.call('POST', '/projects', { title: 'Track ten minutes', label_config: vconfig, reward: 5, overlap: 1 })).body;
  await req.call('POST', `/projects/${vp.id}/tasks`, [{ video: `/api/v1/media/${vmedia.id}` }]);
  await req.call('POST', `/projects/${vp.id}/fund`, { amount: 1000 }, { 'Idempotency-Key': 'b4' });
  await req.call('POST', `/projects/${vp.id}/publish`);
  for (const round of ['first', 'second']) {
    await page.goto(`${server.url}/work/${vp.id}`);
    await page.waitForSelector('text=Start working');
    t0 = performance.now();
    await page.click('text=Start working');
    await page.waitForFunction(() => /Frame 1 \/ 15000/.test(document.querySelector('.vt-frame')?.textContent || ''), null, { timeout: 120000 });
    const openMs = ms(t0);
    await page.waitForFunction(() => document.querySelector('.vt-stage video').readyState >= 2, null, { timeout: 60000 });
    console.log(`video open, ${round}: Start working → frame count shown ${openMs} ms, first frame drawn ${ms(t0)} ms`);
    console.log(`  video element: ${JSON.stringify(await page.evaluate(() => { const v = document.querySelector('.vt-stage video'); return { w: v.videoWidth, h: v.videoHeight, duration: v.duration }; }))}`);
  }
  // frame steps: '.' pressed, until the new frame is presented
  const steps = [];
  await page.focus('.vt-stage');
  for (let i = 0; i < 20; i++) {
    steps.push(await page.evaluate(() => new Promise((done) => {
      const v = document.querySelector('.vt-stage video');
      const t = performance.now();
      setTimeout(() => done(-1), 10000); // never presented within 10 s: counted as -1
      v.addEventListener('seeked', () => v.requestVideoFrameCallback(() => done(performance.now() - t)), { once: true });
      document.querySelector('.vt-stage').dispatchEvent(new KeyboardEvent('keydown', { key: '.', bubbles: true }));
    })));
  }
  console.log(`frame step (.) → next frame presented, ms: ${JSON.stringify(stats(steps))}`);
  const vframes = await page.evaluate(() => new Promise((done) => {
    const v = document.querySelector('.work-task').annotator.objectViews.get('video').real;
    const out = [];
    let last = performance.now();
    let f = 7500;
    const end = last + 3000;
    const step = (now) => {
      out.push(now - last);
      last = now;
      f += 12; // scrub forward ~0.5 s per frame
      v.seekFrame(f);
      if (now < end) requestAnimationFrame(step);
      else done(out.slice(1));
    };
    requestAnimationFrame(step);
  }));
  console.log(`video scrub 3 s: frame ms ${JSON.stringify(stats(vframes))}`);
  }
} finally {
  await browser.close();
  await server.stop();
}
