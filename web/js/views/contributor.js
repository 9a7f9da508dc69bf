// Contributor screens: the project board, a project's page (instructions and
// consent) and "My work" (submissions and earnings).
import { h, money, duration, when, toast } from '../dom.js';
import { get, post } from '../api.js';
import { markdown } from '../markdown.js';

export function hourly(p) {
  return p.hourly_estimate === null || p.hourly_estimate === undefined ? null : money(p.hourly_estimate, p.currency);
}

function payBlock(p) {
  const hr = hourly(p);
  return h('div', { class: 'pay' },
    h('div', { class: 'pay-main' }, h('span', { class: 'pay-amount' }, money(p.reward, p.currency)), h('span', { class: 'pay-unit' }, ' per task')),
    h('div', { class: 'pay-hourly' }, hr ? [h('strong', null, `≈ ${hr}/h`), h('span', { class: 'muted' }, ` measured · median ${duration(p.median_seconds)}`)] : h('span', { class: 'muted' }, 'Hourly pay not measured yet')));
}

export async function boardView(ctx) {
  const page = h('section', { class: 'page' }, h('h1', null, 'Find work'), h('p', { class: 'lead' }, 'Projects you can work on now. Pay per task and the hourly pay measured from other contributors’ active time.'));
  ctx.main.append(page);
  const res = await get('/projects?limit=200');
  const items = res.items.filter((p) => p.status === 'live');
  items.sort((a, b) => (b.hourly_estimate ?? -1) - (a.hourly_estimate ?? -1));
  if (!items.length) {
    page.append(h('div', { class: 'empty card' }, h('p', null, 'No projects are open to you right now.'), h('p', { class: 'muted' }, 'New work appears here as soon as requesters publish it.')));
    return;
  }
  page.append(h('ul', { class: 'board' }, items.map((p) => h('li', { class: 'card project-card' },
    h('h2', { class: 'card-title' }, h('a', { href: `/work/${p.id}` }, p.title)),
    payBlock(p),
    h('dl', { class: 'facts' },
      h('div', null, h('dt', null, 'Tasks left'), h('dd', null, p.tasks_available ?? p.task_count ?? '—')),
      h('div', null, h('dt', null, 'Closes'), h('dd', null, p.closes_at ? when(p.closes_at) : 'Open-ended'))),
    h('a', { class: 'btn primary', href: `/work/${p.id}`, 'aria-label': `Open ${p.title}` }, 'Open')))));
}

export async function projectView(ctx) {
  const id = ctx.params[0];
  const p = await get(`/projects/${id}`);
  const page = h('section', { class: 'page narrow' },
    h('p', { class: 'crumbs' }, h('a', { href: '/work' }, '← All projects')),
    h('h1', null, p.title), payBlock(p));
  ctx.main.append(page);
  if (p.status !== 'live') page.append(h('p', { class: 'notice' }, 'This project is not taking work right now.'));
  const instr = h('div', { class: 'card prose instructions' });
  instr.innerHTML = markdown(p.instructions || '_No instructions._');
  page.append(h('h2', null, 'Instructions'), instr);
  const start = h('a', { class: 'btn primary big', href: `/work/${id}/task` }, 'Start working');
  const actions = h('div', { class: 'actions' }, start);
  if (p.consent_version) {
    let consent = null;
    try {
      consent = await get(`/projects/${id}/consent`);
    } catch (e) {
      if (e.status !== 404) throw e;
    }
    if (consent && !consent.accepted_at) {
      const box = h('div', { class: 'card consent' });
      const text = h('div', { class: 'prose consent-text', tabindex: '0' });
      text.innerHTML = markdown(consent.text);
      const agree = h('button', { type: 'button', class: 'btn primary' }, 'I agree');
      agree.addEventListener('click', async () => {
        agree.disabled = true;
        try {
          await post(`/projects/${id}/consent/accept`, { version: consent.version });
          toast('Thanks — consent recorded.', 'ok');
          box.replaceWith(h('p', { class: 'notice ok' }, `You agreed to consent version ${consent.version}.`));
          start.hidden = false;
          start.focus();
        } catch (e) {
          toast(e.message, 'error');
          agree.disabled = false;
        }
      });
      box.append(h('h2', null, 'Consent'), h('p', { class: 'muted' }, `Version ${consent.version}. You must agree before you start; you can withdraw later.`), text, h('div', { class: 'actions' }, agree, h('a', { class: 'btn', href: '/work' }, 'No thanks')));
      page.append(box);
      start.hidden = true;
    }
  }
  if (ctx.query.get('consent') === 'required') toast('Please read and accept the consent first.', 'info');
  page.append(actions);
}

const STATUS_TEXT = { pending: 'Pending review', accepted: 'Accepted', rejected: 'Rejected', auto_accepted: 'Accepted (auto)' };

export async function myWorkView(ctx) {
  const page = h('section', { class: 'page' }, h('h1', null, 'My work'));
  ctx.main.append(page);
  const [earn, subs] = await Promise.all([get('/me/earnings'), get('/me/submissions?limit=200')]);
  const cur = earn.currency || 'USD';
  page.append(h('div', { class: 'stat-grid' },
    stat('Pending', money(earn.pending, cur), 'Waiting for review'),
    stat('Available', money(earn.available, cur), 'Ready to pay out'),
    stat('Paid', money(earn.paid, cur), 'Sent to you'),
    stat('Your hourly pay', earn.effective_hourly === null || earn.effective_hourly === undefined ? '—' : `${money(earn.effective_hourly, cur)}/h`, 'From your active time')));
  page.append(h('h2', null, 'Submissions'));
  if (!subs.items.length) {
    page.append(h('div', { class: 'empty card' }, h('p', null, 'Nothing submitted yet.'), h('a', { class: 'btn primary', href: '/work' }, 'Find work')));
    return;
  }
  page.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table stack' },
    h('thead', null, h('tr', null, ['Project', 'Submitted', 'Status', 'Pay', 'Reason'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, subs.items.map((s) => h('tr', { class: `sub-${s.status}` },
      h('td', { 'data-label': 'Project' }, s.project_title || `Project ${s.project_id}`),
      h('td', { 'data-label': 'Submitted' }, when(s.created_at)),
      h('td', { 'data-label': 'Status' }, h('span', { class: `badge badge-${s.status}` }, STATUS_TEXT[s.status] || s.status)),
      h('td', { 'data-label': 'Pay' }, s.status === 'rejected' ? h('s', null, money(s.reward, s.currency)) : money(s.reward, s.currency)),
      h('td', { 'data-label': 'Reason', class: 'reason' }, s.reason_code ? [h('code', null, s.reason_code), ' ', s.reason || ''] : s.reason || '—')))))));
}

export function stat(label, value, note) {
  return h('div', { class: 'stat card' }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value' }, value), note ? h('div', { class: 'stat-note muted' }, note) : null);
}
