// Helpers the media annotator tests (audio, video) share.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiSession, launch, watchErrors, ADMIN } from './lib.mjs';

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

/**
 * The usual annotator suite around node:test's before/after: a server,
 * chromium, a requester and a contributor (emails from `tag`), then
 * setup(ctx). Returns ctx, filled in before the tests run: {server, browser,
 * req (the requester's API session), REQ, CON, errors}; after the tests it
 * checks that no page logged an error.
 */
export function annotatorSuite(tag, setup) {
  const ctx = {
    errors: [],
    REQ: { email: `${tag}req@example.com`, password: 'requester-pass-1', display_name: `${tag} Requester` },
    CON: { email: `${tag}con@example.com`, password: 'contributor-pass-1', display_name: `${tag} Contributor` },
  };
  before(async () => {
    ctx.server = await startServer();
    ctx.browser = await launch();
    const admin = await apiSession(ctx.server.url, ADMIN.email, ADMIN.password);
    await makeUsers(ctx.server, admin, [[ctx.REQ, ['requester']], [ctx.CON, ['contributor']]]);
    ctx.req = await apiSession(ctx.server.url, ctx.REQ.email, ctx.REQ.password);
    await setup(ctx);
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
    assert.deepEqual(ctx.errors, [], 'no page errors, CSP violations or console errors');
  });
  return ctx;
}
