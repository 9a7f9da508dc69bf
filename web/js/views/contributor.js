// Contributor screens: the project board, a project's page (instructions and
// consent) and "My work" (submissions and earnings).
import { h, clear, money, duration, when, toast, field, parseMoney, toMajor, randomId, showFormError, clearFormErrors, setProse } from '../dom.js';
import { get, post } from '../api.js';
import { MEDIA_WORDS, specSummary } from './collect.js';
import { prepareWork, startWorkOnClick, resumeLease } from './work.js';
import { pausedBox, myQualityCard } from './quality.js';
import { pct, stat } from './shared.js';
import { transparencyCard } from './voice.js';
import { reasonLabel } from './submissions.js';

/** A submitted answer in words: the chosen options, texts, labels and
 * ratings of its results, shortened to 160 characters. */
export function answerText(result) {
  const parts = (Array.isArray(result) ? result : []).map((r) => {
    const v = r.value || {};
    const words = [].concat(v.choices || [], v.text || [], v.labels || [], v.rectanglelabels || [], v.polygonlabels || [], v.taxonomy ? v.taxonomy.map((t) => t.join(' / ')) : [], v.rating !== undefined ? [`${v.rating}★`] : []);
    return words.length ? words.join(', ') : r.type;
  }).filter(Boolean);
  const text = parts.join(' · ') || '—';
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

export function hourly(p) {
  return p.hourly_estimate === null || p.hourly_estimate === undefined ? null : money(p.hourly_estimate, p.currency);
}

function payBlock(p) {
  const hr = hourly(p);
  return h('div', { class: 'pay' },
    h('div', { class: 'pay-main' }, h('span', { class: 'pay-amount' }, money(p.reward, p.currency)), h('span', { class: 'pay-unit' }, ' per task')),
    h('div', { class: 'pay-hourly' }, hr ? [h('strong', null, `≈ ${hr}/h`), h('span', { class: 'muted' }, ` measured · median ${duration(p.median_seconds)}`)] : h('span', { class: 'muted' }, `Hourly pay shown after ${p.hourly_min_measured ?? 10} timed submissions`)));
}

export async function boardView(ctx) {
  const page = h('section', { class: 'page' }, h('h1', null, 'Find work'), h('p', { class: 'lead' }, 'Projects you can work on now. Pay per task and the hourly pay measured from other contributors’ active time.'));
  ctx.main.append(page);
  const res = await get('/projects?limit=200');
  const all = res.items.filter((p) => p.status === 'live');
  if (!all.length) {
    page.append(h('div', { class: 'empty card' }, h('p', null, 'No projects are open to you right now.'), h('p', { class: 'muted' }, 'New work appears here as soon as requesters publish it.')));
    return;
  }
  // sort and filter on the page (the board holds only projects with work
  // left for me); the choice is remembered on this device
  const SORTS = { pay: ['Pay per hour, highest first', (a, b) => (b.hourly_estimate ?? -1) - (a.hourly_estimate ?? -1)], time: ['Time per task, shortest first', (a, b) => (a.median_seconds ?? 1e9) - (b.median_seconds ?? 1e9)], newest: ['Newest first', (a, b) => b.id - a.id] };
  const langs = [...new Set(all.flatMap((p) => (p.eligibility && p.eligibility.languages) || []))].sort();
  const saved = JSON.parse(localStorage.getItem('fc.board') || '{}');
  const sort = h('select', { id: 'board-sort', class: 'input' }, Object.entries(SORTS).map(([k, [t]]) => h('option', { value: k }, t)));
  const lang = h('select', { id: 'board-lang', class: 'input' }, h('option', { value: '' }, 'Any language'), langs.map((l) => h('option', { value: l }, l)));
  sort.value = SORTS[saved.sort] ? saved.sort : 'pay';
  lang.value = langs.includes(saved.lang) ? saved.lang : '';
  const list = h('ul', { class: 'board' });
  const render = () => {
    localStorage.setItem('fc.board', JSON.stringify({ sort: sort.value, lang: lang.value }));
    const items = all.filter((p) => !lang.value || ((p.eligibility && p.eligibility.languages) || []).includes(lang.value)).sort(SORTS[sort.value][1]);
    clear(list);
    list.append(...items.map(card));
  };
  sort.addEventListener('change', render);
  lang.addEventListener('change', render);
  page.append(h('div', { class: 'board-controls' }, field('Sort', sort), field('Language', lang)), list);
  render();
}

function card(p) {
  return h('li', { class: 'card project-card' },
    h('h2', { class: 'card-title' }, h('a', { href: `/work/${p.id}` }, p.title)),
    payBlock(p),
    h('dl', { class: 'facts' },
      h('div', null, h('dt', null, 'Tasks left for you'), h('dd', null, p.tasks_available ?? p.task_count ?? '—')),
      h('div', null, h('dt', null, 'Closes'), h('dd', null, p.closes_at ? when(p.closes_at) : 'Open-ended'))),
    h('a', { class: 'btn primary', href: `/work/${p.id}`, 'aria-label': `Open ${p.title}` }, 'Open'));
}

export async function projectView(ctx) {
  const id = ctx.params[0];
  const p = await get(`/projects/${id}`);
  prepareWork(p);
  const page = h('section', { class: 'page narrow' },
    h('p', { class: 'crumbs' }, h('a', { href: '/work' }, '← All projects')),
    h('h1', null, p.title), payBlock(p));
  ctx.main.append(page);
  if (p.status !== 'live') page.append(h('p', { class: 'notice' }, 'This project is not taking work right now.'));
  const instr = h('div', { class: 'card prose instructions' });
  setProse(instr, p.instructions_html, 'No instructions.');
  page.append(h('h2', null, 'Instructions'), instr);
  const words = p.kind === 'collection' ? MEDIA_WORDS[(p.collect && p.collect.media) || 'audio'] : null;
  const start = h('a', { class: 'btn primary big', href: `/work/${id}/task` }, words ? words.start : 'Start working');
  if (!words) startWorkOnClick(start, p);
  const actions = h('div', { class: 'actions' }, start, words ? h('a', { class: 'btn big', href: `/work/${id}/validate` }, words.check) : null, h('a', { class: 'btn', href: `/me/messages?project=${id}` }, 'Message the requester'));
  if (words) {
    const rules = specSummary(p.collect || {});
    if (rules) page.append(h('p', { class: 'muted spec-summary' }, `Each ${words.noun}: ${rules}. Your ${words.noun} is checked automatically as soon as it uploads.`));
  }
  let consentGiven = false;
  if (p.consent_version) {
    let consent = null;
    try {
      consent = await get(`/projects/${id}/consent`);
    } catch (e) {
      if (e.status !== 404) throw e;
    }
    consentGiven = !!(consent && consent.accepted_at);
    if (consent && !consent.accepted_at) {
      const box = h('div', { class: 'card consent' });
      const text = h('div', { class: 'prose consent-text', tabindex: '0' });
      setProse(text, consent.text_html);
      const agree = h('button', { type: 'button', class: 'btn primary' }, 'I agree');
      agree.addEventListener('click', async () => {
        agree.disabled = true;
        try {
          await post(`/projects/${id}/consent/accept`, { version: consent.version });
          toast('Thanks — consent recorded.', 'ok');
          box.replaceWith(h('p', { class: 'notice ok' }, `You agreed to consent version ${consent.version}.`));
          actions.hidden = false;
          start.focus();
        } catch (e) {
          toast(e.message, 'error');
          agree.disabled = false;
        }
      });
      box.append(h('h2', null, 'Consent'), h('p', { class: 'muted' }, `Version ${consent.version}. You must agree before you start; you can withdraw later.`), text, h('div', { class: 'actions' }, agree, h('a', { class: 'btn', href: '/work' }, 'No thanks')));
      page.append(box);
      actions.hidden = true;
    }
  }
  if (ctx.query.get('consent') === 'required') toast('Please read and accept the consent first.', 'info');
  page.append(actions);
  await qualityBlock(ctx, p, page, actions, start);
  const openBooks = await transparencyCard(id);
  if (openBooks && ctx.isCurrent()) page.append(openBooks);
  if (ctx.isCurrent() && (!p.consent_version || consentGiven)) page.append(withdrawCard(p, actions));
}

/**
 * "Withdraw consent": the button opens a confirmation that says what
 * happens before anything does (POST /projects/{id}/consent/withdraw).
 */
function withdrawCard(p, actions) {
  const open = h('button', { type: 'button', class: 'btn danger-outline', 'aria-expanded': 'false', 'aria-controls': 'withdraw-confirm' }, 'Withdraw consent');
  const yes = h('button', { type: 'button', class: 'btn danger' }, 'Withdraw and erase my data');
  const no = h('button', { type: 'button', class: 'btn' }, 'Keep my consent');
  const title = h('h3', { tabindex: '-1' }, 'Withdraw your consent?');
  const confirmBox = h('div', { id: 'withdraw-confirm', class: 'notice withdraw-confirm', role: 'group', 'aria-labelledby': 'withdraw-title', hidden: true },
    title,
    h('ul', null,
      h('li', null, p.kind === 'collection' ? 'Your recordings and photos in this project are deleted from our storage.' : 'Your files in this project, if any, are deleted from our storage.'),
      h('li', null, 'Your answers are left out of every dataset exported from now on.'),
      h('li', null, 'Work that was already accepted stays paid; your earnings do not change.'),
      h('li', null, 'Tasks you hold now are given back, and this project gives you no more tasks.'),
      h('li', null, h('strong', null, 'This cannot be undone.'))),
    h('div', { class: 'actions' }, yes, no));
  title.id = 'withdraw-title';
  const card = h('section', { class: 'card withdraw-card', 'aria-labelledby': 'withdraw-h' },
    h('h2', { id: 'withdraw-h' }, 'Your data in this project'),
    h('p', { class: 'muted' }, 'You can take back your consent at any time.'), open, confirmBox);
  const show = (on) => {
    confirmBox.hidden = !on;
    open.setAttribute('aria-expanded', String(on));
    (on ? title : open).focus();
  };
  open.addEventListener('click', () => show(true));
  no.addEventListener('click', () => show(false));
  confirmBox.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') show(false);
  });
  yes.addEventListener('click', async () => {
    yes.disabled = no.disabled = true;
    try {
      const r = await post(`/projects/${p.id}/consent/withdraw`);
      const msg = h('p', { class: 'notice ok', tabindex: '-1', role: 'status' }, `Consent withdrawn. ${r.submissions_erased} answer${r.submissions_erased === 1 ? '' : 's'} and ${r.media_erased} file${r.media_erased === 1 ? '' : 's'} erased; your earnings are unchanged.`);
      card.replaceWith(msg);
      actions.hidden = true;
      msg.focus();
    } catch (e) {
      toast(e.message, 'error');
      yes.disabled = no.disabled = false;
    }
  });
  return card;
}

