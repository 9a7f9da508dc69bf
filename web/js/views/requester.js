// Requester screens: the project list and the project editor (labeling
// config with templates and a live preview).
import { h, clear, field, money, toMinor, parseMoney, toMajor, showFormError, clearFormErrors, toast, setProse } from '../dom.js';
import { get, post, patch } from '../api.js';
import { TEMPLATES, COLLECT_TEMPLATES, sampleFor, sampleImage } from '../templates.js';
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

const LABEL_REASONS = 'wrong_label\nincomplete\nlow_effort';
const COLLECT_REASONS = 'wrong_words\npoor_quality\nnot_a_real_attempt';
// collect spec fields: [name, label, media it applies to, input attrs, hint]
const SPEC_FIELDS = [
  ['prompt_field', 'Prompt field in the task data', 'audio image video sensor', {}, 'The column of your imported tasks that holds the sentence or object to show.'],
  ['min_seconds', 'Shortest length (seconds)', 'audio video sensor', { type: 'number', min: '0', step: '0.1' }],
  ['max_seconds', 'Longest length (seconds)', 'audio video sensor', { type: 'number', min: '0.1', step: '0.1' }],
  ['min_sample_rate', 'Lowest sample rate (Hz)', 'audio', { type: 'number', min: '1000', step: '1000' }, '16000 is enough for speech recognition.'],
  ['min_width', 'Smallest width (pixels)', 'image video', { type: 'number', min: '1' }],
  ['min_height', 'Smallest height (pixels)', 'image video', { type: 'number', min: '1' }],
  ['sensors', 'Sensors to record', 'sensor', { placeholder: 'accelerometer, gyroscope, orientation' }, 'Any of accelerometer, gyroscope, orientation (empty: accelerometer).'],
  ['min_hz', 'Fewest readings a second (Hz)', 'sensor', { type: 'number', min: '1', step: '1' }, 'Phones give 50–100; empty: 20.'],
  ['max_mb', 'Largest file (MB)', 'audio image video sensor', { type: 'number', min: '0.01', step: 'any' }],
  ['formats', 'Accepted formats', 'audio image video', { placeholder: 'e.g. wav, webm, ogg (empty: any)' }, 'Browsers record WebM; faircrowd converts speech to WAV before upload when WAV is allowed.'],
];
// overrides of the server's automatic checks (src/media/media.h); empty keeps the default
const CHECK_FIELDS = [
  ['min_rms_dbfs', 'Quietest loudness (dBFS)', 'audio', -40],
  ['max_silence_ratio', 'Most silence (share 0–1)', 'audio', 0.75],
  ['max_clipping_ratio', 'Most clipped samples (share 0–1)', 'audio', 0.002],
  ['min_brightness', 'Darkest photo (mean 0–255)', 'image', 40],
  ['max_brightness', 'Brightest photo (mean 0–255)', 'image', 245],
  ['min_sharpness', 'Least sharpness (Laplacian variance)', 'image', 60],
  ['max_prompt_wer', 'Largest word error rate against the prompt (0–10)', 'audio', 0.5],
];

