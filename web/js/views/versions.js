// Dataset versions on the project dashboard (POST /projects/{id}/versions):
// a form for a new immutable snapshot (name, train/dev/test shares, keep each
// contributor in one split, seed) and the versions with their counts per
// split, the dataset card, the Croissant description and downloads of any
// split in any dataset format.
import { h, clear, when, toast, field, showFormError, clearFormErrors } from '../dom.js';
import { get, post } from '../api.js';

const SPLITS = ['train', 'dev', 'test'];
const FORMATS = [['json', 'Label Studio JSON'], ['csv', 'CSV'], ['coco', 'COCO'], ['yolo', 'YOLO (zip)'], ['voc', 'Pascal VOC (zip)'], ['conll', 'CoNLL']];

/** fits(format): whether the project's config can be written in that format; the others stay listed, disabled. */
function versionItem(v, fits) {
  const m = v.manifest || {};
  const c = m.counts || {};
  const fmt = h('select', { class: 'input', id: `version-${v.id}-format`, name: 'format' }, FORMATS.map(([f, label]) =>
    h('option', { value: f, disabled: !fits(f) }, fits(f) ? label : `${label}: not for this project`)));
  fmt.value = (FORMATS.find(([f]) => fits(f)) || FORMATS[0])[0];
  const split = h('select', { class: 'input', id: `version-${v.id}-split`, name: 'split' }, ['all', ...SPLITS].map((s) => h('option', { value: s }, s === 'all' ? 'All splits' : s)));
  const link = h('a', { class: 'btn', id: `version-${v.id}-download` }, 'Download', h('span', { class: 'sr-only' }, ` version ${v.name}`));
  const follow = () => { link.href = `/api/v1/versions/${v.id}/download?format=${fmt.value}&split=${split.value}`; };
  fmt.addEventListener('change', follow);
  split.addEventListener('change', follow);
  follow();
  const erased = m.erased_since_previous || {};
  return h('li', { class: 'version', dataset: { id: String(v.id) } },
    h('div', { class: 'export-job-head' }, h('strong', null, v.name), ' ',
      h('span', { class: 'muted small' }, h('time', { datetime: v.created_at }, when(v.created_at)), ` · grouped by ${m.group_by} · ${m.contributors} contributors`)),
    h('table', { class: 'table compact' },
      h('caption', { class: 'sr-only' }, `Tasks and annotations per split of ${v.name}`),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Split'), h('th', { scope: 'col' }, 'Tasks'), h('th', { scope: 'col' }, 'Annotations'))),
      h('tbody', null, SPLITS.map((s) => h('tr', null, h('th', { scope: 'row' }, s), h('td', null, String((c[s] || {}).tasks || 0)), h('td', null, String((c[s] || {}).annotations || 0)))))),
    erased.submissions || erased.withdrawals ? h('p', { class: 'small' }, `Left out since the previous version: ${erased.submissions} erased submissions of ${erased.withdrawals} withdrawn contributors.`) : null,
    h('p', { class: 'small' }, 'Config SHA-256 ', h('code', { title: m.config_sha256 }, (m.config_sha256 || '').slice(0, 12)), '…'),
    h('div', { class: 'export-menu', role: 'group', 'aria-label': `Download version ${v.name}` },
      h('label', { for: fmt.id }, 'Format'), fmt, h('label', { for: split.id }, 'Split'), split, link,
      h('a', { class: 'btn', href: v.card_url }, 'Dataset card', h('span', { class: 'sr-only' }, ` of ${v.name}`)),
      h('a', { class: 'btn', href: v.croissant_url }, 'Croissant', h('span', { class: 'sr-only' }, ` description of ${v.name}`))));
}

/** The panel (a section); it loads its list itself. fits(format): see versionItem (all fit when absent). */
export function versionsPanel(project, fits = () => true) {
  const list = h('ul', { class: 'export-jobs', id: 'versions-list' });
  const num = (name, value) => h('input', { class: 'input', type: 'number', name, id: `version-${name}`, min: '0', max: '1', step: '0.05', value });
  const train = num('train', '0.8');
  const dev = num('dev', '0.1');
  const test = num('test', '0.1');
  const name = h('input', { class: 'input', name: 'name', id: 'version-name', required: true, maxlength: '100', placeholder: 'v1' });
  const byContributor = h('input', { type: 'checkbox', id: 'version-by-contributor', name: 'group_by' });
  const seed = h('input', { class: 'input', type: 'number', name: 'seed', id: 'version-seed', value: '0', step: '1' });
  const form = h('form', { class: 'version-form', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Name', name),
    h('fieldset', { class: 'split-shares' }, h('legend', null, 'Split shares (add up to 1)'),
      field('Train', train), field('Dev', dev), field('Test', test)),
    h('label', { class: 'check', for: byContributor.id }, byContributor, 'Keep each contributor in one split (speaker-disjoint)'),
    field('Seed', seed, 'The same seed and data give the same splits.'),
    h('button', { type: 'submit', class: 'btn primary' }, 'Create version'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    try {
      const v = await post(`/projects/${project.id}/versions`, {
        name: name.value.trim(),
        split: { train: Number(train.value), dev: Number(dev.value), test: Number(test.value) },
        group_by: byContributor.checked ? 'contributor' : 'task',
        seed: Number(seed.value) || 0,
      });
      toast(`Version ${v.name} created.`, 'ok');
      name.value = '';
      train.value = '0.8';
      dev.value = '0.1';
      test.value = '0.1';
      await load();
    } catch (err) {
      showFormError(form, err.field && ['train', 'dev', 'test'].includes(err.field) ? err : { ...err, field: err.field === 'split' ? 'train' : err.field });
    }
  });
  const box = h('section', { class: 'card panel versions-panel', 'aria-labelledby': 'versions-title' },
    h('h2', { id: 'versions-title' }, 'Dataset versions'),
    h('p', { class: 'muted' }, 'A version freezes which tasks and accepted answers go into train, dev and test. Every file written from it keeps its bytes and SHA-256, so a training run can name exactly what it read.'),
    form, list);

  async function load() {
    try {
      const { items } = await get(`/projects/${project.id}/versions`);
      clear(list);
      if (!items.length) list.append(h('li', { class: 'muted' }, 'No versions yet.'));
      list.append(...items.map((v) => versionItem(v, fits)));
    } catch (e) {
      clear(list);
      list.append(h('li', { class: 'form-error' }, e.message));
    }
  }
  load();
  return box;
}
