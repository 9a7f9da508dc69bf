// The data manager: a project's tasks in a virtualised table (only the rows
// in view are in the DOM; further pages load by keyset cursor as you scroll),
// filters, sorts, columns taken from the task data, image thumbnails, a
// task's results and predictions side by side, and bulk delete/priority.
import { h, add, clear, toast, field } from '../dom.js';
import { get, post, del } from '../api.js';
import { pct, asWords } from './shared.js';

const ROW = 44; // px: every row has this height, so the window is arithmetic
const OVERSCAN = 8;
const IMAGE_RE = /\.(png|jpe?g|gif|webp|svg|avif)(\?|$)/i;

const STATE_LABEL = { open: 'Open', done: 'Done' };

/** A cell's text for any JSON value, kept short. */
export function brief(v, max = 80) {
  if (v === null || v === undefined) return '—';
  const t = typeof v === 'string' ? v : JSON.stringify(v);
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function isImage(key, v) {
  return typeof v === 'string' && (IMAGE_RE.test(v) || (/^(image|img|photo|picture)/i.test(key) && /^(https?:|\/|data:image)/.test(v)));
}

/** The data keys worth a column: those of the first tasks, at most 4. */
function columnsOf(items) {
  const seen = [];
  for (const t of items.slice(0, 20)) {
    for (const k of Object.keys(t.data || {})) if (!seen.includes(k)) seen.push(k);
  }
  return seen.slice(0, 4);
}

/** A Label Studio result list as short text: "sentiment: pos · label: yes". */
export function resultText(result) {
  if (!Array.isArray(result) || !result.length) return '—';
  return result.map((r) => {
    const v = r.value || {};
    const val = v.choices || v.labels || v.rectanglelabels || v.polygonlabels || v.keypointlabels || v.text || v.rating || v.number || v;
    return `${asWords(r.from_name)}: ${Array.isArray(val) ? val.join(', ') : brief(val, 40)}`;
  }).join(' · ');
}

export async function dataManagerView(ctx) {
  const id = Number(ctx.params[0]);
  const page = h('section', { class: 'page wide-page dm' });
  ctx.main.append(page);
  page.append(h('p', { class: 'placeholder', 'aria-live': 'polite' }, 'Loading the project…'));
  const project = await get(`/projects/${id}`);
  if (!ctx.isCurrent()) return;
  clear(page);

  const countsLine = h('p', { class: 'muted dm-counts', 'aria-live': 'polite' }, 'Counting…');
  page.append(h('div', { class: 'page-head' },
    h('div', null, h('p', { class: 'crumbs' }, h('a', { href: `/projects/${id}` }, `← ${project.title}`)),
      h('h1', null, 'Data manager'), countsLine),
    h('div', { class: 'head-actions' },
      h('a', { class: 'btn', href: `/projects/${id}/submissions` }, 'Submissions'),
      h('a', { class: 'btn', href: `/projects/${id}/members` }, 'Members'))));

  // filters
  const sel = (name, options) => h('select', { name, id: `dm-${name}` }, options.map(([v, t]) => h('option', { value: v }, t)));
  const f = {
    state: sel('state', [['', 'Any state'], ['open', 'Open'], ['done', 'Done']]),
    has_results: sel('has_results', [['', 'Any'], ['true', 'With results'], ['false', 'Without results']]),
    gold: sel('gold', [['', 'Any'], ['true', 'Gold only'], ['false', 'No gold']]),
    agreement_below: h('input', { name: 'agreement_below', id: 'dm-agreement_below', type: 'number', step: 'any', inputmode: 'decimal', placeholder: 'e.g. 0.7' }),
    contributor: h('input', { name: 'contributor', id: 'dm-contributor', type: 'number', min: '1', step: '1', placeholder: 'user id' }),
    q: h('input', { name: 'q', id: 'dm-q', type: 'search', placeholder: 'text in the task data', maxlength: '200' }),
    sort: sel('sort', [['id', 'Oldest first'], ['-id', 'Newest first'], ['-priority', 'Priority, highest first'], ['priority', 'Priority, lowest first']]),
  };
  const form = h('form', { class: 'card dm-filters', role: 'search', 'aria-label': 'Filter tasks', onsubmit: (e) => { e.preventDefault(); reload(); } },
    field('State', f.state), field('Results', f.has_results), field('Gold', f.gold),
    field('Agreement below', f.agreement_below), field('Contributor', f.contributor), field('Search', f.q), field('Sort', f.sort),
    h('div', { class: 'dm-filter-actions' }, h('button', { type: 'submit', class: 'btn primary' }, 'Apply'),
      h('button', { type: 'button', class: 'btn ghost', onclick: () => { form.reset(); reload(); } }, 'Clear')),
    h('p', { class: 'form-error', role: 'alert', hidden: true }));
  for (const k of ['state', 'has_results', 'gold', 'sort']) f[k].addEventListener('change', () => reload());
  for (const [k, v] of ctx.query) if (f[k]) f[k].value = v;

  // bulk actions
  const selected = new Set();
  const selCount = h('span', { class: 'dm-selected', 'aria-live': 'polite' }, 'None selected');
  const prio = h('input', { type: 'number', step: '1', id: 'dm-priority', name: 'priority', value: '10', class: 'dm-prio' });
  const bulkBar = h('div', { class: 'dm-bulk', role: 'toolbar', 'aria-label': 'Selected tasks' }, selCount,
    h('button', { type: 'button', class: 'btn small danger-outline', id: 'dm-delete', disabled: true, onclick: () => bulk('delete') }, 'Delete selected'),
    h('label', { for: 'dm-priority', class: 'inline-label' }, 'Priority'), prio,
    h('button', { type: 'button', class: 'btn small', id: 'dm-set-priority', disabled: true, onclick: () => bulk('priority') }, 'Set priority'));
  const bulkResult = h('div', { class: 'dm-bulk-result', role: 'status' });

  // the virtualised table
  let items = [];
  let next = null;
  let columns = [];
  let loading = false;
  const headRow = h('tr');
  const body = h('tbody');
  const table = h('table', { class: 'table dm-table', 'aria-rowcount': '0' }, h('thead', null, headRow), body);
  const scroller = h('div', { class: 'dm-scroll', tabindex: '0', role: 'region', 'aria-label': 'Tasks' }, table);
  const status = h('p', { class: 'muted dm-status', 'aria-live': 'polite' });
  const detail = h('aside', { class: 'card dm-detail', 'aria-label': 'Task details', hidden: true });
  const layout = h('div', { class: 'dm-layout' }, h('div', { class: 'dm-main' }, scroller, status), detail);
  page.append(form, bulkBar, bulkResult, layout);
  const showDetail = (on) => {
    detail.hidden = !on;
    layout.classList.toggle('with-detail', on);
  };

  const updateSelection = () => {
    selCount.textContent = selected.size ? `${selected.size} selected` : 'None selected';
    page.querySelector('#dm-delete').disabled = !selected.size;
    page.querySelector('#dm-set-priority').disabled = !selected.size;
  };

  function header() {
    const all = h('input', { type: 'checkbox', 'aria-label': 'Select all loaded tasks', id: 'dm-all' });
    all.checked = items.length > 0 && items.every((t) => selected.has(t.id));
    all.addEventListener('change', () => {
      for (const t of items) all.checked ? selected.add(t.id) : selected.delete(t.id);
      updateSelection();
      paint(true);
    });
    clear(headRow).append(h('th', { scope: 'col', class: 'dm-check' }, all), h('th', { scope: 'col' }, 'ID'),
      ...columns.map((c) => h('th', { scope: 'col' }, c)),
      h('th', { scope: 'col' }, 'Results'), h('th', { scope: 'col' }, 'Agreement'), h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Open')));
  }

  function cell(key, v) {
    if (isImage(key, v)) return h('td', null, h('img', { class: 'dm-thumb', src: v, alt: `${key} of the task`, loading: 'lazy', width: 36, height: 36 }));
    return h('td', { title: typeof v === 'string' ? v : null }, brief(v, 60));
  }

  function rowFor(t, index) {
    const box = h('input', { type: 'checkbox', 'aria-label': `Select task ${t.id}`, checked: selected.has(t.id) });
    box.addEventListener('change', () => {
      box.checked ? selected.add(t.id) : selected.delete(t.id);
      updateSelection();
    });
    const state = t.open ? 'open' : 'done';
    return h('tr', { class: 'dm-row', 'aria-rowindex': String(index + 2), dataset: { task: t.id } },
      h('td', { class: 'dm-check' }, box), h('td', { class: 'num' }, String(t.id)),
      ...columns.map((c) => cell(c, (t.data || {})[c])),
      h('td', { class: 'num' }, String(t.submitted_count)),
      h('td', { class: 'num' }, t.agreement === null || t.agreement === undefined ? '—' : pct(t.agreement)),
      h('td', null, h('span', { class: `badge badge-${state}` }, STATE_LABEL[state]), t.is_gold ? h('span', { class: 'badge badge-gold' }, 'Gold') : null),
      h('td', null, h('button', { type: 'button', class: 'btn small', onclick: () => show(t) }, 'Open', h('span', { class: 'sr-only' }, ` task ${t.id}`))));
  }

  let lastFirst = -1;
  function paint(force) {
    const top = scroller.scrollTop;
    const height = scroller.clientHeight || 480;
    const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const last = Math.min(items.length, Math.ceil((top + height) / ROW) + OVERSCAN);
    if (!force && first === lastFirst && body.childElementCount - 2 === last - first) return;
    lastFirst = first;
    const span = columns.length + 6;
    const pad = (px) => h('tr', { class: 'dm-pad', 'aria-hidden': 'true' }, h('td', { colspan: span, style: { height: `${px}px`, padding: 0, border: 0 } }));
    clear(body).append(pad(first * ROW), ...items.slice(first, last).map((t, i) => rowFor(t, first + i)), pad((items.length - last) * ROW));
    table.setAttribute('aria-rowcount', String(items.length + 1));
    if (next && !loading && items.length - last < 20) more();
  }
  let raf = 0;
  scroller.addEventListener('scroll', () => {
    if (!raf) raf = requestAnimationFrame(() => { raf = 0; paint(false); });
  });

  function query(after) {
    const q = new URLSearchParams();
    for (const [k, el] of Object.entries(f)) if (el.value !== '' && !(k === 'sort' && el.value === 'id')) q.set(k, el.value.trim());
    q.set('limit', '100');
    if (after) q.set('after', after);
    return q;
  }

  async function more() {
    loading = true;
    status.textContent = 'Loading more tasks…';
    try {
      const res = await get(`/projects/${id}/tasks?${query(next)}`);
      if (!ctx.isCurrent()) return;
      items = items.concat(res.items);
      next = res.next;
      status.textContent = next ? `${items.length} tasks loaded; scroll for more.` : `${items.length} tasks.`;
    } catch (e) {
      status.textContent = e.message;
    } finally {
      loading = false;
    }
    paint(true);
  }

  let seq = 0;
  async function reload() {
    const mine = ++seq;
    const errBox = form.querySelector('.form-error');
    errBox.hidden = true;
    form.querySelectorAll('[aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
    status.textContent = 'Loading tasks…';
    clear(body).append(h('tr', null, h('td', { class: 'placeholder', colspan: 8 }, 'Loading…')));
    let res;
    try {
      res = await get(`/projects/${id}/tasks?${query(null)}`);
    } catch (e) {
      if (mine !== seq) return;
      errBox.textContent = e.message;
      errBox.hidden = false;
      const bad = e.field && f[e.field];
      if (bad) bad.setAttribute('aria-invalid', 'true');
      status.textContent = '';
      clear(body);
      return;
    }
    if (mine !== seq || !ctx.isCurrent()) return;
    history.replaceState(null, '', `/projects/${id}/data?${query(null).toString().replace(/&?limit=100/, '')}`);
    items = res.items;
    next = res.next;
    selected.clear();
    updateSelection();
    const c = res.counts;
    if (c) countsLine.textContent = `${c.total.toLocaleString()} tasks · ${c.open.toLocaleString()} open · ${c.done.toLocaleString()} done · ${c.with_results.toLocaleString()} with results · ${c.gold.toLocaleString()} gold`;
    columns = columnsOf(items);
    header();
    scroller.scrollTop = 0;
    status.textContent = items.length ? (next ? `${items.length} tasks loaded; scroll for more.` : `${items.length} tasks.`) : 'No task matches these filters.';
    paint(true);
  }

  function show(t) {
    showDetail(true);
    const dataList = h('dl', { class: 'dm-data' }, Object.entries(t.data || {}).map(([k, v]) => [h('dt', null, k),
      h('dd', null, isImage(k, v) ? h('img', { src: v, alt: `${k} of task ${t.id}`, class: 'dm-image' }) : brief(v, 400))]));
    const preds = (t.predictions || []).map((p) => h('li', null, resultText(p.result || p), p.model_version ? h('span', { class: 'muted small' }, ` · ${p.model_version}`) : null));
    const results = (t.results || []).map((r) => h('li', null, h('strong', null, r.user || `#${r.user_id}`), ` (${r.status.replace('_', ' ')}): `, resultText(r.result)));
    add(clear(detail),
      h('div', { class: 'dm-detail-head' }, h('h2', { tabindex: '-1' }, `Task ${t.id}`),
        h('button', { type: 'button', class: 'btn small ghost', onclick: () => showDetail(false) }, 'Close', h('span', { class: 'sr-only' }, ' task details'))),
      dataList,
      h('div', { class: 'dm-compare' },
        h('section', null, h('h3', null, 'Predictions'), preds.length ? h('ul', null, preds) : h('p', { class: 'muted' }, 'No predictions.')),
        h('section', null, h('h3', null, 'Results'), results.length ? h('ul', null, results) : h('p', { class: 'muted' }, 'Nobody has answered yet.'))),
      !t.submitted_count && !t.leased_count ? h('button', { type: 'button', class: 'btn small danger-outline', onclick: () => removeOne(t) }, 'Delete this task') : null);
    detail.querySelector('h2').focus();
  }

  async function removeOne(t) {
    if (!confirm(`Delete task ${t.id}? This cannot be undone.`)) return;
    try {
      await del(`/tasks/${t.id}`);
      toast(`Task ${t.id} deleted.`, 'ok');
      showDetail(false);
      await reload();
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  async function bulk(action) {
    const ids = [...selected];
    if (action === 'delete' && !confirm(`Delete ${ids.length} task(s)? Tasks with submissions are kept.`)) return;
    const body = { action, ids };
    if (action === 'priority') body.priority = Number(prio.value || 0);
    try {
      const res = await post(`/projects/${id}/tasks/bulk`, body);
      add(clear(bulkResult), h('p', null, `${action === 'delete' ? 'Deleted' : 'Changed'} ${res.done} task(s).`),
        res.failed.length ? h('ul', { class: 'dm-failed' }, res.failed.map((x) => h('li', null, `Task ${x.id}: ${x.message}`))) : null);
      await reload();
    } catch (e) {
      clear(bulkResult).append(h('p', { class: 'form-error' }, e.message));
    }
  }

  await reload();
}
