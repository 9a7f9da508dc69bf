// ML assistance on the project dashboard (loaded lazily by dashboard.js):
// the backend's status and its last error, a form to connect a backend
// that speaks Label Studio's ML-backend protocol, Predict again and
// Disconnect, and the order tasks are handed out in.
import { h, clear, when, toast, showFormError, clearFormErrors } from '../dom.js';
import { get, put, post, patch, api } from '../api.js';

const ORDERS = [
  ['priority', 'Priority', 'Highest task priority first, then oldest.'],
  ['uncertainty', 'Least confident first', 'The task whose prediction has the lowest score first (active learning).'],
  ['disagreement', 'Most disputed first', 'The task whose answers agree least first.'],
  ['random', 'Random', 'Any open task.'],
];

function timeEl(rfc3339) {
  return rfc3339 ? h('time', { datetime: rfc3339 }, when(rfc3339)) : '—';
}

/** The panel (a section); it loads the status itself. */
export function mlPanel(project) {
  const id = project.id;
  const status = h('div', { class: 'ml-status', 'aria-live': 'polite' });
  const form = attachForm();
  const box = h('section', { class: 'card panel ml-panel', 'aria-labelledby': 'ml-title' },
    h('h2', { id: 'ml-title', tabindex: '-1' }, 'ML assistance'),
    h('p', { class: 'muted' }, 'A model suggests answers that contributors start from and may change; suggestions are never counted as answers. Connect a server that speaks Label Studio’s ML-backend protocol.'),
    status, form, orderForm());

  async function load() {
    let st;
    try {
      st = await get(`/projects/${id}/ml`);
    } catch (e) {
      clear(status).append(h('p', { class: 'form-error' }, e.message));
      return;
    }
    clear(status);
    if (!st.attached) {
      status.append(h('p', { class: 'muted ml-none' }, 'No ML backend is connected.'));
      return;
    }
    const rows = [
      ['Backend', h('code', { class: 'ml-url' }, st.url || st.builtin)],
      ['Model version', st.model_version || '—'],
      ['Suggestions stored', String(st.predicted)],
      ['Tasks waiting', String(st.pending)],
      ['Interactive', st.interactive ? 'Yes' : 'No'],
      ['Last good answer', timeEl(st.last_ok_at)],
    ];
    status.append(h('dl', { class: 'ml-facts' }, rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)])));
    if (st.last_error) {
      status.append(h('div', { class: 'ml-error', role: 'alert' },
        h('strong', null, 'Last error '), timeEl(st.last_error_at), h('p', { class: 'ml-error-text' }, st.last_error),
        h('p', { class: 'hint' }, 'Nothing from the failed answer was kept; faircrowd asks again with growing pauses.')));
    }
    const again = h('button', { type: 'button', class: 'btn' }, 'Predict again');
    const off = h('button', { type: 'button', class: 'btn danger' }, 'Disconnect');
    again.addEventListener('click', async () => {
      again.disabled = true;
      try {
        await post(`/projects/${id}/ml/predict`);
        toast('Every task will be predicted again.', 'ok');
        await load();
      } catch (e) {
        toast(e.message, 'error');
      } finally {
        again.disabled = false;
      }
    });
    off.addEventListener('click', async () => {
      if (!confirm('Disconnect the ML backend? Suggestions already stored stay.')) return;
      try {
        await api('DELETE', `/projects/${id}/ml`);
        toast('ML backend disconnected.', 'ok');
        await load();
        box.querySelector('#ml-title').focus();
      } catch (e) {
        toast(e.message, 'error');
      }
    });
    status.append(h('div', { class: 'actions' }, again, off));
  }

  function attachForm() {
    const url = h('input', { id: 'ml-url', name: 'url', type: 'url', class: 'input', spellcheck: 'false', inputmode: 'url', autocomplete: 'off', placeholder: 'http://localhost:9090', 'aria-describedby': 'ml-url-hint' });
    const interactive = h('input', { id: 'ml-interactive', name: 'interactive', type: 'checkbox' });
    const builtin = h('select', { id: 'ml-builtin', name: 'builtin', class: 'input', 'aria-describedby': 'ml-builtin-hint' },
      [['', 'No: a backend at a URL'], ['text-classifier', 'Text classifier (Choices over Text)'], ['image-classifier', 'Image classifier (Choices over Image)'], ['speech-transcriber', 'Speech transcriber (TextArea over Audio, English)']].map(([v, t]) => h('option', { value: v }, t)));
    const f = h('form', { class: 'stack-form ml-form', novalidate: true, 'aria-labelledby': 'ml-connect-title' },
      h('h3', { id: 'ml-connect-title' }, 'Connect a backend'),
      h('p', { class: 'form-error', role: 'alert', hidden: true }),
      h('div', { class: 'field' }, h('label', { for: builtin.id }, 'Built-in model'), builtin,
        h('p', { class: 'hint', id: 'ml-builtin-hint' }, 'The classifiers are trained inside faircrowd on this project’s accepted answers and retrained as they arrive; the speech transcriber suggests a transcript of each recording. No server needed.')),
      h('div', { class: 'field' }, h('label', { for: url.id }, 'Backend URL'), url,
        h('p', { class: 'hint', id: 'ml-url-hint' }, 'Faircrowd calls /health and /setup now, then /predict for every task in batches.')),
      h('label', { class: 'check' }, interactive, ' Interactive (the annotator may send a click or box and get regions back)'),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, 'Connect')));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFormErrors(f);
      if (!builtin.value && !url.value.trim()) return showFormError(f, { field: 'url', message: 'Enter the backend’s address or pick a built-in model.' });
      const submit = f.querySelector('button[type=submit]');
      submit.disabled = true;
      try {
        await put(`/projects/${id}/ml`, builtin.value ? { builtin: builtin.value } : { url: url.value.trim(), interactive: interactive.checked });
        toast('ML backend connected: suggestions are on their way.', 'ok');
        f.reset();
        await load();
      } catch (err) {
        showFormError(f, err);
      } finally {
        submit.disabled = false;
      }
    });
    return f;
  }

  function orderForm() {
    const select = h('select', { id: 'ml-order', name: 'order', class: 'input', 'aria-describedby': 'ml-order-hint' },
      ORDERS.map(([v, label]) => h('option', { value: v, selected: (project.order || 'priority') === v }, label)));
    const hint = h('p', { class: 'hint', id: 'ml-order-hint' });
    const say = () => {
      hint.textContent = ORDERS.find(([v]) => v === select.value)[2];
    };
    say();
    select.addEventListener('change', say);
    const f = h('form', { class: 'stack-form ml-order-form', novalidate: true },
      h('p', { class: 'form-error', role: 'alert', hidden: true }),
      h('div', { class: 'field' }, h('label', { for: select.id }, 'Hand out tasks'), select, hint),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, 'Save order')));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFormErrors(f);
      try {
        const p = await patch(`/projects/${id}`, { order: select.value });
        project.order = p.order;
        toast('Order saved.', 'ok');
      } catch (err) {
        showFormError(f, err);
      }
    });
    return f;
  }

  load();
  return box;
}
