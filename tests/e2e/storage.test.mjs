// Cloud storage (S3) import in a browser, against the local S3 emulator the
// API tests use (s3rver in tests/s3; skipped when it is not installed). A
// requester adds a bucket on the project dashboard: wrong keys are refused
// with S3's reason and nothing is saved; the right ones are saved, shown
// masked, and Sync now makes one task per image; an image added later makes
// exactly one more task on the next sync; the bucket is renamed and removed.
// At 360 px the same is done by keyboard alone. axe-core checks each state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, apiSession, launch, watchErrors, shot, expectAccessible, ADMIN, PHONE, tabTo } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const EMULATOR = resolve(here, '../s3/node_modules/s3rver/bin/s3rver.js');
const CONFIG = '<View><Image name="img" value="$image"/><Choices name="label" toName="img"><Choice value="cat"/><Choice value="dog"/></Choices></View>';
const REQ = { email: 'bucketreq@example.com', password: 'requester-pass-1', display_name: 'Bea Bucket' };
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de', 'hex');

let server;
let browser;
let emu;
let emuUrl;
let dir;
let req;
const errors = [];

/** Puts the PNG as key into bucket fc-test, signed by curl. */
function putObject(key) {
  const file = join(dir, 'p.png');
  writeFileSync(file, PNG);
  const code = execFileSync('curl', ['-s', '--aws-sigv4', 'aws:amz:us-east-1:s3', '--user', 'S3RVER:S3RVER', '-H', 'x-amz-content-sha256:UNSIGNED-PAYLOAD', '-T', file, `${emuUrl}/fc-test/${key}`, '-o', '/dev/null', '-w', '%{http_code}']).toString();
  assert.equal(code, '200', `put ${key}`);
}

async function newProject(title) {
  const p = await req.call('POST', '/projects', { title, instructions: 'Cat or dog?', label_config: CONFIG, reward: 10, overlap: 1 });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  return p.body.id;
}

async function taskCount(id) {
  const r = await req.call('GET', `/projects/${id}`);
  return r.body.task_count;
}

