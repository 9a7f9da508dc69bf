// Cloud storage (S3) import on the project dashboard: the project's buckets
// with their last sync (counts, errors in words), Sync now, Edit, Remove, and
// a form to add or change one. The keys are sent once and never shown again
// (the API returns the access key masked). Loaded with import() when the
// dashboard shows it.
import { h, clear, when, toast, showFormError, clearFormErrors } from '../dom.js';
import { get, post, patch, del } from '../api.js';

const BADGE = { done: 'badge-accepted', queued: 'badge-pending', running: 'badge-pending', failed: 'badge-rejected', never: '' };
const FIELDS = [
  ['endpoint', 'Endpoint', 'url', 'https://s3.eu-west-1.amazonaws.com', 'The S3 address: AWS, MinIO, Ceph, R2… (http:// or https://).'],
  ['bucket', 'Bucket', 'text', 'my-images', ''],
  ['prefix', 'Prefix (folder)', 'text', 'batch-1/', 'Only keys that start with it; empty for the whole bucket.'],
  ['region', 'Region', 'text', 'us-east-1', 'Empty means us-east-1.'],
  ['access_key', 'Access key ID', 'text', '', ''],
  ['secret_key', 'Secret access key', 'password', '', 'Stored for the sync and never shown again.'],
  ['title', 'Name (optional)', 'text', '', ''],
];

function timeEl(t) {
  return t ? h('time', { datetime: t }, when(t)) : '—';
}

/** One line about a source's last sync, for people. */
export function syncSummary(s) {
  const l = s.last_sync || {};
  if (l.status === 'never') return 'Not synced yet.';
  const counts = `${l.listed} listed, ${l.created} new task${l.created === 1 ? '' : 's'}, ${l.skipped} skipped`;
  if (l.status === 'queued') return 'Waiting to sync…';
  if (l.status === 'running') return `Syncing… ${counts} so far.`;
  if (l.status === 'failed') return `Failed: ${l.error || 'no reason given'} (${counts} before it stopped).`;
  return `Done: ${counts}.${l.error ? ` ${l.error}` : ''}`;
}

