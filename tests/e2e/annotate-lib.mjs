// Helpers the media annotator tests (audio, video) share.
import assert from 'node:assert/strict';
import { apiSession, watchErrors } from './lib.mjs';

/** A live labelling project (created, tasks imported, funded, published): its id. */
export async function liveProject(req, body, tasks, key) {
  const p = await req.call('POST', '/projects', { reward: 20, overlap: 1, ...body });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  assert.equal((await req.call('POST', `/projects/${p.body.id}/tasks`, tasks)).status, 201);
  assert.equal((await req.call('POST', `/projects/${p.body.id}/fund`, { amount: 1000 }, { 'Idempotency-Key': key })).status, 201);
  assert.equal((await req.call('POST', `/projects/${p.body.id}/publish`)).status, 200);
  return p.body.id;
}

/** A new desktop page signed in as who, on the first task of project pid. */
export async function openWork(browser, server, who, pid, errors) {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  watchErrors(page, errors);
  await page.goto(`${server.url}/signin`);
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('#nav .profile-link');
  await page.goto(`${server.url}/work/${pid}`);
  await page.click('text=Start working');
  await page.waitForSelector('body[data-task-ready]');
  return page;
}

/** Ctrl+Enter submits; resolves when the next task (or the end) is shown. */
export async function submitAndNext(page) {
  const first = await page.evaluate(() => document.body.dataset.taskReady);
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction((f) => document.body.dataset.taskReady && document.body.dataset.taskReady !== f, first);
}

/** The contributor's submissions, through the API. */
export async function submissionsOf(server, who) {
  return (await (await apiSession(server.url, who.email, who.password)).call('GET', '/me/submissions')).body.items;
}

/** The result the annotator on the work screen holds now. */
export const resultOn = (page) => page.evaluate(() => document.querySelector('.work-task').annotator.getResult());

/** Creates each [user, roles] as the admin. */
export async function makeUsers(server, admin, list) {
  for (const [u, roles] of list) assert.equal((await admin.call('POST', '/users', { ...u, roles })).status, 201);
}
