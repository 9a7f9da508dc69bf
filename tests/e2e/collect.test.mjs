// Data collection in a browser: a requester sets up a speech project in the
// editor; a contributor records a sentence with the (fake) microphone, plays
// it back and submits; two others validate it (one in the browser, one by
// API) and the requester sees it as valid. A photo project takes a generated
// PNG. A rejection is appealed and upheld, the contributor asks for a payout
// and an admin batches and confirms it. Also: the profile and admin users
// screens. Screenshots at desktop width and 360 px go to artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, apiSession, launch, watchErrors, shot, ADMIN, PHONE, shotAtPhone, expectAccessible } from './lib.mjs';

const REQ = { email: 'rita@example.com', password: 'requester-pass-1', display_name: 'Rita Requester' };
const ANN = { email: 'ann@example.com', password: 'contributor-pass-1', display_name: 'Ann Speaker' };
const BEN = { email: 'ben@example.com', password: 'contributor-pass-2', display_name: 'Ben Listener' };
const CY = { email: 'cy@example.com', password: 'contributor-pass-3', display_name: 'Cy Checker' };
const REV = { email: 'rev@example.com', password: 'reviewer-pass-123', display_name: 'Rosa Reviewer' };
const SENTENCES = ['The sun rose slowly over the quiet harbour.', 'Please bring three apples and a loaf of bread.'];

let server;
let browser;
let api = {};
let speechId;
let photoId;
const errors = [];
const pages = {};