/** A test's terms or result, the contributor's gold accuracy, a pause. */
async function qualityBlock(ctx, p, page, actions, start) {
  const id = p.id;
  const q = p.qualification;
  if (q) {
    let result = null;
    try {
      result = await get(`/projects/${id}/qualification/result`);
    } catch (e) {
      if (e.code !== 'test_not_finished' && e.status !== 404) throw e;
    }
    if (!ctx.isCurrent()) return;
    if (result && result.in_progress) {
      start.textContent = `Continue attempt ${result.in_progress.attempt}`;
      actions.before(h('div', { class: 'notice test-terms' },
        h('strong', null, `Attempt ${result.in_progress.attempt} of ${result.attempts_allowed}`),
        ` is under way: ${result.in_progress.answered} of ${result.in_progress.questions} questions answered. Your last result was ${pct(result.score)}.`));
    } else if (result) {
      start.hidden = true;
      actions.prepend(h('a', { class: 'btn primary big', href: `/work/${id}/result` }, 'See your result'));
      actions.before(h('div', { class: `notice test-terms ${result.passed ? 'ok' : ''}` },
        h('strong', null, result.passed ? 'You passed this test' : 'You did not pass this test'),
        ` with ${pct(result.score)} (pass mark ${pct(result.pass_mark)}).`, result.passed && result.grants ? ` You hold the qualification “${result.grants}”.` : ''));
    } else {
      start.textContent = 'Start the test';
      actions.before(h('div', { class: 'card test-terms' },
        h('h2', null, 'Qualification test'),
        h('p', null, `Answer ${q.questions ? `${q.questions} questions` : 'every question'}. A score of ${pct(q.pass_mark)} or more grants the qualification “${q.grants}”, which other projects require.`),
        h('p', { class: 'muted small' }, `${q.paid ? 'Answers are paid.' : 'Unpaid.'} ${q.questions ? `${q.questions} questions per attempt.` : ''} ${q.retakes ? `If you do not pass, you may retake it ${q.retakes === 1 ? 'once' : `${q.retakes} times`}${q.retake_wait_hours ? ` after ${q.retake_wait_hours} hours` : ''}, with new questions.` : 'One attempt.'} A skipped question counts as wrong. Your result, with the right answers, appears when you finish.`)));
    }
    return;
  }
  let mine = null;
  try {
    mine = await get(`/projects/${id}/my-quality`);
  } catch {
    return; // figures are a courtesy; the work screen explains a refusal
  }
  if (!ctx.isCurrent() || !mine) return;
  if (mine.paused) {
    actions.hidden = true;
    actions.before(pausedBox(mine.reason, mine));
  } else {
    const card = myQualityCard(mine);
    if (card) actions.before(card);
  }
}

