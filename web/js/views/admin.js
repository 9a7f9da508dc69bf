// Admin screens: users (create with roles, change roles), payouts (batch
// the requested payouts, confirm a batch was paid, statistics), audit log.
import { h, clear, field, money, duration, when, toast, showFormError, clearFormErrors } from '../dom.js';
import { get, post, patch } from '../api.js';
import { userListPanel } from './userlist.js';

const ROLES = [['contributor', 'Contributor', 'finds and does work'], ['requester', 'Requester', 'creates and pays for projects'], ['admin', 'Admin', 'users, roles and payouts']];

function roleBoxes(prefix, checked) {
  return h('fieldset', { class: 'roles' }, h('legend', null, 'Roles'), ROLES.map(([v, t, d]) => h('label', { class: 'choice' },
    h('input', { type: 'checkbox', name: `${prefix}-roles`, value: v, checked: checked.includes(v) }), h('span', null, h('strong', null, t), h('span', { class: 'muted small' }, ` — ${d}`)))));
}

const picked = (form, prefix) => [...form.querySelectorAll(`input[name="${prefix}-roles"]:checked`)].map((i) => i.value);

export async function usersView(ctx) {
  const made = [];
  const table = h('div');
  const email = h('input', { name: 'email', id: 'u-email', class: 'input', type: 'email', autocomplete: 'off', required: true });
  const name = h('input', { name: 'display_name', id: 'u-display_name', class: 'input', autocomplete: 'off' });
  const password = h('input', { name: 'password', id: 'u-password', class: 'input', type: 'text', autocomplete: 'new-password', minlength: '10' });
  const create = h('form', { class: 'card stack-form', novalidate: true },
    h('h2', null, 'Create a user'), h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'grid-2' }, field('Email', email), field('Display name', name)),
    field('Initial password', password, 'At least 10 characters. Give it to the person over a safe channel.'),
    roleBoxes('new', ['contributor']),
    h('div', null, h('button', { type: 'submit', class: 'btn primary' }, 'Create user')));
  const uid = h('input', { name: 'user_id', id: 'u-id', class: 'input narrow', inputmode: 'numeric', placeholder: 'e.g. 12' });
  const change = h('form', { class: 'card stack-form', novalidate: true },
    h('h2', null, 'Change roles'), h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('User id', uid), roleBoxes('edit', []),
    h('div', null, h('button', { type: 'submit', class: 'btn' }, 'Save roles')));

  function renderMade() {
    clear(table);
    if (!made.length) return;
    table.append(h('h2', null, 'Changed in this session'), h('div', { class: 'table-wrap' }, h('table', { class: 'table stack' },
      h('thead', null, h('tr', null, ['Id', 'Email', 'Name', 'Roles', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, made.map((u) => h('tr', null,
        h('td', { 'data-label': 'Id' }, String(u.id)), h('td', { 'data-label': 'Email' }, u.email), h('td', { 'data-label': 'Name' }, u.display_name || '—'),
        h('td', { 'data-label': 'Roles' }, (u.roles || []).map((r) => h('span', { class: 'badge' }, r))),
        h('td', { class: 'row-actions' }, h('button', { type: 'button', class: 'link', onclick: () => {
          uid.value = u.id;
          change.querySelectorAll('input[name="edit-roles"]').forEach((i) => { i.checked = (u.roles || []).includes(i.value); });
          uid.focus();
        } }, 'Change roles'))))))));
  }
  const remember = (u) => {
    const i = made.findIndex((x) => x.id === u.id);
    if (i >= 0) made[i] = u;
    else made.unshift(u);
    renderMade();
  };

  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(create);
    const roles = picked(create, 'new');
    if (!roles.length) return showFormError(create, { message: 'Pick at least one role.' });
    try {
      const u = await post('/users', { email: email.value.trim(), password: password.value, display_name: name.value.trim(), roles });
      toast(`Created ${u.email} (#${u.id}).`, 'ok');
      create.reset();
      create.querySelector('input[value=contributor]').checked = true;
      remember(u);
    } catch (err) {
      showFormError(create, err);
    }
  });
  change.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(change);
    if (!/^\d+$/.test(uid.value.trim())) return showFormError(change, { field: 'user_id', message: 'Enter the user’s number.' });
    const roles = picked(change, 'edit');
    if (!roles.length) return showFormError(change, { message: 'Pick at least one role.' });
    try {
      const u = await patch(`/users/${uid.value.trim()}`, { roles });
      toast(`Roles of #${u.id} saved: ${(u.roles || roles).join(', ')}.`, 'ok');
      remember(u);
    } catch (err) {
      showFormError(change, err.status === 404 ? { message: `There is no user #${uid.value.trim()}.` } : err);
    }
  });

  ctx.main.append(h('section', { class: 'page' }, h('div', { class: 'page-head' }, h('h1', null, 'Users'), h('a', { class: 'btn', href: '/admin/payouts' }, 'Payouts')),
    h('p', { class: 'lead' }, 'People sign up as contributors themselves. Create requesters and admins here, or change anyone’s roles.'),
    userListPanel(ctx.user), h('div', { class: 'grid-2 admin-forms' }, create, change), table));
}

