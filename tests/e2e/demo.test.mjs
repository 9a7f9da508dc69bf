// The demo (`make run`, serve --demo): one project of every kind, with the
// pictures, recording, clip and sensor CSV that ship in web/samples. A contributor sees
// them all on the board and each kind opens with its media loaded. Desktop
// and 360 px, axe-core on every screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, shot, signedInPage } from './lib.mjs';

const CONTRIB = { email: 'contributor@faircrowd.local', password: 'contribute-demo-1' };
let server;
let browser;
const errors = [];

before(async () => {
  server = await startServer({ args: ['--demo'] });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

const KINDS = ['Product review sentiment', 'Compare two assistant answers', 'Find people, organizations and places', 'Box the cars and people', 'Outline the road', 'Point at every head', 'Rate the answers', 'Mark speech in a recording', 'Track the moving shapes', 'Was the assistant helpful?', "Rate and fix an assistant's replies", 'Label activities in phone sensor data', 'Read a sentence aloud', 'Photograph an everyday object', "Record an activity with your phone's motion sensors"];

test('every kind is on the board, at desktop and 360 px', async () => {
  for (const [w, h, tag] of [[1280, 900, ''], [360, 740, '-360']]) {
    const page = await signedInPage(browser, server.url, CONTRIB, w, h, errors);
    await page.goto(`${server.url}/work`);
    await page.waitForSelector(`text=${KINDS[KINDS.length - 1]}`);
    const text = await page.textContent('main');
    for (const k of KINDS) assert.ok(text.includes(k), `${k} is on the board`);
    await shot(page, `demo-01-board${tag}`);
    await page.context().close();
  }
});

test('the media of the demo load: a street picture, a conversation', async () => {
  const page = await signedInPage(browser, server.url, CONTRIB, 1280, 900, errors);
  await page.goto(`${server.url}/work`);
  await page.click('text=Box the cars and people');
  await page.click('button:has-text("Start"), a:has-text("Start")');
  await page.waitForFunction(() => [...document.querySelectorAll('img')].some((i) => i.complete && i.naturalWidth === 480));
  await shot(page, 'demo-02-boxes');
  await page.goto(`${server.url}/work`);
  await page.click('text=Was the assistant helpful?');
  await page.click('button:has-text("Start"), a:has-text("Start")');
  await page.waitForSelector('.chat-turn, .chat-object');
  assert.match(await page.textContent('main'), /train was cancelled|good morning/);
  await shot(page, 'demo-03-chat');
  // the time series draws its chart from the CSV made for the demo
  await page.goto(`${server.url}/work`);
  await page.click('text=Label activities in phone sensor data');
  await page.click('button:has-text("Start"), a:has-text("Start")');
  await page.waitForFunction(() => /points × \d+ channels/.test(document.querySelector('.ts-status')?.textContent || ''));
  await shot(page, 'demo-05-timeseries');
  await page.context().close();
});

test('the demo motion-sensor project opens its recorder', async () => {
  const page = await signedInPage(browser, server.url, CONTRIB, 360, 740, errors);
  await page.goto(`${server.url}/work`);
  await page.click("text=Record an activity with your phone's motion sensors");
  await page.click('button:has-text("Start"), a:has-text("Start")');
  await page.waitForSelector('body[data-task-ready]');
  assert.match(await page.textContent('.prompt-text'), /steps|chair|stairs/);
  assert.ok(await page.locator('.sensor-capture .record-btn').isVisible());
  await shot(page, 'demo-04-sensor-360');
  await page.context().close();
});
