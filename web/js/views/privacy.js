// Privacy and trust (issue #18), loaded on demand: the contributor's privacy
// page (withdraw consent per project, download my data, identity document,
// my blocks and their appeals, delete the account), the admin's identity
// review queue and a project's blocks with the owner's block dialog.
import { h, clear, toast, field, when, showFormError, clearFormErrors } from '../dom.js';
import { get, post, api } from '../api.js';

const card = (id, title, ...children) => h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);

function withdrawRow(p, onDone) {
  const btn = h('button', { type: 'button', class: 'btn small danger-outline' }, 'Withdraw consent', h('span', { class: 'sr-only' }, ` for ${p.title}`));
  btn.onclick = async () => {
    if (!confirm(`Withdraw your consent for “${p.title}”? Your answers and recordings there are erased for good; what you were paid stays paid.`)) return;
    try {
      const r = await post(`/projects/${p.project}/consent/withdraw`);
      toast(`Consent withdrawn: ${r.submissions_erased} answers and ${r.media_erased} files erased.`, 'ok');
      onDone();
    } catch (e) {
      toast(e.message, 'error');
    }
  };
  return h('tr', null, h('td', { 'data-label': 'Project' }, p.title), h('td', { 'data-label': 'Your answers' }, String(p.submitted ?? '')), h('td', { 'data-label': 'Action' }, btn));
}

async function consentCard() {
  const box = card('consent-h', 'Projects you took part in');
  const body = h('div');
  box.append(h('p', { class: 'muted' }, 'Withdrawing erases your answers, recordings and photos in that project and keeps them out of every later dataset. Your earnings do not change.'), body);
  async function load() {
    const { history } = await get('/me/history');
    const projects = (history && history.projects) || [];
    clear(body).append(projects.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'table stack compact' },
        h('thead', null, h('tr', null, ['Project', 'Your answers', 'Action'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, projects.map((p) => withdrawRow(p, load)))))
      : h('p', null, 'You have no work in any project now.'));
  }
  await load();
  return box;
}

function dataCard() {
  return card('mydata-h', 'Your data',
    h('p', null, 'A zip of everything faircrowd holds about you: profile, answers, reviews, earnings, consents and your own recordings and photos — nobody else’s.'),
    h('a', { class: 'btn', href: '/api/v1/me/data', download: '' }, 'Download my data'));
}

async function identityCard() {
  const box = card('identity-h', 'Identity verification');
  const status = h('div', { role: 'status' });
  const input = h('input', { type: 'file', id: 'identity-file', name: 'identity', accept: 'image/jpeg,image/png,image/webp' });
  const form = h('form', { class: 'identity-form', novalidate: true },
    field('Photo or scan of an identity document', input, 'JPEG, PNG or WebP. It is stored encrypted, seen by one admin, and deleted after the decision.'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('button', { type: 'submit', class: 'btn' }, 'Send document'));
  async function load() {
    const st = await get('/me/identity');
    const last = st.documents[0];
    clear(status).append(h('p', null, st.verified ? `Verified on ${when(st.verified_at)}.` : last ? `Your last document: ${last.status}${last.reason ? ` — ${last.reason}` : ''}.` : 'Not verified. Some projects are open to verified contributors only.'));
    form.hidden = st.verified || (last && last.status === 'pending') || !st.available;
    if (!st.available && !st.verified) status.append(h('p', { class: 'muted' }, 'Verification is not offered on this server.'));
  }
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    const file = input.files && input.files[0];
    if (!file) return showFormError(form, { message: 'Choose an image first.', field: 'identity' });
    try {
      await api('POST', '/me/identity', { raw: file, contentType: file.type || 'application/octet-stream' });
      toast('Document sent for review.', 'ok');
      form.reset();
      await load();
    } catch (err) {
      showFormError(form, err);
    }
  };
  box.append(status, form);
  await load();
  return box;
}

