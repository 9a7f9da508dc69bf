// Quality in a browser: a qualification test (taken, one answer wrong, the
// result page with the right answers, the qualification opening another
// project), a contributor paused by gold questions seeing why, and the
// requester's contributors panel with Unpause. Screenshots at desktop width
// and at 360 px go to artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiSession, launch, watchErrors, shot, ADMIN, PHONE, shotAtPhone } from './lib.mjs';

const CONFIG = '<View><Text name="text" value="$text"/><Choices name="label" toName="text" choice="single" required="true"><Choice value="yes"/><Choice value="no"/></Choices></View>';
const REQ = { email: 'qreq@example.com', password: 'requester-pass-1', display_name: 'Quinn Requester' };
const CAT = { email: 'qcat@example.com', password: 'contributor-pass-1', display_name: 'Cat Tester' };
const PAT = { email: 'qpat@example.com', password: 'contributor-pass-2', display_name: 'Pat Paused' };
const DEE = { email: 'qdee@example.com', password: 'contributor-pass-3', display_name: 'Dee Diligent' };

let server;
let browser;
let req;
let testId;
let needsId;
let goldId;
let retakeId;
const errors = [];

const answer = (v) => [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: [v] } }];

async function signIn(page, who) {
  await page.goto(`${server.url}/signin`);
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav .nav-user .avatar');
}

async function newPage(width = 1280, height = 860) {
  const page = await (await browser.newContext({ viewport: { width, height } })).newPage();
  watchErrors(page, errors);
  return page;
}