const STATUS_TEXT = { pending: 'Pending review', accepted: 'Accepted', rejected: 'Rejected', auto_accepted: 'Accepted (auto)' };
const PAYOUT_TEXT = { requested: 'Requested', batched: 'Being sent', paid: 'Paid' };
const ACCOUNT_TEXT = { pending: 'Pending', available: 'Available', paid: 'Paid out', payout_pending: 'Payout on its way' };
const APPEAL_DAYS = 14;
const APPEALED_KEY = 'fc-appealed';

function appealedSet() {
  try {
    return new Set(JSON.parse(localStorage.getItem(APPEALED_KEY) || '[]'));
  } catch {
    return new Set();
  }
}

function rememberAppeal(id) {
  const set = appealedSet();
  set.add(id);
  try {
    localStorage.setItem(APPEALED_KEY, JSON.stringify([...set].slice(-500)));
  } catch {
    /* a hint only: the server refuses a second appeal anyway */
  }
}

/** Days left to appeal a rejected submission, or 0. */
export function appealDaysLeft(s, now = Date.now()) {
  if (s.status !== 'rejected' || !s.reviewed_at) return 0;
  const left = (Date.parse(s.reviewed_at) + APPEAL_DAYS * 86400000 - now) / 86400000;
  return left > 0 ? Math.ceil(left) : 0;
}

