// A requester's webhooks panel on the project dashboard: the webhooks with
// their delivery counts, a form to add one (URL, actions, a secret that is
// shown only while it is typed or generated), each webhook's latest
// deliveries, Send test (a signed PING through the same outbox) and Delete.
import { h, clear, when, toast, showFormError, clearFormErrors } from '../dom.js';
import { get, post, api } from '../api.js';

/** The actions a webhook can ask for, in the order the API lists them. */
const ACTIONS = [
  ['TASKS_CREATED', 'Tasks created', 'Tasks were imported into the project.'],
  ['ANNOTATION_CREATED', 'Annotation submitted', 'A contributor submitted an answer to a task.'],
  ['SUBMISSION_ACCEPTED', 'Submission accepted', 'A submission was accepted, by you or automatically.'],
  ['SUBMISSION_REJECTED', 'Submission rejected', 'You rejected a submission.'],
  ['PROJECT_PUBLISHED', 'Project published', 'The project went live or was resumed.'],
  ['EXPORT_DONE', 'Export ready', 'An export of the results finished.'],
];
const ACTION_NAME = Object.fromEntries(ACTIONS.map(([code, name]) => [code, name]));
const STATE_BADGE = { delivered: 'badge-accepted', pending: 'badge-pending', failed: 'badge-rejected' };

