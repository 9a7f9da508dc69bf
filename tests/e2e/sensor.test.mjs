// Sensor recordings in a browser (collect.media "sensor"): the contributor's
// phone (360 px) records motion while synthetic devicemotion events are
// dispatched on window; the live indicator and counter run; a recording too
// slow is caught before upload; the iOS permission prompt is asked on the
// press (stubbed: denied, then granted); the CSV uploads, passes the
// server's checks and is submitted. Then a TimeSeries project over the
// recording ("/api/v1/media/ID"), made from the dashboard's "Label these
// recordings", plots its channels; a peer validates and the requester reviews
// the recording as charts. axe-core on each screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, ADMIN, shot, expectAccessible, signInPage, apiSession } from './lib.mjs';
import { openWork, annotatorSuite } from './annotate-lib.mjs';

const S = annotatorSuite('sn', async (s) => {
  const p = await s.req.call('POST', '/projects', {
    title: 'Walk, then stand', kind: 'collection', reward: 20, overlap: 1,
    instructions: 'Put the phone in your pocket, walk ten steps, then stand still.',
    collect: { media: 'sensor', prompt_field: 'activity', sensors: ['accelerometer', 'gyroscope'], min_hz: 10, min_seconds: 2, max_seconds: 30 },
  });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  s.pid = p.body.id;
  assert.equal((await s.req.call('POST', `/projects/${s.pid}/tasks`, [{ activity: 'Walk ten steps, then stand still.' }, { activity: 'Sit down, then stand up.' }])).status, 201);
  assert.equal((await s.req.call('POST', `/projects/${s.pid}/fund`, { amount: 1000 }, { 'Idempotency-Key': 'snfund' })).status, 201);
  assert.equal((await s.req.call('POST', `/projects/${s.pid}/publish`)).status, 200);
});

/** Dispatches devicemotion events on window at hz for ms (in the page). */
const shake = (page, hz, ms) => page.evaluate(([rate, total]) => new Promise((done) => {
  let i = 0;
  const t = setInterval(() => {
    i++;
    window.dispatchEvent(new DeviceMotionEvent('devicemotion', {
      acceleration: { x: 0, y: 0, z: 0 },
      accelerationIncludingGravity: { x: Math.sin(i / 5) * 3, y: 9.81 + Math.cos(i / 3), z: Math.sin(i / 7) },
      rotationRate: { alpha: i % 10, beta: Math.sin(i / 4) * 50, gamma: -(i % 7) },
      interval: 1000 / rate,
    }));
  }, 1000 / rate);
  setTimeout(() => {
    clearInterval(t);
    done(i);
  }, total);
}), [hz, ms]);

