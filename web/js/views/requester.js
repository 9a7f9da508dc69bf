// Requester screens: the project list and the project editor (labeling
// config with templates and a live preview).
import { h, clear, field, money, toMinor, toMajor, showFormError, clearFormErrors, toast } from '../dom.js';
import { get, post, patch } from '../api.js';
import { markdown } from '../markdown.js';
import { TEMPLATES, sampleFor, sampleImage } from '../templates.js';
import { parseConfig, sampleData } from '../annotate/config.js';
import { Annotator } from '../annotate/annotator.js';

export const STATUS = { draft: 'Draft', live: 'Live', paused: 'Paused', closed: 'Closed' };

export async function projectsView(ctx) {
  const page = h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', null, 'Projects'), h('a', { class: 'btn primary', href: '/projects/new' }, '+ New project')));
  ctx.main.append(page);
  const res = await get('/projects?limit=200');
  if (!res.items.length) {
    page.append(h('div', { class: 'empty card' }, h('p', null, 'No projects yet.'), h('p', { class: 'muted' }, 'Start from a template: image boxes, text classification, entity spans, or comparing model answers.'), h('a', { class: 'btn primary', href: '/projects/new' }, 'Create a project')));
    return;
  }
  page.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table stack' },
    h('thead', null, h('tr', null, ['Project', 'Status', 'Tasks', 'Reward', 'Measured pay', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, res.items.map((p) => h('tr', null,
      h('td', { 'data-label': 'Project' }, h('a', { href: `/projects/${p.id}` }, p.title)),
      h('td', { 'data-label': 'Status' }, h('span', { class: `badge badge-${p.status}` }, STATUS[p.status] || p.status)),
      h('td', { 'data-label': 'Tasks' }, String(p.task_count ?? 0)),
      h('td', { 'data-label': 'Reward' }, money(p.reward, p.currency)),
      h('td', { 'data-label': 'Measured pay' }, p.hourly_estimate === null || p.hourly_estimate === undefined ? '—' : `${money(p.hourly_estimate, p.currency)}/h`),
      h('td', { class: 'row-actions' }, h('a', { href: `/projects/${p.id}/edit` }, 'Edit'), ' ', h('a', { href: `/projects/${p.id}/review` }, 'Review'))))))));
}

function localInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

const list = (text) => text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);

