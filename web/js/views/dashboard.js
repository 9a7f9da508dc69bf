// A requester's project dashboard: progress charts (inline SVG), import,
// funding, publish/pause/close, consent, export and webhooks (webhooks.js),
// S3 import sources (storage.js).
import { h, s, clear, money, parseMoney, duration, toast, randomId, field, showFormError, clearFormErrors } from '../dom.js';
import { get, post, put, api } from '../api.js';
import { stat } from './shared.js';
import { STATUS } from './requester.js';
import { contributorsPanel, labelsPanel } from './quality.js';
import { reportsCard } from './voice.js';
import { exportJobsPanel } from './exports.js';

const COLORS = { done: '#16a34a', in_progress: '#d97706', not_started: '#cbd5e1', pending: '#d97706', accepted: '#16a34a', auto_accepted: '#65a30d', rejected: '#e11d48' };

/** A horizontal stacked bar with a legend: parts [{key,label,value}]. */
export function stackedBar(title, parts) {
  const total = parts.reduce((a, p) => a + p.value, 0);
  const W = 600;
  let x = 0;
  const svg = s('svg', { class: 'chart-bar', viewBox: `0 0 ${W} 28`, preserveAspectRatio: 'none', role: 'img', 'aria-label': `${title}: ${parts.map((p) => `${p.label} ${p.value}`).join(', ')}` });
  svg.append(s('rect', { x: 0, y: 0, width: W, height: 28, rx: 6, fill: '#f1f5f9' }));
  for (const p of parts) {
    if (!total || !p.value) continue;
    const w = (p.value / total) * W;
    svg.append(s('rect', { x, y: 0, width: w, height: 28, fill: COLORS[p.key] || '#64748b' }, s('title', null, `${p.label}: ${p.value}`)));
    x += w;
  }
  return h('figure', { class: 'chart' }, h('figcaption', null, title, h('span', { class: 'muted' }, ` · ${total}`)), svg,
    h('ul', { class: 'legend' }, parts.map((p) => {
      const sw = h('span', { class: 'swatch' });
      sw.style.background = COLORS[p.key] || '#64748b';
      return h('li', null, sw, `${p.label} `, h('strong', null, String(p.value)));
    })));
}

/** A donut chart of parts. */
export function donut(title, parts) {
  const total = parts.reduce((a, p) => a + p.value, 0);
  const R = 40;
  const C = 2 * Math.PI * R;
  const svg = s('svg', { class: 'chart-donut', viewBox: '0 0 100 100', role: 'img', 'aria-label': `${title}: ${parts.map((p) => `${p.label} ${p.value}`).join(', ')}` });
  svg.append(s('circle', { cx: 50, cy: 50, r: R, fill: 'none', stroke: '#f1f5f9', 'stroke-width': 14 }));
  let off = 0;
  for (const p of parts) {
    if (!total || !p.value) continue;
    const len = (p.value / total) * C;
    svg.append(s('circle', { cx: 50, cy: 50, r: R, fill: 'none', stroke: COLORS[p.key] || '#64748b', 'stroke-width': 14, 'stroke-dasharray': `${len} ${C - len}`, 'stroke-dashoffset': -off, transform: 'rotate(-90 50 50)' }, s('title', null, `${p.label}: ${p.value}`)));
    off += len;
  }
  svg.append(s('text', { x: 50, y: 50, 'text-anchor': 'middle', 'dominant-baseline': 'central', class: 'donut-total' }, String(total)));
  return h('figure', { class: 'chart chart-donut-wrap' }, h('figcaption', null, title), h('div', { class: 'donut-row' }, svg,
    h('ul', { class: 'legend vertical' }, parts.map((p) => {
      const sw = h('span', { class: 'swatch' });
      sw.style.background = COLORS[p.key] || '#64748b';
      return h('li', null, sw, `${p.label} `, h('strong', null, String(p.value)));
    }))));
}

/** Two bars comparing throughput. */
function throughput(t) {
  const max = Math.max(1, t.last_hour, t.last_day);
  const row = (label, v, y) => [
    s('text', { x: 0, y: y + 14, class: 'bar-label' }, label),
    s('rect', { x: 90, y, width: Math.max(2, (v / max) * 240), height: 20, rx: 4, fill: '#4338ca' }),
    s('text', { x: 90 + Math.max(2, (v / max) * 240) + 6, y: y + 14, class: 'bar-value' }, String(v)),
  ];
  return h('figure', { class: 'chart' }, h('figcaption', null, 'Submissions'),
    s('svg', { class: 'chart-tp', viewBox: '0 0 380 56', role: 'img', 'aria-label': `Submissions: ${t.last_hour} in the last hour, ${t.last_day} in the last day` }, row('Last hour', t.last_hour, 2), row('Last day', t.last_day, 32)));
}