before(async () => {
  server = await startServer();
  browser = await launch();
  const admin = await apiSession(server.url, ADMIN.email, ADMIN.password);
  for (const [u, roles] of [[REQ, ['requester']], [CAT, ['contributor']], [PAT, ['contributor']], [DEE, ['contributor']]]) {
    const r = await admin.call('POST', '/users', { ...u, roles });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  req = await apiSession(server.url, REQ.email, REQ.password);
  const create = async (body) => {
    const r = await req.call('POST', '/projects', { instructions: 'Answer **yes** or **no**.', label_config: CONFIG, overlap: 1, ...body });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  };
  const load = async (id, tasks) => assert.equal((await req.call('POST', `/projects/${id}/tasks`, tasks, { 'Idempotency-Key': `imp-${id}` })).status, 201);
  const publish = async (id, fund) => {
    if (fund) assert.equal((await req.call('POST', `/projects/${id}/fund`, { amount: fund }, { 'Idempotency-Key': `fund-${id}` })).status, 201);
    const r = await req.call('POST', `/projects/${id}/publish`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  // the qualification test: three gold questions, pass mark 60%
  testId = await create({ title: 'Sentiment basics test', reward: 0, qualification: { grants: 'sentiment', pass_mark: 0.6, retakes: 0, paid: false } });
  await load(testId, [['Q1. “I love this phone.” Positive?', 'yes'], ['Q2. “The battery died in an hour.” Positive?', 'no'], ['Q3. “Best purchase this year.” Positive?', 'yes']].map(([text, gold]) => ({ data: { text }, gold: { label: gold } })));
  await publish(testId);
  // a test with a retake: two of four questions per attempt, never repeated
  retakeId = await create({ title: 'Careful reading test', reward: 0, qualification: { grants: 'careful', pass_mark: 1, questions: 2, retakes: 1, paid: false } });
  await load(retakeId, ['R1 “Works well.”', 'R2 “Very good.”', 'R3 “Happy with it.”', 'R4 “Nice.”'].map((text) => ({ data: { text: `${text} Positive?` }, gold: { label: 'yes' } })));
  await publish(retakeId);
  // a project that requires the qualification
  needsId = await create({ title: 'Product reviews (needs sentiment)', reward: 10, eligibility: { qualifications: ['sentiment'] } });
  await load(needsId, [{ text: 'Great value.' }, { text: 'Broke quickly.' }]);
  await publish(needsId, 1000);
  // a project with gold questions that pauses below 90%
  goldId = await create({ title: 'Review sentiment with checks', reward: 5, overlap: 2, gold_rate: 1, gold_threshold: 0.9, gold_min_answers: 3 });
  await load(goldId, [
    ...[['G1 good', 'yes'], ['G2 bad', 'no'], ['G3 good', 'yes']].map(([text, gold]) => ({ data: { text }, gold: { label: gold } })),
    { data: { text: 'Lovely screen.' } }, { data: { text: 'Too loud.' } },
  ]);
  await publish(goldId, 5000);
  const work = async (who, pick, n) => {
    const s = await apiSession(server.url, who.email, who.password);
    for (let i = 0; i < n; i++) {
      const a = await s.call('POST', `/projects/${goldId}/assignments`);
      assert.equal(a.status, 201, JSON.stringify(a.body));
      const r = await s.call('POST', `/assignments/${a.body.id}/submit`, { result: answer(pick(a.body.task.data.text)), active_seconds: 4 + i }, { 'Idempotency-Key': `${who.email}-${i}` });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
  };
  await work(DEE, (t) => (/bad|loud/i.test(t) ? 'no' : 'yes'), 5);
  await work(PAT, (t) => (/bad/.test(t) ? 'yes' : 'no'), 3); // every check question wrong
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(errors, [], 'no page errors, CSP violations or console errors');
});

test('a contributor takes a qualification test, sees the right answers and unlocks a project', async () => {
  const page = await newPage(1366, 900);
  await signIn(page, CAT);
  await page.goto(`${server.url}/work`);
  await page.waitForSelector('.board');
  assert.equal(await page.locator(`a[href="/work/${needsId}"]`).count(), 0, 'the gated project is hidden before the test');
  await page.click(`.card-title a[href="/work/${testId}"]`);
  await page.waitForSelector('.test-terms');
  assert.match(await page.textContent('.test-terms'), /60%.*“sentiment”/s);
  await shot(page, 'q01-test-intro');
  await shotAtPhone(page, 'q01-test-intro-360');
  await page.click('text=Start the test');
  let last = null;
  for (let i = 0; i < 3; i++) {
    await page.waitForFunction((prev) => document.body.dataset.taskReady && document.body.dataset.taskReady !== prev, last);
    last = await page.evaluate(() => document.body.dataset.taskReady);
    const text = await page.textContent('.work-task');
    // Q2 is answered wrong on purpose; the others right
    const pick = /Q2/.test(text) ? 'yes' : /Q1|Q3/.test(text) ? 'yes' : 'no';
    await page.click(`.work-task .choice:has-text("${pick}")`);
    if (i === 0) {
      await shot(page, 'q02-test-question');
      await shotAtPhone(page, 'q02-test-question-360', { full: false });
    }
    await page.click('.work-actions .btn.primary');
  }
  await page.waitForSelector('.test-result');
  assert.match(await page.textContent('.result-head'), /Passed/);
  assert.match(await page.textContent('.result-head'), /67%/);
  assert.equal(await page.locator('.answers tr.answer-wrong').count(), 1);
  assert.equal((await page.textContent('.answers tr.answer-wrong .your-answer')).trim(), 'yes');
  assert.equal((await page.textContent('.answers tr.answer-wrong .correct-answer')).trim(), 'no');
  assert.match(await page.textContent('.unlocks'), /Product reviews \(needs sentiment\)/);
  await shot(page, 'q03-test-result');
  await page.setViewportSize(PHONE);
  await shot(page, 'q03-test-result-360');
  await page.setViewportSize({ width: 1366, height: 900 });

  // the project requiring the qualification is now on the board
  await page.click('.unlocks a[href="/work"]');
  await page.waitForSelector(`.card-title a[href="/work/${needsId}"]`);
  // the result stays reachable from the project page
  await page.goto(`${server.url}/work/${testId}`);
  await page.click('text=See your result');
  await page.waitForSelector('.test-result .answers');
  assert.match(page.url(), new RegExp(`/work/${testId}/result$`));
  // My work marks the gold answers
  await page.goto(`${server.url}/me/work`);
  await page.waitForSelector('.gold-badge');
  assert.equal(await page.locator('.gold-badge.gold-incorrect').count(), 1);
  assert.equal(await page.locator('.gold-badge.gold-correct').count(), 2);
  await page.context().close();
});

test('a contributor fails a test, retakes it with new questions and passes', async () => {
  const page = await newPage(1280, 860);
  await signIn(page, DEE);
  await page.goto(`${server.url}/work/${retakeId}`);
  await page.waitForSelector('.test-terms');
  assert.match(await page.textContent('.test-terms'), /retake it once/);
  await page.click('text=Start the test');
  const seen = [];
  const answerAll = async (pick) => {
    let last = null;
    for (let i = 0; i < 2; i++) {
      await page.waitForFunction((prev) => document.body.dataset.taskReady && document.body.dataset.taskReady !== prev, last);
      last = await page.evaluate(() => document.body.dataset.taskReady);
      seen.push((await page.textContent('.work-task')).match(/R\d/)[0]);
      await page.click(`.work-task .choice:has-text("${pick}")`);
      await page.click('.work-actions .btn.primary');
    }
    await page.waitForSelector('.test-result');
  };
  await answerAll('no'); // every gold answer is yes
  assert.match(await page.textContent('.result-head'), /Not passed/);
  assert.match(await page.textContent('.result-head'), /1 of 2/);
  assert.equal(await page.locator('.answers tr.answer-wrong').count(), 2);
  await shot(page, 'q07-retake-offered');
  await page.click('.retake-btn');
  await answerAll('yes');
  assert.match(await page.textContent('.result-head'), /Passed/);
  assert.match(await page.textContent('.result-head'), /2 of 2/);
  assert.equal(await page.locator('.attempts li').count(), 2);
  assert.equal(new Set(seen).size, 4, `no question asked twice: ${seen}`);
  await shot(page, 'q08-retake-passed');
  const me = await (await apiSession(server.url, DEE.email, DEE.password)).call('GET', '/me/profile');
  assert.deepEqual(me.body.qualifications, ['careful']);
  await page.context().close();
});

test('a contributor paused by gold questions sees the reason and the evidence', async () => {
  const page = await newPage(1280, 860);
  await signIn(page, PAT);
  await page.goto(`${server.url}/work/${goldId}`);
  await page.waitForSelector('.paused-box');
  assert.match(await page.textContent('.paused-box'), /0 of your 3 answers/);
  assert.ok(await page.locator('.actions a:has-text("Start working")').isHidden());
  // the work screen explains the 409 instead of failing silently
  await page.goto(`${server.url}/work/${goldId}/task`);
  await page.waitForSelector('.work .paused-box');
  const text = await page.textContent('.work .paused-box');
  assert.match(text, /You are paused/);
  assert.match(text, /90%/);
  assert.match(text, /95% interval/);
  await shot(page, 'q04-paused');
  await page.setViewportSize(PHONE);
  await shot(page, 'q04-paused-360');
  await page.context().close();
});

test('the requester sees contributors, agreement and labels, and lifts a pause', async () => {
  const page = await newPage(1280, 860);
  await signIn(page, REQ);
  await page.goto(`${server.url}/projects/${goldId}`);
  await page.waitForSelector('.contributors-panel table');
  await page.waitForSelector('.labels-panel');
  assert.equal(await page.locator('.chart-gold circle').count(), 2);
  // Dee's Dawid-Skene confusion matrix: yes/no → a 2×2 heat map with figures on hover
  const dee = page.locator('.contributors tr', { hasText: 'Dee Diligent' });
  assert.equal(await dee.locator('svg.confusion rect').count(), 4);
  assert.match(await dee.locator('svg.confusion rect title').first().textContent(), /true “.+” → answered “.+”: \d+%/);
  const row = page.locator('.contributors tr.row-paused');
  assert.match(await row.textContent(), /Pat Paused.*Paused/s);
  assert.match(await page.textContent('.labels-panel'), /Krippendorff/);
  assert.ok((await page.locator('.labels tbody tr').count()) >= 2);
  assert.match(await page.textContent('.labels-out h3'), /Dawid-Skene/);
  await page.selectOption('select[name=labels_method]', 'mv');
  await page.waitForSelector('.labels-out h3:has-text("Majority vote")');
  assert.ok((await page.locator('.labels tbody tr').count()) >= 2);
  await page.selectOption('select[name=labels_method]', 'auto');
  await page.waitForSelector('.labels-out h3:has-text("Automatic")');
  assert.match(await page.textContent('.labels-out h3'), /chose .+ by held-out log-likelihood/);
  await page.selectOption('select[name=labels_method]', 'boxes');
  await page.waitForSelector('.labels-out p.muted');
  await page.selectOption('select[name=labels_method]', 'ds');
  await page.waitForSelector('.labels-out h3:has-text("Dawid-Skene")');
  // Dee and Pat answered the same check questions: one pair, named
  await page.waitForSelector('.pairs tbody tr');
  // by pseudonym, never by name (issue #18)
  const pair = await page.textContent('.pairs tbody tr');
  assert.match(pair, /^[0-9a-f]{8} · [0-9a-f]{8}/);
  assert.doesNotMatch(pair, /Dee|Pat/);
  assert.match(await page.textContent('.dropzone'), /"gold"/);
  await page.locator('.quality-panels').scrollIntoViewIfNeeded();
  await shot(page, 'q05-dashboard-quality');
  await page.setViewportSize(PHONE);
  await shot(page, 'q05-dashboard-quality-360');
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.click('[data-unpause]');
  await page.waitForSelector('.contributors tr.row-paused', { state: 'detached' });
  const s = await req.call('GET', `/projects/${goldId}/contributors`);
  assert.equal(s.body.items.find((c) => c.display_name === PAT.display_name).paused, false);

  // the editor: quality settings, a qualification block and inline errors
  const draft = await req.call('POST', '/projects', { title: 'Another test', instructions: 'x', label_config: CONFIG, reward: 0, overlap: 1 });
  await page.goto(`${server.url}/projects/${draft.body.id}/edit`);
  await page.waitForSelector('.quality-set');
  await page.check('#q-enabled');
  await page.fill('#q-grants', 'sentiment-advanced');
  await page.fill('#q-retakes', '2');
  await page.fill('#p-gold_threshold', '80');
  await page.click('button[name=save]');
  await page.waitForSelector('#q-questions[aria-invalid=true]');
  assert.match(await page.textContent('.quality-set .field-error'), /retake never repeats a question/);
  await page.locator('.quality-set').scrollIntoViewIfNeeded();
  await shot(page, 'q06-editor-quality', { full: false });
  await page.fill('#q-questions', '5');
  await page.fill('#q-retake_wait_hours', '12');
  await page.click('button[name=save]');
  await page.waitForURL(/\/projects\/\d+$/);
  const p = (await req.call('GET', `/projects/${draft.body.id}`)).body;
  assert.deepEqual(p.qualification, { grants: 'sentiment-advanced', pass_mark: 0.8, questions: 5, retakes: 2, retake_wait_hours: 12, paid: false });
  assert.equal(p.gold_threshold, 0.8);
  await page.context().close();
});
