// The audio and video annotators' speed (issue 14), in chromium: a 1-hour
// recording and a 10-minute 1080p video opened and scrubbed, a frame step,
// and a track of 10,000 keyframes stepped through, scrubbed, edited and
// exported as MOT. Not a test: it prints figures for bench/README.md.
//
//   node bench/media/annotate_bench.mjs [BINARY] [audio|video|track|all] [RUNS]   (from the repo root)
//
// Needs tests/e2e/node_modules (scripts/install-deps --test) and ffmpeg; the
// media are made once in /tmp/fc-bench-media.
//
// What "frame time" means here: the interval between requestAnimationFrame
// callbacks while an input drives the scrub, one input event dispatched per
// animation frame (keydown on the waveform, `input` on the video's frame
// slider, `.` on the video stage). Headless chromium paces frames at 60 Hz,
// so an on-time frame measures 16.7 ms and the goal "< 16 ms of work a
// frame" shows as no frame over 20 ms ("late" below). Next to it: the
// handler time (the main-thread time of dispatching one input event,
// measured around dispatchEvent) and the long tasks (> 50 ms) a
// PerformanceObserver saw. The same page with no input gives the floor:
// the frames this machine drops by itself at its load.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { startServer, apiSession, launch, ADMIN } from '../../tests/e2e/lib.mjs';
import { TEMPLATES } from '../../web/js/templates.js';
import { boxAt } from '../../web/js/annotate/video.js';

process.env.FC_BINARY ||= resolve(process.argv[2] || 'build/faircrowd');
const what = process.argv[3] || 'all';
const RUNS = Number(process.argv[4]) || 3;
const dir = '/tmp/fc-bench-media';
mkdirSync(dir, { recursive: true });
const hour = `${dir}/hour.ogg`;
if (what !== 'video' && what !== 'track' && !existsSync(hour)) {
  // pink noise with a slow swell, 1 h, Opus 24 kb/s (~9 MB)
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'anoisesrc=d=3600:c=pink:r=48000:a=0.3',
    '-af', "volume='0.3+0.7*abs(sin(t/7))':eval=frame", '-ac', '1', '-c:a', 'libopus', '-b:a', '24k', hour]);
}
const tenmin = `${dir}/tenmin-front.webm`;
if (what !== 'audio' && !existsSync(tenmin)) {
  // 10 minutes of 1080p at 25 fps, VP8 (Debian's chromium plays no H.264), a keyframe every
  // 2 s: 10 s encoded once and joined 60 times by the concat demuxer (no re-encode). The
  // seek index (Cues) goes before the clusters, WebM's "faststart": the player learns where
  // every keyframe is from the first bytes instead of reading the end of the file first.
  if (!existsSync(`${dir}/ten.webm`)) {
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-t', '10',
      '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '2M', '-g', '50', '-an', `${dir}/ten.webm`]);
  }
  writeFileSync(`${dir}/list.txt`, Array(60).fill(`file '${dir}/ten.webm'`).join('\n'));
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', `${dir}/list.txt`, '-c', 'copy',
    '-cues_to_front', '1', tenmin]);
}
const users = { req: { email: 'breq@example.com', password: 'bench-requester-1', display_name: 'Bench Requester' },
  rec: { email: 'brec@example.com', password: 'bench-recorder-1', display_name: 'Bench Recorder' },
  con: { email: 'bcon@example.com', password: 'bench-contrib-1', display_name: 'Bench Contributor' } };

const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const ms = (t0) => Math.round(performance.now() - t0);
const q = (s, p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return 'none';
  return `p50 ${q(s, 0.5).toFixed(1)} p95 ${q(s, 0.95).toFixed(1)} max ${s[s.length - 1].toFixed(1)} (n=${s.length})`;
};
const frameStats = (r) => `frames ${stats(r.frames)}, late (> 20 ms) ${r.frames.filter((x) => x > 20).length}; ` +
  `handler ms ${stats(r.handler)}; long tasks ${r.longtasks.length}${r.longtasks.length ? ` (max ${Math.max(...r.longtasks).toFixed(0)} ms)` : ''}` +
  (r.settle !== undefined ? `; release → exact frame shown ${r.settle.toFixed(0)} ms` : '');

/**
 * In the page: one input per animation frame for `seconds` (drive(i) dispatches it and
 * returns nothing), then end() once; the rAF intervals, the time each dispatch took
 * and the long tasks seen. drive and end are source text (page.evaluate).
 */
