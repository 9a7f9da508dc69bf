// The work screen: lease a task, show it beside the instructions, time the
// active work, autosave a draft, submit (idempotent, retried) or skip, and
// go straight on to the next task.
import { h, add, clear, money, clock, toast, randomId, isTyping, setProse } from '../dom.js';
import { get, post, api } from '../api.js';
import { Annotator } from '../annotate/annotator.js';
import { parseConfig } from '../annotate/config.js';
import { collectView } from './collect.js';
import { readJSON, writeJSON, ActiveTimer, instructionsPanel } from './shared.js';
import { resultCard, pausedBox } from './quality.js';
import { reportControl } from './voice.js';

const IMAGE_WAIT_MS = 50;
const leaseKey = (pid) => `fc-lease-${pid}`;
const draftKey = (aid) => `fc-draft-${aid}`;

// The project as its page just loaded it, so "Start working" need not fetch
// it again before leasing a task; older than PROJECT_FRESH_MS it is fetched.
const PROJECT_FRESH_MS = 120000;
const projectCache = new Map();

export function rememberProject(p) {
  if (p && p.id !== undefined) projectCache.set(String(p.id), { p, at: Date.now() });
}

function freshProject(pid) {
  const c = projectCache.get(String(pid));
  return c && Date.now() - c.at < PROJECT_FRESH_MS ? c.p : null;
}

// A parsed labeling config is read-only, so one parse serves every task of a project.
let parsedConfig = { xml: null, cfg: null };
function configFor(xml) {
  if (typeof xml !== 'string') return xml;
  if (parsedConfig.xml !== xml) parsedConfig = { xml, cfg: parseConfig(xml) };
  return parsedConfig.cfg;
}

/** The saved lease of a project, or a new one from the server (null: no task left). */
async function leaseTask(pid) {
  const saved = readJSON(leaseKey(pid));
  if (saved && saved.asg && Date.parse(saved.asg.expires_at) > Date.now() + 5000) return saved;
  const a = await post(`/projects/${pid}/assignments`);
  if (!a) return null;
  const entry = { asg: a, key: `fc-${a.id}-${randomId(16)}` };
  writeJSON(leaseKey(pid), entry);
  return entry;
}

/** Makes a lease the user already holds (GET /me/assignments) the one the work screen opens. */
export function resumeLease(pid, asg) {
  const saved = readJSON(leaseKey(pid));
  if (saved && saved.asg && saved.asg.id === asg.id) return; // same lease: keep its idempotency key
  writeJSON(leaseKey(pid), { asg, key: `fc-${asg.id}-${randomId(16)}` });
}

// A lease asked for by the click on "Start working", before the route changes.
const startedLeases = new Map();

/** The project page's "Start working" link: lease as the click happens, the work screen takes it over. */
export function startWorkOnClick(link, p) {
  link.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || p.kind === 'collection') return;
    const promise = leaseTask(p.id);
    promise.catch(() => {}); // handled by the work screen
    startedLeases.set(String(p.id), { promise, at: Date.now() });
  });
}

function takeStartedLease(pid) {
  const s = startedLeases.get(String(pid));
  startedLeases.delete(String(pid));
  return s && Date.now() - s.at < 10000 ? s.promise : null;
}

/**
 * On a project's page: remember the project for "Start working" and, when
 * the browser is idle, do what the work screen would otherwise do first —
 * the page's first storage access (slow) and parsing the labeling config.
 */
export function prepareWork(p) {
  rememberProject(p);
  const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 50));
  idle(() => {
    readJSON(leaseKey(p.id));
    if (p.kind === 'collection') return;
    try {
      configFor(p.label_config);
    } catch {
      /* a broken config is reported on the work screen */
    }
  });
}

function imageUrls(data) {
  const out = [];
  for (const v of Object.values(data || {})) if (typeof v === 'string' && /^(data:image\/|\/|https?:)/.test(v) && /(^data:image|\.(png|jpe?g|gif|webp|svg)(\?|$))/i.test(v)) out.push(v);
  return out;
}

/** A promise that never rejects: {value} or {error}, to await later. */
function settle(promise) {
  return promise.then((value) => ({ value }), (error) => ({ error }));
}

function preload(urls) {
  return Promise.all(urls.map((u) => new Promise((res) => {
    const img = new Image();
    img.onload = img.onerror = () => res();
    img.src = u;
    if (img.decode) img.decode().then(res, res);
  })));
}

