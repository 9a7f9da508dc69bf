// The admin's searchable user list: text and role filters, roles shown as
// words, disable/enable, and a password reset whose new password is shown
// once, to hand over.
import { h, clear, toast, field } from '../dom.js';
import { get, post, patch } from '../api.js';

const ROLE_LABEL = { admin: 'Admin', requester: 'Requester', contributor: 'Contributor' };

export function userListPanel(me) {
  const q = h('input', { type: 'search', name: 'q', id: 'users-q', placeholder: 'email or name', maxlength: '200' });
  const role = h('select', { name: 'role', id: 'users-role' }, h('option', { value: '' }, 'Any role'),
    Object.entries(ROLE_LABEL).map(([v, t]) => h('option', { value: v }, t)));
  const body = h('tbody');
  const note = h('div', { class: 'users-note', role: 'status' });
  const more = h('button', { type: 'button', class: 'btn', hidden: true, onclick: () => load(false) }, 'Show more');
  const box = h('section', { class: 'card panel users-panel' }, h('h2', null, 'All users'),
    h('form', { class: 'dm-filters', role: 'search', 'aria-label': 'Find users', onsubmit: (e) => { e.preventDefault(); load(true); } },
      field('Search', q), field('Role', role), h('div', { class: 'dm-filter-actions' }, h('button', { type: 'submit', class: 'btn primary' }, 'Search'))),
    note,
    h('div', { class: 'table-wrap' }, h('table', { class: 'table stack compact users-table' },
      h('thead', null, h('tr', null, ['Id', 'Email', 'Name', 'Roles', 'Status', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))), body)),
    more);
  role.addEventListener('change', () => load(true));
  let next = null;
  let seq = 0;

  function row(u) {
    const self = me && me.id === u.id;
    const toggle = h('button', { type: 'button', class: `btn small ${u.disabled ? '' : 'danger-outline'}`, disabled: self, onclick: () => setDisabled(u, !u.disabled) },
      u.disabled ? 'Enable' : 'Disable', h('span', { class: 'sr-only' }, ` ${u.email}`));
    const reset = h('button', { type: 'button', class: 'btn small', onclick: () => resetPassword(u) }, 'Reset password', h('span', { class: 'sr-only' }, ` of ${u.email}`));
    return h('tr', { dataset: { user: u.id } },
      h('td', { 'data-label': 'Id', class: 'num' }, String(u.id)), h('td', { 'data-label': 'Email' }, u.email),
      h('td', { 'data-label': 'Name' }, u.display_name || '—'),
      h('td', { 'data-label': 'Roles' }, (u.roles || []).map((r) => h('span', { class: 'badge' }, ROLE_LABEL[r] || r))),
      h('td', { 'data-label': 'Status' }, u.disabled ? h('span', { class: 'badge badge-rejected' }, 'Disabled') : 'Active'),
      h('td', { 'data-label': 'Actions', class: 'row-actions' }, toggle, ' ', reset));
  }

  async function load(fresh) {
    const mine = ++seq;
    const params = new URLSearchParams({ limit: '50' });
    if (q.value.trim()) params.set('q', q.value.trim());
    if (role.value) params.set('role', role.value);
    if (!fresh && next) params.set('after', next);
    if (fresh) clear(body).append(h('tr', null, h('td', { colspan: 6, class: 'placeholder' }, 'Loading users…')));
    try {
      const res = await get(`/users?${params}`);
      if (mine !== seq) return;
      if (fresh) clear(body);
      body.append(...res.items.map(row));
      if (!body.childElementCount) body.append(h('tr', null, h('td', { colspan: 6, class: 'muted' }, 'Nobody matches.')));
      next = res.next;
      more.hidden = !next;
    } catch (e) {
      clear(body).append(h('tr', null, h('td', { colspan: 6, class: 'form-error' }, e.message)));
    }
  }

  async function setDisabled(u, disabled) {
    if (disabled && !confirm(`Disable ${u.email}? They are signed out at once and cannot sign in.`)) return;
    try {
      await patch(`/users/${u.id}`, { disabled });
      toast(`${u.email} ${disabled ? 'disabled' : 'enabled'}.`, 'ok');
      await load(true);
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  async function resetPassword(u) {
    if (!confirm(`Give ${u.email} a new password? Their current one stops working and they are signed out.`)) return;
    try {
      const r = await post(`/users/${u.id}/password-reset`);
      clear(note).append(h('div', { class: 'notice ok' }, h('p', null, `New password for ${u.email} (shown only now; hand it over safely, they can change it in their profile):`),
        h('p', null, h('code', { class: 'new-password' }, r.password))));
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  load(true);
  return box;
}