async function openDashboard(id, viewport) {
  const page = await (await browser.newContext({ viewport })).newPage();
  watchErrors(page, errors);
  page.on('dialog', (d) => d.accept());
  await page.goto(`${server.url}/signin`);
  await page.fill('input[name=email]', REQ.email);
  await page.fill('input[name=password]', REQ.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav .nav-user .avatar');
  await page.goto(`${server.url}/projects/${id}`);
  const panel = page.locator('.storage-panel');
  await panel.locator('.storage-empty').waitFor();
  return { page, panel };
}

before(async () => {
  if (!existsSync(EMULATOR)) return;
  dir = mkdtempSync(join(tmpdir(), 'fc-e2e-s3-'));
  emu = spawn('node', ['--openssl-legacy-provider', EMULATOR, '-d', dir, '-a', '127.0.0.1', '-p', '0', '--configure-bucket', 'fc-test'], { stdio: ['ignore', 'pipe', 'pipe'] });
  emuUrl = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('the S3 emulator did not start')), 15000);
    let out = '';
    emu.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(`http://${m[1]}`);
      }
    });
  });
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  const r = await admin.call('POST', '/users', { ...REQ, roles: ['requester'] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  req = await apiSession(server.url, REQ.email, REQ.password);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  emu?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

test('a requester adds a bucket, syncs it twice, renames and removes it', { skip: !existsSync(EMULATOR) && 'the S3 emulator is not installed in tests/s3' }, async () => {
  putObject('desk/a.png');
  putObject('desk/b.png');
  const id = await newProject('Pets in a bucket');
  const { page, panel } = await openDashboard(id, { width: 1280, height: 900 });
  await expectAccessible(page, 'storage: the empty panel and its form');

  // wrong keys: S3's reason in words, nothing saved
  await page.fill('#storage-endpoint', emuUrl);
  await page.fill('#storage-bucket', 'fc-test');
  await page.fill('#storage-prefix', 'desk/');
  await page.fill('#storage-access_key', 'WRONGKEY');
  await page.fill('#storage-secret_key', 'S3RVER');
  await page.click('.storage-form button[type=submit]');
  const error = panel.locator('.storage-form .form-error');
  await error.waitFor({ state: 'visible' });
  assert.match(await error.textContent(), /refused these credentials.*InvalidAccessKeyId/);
  await shot(page, 'st01-wrong-keys', { full: false });
  assert.equal(await panel.locator('table.storage-sources').count(), 0, 'nothing saved');

  // the right keys: saved, the key masked, the secret gone
  await page.fill('#storage-access_key', 'S3RVER');
  await page.fill('#storage-secret_key', 'S3RVER');
  await page.click('.storage-form button[type=submit]');
  const row = panel.locator('table.storage-sources tbody tr');
  await row.waitFor();
  assert.match(await row.textContent(), /fc-test\/desk\//);
  assert.doesNotMatch(await row.textContent(), /S3RVER/, 'the keys are not shown');
  assert.equal(await page.inputValue('#storage-secret_key'), '');
  assert.match(await row.textContent(), /Not synced yet/);

  // Sync now: two tasks; again with one more object: exactly one more
  await row.locator('[data-sync]').click();
  await panel.locator('tr[data-state=done]').waitFor();
  assert.match(await panel.locator('.storage-status').textContent(), /2 listed, 2 new tasks, 0 skipped/);
  assert.equal(await taskCount(id), 2);
  await shot(page, 'st02-synced', { full: false });
  putObject('desk/c.png');
  await row.locator('[data-sync]').click();
  await page.waitForFunction(() => /3 listed, 1 new task,/.test(document.querySelector('.storage-status')?.textContent || ''));
  assert.equal(await taskCount(id), 3);
  assert.equal((await row.locator('td[data-label=Tasks]').textContent()).trim(), '3');

  // rename: the keys stay as they were
  await row.locator('[data-edit]').click();
  assert.equal(await page.inputValue('#storage-prefix'), 'desk/');
  await page.fill('#storage-title', 'Desk photos');
  await page.click('.storage-form button[type=submit]');
  await page.waitForFunction(() => /Desk photos/.test(document.querySelector('table.storage-sources')?.textContent || ''));
  await row.locator('[data-sync]').click();
  await page.waitForFunction(() => /3 listed, 0 new tasks/.test(document.querySelector('.storage-status')?.textContent || ''));

  // remove: the tasks stay
  await row.locator('[data-remove]').click();
  await panel.locator('.storage-empty').waitFor();
  assert.equal(await taskCount(id), 3);
  await page.close();
});

test('at 360 px by keyboard alone', { skip: !existsSync(EMULATOR) && 'the S3 emulator is not installed in tests/s3' }, async () => {
  putObject('phone/x.png');
  const id = await newProject('Pets by phone');
  const { page, panel } = await openDashboard(id, PHONE);
  await expectAccessible(page, 'storage at 360 px');
  await tabTo(page, '#storage-endpoint');
  await page.keyboard.type(emuUrl);
  await page.keyboard.press('Tab');
  await page.keyboard.type('fc-test');
  await page.keyboard.press('Tab');
  await page.keyboard.type('phone/');
  await tabTo(page, '#storage-access_key');
  await page.keyboard.type('S3RVER');
  await page.keyboard.press('Tab');
  await page.keyboard.type('S3RVER');
  await page.keyboard.press('Enter');
  await panel.locator('table.storage-sources tbody tr').waitFor();
  // the form hands focus to the new bucket's Sync now
  await page.waitForFunction(() => document.activeElement?.matches('[data-sync]'));
  await page.keyboard.press('Enter');
  await panel.locator('tr[data-state=done]').waitFor();
  assert.match(await panel.locator('.storage-status').textContent(), /1 listed, 1 new task,/);
  assert.equal(await taskCount(id), 1);
  await shot(page, 'st03-phone-synced');
  await page.close();
});