/** The appeal dialog: resolves once the appeal is sent (true) or closed (false). */
function appealDialog(sub) {
  return new Promise((resolve) => {
    const msg = h('textarea', { name: 'message', id: 'appeal-message', class: 'input', rows: '5', maxlength: '4000', required: true, placeholder: 'Explain why the work was right, e.g. which part of the instructions it follows.' });
    const send = h('button', { type: 'submit', class: 'btn primary' }, 'Send appeal');
    const form = h('form', { method: 'dialog', class: 'stack-form', novalidate: true },
      h('h2', null, 'Appeal this rejection'),
      h('p', { class: 'muted' }, 'A different reviewer reads your message and decides. If they agree with you, the submission counts as accepted and you are paid.'),
      h('div', { class: 'appeal-original' }, h('span', { class: 'muted small' }, 'The reviewer wrote:'), h('p', null, sub.reason_code ? [h('strong', null, reasonLabel(sub.reason_code)), ': '] : null, sub.reason || '—')),
      h('p', { class: 'form-error', role: 'alert', hidden: true }),
      field('Your message', msg, 'Be specific and polite. You can appeal each rejection once.'),
      h('div', { class: 'actions' }, send, h('button', { type: 'button', class: 'btn', value: 'cancel', onclick: () => dlg.close() }, 'Cancel')));
    const dlg = h('dialog', { class: 'dialog card', 'aria-labelledby': 'appeal-title' }, form);
    form.querySelector('h2').id = 'appeal-title';
    let sent = false;
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFormErrors(form);
      if (!msg.value.trim()) return showFormError(form, { field: 'message', message: 'Write a message for the reviewer.' });
      send.disabled = true;
      try {
        await post(`/submissions/${sub.id}/appeal`, { message: msg.value.trim() });
        sent = true;
        dlg.close();
      } catch (err) {
        if (err.code === 'already_appealed') {
          sent = true;
          dlg.close();
          return;
        }
        showFormError(form, err);
        send.disabled = false;
      }
    });
    dlg.addEventListener('close', () => {
      dlg.remove();
      resolve(sent);
    });
    document.body.append(dlg);
    dlg.showModal();
    msg.focus();
  });
}

