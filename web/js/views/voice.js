// The contributor's side (issue #17): password reset, in-app notifications,
// the signed work history, reports on tasks, and a project's transparency
// figures. The screens other views embed (cards, the report control) are
// exported from here so those views change by one line each.
import { h, field, toast, showFormError, clearFormErrors, when, clear, money, duration } from '../dom.js';
import { get, post } from '../api.js';

// ---- password reset (open pages) ----

export function forgotView(ctx) {
  const email = h('input', { name: 'email', id: 'fg-email', type: 'email', autocomplete: 'username', required: true, class: 'input' });
  const submit = h('button', { type: 'submit', class: 'btn primary wide' }, 'Send me a reset code');
  const done = h('p', { class: 'notice ok', role: 'status', hidden: true });
  const form = h('form', { class: 'card form', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Email', email, 'The address you signed up with.'), submit,
    h('p', { class: 'muted center' }, 'Have a code? ', h('a', { href: '/reset' }, 'Enter it here'), ' · ', h('a', { href: '/signin' }, 'Back to sign-in')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    if (!email.value.trim()) return showFormError(form, { field: 'email', message: 'Enter your email address.' });
    submit.disabled = true;
    try {
      const out = await post('/auth/password-reset', { email: email.value.trim() }, { noAuthRedirect: true });
      done.textContent = `${out.message} It holds a code that works once, within an hour. Check your spam folder too.`;
      done.hidden = false;
    } catch (err) {
      showFormError(form, err);
    } finally {
      submit.disabled = false;
    }
  });
  ctx.main.append(h('section', { class: 'page auth' }, h('h1', null, 'Forgot your password?'),
    h('p', { class: 'lead' }, 'We send a reset code to your email. Nobody at faircrowd can see or set your password.'), done, form));
  email.focus();
}

export function resetView(ctx) {
  const token = h('input', { name: 'token', id: 'rs-token', class: 'input', required: true, autocomplete: 'one-time-code', spellcheck: 'false', value: ctx.query.get('token') || '' });
  const fresh = h('input', { name: 'password', id: 'rs-password', type: 'password', class: 'input', autocomplete: 'new-password', minlength: '10', required: true });
  const again = h('input', { name: 'again', id: 'rs-again', type: 'password', class: 'input', autocomplete: 'new-password', required: true });
  const submit = h('button', { type: 'submit', class: 'btn primary wide' }, 'Set the new password');
  const form = h('form', { class: 'card form', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Reset code', token, 'From the email we sent you.'),
    field('New password', fresh, 'At least 10 characters. Every session of your account is signed out.'),
    field('New password again', again), submit,
    h('p', { class: 'muted center' }, h('a', { href: '/forgot' }, 'Ask for a new code')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    if (!token.value.trim()) return showFormError(form, { field: 'token', message: 'Enter the code from the email.' });
    if (fresh.value.length < 10) return showFormError(form, { field: 'password', message: 'Use at least 10 characters.' });
    if (fresh.value !== again.value) return showFormError(form, { field: 'again', message: 'The two passwords differ.' });
    submit.disabled = true;
    try {
      await post('/auth/password-reset/confirm', { token: token.value.trim(), password: fresh.value }, { noAuthRedirect: true });
      toast('Password set. Sign in with it now.', 'ok');
      ctx.navigate('/signin', { replace: true });
    } catch (err) {
      showFormError(form, err);
    } finally {
      submit.disabled = false;
    }
  });
  // the code leaves the address bar: it should not sit in the history
  if (ctx.query.get('token')) history.replaceState(null, '', '/reset');
  ctx.main.append(h('section', { class: 'page auth' }, h('h1', null, 'Choose a new password'), form));
  (token.value ? fresh : token).focus();
}

// ---- notifications ----

export async function notificationsView(ctx) {
  const list = h('ul', { class: 'notes', 'aria-live': 'polite' });
  const count = h('p', { class: 'muted', role: 'status' });
  const allBtn = h('button', { type: 'button', class: 'btn' }, 'Mark all as read');
  const more = h('button', { type: 'button', class: 'btn', hidden: true }, 'Show older');
  let cursor = null;

  function item(n) {
    const read = h('button', { type: 'button', class: 'btn small', 'aria-label': `Mark read: ${n.title}`, hidden: n.read }, 'Mark read');
    const li = h('li', { class: ['card', 'note', n.read ? 'read' : 'unread'] },
      h('p', { class: 'note-title' }, n.read ? null : h('span', { class: 'badge' }, 'New'), ' ', n.link ? h('a', { href: n.link }, n.title) : n.title),
      n.body ? h('p', { class: 'note-body' }, n.body) : null,
      h('p', { class: 'muted small' }, when(n.created_at), ' ', read));
    read.addEventListener('click', async () => {
      try {
        await post('/me/notifications/read', { ids: [n.id] });
        li.classList.replace('unread', 'read');
        read.hidden = true;
        li.querySelector('.badge')?.remove();
        refreshCount();
      } catch (e) {
        toast(e.message, 'error');
      }
    });
    return li;
  }

  async function refreshCount() {
    const out = await get('/me/notifications?limit=1');
    count.textContent = out.unread ? `${out.unread} unread` : 'Nothing unread.';
    allBtn.disabled = !out.unread;
  }

  async function load(reset) {
    const out = await get(`/me/notifications?limit=50${cursor ? `&after=${cursor}` : ''}`);
    if (reset) clear(list);
    if (reset && !out.items.length) list.append(h('li', { class: 'muted' }, 'No notifications yet. Decisions on your work, appeal outcomes and payouts appear here.'));
    for (const n of out.items) list.append(item(n));
    cursor = out.next;
    more.hidden = !cursor;
    count.textContent = out.unread ? `${out.unread} unread` : 'Nothing unread.';
    allBtn.disabled = !out.unread;
  }

  allBtn.addEventListener('click', async () => {
    try {
      await post('/me/notifications/read', { all: true });
      cursor = null;
      await load(true);
    } catch (e) {
      toast(e.message, 'error');
    }
  });
  more.addEventListener('click', () => load(false));
  await load(true);
  ctx.main.append(h('section', { class: 'page narrow' }, h('h1', null, 'Notifications'),
    h('div', { class: 'actions' }, count, allBtn), list, more,
    h('p', { class: 'muted' }, 'Choose which notifications you get in ', h('a', { href: '/me/profile#limits' }, 'your profile'), '.')));
}

// ---- signed work history (a card of the profile page) ----

export async function historyCard() {
  const out = await get('/me/history');
  const t = out.history.totals;
  const rate = t.accepted + t.rejected ? `${(t.acceptance_per_mille / 10).toFixed(1)} %` : '—';
  const download = h('button', { type: 'button', class: 'btn' }, 'Download signed history');
  download.addEventListener('click', async () => {
    try {
      const fresh = await get('/me/history');
      const blob = new Blob([JSON.stringify(fresh, null, 2)], { type: 'application/json' });
      const a = h('a', { href: URL.createObjectURL(blob), download: 'faircrowd-work-history.json' });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (e) {
      toast(e.message, 'error');
    }
  });
  return h('section', { class: 'card history-card', 'aria-labelledby': 'hist-h' },
    h('h2', { id: 'hist-h' }, 'Your work history'),
    h('dl', { class: 'facts' },
      h('div', null, h('dt', null, 'Projects'), h('dd', null, String(t.projects))),
      h('div', null, h('dt', null, 'Submissions'), h('dd', null, String(t.submitted))),
      h('div', null, h('dt', null, 'Accepted'), h('dd', null, rate)),
      h('div', null, h('dt', null, 'Time worked'), h('dd', null, duration(t.seconds)))),
    h('p', null, 'Show it to anyone: the file is signed with faircrowd’s Ed25519 key, so they can check offline that nothing in it was changed. The public key is at ',
      h('a', { href: '/api/v1/signing-key' }, '/api/v1/signing-key'), '; the signature covers the RFC 8785 canonical JSON of “history”.'),
    h('div', { class: 'actions' }, download));
}

// ---- reporting a task (a control of the work screen) ----

const REASONS = [['broken', 'It is broken (the media does not load, the text is garbled, nothing to choose fits)'], ['harmful', 'It is harmful or disturbing'], ['unclear', 'The instructions do not say what to do'], ['other', 'Something else']];

/** A disclosure with the report form; current() is the assignment held, onDone() moves on. */
export function reportControl(current, onDone) {
  const message = h('textarea', { name: 'report-message', id: 'rp-message', class: 'input', rows: '3', maxlength: '2000' });
  const radios = REASONS.map(([v, label], i) => h('label', { class: 'check' }, h('input', { type: 'radio', name: 'report-reason', value: v, checked: i === 0 }), ' ', label));
  const send = h('button', { type: 'submit', class: 'btn' }, 'Report and skip');
  const form = h('form', { class: 'report-form', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('fieldset', { class: 'field' }, h('legend', null, 'What is wrong?'), radios),
    field('Tell the requester more (optional, required for “Something else”)', message),
    h('p', { class: 'muted small' }, 'The task is skipped without any penalty. The requester sees the report, not who sent it.'),
    h('div', { class: 'actions' }, send));
  const box = h('details', { class: 'report-box' }, h('summary', null, 'Report a problem with this task'), form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    const a = current();
    if (!a) return;
    const reason = form.querySelector('input[name="report-reason"]:checked').value;
    if (reason === 'other' && !message.value.trim()) return showFormError(form, { field: 'report-message', message: 'Say what is wrong.' });
    send.disabled = true;
    try {
      await post(`/tasks/${a.task.id}/reports`, { reason, message: message.value.trim() });
      toast('Thanks — reported. Here is the next task.', 'ok');
      message.value = '';
      box.open = false;
      await onDone(a);
    } catch (err) {
      showFormError(form, err.status === 409 ? { message: 'You already reported this task.' } : err);
    } finally {
      send.disabled = false;
    }
  });
  return box;
}

// ---- transparency (a card of the project page) ----

export async function transparencyCard(projectId) {
  let t;
  try {
    t = await get(`/projects/${projectId}/transparency`);
  } catch {
    return null; // a figure that cannot be read is left out, not shown as zero
  }
  const pct = (x) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
  const row = (label, value, hint) => h('div', null, h('dt', null, label), h('dd', null, value, hint ? h('span', { class: 'muted small' }, ` ${hint}`) : null));
  return h('section', { class: 'card transparency', 'aria-labelledby': 'tr-h' },
    h('h2', { id: 'tr-h' }, 'How this project treats people'),
    h('dl', { class: 'facts' },
      row('Median pay per hour', t.median_hourly === null ? '—' : money(t.median_hourly, t.currency),
        t.median_hourly === null ? `(shown from ${t.min_measured} timed submissions; ${t.measured_submissions} so far)` : '(measured, bonuses not counted)'),
      row('Rejected', pct(t.rejection_rate)),
      row('Median time to payment', t.median_hours_to_payment === null ? '—' : duration(Math.round(t.median_hours_to_payment * 3600))),
      row('Appeals upheld', `${t.appeals_upheld} of ${t.appeals}`),
      row('Accepted automatically', pct(t.auto_approved_share)),
      row('Contributors', String(t.contributors))));
}

// ---- reports (a card of the owner's dashboard) ----

export async function reportsCard(projectId) {
  let out;
  try {
    out = await get(`/projects/${projectId}/reports?limit=100`);
  } catch {
    return null;
  }
  const label = Object.fromEntries(REASONS.map(([v, l]) => [v, l.replace(/ \(.*\)$/, '')]));
  return h('section', { class: 'card reports-card', 'aria-labelledby': 'rp-h' },
    h('h2', { id: 'rp-h' }, `Reports from contributors (${out.items.length}${out.next ? '+' : ''})`),
    out.items.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
        h('thead', null, h('tr', null, h('th', null, 'Task'), h('th', null, 'Problem'), h('th', null, 'Message'), h('th', null, 'When'))),
        h('tbody', null, out.items.map((r) => h('tr', null, h('td', null, `#${r.task}`), h('td', null, label[r.reason] || r.reason), h('td', null, r.message || '—'), h('td', null, when(r.created_at)))))))
      : h('p', { class: 'muted' }, 'No reports. Contributors can report a broken or harmful task from the work screen; it is skipped for them without penalty.'));
}