// The audit log: sensitive actions, oldest first, a page at a time; each
// row's hash chains it to the row before (`faircrowd audit verify`).
export async function auditView(ctx) {
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'btn' }, 'Show more');
  const status = h('p', { class: 'muted small', 'aria-live': 'polite' });
  let after = 0;
  let shown = 0;
  const details = (d) => {
    const keys = Object.keys(d || {});
    return keys.length ? keys.map((k) => `${k}: ${typeof d[k] === 'object' ? JSON.stringify(d[k]) : d[k]}`).join(', ') : '—';
  };
  async function load() {
    more.disabled = true;
    try {
      const page = await get(`/admin/audit?limit=50&after=${after}`);
      if (!ctx.isCurrent()) return;
      for (const a of page.items) {
        body.append(h('tr', null,
          h('td', { 'data-label': '#' }, String(a.id)),
          h('td', { 'data-label': 'When' }, when(a.at)),
          h('td', { 'data-label': 'Who' }, a.actor === null ? 'platform' : `user #${a.actor}`),
          h('td', { 'data-label': 'Action' }, h('code', null, a.action)),
          h('td', { 'data-label': 'Target' }, a.target || '—'),
          h('td', { 'data-label': 'Details', class: 'audit-details' }, details(a.details)),
          h('td', { 'data-label': 'Hash', class: 'audit-hash' }, h('code', { title: a.hash }, a.hash.slice(0, 12)))));
        after = a.id;
        shown++;
      }
      if (!shown) body.append(h('tr', null, h('td', { colspan: '7' }, 'Nothing recorded yet.')));
      more.hidden = page.next === null;
      status.textContent = `${shown} entr${shown === 1 ? 'y' : 'ies'} shown.`;
    } catch (e) {
      toast(e.message, 'error');
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', load);
  ctx.main.append(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', null, 'Audit log'), h('a', { class: 'btn', href: '/admin/identity' }, 'Identity review'), h('a', { class: 'btn', href: '/admin/users' }, 'Users')),
    h('p', { class: 'lead' }, 'Sensitive actions — exports, rejections, appeals, withdrawals of consent, role changes, payouts — in the order they happened. Entries cannot be changed; run ', h('code', null, 'faircrowd audit verify'), ' to check that none was.'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table stack audit-table' },
      h('caption', { class: 'sr-only' }, 'Audit log entries, oldest first'),
      h('thead', null, h('tr', null, ['#', 'When', 'Who', 'Action', 'Target', 'Details', 'Hash'].map((t) => h('th', { scope: 'col' }, t)))),
      body)),
    status, h('div', { class: 'actions' }, more)));
  await load();
}