test('sensor recording on a phone: permission, live counter, checks, submit', async () => {
  // iOS asks for motion access: the first press is denied, the second granted
  const page = await signInPage(S.browser, S.server, S.CON, PHONE, S.errors);
  await page.addInitScript(() => {
    window.__asked = 0;
    window.__answer = 'denied';
    DeviceMotionEvent.requestPermission = async () => {
      window.__asked++;
      return window.__answer;
    };
  });
  await page.goto(`${S.server.url}/work/${S.pid}`);
  await page.click('text=Start recording');
  await page.waitForSelector('body[data-task-ready]');
  assert.match(await page.textContent('.prompt-text'), /stand/);
  await expectAccessible(page, 'sensor recording, idle');
  await shot(page, 's01-sensor-idle-360', { full: false });

  await page.click('.sensor-capture .record-btn');
  await page.waitForFunction(() => /blocked/.test(document.querySelector('.capture-status').textContent));
  assert.equal(await page.evaluate(() => window.__asked), 1);
  assert.ok(await page.locator('.sensor-live').isHidden(), 'not recording without permission');

  // granted, but the sensors run at 4 Hz: caught before upload
  await page.evaluate(() => {
    window.__answer = 'granted';
  });
  await page.click('.sensor-capture .record-btn');
  await page.waitForSelector('.sensor-live:not([hidden])');
  assert.equal(await page.getAttribute('.sensor-capture .record-btn', 'aria-pressed'), 'true');
  await shake(page, 4, 2600);
  await page.click('.sensor-capture .record-btn');
  await page.waitForFunction(() => /readings a second/.test(document.querySelector('.capture-status').textContent));
  assert.equal(await page.evaluate(() => document.body.dataset.uploadReady), undefined, 'nothing uploaded');

  // record again at up to 100 Hz for 3 s (a loaded machine delivers fewer; 10 a second are needed)
  await page.click('.sensor-capture .redo-btn');
  await page.waitForSelector('.sensor-live:not([hidden])');
  const recording = shake(page, 100, 3000);
  await page.waitForFunction(() => parseInt(document.querySelector('.sensor-count').textContent, 10) > 20);
  const sent = await recording;
  assert.ok(sent > 40, `dispatched ${sent}`);
  // still recording (the indicator on) while axe looks: no events meanwhile
  await expectAccessible(page, 'sensor recording, live');
  await shot(page, 's02-sensor-live-360', { full: false });
  assert.match(await page.textContent('.sensor-rate'), /\d+ Hz/);
  await page.keyboard.press('r'); // R stops
  await page.waitForSelector('body[data-upload-ready]');
  const passed = await page.textContent('.checks');
  assert.match(passed, /passed the checks/);
  assert.match(passed, /readings at \d+ a second/);
  await expectAccessible(page, 'sensor recording, checked');
  await shot(page, 's03-sensor-checked-360');
  const mediaId = +(await page.evaluate(() => document.body.dataset.uploadReady));
  const csv = await page.evaluate(async (id) => (await fetch(`/api/v1/media/${id}`)).text(), mediaId);
  const lines = csv.trim().split('\n');
  assert.equal(lines[0], 't,ax,ay,az,gx,gy,gz');
  assert.ok(lines.length > 40, `${lines.length} lines`);
  const times = lines.slice(1).map((l) => Number(l.split(',')[0]));
  assert.ok(times.every((t, i) => i === 0 || t > times[i - 1]), 'times increase');
  assert.equal(times[0], 0);

  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => !document.body.dataset.uploadReady);
  const subs = (await S.req.call('GET', `/projects/${S.pid}/submissions`)).body;
  const items = subs.items || subs;
  assert.equal(items.length, 1, JSON.stringify(subs));
  assert.equal(items[0].media_id, mediaId);
  S.mediaId = mediaId;
  assert.equal(await page.evaluate(() => window.__asked), 3);
});

