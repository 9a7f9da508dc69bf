// Export files prepared in the background (POST /projects/{id}/exports): the
// dashboard's export menu starts one, this panel lists the latest with their
// progress, row counts, size, SHA-256 and a download link once they are done.
import { h, clear, when, toast } from '../dom.js';
import { get, post } from '../api.js';

const BADGE = { queued: 'badge-pending', running: 'badge-pending', done: 'badge-accepted', failed: 'badge-rejected' };
const WORD = { queued: 'Queued', running: 'Running', done: 'Ready', failed: 'Failed' };

/** 1536 → "1.5 KB". */
export function bytesText(n) {
  if (!n) return '0 B';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  const i = Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(1024)));
  const v = n / 1024 ** i;
  return `${i ? v.toFixed(v < 10 ? 1 : 0) : v} ${units[i]}`;
}

function jobRow(j) {
  const pct = Math.round((j.progress || 0) * 100);
  return h('li', { class: 'export-job', dataset: { id: String(j.id), status: j.status } },
    h('div', { class: 'export-job-head' },
      h('strong', null, `#${j.id} ${j.format}`), ' ',
      h('span', { class: `badge ${BADGE[j.status] || ''}` }, WORD[j.status] || j.status), ' ',
      h('span', { class: 'muted small' }, j.options && j.options.status === 'all' ? 'all submissions' : 'accepted work',
        j.options && j.options.labels === 'aggregated' ? ', aggregated' : '', ' · ',
        h('time', { datetime: j.created_at }, when(j.created_at)))),
    j.status === 'done' || j.status === 'failed' ? null
      : h('progress', { max: '100', value: String(pct), 'aria-label': `Export ${j.id}: ${pct}% done` }),
    h('p', { class: 'small' }, `${j.rows} rows · ${bytesText(j.bytes)}`,
      j.sha256 ? [' · SHA-256 ', h('code', { title: j.sha256 }, j.sha256.slice(0, 12)), '…'] : null),
    j.status === 'failed' ? h('p', { class: 'form-error' }, j.reason || 'The export failed.') : null,
    j.download_url ? h('a', { class: 'btn', href: j.download_url, download: '' }, 'Download', h('span', { class: 'sr-only' }, ` export ${j.id}`)) : null);
}

/** The panel (a section) and start(format, status, labels): queues a job and shows it. */
export function exportJobsPanel(project) {
  const list = h('ul', { class: 'export-jobs plain-list', id: 'export-jobs' });
  const status = h('p', { class: 'muted small', role: 'status', 'aria-live': 'polite' });
  const box = h('section', { class: 'card panel exports-panel', 'aria-labelledby': 'exports-title' },
    h('h2', { id: 'exports-title' }, 'Export files'),
    h('p', { class: 'muted' }, 'Large exports are prepared in the background and kept for download; each file is named by its SHA-256 so you can check what a training run read.'),
    status, list);
  let timer = null;

  async function load() {
    timer = null;
    if (!box.isConnected && list.childElementCount) return;
    try {
      const { items } = await get(`/projects/${project.id}/exports`);
      clear(list);
      if (!items.length) list.append(h('li', { class: 'muted' }, 'No export files yet: choose a format above and press Prepare file.'));
      list.append(...items.map(jobRow));
      if (items.some((j) => j.status === 'queued' || j.status === 'running')) timer = setTimeout(load, 1000);
    } catch (e) {
      status.textContent = e.message;
    }
  }

  async function start(format, statusOpt, labels) {
    try {
      const j = await post(`/projects/${project.id}/exports`, { format, status: statusOpt, labels });
      toast(`Export #${j.id} queued.`, 'ok');
      status.textContent = `Export #${j.id} (${format}) is being prepared.`;
      if (timer) clearTimeout(timer);
      await load();
    } catch (e) {
      status.textContent = e.message;
    }
  }
  load();
  return { box, start };
}
