// The review queue: one pending submission at a time, shown in the
// annotator (or, for collection projects, the recording or photo with its
// checks and peer votes). Accept (A), accept with fixes, or reject with a
// reason (R). A second tab holds the open appeals against rejections.
import { h, clear, duration, when, toast, isTyping, showFormError, clearFormErrors, field } from '../dom.js';
import { get, post } from '../api.js';
import { Annotator } from '../annotate/annotator.js';
import { promptOf, checkLines } from './collect.js';
import { brief, resultText } from './datamanager.js';
import { reasonLabel } from './submissions.js';

const VALIDITY = { valid: 'Valid', invalid: 'Invalid', pending: 'Votes pending' };

/** A collection submission: prompt, the media itself, its checks and votes. */
function mediaReview(p, sub) {
  const kind = (p.collect && p.collect.media) || 'audio';
  const r = (sub.result && sub.result[0] && sub.result[0].value) || {};
  const url = r[kind] || (sub.media_id ? `/api/v1/media/${sub.media_id}` : null);
  const prompt = promptOf(p, (sub.task && sub.task.data) || {});
  let media;
  if (!url) media = h('p', { class: 'muted' }, 'No file attached.');
  else if (kind === 'image') media = h('div', { class: 'photo-drop has-photo' }, h('img', { class: 'photo-preview', src: url, alt: `Photo for: ${prompt}` }));
  else if (kind === 'sensor') {
    media = h('div', { class: 'sensor-preview' });
    import('./sensor.js').then((m) => m.sensorPreview(media, url));
  } else media = h(kind, { class: 'player review-player', src: url, controls: true, preload: 'metadata', playsinline: true });
  const votes = sub.validity ? h('p', { class: 'votes' }, h('span', { class: `badge badge-validity-${sub.validity}` }, VALIDITY[sub.validity] || sub.validity), ` ${sub.up_votes || 0} yes · ${sub.down_votes || 0} no`) : null;
  const checks = r.probe ? h('ul', { class: 'check-list-plain small' }, checkLines({ probe: r.probe, checks: {} }, p.collect || {}).slice(0, -1).map((t) => h('li', null, t))) : null;
  return { main: h('div', { class: 'media-review' }, h('div', { class: 'card prompt-card' }, h('p', { class: 'prompt-verb' }, 'Prompt'), h('p', { class: `prompt-text${prompt.length > 140 ? ' long' : ''}` }, prompt || '—')), media), side: h('div', null, h('p', { class: 'side-title' }, 'Peer validation'), votes || h('p', { class: 'muted small' }, 'No votes yet.'), checks ? [h('p', { class: 'side-title' }, 'File'), checks] : null) };
}

const DEFAULT_REASONS = ['wrong_answer', 'instructions_not_followed', 'low_quality', 'spam'];
const human = (code) => code.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