export async function editorView(ctx) {
  let id = ctx.params[0] || null;
  let p = id ? await get(`/projects/${id}`) : null;
  const isDraft = !p || p.status === 'draft';
  let kind = p ? p.kind || 'annotation' : ctx.query.get('kind') === 'collection' ? 'collection' : 'annotation';
  const cur = (p && p.currency) || 'USD';
  const inp = (name, attrs = {}) => h('input', { name, id: `p-${name}`, class: 'input', ...attrs });
  const title = inp('title', { required: true, value: p ? p.title : '', maxlength: '200' });
  const instructions = h('textarea', { name: 'instructions', id: 'p-instructions', class: 'input', rows: '8' }, p ? p.instructions : '');
  const instrPreview = h('div', { class: 'prose card preview-md', hidden: true });
  const previewToggle = h('button', { type: 'button', class: 'btn small', 'aria-pressed': 'false' }, 'Preview');
  // the server renders the preview, so it shows exactly what contributors will see
  let previewSeq = 0;
  previewToggle.addEventListener('click', async () => {
    const on = instrPreview.hidden;
    const seq = ++previewSeq;
    instrPreview.hidden = !on;
    instructions.hidden = on;
    previewToggle.setAttribute('aria-pressed', String(on));
    previewToggle.textContent = on ? 'Edit' : 'Preview';
    if (!on) return;
    if (!instructions.value.trim()) {
      setProse(instrPreview, '', 'Nothing yet.');
      return;
    }
    clear(instrPreview).append(h('p', { class: 'muted' }, 'Rendering the preview…'));
    instrPreview.setAttribute('aria-busy', 'true');
    try {
      const { html } = await post('/markdown', { markdown: instructions.value });
      if (seq === previewSeq) setProse(instrPreview, html, 'Nothing yet.');
    } catch (e) {
      if (seq === previewSeq) clear(instrPreview).append(h('p', { class: 'form-error', role: 'alert' }, `No preview: ${e.message}`));
    } finally {
      if (seq === previewSeq) instrPreview.removeAttribute('aria-busy');
    }
  });
  const config = h('textarea', { name: 'label_config', id: 'p-label_config', class: 'input code', rows: '16', spellcheck: 'false', readonly: !isDraft }, p ? p.label_config || '' : '');
  const configMsg = h('p', { class: 'config-msg', 'aria-live': 'polite' });
  const previewHost = h('div', { class: 'preview-host' });
  const reward = inp('reward', { inputmode: 'decimal', value: p ? toMajor(p.reward, cur) : '0.10', readonly: !isDraft, 'aria-describedby': 'reward-hint' });
  const currency = h('select', { name: 'currency', id: 'p-currency', class: 'input', 'aria-label': 'Currency', disabled: !isDraft }, ['USD', 'EUR', 'GBP'].map((c) => h('option', { value: c, selected: c === cur }, c)));
  const overlap = inp('overlap', { type: 'number', min: '1', max: '100', value: p ? p.overlap : 1 });
  const leaseMin = inp('lease_seconds', { type: 'number', min: '1', value: p ? Math.round(p.lease_seconds / 60) : 30 });
  const maxPer = inp('max_per_contributor', { type: 'number', min: '1', value: p && p.max_per_contributor ? p.max_per_contributor : '' });
  const closes = inp('closes_at', { type: 'datetime-local', value: p && p.closes_at ? localInput(p.closes_at) : '' });
  const autoDays = inp('auto_approve_days', { type: 'number', min: '0', max: '30', value: p ? p.auto_approve_days : 3 });
  const reviewRate = inp('review_rate', { type: 'number', min: '0', max: '100', step: '1', value: p ? Math.round((p.review_rate || 0) * 100) : 100 });
  const reasons = h('textarea', { name: 'reject_reasons', id: 'p-reject_reasons', class: 'input', rows: '3' }, p ? (p.reject_reasons || []).join('\n') : kind === 'collection' ? COLLECT_REASONS : LABEL_REASONS);
  const el = (p && p.eligibility) || {};
  const countries = inp('countries', { value: (el.countries || []).join(', '), placeholder: 'e.g. DE, FR (empty: everyone)' });
  const languages = inp('languages', { value: (el.languages || []).join(', '), placeholder: 'e.g. en, de' });
  const quals = inp('qualifications', { value: (el.qualifications || []).join(', '), placeholder: 'e.g. sentiment-basics (empty: none)' });
  // quality: rates as percentages like review_rate; empty thresholds mean "off"
  const pctVal = (v) => (v === null || v === undefined ? '' : String(+(v * 100).toFixed(2)));
  const goldRate = inp('gold_rate', { type: 'number', min: '0', max: '100', step: '1', value: p ? pctVal(p.gold_rate || 0) : '0' });
  const goldThreshold = inp('gold_threshold', { type: 'number', min: '0', max: '100', step: '1', value: p ? pctVal(p.gold_threshold) : '', placeholder: 'off' });
  const goldMin = inp('gold_min_answers', { type: 'number', min: '1', max: '10000', value: p && p.gold_min_answers ? p.gold_min_answers : 5 });
  const confThreshold = inp('confidence_threshold', { type: 'number', min: '0', max: '100', step: '1', value: p ? pctVal(p.confidence_threshold) : '', placeholder: 'off' });
  const maxOverlap = inp('max_overlap', { type: 'number', min: '1', max: '100', value: p && p.max_overlap ? p.max_overlap : '', placeholder: 'off' });
  const q0 = (p && p.qualification) || null;
  const qOn = h('input', { type: 'checkbox', name: 'q_enabled', id: 'q-enabled', checked: !!q0, disabled: !isDraft });
  const qGrants = h('input', { name: 'q_grants', id: 'q-grants', class: 'input', value: q0 ? q0.grants : '', placeholder: 'e.g. sentiment-basics', readonly: !isDraft, maxlength: '100' });
  const qPass = h('input', { name: 'q_pass_mark', id: 'q-pass_mark', class: 'input', type: 'number', min: '0', max: '100', step: '1', value: q0 ? pctVal(q0.pass_mark) : '80', readonly: !isDraft });
  const qRetakes = h('input', { name: 'q_retakes', id: 'q-retakes', class: 'input narrow', type: 'number', min: '0', max: '10', value: q0 ? q0.retakes : 0, readonly: !isDraft });
  const qQuestions = h('input', { name: 'q_questions', id: 'q-questions', class: 'input narrow', type: 'number', min: '1', max: '10000', value: q0 && q0.questions ? q0.questions : '', placeholder: 'all', readonly: !isDraft });
  const qWait = h('input', { name: 'q_retake_wait_hours', id: 'q-retake_wait_hours', class: 'input narrow', type: 'number', min: '0', max: '8760', step: 'any', value: q0 ? q0.retake_wait_hours || 0 : 0, readonly: !isDraft });
  const qPaid = h('input', { type: 'checkbox', name: 'q_paid', id: 'q-paid', checked: !!(q0 && q0.paid), disabled: !isDraft });
  const qFields = h('div', { class: 'q-fields' },
    h('div', { class: 'grid-2' },
      field('Qualification it grants', qGrants, 'A name; projects that list it under “Required qualifications” open to those who pass.'),
      field('Pass mark (%)', qPass, 'Share of an attempt’s questions answered right. A skipped or expired question counts as wrong.'),
      field('Questions per attempt', qQuestions, 'Empty: every question. Each attempt draws this many at random from questions the contributor has not seen.'),
      field('Retakes', qRetakes, 'Further attempts after a failed one (0 to 10). A retake never repeats a question — contributors saw the right answers — so the test needs questions per attempt × (1 + retakes) tasks.'),
      field('Hours before a retake', qWait, 'Waiting time after a failed attempt (0: none).'),
      h('div', { class: 'field' }, h('label', { class: 'check' }, qPaid, ' Pay for test answers'), h('p', { class: 'hint' }, 'An unpaid test (the default) must have reward 0.'))));
  const syncQual = () => {
    qFields.hidden = !qOn.checked;
  };
  qOn.addEventListener('change', syncQual);
  syncQual();
  const rewardHint = h('p', { class: 'hint', id: 'reward-hint' });
  const updateRewardHint = () => {
    const read = parseMoney(reward.value, currency.value);
    const m = read.minor;
    rewardHint.textContent = read.error ? read.error : `${money(m, currency.value)} per submission × overlap ${overlap.value || 1} = ${money(m * (+overlap.value || 1), currency.value)} per task.`;
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
  // the tag reference is read by few and weighs 3 KB: loaded when the editor opens, not with the app
  const tagRefHost = h('div', { class: 'tag-reference-host' });
  import('../tagref.js').then(({ tagReference }) => tagRefHost.replaceChildren(
    tagReference((xml) => { config.value = xml; config.dispatchEvent(new Event('input')); }, !isDraft)));
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

  // --- collection spec ---
  const spec0 = (p && p.collect) || COLLECT_TEMPLATES[0].collect;
  const cMedia = h('select', { name: 'c_media', id: 'c-media', class: 'input', disabled: !isDraft }, [['audio', 'Audio — speech or sounds'], ['image', 'Photos'], ['video', 'Video clips'], ['sensor', 'Motion sensors — activity recordings']].map(([v, t]) => h('option', { value: v, selected: v === spec0.media }, t)));
  const specInputs = {};
  const specVal = (spec, name) => {
    if (name === 'max_mb') return spec.max_bytes ? String(+(spec.max_bytes / 1048576).toFixed(3)) : '';
    if (name === 'formats' || name === 'sensors') return (spec[name] || []).join(', ');
    return spec[name] === undefined || spec[name] === null ? '' : String(spec[name]);
  };
  const specRow = ([name, label, media, attrs, hint]) => {
    const input = h('input', { name: `c_${name}`, id: `c-${name}`, class: 'input', readonly: !isDraft, value: specVal(spec0, name), ...attrs });
    specInputs[name] = input;
    const f = field(label, input, hint);
    f.dataset.media = media;
    return f;
  };
  const checkRow = ([name, label, media, def]) => {
    const input = h('input', { name: `c_${name}`, id: `c-${name}`, class: 'input', type: 'number', step: 'any', readonly: !isDraft, value: specVal(spec0, name), placeholder: `default ${def}` });
    specInputs[name] = input;
    const f = field(label, input);
    f.dataset.media = media;
    return f;
  };
  const verifyPrompt = h('input', { type: 'checkbox', name: 'c_verify_prompt', id: 'c-verify_prompt', checked: !!spec0.verify_prompt, disabled: !isDraft });
  const verifyRow = h('div', { class: 'field', dataset: { media: 'audio' } }, h('label', { class: 'check' }, verifyPrompt, ' Check that each recording says its prompt'),
    h('p', { class: 'hint' }, 'English speech recognition compares the clip with the prompt; a clip too far from it is refused (prompt_mismatch).'));
  const quotas = h('textarea', { name: 'c_quotas', id: 'c-quotas', class: 'input', rows: '3', readonly: !isDraft, placeholder: 'gender:female = 500\nage_band:sixties = 200' }, Object.entries(spec0.quotas || {}).map(([k, v]) => `${k} = ${v}`).join('\n'));
  const promptHint = h('p', { class: 'hint prompt-hint' });
  const collectTplButtons = COLLECT_TEMPLATES.map((t) => h('button', { type: 'button', class: 'template', disabled: !isDraft, dataset: { collectTemplate: t.id }, 'aria-pressed': 'false', onclick: () => {
    cMedia.value = t.collect.media;
    for (const [name, input] of Object.entries(specInputs)) input.value = specVal(t.collect, name);
    verifyPrompt.checked = !!t.collect.verify_prompt;
    if (!instructions.value.trim() || COLLECT_TEMPLATES.some((o) => o.instructions === instructions.value)) instructions.value = t.instructions;
    if (!title.value.trim() || COLLECT_TEMPLATES.some((o) => o.title === title.value)) title.value = t.title;
    collectTplButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.collectTemplate === t.id)));
    syncMedia();
  } }, h('strong', null, t.title), h('span', { class: 'muted small' }, t.description)));
  const syncMedia = () => {
    for (const el of collectSet.querySelectorAll('[data-media]')) el.hidden = !el.dataset.media.split(' ').includes(cMedia.value);
    const pf = specInputs.prompt_field.value.trim() || 'sentence';
    promptHint.textContent = `Import one task per prompt, e.g. a CSV with a “${pf}” column, or JSON lines like {"${pf}": "…"}.`;
  };
  cMedia.addEventListener('change', syncMedia);
  const collectSet = h('fieldset', { class: 'card collect-spec' }, h('legend', null, 'What to collect'),
    isDraft ? h('div', { class: 'templates', role: 'group', 'aria-label': 'Collection templates' }, collectTplButtons) : h('p', { class: 'notice' }, 'What to collect is fixed once a project is published.'),
    h('div', { class: 'grid-2' }, field('Media', cMedia), SPEC_FIELDS.slice(0, 1).map(specRow)),
    promptHint,
    h('div', { class: 'grid-2' }, SPEC_FIELDS.slice(1).map(specRow)),
    h('details', { class: 'advanced' }, h('summary', null, 'Automatic checks and quotas'),
      h('p', { class: 'hint' }, 'Every upload is measured; leave a field empty to keep the default.'),
      verifyRow,
      h('div', { class: 'grid-2' }, CHECK_FIELDS.map(checkRow)),
      field('Quotas (one per line)', quotas, 'Cap submissions per group of contributors who share it in their profile: gender:, age_band:, accent: or country:.')));
  specInputs.prompt_field.addEventListener('input', syncMedia);

  function collectSpec() {
    const spec = { media: cMedia.value };
    const num = (v) => (v.trim() === '' ? undefined : Number(v));
    for (const [name, input] of Object.entries(specInputs)) {
      const v = input.value.trim();
      if (!v) continue;
      if (name === 'prompt_field') spec.prompt_field = v;
      else if (name === 'formats') spec.formats = list(v).map((f) => f.toLowerCase().replace(/^\./, ''));
      else if (name === 'sensors') spec.sensors = list(v).map((f) => f.toLowerCase());
      else if (name === 'max_mb') spec.max_bytes = Math.round(num(v) * 1048576);
      else spec[name] = num(v);
    }
    const media = cMedia.value;
    if (media === 'audio' && verifyPrompt.checked) spec.verify_prompt = true;
    for (const [name, , m] of [...SPEC_FIELDS, ...CHECK_FIELDS]) if (name !== 'max_mb' && !m.split(' ').includes(media)) delete spec[name];
    const q = {};
    for (const line of quotas.value.split('\n')) {
      const m = /^\s*([a-z_]+:[^=]+?)\s*[=:]\s*(\d+)\s*$/i.exec(line);
      if (m) q[m[1].trim()] = +m[2];
    }
    if (Object.keys(q).length) spec.quotas = q;
    return spec;
  }

  const kindPicker = p ? null : h('div', { class: 'kind-picker', role: 'radiogroup', 'aria-label': 'Kind of project' },
    [['annotation', 'Label data', 'Boxes, spans, choices or ratings on data you import.'], ['collection', 'Collect recordings or photos', 'People read sentences aloud, take photos or film; every file is checked automatically.']].map(([v, t, d]) => {
      const radio = h('input', { type: 'radio', name: 'kind', value: v, checked: v === kind });
      radio.addEventListener('change', () => {
        const was = kind;
        kind = v;
        if (reasons.value === (was === 'collection' ? COLLECT_REASONS : LABEL_REASONS)) reasons.value = kind === 'collection' ? COLLECT_REASONS : LABEL_REASONS;
        syncKind();
      });
      return h('label', { class: 'kind-option' }, radio, h('span', null, h('strong', null, t), h('span', { class: 'muted small' }, d)));
    }));

  const saveBtn = h('button', { type: 'submit', class: 'btn primary', name: 'save' }, p ? 'Save' : 'Create draft');
  const form = h('form', { class: 'editor', novalidate: true, dataset: { guard: '' } },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('fieldset', { class: 'card' }, h('legend', null, 'Basics'),
      kindPicker ? h('div', { class: 'field' }, h('span', { class: 'control-label' }, 'Kind of project'), kindPicker) : null,
      field('Title', title),
      h('div', { class: 'field' }, h('div', { class: 'label-row' }, h('label', { for: 'p-instructions' }, 'Instructions (Markdown)'), previewToggle), instructions, instrPreview)),
    collectSet,
    h('fieldset', { class: 'card labeling' }, h('legend', null, 'Labeling'),
      isDraft ? h('div', { class: 'templates', role: 'group', 'aria-label': 'Starter templates' }, tplButtons) : h('p', { class: 'notice' }, 'The labeling config is fixed once a project is published.'),
      h('div', { class: 'config-grid' },
        h('div', { class: 'field' }, h('label', { for: 'p-label_config' }, 'Labeling config (Label Studio XML)'), config, configMsg,
          tagRefHost),
        h('div', { class: 'preview' }, h('h3', { class: 'preview-title' }, 'Live preview'), previewHost))),
    h('fieldset', { class: 'card' }, h('legend', null, 'Pay and schedule'),
      h('div', { class: 'grid-2' },
        h('div', { class: 'field' }, h('label', { for: 'p-reward' }, 'Reward per submission'), h('div', { class: 'money-input' }, reward, currency), rewardHint),
        field('Contributors per task (overlap)', overlap),
        field('Time to finish a task (minutes)', leaseMin),
        field('Max tasks per contributor', maxPer, 'Empty: no limit.'),
        field('Closes at (your local time)', closes, 'Empty: open until you close it.'),
        field('Auto-approve after (days)', autoDays, 'Unreviewed work is accepted automatically.'))),
    h('fieldset', { class: 'card quality-set' }, h('legend', null, 'Quality'),
      h('p', { class: 'hint' }, 'Check questions (“gold”) are tasks you import with a "gold" answer; contributors cannot tell them apart from other tasks.'),
      h('div', { class: 'grid-2' },
        field('Share of work to review (%)', reviewRate, 'Submissions sampled for a reviewer; the rest wait for auto-approval.'),
        field('Check questions mixed in (%)', goldRate, 'How often a contributor is handed a gold task instead of a regular one.'),
        field('Pause below gold accuracy (%)', goldThreshold, 'Empty: never pause. Someone is paused only when even the top of the 95% interval of their accuracy is below this — evidence, not bad luck.'),
        field('Gold answers before a pause', goldMin, 'Nobody is paused with fewer gold answers than this (default 5).'),
        field('More judgments below agreement (%)', confThreshold, 'Empty: off. When the most common answer of a task has a smaller share, the task gets one more judgment.'),
        field('Most judgments per task', maxOverlap, 'Upper limit for those extra judgments, from the overlap to 100. Fund for them.')),
      h('div', { class: 'qualification-block' },
        h('label', { class: 'check' }, qOn, ' This project is a qualification test'),
        h('p', { class: 'hint' }, 'Every task is a gold question open to every contributor; after each attempt they see their score and every right answer. Fixed once published.'),
        qFields)),
    h('fieldset', { class: 'card' }, h('legend', null, 'Review and eligibility'),
      field('Reasons a reviewer can reject with (one per line)', reasons, 'Reviewers must pick one and write a message; contributors see both.'),
      h('div', { class: 'grid-2' }, field('Countries', countries), field('Languages', languages)),
      field('Required qualifications', quals, 'Comma-separated names granted by qualification tests; contributors need all of them to see the project.')),
    h('div', { class: 'actions sticky-actions' }, saveBtn, p ? h('a', { class: 'btn', href: `/projects/${p.id}` }, 'Cancel') : h('a', { class: 'btn', href: '/projects' }, 'Cancel')));

  const fraction = (v) => (String(v).trim() === '' ? null : +(+v / 100).toFixed(4));
  function body() {
    const b = {
      title: title.value.trim(), instructions: instructions.value, overlap: +overlap.value || 1,
      lease_seconds: Math.max(60, Math.round((+leaseMin.value || 30) * 60)), auto_approve_days: +autoDays.value,
      review_rate: Math.min(1, Math.max(0, (+reviewRate.value || 0) / 100)), reject_reasons: list(reasons.value),
      max_per_contributor: maxPer.value ? +maxPer.value : null,
      closes_at: closes.value ? new Date(closes.value).toISOString().replace(/\.\d{3}Z$/, 'Z') : null,
      eligibility: { countries: list(countries.value).map((c) => c.toUpperCase()), languages: list(languages.value), qualifications: list(quals.value) },
      gold_rate: fraction(goldRate.value) ?? 0, gold_threshold: fraction(goldThreshold.value),
      gold_min_answers: +goldMin.value || 5, confidence_threshold: fraction(confThreshold.value),
      max_overlap: maxOverlap.value.trim() ? +maxOverlap.value : null,
    };
    if (kind !== 'collection' && isDraft) {
      if (qOn.checked) b.qualification = { grants: qGrants.value.trim(), pass_mark: fraction(qPass.value) ?? 0, questions: qQuestions.value.trim() ? +qQuestions.value : null, retakes: +qRetakes.value || 0, retake_wait_hours: +qWait.value || 0, paid: qPaid.checked };
      else b.qualification = p && p.qualification ? null : undefined;
    }
    if (isDraft) {
      b.kind = p ? undefined : kind;
      if (kind === 'collection') b.collect = collectSpec();
      else b.label_config = config.value;
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
    if (isDraft && Number.isNaN(b.reward)) return showFormError(form, { field: 'reward', message: parseMoney(reward.value, currency.value).error || 'Enter the reward as an amount, like 0.25.' });
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
      delete form.dataset.dirty;
      ctx.navigate(`/projects/${id}`);
    } catch (err) {
      let f = err.field ? err.field.split(/[.[]/)[0] : null;
      if (f === 'collect') {
        const sub = err.field.split('.')[1] || 'media';
        f = sub === 'max_bytes' ? 'c_max_mb' : `c_${sub}`;
        form.querySelector('.collect-spec details').open = !!form.querySelector(`.collect-spec details [name="${f}"]`);
      }
      if (f === 'qualification') f = `q_${err.field.split('.')[1] || 'grants'}`;
      if (f === 'eligibility') f = err.field.split('.')[1] === 'qualifications' ? 'qualifications' : err.field.split('.')[1] === 'languages' ? 'languages' : 'countries';
      showFormError(form, { ...err, field: f, message: err.message, details: err.details });
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
  function syncKind() {
    collectSet.hidden = kind !== 'collection';
    form.querySelector('.labeling').hidden = kind === 'collection';
    form.querySelector('.qualification-block').hidden = kind === 'collection';
  }
  syncKind();
  syncMedia();
  ctx.onLeave(() => preview && preview.destroy());
  if (config.value.trim()) renderPreview();
  else previewHost.append(h('p', { class: 'muted' }, 'Pick a template or paste a Label Studio config to see it here.'));
  title.focus();
}