export async function workView(ctx) {
  const pid = ctx.params[0];
  const started = takeStartedLease(pid);
  const cached = freshProject(pid);
  const project = cached || await get(`/projects/${pid}`);
  rememberProject(project);
  if (project.kind === 'collection') return collectView(ctx, project);
  // lease at once: the screen is built while the request is in flight
  const firstLease = settle(lease(started));
  let asg = null;
  let key = null;
  let ann = null;
  let timer = null;
  let saveTimer = null;
  let busy = false;
  let done = 0;

  const titleEl = h('h1', { class: 'work-title' }, project.title);
  const timerEl = h('span', { class: 'timer', role: 'timer', 'aria-live': 'off' }, '00:00');
  const timerState = h('span', { class: 'timer-state' });
  const countEl = h('span', { class: 'muted' });
  const instr = h('div', { class: 'prose' });
  setProse(instr, project.instructions_html, 'No instructions.');
  const instrPanel = instructionsPanel(project.id, instr);
  const taskHost = h('div', { class: 'work-task' });
  const problems = h('div', { class: 'problems', role: 'alert', hidden: true });
  const side = h('div', { class: 'work-side' });
  const submitBtn = h('button', { type: 'button', class: 'btn primary big', title: 'Ctrl+Enter' }, 'Submit', h('kbd', null, 'Ctrl+↵'));
  const skipBtn = h('button', { type: 'button', class: 'btn' }, 'Skip');
  const actions = h('div', { class: 'work-actions' }, submitBtn, skipBtn);
  // reported: the server released the lease; the draft goes, the next task comes
  const reportBox = reportControl(() => asg, async (a) => {
    localStorage.removeItem(draftKey(a.id));
    localStorage.removeItem(leaseKey(pid));
    await next();
  });
  const keysHelp = h('details', { class: 'keys-help' }, h('summary', null, 'Keyboard shortcuts'),
    h('dl', null, [['1–9', 'pick a label / choice'], ['Del', 'delete selected region'], ['Esc', 'deselect / cancel'], ['R', 'relate selected region'], ['Ctrl+Z / Ctrl+Shift+Z', 'undo / redo'], ['+ / −', 'zoom image (when focused)'], ['Enter', 'close polygon'],
      ['Text: arrows / Shift+arrows', 'move the caret / select (Ctrl: by word)'], ['Text: label key or Enter', 'label the selection'], ['Text: [ / ]', 'previous / next span'],
      ['Image: arrows (Shift: further)', 'move the crosshair'], ['Image: Enter / Space', 'place a point, a box corner, a polygon vertex; select the region under the crosshair'], ['Image: arrows / Alt+arrows', 'move / resize the selected region'],
      ['Ctrl+Enter', 'submit']].map(([k, d]) => h('div', null, h('dt', null, h('kbd', null, k)), h('dd', null, d)))));
  const screen = h('section', { class: 'work' },
    h('header', { class: 'work-head' },
      h('div', { class: 'work-head-title' }, h('a', { href: `/work/${pid}`, class: 'muted small' }, '← Project'), titleEl),
      h('div', { class: 'work-meta' }, h('span', { class: 'reward-chip' }, money(project.reward, project.currency)), h('span', { class: 'timer-box' }, 'Active ', timerEl, timerState), countEl)),
    h('div', { class: 'work-grid' }, instrPanel, h('div', { class: 'work-center' }, problems, taskHost), h('div', { class: 'work-right' }, side, actions, reportBox, keysHelp)));
  ctx.main.append(screen);

  function saveDraft() {
    if (!asg || !ann) return;
    writeJSON(draftKey(asg.id), { result: ann.getResult(), active: timer ? timer.seconds : 0, at: Date.now() });
  }

  function teardown() {
    clearTimeout(saveTimer);
    if (timer) timer.stop();
    timer = null;
    if (ann) ann.destroy();
    ann = null;
  }

  function showEmpty(title, text) {
    teardown();
    asg = null;
    delete document.body.dataset.taskReady;
    clear(taskHost).append(h('div', { class: 'empty card' }, h('h2', null, title), h('p', null, text), h('div', { class: 'actions' }, h('a', { class: 'btn primary', href: '/work' }, 'Find other work'), h('a', { class: 'btn', href: '/me/work' }, 'My work'))));
    clear(side);
    actions.hidden = true;
    timerEl.textContent = '00:00';
    taskHost.querySelector('a').focus();
  }

  /** Replaces the task area with a full-width message (test result, pause). */
  function showFinal(...nodes) {
    teardown();
    asg = null;
    delete document.body.dataset.taskReady;
    localStorage.removeItem(leaseKey(pid));
    screen.classList.add('finished');
    clear(side);
    actions.hidden = true;
    clear(taskHost).append(...nodes);
    const h2 = taskHost.querySelector('h2');
    if (h2) {
      h2.tabIndex = -1;
      h2.focus({ preventScroll: true });
    }
  }

  /** A limit the contributor set refused the task: say which, in plain words. */
  function showLimit(err) {
    const quiet = err.code === 'quiet_hours';
    showFinal(h('div', { class: 'empty card limit-notice' },
      h('h2', null, quiet ? 'Your quiet hours have started' : 'You reached your daily limit'),
      h('p', null, quiet ? 'You asked for no new work at this time of day, so none is handed out.' : 'You set how long you want to work each day, and today\'s time is used up.'),
      h('p', null, err.message),
      h('div', { class: 'actions' }, h('a', { class: 'btn primary', href: '/me/profile#limits' }, 'Change my limits'), h('a', { class: 'btn', href: '/me/work' }, 'My work'))));
  }

  async function showPaused(err) {
    let mine = null;
    try {
      mine = await get(`/projects/${pid}/my-quality`);
    } catch {
      /* the refusal's own message is the reason */
    }
    if (!ctx.isCurrent()) return;
    showFinal(pausedBox(err.message, mine), h('div', { class: 'actions' }, h('a', { class: 'btn primary', href: '/work' }, 'Find other work'), h('a', { class: 'btn', href: '/me/work' }, 'My work')));
  }

  /** A qualification test with nothing left to answer: its result, or false. */
  async function showTestResult() {
    let r;
    try {
      r = await get(`/projects/${pid}/qualification/result`);
    } catch {
      return false;
    }
    const card = await resultCard(project, r, ctx);
    if (!ctx.isCurrent()) return true;
    showFinal(h('h2', { class: 'result-title' }, 'Test finished'), card,
      h('div', { class: 'actions' }, h('a', { class: 'btn primary', href: '/work' }, 'Find work'), h('a', { class: 'btn', href: `/work/${pid}` }, 'Back to the project')));
    return true;
  }

  async function lease(started) {
    try {
      return await (started || leaseTask(pid));
    } catch (e) {
      if (e.code === 'consent_required') {
        ctx.navigate(`/work/${pid}?consent=required`, { replace: true });
        return undefined;
      }
      throw e;
    }
  }

  async function show(entry) {
    const urls = entry ? imageUrls(entry.asg.task.data) : [];
    const loaded = preload(urls);
    if (urls.length) {
      // A task's image is usually in within a few milliseconds: the annotator
      // is built after it, so the first layout of the new task does not hold
      // the image back. A slow image gets the annotator after IMAGE_WAIT_MS.
      await Promise.race([loaded, new Promise((r) => setTimeout(r, IMAGE_WAIT_MS))]);
      if (!ctx.isCurrent()) return;
    }
    teardown();
    problems.hidden = true;
    if (entry === undefined) return;
    if (!entry) {
      localStorage.removeItem(leaseKey(pid));
      if (project.qualification && (await showTestResult())) return;
      return showEmpty(done ? 'All done for now' : 'No tasks left right now', done ? `You submitted ${done} task${done === 1 ? '' : 's'}. There is nothing more for you in this project at the moment — thank you!` : 'Every task of this project is taken or finished. Check back later or pick another project.');
    }
    asg = entry.asg;
    key = entry.key;
    actions.hidden = false;
    const draft = readJSON(draftKey(asg.id));
    clear(taskHost);
    clear(side);
    ann = new Annotator(taskHost, {
      config: configFor(project.label_config), data: asg.task.data, predictions: asg.task.predictions,
      interact: asg.ml_interactive ? ((task) => (context) => post(`/projects/${pid}/ml/interactive`, { task_id: task, context }))(asg.task.id) : null,
      result: draft && draft.result,
      onChange: () => {
        if (!problems.hidden && problems.firstChild && problems.firstChild.textContent === 'Before you submit:') check(false);
        clearTimeout(saveTimer);
        saveTimer = setTimeout(saveDraft, 300);
      },
    });
    side.append(ann.side);
    timer = new ActiveTimer(draft ? draft.active : 0, (sec, running) => {
      timerEl.textContent = clock(sec);
      timerState.textContent = running ? '' : ' · paused';
      screen.classList.toggle('paused', !running);
    });
    timerEl.textContent = clock(timer.seconds);
    countEl.textContent = done ? `${done} done this session` : '';
    await loaded;
    if (!ctx.isCurrent() || !asg || asg.id !== entry.asg.id) return;
    document.body.dataset.taskReady = String(asg.id);
    performance.mark(`fc-task-ready-${asg.id}`);
    const first = taskHost.querySelector('.label-btn, .img-viewport, .text-body, input, textarea, button');
    if (first && !taskHost.contains(document.activeElement)) first.focus({ preventScroll: true });
  }

  async function next(leased) {
    try {
      let entry;
      if (leased) {
        const r = await leased;
        if (r.error) throw r.error;
        entry = r.value;
      } else entry = await lease();
      await show(entry);
    } catch (e) {
      if (e.code === 'paused_for_quality') await showPaused(e);
      else if (e.code === 'quiet_hours' || e.code === 'daily_limit_reached') showLimit(e);
      else showEmpty('Could not get a task', e.message);
    }
  }

  /** Lists what is missing; true when nothing is. */
  function check(scroll) {
    const list = ann.validate();
    if (!list.length) {
      problems.hidden = true;
      return true;
    }
    clear(problems).append(h('strong', null, 'Before you submit:'), h('ul', null, list.map((p) => h('li', null, p.message))));
    problems.hidden = false;
    if (scroll) problems.scrollIntoView({ block: 'nearest' });
    return false;
  }

  async function submit() {
    if (!asg || busy) return;
    if (!check(true)) return;
    problems.hidden = true;
    busy = true;
    submitBtn.disabled = skipBtn.disabled = true;
    performance.mark(`fc-submit-${asg.id}`);
    const a = asg;
    try {
      await api('POST', `/assignments/${a.id}/submit`, { body: { result: ann.getResult(), active_seconds: Math.round(timer.seconds * 10) / 10 }, idempotencyKey: key, retries: 6 });
      localStorage.removeItem(draftKey(a.id));
      localStorage.removeItem(leaseKey(pid));
      done++;
      toast(project.qualification ? 'Answer saved.' : `Submitted · ${money(a.reward ?? project.reward, project.currency)} pending review`, 'ok', 2500);
      await next();
    } catch (e) {
      if (e.code === 'invalid_result' || e.status === 400) {
        add(clear(problems), h('strong', null, e.message), e.details && e.details.length > 1 ? h('ul', null, e.details.slice(0, 8).map((d) => h('li', null, d.message || String(d)))) : null);
        problems.hidden = false;
      } else if (e.status === 409 || e.status === 404) {
        toast(`${e.message} Getting a new task.`, 'info');
        localStorage.removeItem(draftKey(a.id));
        localStorage.removeItem(leaseKey(pid));
        await next();
      } else {
        clear(problems).append(h('strong', null, e.message), h('p', null, 'Your answer is saved on this device; press Submit again to retry.'));
        problems.hidden = false;
      }
    } finally {
      busy = false;
      submitBtn.disabled = skipBtn.disabled = false;
    }
  }

  async function skip() {
    if (!asg || busy) return;
    busy = true;
    submitBtn.disabled = skipBtn.disabled = true;
    const a = asg;
    try {
      await post(`/assignments/${a.id}/release`);
    } catch (e) {
      if (e.status !== 409 && e.status !== 404) {
        toast(e.message, 'error');
        busy = false;
        submitBtn.disabled = skipBtn.disabled = false;
        return;
      }
    }
    localStorage.removeItem(draftKey(a.id));
    localStorage.removeItem(leaseKey(pid));
    busy = false;
    submitBtn.disabled = skipBtn.disabled = false;
    await next();
  }

  submitBtn.addEventListener('click', submit);
  skipBtn.addEventListener('click', skip);
  const onKey = (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      submit();
    } else if (e.key === '?' && !isTyping(e)) {
      keysHelp.open = !keysHelp.open;
    }
  };
  document.addEventListener('keydown', onKey);
  const onHide = () => saveDraft();
  window.addEventListener('pagehide', onHide);
  ctx.onLeave(() => {
    saveDraft();
    teardown();
    document.removeEventListener('keydown', onKey);
    window.removeEventListener('pagehide', onHide);
    delete document.body.dataset.taskReady;
  });
  try {
    configFor(project.label_config); // parsed while the lease is in flight
  } catch {
    /* a broken config is reported when the task is shown */
  }
  await next(firstLease);
}
