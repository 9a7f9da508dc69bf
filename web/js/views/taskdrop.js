// Getting data in, loaded on first use from the dashboard's import panel:
// tasks pasted as JSON, JSON Lines or CSV text, and image, audio or video
// files dropped straight in (one task each, POST /projects/{id}/files).
// A refused import names its line; the paste box then selects that line.
import { h, field, randomId } from '../dom.js';
import { api } from '../api.js';

const MEDIA = /^(image|audio|video)\//;
const MEDIA_EXT = /\.(png|jpe?g|gif|webp|bmp|tiff?|wav|mp3|ogg|oga|opus|flac|m4a|aac|webm|mp4|m4v|mov|mkv|avi)$/i;

/** True for a file the server stores as a task of its own. */
export const isMediaFile = (file) => MEDIA.test(file.type || '') || MEDIA_EXT.test(file.name || '');

/** The format of pasted text: a JSON array, JSON Lines or CSV. */
export function pastedType(text) {
  const t = text.trimStart();
  if (t.startsWith('[')) return 'application/json';
  if (t.startsWith('{')) return 'application/x-ndjson';
  return 'text/csv';
}

/** "line 3: …" → 3 (the line a refusal names), else 0. */
export function refusedLine(message) {
  const m = /\bline (\d+)/i.exec(message || '');
  return m ? Number(m[1]) : 0;
}

/** Sends files one by one; report(file, ok, text) after each. Returns the tasks made. */
export async function sendMediaFiles(projectId, files, report) {
  let made = 0;
  for (const file of files) {
    try {
      const r = await api('POST', `/projects/${projectId}/files?name=${encodeURIComponent(file.name)}`, { raw: file, contentType: file.type || 'application/octet-stream', idempotencyKey: `file-${projectId}-${file.name}-${file.size}-${file.lastModified}-${randomId(6)}`, retries: 3 });
      made++;
      report(file, true, `${file.name}: task ${r.task_id}`);
    } catch (e) {
      report(file, false, `${file.name}: ${e.message}`);
    }
  }
  return made;
}

/** The paste form: a text area, its detected format, and the server's verdict. */
export function pasteForm(projectId, onImported) {
  const area = h('textarea', { id: 'paste-tasks', name: 'tasks', rows: 6, class: 'input mono', spellcheck: 'false', placeholder: '{"text": "first task"}\n{"text": "second task"}' });
  const kind = h('span', { class: 'muted small', 'aria-live': 'polite' }, 'JSON array, JSON Lines or CSV with a header row.');
  const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const btn = h('button', { type: 'submit', class: 'btn' }, 'Import pasted tasks');
  const names = { 'application/json': 'a JSON array', 'application/x-ndjson': 'JSON Lines', 'text/csv': 'CSV' };
  area.addEventListener('input', () => {
    err.hidden = true; // a stale error goes once the text changes
    area.removeAttribute('aria-invalid');
    kind.textContent = area.value.trim() ? `Read as ${names[pastedType(area.value)]}.` : 'JSON array, JSON Lines or CSV with a header row.';
  });
  const form = h('form', { class: 'paste-form', novalidate: true, 'aria-label': 'Paste tasks', dataset: { guard: '' } }, field('Paste tasks', area), kind, err, h('div', { class: 'form-actions' }, btn));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = area.value;
    if (!text.trim()) {
      err.textContent = 'Paste at least one task first.';
      err.hidden = false;
      area.focus();
      return;
    }
    btn.disabled = true;
    try {
      const r = await api('POST', `/projects/${projectId}/tasks`, { raw: text, contentType: pastedType(text), idempotencyKey: `paste-${projectId}-${randomId(12)}`, retries: 3 });
      area.value = '';
      delete form.dataset.dirty;
      onImported(r.created);
    } catch (x) {
      err.textContent = x.message;
      err.hidden = false;
      area.setAttribute('aria-invalid', 'true');
      const line = refusedLine(x.message);
      area.focus();
      if (line > 0) { // select the refused line so it can be fixed in place
        const lines = text.split('\n');
        const start = lines.slice(0, line - 1).reduce((a, l) => a + l.length + 1, 0);
        area.setSelectionRange(start, start + (lines[line - 1] || '').length);
      }
    } finally {
      btn.disabled = false;
    }
  });
  return form;
}