/** Ledger entries grouped by transaction: "Pending → Available +$0.25". */
function ledgerRows(entries) {
  const groups = [];
  for (const e of entries) {
    const g = groups[groups.length - 1];
    if (g && g.at === e.at && g.memo === e.memo && g.ref === e.ref && g.currency === e.currency) g.lines.push(e);
    else groups.push({ at: e.at, memo: e.memo, ref: e.ref, currency: e.currency, lines: [e] });
  }
  const acct = (a) => ACCOUNT_TEXT[a.split(':')[0]] || a.split(':')[0];
  return groups.map((g) => {
    const out = g.lines.find((l) => l.amount < 0);
    const inn = g.lines.find((l) => l.amount > 0);
    let move;
    let amount;
    if (out && inn && g.lines.length === 2 && -out.amount === inn.amount) {
      move = `${acct(out.account)} → ${acct(inn.account)}`;
      amount = h('span', null, money(inn.amount, g.currency));
    } else {
      const l = g.lines[0];
      move = g.lines.map((x) => acct(x.account)).join(', ');
      amount = h('span', { class: l.amount < 0 ? 'neg' : 'pos' }, `${l.amount < 0 ? '−' : '+'}${money(Math.abs(l.amount), g.currency)}`);
    }
    const memo = g.memo ? g.memo.charAt(0).toUpperCase() + g.memo.slice(1) : '—';
    return h('tr', null,
      h('td', { 'data-label': 'When' }, when(g.at)),
      h('td', { 'data-label': 'What', class: 'ledger-memo' }, h('span', null, memo, g.ref ? h('span', { class: 'muted small' }, ` · ${g.ref.replace(':', ' #')}`) : null)),
      h('td', { 'data-label': 'Moved' }, move),
      h('td', { 'data-label': 'Amount', class: 'num' }, amount));
  });
}