/** The panel (a section); it loads its list itself. */
export function storagePanel(project) {
  const id = project.id;
  const status = h('p', { class: 'muted small storage-status', role: 'status', 'aria-live': 'polite' });
  const list = h('div', { class: 'storage-list' });
  let editing = null; // the source the form changes, or null: a new one
  const form = sourceForm();
  const box = h('section', { class: 'card panel storage-panel', 'aria-labelledby': 'storage-heading' },
    h('h2', { id: 'storage-heading', tabindex: '-1' }, 'Cloud storage (S3)'),
    h('p', { class: 'muted' }, 'Tasks from a bucket: each image, audio or video object under the prefix becomes one task, and each .json object one task with its content as the data. Sync again at any time: an object is never made a task twice.'),
    status, list, form);

  async function load() {
    let res;
    try {
      res = await get(`/projects/${id}/storage`);
    } catch (e) {
      clear(list).append(h('p', { class: 'form-error' }, e.message));
      return [];
    }
    const items = res.items || [];
    clear(list);
    if (!items.length) {
      list.append(h('p', { class: 'muted storage-empty' }, 'No bucket yet. Add one below.'));
      return items;
    }
    list.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table stack compact storage-sources' },
      h('caption', { class: 'sr-only' }, 'Buckets this project imports from'),
      h('thead', null, h('tr', null, ['Name', 'Bucket and prefix', 'Tasks', 'Last sync', 'Manage'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, items.map(row)))));
    return items;
  }

  function row(s) {
    const l = s.last_sync || {};
    const sync = h('button', { type: 'button', class: 'btn small primary', dataset: { sync: s.id }, 'aria-label': `Sync now: ${s.title}` }, 'Sync now');
    sync.addEventListener('click', () => syncNow(s, sync));
    const edit = h('button', { type: 'button', class: 'btn small', dataset: { edit: s.id }, 'aria-label': `Edit: ${s.title}` }, 'Edit');
    edit.addEventListener('click', () => startEdit(s));
    const remove = h('button', { type: 'button', class: 'btn small danger-outline', dataset: { remove: s.id }, 'aria-label': `Remove: ${s.title}` }, 'Remove');
    remove.addEventListener('click', () => removeSource(s, remove));
    return h('tr', { dataset: { source: s.id, state: l.status } },
      h('td', { 'data-label': 'Name' }, s.title),
      h('td', { 'data-label': 'Bucket and prefix', class: 'storage-where' }, h('code', null, `${s.bucket}/${s.prefix}`), h('span', { class: 'muted small' }, ` · ${s.endpoint} · key ${s.access_key}`)),
      h('td', { 'data-label': 'Tasks', class: 'num' }, String(s.tasks ?? 0)),
      h('td', { 'data-label': 'Last sync', class: 'storage-sync' },
        h('span', { class: `badge ${BADGE[l.status] || ''}` }, l.status || 'never'), ' ',
        h('span', { class: l.status === 'failed' ? 'storage-error' : 'storage-result' }, syncSummary(s)),
        l.finished_at ? h('span', { class: 'muted small' }, ' ', timeEl(l.finished_at)) : null),
      h('td', { 'data-label': 'Manage', class: 'row-actions' }, h('span', { class: 'storage-buttons' }, sync, edit, remove)));
  }

  async function syncNow(s, btn) {
    btn.disabled = true;
    status.textContent = `Syncing ${s.title}…`;
    let now = null;
    try {
      // the server queues the sync and runs it in the background; its counts grow page by page
      now = await post(`/projects/${id}/storage/${s.id}/sync`);
      while (now && (now.last_sync.status === 'queued' || now.last_sync.status === 'running')) {
        await new Promise((r) => setTimeout(r, 1000));
        if (!box.isConnected) return;
        const res = await get(`/projects/${id}/storage`);
        now = (res.items || []).find((x) => x.id === s.id);
        if (now) status.textContent = `${s.title}: ${syncSummary(now)}`;
      }
      if (now && now.last_sync.status === 'failed') {
        toast(`The sync of ${s.title} failed.`, 'error');
      } else if (now) {
        const made = now.last_sync.created;
        toast(`${made} new task${made === 1 ? '' : 's'} from ${s.title}.`, 'ok');
      }
      status.textContent = now ? `${s.title}: ${syncSummary(now)}` : `${s.title} was removed.`;
    } catch (e) {
      status.textContent = `${s.title}: the sync failed: ${e.message}`;
      toast(e.message, 'error');
    }
    await load();
    list.querySelector(`[data-sync="${s.id}"]`)?.focus();
  }

  async function removeSource(s, btn) {
    if (!confirm(`Remove ${s.title}? Its tasks stay, but their files can no longer be loaded from the bucket.`)) return;
    btn.disabled = true;
    try {
      await del(`/projects/${id}/storage/${s.id}`);
      if (editing && editing.id === s.id) stopEdit();
      toast('Bucket removed.', 'ok');
      status.textContent = `Removed ${s.title}.`;
      await load();
      box.querySelector('#storage-heading').focus();
    } catch (e) {
      btn.disabled = false;
      toast(e.message, 'error');
    }
  }

  function startEdit(s) {
    editing = s;
    clearFormErrors(form);
    for (const [name] of FIELDS) {
      const input = form.elements[name];
      input.value = name === 'access_key' || name === 'secret_key' ? '' : s[name] ?? '';
    }
    form.elements.access_key.placeholder = `${s.access_key} (unchanged when empty)`;
    form.elements.secret_key.placeholder = 'unchanged when empty';
    form.querySelector('h3').textContent = `Change ${s.title}`;
    form.querySelector('button[type=submit]').textContent = 'Save changes';
    form.querySelector('.storage-cancel').hidden = false;
    form.elements.endpoint.focus();
  }

  function stopEdit() {
    editing = null;
    form.reset();
    clearFormErrors(form);
    form.elements.access_key.placeholder = '';
    form.elements.secret_key.placeholder = '';
    form.querySelector('h3').textContent = 'Add a bucket';
    form.querySelector('button[type=submit]').textContent = 'Add bucket';
    form.querySelector('.storage-cancel').hidden = true;
  }

  function sourceForm() {
    const inputs = FIELDS.map(([name, label, type, placeholder, hint]) => {
      const input = h('input', { type, name, id: `storage-${name}`, class: 'input', autocomplete: type === 'password' ? 'new-password' : 'off', spellcheck: 'false', placeholder, 'aria-describedby': hint ? `storage-${name}-hint` : null });
      return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, hint ? h('p', { class: 'hint', id: `storage-${name}-hint` }, hint) : null);
    });
    const cancel = h('button', { type: 'button', class: 'btn ghost storage-cancel', hidden: true }, 'Cancel');
    const f = h('form', { class: 'stack-form storage-form', novalidate: true, 'aria-labelledby': 'storage-add-title' },
      h('h3', { id: 'storage-add-title', class: 'section-gap' }, 'Add a bucket'),
      h('p', { class: 'form-error', role: 'alert', hidden: true }),
      h('div', { class: 'grid-2 storage-fields' }, inputs),
      h('p', { class: 'muted small' }, 'The bucket is asked for one key before it is saved, so wrong keys or a wrong name are refused with S3’s reason. The keys only need to list and read objects.'),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, 'Add bucket'), cancel));
    cancel.addEventListener('click', () => {
      const was = editing;
      stopEdit();
      list.querySelector(`[data-edit="${was?.id}"]`)?.focus();
    });
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFormErrors(f);
      const body = {};
      for (const [name] of FIELDS) {
        const v = f.elements[name].value.trim();
        if (v || (!editing && name !== 'title' && name !== 'region' && name !== 'prefix')) body[name] = v;
        if (editing && (name === 'prefix' || name === 'region' || name === 'title') && v !== (editing[name] ?? '')) body[name] = v;
      }
      if (!editing) {
        for (const name of ['endpoint', 'bucket', 'access_key', 'secret_key'])
          if (!body[name]) return showFormError(f, { field: name, message: `Enter the ${FIELDS.find((x) => x[0] === name)[1].toLowerCase()}.` });
      }
      const submit = f.querySelector('button[type=submit]');
      submit.disabled = true;
      status.textContent = editing ? 'Checking the bucket and saving…' : 'Checking the bucket…';
      try {
        const s = editing ? await patch(`/projects/${id}/storage/${editing.id}`, body) : await post(`/projects/${id}/storage`, body);
        toast(editing ? 'Bucket changed.' : 'Bucket added.', 'ok');
        status.textContent = `${editing ? 'Saved' : 'Added'} ${s.title}. Press Sync now to make its objects tasks.`;
        stopEdit();
        await load();
        list.querySelector(`[data-sync="${s.id}"]`)?.focus();
      } catch (err) {
        status.textContent = '';
        showFormError(f, err);
      } finally {
        submit.disabled = false;
      }
    });
    return f;
  }

  load();
  return box;
}