before(async () => {
  server = await startServer();
  browser = await launch(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required']);
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  api.admin = admin;
  assert.equal((await admin.call('POST', '/users', { ...REQ, roles: ['requester'] })).status, 201);
  for (const u of [ANN, BEN, CY, REV]) assert.equal((await admin.call('POST', '/users', { ...u, roles: ['contributor'] })).status, 201);
  for (const [k, u] of Object.entries({ req: REQ, ann: ANN, ben: BEN, cy: CY, rev: REV })) api[k] = await apiSession(server.url, u.email, u.password);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

async function pageFor(name, user, viewport = { width: 1280, height: 860 }) {
  if (pages[name]) return pages[name];
  const context = await browser.newContext({ viewport, permissions: ['microphone', 'camera'] });
  const page = await context.newPage();
  watchErrors(page, errors);
  await page.goto(`${server.url}/signin`);
  await page.fill('input[name=email]', user.email);
  await page.fill('input[name=password]', user.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('#nav .profile-link');
  pages[name] = page;
  return page;
}

async function fundAndPublish(id, amount) {
  assert.equal((await api.req.call('POST', `/projects/${id}/fund`, { amount }, { 'Idempotency-Key': `fund-${id}` })).status, 201);
  const r = await api.req.call('POST', `/projects/${id}/publish`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

test('requester creates a speech-collection project in the editor', async () => {
  const page = await pageFor('req', REQ);
  await page.goto(`${server.url}/projects/new`);
  await page.click('.kind-option:has(input[value=collection])');
  await page.waitForSelector('.collect-spec:not([hidden])');
  assert.ok(await page.locator('fieldset.labeling').isHidden());
  await page.click('[data-collect-template=read-aloud]');
  assert.equal(await page.inputValue('#p-title'), 'Read sentences aloud');
  assert.equal(await page.inputValue('#c-min_seconds'), '1');
  assert.equal(await page.inputValue('#c-min_sample_rate'), '16000');
  await page.fill('#p-title', 'Read English sentences');
  await page.fill('#p-reward', '0.10');
  // the fake microphone beeps with pauses between the tones (about 55% silence):
  // allow a little more silence than the default 75%, so timing cannot flake
  await page.click('.collect-spec details summary');
  await page.fill('#c-max_silence_ratio', '0.9');
  await shot(page, 'c01-editor-collection');
  await page.setViewportSize(PHONE);
  await shot(page, 'c01-editor-collection-360');
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.click('button[name=save]');
  await page.waitForURL(/\/projects\/\d+$/);
  speechId = +page.url().match(/projects\/(\d+)/)[1];
  const p = (await api.req.call('GET', `/projects/${speechId}`)).body;
  assert.equal(p.kind, 'collection');
  assert.deepEqual([p.collect.media, p.collect.prompt_field, p.collect.min_seconds, p.collect.max_seconds, p.collect.max_silence_ratio], ['audio', 'sentence', 1, 15, 0.9]);
  await page.waitForSelector('text=Import prompts');
  const csv = `sentence\n${SENTENCES.map((s) => `"${s}"`).join('\n')}\n`;
  await page.setInputFiles('#import-file', { name: 'sentences.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.waitForSelector('.import-result.ok');
  await fundAndPublish(speechId, 1000);
});

test('contributor records a sentence, plays it back and submits', async () => {
  const page = await pageFor('ann', ANN, { width: 390, height: 844 });
  await page.goto(`${server.url}/work/${speechId}`);
  await page.click('text=Start recording');
  await page.waitForSelector('body[data-task-ready]');
  const prompt = await page.textContent('.prompt-text');
  assert.ok(SENTENCES.includes(prompt), prompt);
  await shot(page, 'c02-record-idle-390', { full: false });

  // a server check that fails is explained, every failure listed: a silent WAV
  const rate = 16000;
  const silent = Buffer.alloc(44 + rate * 2 * 2);
  silent.write('RIFF', 0);
  silent.writeUInt32LE(36 + rate * 4, 4);
  silent.write('WAVEfmt ', 8);
  silent.writeUInt32LE(16, 16);
  silent.writeUInt16LE(1, 20);
  silent.writeUInt16LE(1, 22);
  silent.writeUInt32LE(rate, 24);
  silent.writeUInt32LE(rate * 2, 28);
  silent.writeUInt16LE(2, 32);
  silent.writeUInt16LE(16, 34);
  silent.write('data', 36);
  silent.writeUInt32LE(rate * 4, 40);
  await page.setInputFiles('#collect-file', { name: 'silence.wav', mimeType: 'audio/wav', buffer: silent });
  await page.waitForSelector('.checks .problems');
  assert.match(await page.textContent('.checks .problems'), /silence/i);
  assert.ok(await page.locator('button:has-text("Submit")').isDisabled());
  await shot(page, 'c03-record-failed-checks-390');

  // record with the microphone: the level meter moves while it is on
  await page.click('button:has-text("Re-record")');
  await page.waitForSelector('.record-btn[aria-pressed=true]');
  await page.waitForFunction(() => parseFloat(document.querySelector('.meter-fill').style.width) > 0);
  await page.waitForTimeout(2200);
  await shot(page, 'c04-recording-390', { full: false });
  await page.click('.record-btn');
  await page.waitForSelector('body[data-upload-ready]', { timeout: 15000 });
  assert.match(await page.textContent('.checks .passed'), /passed the checks/);
  const secs = parseFloat(await page.textContent('.duration'));
  assert.ok(secs >= 1.8 && secs < 5, `duration ${secs}`);
  // play it back
  await page.click('.play-btn');
  await page.waitForSelector('body[data-played]', { timeout: 10000 });
  await shot(page, 'c05-recorded-390');
  await page.setViewportSize(PHONE);
  await shot(page, 'c05-recorded-360', { full: false });
  await page.setViewportSize({ width: 1280, height: 860 });
  await shot(page, 'c05-recorded');
  const first = await page.evaluate(() => document.body.dataset.taskReady);
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction((f) => document.body.dataset.taskReady && document.body.dataset.taskReady !== f, first);
  assert.ok(await page.locator('button:has-text("Submit")').isDisabled(), 'the next prompt starts without a recording');
  await page.click('button:has-text("Skip")');
  await page.waitForSelector('text=All done for now');
  const subs = (await api.ann.call('GET', '/me/submissions')).body.items;
  assert.equal(subs.length, 1);
  assert.equal(subs[0].validity ?? 'pending', 'pending');
});

test('two contributors validate the recording and it counts as valid', async () => {
  const page = await pageFor('ben', BEN);
  await page.goto(`${server.url}/work/${speechId}`);
  await page.click('text=Listen and vote');
  await page.waitForSelector('body[data-validate-ready]');
  assert.ok(SENTENCES.includes(await page.textContent('.prompt-text')));
  assert.ok(await page.locator('.vote-yes').isDisabled(), 'listen first');
  await page.click('.play-btn');
  await page.waitForSelector('.vote-yes:not([disabled])');
  await shot(page, 'c06-validate');
  await page.setViewportSize(PHONE);
  await shot(page, 'c06-validate-360', { full: false });
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.keyboard.press('y');
  await page.waitForSelector('text=Thanks — all checked');

  const next = await api.cy.call('GET', `/projects/${speechId}/validations/next`);
  assert.equal(next.status, 200);
  const vote = await api.cy.call('POST', `/submissions/${next.body.submission_id}/votes`, { vote: 'up' });
  assert.equal(vote.status, 201, JSON.stringify(vote.body));
  assert.equal(vote.body.validity, 'valid');

  const req = await pageFor('req', REQ);
  await req.goto(`${server.url}/projects/${speechId}/review`);
  await req.waitForSelector('body[data-review-ready]');
  await req.waitForSelector('.badge-validity-valid');
  assert.match(await req.textContent('.votes'), /2 yes · 0 no/);
  await shot(req, 'c07-review-recording');
  await shotAtPhone(req, 'c07-review-recording-360');
  await req.keyboard.press('a');
  await req.waitForSelector('text=All caught up');
});

async function makePhoto(page) {
  const url = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 800;
    c.height = 600;
    const g = c.getContext('2d');
    g.fillStyle = '#94a3b8';
    g.fillRect(0, 0, 800, 600);
    for (let i = 0; i < 60; i++) {
      g.fillStyle = `hsl(${(i * 47) % 360} 70% ${30 + (i % 5) * 10}%)`;
      g.fillRect((i * 131) % 760, (i * 89) % 560, 30 + (i % 7) * 12, 20 + (i % 4) * 15);
    }
    g.fillStyle = '#111827';
    g.font = 'bold 64px sans-serif';
    g.fillText('MUG', 300, 320);
    return c.toDataURL('image/png');
  });
  return Buffer.from(url.split(',')[1], 'base64');
}

test('contributor photographs an object: preview, checks, submit', async () => {
  const r = await api.req.call('POST', '/projects', { title: 'Photograph kitchen objects', kind: 'collection', reward: 600, instructions: 'Photograph **the object**.', collect: { media: 'image', prompt_field: 'object', min_width: 640, min_height: 480, max_bytes: 15728640, formats: ['jpeg', 'png'] } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  photoId = r.body.id;
  assert.equal((await api.req.call('POST', `/projects/${photoId}/tasks`, [{ object: 'a coffee mug' }])).status, 201);
  await fundAndPublish(photoId, 2000);
  assert.equal((await api.req.call('POST', `/projects/${photoId}/members`, { user_id: api.rev.user.id, role: 'reviewer' })).status < 300, true);

  const page = await pageFor('ann', ANN);
  await page.goto(`${server.url}/work/${photoId}/task`);
  await page.waitForSelector('body[data-task-ready]');
  assert.equal(await page.textContent('.prompt-text'), 'a coffee mug');
  assert.equal(await page.textContent('.work-instructions strong'), 'the object', 'instructions are rendered Markdown');
  await shot(page, 'c08-photo-empty');
  await page.setInputFiles('#collect-file', { name: 'mug.png', mimeType: 'image/png', buffer: await makePhoto(page) });
  await page.waitForSelector('body[data-upload-ready]');
  await page.waitForSelector('.photo-preview:not([hidden])');
  assert.match(await page.textContent('.checks .passed'), /800×600/);
  await shot(page, 'c09-photo-checked');
  await page.setViewportSize(PHONE);
  await shot(page, 'c09-photo-checked-360');
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.click('button:has-text("Submit")');
  await page.waitForSelector('text=All done for now');
});

test('a rejected photo is appealed in My work and upheld by another reviewer', async () => {
  const next = await api.req.call('GET', `/projects/${photoId}/review/next`);
  assert.equal(next.status, 200);
  const rej = await api.req.call('POST', `/submissions/${next.body.id}/reject`, { reason_code: 'low_quality', message: 'The mug is not visible.' });
  assert.equal(rej.status, 200, JSON.stringify(rej.body));

  const page = await pageFor('ann', ANN);
  await page.goto(`${server.url}/me/work`);
  await page.waitForSelector(`[data-appeal="${next.body.id}"]`);
  await page.click(`[data-appeal="${next.body.id}"]`);
  await page.waitForSelector('dialog[open] #appeal-message');
  await page.click('dialog button:has-text("Send appeal")');
  await page.waitForSelector('dialog .field-error');
  await page.fill('#appeal-message', 'The mug is in the middle of the photo, the word MUG is printed on it.');
  await shot(page, 'c10-appeal-dialog', { full: false });
  await shotAtPhone(page, 'c10-appeal-dialog-360', { full: false });
  await page.click('dialog button:has-text("Send appeal")');
  await page.waitForSelector('text=Appeal sent');

  const rev = await pageFor('rev', REV);
  await rev.goto(`${server.url}/projects/${photoId}/review?tab=appeals`);
  await rev.waitForSelector('.appeal');
  assert.match(await rev.textContent('.appeal'), /MUG is printed/);
  await rev.click('.appeal button[data-decision=uphold]');
  await rev.waitForSelector('.appeal .field-error');
  await rev.fill('.appeal textarea', 'The mug is clearly visible; the rejection was a mistake.');
  await shot(rev, 'c11-appeals-queue');
  await rev.setViewportSize(PHONE);
  await shot(rev, 'c11-appeals-queue-360');
  await rev.setViewportSize({ width: 1280, height: 860 });
  await rev.click('.appeal button[data-decision=uphold]');
  await rev.waitForSelector('text=No open appeals');
  const subs = (await api.ann.call('GET', '/me/submissions')).body.items;
  assert.equal(subs.find((s) => s.id === next.body.id).status, 'accepted');
});

test('contributor requests a payout; an admin batches and confirms it', async () => {
  const page = await pageFor('ann', ANN);
  await page.goto(`${server.url}/me/work`);
  await page.waitForSelector('#payout-amount');
  assert.match(await page.textContent('#payout-hint'), /Minimum payout \$5\.00/);
  await page.fill('#payout-amount', '2.00');
  await page.click('button:has-text("Request payout")');
  await page.waitForSelector('.payout-form .field-error');
  assert.match(await page.textContent('.payout-form .field-error'), /smallest payout is \$5\.00/);
  await page.fill('#payout-amount', '5.00');
  await page.click('button:has-text("Request payout")');
  await page.waitForSelector('.badge-payout-requested');
  assert.match(await page.textContent('table.ledger'), /Appeal upheld/i);
  await shot(page, 'c12-my-work-money');
  await page.setViewportSize(PHONE);
  await shot(page, 'c12-my-work-money-360');
  await page.setViewportSize({ width: 1280, height: 860 });

  const admin = await pageFor('admin', ADMIN);
  await admin.goto(`${server.url}/admin/payouts`);
  await admin.click('button:has-text("Batch 1 requested payout")');
  await admin.waitForSelector('.batch-result .notice');
  await shot(admin, 'c13-admin-payouts-batched');
  // the batch file is a download (not a path on the server), amounts in currency units
  const dl = admin.locator('.batch-result a[download]');
  assert.match(await dl.textContent(), /^Download batch #\d+ \(CSV, amounts in USD\)$/);
  assert.match(await dl.getAttribute('href'), /^\/api\/v1\/admin\/payouts\/batch\/\d+\/file$/);
  const [download] = await Promise.all([admin.waitForEvent('download'), dl.click()]);
  const csv = (await readFile(await download.path())).toString('utf8');
  assert.match(csv, new RegExp(`^payout_id,user_id,email,amount,currency,amount_minor\n\\d+,\\d+,${ANN.email},5\\.00,USD,500\n$`));
  await admin.click('.batch-result button');
  await admin.waitForFunction(() => /1 payout/.test([...document.querySelectorAll('.stat')].find((s) => /Paid/.test(s.textContent))?.textContent || ''));
  await shot(admin, 'c13-admin-payouts-paid');
  await shotAtPhone(admin, 'c13-admin-payouts-paid-360');
  await page.goto(`${server.url}/me/work`);
  await page.waitForSelector('.badge-payout-paid');
});

test('profile: optional demographics, saved and cleared', async () => {
  const page = await pageFor('ann', ANN);
  await page.click('#nav .profile-link');
  await page.waitForSelector('h1:text-is("Your profile")');
  assert.match(await page.textContent('.info-notice'), /optional/);
  await page.selectOption('#pr-age_band', 'thirties');
  await page.selectOption('#pr-gender', 'female');
  await page.fill('#pr-accent', 'Scottish English');
  await page.fill('#pr-languages', 'en, gd');
  await page.fill('#pr-country', 'G1');
  await page.click('button:has-text("Save profile")');
  await page.waitForSelector('.field-error');
  await page.fill('#pr-country', 'gb');
  await page.click('button:has-text("Save profile")');
  await page.waitForSelector('text=Profile saved.');
  const prof = (await api.ann.call('GET', '/me/profile')).body;
  assert.deepEqual([prof.age_band, prof.gender, prof.accent, prof.languages, prof.country], ['thirties', 'female', 'Scottish English', ['en', 'gd'], 'GB']);
  // API tokens: created with an expiry, its secret shown once, revoked from the keyboard
  await page.fill('#tk-name', 'laptop script');
  await page.fill('#tk-days', '30');
  await page.click('button:has-text("Create token")');
  const secret = (await page.textContent('.token-secret')).trim();
  assert.equal((await api.ann.call('GET', '/me', undefined, { Authorization: `Bearer ${secret}` })).status, 200);
  await page.waitForSelector('.tokens-card td:text-is("laptop script")');
  await shot(page, 'c14-profile');
  await page.setViewportSize(PHONE);
  await shot(page, 'c14-profile-360');
  await page.setViewportSize({ width: 1280, height: 860 });
  page.once('dialog', (d) => d.accept());
  await page.focus('button[aria-label="Revoke token laptop script"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=Token revoked.');
  await page.waitForSelector('.tokens-card td:text-is("laptop script")', { state: 'detached' });
  assert.equal((await api.ann.call('GET', '/me', undefined, { Authorization: `Bearer ${secret}` })).status, 401);
});

test('admin creates a user and changes roles', async () => {
  const page = await pageFor('admin', ADMIN);
  await page.click('#nav a:text-is("Users")');
  await page.waitForSelector('#u-email');
  await page.fill('#u-email', 'newreq@example.com');
  await page.fill('#u-display_name', 'Nora New');
  await page.fill('#u-password', 'short');
  await page.check('input[name=new-roles][value=requester]');
  await page.click('button:has-text("Create user")');
  await page.waitForSelector('.form-error:not([hidden]), .field-error');
  await page.fill('#u-password', 'long-enough-pass');
  await page.click('button:has-text("Create user")');
  await page.waitForSelector('td:text("newreq@example.com")');
  await page.click('button:has-text("Change roles")');
  await page.uncheck('input[name=edit-roles][value=contributor]');
  await page.click('button:has-text("Save roles")');
  await page.waitForSelector('text=Roles of #');
  const id = +(await page.inputValue('#u-id'));
  const me = await apiSession(server.url, 'newreq@example.com', 'long-enough-pass');
  assert.deepEqual(me.user.roles, ['requester']);
  assert.ok(id > 0);
  await shot(page, 'c15-admin-users');
  await page.setViewportSize(PHONE);
  await shot(page, 'c15-admin-users-360');
});

test('requester turns on the read-aloud speech check', async () => {
  const page = await pageFor('req', REQ);
  await page.goto(`${server.url}/projects/new`);
  await page.click('.kind-option:has(input[value=collection])');
  await page.click('[data-collect-template=read-aloud]');
  await page.fill('#p-title', 'Read and be checked');
  await page.fill('#p-reward', '0.10');
  await page.click('.collect-spec details summary');
  await page.check('#c-verify_prompt');
  await page.fill('#c-max_prompt_wer', '0.4');
  await expectAccessible(page);
  await page.click('button[name=save]');
  await page.waitForURL(/\/projects\/\d+$/);
  const id = +page.url().match(/projects\/(\d+)/)[1];
  const p = (await api.req.call('GET', `/projects/${id}`)).body;
  assert.deepEqual([p.collect.verify_prompt, p.collect.max_prompt_wer], [true, 0.4]);
});