function contentTypeFor(file) {
  const n = file.name.toLowerCase();
  if (n.endsWith('.csv') || file.type === 'text/csv') return 'text/csv';
  if (n.endsWith('.jsonl') || n.endsWith('.ndjson')) return 'application/x-ndjson';
  if (n.endsWith('.json') || file.type === 'application/json') return 'application/json';
  if (n.endsWith('.zip')) return 'application/zip';
  if (n.endsWith('.tar')) return 'application/x-tar';
  if (n.endsWith('.tar.gz') || n.endsWith('.tgz')) return 'application/gzip';
  return null;
}

// What an import file is (docs/formats.md "Imports"): `format` goes on the query.
const IMPORT_KINDS = [
  { value: 'tasks', label: 'Tasks: JSON, JSON Lines, CSV or Label Studio JSON' },
  { value: 'coco', label: 'COCO JSON: images with pre-annotations' },
  { value: 'mturk', label: 'Mechanical Turk batch results (CSV)' },
  { value: 'media', label: 'Media files: a .zip or .tar, one task per file' },
];

// The export formats (docs/formats.md). `needs`: a project's config must have one of
// these tags for the format to fit (the server answers 422 otherwise).
const EXPORTS = [
  { format: 'json', ext: 'json', label: 'Label Studio JSON' },
  { format: 'jsonl', ext: 'jsonl', label: 'JSONL, every submission' },
  { format: 'csv', ext: 'csv', label: 'CSV', annotation: true },
  { format: 'coco', ext: 'json', label: 'COCO (boxes, polygons, keypoints)', needs: ['rectanglelabels', 'polygonlabels', 'keypointlabels'] },
  { format: 'yolo', ext: 'zip', label: 'YOLO (zip)', needs: ['rectanglelabels', 'polygonlabels'] },
  { format: 'yolo_pose', ext: 'zip', label: 'YOLO pose (keypoints, zip)', needs: ['keypointlabels'] },
  { format: 'brush_png', ext: 'zip', label: 'Brush masks as PNG (zip)', needs: ['brushlabels', 'brush'] },
  { format: 'voc', ext: 'zip', label: 'Pascal VOC (zip)', needs: ['rectanglelabels', 'polygonlabels'] },
  { format: 'conll', ext: 'conll', label: 'CoNLL BIO tags (text spans)', needs: ['labels'] },
  { format: 'mot', ext: 'zip', label: 'MOT tracks (video, zip)', needs: ['videorectangle'] },
  { format: 'dpo', ext: 'jsonl', label: 'DPO preference pairs (Pairwise, Ranker)', needs: ['pairwise', 'ranker'] },
  { format: 'chat', ext: 'jsonl', label: 'Chat JSONL (conversations)', needs: ['chat'] },
  { format: 'webdataset', ext: 'tar', label: 'WebDataset shards (tar)', annotation: true },
  { format: 'cv', ext: 'tar', label: 'Common Voice (tar)', collection: true },
];

/** The lower-case tag names of a labelling config; empty when there is none or it does not parse. */
function configTags(xml) {
  if (!xml) return new Set();
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) return new Set();
  return new Set([...doc.getElementsByTagName('*')].map((e) => e.tagName.toLowerCase()));
}

/** (format) → true when the export format fits project p (its kind and the tags of its config). */
export function formatFits(p) {
  const tags = configTags(p.label_config);
  const collection = p.kind === 'collection';
  return (format) => {
    const f = EXPORTS.find((x) => x.format === format);
    return !!f && (f.collection ? collection : !(f.annotation && collection) && (!f.needs || f.needs.some((t) => tags.has(t))));
  };
}

/** A labelled format picker, a download link that follows it and Prepare file (a background job, `prepare(format, status)`);
 * formats that do not fit stay listed, disabled. */