export async function payoutsView(ctx) {
  const page = h('section', { class: 'page' });
  ctx.main.append(page);
  const cur = 'USD';
  const result = h('div', { class: 'batch-result', 'aria-live': 'polite' });

  async function draw() {
    const st = await get('/admin/payouts/stats');
    if (!ctx.isCurrent()) return;
    clear(page);
    const part = (k) => st[k] || { count: 0, total: 0 };
    const lat = st.latency || {};
    const batchBtn = h('button', { type: 'button', class: 'btn primary', disabled: !part('requested').count }, `Batch ${part('requested').count} requested payout${part('requested').count === 1 ? '' : 's'}`);
    const bid = h('input', { name: 'batch_id', id: 'batch-id', class: 'input narrow', inputmode: 'numeric', placeholder: 'e.g. 3' });
    const confirmForm = h('form', { class: 'inline-form', novalidate: true }, h('p', { class: 'form-error', role: 'alert', hidden: true }), field('Batch number', bid), h('div', null, h('button', { type: 'submit', class: 'btn' }, 'Mark batch as paid')));
    page.append(
      h('div', { class: 'page-head' }, h('h1', null, 'Payouts'), h('a', { class: 'btn', href: '/admin/users' }, 'Users')),
      h('div', { class: 'stat-grid' },
        statCard('Requested', part('requested'), cur, 'Waiting for a batch'),
        statCard('Batched', part('batched'), cur, 'Sent to the provider, not confirmed'),
        statCard('Paid', part('paid'), cur, 'Confirmed'),
        h('div', { class: 'stat card' }, h('div', { class: 'stat-label' }, 'Request → paid'), h('div', { class: 'stat-value' }, lat.median_seconds === null || lat.median_seconds === undefined ? '—' : duration(lat.median_seconds)), h('div', { class: 'stat-note muted' }, lat.max_seconds ? `median · slowest ${duration(lat.max_seconds)}` : 'median'))),
      h('div', { class: 'grid-2 dash-panels' },
        h('section', { class: 'card panel' }, h('h2', null, '1. Create a batch'), h('p', { class: 'muted' }, 'Collects every requested payout into one file for the payment provider.'), batchBtn, result),
        h('section', { class: 'card panel' }, h('h2', null, '2. Confirm a batch'), h('p', { class: 'muted' }, 'When the provider reports the batch as paid, confirm it: contributors then see their payouts as paid.'), confirmForm)));
    batchBtn.addEventListener('click', async () => {
      batchBtn.disabled = true;
      try {
        const b = await post('/admin/payouts/batch');
        toast(`Batch #${b.batch_id} created.`, 'ok');
        await draw();
        clear(page.querySelector('.batch-result')).append(h('div', { class: 'notice ok' },
          h('p', null, h('strong', null, `Batch #${b.batch_id}`), `: ${b.count} payout${b.count === 1 ? '' : 's'}, ${money(b.total, cur)}, via ${b.provider}.`),
          h('p', null, h('a', { class: 'btn small wrap', href: `/api/v1/admin/payouts/batch/${b.batch_id}/file`, download: `payout-batch-${b.batch_id}.csv` }, `Download batch #${b.batch_id} (CSV, amounts in ${cur})`)),
          h('button', { type: 'button', class: 'btn small', onclick: () => confirmBatch(b.batch_id) }, `Mark #${b.batch_id} as paid`)));
      } catch (e) {
        toast(e.message, 'error');
        batchBtn.disabled = false;
      }
    });
    confirmForm.addEventListener('submit', (e) => {
      e.preventDefault();
      clearFormErrors(confirmForm);
      if (!/^\d+$/.test(bid.value.trim())) return showFormError(confirmForm, { field: 'batch_id', message: 'Enter the batch number.' });
      confirmBatch(bid.value.trim(), confirmForm);
    });
  }

  async function confirmBatch(id, form) {
    try {
      const r = await post(`/admin/payouts/batch/${id}/confirm`);
      toast(`Batch #${r.batch_id} paid: ${r.count} payout${r.count === 1 ? '' : 's'}, ${money(r.total, cur)}.`, 'ok');
      await draw();
    } catch (e) {
      if (form) showFormError(form, e.status === 404 ? { field: 'batch_id', message: `There is no batch #${id}.` } : e);
      else toast(e.message, 'error');
    }
  }

  await draw();
}

function statCard(label, part, cur, note) {
  return h('div', { class: 'stat card' }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value' }, money(part.total || 0, cur)), h('div', { class: 'stat-note muted' }, `${part.count} payout${part.count === 1 ? '' : 's'} · ${note}`));
}