async function driveFrames(page, drive, end, seconds = 3) {
  return page.evaluate(({ drive, end, seconds }) => new Promise((done) => {
    const driveFn = new Function('i', drive);
    const endFn = new Function(end);
    const longtasks = [];
    let obs = null;
    try {
      obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) longtasks.push(e.duration); });
      obs.observe({ type: 'longtask' });
    } catch { /* no long task timing */ }
    const frames = [];
    const handler = [];
    let last = 0;
    let i = 0;
    let stop = 0;
    const step = (now) => {
      if (last) frames.push(now - last);
      last = now;
      if (!stop) stop = now + seconds * 1000;
      if (drive) {
        const t = performance.now();
        driveFn(i++);
        handler.push(performance.now() - t);
      }
      if (now < stop) requestAnimationFrame(step);
      else {
        Promise.resolve(endFn()).then((settle) => {
          obs?.disconnect();
          done({ frames, handler, longtasks, settle });
        });
      }
    };
    requestAnimationFrame(step);
  }), { drive, end, seconds });
}

const server = await startServer();
const browser = await launch();
console.log(`machine: ${execFileSync('sh', ['-c', "nproc; grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]).toString().trim().replace('\n', ' CPUs,')}; ${new Date().toISOString()}; runs ${RUNS}`);
try {
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  for (const [u, roles] of [[users.req, ['requester']], [users.rec, ['contributor']], [users.con, ['contributor']]]) await admin.call('POST', '/users', { ...u, roles });
  const req = await apiSession(server.url, users.req.email, users.req.password);
  const rec = await apiSession(server.url, users.rec.email, users.rec.password);
  const cookieOf = async (u) => {
    const r = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: u.email, password: u.password }) });
    return { cookie: r.headers.getSetCookie().map((x) => x.split(';')[0]).join('; '), csrf: (await r.json()).csrf_token };
  };
  const { cookie, csrf } = await cookieOf(users.rec);
  let fund = 0;
  const live = async (body, tasks) => {
    const p = await req.call('POST', '/projects', body);
    if (p.status !== 201) throw new Error(`project ${p.status} ${JSON.stringify(p.body)}`);
    const t = await req.call('POST', `/projects/${p.body.id}/tasks`, tasks);
    if (t.status >= 300) throw new Error(`tasks ${t.status} ${JSON.stringify(t.body)}`);
    await req.call('POST', `/projects/${p.body.id}/fund`, { amount: 1000 }, { 'Idempotency-Key': `bf${fund++}` });
    await req.call('POST', `/projects/${p.body.id}/publish`);
    return p.body;
  };
  // curl, not fetch: a refusal arrives before the body is sent, and curl shows it
  const upload = async (collect, file, type) => {
    const c = await live({ title: 'Collect', kind: 'collection', collect, reward: 5, overlap: 1 }, [{ s: 'record' }]);
    const lr = await rec.call('POST', `/projects/${c.id}/assignments`);
    if (lr.status !== 201) throw new Error(`lease ${lr.status} ${JSON.stringify(lr.body)}`);
    const t0 = performance.now();
    const out = execFileSync('curl', ['-s', '-w', '\n%{http_code}', '-H', `Cookie: ${cookie}`, '-H', `X-CSRF-Token: ${csrf}`, '-H', `Content-Type: ${type}`,
      '--data-binary', `@${file}`, `${server.url}/api/v1/assignments/${lr.body.id}/media`], { maxBuffer: 1 << 24 }).toString().trim().split('\n');
    if (out[1] !== '201') throw new Error(`upload ${out[1]} ${out[0]}`);
    console.log(`upload of ${file} (${Math.round(readFileSync(file).length / 1048576)} MB, every check): ${ms(t0)} ms`);
    return JSON.parse(out[0]);
  };
  const signIn = async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${server.url}/signin`);
    await page.fill('input[name=email]', users.con.email);
    await page.fill('input[name=password]', users.con.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('#nav .profile-link');
    return page;
  };
  const open = async (page, pid, readyFn, firstFrameFn) => {
    await page.goto(`${server.url}/work/${pid}`);
    await page.waitForSelector('text=Start working');
    const t0 = performance.now();
    await page.click('text=Start working');
    await page.waitForFunction(readyFn, null, { timeout: 120000 });
    const a = ms(t0);
    if (firstFrameFn) await page.waitForFunction(firstFrameFn, null, { timeout: 120000 });
    return [a, ms(t0)];
  };
  const floor = async (page) => {
    for (let run = 1; run <= RUNS; run++) console.log(`  floor, no input, run ${run} (load ${load()}): ${frameStats(await driveFrames(page, '', 'return undefined'))}`);
  };

  if (what === 'audio' || what === 'all') {
    const media = await upload({ media: 'audio', prompt_field: 's', min_seconds: 1, max_seconds: 4000, max_bytes: 52428800, formats: ['ogg'] }, hour, 'audio/ogg');
    // the upload queued the peaks (outbox job "media_peaks"): wait until they are stored
    const t0 = performance.now();
    for (;;) {
      const pj = await (await fetch(`${server.url}/api/v1/media/${media.id}/peaks?n=4`, { headers: { Cookie: cookie } })).json();
      if (pj.source === 'stored') break;
      if (performance.now() - t0 > 600000) throw new Error(`peaks never stored: ${JSON.stringify(pj)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    console.log(`audio: upload answered → peaks stored by the job: ${ms(t0)} ms`);
    const p = await live({ title: 'Label an hour', label_config: TEMPLATES.find((t) => t.id === 'audio-transcription').config, reward: 5, overlap: 1 },
      Array.from({ length: RUNS + 1 }, () => ({ audio: `/api/v1/media/${media.id}` })));
    const ready = () => /Choose a label/.test(document.querySelector('.aw-status')?.textContent || '');
    for (let run = 1; run <= RUNS; run++) {
      const page = await signIn(); // a new browser context: nothing cached
      const [first] = await open(page, p.id, ready);
      const [again] = await open(page, p.id, ready);
      console.log(`audio open, run ${run} (load ${load()}): Start working → waveform drawn: first ${first} ms, again ${again} ms`);
      await page.context().close();
    }
    const page = await signIn();
    await open(page, p.id, ready);
    await floor(page);
    for (const [label, zoomIn] of [['whole file', 0], ['100 px/s', 4]]) {
      await page.focus('.aw-wave');
      for (let i = 0; i < zoomIn; i++) await page.keyboard.press('+');
      await page.waitForTimeout(500);
      for (let run = 1; run <= RUNS; run++) {
        await page.evaluate(() => document.querySelector('.work-task').annotator.objectViews.get('audio').real.seek(600));
        await page.waitForTimeout(300);
        // a held arrow key, one keydown a frame (faster than a key repeats): 1 s a press
        const r = await driveFrames(page,
          "document.querySelector('.aw-wave').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true, cancelable: true }))",
          `const a = document.querySelector('.audio-object audio'); const t = performance.now();
           return new Promise((ok) => { const w = () => (a.seeking || document.querySelector('.work-task').annotator.objectViews.get('audio').real.target != null ? setTimeout(w, 5) : ok(performance.now() - t)); w(); });`);
        console.log(`audio scrub (→ held) at ${label}, run ${run} (load ${load()}): ${frameStats(r)}`);
      }
    }
    await page.context().close();
  }

  if (what !== 'audio') {
    const vmedia = await upload({ media: 'video', prompt_field: 's', min_seconds: 1, max_seconds: 700, max_bytes: 1073741824, formats: ['webm'] }, tenmin, 'video/webm');
    const vconfig = TEMPLATES.find((t) => t.id === 'video-tracking').config;
    const vp = await live({ title: 'Track ten minutes', label_config: vconfig, reward: 5, overlap: 1 },
      Array.from({ length: RUNS + 2 }, () => ({ video: `/api/v1/media/${vmedia.id}` })));
    const shown = () => /Frame \d+ \/ 15000/.test(document.querySelector('.vt-frame')?.textContent || '');
    const drawn = () => document.querySelector('.vt-stage video')?.readyState >= 2;
    const view = "document.querySelector('.work-task').annotator.objectViews.get('video').real";
    // resolves when the frame the view wants is on screen: the first video frame callback
    // whose media time is that frame's, or (no callback for a paused seek) when the seek is done
    const presented = `const v = document.querySelector('.vt-stage video'); const want = (${view}.frame - 0.5) / 25;
      const t = performance.now();
      return new Promise((ok) => {
        let n = 0;
        const cb = (now, m) => (Math.abs(m.mediaTime - want) < 0.021 ? ok(performance.now() - t) : v.requestVideoFrameCallback(cb));
        v.requestVideoFrameCallback(cb);
        const poll = () => (!v.seeking && ${view}.pendingTime == null && Math.abs(v.currentTime - want) < 0.021 && v.readyState >= 2
          ? setTimeout(() => ok(performance.now() - t), 0) : ++n < 2000 ? setTimeout(poll, 5) : ok(-1));
        poll();
      });`;
    if (what !== 'track') {
      for (let run = 1; run <= RUNS; run++) {
        const page = await signIn();
        const [a1, b1] = await open(page, vp.id, shown, drawn);
        const [a2, b2] = await open(page, vp.id, shown, drawn);
        console.log(`video open, run ${run} (load ${load()}): Start working → frame count shown / first frame drawn: first ${a1} / ${b1} ms, again ${a2} / ${b2} ms`);
        await page.context().close();
      }
      const page = await signIn();
      await open(page, vp.id, shown, drawn);
      await floor(page);
      await page.evaluate((v) => eval(v).seekFrame(7500), view);
      await page.waitForTimeout(1000);
      for (let run = 1; run <= RUNS; run++) {
        // '.' pressed → that frame presented, 20 steps one after another
        const steps = [];
        for (let i = 0; i < 20; i++) {
          steps.push(await page.evaluate((presented) => {
            document.querySelector('.vt-stage').dispatchEvent(new KeyboardEvent('keydown', { key: '.', bubbles: true, cancelable: true }));
            return new Function(presented)();
          }, presented));
        }
        console.log(`video frame step (.) → frame shown, run ${run} (load ${load()}): ms ${stats(steps)}`);
      }
      for (let run = 1; run <= RUNS; run++) {
        // the frame slider dragged 12 frames an animation frame for 3 s, then let go
        const r = await driveFrames(page,
          `const s = document.querySelector('.vt-scrub'); s.value = String(2000 + 12 * i); s.dispatchEvent(new Event('input', { bubbles: true }));`,
          `document.querySelector('.vt-scrub').dispatchEvent(new Event('change', { bubbles: true }));${presented}`);
        console.log(`video scrub (slider dragged), run ${run} (load ${load()}): ${frameStats(r)}`);
      }
      // the control: the same file in a bare <video> of the same width on a page of this origin,
      // sought the same way (one seek in flight, the latest winning) with no annotator at all:
      // what chromium itself costs per new 1080p frame at this load
      await page.evaluate((src) => {
        const v = document.createElement('video');
        Object.assign(v, { src, muted: true, preload: 'metadata', id: 'bare' });
        v.style.cssText = 'width:1200px;display:block';
        v.addEventListener('seeked', () => { if (v.pending != null) { v.currentTime = v.pending; v.pending = null; } });
        document.body.replaceChildren(v);
      }, `/api/v1/media/${vmedia.id}`);
      await page.waitForFunction(() => document.getElementById('bare').readyState >= 2, null, { timeout: 60000 });
      for (let run = 1; run <= RUNS; run++) {
        const r = await driveFrames(page,
          `const v = document.getElementById('bare'); const t = (2000 + 12 * i - 0.5) / 25; if (v.seeking) v.pending = t; else v.currentTime = t;`,
          'return undefined');
        console.log(`control: bare <video> sought the same way, run ${run} (load ${load()}): ${frameStats(r)}`);
      }
      await page.context().close();
    }

    if (what === 'track' || what === 'all') {
      // interpolation alone, in node: every frame of a 10,000-keyframe track and of a 200-keyframe one
      const every = Array.from({ length: 10000 }, (_, i) => ({ frame: i + 1, x: 10 + (i % 500) / 10, y: 20, width: 10, height: 12, enabled: true }));
      const sparse = Array.from({ length: 200 }, (_, i) => ({ frame: 1 + i * 50, x: 10 + (i % 90) / 2, y: 30, width: 8, height: 9, enabled: true }));
      for (const [label, seq] of [['10,000 keyframes', every], ['200 keyframes over 10,000 frames', sparse]]) {
        const xs = [];
        for (let run = 1; run <= RUNS; run++) {
          const t0 = performance.now();
          for (let f = 1; f <= 10000; f++) boxAt(seq, f);
          xs.push((performance.now() - t0).toFixed(2));
        }
        console.log(`interpolation of all 10,000 frames, ${label} (node): ${xs.join(', ')} ms`);
      }
      // MOT export of a task whose annotation holds both tracks, every frame interpolated
      const ex = (await req.call('POST', '/projects', { title: 'MOT', label_config: vconfig, overlap: 1 })).body;
      const track = (id, seq) => ({ id, from_name: 'box', to_name: 'video', type: 'videorectangle', original_width: 1920, original_height: 1080,
        value: { labels: ['Shape'], framesCount: 15000, duration: 600, sequence: seq } });
      const imp = await req.call('POST', `/projects/${ex.id}/tasks`, [{ data: { video: 'https://cdn.example/tenmin.webm' },
        annotations: [{ completed_by: 'w1', result: [track('t1', every), track('t2', sparse)] }] }]);
      if (imp.status >= 300) throw new Error(`import ${imp.status} ${JSON.stringify(imp.body)}`);
      for (let run = 1; run <= RUNS; run++) {
        const t0 = performance.now();
        const r = await fetch(`${server.url}/api/v1/projects/${ex.id}/export?format=mot&interpolate_key_frames=1`, { headers: { Cookie: (await cookieOf(users.req)).cookie } });
        const body = new Uint8Array(await r.arrayBuffer());
        if (r.status !== 200) throw new Error(`export ${r.status} ${new TextDecoder().decode(body)}`);
        console.log(`MOT export, 2 tracks × 10,000 frames interpolated, run ${run} (load ${load()}): ${ms(t0)} ms, ${Math.round(body.length / 1024)} KiB zip`);
      }
      // the annotator with the 10,000-keyframe track and the 200-keyframe one on the 10-minute video
      const page = await signIn();
      await open(page, vp.id, shown, drawn);
      await page.evaluate(({ every, sparse }) => {
        const ann = document.querySelector('.work-task').annotator;
        ann.addRegion({ kind: 'track', control: 'box', to: 'video', labels: ['Shape'], sequence: every });
        ann.addRegion({ kind: 'track', control: 'box', to: 'video', labels: ['Text'], sequence: sparse });
      }, { every, sparse });
      console.log(`  timeline marks drawn: ${await page.locator('.vt-key').count()} buttons for ${every.length + sparse.length} keyframes`);
      await page.evaluate((v) => eval(v).seekFrame(100), view);
      await page.waitForTimeout(1000);
      await floor(page);
      for (let run = 1; run <= RUNS; run++) {
        const r = await driveFrames(page,
          "document.querySelector('.vt-stage').dispatchEvent(new KeyboardEvent('keydown', { key: '.', bubbles: true, cancelable: true }))",
          presented);
        console.log(`track: '.' held, one step a frame, run ${run} (load ${load()}): ${frameStats(r)}`);
      }
      for (let run = 1; run <= RUNS; run++) {
        // FC_BENCH_TRACE=FILE: a chromium trace of the first run, and its longest main-thread events
        const trace = run === 1 && process.env.FC_BENCH_TRACE;
        if (trace) await browser.startTracing(page, { path: trace, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.invalidationTracking', 'blink', 'cc', 'media'] });
        const r = await driveFrames(page,
          `const s = document.querySelector('.vt-scrub'); s.value = String(300 + 12 * i); s.dispatchEvent(new Event('input', { bubbles: true }));`,
          `document.querySelector('.vt-scrub').dispatchEvent(new Event('change', { bubbles: true }));${presented}`);
        console.log(`track: slider dragged over the tracks, run ${run} (load ${load()}): ${frameStats(r)}`);
        if (trace) {
          await browser.stopTracing();
          const ev = JSON.parse(readFileSync(trace, 'utf8')).traceEvents;
          const main = new Set(ev.filter((e) => e.name === 'thread_name' && e.args.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
          const by = new Map();
          for (const e of ev) {
            if (e.ph !== 'X' || !main.has(`${e.pid}:${e.tid}`) || !(e.dur > 2000)) continue;
            const k = e.name;
            const o = by.get(k) || { n: 0, ms: 0, max: 0 };
            o.n++; o.ms += e.dur / 1000; o.max = Math.max(o.max, e.dur / 1000);
            by.set(k, o);
          }
          for (const [k, o] of [...by].sort((x, y) => y[1].ms - x[1].ms).slice(0, 15)) console.log(`    main thread ${k}: ${o.n}× ${o.ms.toFixed(0)} ms (max ${o.max.toFixed(0)})`);
        }
      }
      // an edit: the selected 10,000-keyframe track's box moved on this frame (undo snapshot, redraw, autosave)
      await page.evaluate(() => { const ann = document.querySelector('.work-task').annotator; ann.select(ann.state.regions[0].id); });
      await page.focus('.vt-stage');
      const edits = [];
      for (let run = 1; run <= RUNS; run++) {
        edits.push((await page.evaluate(() => {
          const t = performance.now();
          document.querySelector('.vt-stage').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true, cancelable: true }));
          return performance.now() - t;
        })).toFixed(1));
        await page.waitForTimeout(300);
      }
      console.log(`track: one edit (→ moves the box: undo snapshot, redraw, result), handler ms: ${edits.join(', ')} (load ${load()})`);
      await page.context().close();
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
