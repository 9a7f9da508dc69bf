// The conversation annotator: a Chat object's turns with Markdown and code
// rendered as DOM (a message's HTML and script links stay text), per-turn
// ratings, problem flags and rewrites made with the keyboard alone, the
// ideal answer, the draft after a reload, the submission's item_index and
// the chat JSONL export. Desktop and 360 px, axe-core on each screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEMPLATES } from '../../web/js/templates.js';
import { shot, shotAtPhone, expectAccessible, tabTo } from './lib.mjs';
import { liveProject, openWork, submissionsOf, resultOn, annotatorSuite } from './annotate-lib.mjs';

const RATE = TEMPLATES.find((t) => t.id === 'chat-rating').config;
const REWRITE = TEMPLATES.find((t) => t.id === 'chat-rewrite').config;
const MESSAGES = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'Show me <img src=x onerror="window.pwned=1"> and [a link](javascript:window.pwned=2)' },
  { role: 'assistant', content: 'Here is **bold**, `inline code` and a block:\n\n```js\nconst x = "<b>not bold</b>";\n```\n\n- one\n- two' },
  { role: 'user', content: 'Thanks. Is 2 + 2 = 5?' },
  { role: 'assistant', content: 'Yes.' },
];
const S = annotatorSuite('chat', async (s) => {
  s.ratePid = await liveProject(s.req, { title: 'Rate replies', instructions: 'Rate each reply.', label_config: RATE }, [{ messages: MESSAGES }], 'cfund1');
  s.rewritePid = await liveProject(s.req, { title: 'Fix replies', instructions: 'Fix the assistant.', label_config: REWRITE }, [{ messages: MESSAGES }], 'cfund2');
});

/** Ctrl+Enter submits the project's only task; resolves on the end screen. */
async function submitLast(page) {
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('text=All done for now');
}

const turnsReady = (page) => page.waitForSelector('.chat-turn[data-turn="4"]');

test('chat: safe Markdown, per-turn ratings and flags by keyboard, draft, submit', async () => {
  const page = await openWork(S.browser, S.server, S.CON, S.ratePid, S.errors);
  await turnsReady(page);
  // the message's markup is text: no <img>, no javascript: link, nothing ran
  const user = page.locator('.chat-turn[data-turn="1"] .chat-content');
  assert.match(await user.innerText(), /<img src=x onerror=/);
  assert.equal(await page.locator('.chat-turn img').count(), 0);
  assert.equal(await page.locator('.chat-turn a[href^="javascript"]').count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  // Markdown of the reply: bold, inline code, a code block with its text as is, a list
  const reply = page.locator('.chat-turn[data-turn="2"] .chat-content');
  assert.equal(await reply.locator('strong').innerText(), 'bold');
  assert.equal(await reply.locator('pre code.language-js').innerText(), 'const x = "<b>not bold</b>";');
  assert.equal(await reply.locator('li').count(), 2);
  // controls under the assistant turns only (2 and 4)
  assert.deepEqual(await page.$$eval('.chat-turn-controls', (els) => els.map((e) => e.closest('.chat-turn').dataset.turn)), ['2', '4']);

  // keyboard only: 4 stars for turn 2, 1 star and "Wrong" for turn 4, a comment, the overall choice
  await tabTo(page, '.chat-turn[data-turn="2"] .star');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await tabTo(page, '.chat-turn[data-turn="4"] .star');
  await page.keyboard.press('Enter');
  await tabTo(page, '.chat-turn[data-turn="4"] input[value="Wrong"]');
  await page.keyboard.press('Space');
  await tabTo(page, '.chat-turn[data-turn="4"] [data-control=comment] input');
  await page.keyboard.type('2 + 2 is 4.');
  // a radio group is one Tab stop: arrows pick within it
  await tabTo(page, 'input[value="Good conversation"]');
  await page.keyboard.press('ArrowDown');
  let res = await resultOn(page);
  const at = (name, i) => res.find((r) => r.from_name === name && r.value.item_index === i);
  assert.equal(at('quality', 2).value.rating, 4, JSON.stringify(res));
  assert.equal(at('quality', 4).value.rating, 1);
  assert.deepEqual(at('issues', 4).value.choices, ['Wrong']);
  assert.deepEqual(at('comment', 4).value.text, ['2 + 2 is 4.']);
  assert.equal(at('comment', 4).to_name, 'chat');
  assert.deepEqual(res.find((r) => r.from_name === 'overall').value.choices, ['Bad conversation']);
  await expectAccessible(page, 'chat annotator');
  await shot(page, '60-chat-rating');
  await shotAtPhone(page, '61-chat-rating-360', { full: false });

  // the draft survives a reload
  await page.waitForTimeout(400);
  await page.reload();
  await page.waitForSelector('body[data-task-ready]');
  await turnsReady(page);
  res = await resultOn(page);
  assert.equal(at('quality', 4).value.rating, 1, JSON.stringify(res));
  assert.deepEqual(at('comment', 4).value.text, ['2 + 2 is 4.']);
  assert.equal(await page.locator('.chat-turn[data-turn="4"] input[value="Wrong"]').isChecked(), true);
  await submitLast(page);
  await page.context().close();
  const subs = await submissionsOf(S.server, S.CON);
  assert.equal(subs.length, 1);
});

test('chat: rewrite a reply and write the ideal answer; the chat export carries them', async () => {
  const page = await openWork(S.browser, S.server, S.CON, S.rewritePid, S.errors);
  await turnsReady(page);
  await page.setViewportSize({ width: 360, height: 740 });
  await tabTo(page, '.chat-turn[data-turn="2"] [data-control=rewrite] textarea');
  await page.keyboard.type('Bold is **this**.');
  await tabTo(page, '[data-control=ideal] textarea');
  await page.keyboard.type('No. **2 + 2 = 4**, so the claim is false.');
  await expectAccessible(page, 'chat rewrite at 360 px');
  await shot(page, '62-chat-rewrite-360', { full: false });
  await submitLast(page);
  await page.context().close();
  const exp = await S.req.call('GET', `/projects/${S.rewritePid}/export?format=chat&status=all`);
  assert.equal(exp.status, 200, JSON.stringify(exp.body));
  const line = typeof exp.body === 'string' ? JSON.parse(exp.body.trim()) : exp.body;
  assert.deepEqual(line.messages.map((m) => m.role), ['system', 'user', 'assistant', 'user', 'assistant']);
  assert.equal(line.messages[2].content, 'Bold is **this**.', 'the rewrite replaces turn 2');
  assert.equal(line.messages[4].content, 'No. **2 + 2 = 4**, so the claim is false.', 'the ideal answer replaces the last reply');
});
