// The audio annotator: a recording stored here is drawn from server peaks,
// regions are made by dragging and by keyboard ([ and ] at the playhead),
// moved with Alt+arrows, transcribed per region; the draft survives a
// reload; the submission carries Label Studio's shapes; a plain audio URL is
// decoded in the browser. Desktop and 360 px, axe-core on each screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEMPLATES } from '../../web/js/templates.js';
import { startServer, apiSession, launch, shot, shotAtPhone, expectAccessible, ADMIN } from './lib.mjs';
import { liveProject, openWork, submitAndNext, submissionsOf, resultOn, makeUsers } from './annotate-lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
// the config editor's starter template, as a requester would pick it
const CONFIG = TEMPLATES.find((t) => t.id === 'audio-transcription').config;
const REQ = { email: 'areq@example.com', password: 'requester-pass-1', display_name: 'Ana Requester' };
const REC = { email: 'arec@example.com', password: 'recorder-pass-1', display_name: 'Rui Recorder' };
const CON = { email: 'acon@example.com', password: 'contributor-pass-1', display_name: 'Ama Contributor' };

let server;
let browser;
let req;
let pid;
let mediaId;
const errors = [];

/** A raw upload (the API client sends JSON only). */
async function upload(who, path, bytes, type) {
  const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: who.email, password: who.password }) });
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrf_token: csrf } = await login.json();
  const r = await fetch(`${server.url}/api/v1${path}`, { method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': type }, body: bytes });
  return { status: r.status, body: await r.json() };
}

before(async () => {
  server = await startServer();
  browser = await launch(['--autoplay-policy=no-user-gesture-required']);
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  await makeUsers(server, admin, [[REQ, ['requester']], [REC, ['contributor']], [CON, ['contributor']]]);
  req = await apiSession(server.url, REQ.email, REQ.password);
  // a recording collected here first
  const c = await req.call('POST', '/projects', { title: 'Say a sentence', kind: 'collection', collect: { media: 'audio', prompt_field: 'sentence', min_seconds: 1, max_seconds: 30, formats: ['ogg'] }, reward: 5, overlap: 1 });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.equal((await req.call('POST', `/projects/${c.body.id}/tasks`, [{ sentence: 'Please label the speech.' }])).status, 201);
  assert.equal((await req.call('POST', `/projects/${c.body.id}/fund`, { amount: 1000 }, { 'Idempotency-Key': 'afund1' })).status, 201);
  assert.equal((await req.call('POST', `/projects/${c.body.id}/publish`)).status, 200);
  const rec = await apiSession(server.url, REC.email, REC.password);
  const lease = await rec.call('POST', `/projects/${c.body.id}/assignments`);
  assert.equal(lease.status, 201, JSON.stringify(lease.body));
  const up = await upload(REC, `/assignments/${lease.body.id}/media`, readFileSync(join(here, '../../web/samples/speech.ogg')), 'audio/ogg');
  assert.equal(up.status, 201, JSON.stringify(up.body));
  mediaId = up.body.id;
  // the labelling project: the stored recording, then a plain URL
  pid = await liveProject(req, { title: 'Speech and noise', instructions: 'Mark speech and noise; transcribe the speech.', label_config: CONFIG },
    [{ audio: `/api/v1/media/${mediaId}` }, { audio: '/samples/speech.ogg' }], 'afund2');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

const result = resultOn;
const waveReady = (page) => page.waitForFunction(() => /Choose a label/.test(document.querySelector('.aw-status')?.textContent || ''));

test('audio: drag and keyboard regions, transcription, draft, submit', async () => {
  const page = await openWork(browser, server, CON, pid, errors);
  await waveReady(page);
  const peaks = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /\/peaks\?n=/.test(n)));
  assert.equal(peaks.length, 1, 'the stored recording is drawn from server peaks');
  const len = await page.evaluate(() => document.querySelector('.work-task').annotator.objectViews.get('audio').mediaLength);
  assert.ok(len > 5 && len < 7, `length ${len}`);

  // Speech by dragging across the first second
  await page.keyboard.press('1');
  const box = await page.locator('.aw-wave').boundingBox();
  const xAt = (s) => box.x + (box.width * s) / len;
  await page.mouse.move(xAt(0.4), box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(xAt(1.2), box.y + box.height / 2, { steps: 8 });
  await page.mouse.move(xAt(2.2), box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.waitForSelector('.region-item');
  await page.fill('[data-control=transcription] textarea', 'please label the speech');

  // Noise by keyboard: the playhead at 3 s, [ ; at 4 s, ]
  await page.focus('.aw-wave');
  await page.keyboard.press('Escape'); // nothing selected: the label key picks the label for new regions
  await page.keyboard.press('2');
  await page.keyboard.press('Home');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  const now = () => page.evaluate(() => document.querySelector('.work-task').annotator.objectViews.get('audio').real.now());
  await page.waitForFunction(() => document.querySelector('.work-task').annotator.objectViews.get('audio').real.now() > 2.9);
  assert.ok(Math.abs((await now()) - 3) < 0.01, `playhead at ${await now()}`);
  await page.keyboard.press('[');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press(']');
  await page.waitForFunction(() => document.querySelectorAll('.region-item').length === 2);
  // Alt+→ moves the selected region's start by 0.1 s, Alt+Shift+→ its end
  await page.keyboard.press('Alt+ArrowRight');
  await page.keyboard.press('Alt+Shift+ArrowRight');
  let res = await result(page);
  const labels = res.filter((r) => r.type === 'labels');
  assert.equal(labels.length, 2, JSON.stringify(res));
  const speech = labels.find((r) => r.value.labels[0] === 'Speech');
  const noise = labels.find((r) => r.value.labels[0] === 'Noise');
  assert.ok(speech.value.start > 0.2 && speech.value.start < 0.6 && speech.value.end > 1.9 && speech.value.end < 2.5, JSON.stringify(speech));
  assert.deepEqual([noise.value.start, noise.value.end], [3.1, 4.1]);
  assert.ok(labels.every((r) => r.original_length === len));
  const tr = res.find((r) => r.type === 'textarea');
  assert.equal(tr.id, speech.id);
  assert.deepEqual(tr.value.text, ['please label the speech']);
  // speed, zoom, loop from the keyboard
  await page.keyboard.press('>');
  assert.equal(await page.inputValue('.audio-object select'), '1.25');
  await page.keyboard.press('+');
  await page.keyboard.press('l');
  assert.equal(await page.isChecked('.audio-object input[type=checkbox]'), true);
  await page.keyboard.press('l');
  await page.keyboard.press('-');
  await expectAccessible(page, 'audio annotator');
  await shot(page, '40-audio-regions');
  await shotAtPhone(page, '41-audio-regions-360', { full: false });

  // the draft survives a reload
  await page.waitForTimeout(400);
  await page.reload();
  await page.waitForSelector('body[data-task-ready]');
  await waveReady(page);
  await page.waitForFunction(() => document.querySelectorAll('.region-item').length === 2);
  res = await result(page);
  assert.equal(res.filter((r) => r.type === 'labels').length, 2);
  assert.deepEqual(res.find((r) => r.type === 'textarea').value.text, ['please label the speech']);

  await submitAndNext(page);

  // the second task's plain URL is decoded in the browser; the spectrogram too
  await waveReady(page);
  await page.click('button:has-text("Spectrogram")');
  await page.waitForSelector('.aw-spec canvas');
  await page.setViewportSize({ width: 360, height: 740 });
  await shot(page, '42-audio-spectrogram-360', { full: false });
  await page.context().close();

  const subs = await submissionsOf(server, CON);
  assert.equal(subs.length, 1);
  const out = subs[0].result.filter((r) => r.type === 'labels');
  assert.equal(out.length, 2, JSON.stringify(subs[0]));
  assert.ok(out.every((r) => r.original_length > 5));
});
