// Admin: minimum wages per country (with their source and date) and the
// exchange rates that compare them with a project's currency. A
// contributor's pay floor is the higher of the platform's and their
// country's minimum wage (money/wages.h).
import { h, field, money, toast, showFormError, clearFormErrors } from '../dom.js';
import { get, put } from '../api.js';

export async function wagesView(ctx) {
  const data = await get('/minimum-wages');
  const rows = h('tbody');
  let n = 0;

  function row(cc = '', w = {}) {
    const i = n++;
    const input = (name, value, attrs = {}) => h('input', { name: `${name}-${i}`, id: `wg-${name}-${i}`, class: 'input', value: value ?? '', autocomplete: 'off', ...attrs });
    const country = input('country', cc, { maxlength: '2', autocapitalize: 'characters', 'aria-label': 'Country (two letters)', class: 'input narrow' });
    const hourly = input('hourly', w.hourly !== undefined ? (w.hourly / 100).toFixed(2) : '', { inputmode: 'decimal', 'aria-label': 'Per hour', class: 'input narrow' });
    const currency = input('currency', w.currency, { maxlength: '3', autocapitalize: 'characters', 'aria-label': 'Currency', class: 'input narrow' });
    const source = input('source', w.source, { 'aria-label': 'Source' });
    const asOf = input('as_of', w.as_of, { 'aria-label': 'In effect since', placeholder: 'YYYY-MM-DD' });
    const remove = h('button', { type: 'button', class: 'btn small', 'aria-label': `Remove row ${i + 1}` }, 'Remove');
    const tr = h('tr', { class: 'wage-row' }, [country, hourly, currency, source, asOf].map((el, k) => h('td', { 'data-label': ['Country', 'Per hour', 'Currency', 'Source', 'In effect since'][k] }, el)), h('td', null, remove));
    remove.addEventListener('click', () => tr.remove());
    return tr;
  }

  for (const [cc, w] of Object.entries(data.minimum_wages)) rows.append(row(cc, w));
  if (!rows.children.length) rows.append(row());
  const add = h('button', { type: 'button', class: 'btn' }, 'Add a country');
  add.addEventListener('click', () => {
    const tr = row();
    rows.append(tr);
    tr.querySelector('input').focus();
  });
  const wageForm = h('form', { class: 'card wages-form', novalidate: true, 'aria-labelledby': 'wg-h' },
    h('h2', { id: 'wg-h' }, 'Minimum wages'),
    h('p', { class: 'hint' }, 'Per hour, in the currency the law states it in. A contributor whose profile names one of these countries is paid at least this for their measured time, converted into each project’s currency; the platform floor applies to everyone else.'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table stack compact' },
      h('thead', null, h('tr', null, ['Country', 'Per hour', 'Currency', 'Source', 'In effect since', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, 'Actions'))))), rows)),
    h('div', { class: 'actions' }, add, h('button', { type: 'submit', class: 'btn primary' }, 'Save minimum wages')));
  wageForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(wageForm);
    const body = {};
    for (const tr of rows.querySelectorAll('.wage-row')) {
      const [cc, hr, cur, src, asOf] = [...tr.querySelectorAll('input')].map((i) => i.value.trim());
      if (!cc && !hr && !cur) continue;
      const amount = hr.replace(',', '.');
      if (!/^\d+(\.\d{1,2})?$/.test(amount)) return showFormError(wageForm, { message: `${cc || 'A row'}: write the hourly amount like 12.82.` });
      body[cc.toUpperCase()] = { hourly: Math.round(parseFloat(amount) * 100), currency: cur.toUpperCase(), source: src, as_of: asOf };
    }
    try {
      await put('/admin/minimum-wages', body);
      toast('Minimum wages saved.', 'ok');
    } catch (err) {
      showFormError(wageForm, err);
    }
  });

  const rates = h('textarea', { name: 'rates', id: 'wg-rates', class: 'input', rows: '4', spellcheck: 'false', value: Object.entries(data.exchange_rates).map(([c, r]) => `${c} ${r}`).join('\n') });
  const rateForm = h('form', { class: 'card rates-form', novalidate: true, 'aria-labelledby': 'rt-h' },
    h('h2', { id: 'rt-h' }, 'Exchange rates'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('How much of each currency one US dollar buys', rates, 'One per line, like “EUR 0.92”. A wage in a currency without a rate is not applied. Delete a line to remove its rate.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, 'Save rates')));
  rateForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(rateForm);
    const body = {};
    for (const line of rates.value.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const m = /^([A-Za-z]{3})\s*[:=]?\s*([0-9]+(?:[.,][0-9]+)?)$/.exec(line);
      if (!m) return showFormError(rateForm, { field: 'rates', message: `Cannot read “${line}”; write it like EUR 0.92.` });
      body[m[1].toUpperCase()] = parseFloat(m[2].replace(',', '.'));
    }
    for (const c of Object.keys(data.exchange_rates)) if (!(c in body)) body[c] = null;
    try {
      const out = await put('/admin/exchange-rates', body);
      data.exchange_rates = out.exchange_rates;
      toast('Exchange rates saved.', 'ok');
    } catch (err) {
      showFormError(rateForm, err);
    }
  });

  ctx.main.append(h('section', { class: 'page' }, h('h1', null, 'Fair pay where people live'), wageForm, rateForm,
    h('p', { class: 'muted' }, 'Example: with “DE 12.82 EUR” and “EUR 0.92”, a contributor in Germany working on a USD project is paid at least ', money(Math.ceil((1282 / 0.92))), ' per measured hour.')));
}
