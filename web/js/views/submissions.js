// Review at scale: a project's submissions with filters, "accept selected"
// (one request, failures listed per id), reject with a reason per row, and
// a contributor's own figures when the list is filtered to one person.
import { h, add, clear, toast, field, duration } from '../dom.js';
import { get, post } from '../api.js';
import { pct, asWords } from './shared.js';
import { brief, resultText } from './datamanager.js';

export const SUBMISSION_STATUS = { pending: 'Pending', accepted: 'Accepted', auto_accepted: 'Accepted automatically', rejected: 'Rejected' };

/** A reason code as words: "instructions_not_followed" → "Instructions not followed". */
export const reasonLabel = asWords;

export async function submissionsView(ctx) {
  const id = Number(ctx.params[0]);
  const page = h('section', { class: 'page wide-page subs' });
  ctx.main.append(page);
  page.append(h('p', { class: 'placeholder' }, 'Loading the project…'));
  const [project, people] = await Promise.all([get(`/projects/${id}`), get(`/projects/${id}/contributors`).catch(() => ({ items: [] }))]);
  if (!ctx.isCurrent()) return;
  clear(page);
  const reasons = project.reject_reasons && project.reject_reasons.length ? project.reject_reasons : ['wrong_answer', 'instructions_not_followed', 'low_quality', 'spam'];

  page.append(h('div', { class: 'page-head' },
    h('div', null, h('p', { class: 'crumbs' }, h('a', { href: `/projects/${id}` }, `← ${project.title}`)), h('h1', null, 'Submissions')),
    h('div', { class: 'head-actions' }, h('a', { class: 'btn', href: `/projects/${id}/data` }, 'Data manager'), h('a', { class: 'btn', href: `/projects/${id}/review` }, 'Review one by one'), h('a', { class: 'btn', href: `/projects/${id}/bonuses` }, 'Bonuses'))));

  const status = h('select', { name: 'status', id: 'subs-status' }, [['', 'Any status'], ['pending', 'Pending'], ['accepted', 'Accepted'], ['auto_accepted', 'Accepted automatically'], ['rejected', 'Rejected']].map(([v, t]) => h('option', { value: v }, t)));
  const who = h('select', { name: 'contributor', id: 'subs-contributor' }, h('option', { value: '' }, 'Everyone'),
    (people.items || []).map((c) => h('option', { value: String(c.user_id) }, c.display_name || `#${c.user_id}`)));
  status.value = ctx.query.get('status') ?? 'pending';
  who.value = ctx.query.get('contributor') || '';
  const filters = h('form', { class: 'card subs-filters', 'aria-label': 'Filter submissions', onsubmit: (e) => e.preventDefault() }, field('Status', status), field('Contributor', who));
  const person = h('div', { class: 'subs-person', 'aria-live': 'polite' });
  const selected = new Set();
  const count = h('span', { 'aria-live': 'polite' }, 'None selected');
  const acceptBtn = h('button', { type: 'button', class: 'btn primary', id: 'subs-accept', disabled: true, onclick: acceptSelected }, 'Accept selected');
  const report = h('div', { class: 'subs-report', role: 'status' });
  const tbody = h('tbody');
  // select-all sits in the toolbar, not the table head: a stacked table hides its head on phones
  const all = h('input', { type: 'checkbox', id: 'subs-all' });
  const table = h('div', { class: 'table-wrap' }, h('table', { class: 'table stack compact subs-table' },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Select')), ['ID', 'Contributor', 'Task', 'Answer', 'Time', 'Gold', 'Status', 'Decision'].map((t) => h('th', { scope: 'col' }, t)))), tbody));
  const moreBtn = h('button', { type: 'button', class: 'btn', hidden: true, onclick: () => load(false) }, 'Show more');
  page.append(filters, person, h('div', { class: 'dm-bulk', role: 'toolbar', 'aria-label': 'Selected submissions' }, h('label', { class: 'check', for: 'subs-all' }, all, 'Select all pending'), count, acceptBtn), report, table, moreBtn);

  let items = [];
  let next = null;
  const sync = () => {
    count.textContent = selected.size ? `${selected.size} selected` : 'None selected';
    acceptBtn.disabled = !selected.size;
  };
  all.addEventListener('change', () => {
    for (const s of items) if (s.status === 'pending') all.checked ? selected.add(s.id) : selected.delete(s.id);
    tbody.querySelectorAll('input[type=checkbox]').forEach((b) => { if (!b.disabled) b.checked = all.checked; });
    sync();
  });

  function rejectForm(s, cellBox) {
    const code = h('select', { name: 'reason_code', id: `rc-${s.id}` }, reasons.map((r) => h('option', { value: r }, reasonLabel(r))));
    const msg = h('textarea', { name: 'message', id: `rm-${s.id}`, rows: 2, maxlength: 2000, required: true });
    const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const form = h('form', { class: 'subs-reject', onsubmit: async (e) => {
      e.preventDefault();
      err.hidden = true;
      const res = await post(`/projects/${id}/submissions/reject`, { items: [{ id: s.id, reason_code: code.value, message: msg.value }] }).catch((x) => ({ failed: [{ message: x.message }] }));
      if (res.rejected) {
        s.status = 'rejected';
        s.reason_code = code.value;
        toast(`Submission ${s.id} rejected.`, 'ok');
        redraw();
      } else {
        err.textContent = res.failed[0].message;
        err.hidden = false;
        msg.focus();
      }
    } }, field('Reason', code), field('Message to the contributor', msg), err,
    h('div', { class: 'row-actions' }, h('button', { type: 'submit', class: 'btn small danger' }, 'Reject'), h('button', { type: 'button', class: 'btn small ghost', onclick: redraw }, 'Cancel')));
    clear(cellBox).append(form);
    code.focus();
  }

  function row(s) {
    const box = h('input', { type: 'checkbox', 'aria-label': `Select submission ${s.id}`, disabled: s.status !== 'pending', checked: selected.has(s.id) });
    box.addEventListener('change', () => {
      box.checked ? selected.add(s.id) : selected.delete(s.id);
      sync();
    });
    const decision = h('td', { 'data-label': 'Decision' });
    if (s.status === 'pending') decision.append(h('button', { type: 'button', class: 'btn small danger-outline', onclick: () => rejectForm(s, decision) }, 'Reject…', h('span', { class: 'sr-only' }, ` submission ${s.id}`)));
    else if (s.reason_code) decision.append(reasonLabel(s.reason_code));
    else decision.append('—');
    const data = s.task && s.task.data ? Object.values(s.task.data)[0] : null;
    return h('tr', { dataset: { submission: s.id } },
      h('td', { 'data-label': 'Select' }, box), h('td', { 'data-label': 'ID', class: 'num' }, String(s.id)),
      h('td', { 'data-label': 'Contributor' }, s.user || `#${s.user_id}`),
      h('td', { 'data-label': 'Task' }, `#${s.task_id} `, h('span', { class: 'muted small' }, brief(data, 40))),
      h('td', { 'data-label': 'Answer' }, resultText(s.result)),
      h('td', { 'data-label': 'Time', class: 'num' }, duration(s.active_seconds)),
      h('td', { 'data-label': 'Gold' }, s.gold_correct === null || s.gold_correct === undefined ? '—' : s.gold_correct ? 'Right' : 'Wrong'),
      h('td', { 'data-label': 'Status' }, h('span', { class: `badge badge-${s.status}` }, SUBMISSION_STATUS[s.status] || s.status)),
      decision);
  }

  function redraw() {
    clear(tbody).append(...(items.length ? items.map(row) : [h('tr', null, h('td', { colspan: 9, class: 'muted' }, 'No submission matches these filters.'))]));
    moreBtn.hidden = !next;
  }

  async function showPerson() {
    clear(person);
    if (!who.value) return;
    const fresh = await get(`/projects/${id}/contributors`).catch(() => people);
    if (!ctx.isCurrent()) return;
    const c = (fresh.items || []).find((x) => String(x.user_id) === who.value);
    if (!c) return;
    person.append(h('section', { class: 'card panel' }, h('h2', null, c.display_name || `Contributor #${c.user_id}`),
      h('dl', { class: 'stats-row' },
        h('div', null, h('dt', null, 'Answers'), h('dd', null, String(c.submissions))),
        h('div', null, h('dt', null, 'Gold score'), h('dd', null, c.gold_answered ? `${pct(c.gold_accuracy)} (${c.gold_correct}/${c.gold_answered})` : 'No gold answered')),
        h('div', null, h('dt', null, 'Agreement'), h('dd', null, c.agreement === null || c.agreement === undefined ? '—' : pct(c.agreement))),
        h('div', null, h('dt', null, 'Median time'), h('dd', null, duration(c.median_active_seconds))),
        h('div', null, h('dt', null, 'Rejected'), h('dd', null, `${c.rejected} (${pct(c.rejection_rate)})`))),
      h('p', null, h('a', { class: 'btn small', href: `/projects/${id}/bonuses?user=${c.user_id}` }, 'Give a bonus', h('span', { class: 'sr-only' }, ` to ${c.display_name || `contributor ${c.user_id}`}`)))));
  }

  async function load(fresh) {
    const q = new URLSearchParams({ limit: '100' });
    if (status.value) q.set('status', status.value);
    if (who.value) q.set('contributor', who.value);
    if (!fresh && next) q.set('after', next);
    if (fresh) {
      clear(tbody).append(h('tr', null, h('td', { colspan: 9, class: 'placeholder' }, 'Loading…')));
      history.replaceState(null, '', `/projects/${id}/submissions?${new URLSearchParams([...q].filter(([k]) => k !== 'limit'))}`);
    }
    try {
      const res = await get(`/projects/${id}/submissions?${q}`);
      if (!ctx.isCurrent()) return;
      items = fresh ? res.items : items.concat(res.items);
      next = res.next;
    } catch (e) {
      clear(tbody).append(h('tr', null, h('td', { colspan: 9, class: 'form-error' }, e.message)));
      return;
    }
    if (fresh) {
      selected.clear();
      all.checked = false;
      sync();
    }
    redraw();
  }

  async function acceptSelected() {
    const ids = [...selected];
    acceptBtn.disabled = true;
    try {
      const res = await post(`/projects/${id}/submissions/accept`, { ids });
      add(clear(report), h('p', null, `Accepted ${res.accepted}${res.unchanged ? `, ${res.unchanged} already accepted` : ''}.`),
        res.failed.length ? h('ul', { class: 'dm-failed' }, res.failed.map((x) => h('li', null, `Submission ${x.id}: ${x.message}`))) : null);
      await load(true);
    } catch (e) {
      clear(report).append(h('p', { class: 'form-error' }, e.message));
      acceptBtn.disabled = false;
    }
  }

  status.addEventListener('change', () => load(true));
  who.addEventListener('change', () => { showPerson(); load(true); });
  showPerson();
  await load(true);
}