export async function reviewView(ctx) {
  const id = ctx.params[0];
  const p = await get(`/projects/${id}`);
  const reasons = p.reject_reasons && p.reject_reasons.length ? p.reject_reasons : DEFAULT_REASONS;
  let ann = null;
  let sub = null;
  let original = '';
  let reviewed = 0;
  const host = h('div', { class: 'review-task' });
  const side = h('div', { class: 'work-side' });
  const meta = h('div', { class: 'review-meta muted', tabindex: '-1' });
  const acceptBtn = h('button', { type: 'button', class: 'btn primary', title: 'A' }, 'Accept', h('kbd', null, 'A'));
  const rejectBtn = h('button', { type: 'button', class: 'btn danger-outline', title: 'R', 'aria-expanded': 'false' }, 'Reject…', h('kbd', null, 'R'));
  const code = h('select', { name: 'reason_code', id: 'reject-code', class: 'input', required: true }, h('option', { value: '' }, 'Choose a reason'), reasons.map((r) => h('option', { value: r }, human(r))));
  const message = h('textarea', { name: 'message', id: 'reject-message', class: 'input', rows: '3', required: true, placeholder: 'What was wrong, so the contributor can do better next time.' });
  const rejectForm = h('form', { class: 'card reject-form', hidden: true, novalidate: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Reason', code), field('Message to the contributor', message, 'Required. The contributor sees it in “My work” and may appeal.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn danger' }, 'Reject'), h('button', { type: 'button', class: 'btn', onclick: () => toggleReject(false) }, 'Cancel')));
  const actions = h('div', { class: 'work-actions' }, acceptBtn, rejectBtn);
  const counter = h('span', { class: 'muted' });
  const queueTab = h('button', { type: 'button', role: 'tab', class: 'tab', id: 'tab-queue', 'aria-selected': 'true', 'aria-controls': 'panel-queue' }, 'Submissions');
  const appealsTab = h('button', { type: 'button', role: 'tab', class: 'tab', id: 'tab-appeals', 'aria-selected': 'false', 'aria-controls': 'panel-appeals', tabindex: '-1' }, 'Appeals');
  const queuePanel = h('div', { role: 'tabpanel', id: 'panel-queue', 'aria-labelledby': 'tab-queue', class: 'work-grid review-grid' }, h('div', { class: 'work-center' }, meta, host), h('div', { class: 'work-right' }, side, actions, rejectForm));
  const appealsPanel = h('div', { role: 'tabpanel', id: 'panel-appeals', 'aria-labelledby': 'tab-appeals', class: 'appeals', hidden: true });
  const page = h('section', { class: 'work review' },
    h('header', { class: 'work-head' },
      h('div', { class: 'work-head-title' }, h('a', { href: `/projects/${id}`, class: 'muted small' }, `← ${p.title}`), h('h1', { class: 'work-title' }, 'Review')),
      h('div', { class: 'work-meta' }, counter)),
    h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Review' }, queueTab, appealsTab),
    queuePanel, appealsPanel);
  ctx.main.append(page);

  function selectTab(which) {
    const appeals = which === 'appeals';
    queueTab.setAttribute('aria-selected', String(!appeals));
    appealsTab.setAttribute('aria-selected', String(appeals));
    queueTab.tabIndex = appeals ? -1 : 0;
    appealsTab.tabIndex = appeals ? 0 : -1;
    queuePanel.hidden = appeals;
    appealsPanel.hidden = !appeals;
    if (appeals) loadAppeals();
  }
  queueTab.addEventListener('click', () => selectTab('queue'));
  appealsTab.addEventListener('click', () => selectTab('appeals'));
  for (const t of [queueTab, appealsTab]) {
    t.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      const other = t === queueTab ? appealsTab : queueTab;
      other.focus();
      selectTab(other === appealsTab ? 'appeals' : 'queue');
    });
  }

  function setAppealCount(n) {
    clear(appealsTab).append('Appeals');
    if (n) appealsTab.append(h('span', { class: 'count' }, String(n)));
  }

  async function loadAppeals() {
    let res;
    try {
      res = await get(`/projects/${id}/appeals?status=open`);
    } catch (e) {
      clear(appealsPanel).append(h('p', { class: 'form-error' }, e.message));
      return;
    }
    const items = res.items || [];
    setAppealCount(items.length);
    clear(appealsPanel);
    if (!items.length) {
      appealsPanel.append(h('div', { class: 'empty card' }, h('h2', null, 'No open appeals'), h('p', null, 'When a contributor appeals a rejection, it shows here for a reviewer other than the one who rejected.')));
      return;
    }
    appealsPanel.append(h('p', { class: 'muted' }, 'Read the rejection and the contributor’s side. Upholding accepts the submission and pays the contributor; denying keeps the rejection. Either way, your reason is shown to them.'),
      h('ul', { class: 'appeal-list' }, items.map(appealCard)));
  }

  function appealCard(a) {
    const sub = a.submission || {};
    const rej = a.rejection || {};
    const code = rej.reason_code ?? a.reason_code ?? sub.reason_code;
    const why = rej.reason ?? a.reason ?? sub.reason;
    const mine = ctx.user && rej.reviewed_by === ctx.user.id;
    const reason = h('textarea', { name: 'reason', id: `appeal-reason-${a.id}`, class: 'input', rows: '2', required: true, placeholder: 'Why you decided this way (the contributor sees it).' });
    const form = h('form', { class: 'stack-form', novalidate: true }, h('p', { class: 'form-error', role: 'alert', hidden: true }), field('Your reason', reason),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'btn primary', value: 'uphold', dataset: { decision: 'uphold' } }, 'Uphold — accept and pay'),
        h('button', { type: 'submit', class: 'btn danger-outline', value: 'deny', dataset: { decision: 'deny' } }, 'Deny — keep the rejection')));
    const li = h('li', { class: 'card appeal', dataset: { appeal: a.id } },
      h('p', { class: 'muted small' }, `Appeal #${a.id} · submission #${a.submission_id} · contributor #${a.user_id} · ${when(a.created_at)}`),
      h('div', { class: 'appeal-grid' },
        h('div', null, h('h3', null, 'The rejection'), code || why ? h('p', { class: 'reason' }, code ? [h('strong', null, reasonLabel(code)), ': '] : null, why || '') : h('p', { class: 'muted' }, `Submission #${a.submission_id} was rejected.`),
          h('h3', null, 'The rejected work'), h('p', { class: 'appeal-work' }, resultText(rej.result)),
          a.task ? h('p', { class: 'muted small' }, `Task #${a.task.id}: `, brief(a.task.data, 160)) : null),
        h('div', null, h('h3', null, 'The contributor says'), h('blockquote', { class: 'appeal-message' }, a.message))),
      mine ? h('p', { class: 'notice appeal-mine', role: 'note' }, 'You rejected this submission, so another reviewer must decide this appeal. Add a reviewer on the Members screen if nobody else reviews this project.') : null,
      form);
    if (mine) form.querySelectorAll('button, textarea').forEach((b) => { b.disabled = true; });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFormErrors(form);
      const decision = (e.submitter && e.submitter.dataset.decision) || 'deny';
      if (!reason.value.trim()) return showFormError(form, { field: 'reason', message: 'Give a reason: the contributor sees it.' });
      form.querySelectorAll('button').forEach((b) => { b.disabled = true; });
      try {
        await post(`/appeals/${a.id}/decide`, { decision, reason: reason.value.trim() });
        toast(decision === 'uphold' ? `Appeal #${a.id} upheld: the submission is accepted and paid.` : `Appeal #${a.id} denied.`, 'ok');
        await loadAppeals();
      } catch (err) {
        const nice = { same_reviewer: 'You made this rejection, so another reviewer must decide the appeal.', own_work: 'This is your own work; another reviewer must decide.' }[err.code];
        showFormError(form, nice ? { message: nice } : err);
        form.querySelectorAll('button').forEach((b) => { b.disabled = false; });
      }
    });
    return li;
  }

  function toggleReject(on) {
    rejectForm.hidden = !on;
    rejectBtn.setAttribute('aria-expanded', String(on));
    if (on) code.focus();
  }

  function changed() {
    return ann && JSON.stringify(ann.getResult()) !== original;
  }

  async function load() {
    if (ann) ann.destroy();
    ann = null;
    toggleReject(false);
    clearFormErrors(rejectForm);
    code.value = '';
    message.value = '';
    sub = await get(`/projects/${id}/review/next`);
    counter.textContent = reviewed ? `${reviewed} reviewed` : '';
    clear(side);
    if (!sub) {
      clear(meta);
      clear(host).append(h('div', { class: 'empty card' }, h('h2', null, 'All caught up'), h('p', null, 'No submissions are waiting for review.'), h('a', { class: 'btn primary', href: `/projects/${id}` }, 'Back to the dashboard')));
      actions.hidden = true;
      host.querySelector('a').focus();
      return;
    }
    actions.hidden = false;
    // the reject form (or the button pressed) is gone: keep keyboard users on the new submission
    const lost = reviewed > 0 && (!document.activeElement || document.activeElement === document.body);
    clear(meta).append(`Submission #${sub.id} · task #${sub.task_id} · contributor #${sub.user_id} · active ${duration(sub.active_seconds)} · ${when(sub.created_at)}`, ...(sub.needs_review ? [' ', h('span', { class: 'badge badge-pending' }, 'sampled')] : []));
    if (p.kind === 'collection') {
      const view = mediaReview(p, sub);
      clear(host).append(view.main);
      side.append(view.side);
      if (lost) meta.focus({ preventScroll: true });
      document.body.dataset.reviewReady = String(sub.id);
      return;
    }
    ann = new Annotator(host, { config: p.label_config, data: (sub.task && sub.task.data) || {}, result: sub.result || [], onChange: () => { acceptBtn.firstChild.textContent = changed() ? 'Accept with fixes' : 'Accept'; } });
    original = JSON.stringify(ann.getResult());
    side.append(h('p', { class: 'muted small' }, 'Edit the answer to fix it, then accept.'), ann.side);
    if (lost) meta.focus({ preventScroll: true });
    document.body.dataset.reviewReady = String(sub.id);
  }

  async function accept() {
    if (!sub) return;
    acceptBtn.disabled = true;
    try {
      if (changed()) await post(`/submissions/${sub.id}/fix`, { result: ann.getResult() });
      else await post(`/submissions/${sub.id}/accept`);
      reviewed++;
      toast(`Submission #${sub.id} accepted.`, 'ok', 2000);
      await load();
    } catch (e) {
      toast(e.message, 'error');
    } finally {
      acceptBtn.disabled = false;
    }
  }

  rejectForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(rejectForm);
    if (!code.value) return showFormError(rejectForm, { field: 'reason_code', message: 'Choose a reason.' });
    if (!message.value.trim()) return showFormError(rejectForm, { field: 'message', message: 'Write a message: the contributor sees it.' });
    try {
      await post(`/submissions/${sub.id}/reject`, { reason_code: code.value, message: message.value.trim() });
      reviewed++;
      toast(`Submission #${sub.id} rejected.`, 'ok', 2000);
      await load();
    } catch (err) {
      showFormError(rejectForm, err);
    }
  });
  acceptBtn.addEventListener('click', accept);
  rejectBtn.addEventListener('click', () => toggleReject(rejectForm.hidden));
  const onKey = (e) => {
    if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey || !sub || queuePanel.hidden) return;
    if (e.key === 'a' || e.key === 'A') {
      e.preventDefault();
      accept();
    } else if (e.key === 'r' || e.key === 'R') {
      if (ann && ann.selected) return; // R relates regions while one is selected
      e.preventDefault();
      toggleReject(true);
    }
  };
  document.addEventListener('keydown', onKey);
  ctx.onLeave(() => {
    document.removeEventListener('keydown', onKey);
    if (ann) ann.destroy();
    delete document.body.dataset.reviewReady;
  });
  await load();
  if (ctx.query.get('tab') === 'appeals') selectTab('appeals');
  else get(`/projects/${id}/appeals?status=open`).then((r) => setAppealCount((r.items || []).length), () => {});
}