function exportMenu(p, prepare) {
  const fits = (f) => formatFits(p)(f.format);
  const select = h('select', { class: 'input', id: 'export-format', name: 'format' }, EXPORTS.map((f) =>
    h('option', { value: f.format, disabled: !fits(f) }, fits(f) ? f.label : `${f.label}: not for this project`)));
  select.value = (EXPORTS.find((f) => f.needs && fits(f)) || EXPORTS[0]).format;
  const all = h('input', { type: 'checkbox', id: 'export-all', name: 'status' });
  const agg = h('input', { type: 'checkbox', id: 'export-aggregated', name: 'labels' });
  const link = h('a', { class: 'btn', id: 'export-link' }, 'Download');
  const job = h('button', { type: 'button', class: 'btn', id: 'export-job', onclick: () => prepare(select.value, all.checked ? 'all' : 'accepted', agg.checked ? 'aggregated' : 'raw') }, 'Prepare file');
  const follow = () => {
    const f = EXPORTS.find((x) => x.format === select.value);
    link.href = `/api/v1/projects/${p.id}/export?format=${f.format}${all.checked ? '&status=all' : ''}${agg.checked ? '&labels=aggregated' : ''}`;
    agg.disabled = f.format === 'jsonl' || f.format === 'cv';
    if (agg.disabled) agg.checked = false;
    link.download = `project-${p.id}-${f.format}.${f.ext}`;
  };
  select.addEventListener('change', follow);
  all.addEventListener('change', follow);
  agg.addEventListener('change', follow);
  follow();
  return h('div', { class: 'export-menu', role: 'group', 'aria-label': 'Export the data' },
    h('label', { for: 'export-format' }, 'Export as'), select,
    h('label', { class: 'check', for: 'export-all' }, all, 'Pending and rejected too'),
    h('label', { class: 'check', for: 'export-aggregated' }, agg, 'One aggregated label per task'), link, job);
}