test('the requester turns accepted recordings into a TimeSeries project; its range is checked', async () => {
  assert.ok(S.mediaId, 'recorded first');
  // a peer checks it: the charts load, then the vote opens
  const VAL = { email: 'snval@example.com', password: 'contributor-pass-2', display_name: 'sn Checker' };
  const admin = await apiSession(S.server.url, ADMIN.email, ADMIN.password);
  assert.equal((await admin.call('POST', '/users', { ...VAL, roles: ['contributor'] })).status, 201);
  const vp = await signInPage(S.browser, S.server, VAL, PHONE, S.errors);
  await vp.goto(`${S.server.url}/work/${S.pid}/validate`);
  await vp.waitForSelector('body[data-validate-ready]');
  await vp.waitForSelector('.sensor-preview .sensor-chart canvas');
  await vp.waitForSelector('.vote-yes:not([disabled])');
  await expectAccessible(vp, 'validating a sensor recording');
  await shot(vp, 's06-sensor-validate-360', { full: false });
  await vp.keyboard.press('y');
  await vp.waitForSelector('text=Thanks — all checked');
  await vp.context().close();

  // the review screen shows the recording as charts, one per sensor
  const rp = await signInPage(S.browser, S.server, S.REQ, { width: 1280, height: 900 }, S.errors);
  await rp.goto(`${S.server.url}/projects/${S.pid}/review`);
  await rp.waitForFunction(() => document.querySelectorAll('.sensor-preview .sensor-chart canvas').length === 2);
  assert.match(await rp.textContent('.sensor-preview'), /\d+ readings over \d+\.\d s/);
  await expectAccessible(rp, 'review of a sensor recording');
  await shot(rp, 's05-sensor-review');
  const subs = (await S.req.call('GET', `/projects/${S.pid}/submissions`)).body.items;
  assert.equal((await S.req.call('POST', `/submissions/${subs[0].id}/accept`)).status, 200);
  await rp.goto(`${S.server.url}/projects/${S.pid}`);
  await rp.click('#label-recordings');
  await rp.waitForURL(/\/projects\/\d+\/edit$/);
  const pid = +rp.url().match(/projects\/(\d+)\/edit/)[1];
  const np = (await S.req.call('GET', `/projects/${pid}`)).body;
  assert.match(np.label_config, /<TimeSeries name="ts" value="\$csv" valueType="url" timeColumn="t">/);
  const tasks = (await S.req.call('GET', `/projects/${pid}/tasks`)).body;
  assert.deepEqual((tasks.items || tasks).map((t) => t.data), [{ csv: `/api/v1/media/${S.mediaId}` }]);
  assert.equal((await S.req.call('POST', `/projects/${pid}/fund`, { amount: 1000 }, { 'Idempotency-Key': 'snts' })).status, 201);
  assert.equal((await S.req.call('POST', `/projects/${pid}/publish`)).status, 200);

  const page = await openWork(S.browser, S.server, S.CON, pid, S.errors);
  await page.waitForFunction(() => /points × 6 channels/.test(document.querySelector('.ts-status')?.textContent || ''));
  await expectAccessible(page, 'time series over a sensor recording');
  await shot(page, 's04-sensor-timeseries');
  // the server knows where the stored recording ends
  const con = await apiSession(S.server.url, S.CON.email, S.CON.password);
  const held = (await con.call('GET', '/me/assignments')).body;
  const asg = (held.items || held).find((x) => (x.project_id || x.project?.id) === pid);
  assert.ok(asg, JSON.stringify(held));
  const result = (end) => [{ id: 'w', from_name: 'activity', to_name: 'ts', type: 'timeserieslabels', value: { start: 0, end, instant: false, timeserieslabels: ['Walk'] } }];
  const past = await con.call('POST', `/assignments/${asg.id}/submit`, { result: result(99), active_seconds: 5 });
  assert.equal(past.status, 400, JSON.stringify(past.body));
  assert.equal(past.body.error.field, 'result[0].value.end');
  assert.equal((await con.call('POST', `/assignments/${asg.id}/submit`, { result: result(1), active_seconds: 5 })).status, 201);
});

test('the editor sets up a sensor collection from its template', async () => {
  const page = await signInPage(S.browser, S.server, S.REQ, { width: 1280, height: 900 }, S.errors);
  await page.goto(`${S.server.url}/projects/new`);
  await page.click('.kind-option:has(input[value=collection])');
  await page.waitForSelector('.collect-spec:not([hidden])');
  await page.click('[data-collect-template=sensor-activity]');
  assert.equal(await page.inputValue('#c-media'), 'sensor');
  assert.equal(await page.inputValue('#c-sensors'), 'accelerometer, gyroscope');
  assert.equal(await page.inputValue('#c-min_hz'), '20');
  assert.ok(await page.locator('#c-min_sample_rate').isHidden(), 'audio fields hidden');
  await page.fill('#c-sensors', 'accelerometer, orientation');
  await expectAccessible(page, 'editor with a sensor collection');
  await shot(page, 's07-editor-sensor');
  await page.click('button[name=save]');
  await page.waitForURL(/\/projects\/\d+$/);
  const id = +page.url().match(/projects\/(\d+)/)[1];
  const p = (await S.req.call('GET', `/projects/${id}`)).body;
  assert.deepEqual(p.collect, { media: 'sensor', prompt_field: 'activity', sensors: ['accelerometer', 'orientation'], min_hz: 20, min_seconds: 5, max_seconds: 60, max_bytes: 5242880 });
});