export async function myWorkView(ctx) {
  const page = h('section', { class: 'page' }, h('h1', null, 'My work'));
  ctx.main.append(page);
  const [earn, subs, payouts, held] = await Promise.all([get('/me/earnings'), get('/me/submissions?limit=200'), get('/me/payouts?limit=50').catch(() => ({ items: [] })), get('/me/assignments').catch(() => ({ items: [] }))]);
  const cur = earn.currency || 'USD';
  const minimum = earn.payout_minimum ?? 500;
  page.append(h('div', { class: 'stat-grid' },
    stat('Pending', money(earn.pending, cur), 'Waiting for review'),
    stat('Available', money(earn.available, cur), 'Ready to pay out'),
    stat('Paid', money(earn.paid, cur), earn.payout_pending ? `${money(earn.payout_pending, cur)} on its way` : 'Sent to you'),
    stat('Your hourly pay', earn.effective_hourly === null || earn.effective_hourly === undefined ? '—' : `${money(earn.effective_hourly, cur)}/h`, 'From your active time')));

  // --- tasks held now: resume exactly there (the draft stays on this device) ---
  if (held.items.length) {
    page.append(h('section', { class: 'card held-card', 'aria-labelledby': 'held-h' },
      h('h2', { id: 'held-h' }, 'Tasks you hold'),
      h('ul', { class: 'held-list' }, held.items.map((a) => {
        const resume = h('a', { class: 'btn small primary', href: `/work/${a.project_id}/task`, 'aria-label': `Resume task ${a.task.id} of ${a.project_title}` }, 'Resume');
        resume.addEventListener('click', () => resumeLease(a.project_id, a));
        return h('li', null, h('span', null, h('strong', null, a.project_title), ` · task #${a.task.id} · ${money(a.reward, a.currency)} · `,
          h('span', { class: a.seconds_left < 300 ? 'warn-text' : 'muted' }, `${duration(a.seconds_left)} left`)), ' ', resume);
      })),
      h('p', { class: 'muted small' }, 'A task you do not submit in time goes back to the pool, without any penalty.')));
  }

  // --- get paid ---
  const amount = h('input', { name: 'amount', id: 'payout-amount', class: 'input', inputmode: 'decimal', value: earn.available >= minimum ? toMajor(earn.available, cur) : '', placeholder: toMajor(minimum, cur), 'aria-describedby': 'payout-hint' });
  const payBtn = h('button', { type: 'submit', class: 'btn primary', disabled: earn.available < minimum }, 'Request payout');
  const payForm = h('form', { class: 'payout-form', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'field' }, h('label', { for: 'payout-amount' }, `Amount (${cur})`), h('div', { class: 'money-input' }, amount, payBtn),
      h('p', { class: 'hint', id: 'payout-hint' }, `Minimum payout ${money(minimum, cur)} · available ${money(earn.available, cur)}.`, earn.available < minimum ? ` Earn ${money(minimum - earn.available, cur)} more to request one.` : '')));
  payForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(payForm);
    const read = parseMoney(amount.value, cur);
    if (read.error) return showFormError(payForm, { field: 'amount', message: read.error });
    const m = read.minor;
    if (!(m > 0)) return showFormError(payForm, { field: 'amount', message: 'Enter an amount, like 5.00.' });
    if (m < minimum) return showFormError(payForm, { field: 'amount', message: `The smallest payout is ${money(minimum, cur)}.` });
    if (m > earn.available) return showFormError(payForm, { field: 'amount', message: `You have ${money(earn.available, cur)} available.` });
    payBtn.disabled = true;
    try {
      await post('/me/payouts', { amount: m }, { idempotencyKey: `payout-${randomId(16)}`, retries: 3 });
      toast(`Payout of ${money(m, cur)} requested.`, 'ok');
      clear(ctx.main);
      await myWorkView(ctx);
    } catch (err) {
      const nice = { payout_minimum: `The smallest payout is ${money(minimum, cur)}.`, insufficient_available: `You have ${money(earn.available, cur)} available; ask for that much or less.` }[err.code];
      showFormError(payForm, nice ? { field: 'amount', message: nice } : err);
      payBtn.disabled = false;
    }
  });
  const payRows = (payouts.items || []).map((p) => h('tr', null,
    h('td', { 'data-label': 'Requested' }, when(p.requested_at)),
    h('td', { 'data-label': 'Amount', class: 'num' }, money(p.amount, p.currency)),
    h('td', { 'data-label': 'Status' }, h('span', { class: `badge badge-payout-${p.status}` }, PAYOUT_TEXT[p.status] || p.status)),
    h('td', { 'data-label': 'Paid' }, p.paid_at ? when(p.paid_at) : '—')));
  page.append(h('div', { class: 'grid-2 money-panels' },
    h('section', { class: 'card panel' }, h('h2', null, 'Get paid'), h('p', { class: 'muted' }, 'Accepted work becomes available to pay out. Payouts go out in batches, usually within a few days.'), payForm),
    h('section', { class: 'card panel' }, h('h2', null, 'Payouts'), payRows.length
      ? h('table', { class: 'table stack compact' }, h('thead', null, h('tr', null, ['Requested', 'Amount', 'Status', 'Paid'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', null, payRows))
      : h('p', { class: 'muted' }, 'No payouts yet.'))));

  // --- submissions ---
  page.append(h('h2', null, 'Submissions'));
  if (!subs.items.length) {
    page.append(h('div', { class: 'empty card' }, h('p', null, 'Nothing submitted yet.'), h('a', { class: 'btn primary', href: '/work' }, 'Find work')));
  } else {
    const appealed = appealedSet();
    const appealCell = (s) => {
      if (s.status !== 'rejected') return s.reason_code && s.status === 'accepted' ? h('span', { class: 'badge badge-accepted' }, 'Appeal upheld') : '—';
      const a = s.appeal;
      if (a || appealed.has(s.id)) return h('span', { class: 'badge badge-pending' }, a && a.status && a.status !== 'open' ? `Appeal ${a.status}` : 'Appeal sent');
      const days = appealDaysLeft(s);
      if (!days) return h('span', { class: 'muted small' }, 'Appeal window closed');
      const btn = h('button', { type: 'button', class: 'btn small', dataset: { appeal: s.id } }, 'Appeal');
      btn.addEventListener('click', async () => {
        if (await appealDialog(s)) {
          rememberAppeal(s.id);
          toast('Appeal sent. A different reviewer will decide.', 'ok');
          btn.replaceWith(h('span', { class: 'badge badge-pending' }, 'Appeal sent'));
        }
      });
      return h('span', { class: 'appeal-cell' }, btn, h('span', { class: 'muted small' }, ` ${days} day${days === 1 ? '' : 's'} left`));
    };
    page.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table stack' },
      h('thead', null, h('tr', null, ['Project', 'Submitted', 'Your answer', 'Status', 'Pay', 'Reason', 'Appeal'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, subs.items.map((s) => h('tr', { class: `sub-${s.status}` },
        h('td', { 'data-label': 'Project' }, s.project_title || `Project ${s.project_id}`),
        h('td', { 'data-label': 'Submitted' }, when(s.created_at)),
        h('td', { 'data-label': 'Your answer', class: 'answer' }, s.media_id ? h('a', { href: `/api/v1/media/${s.media_id}`, target: '_blank', rel: 'noopener' }, 'Your recording or file') : answerText(s.result)),
        h('td', { 'data-label': 'Status' }, h('span', { class: `badge badge-${s.status}` }, STATUS_TEXT[s.status] || s.status),
          s.gold_correct === true || s.gold_correct === false ? [' ', h('span', { class: `badge gold-badge ${s.gold_correct ? 'gold-correct' : 'gold-incorrect'}`, title: 'A check question with a known answer' }, `gold: ${s.gold_correct ? 'correct' : 'incorrect'}`)] : null),
        h('td', { 'data-label': 'Pay' }, s.status === 'rejected' ? h('s', null, money(s.reward, s.currency)) : money(s.reward, s.currency)),
        h('td', { 'data-label': 'Reason', class: 'reason' }, s.reason_code ? h('span', null, h('strong', null, reasonLabel(s.reason_code)), ': ', s.reason || '') : s.reason || '—'),
        h('td', { 'data-label': 'Appeal' }, appealCell(s))))))));
  }

  // --- ledger ---
  if (earn.entries && earn.entries.length) {
    page.append(h('h2', { class: 'section-gap' }, 'Money in and out'), h('p', { class: 'muted' }, 'Every change to your balance, newest first, with its reason.'),
      h('div', { class: 'table-wrap' }, h('table', { class: 'table stack ledger' },
        h('thead', null, h('tr', null, ['When', 'What', 'Moved', 'Amount'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, ledgerRows(earn.entries)))));
  }
}
