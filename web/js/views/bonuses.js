// The bonus screen (loaded on first visit): the owner pays a contributor
// extra from the project's escrow, with a reason they will read. One
// Idempotency-Key per filled-in form, so a double click or a retry pays
// once; amounts are read by parseMoney for the browser's locale.
import { h, clear, field, money, parseMoney, randomId, toast, showFormError, clearFormErrors } from '../dom.js';
import { get, api } from '../api.js';

export async function bonusesView(ctx) {
  const id = Number(ctx.params[0]);
  const page = h('section', { class: 'page narrow bonuses' });
  ctx.main.append(page);
  page.append(h('p', { class: 'placeholder', 'aria-busy': 'true' }, 'Loading bonuses…'));
  const [project, people, funds] = await Promise.all([get(`/projects/${id}`), get(`/projects/${id}/contributors`).catch(() => ({ items: [] })), get(`/projects/${id}/money`).catch(() => null)]);
  if (!ctx.isCurrent()) return;
  clear(page);
  const cur = project.currency || 'USD';
  const balance = h('p', { class: 'muted', 'aria-live': 'polite' });
  const showBalance = (m) => { balance.textContent = m && m.escrow_balance !== undefined ? `In escrow: ${money(m.escrow_balance, cur)}. A bonus comes out of it at once.` : ''; };
  showBalance(funds);
  const list = h('div', { class: 'bonus-list' });
  page.append(h('p', { class: 'crumbs' }, h('a', { href: `/projects/${id}` }, `← ${project.title}`)), h('h1', null, 'Bonuses'),
    h('p', { class: 'muted' }, 'Pay extra for careful or difficult work. The contributor sees the amount and your reason with their earnings; a bonus cannot be taken back.'),
    balance);

  const who = h('select', { name: 'user_id', id: 'bonus-user', class: 'input', required: true },
    h('option', { value: '' }, people.items.length ? 'Choose a contributor' : 'Nobody has submitted work yet'),
    people.items.map((c) => h('option', { value: String(c.user_id) }, `${c.display_name || `Contributor #${c.user_id}`} · ${c.submissions} submission${c.submissions === 1 ? '' : 's'}`)));
  who.value = ctx.query.get('user') || '';
  const amount = h('input', { name: 'amount', id: 'bonus-amount', class: 'input', inputmode: 'decimal', autocomplete: 'off', placeholder: '1.50' });
  const reason = h('textarea', { name: 'reason', id: 'bonus-reason', rows: 3, maxlength: 1000 });
  const btn = h('button', { type: 'submit', class: 'btn primary' }, 'Pay the bonus');
  let key = `bonus-${id}-${randomId(12)}`;
  const form = h('form', { class: 'card panel bonus-form', novalidate: true, 'aria-label': 'Give a bonus', dataset: { guard: '' } },
    h('h2', null, 'Give a bonus'), h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Contributor', who), field(`Amount (${cur})`, amount, 'For example 1.50 or 1,50.'), field('Reason the contributor reads', reason),
    h('div', { class: 'form-actions' }, btn));
  // a changed field starts a new bonus (a new key) and drops its stale error
  for (const el of [who, amount, reason]) el.addEventListener('input', () => { key = `bonus-${id}-${randomId(12)}`; clearFormErrors(form); });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    if (!who.value) return showFormError(form, { field: 'user_id', message: 'Choose who gets the bonus.' });
    const m = parseMoney(amount.value, cur);
    if (m.error) return showFormError(form, { field: 'amount', message: m.error });
    if (m.minor <= 0) return showFormError(form, { field: 'amount', message: 'A bonus is more than zero.' });
    if (!reason.value.trim()) return showFormError(form, { field: 'reason', message: 'Say why: the contributor reads it.' });
    btn.disabled = true;
    try {
      const b = await api('POST', `/projects/${id}/bonuses`, { body: { user_id: Number(who.value), amount: m.minor, reason: reason.value.trim() }, idempotencyKey: key, retries: 2 });
      toast(`Paid ${money(b.amount, b.currency)}.`, 'ok');
      amount.value = '';
      reason.value = '';
      delete form.dataset.dirty;
      key = `bonus-${id}-${randomId(12)}`;
      showBalance(await get(`/projects/${id}/money`).catch(() => null));
      await fill();
    } catch (x) {
      showFormError(form, x);
    } finally {
      btn.disabled = false;
    }
  });
  page.append(form, h('h2', { class: 'section-gap' }, 'Paid so far'), list);

  async function fill() {
    let res;
    try {
      res = await get(`/projects/${id}/bonuses?limit=200`);
    } catch (e) {
      clear(list).append(h('p', { class: 'form-error' }, e.message));
      return;
    }
    if (!ctx.isCurrent()) return;
    if (!res.items.length) {
      clear(list).append(h('p', { class: 'muted' }, 'No bonuses yet.'));
      return;
    }
    const kind = { manual: 'Bonus', pay_floor: 'Pay floor top-up' };
    clear(list).append(h('div', { class: 'table-wrap' }, h('table', { class: 'table stack compact' },
      h('thead', null, h('tr', null, ['When', 'Contributor', 'Amount', 'Kind', 'Reason'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, res.items.slice().reverse().map((b) => h('tr', null,
        h('td', { 'data-label': 'When' }, new Date(b.created_at).toLocaleString()),
        h('td', { 'data-label': 'Contributor' }, b.user || `#${b.user_id}`),
        h('td', { 'data-label': 'Amount' }, money(b.amount, b.currency)),
        h('td', { 'data-label': 'Kind' }, kind[b.kind] || b.kind),
        h('td', { 'data-label': 'Reason', class: 'wrap' }, b.reason)))))));
  }
  await fill();
}