function appealForm(b, reload) {
  const msg = h('textarea', { id: `appeal-${b.id}`, name: 'message', class: 'input', rows: '3', required: true });
  const form = h('form', { class: 'appeal-form', novalidate: true },
    field('Why should the block be lifted?', msg, 'Someone other than the person who blocked you decides.'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('button', { type: 'submit', class: 'btn small' }, 'Send appeal'));
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    try {
      await post(`/blocks/${b.id}/appeal`, { message: msg.value });
      toast('Appeal sent.', 'ok');
      await reload();
    } catch (err) {
      showFormError(form, err);
    }
  };
  return form;
}

async function blocksCard() {
  const box = card('blocks-h', 'Blocks');
  const body = h('div');
  async function load() {
    const { items } = await get('/me/blocks');
    clear(body).append(items.length
      ? h('ul', { class: 'plain' }, items.map((b) => h('li', { class: 'block-item' },
        h('p', null, h('strong', null, b.project_title), ` — ${b.status === 'active' ? 'blocked' : 'lifted'} on ${when(b.created_at)}`),
        h('p', null, `Reason: ${b.reason}`),
        b.appeal ? h('p', { class: 'muted' }, b.decided_at ? `Appeal ${b.appeal_upheld ? 'upheld' : 'denied'}${b.decision_reason ? `: ${b.decision_reason}` : ''}.` : 'Appeal sent; waiting for a decision.') : null,
        !b.appeal && b.status === 'active' ? appealForm(b, load) : null)))
      : h('p', null, 'You are not blocked from any project.'));
  }
  box.append(body);
  await load();
  return box;
}

function deleteCard(ctx) {
  const confirmInput = h('input', { id: 'delete-confirm', name: 'confirm', class: 'input', autocomplete: 'off' });
  const form = h('form', { class: 'delete-form', novalidate: true },
    h('p', null, 'Your email, name, password, sessions, tokens, notifications, identity documents, recordings and photos are erased. Payments already made stay in the books under a pseudonym. This cannot be undone.'),
    field('Type DELETE to confirm', confirmInput),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('button', { type: 'submit', class: 'btn danger-outline' }, 'Delete my account'));
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    if (confirmInput.value.trim() !== 'DELETE') return showFormError(form, { message: 'Type DELETE to confirm.', field: 'confirm' });
    try {
      await api('DELETE', '/me', { body: { confirm: true } });
      ctx.setUser && ctx.setUser(null);
      location.assign('/signin');
    } catch (err) {
      showFormError(form, err);
    }
  };
  return card('delete-h', 'Delete your account', form);
}

export async function privacyView(ctx) {
  const page = h('section', { class: 'page narrow privacy' });
  ctx.main.append(page);
  const cards = await Promise.all([consentCard(), identityCard(), blocksCard()]);
  if (!ctx.isCurrent()) return;
  page.append(h('h1', null, 'Privacy'), cards[0], dataCard(), cards[1], cards[2], deleteCard(ctx));
}

// The admin's queue: one document at a time, opened for this view only.
export async function identityQueueView(ctx) {
  const page = h('section', { class: 'page narrow identity-queue' });
  ctx.main.append(page);
  async function next() {
    const doc = await get('/admin/identity/next');
    if (!ctx.isCurrent()) return;
    clear(page).append(h('h1', null, 'Identity review'));
    if (!doc) return page.append(h('p', { role: 'status' }, 'No documents wait for review.'));
    const reason = h('textarea', { id: 'identity-reason', name: 'reason', class: 'input', rows: '2' });
    const form = h('form', { class: 'card', novalidate: true },
      h('p', null, `${doc.display_name} (user ${doc.user_id}), sent ${when(doc.created_at)}. ${doc.pending} waiting.`),
      h('img', { src: `data:${doc.content_type};base64,${doc.image}`, alt: `Identity document sent by ${doc.display_name}`, class: 'identity-doc' }),
      field('Reason (required to refuse; the contributor sees it)', reason),
      h('p', { class: 'form-error', role: 'alert', hidden: true }),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'btn primary', value: 'approve' }, 'Approve'),
        h('button', { type: 'submit', class: 'btn danger-outline', value: 'reject' }, 'Refuse')));
    form.onsubmit = async (e) => {
      e.preventDefault();
      clearFormErrors(form);
      const approve = !e.submitter || e.submitter.value === 'approve';
      try {
        await post(`/identity/${doc.id}/decide`, { approve, reason: reason.value || undefined });
        toast(approve ? 'Approved; the document is deleted.' : 'Refused; the document is deleted.', 'ok');
        await next();
      } catch (err) {
        showFormError(form, err);
      }
    };
    page.append(form);
  }
  await next();
}

