// A project's team: the owner adds reviewers (or co-owners) by email and
// removes them; reviewers see who is on the team.
import { h, clear, toast, field, showFormError, clearFormErrors } from '../dom.js';
import { get, post, del } from '../api.js';

const ROLE_LABEL = { owner: 'Owner', reviewer: 'Reviewer' };

export async function membersView(ctx) {
  const id = Number(ctx.params[0]);
  const page = h('section', { class: 'page narrow members' });
  ctx.main.append(page);
  page.append(h('p', { class: 'placeholder' }, 'Loading the team…'));
  const project = await get(`/projects/${id}`);
  if (!ctx.isCurrent()) return;
  clear(page);
  const me = ctx.user;
  const list = h('div', { class: 'members-list' });
  page.append(h('p', { class: 'crumbs' }, h('a', { href: `/projects/${id}` }, `← ${project.title}`)), h('h1', null, 'Members'),
    h('p', { class: 'muted' }, 'Reviewers accept and reject submissions and decide appeals. An appeal is always decided by someone other than the reviewer who rejected the work, so a project needs at least two people who review.'),
    list);

  let isOwner = false;
  async function fill() {
    let res;
    try {
      res = await get(`/projects/${id}/members`);
    } catch (e) {
      clear(list).append(h('p', { class: 'form-error' }, e.message));
      return;
    }
    if (!ctx.isCurrent()) return;
    isOwner = (me.roles || []).includes('admin') || res.items.some((m) => m.user_id === me.id && m.role === 'owner');
    clear(list).append(h('div', { class: 'table-wrap' }, h('table', { class: 'table stack compact' },
      h('thead', null, h('tr', null, ['Name', 'Email', 'Role', ''].map((t, i) => h('th', { scope: 'col' }, i === 3 ? h('span', { class: 'sr-only' }, 'Actions') : t)))),
      h('tbody', null, res.items.map((m) => h('tr', { dataset: { member: m.user_id } },
        h('td', { 'data-label': 'Name' }, m.display_name || '—'), h('td', { 'data-label': 'Email' }, m.email),
        h('td', { 'data-label': 'Role' }, ROLE_LABEL[m.role] || m.role, m.creator ? h('span', { class: 'muted small' }, ' (created the project)') : null),
        h('td', { 'data-label': 'Actions' }, isOwner && !m.creator ? h('button', { type: 'button', class: 'btn small danger-outline', onclick: () => remove(m) }, 'Remove', h('span', { class: 'sr-only' }, ` ${m.email}`)) : null)))))));
    if (isOwner && !page.querySelector('.members-add')) page.append(addForm());
  }

  async function remove(m) {
    if (!confirm(`Remove ${m.email} from this project?`)) return;
    try {
      await del(`/projects/${id}/members/${m.user_id}`);
      toast(`${m.email} removed.`, 'ok');
      await fill();
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  function addForm() {
    const email = h('input', { type: 'email', name: 'email', id: 'member-email', required: true, autocomplete: 'off' });
    const role = h('select', { name: 'role', id: 'member-role' }, h('option', { value: 'reviewer' }, 'Reviewer'), h('option', { value: 'owner' }, 'Owner'));
    const form = h('form', { class: 'card members-add', onsubmit: async (e) => {
      e.preventDefault();
      clearFormErrors(form);
      try {
        await post(`/projects/${id}/members`, { email: email.value.trim(), role: role.value });
        toast(`${email.value.trim()} added as ${ROLE_LABEL[role.value].toLowerCase()}.`, 'ok');
        form.reset();
        await fill();
      } catch (err) {
        showFormError(form, err);
      }
    } }, h('h2', null, 'Add a member'), field('Email of their account', email, 'They need an account here first.'), field('Role', role),
    h('p', { class: 'form-error', role: 'alert', hidden: true }), h('button', { type: 'submit', class: 'btn primary' }, 'Add'));
    return form;
  }

  await fill();
}
