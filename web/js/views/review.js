// The review queue: one pending submission at a time, shown in the
// annotator. Accept (A), accept with fixes, or reject with a reason (R).
import { h, clear, duration, when, toast, isTyping, showFormError, clearFormErrors, field } from '../dom.js';
import { get, post } from '../api.js';
import { Annotator } from '../annotate/annotator.js';

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
  const meta = h('div', { class: 'review-meta muted' });
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
  const page = h('section', { class: 'work review' },
    h('header', { class: 'work-head' },
      h('div', { class: 'work-head-title' }, h('a', { href: `/projects/${id}`, class: 'muted small' }, `← ${p.title}`), h('h1', { class: 'work-title' }, 'Review')),
      h('div', { class: 'work-meta' }, counter)),
    h('div', { class: 'work-grid review-grid' }, h('div', { class: 'work-center' }, meta, host), h('div', { class: 'work-right' }, side, actions, rejectForm)));
  ctx.main.append(page);

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
    clear(meta).append(`Submission #${sub.id} · task #${sub.task_id} · contributor #${sub.user_id} · active ${duration(sub.active_seconds)} · ${when(sub.created_at)}`, sub.needs_review ? h('span', { class: 'badge badge-pending' }, 'sampled') : null);
    ann = new Annotator(host, { config: p.label_config, data: (sub.task && sub.task.data) || {}, result: sub.result || [], onChange: () => { acceptBtn.firstChild.textContent = changed() ? 'Accept with fixes' : 'Accept'; } });
    original = JSON.stringify(ann.getResult());
    side.append(h('p', { class: 'muted small' }, 'Edit the answer to fix it, then accept.'), ann.side);
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
    if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey || !sub) return;
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
  try {
    await load();
  } catch (e) {
    if (e.status === 404 && e.code !== 'not_found') throw e;
    throw e;
  }
}