/** 32 random bytes as 64 hex digits, from the browser's CSPRNG. */
function newSecret() {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function timeEl(rfc3339) {
  return rfc3339 ? h('time', { datetime: rfc3339 }, when(rfc3339)) : '—';
}

/** The panel (a section); it loads its list itself. */
export function webhooksPanel(project) {
  const id = project.id;
  const status = h('p', { class: 'muted small webhooks-status', role: 'status', 'aria-live': 'polite' });
  const list = h('div', { class: 'webhooks-list' });
  const deliveries = h('div', { class: 'webhooks-deliveries', id: 'webhook-deliveries', hidden: true });
  let shown = null; // the webhook whose deliveries are open
  const box = h('section', { class: 'card panel webhooks-panel', 'aria-labelledby': 'webhooks-title' },
    h('h2', { id: 'webhooks-title', tabindex: '-1' }, 'Webhooks'),
    h('p', { class: 'muted' }, 'Faircrowd sends a POST with a JSON body to your URL when one of the chosen actions happens in this project. A delivery that fails is retried for 24 hours.'),
    status, list, deliveries, addForm());

  async function load() {
    let res;
    try {
      res = await get(`/projects/${id}/webhooks`);
    } catch (e) {
      clear(list).append(h('p', { class: 'form-error' }, e.message));
      return;
    }
    const items = res.items || [];
    clear(list);
    if (!items.length) {
      list.append(h('p', { class: 'muted webhooks-empty' }, 'No webhooks yet. Add one below.'));
      return;
    }
    list.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table stack compact webhooks' },
      h('caption', { class: 'sr-only' }, 'Webhooks of this project'),
      h('thead', null, h('tr', null, ['URL', 'Actions', 'Delivered', 'Pending', 'Failed', 'Manage'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, items.map(row)))));
  }

  function row(w) {
    const open = h('button', { type: 'button', class: 'btn small', 'aria-expanded': String(shown === w.id), 'aria-controls': 'webhook-deliveries', 'aria-label': `Deliveries to ${w.url}`, dataset: { deliveries: w.id } }, 'Deliveries');
    open.addEventListener('click', () => (shown === w.id ? hideDeliveries() : showDeliveries(w)));
    const ping = h('button', { type: 'button', class: 'btn small', dataset: { testWebhook: w.id }, 'aria-label': `Send test event to ${w.url}` }, 'Send test');
    ping.addEventListener('click', () => sendTest(w, ping));
    const del = h('button', { type: 'button', class: 'btn small danger-outline', dataset: { deleteWebhook: w.id }, 'aria-label': `Delete the webhook to ${w.url}` }, 'Delete');
    del.addEventListener('click', () => remove(w, del));
    return h('tr', { dataset: { webhook: w.id } },
      h('td', { 'data-label': 'URL', class: 'webhook-url' }, w.url),
      h('td', { 'data-label': 'Actions' }, (w.events || []).map((e) => ACTION_NAME[e] || e).join(', ')),
      h('td', { 'data-label': 'Delivered', class: 'num' }, String(w.delivered ?? 0)),
      h('td', { 'data-label': 'Pending', class: 'num' }, String(w.pending ?? 0)),
      h('td', { 'data-label': 'Failed', class: 'num' }, String(w.failed ?? 0)),
      h('td', { 'data-label': 'Manage', class: 'row-actions' }, h('span', { class: 'webhook-buttons' }, ping, open, del)));
  }

  /** A signed PING through the outbox; its outcome shows in the delivery log and the status line. */
  async function sendTest(w, btn) {
    btn.disabled = true;
    status.textContent = `Sending a test event to ${w.url}…`;
    try {
      const sent = await post(`/projects/${id}/webhooks/${w.id}/test`);
      const fill = await showDeliveries(w);
      let d = null;
      for (let i = 0; i < 40 && shown === w.id; i++) { // the outbox sends within a second or two
        const res = await get(`/projects/${id}/webhooks/${w.id}/deliveries`);
        d = (res.items || []).find((x) => x.id === sent.id);
        if (d && (d.state !== 'pending' || d.attempts > 0)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      await fill();
      await load();
      status.textContent = !d || (d.state === 'pending' && !d.attempts) ? `The test event to ${w.url} is queued; press Refresh to see its result.`
        : d.state === 'delivered' ? `Test event delivered to ${w.url}: HTTP ${d.last_status}.`
          : `The test event to ${w.url} failed: ${d.last_error || `HTTP ${d.last_status}`}. It is retried like any delivery.`;
    } catch (e) {
      status.textContent = e.message;
      toast(e.message, 'error');
    } finally {
      btn.disabled = false;
      list.querySelector(`[data-test-webhook="${w.id}"]`)?.focus();
    }
  }

  async function remove(w, btn) {
    if (!confirm(`Delete the webhook to ${w.url}? Deliveries not yet made are given up.`)) return;
    btn.disabled = true;
    try {
      await api('DELETE', `/projects/${id}/webhooks/${w.id}`);
      if (shown === w.id) hideDeliveries();
      toast('Webhook deleted.', 'ok');
      status.textContent = `Deleted the webhook to ${w.url}.`;
      await load();
      box.querySelector('#webhooks-title').focus();
    } catch (e) {
      btn.disabled = false;
      toast(e.message, 'error');
    }
  }

  function hideDeliveries() {
    shown = null;
    deliveries.hidden = true;
    clear(deliveries);
    list.querySelectorAll('[data-deliveries]').forEach((b) => b.setAttribute('aria-expanded', 'false'));
  }

  async function showDeliveries(w) {
    shown = w.id;
    list.querySelectorAll('[data-deliveries]').forEach((b) => b.setAttribute('aria-expanded', String(b.dataset.deliveries === String(w.id))));
    const refresh = h('button', { type: 'button', class: 'btn small webhook-refresh' }, 'Refresh');
    const body = h('div', { class: 'deliveries-body' }, h('p', { class: 'muted' }, 'Loading deliveries…'));
    clear(deliveries).append(h('div', { class: 'label-row deliveries-head' },
      h('h3', null, 'Latest deliveries to ', h('span', { class: 'webhook-url' }, w.url)), refresh), body);
    deliveries.hidden = false;
    const fill = async () => {
      refresh.disabled = true;
      deliveries.setAttribute('aria-busy', 'true');
      try {
        const res = await get(`/projects/${id}/webhooks/${w.id}/deliveries`);
        if (shown !== w.id) return;
        clear(body).append(deliveriesTable(res.items || []));
        status.textContent = `Deliveries refreshed at ${new Date().toLocaleTimeString()}.`;
      } catch (e) {
        clear(body).append(h('p', { class: 'form-error' }, e.message));
      } finally {
        refresh.disabled = false;
        deliveries.removeAttribute('aria-busy');
      }
    };
    refresh.addEventListener('click', async () => {
      await fill();
      await load(); // the counts move with the deliveries
      refresh.focus();
    });
    await fill();
    return fill;
  }

  function addForm() {
    const saved = h('p', { class: 'muted small', role: 'status', 'aria-live': 'polite' });
    const url = h('input', { type: 'url', name: 'url', id: 'webhook-url', class: 'input', inputmode: 'url', autocomplete: 'off', spellcheck: 'false', placeholder: 'https://example.com/hooks/faircrowd', 'aria-describedby': 'webhook-url-hint', dataset: { hint: 'webhook-url-hint' } });
    const secret = h('input', { type: 'text', name: 'secret', id: 'webhook-secret', class: 'input code', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'webhook-secret-hint', dataset: { hint: 'webhook-secret-hint' } });
    const generate = h('button', { type: 'button', class: 'btn' }, 'Generate');
    generate.addEventListener('click', () => {
      secret.value = newSecret();
      secret.focus();
      secret.select();
      saved.textContent = 'A new secret is in the field: copy it now.';
    });
    const copy = h('button', { type: 'button', class: 'btn' }, 'Copy');
    copy.addEventListener('click', async () => {
      if (!secret.value) return secret.focus();
      try {
        await navigator.clipboard.writeText(secret.value);
        saved.textContent = 'Secret copied.';
      } catch {
        secret.focus();
        secret.select();
        saved.textContent = 'Press Ctrl+C (⌘C) to copy the selected secret.';
      }
    });
    const events = h('fieldset', { class: 'field webhook-events' },
      h('legend', null, 'Actions to send'),
      ACTIONS.map(([code, name, what]) => h('label', { class: 'event-option' },
        h('input', { type: 'checkbox', name: 'events', value: code, id: `webhook-ev-${code}` }),
        h('span', null, h('strong', null, name), ' ', h('code', null, code), h('span', { class: 'hint' }, what)))));
    const form = h('form', { class: 'stack-form webhook-form', novalidate: true, 'aria-labelledby': 'webhook-add-title' },
      h('h3', { id: 'webhook-add-title' }, 'Add a webhook'),
      h('p', { class: 'form-error', role: 'alert', hidden: true }),
      h('div', { class: 'field' }, h('label', { for: url.id }, 'Payload URL'), url, h('p', { class: 'hint', id: 'webhook-url-hint' }, 'An http:// or https:// address that answers 2xx.')),
      events,
      h('div', { class: 'field' }, h('label', { for: secret.id }, 'Secret'),
        h('div', { class: 'secret-row' }, secret, generate, copy),
        h('p', { class: 'hint', id: 'webhook-secret-hint' },
          'It is shown only now — copy it before you save: faircrowd never shows it again. ',
          'Each request carries an X-Faircrowd-Signature header, “sha256=” and the hex HMAC-SHA256 of the raw body keyed with this secret, so your receiver can check it came from here.')),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, 'Add webhook')),
      saved);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFormErrors(form);
      keepHints(form);
      saved.textContent = '';
      const chosen = [...form.querySelectorAll('input[name=events]:checked')].map((c) => c.value);
      const body = { url: url.value.trim(), events: chosen, secret: secret.value };
      const fail = (err) => {
        showFormError(form, err);
        keepHints(form);
      };
      if (!body.url) return fail({ field: 'url', message: 'Enter the address to send the events to.' });
      if (!chosen.length) return fail({ field: 'events', message: 'Choose at least one action.' });
      if (!body.secret) return fail({ field: 'secret', message: 'Enter a secret or press Generate.' });
      const submit = form.querySelector('button[type=submit]');
      submit.disabled = true;
      try {
        const w = await post(`/projects/${id}/webhooks`, body);
        form.reset();
        toast('Webhook added.', 'ok');
        saved.textContent = `Added the webhook to ${w.url}. Its secret is no longer shown.`;
        await load();
      } catch (err) {
        fail(err);
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  load();
  return box;
}

/** showFormError and clearFormErrors set aria-describedby to the error
 * alone: each input with data-hint gets its hint back beside the error. */
function keepHints(form) {
  for (const input of form.querySelectorAll('[data-hint]')) {
    const ids = new Set((input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean));
    ids.add(input.dataset.hint);
    input.setAttribute('aria-describedby', [...ids].join(' '));
  }
}

function deliveriesTable(items) {
  if (!items.length) return h('p', { class: 'muted deliveries-empty' }, 'Nothing sent yet: a delivery appears here when one of the chosen actions happens.');
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table stack compact deliveries' },
    h('caption', { class: 'sr-only' }, 'Latest deliveries, newest first'),
    h('thead', null, h('tr', null, ['Action', 'State', 'Attempts', 'Last status or error', 'Time'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, items.map((d) => h('tr', { dataset: { delivery: d.id, state: d.state } },
      h('td', { 'data-label': 'Action' }, h('code', null, d.action)),
      h('td', { 'data-label': 'State' }, h('span', { class: `badge ${STATE_BADGE[d.state] || ''}` }, d.state)),
      h('td', { 'data-label': 'Attempts', class: 'num' }, String(d.attempts)),
      h('td', { 'data-label': 'Last status or error', class: 'delivery-result' }, resultText(d)),
      h('td', { 'data-label': 'Time', class: 'num' }, h('span', null, timeEl(d.created_at),
        d.state === 'delivered' && d.delivered_at ? h('span', { class: 'muted small' }, ' · delivered ', timeEl(d.delivered_at)) : null,
        d.state === 'pending' && d.next_at ? h('span', { class: 'muted small' }, ' · next try ', timeEl(d.next_at)) : null)))))));
}

function resultText(d) {
  const code = d.last_status ? `HTTP ${d.last_status}` : null;
  if (!d.last_error) return code || '—';
  return h('span', null, code ? `${code}: ` : '', h('span', { class: 'delivery-error' }, d.last_error));
}