export async function dashboardView(ctx) {
  const id = ctx.params[0];
  let p = await get(`/projects/${id}`);
  const page = h('section', { class: 'page' });
  ctx.main.append(page);

  const draw = async () => {
    const [stats, moneyInfo] = await Promise.all([get(`/projects/${id}/stats`), get(`/projects/${id}/money`, { noAuthRedirect: true }).catch(() => null)]);
    if (!ctx.isCurrent()) return;
    clear(page);
    const cur = p.currency;
    const needed = p.reward * p.overlap * (p.task_count || 0);
    const jobs = exportJobsPanel(p);
    const head = h('div', { class: 'page-head' },
      h('div', null, h('p', { class: 'crumbs' }, h('a', { href: '/projects' }, '← Projects')),
        h('h1', null, p.title, ' ', h('span', { class: `badge badge-${p.status}` }, STATUS[p.status] || p.status))),
      h('div', { class: 'head-actions' },
        p.status !== 'closed' ? h('a', { class: 'btn', href: `/projects/${id}/edit` }, 'Edit') : null,
        h('a', { class: 'btn', href: `/projects/${id}/review` }, 'Review', stats.submissions.pending ? h('span', { class: 'count' }, String(stats.submissions.pending)) : null),
        h('a', { class: 'btn', href: `/projects/${id}/data` }, 'Data'),
        h('a', { class: 'btn', href: `/projects/${id}/submissions` }, 'Submissions'),
        h('a', { class: 'btn', href: `/projects/${id}/members` }, 'Members'),
        h('a', { class: 'btn', href: `/projects/${id}/blocks` }, 'Blocks'),
        h('a', { class: 'btn', href: `/projects/${id}/bonuses` }, 'Bonuses'),
        h('a', { class: 'btn', href: `/projects/${id}/messages` }, 'Messages'),
        p.collect && p.collect.media === 'sensor' ? h('button', { type: 'button', class: 'btn', id: 'label-recordings', onclick: labelRecordings }, 'Label these recordings') : null,
        ...lifecycleButtons()),
      exportMenu(p, jobs.start));
    const statusMsg = h('p', { class: 'form-error', role: 'alert', hidden: true });
    page.append(head, statusMsg);

    async function labelRecordings() {
      try {
        const nid = await (await import('./sensor.js')).labellingProjectFrom(p, { get, post });
        toast('A draft labelling project holds the accepted recordings.', 'ok');
        ctx.navigate(`/projects/${nid}/edit`);
      } catch (err) {
        toast(err.message, 'error');
      }
    }

    function lifecycleButtons() {
      const out = [];
      const act = (action, label, cls) => h('button', { type: 'button', class: `btn ${cls || ''}`, dataset: { action }, onclick: () => transition(action) }, label);
      if (p.status === 'draft' || p.status === 'paused') out.push(act('publish', p.status === 'draft' ? 'Publish' : 'Resume', 'primary'));
      if (p.status === 'live') out.push(act('pause', 'Pause'));
      if (p.status !== 'closed') out.push(act('close', 'Close', 'danger-outline'));
      return out;
    }

    async function transition(action) {
      if (action === 'close' && !confirm('Close this project for good? Open tasks are withdrawn and unused funds are returned.')) return;
      try {
        p = await post(`/projects/${id}/${action}`);
        toast({ publish: 'Published: contributors can start now.', pause: 'Paused.', close: 'Closed.' }[action], 'ok');
        await draw();
      } catch (e) {
        statusMsg.textContent = e.code === 'insufficient_funds' ? `${e.message} Add at least ${money(needed - (moneyInfo ? moneyInfo.escrow_balance || 0 : 0), cur)} below.` : e.message;
        statusMsg.hidden = false;
        statusMsg.focus && statusMsg.scrollIntoView({ block: 'nearest' });
      }
    }

    const t = stats.tasks;
    const sb = stats.submissions;
    page.append(h('div', { class: 'stat-grid' },
      stat('Tasks done', `${t.done} / ${t.total}`, t.total ? `${Math.round((t.done / t.total) * 100)}% complete` : 'Import tasks to start'),
      stat('Contributors', String(stats.contributors)),
      stat('Median active time', duration(stats.median_active_seconds)),
      stat('Effective pay', stats.effective_hourly === null || stats.effective_hourly === undefined ? '—' : `${money(stats.effective_hourly, cur)}/h`, 'From measured active time')));
    page.append(h('div', { class: 'charts card' },
      stackedBar('Tasks', [{ key: 'done', label: 'Done', value: t.done }, { key: 'in_progress', label: 'In progress', value: t.in_progress }, { key: 'not_started', label: 'Not started', value: t.not_started }]),
      h('div', { class: 'chart-row' },
        donut('Submissions by status', [{ key: 'pending', label: 'Pending', value: sb.pending || 0 }, { key: 'accepted', label: 'Accepted', value: sb.accepted || 0 }, { key: 'auto_accepted', label: 'Auto-accepted', value: sb.auto_accepted || 0 }, { key: 'rejected', label: 'Rejected', value: sb.rejected || 0 }]),
        throughput(stats.throughput || { last_hour: 0, last_day: 0 }))));

    page.append(h('div', { class: 'grid-2 dash-panels' }, importPanel(), fundPanel(), consentPanel()));
    // Versions, webhooks and ML assistance: modules of their own, loaded when a dashboard shows them
    const lazyPanel = (what, load) => {
      const slot = h('div', { class: 'lazy-slot' });
      load().then((el) => slot.replaceWith(el), (e) => slot.append(h('p', { class: 'form-error' }, `${what} did not load: ${e.message}`)));
      return slot;
    };
    page.append(jobs.box,
      lazyPanel('Dataset versions', () => import('./versions.js').then((m) => m.versionsPanel(p, formatFits(p)))),
      lazyPanel('Webhooks', () => import('./webhooks.js').then((m) => m.webhooksPanel(p))));
    if (p.kind === 'annotation') page.append(lazyPanel('ML assistance', () => import('./ml.js').then((m) => m.mlPanel(p))));
    if (p.kind !== 'collection') page.append(lazyPanel('Cloud storage', () => import('./storage.js').then((m) => m.storagePanel(p))));
    const reports = await reportsCard(p.id);
    if (reports) page.append(reports);
    const quality = h('div', { class: 'quality-panels', 'aria-busy': 'true' }, h('h2', { class: 'section-gap' }, 'Quality'), h('p', { class: 'muted' }, 'Loading contributors and labels…'));
    page.append(quality);
    Promise.all([contributorsPanel(p), labelsPanel(p, stats)]).then((panels) => {
      if (!quality.isConnected) return;
      quality.querySelector('p').remove();
      quality.removeAttribute('aria-busy');
      quality.append(...panels);
    }, (e) => {
      quality.querySelector('p').textContent = e.message;
    });

    function importPanel() {
      const media = p.kind !== 'collection';
      const input = h('input', { type: 'file', id: 'import-file', multiple: media, accept: `.json,.jsonl,.ndjson,.csv,.zip,.tar,.tgz,.gz,application/json,text/csv${media ? ',image/*,audio/*,video/*' : ''}`, class: 'sr-only' });
      const kind = h('select', { class: 'input', id: 'import-kind', name: 'kind' }, IMPORT_KINDS.map((k) => h('option', { value: k.value }, k.label)));
      const result = h('div', { class: 'import-result', role: 'status', 'aria-live': 'polite' });
      const zone = h('label', { class: 'dropzone', for: 'import-file', tabindex: '0' },
        h('strong', null, 'Drop a task file here'), h('span', { class: 'muted' }, ' or press Enter to choose one'), h('br'),
        h('span', { class: 'muted small' }, 'JSON array, JSON Lines or CSV (header row). Objects without "data" are taken whole as the data.'),
        media ? [h('br'), h('span', { class: 'muted small' }, 'Or images, audio or video files: each becomes one task; the same file twice is refused.')] : null,
        p.kind === 'collection' ? null : [h('br'), h('span', { class: 'muted small gold-hint' }, 'Check questions: add "gold" with the right answer, e.g. {"data": {…}, "gold": {"label": "yes"}} (control name → answer). Contributors never see it.')]);
      zone.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          input.click();
        }
      });
      const reload = async (text) => {
        p = await get(`/projects/${id}`);
        await draw();
        const again = page.querySelector('.import-result');
        if (again) {
          again.className = 'import-result ok';
          again.textContent = text;
        }
      };
      const sendMedia = async (files) => {
        const { sendMediaFiles } = await import('./taskdrop.js');
        result.className = 'import-result';
        result.textContent = `Adding ${files.length} file${files.length === 1 ? '' : 's'}…`;
        const lines = [];
        const made = await sendMediaFiles(id, files, (f, ok, text) => lines.push({ ok, text }));
        const failed = lines.filter((l) => !l.ok);
        if (made) toast(`${made} file${made === 1 ? '' : 's'} added as tasks.`, 'ok');
        if (!failed.length) return reload(`${made} task${made === 1 ? '' : 's'} created from files.`);
        result.className = 'import-result error';
        result.replaceChildren(h('span', null, `${made} added, ${failed.length} refused:`), h('ul', { class: 'import-failures' }, failed.map((l) => h('li', null, l.text))));
      };
      const sendAll = async (files) => {
        const list = [...files];
        const { isMediaFile } = list.length > 1 || !contentTypeFor(list[0]) ? await import('./taskdrop.js') : { isMediaFile: () => false };
        const mediaFiles = media ? list.filter(isMediaFile) : [];
        if (mediaFiles.length) return sendMedia(mediaFiles);
        return send(list[0]);
      };
      const send = async (file) => {
        const ct = contentTypeFor(file);
        const archive = /zip|tar|gzip/.test(ct || '');
        if (!ct || archive !== (kind.value === 'media')) {
          result.className = 'import-result error';
          result.textContent = `${file.name}: ${kind.value === 'media' ? 'use a .zip, .tar or .tar.gz file' : `use a .json, .jsonl or .csv file${media ? ', or image, audio or video files' : ''}`}.`;
          return;
        }
        const query = kind.value === 'coco' || kind.value === 'mturk' ? `?format=${kind.value}` : '';
        result.className = 'import-result';
        result.textContent = `Importing ${file.name}…`;
        try {
          const r = await api('POST', `/projects/${id}/tasks${query}`, { raw: file, contentType: ct, idempotencyKey: `import-${id}-${file.name}-${file.size}-${file.lastModified}-${randomId(6)}`, retries: 3 });
          toast(`Imported ${r.created} tasks.`, 'ok');
          await reload(`${file.name}: ${r.created} task${r.created === 1 ? '' : 's'} created.`);
        } catch (e) {
          result.className = 'import-result error';
          result.textContent = `${file.name}: ${e.message}`;
        }
      };
      input.addEventListener('change', () => input.files.length && sendAll(input.files));
      zone.addEventListener('dragover', (e) => {
        e.preventDefault();
        zone.classList.add('over');
      });
      zone.addEventListener('dragleave', () => zone.classList.remove('over'));
      zone.addEventListener('drop', (e) => {
        e.preventDefault();
        zone.classList.remove('over');
        if (e.dataTransfer.files.length) sendAll(e.dataTransfer.files);
      });
      const pf = (p.collect && p.collect.prompt_field) || 'sentence';
      const pasteBox = h('div', { class: 'paste-box' });
      const pasteBtn = h('button', { type: 'button', class: 'btn ghost', 'aria-expanded': 'false', 'aria-controls': 'paste-box', onclick: async () => {
        const open = pasteBtn.getAttribute('aria-expanded') !== 'true';
        pasteBtn.setAttribute('aria-expanded', String(open));
        if (open && !pasteBox.firstChild) {
          const { pasteForm } = await import('./taskdrop.js');
          pasteBox.append(pasteForm(id, (n) => {
            toast(`Imported ${n} tasks.`, 'ok');
            reload(`Pasted: ${n} task${n === 1 ? '' : 's'} created.`);
          }));
        }
        pasteBox.hidden = !open;
        if (open) pasteBox.querySelector('textarea')?.focus();
      } }, 'Paste tasks instead');
      pasteBox.id = 'paste-box';
      return h('section', { class: 'card panel' }, h('h2', null, p.kind === 'collection' ? 'Import prompts' : 'Import tasks'), h('p', { class: 'muted' }, `${p.task_count || 0} tasks so far.`, p.kind === 'collection' ? ` Each task is one prompt: a CSV with a “${pf}” column, or JSON lines like {"${pf}": "…"}.` : ''),
        p.kind === 'collection' ? null : h('div', { class: 'field' }, h('label', { for: 'import-kind' }, 'The file holds'), kind), input, zone, result, h('p', { class: 'paste-toggle' }, pasteBtn), pasteBox);
    }

    function fundPanel() {
      const amount = h('input', { name: 'amount', id: 'fund-amount', class: 'input', inputmode: 'decimal', placeholder: '50.00' });
      const form = h('form', { class: 'inline-form', novalidate: true },
        h('p', { class: 'form-error', role: 'alert', hidden: true }),
        field(`Amount (${cur})`, amount), h('button', { type: 'submit', class: 'btn primary' }, 'Add funds'));
      const bal = moneyInfo && moneyInfo.escrow_balance !== undefined ? moneyInfo.escrow_balance : null;
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearFormErrors(form);
        const read = parseMoney(amount.value, cur);
        if (read.error) return showFormError(form, { field: 'amount', message: read.error });
        const m = read.minor;
        if (!(m > 0)) return showFormError(form, { field: 'amount', message: 'Enter an amount greater than zero, like 25.00.' });
        try {
          const r = await post(`/projects/${id}/fund`, { amount: m }, { idempotencyKey: `fund-${id}-${randomId(12)}` });
          toast(`Added ${money(r.amount ?? m, cur)}${r.fee ? ` (fee ${money(r.fee, cur)})` : ''}.`, 'ok');
          await draw();
        } catch (err) {
          showFormError(form, err);
        }
      });
      return h('section', { class: 'card panel' }, h('h2', null, 'Funds'),
        h('p', null, 'Publishing needs ', h('strong', null, money(needed, cur)), ` (reward ${money(p.reward, cur)} × overlap ${p.overlap} × ${p.task_count || 0} tasks).`),
        bal !== null ? h('p', null, 'In escrow: ', h('strong', null, money(bal, cur)), moneyInfo.escrow_needed !== undefined ? h('span', { class: 'muted' }, ` · still needed ${money(Math.max(0, moneyInfo.escrow_needed - bal), cur)}`) : null) : null,
        form);
    }

    function consentPanel() {
      const text = h('textarea', { name: 'text', id: 'consent-text', class: 'input', rows: '4', placeholder: 'What contributors agree to (Markdown).' });
      const version = h('input', { name: 'version', id: 'consent-version', class: 'input narrow', placeholder: 'v1', value: p.consent_version ? '' : 'v1' });
      const form = h('form', { class: 'stack-form', novalidate: true }, h('p', { class: 'form-error', role: 'alert', hidden: true }), field('Consent text', text), field('Version', version), h('button', { type: 'submit', class: 'btn' }, 'Publish consent'));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearFormErrors(form);
        try {
          await put(`/projects/${id}/consent`, { text: text.value, version: version.value.trim() });
          toast('Consent document saved.', 'ok');
          p = await get(`/projects/${id}`);
          await draw();
        } catch (err) {
          showFormError(form, err);
        }
      });
      return h('section', { class: 'card panel' }, h('h2', null, 'Consent'), h('p', { class: 'muted' }, p.consent_version ? `Current version: ${p.consent_version}. A changed text needs a new version.` : 'Optional. Contributors must accept it before their first task.'), form);
    }
  };
  await draw();
}