// A project's blocks; reviewers and owners block with a reason in a dialog
// and decide appeals on blocks someone else made.
export async function blocksView(ctx) {
  const id = Number(ctx.params[0]);
  const page = h('section', { class: 'page narrow blocks' });
  ctx.main.append(page);
  const project = await get(`/projects/${id}`);
  if (!ctx.isCurrent()) return;
  const list = h('div');
  const userInput = h('input', { id: 'block-user', name: 'user_id', class: 'input', type: 'number', min: '1', required: true });
  const reasonInput = h('textarea', { id: 'block-reason', name: 'reason', class: 'input', rows: '3', required: true });
  const form = h('form', { method: 'dialog', novalidate: true },
    h('h2', { id: 'block-dialog-h' }, 'Block a contributor'),
    field('Contributor’s user id', userInput),
    field('Reason', reasonInput, 'The contributor sees this reason and may appeal.'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, 'Block'), h('button', { type: 'button', class: 'btn', onclick: () => dialog.close() }, 'Cancel')));
  const dialog = h('dialog', { class: 'block-dialog', 'aria-labelledby': 'block-dialog-h' }, form);
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    try {
      await post(`/projects/${id}/blocks`, { user_id: Number(userInput.value), reason: reasonInput.value });
      dialog.close();
      form.reset();
      toast('Blocked; the contributor sees the reason.', 'ok');
      await load();
    } catch (err) {
      showFormError(form, err);
    }
  };
  const decide = async (b, upheld) => {
    const reason = upheld ? undefined : prompt('Why does the block stay? The contributor sees this.');
    if (!upheld && !reason) return;
    try {
      await post(`/blocks/${b.id}/decide`, { upheld, reason });
      toast('Appeal decided.', 'ok');
      await load();
    } catch (e) {
      toast(e.message, 'error');
    }
  };
  async function load() {
    const { items } = await get(`/projects/${id}/blocks`);
    clear(list).append(items.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'table stack compact' },
        h('thead', null, h('tr', null, ['User', 'Reason', 'Status', 'Appeal'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, items.map((b) => h('tr', null,
          h('td', { 'data-label': 'User' }, String(b.user_id)), h('td', { 'data-label': 'Reason' }, b.reason),
          h('td', { 'data-label': 'Status' }, b.status),
          h('td', { 'data-label': 'Appeal' }, b.appeal && !b.decided_at
            ? h('div', null, h('p', null, b.appeal), h('button', { type: 'button', class: 'btn small', onclick: () => decide(b, true) }, 'Lift'), ' ', h('button', { type: 'button', class: 'btn small danger-outline', onclick: () => decide(b, false) }, 'Keep'))
            : b.appeal ? `${b.appeal_upheld ? 'Upheld' : 'Denied'}` : '—'))))))
      : h('p', null, 'Nobody is blocked from this project.'));
  }
  page.append(h('p', { class: 'crumbs' }, h('a', { href: `/projects/${id}` }, `← ${project.title}`)), h('h1', null, 'Blocks'),
    h('p', { class: 'muted' }, 'A block always carries a reason the contributor sees; their appeal is decided by someone other than the person who blocked.'),
    h('button', { type: 'button', class: 'btn block-open', onclick: () => dialog.showModal() }, 'Block a contributor'), list, dialog);
  await load();
}