export async function editorView(ctx) {
  let id = ctx.params[0] || null;
  let p = id ? await get(`/projects/${id}`) : null;
  const isDraft = !p || p.status === 'draft';
  const cur = (p && p.currency) || 'USD';
  const inp = (name, attrs = {}) => h('input', { name, id: `p-${name}`, class: 'input', ...attrs });
  const title = inp('title', { required: true, value: p ? p.title : '', maxlength: '200' });
  const instructions = h('textarea', { name: 'instructions', id: 'p-instructions', class: 'input', rows: '8' }, p ? p.instructions : '');
  const instrPreview = h('div', { class: 'prose card preview-md', hidden: true });
  const previewToggle = h('button', { type: 'button', class: 'btn small', 'aria-pressed': 'false' }, 'Preview');
  previewToggle.addEventListener('click', () => {
    const on = instrPreview.hidden;
    instrPreview.innerHTML = markdown(instructions.value || '_Nothing yet._');
    instrPreview.hidden = !on;
    instructions.hidden = on;
    previewToggle.setAttribute('aria-pressed', String(on));
    previewToggle.textContent = on ? 'Edit' : 'Preview';
  });
  const config = h('textarea', { name: 'label_config', id: 'p-label_config', class: 'input code', rows: '16', spellcheck: 'false', readonly: !isDraft }, p ? p.label_config || '' : '');
  const configMsg = h('p', { class: 'config-msg', 'aria-live': 'polite' });
  const previewHost = h('div', { class: 'preview-host' });
  const reward = inp('reward', { inputmode: 'decimal', value: p ? toMajor(p.reward, cur) : '0.10', readonly: !isDraft, 'aria-describedby': 'reward-hint' });
  const currency = h('select', { name: 'currency', id: 'p-currency', class: 'input', disabled: !isDraft }, ['USD', 'EUR', 'GBP'].map((c) => h('option', { value: c, selected: c === cur }, c)));
  const overlap = inp('overlap', { type: 'number', min: '1', max: '100', value: p ? p.overlap : 1 });
  const leaseMin = inp('lease_seconds', { type: 'number', min: '1', value: p ? Math.round(p.lease_seconds / 60) : 30 });
  const maxPer = inp('max_per_contributor', { type: 'number', min: '1', value: p && p.max_per_contributor ? p.max_per_contributor : '' });
  const closes = inp('closes_at', { type: 'datetime-local', value: p && p.closes_at ? localInput(p.closes_at) : '' });
  const autoDays = inp('auto_approve_days', { type: 'number', min: '0', max: '30', value: p ? p.auto_approve_days : 3 });
  const reviewRate = inp('review_rate', { type: 'number', min: '0', max: '100', step: '1', value: p ? Math.round((p.review_rate || 0) * 100) : 100 });
  const reasons = h('textarea', { name: 'reject_reasons', id: 'p-reject_reasons', class: 'input', rows: '3' }, p ? (p.reject_reasons || []).join('\n') : 'wrong_label\nincomplete\nlow_effort');
  const el = (p && p.eligibility) || {};
  const countries = inp('countries', { value: (el.countries || []).join(', '), placeholder: 'e.g. DE, FR (empty: everyone)' });
  const languages = inp('languages', { value: (el.languages || []).join(', '), placeholder: 'e.g. en, de' });
  const rewardHint = h('p', { class: 'hint', id: 'reward-hint' });
  const updateRewardHint = () => {
    const m = toMinor(reward.value, currency.value);
    rewardHint.textContent = Number.isNaN(m) ? 'Enter an amount like 0.25.' : `${money(m, currency.value)} per submission × overlap ${overlap.value || 1} = ${money(m * (+overlap.value || 1), currency.value)} per task.`;
  };
  reward.addEventListener('input', updateRewardHint);
  overlap.addEventListener('input', updateRewardHint);
  currency.addEventListener('change', updateRewardHint);
  updateRewardHint();

  // templates + live preview
  let preview = null;
  let sample = null;
  let sampleFromTemplate = null;
  const renderPreview = () => {
    if (preview) preview.destroy();
    preview = null;
    clear(previewHost);
    config.removeAttribute('aria-invalid');
    let cfg;
    try {
      cfg = parseConfig(config.value);
    } catch (e) {
      configMsg.className = 'config-msg error';
      configMsg.textContent = e.message;
      config.setAttribute('aria-invalid', 'true');
      previewHost.append(h('p', { class: 'muted' }, 'The preview appears when the config is valid.'));
      return;
    }
    configMsg.className = 'config-msg ok';
    configMsg.textContent = `Looks good: ${cfg.objects.size} object${cfg.objects.size === 1 ? '' : 's'}, ${cfg.controls.size} control${cfg.controls.size === 1 ? '' : 's'}. The server checks it again when you save.`;
    const data = { ...sampleData(cfg, sample || (sample = sampleImage())), ...(sampleFromTemplate || {}) };
    try {
      preview = new Annotator(previewHost, { config: cfg, data });
      previewHost.append(preview.side);
    } catch (e) {
      configMsg.className = 'config-msg error';
      configMsg.textContent = e.message;
    }
  };
  let debounce;
  config.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(renderPreview, 250);
  });
  const tplButtons = TEMPLATES.map((t) => h('button', { type: 'button', class: 'template', disabled: !isDraft, dataset: { template: t.id }, onclick: () => {
    if (config.value.trim() && config.value.trim() !== (sampleFromTemplate && sampleFromTemplate.__config) && !confirm('Replace the current labeling config with this template?')) return;
    config.value = t.config;
    sampleFromTemplate = { ...sampleFor(t) };
    Object.defineProperty(sampleFromTemplate, '__config', { value: t.config.trim(), enumerable: false });
    if (!instructions.value.trim()) instructions.value = t.instructions;
    if (!title.value.trim()) title.value = t.title;
    tplButtons.forEach((b) => b.setAttribute('aria-pressed', String(b === tplButtons[TEMPLATES.indexOf(t)])));
    renderPreview();
    config.focus();
  }, 'aria-pressed': 'false' }, h('strong', null, t.title), h('span', { class: 'muted small' }, t.description)));

  const saveBtn = h('button', { type: 'submit', class: 'btn primary', name: 'save' }, p ? 'Save' : 'Create draft');
  const form = h('form', { class: 'editor', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('fieldset', { class: 'card' }, h('legend', null, 'Basics'),
      field('Title', title),
      h('div', { class: 'field' }, h('div', { class: 'label-row' }, h('label', { for: 'p-instructions' }, 'Instructions (Markdown)'), previewToggle), instructions, instrPreview)),
    h('fieldset', { class: 'card' }, h('legend', null, 'Labeling'),
      isDraft ? h('div', { class: 'templates', role: 'group', 'aria-label': 'Starter templates' }, tplButtons) : h('p', { class: 'notice' }, 'The labeling config is fixed once a project is published.'),
      h('div', { class: 'config-grid' },
        h('div', { class: 'field' }, h('label', { for: 'p-label_config' }, 'Labeling config (Label Studio XML)'), config, configMsg),
        h('div', { class: 'preview' }, h('h3', { class: 'preview-title' }, 'Live preview'), previewHost))),
    h('fieldset', { class: 'card' }, h('legend', null, 'Pay and schedule'),
      h('div', { class: 'grid-2' },
        h('div', { class: 'field' }, h('label', { for: 'p-reward' }, 'Reward per submission'), h('div', { class: 'money-input' }, reward, currency), rewardHint),
        field('Contributors per task (overlap)', overlap),
        field('Time to finish a task (minutes)', leaseMin),
        field('Max tasks per contributor', maxPer, 'Empty: no limit.'),
        field('Closes at (your local time)', closes, 'Empty: open until you close it.'),
        field('Auto-approve after (days)', autoDays, 'Unreviewed work is accepted automatically.'),
        field('Share of work to review (%)', reviewRate))),
    h('fieldset', { class: 'card' }, h('legend', null, 'Review and eligibility'),
      field('Reasons a reviewer can reject with (one per line)', reasons, 'Reviewers must pick one and write a message; contributors see both.'),
      h('div', { class: 'grid-2' }, field('Countries', countries), field('Languages', languages))),
    h('div', { class: 'actions sticky-actions' }, saveBtn, p ? h('a', { class: 'btn', href: `/projects/${p.id}` }, 'Cancel') : h('a', { class: 'btn', href: '/projects' }, 'Cancel')));

  function body() {
    const b = {
      title: title.value.trim(), instructions: instructions.value, overlap: +overlap.value || 1,
      lease_seconds: Math.max(60, Math.round((+leaseMin.value || 30) * 60)), auto_approve_days: +autoDays.value,
      review_rate: Math.min(1, Math.max(0, (+reviewRate.value || 0) / 100)), reject_reasons: list(reasons.value),
      max_per_contributor: maxPer.value ? +maxPer.value : null,
      closes_at: closes.value ? new Date(closes.value).toISOString().replace(/\.\d{3}Z$/, 'Z') : null,
      eligibility: { countries: list(countries.value).map((c) => c.toUpperCase()), languages: list(languages.value) },
    };
    if (isDraft) {
      b.kind = p ? undefined : 'annotation';
      b.label_config = config.value;
      b.reward = toMinor(reward.value, currency.value);
      b.currency = currency.value;
    }
    for (const k of Object.keys(b)) if (b[k] === undefined) delete b[k];
    return b;
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    const b = body();
    if (!b.title) return showFormError(form, { field: 'title', message: 'Give the project a title.' });
    if (isDraft && Number.isNaN(b.reward)) return showFormError(form, { field: 'reward', message: 'Enter the reward as an amount, like 0.25.' });
    saveBtn.disabled = true;
    try {
      if (p) {
        // only what changed, so a live project accepts the edit
        const changed = {};
        for (const [k, v] of Object.entries(b)) if (JSON.stringify(v) !== JSON.stringify(p[k] ?? null)) changed[k] = v;
        p = Object.keys(changed).length ? await patch(`/projects/${id}`, changed) : p;
      } else {
        p = await post('/projects', b);
        id = p.id;
        history.replaceState(null, '', `/projects/${id}/edit`);
      }
      toast('Saved.', 'ok');
      ctx.navigate(`/projects/${id}`);
    } catch (err) {
      const f = err.field ? err.field.split(/[.[]/)[0] : null;
      showFormError(form, { ...err, field: f === 'eligibility' ? 'countries' : f, message: err.message, details: err.details });
      if (f === 'label_config') {
        configMsg.className = 'config-msg error';
        configMsg.textContent = err.message;
      }
    } finally {
      saveBtn.disabled = false;
    }
  });

  ctx.main.append(h('section', { class: 'page' },
    h('p', { class: 'crumbs' }, h('a', { href: p ? `/projects/${p.id}` : '/projects' }, p ? `← ${p.title}` : '← Projects')),
    h('h1', null, p ? 'Edit project' : 'New project'), form));
  ctx.onLeave(() => preview && preview.destroy());
  if (config.value.trim()) renderPreview();
  else previewHost.append(h('p', { class: 'muted' }, 'Pick a template or paste a Label Studio config to see it here.'));
  title.focus();
}
