// Quality screens: a requester's contributors panel (table + gold accuracy
// chart), agreement and aggregated labels; a contributor's own gold figures,
// the paused notice, and the result of a qualification test.
import { h, s, clear, duration, when, toast } from '../dom.js';
import { get, post } from '../api.js';
import { stat, pct, asWords } from './shared.js';

const num = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));

/** A normalised answer ({control: value}) as text. */
export function answerText(a) {
  if (a === null || a === undefined) return 'no answer';
  if (typeof a !== 'object' || Array.isArray(a)) return valueText(a);
  const keys = Object.keys(a);
  if (!keys.length) return 'no answer';
  if (keys.length === 1) return valueText(a[keys[0]]);
  return keys.map((k) => `${asWords(k)}: ${valueText(a[k])}`).join('; ');
}

function valueText(v) {
  if (v === null || v === undefined) return 'no answer';
  if (Array.isArray(v)) return v.join(', ');
  if (v && Array.isArray(v.boxes)) return regionsText(v.boxes, 'box', 'boxes', (b) => `${b.label || 'box'} at ${Math.round(b.x)},${Math.round(b.y)} (${Math.round(b.width)}×${Math.round(b.height)}%)`);
  if (v && Array.isArray(v.spans)) return regionsText(v.spans, 'span', 'spans', (x) => `${x.label || 'span'} ${x.start}–${x.end}`);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** '2 boxes: car at 10,10 (20×20%); person at …' — or 'nothing marked'. */
function regionsText(list, one, many, fmt) {
  if (!list.length) return 'nothing marked';
  return `${list.length} ${list.length === 1 ? one : many}: ${list.map(fmt).join('; ')}`;
}

/** '2 of 3 right (67%, 95% interval 21–94%)' */
export function goldSummary(q) {
  if (!q || !q.gold_answered) return 'No check questions answered yet.';
  return `${q.gold_correct} of ${q.gold_answered} right (${pct(q.accuracy)}; 95% interval ${pct(q.ci_low)}–${pct(q.ci_high)})`;
}

/** The evidence behind a pause, as a definition list. */
function evidenceList(ev, q) {
  const e = ev || {};
  const answered = e.gold_answered ?? (q && q.gold_answered);
  const correct = e.gold_correct ?? (q && q.gold_correct);
  const rows = [
    ['Check questions answered', answered ?? '—'],
    ['Answered right', correct ?? '—'],
    ['Your accuracy', pct(e.accuracy ?? (q && q.accuracy))],
    ['95% interval', `${pct(e.ci_low ?? (q && q.ci_low))} – ${pct(e.ci_high ?? (q && q.ci_high))}`],
    ['Required', pct(e.threshold ?? (q && q.gold_threshold))],
  ];
  if (e.min_answers ?? (q && q.gold_min_answers)) rows.push(['Pausing needs at least', `${e.min_answers ?? q.gold_min_answers} answers`]);
  return h('dl', { class: 'facts evidence' }, rows.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, String(v)))));
}

/** The box a paused contributor sees: the reason and the evidence. */
export function pausedBox(reason, q) {
  return h('div', { class: 'card paused-box', role: 'alert' },
    h('h2', null, 'You are paused on this project'),
    h('p', { class: 'paused-reason' }, reason || (q && q.reason) || 'Your answers to the check questions were below what this project requires.'),
    evidenceList(q && q.evidence, q),
    h('p', { class: 'muted small' }, q && q.paused_at ? `Paused ${when(q.paused_at)}. ` : '', 'Work you already submitted is not affected. The project owner can lift the pause; your count then starts afresh.'));
}

/** A contributor's own gold figures on a project: a small card, or null when there is nothing to say. */
export function myQualityCard(q) {
  if (!q || (!q.gold_answered && !q.paused)) return null;
  return h('div', { class: 'card my-quality' },
    h('div', { class: 'stat-label' }, 'Your accuracy on check questions'),
    h('div', { class: 'stat-value' }, pct(q.accuracy)),
    h('p', { class: 'muted small' }, goldSummary(q), q.gold_threshold !== null && q.gold_threshold !== undefined ? ` · this project requires ${pct(q.gold_threshold)}` : ''));
}

/** Projects (visible to the caller) that require qualification `name`. */
async function unlockedBy(name, exceptId) {
  try {
    const res = await get('/projects?limit=200');
    const want = String(name).toLowerCase();
    return res.items.filter((p) => String(p.id) !== String(exceptId) && ((p.eligibility && p.eligibility.qualifications) || []).some((x) => String(x).toLowerCase() === want));
  } catch {
    return [];
  }
}

/** The scored test: score, pass mark, passed, and every answer. */
export async function resultCard(project, r, ctx) {
  const box = h('div', { class: 'test-result' });
  const passed = !!r.passed;
  box.append(h('div', { class: `card result-head ${passed ? 'passed' : 'failed'}` },
    h('p', { class: 'result-verdict' }, h('span', { class: `badge ${passed ? 'badge-accepted' : 'badge-rejected'}` }, passed ? 'Passed' : 'Not passed')),
    h('div', { class: 'stat-grid result-stats' },
      stat('Your score', pct(r.score), `${r.correct} of ${r.questions} right${r.skipped ? ` · ${r.skipped} skipped` : ''}`),
      stat('Attempt', `${r.attempt || 1} of ${r.attempts_allowed || 1}`),
      stat('Pass mark', pct(r.pass_mark)),
      stat('Qualification', r.grants || '—', passed ? 'Granted to you' : 'Not granted'))));
  if (passed && r.grants) {
    const unlocks = await unlockedBy(r.grants, project.id);
    box.append(h('div', { class: 'notice ok unlocks' },
      h('p', null, `You now hold the qualification “${r.grants}”. `, unlocks.length ? 'It opens these projects to you:' : `Other projects requiring “${r.grants}” are now open to you.`),
      unlocks.length ? h('ul', null, unlocks.map((p) => h('li', null, h('a', { href: `/work/${p.id}` }, p.title)))) : null,
      h('p', null, h('a', { href: '/work' }, 'Find work →'))));
  } else if (!passed) {
    box.append(retakeBlock(project, r, ctx));
  }
  const wrong = (r.answers || []).filter((a) => !a.correct).length;
  box.append(h('h2', null, 'Your answers'), h('p', { class: 'muted' }, wrong ? `${wrong} wrong answer${wrong === 1 ? '' : 's'}, highlighted below with the correct one.` : 'Every answer was right.'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table stack answers' },
      h('thead', null, h('tr', null, ['Question', 'Your answer', 'Correct answer', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, (r.answers || []).map((a, i) => h('tr', { class: `${a.correct ? 'answer-right' : 'answer-wrong'}${a.skipped ? ' answer-skipped' : ''}`, dataset: { task: a.task_id } },
        h('td', { 'data-label': 'Question' }, `${i + 1}`),
        h('td', { 'data-label': 'Your answer', class: 'your-answer' }, a.skipped ? h('em', null, 'Skipped (returned or time ran out)') : a.correct ? answerText(a.your_answer) : h('s', null, answerText(a.your_answer))),
        h('td', { 'data-label': 'Correct answer', class: 'correct-answer' }, answerText(a.correct_answer)),
        h('td', { 'data-label': 'Result' }, h('span', { class: `badge ${a.correct ? 'badge-accepted' : 'badge-rejected'}` }, a.correct ? '✓ Right' : '✗ Wrong'))))))),
    h('p', { class: 'muted small' }, r.scored_at ? `Attempt ${r.attempt || 1} scored ${when(r.scored_at)}.` : ''));
  if ((r.history || []).length > 1) {
    box.append(h('h2', null, 'Your attempts'), h('ol', { class: 'attempts' }, r.history.map((x) =>
      h('li', null, `${pct(x.score)} — `, h('span', { class: `badge ${x.passed ? 'badge-accepted' : 'badge-rejected'}` }, x.passed ? 'Passed' : 'Not passed'), ` · ${when(x.scored_at)}`))));
  }
  return box;
}

/** What a contributor who did not pass can do next: retake, wait, or not. */
function retakeBlock(project, r, ctx) {
  const rt = r.retake || { available: false, code: 'no_retakes_left' };
  const box = h('div', { class: 'notice retake' });
  const needed = `You needed ${pct(r.pass_mark)}.`;
  if (rt.available) {
    const left = r.retakes_left;
    const btn = h('button', { type: 'button', class: 'btn primary retake-btn' }, `Retake the test (${left} ${left === 1 ? 'retake' : 'retakes'} left)`);
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        await post(`/projects/${project.id}/qualification/retake`);
        ctx.navigate(`/work/${project.id}/task`);
      } catch (e) {
        btn.disabled = false;
        toast(e.message, 'error');
      }
    });
    box.append(h('p', null, `${needed} A retake asks new questions you have not seen; the answers below are for study.`), btn);
  } else if (rt.code === 'retake_not_yet') {
    box.append(h('p', null, `${needed} You can retake the test from ${when(rt.at)}, with new questions. Until then, the answers below show what was expected.`));
  } else if (rt.code === 'test_not_finished' && r.in_progress) {
    box.append(h('p', null, `Attempt ${r.in_progress.attempt} is under way: ${r.in_progress.answered} of ${r.in_progress.questions} answered.`),
      h('a', { class: 'btn primary', href: `/work/${project.id}/task` }, 'Continue the test'));
  } else if (rt.code === 'no_questions_left') {
    box.append(h('p', null, `${needed} The test has no questions left that you have not seen, so this result stands.`));
  } else {
    box.append(h('p', null, `${needed} You have used ${r.attempts_allowed > 1 ? `all ${r.attempts_allowed} attempts` : 'the one attempt this test allows'}, so this result stands; the answers below show what was expected.`));
  }
  return box;
}

/** /work/:id/result — a qualification test's result page. */
export async function qualificationResultView(ctx) {
  const id = ctx.params[0];
  const p = await get(`/projects/${id}`);
  const page = h('section', { class: 'page narrow' },
    h('p', { class: 'crumbs' }, h('a', { href: `/work/${id}` }, `← ${p.title}`)),
    h('h1', null, 'Your test result'));
  ctx.main.append(page);
  try {
    const r = await get(`/projects/${id}/qualification/result`);
    if (!ctx.isCurrent()) return;
    page.append(await resultCard(p, r, ctx));
  } catch (e) {
    if (e.code === 'test_not_finished') page.append(h('div', { class: 'empty card' }, h('p', null, 'You have not answered every question of this test yet.'), h('a', { class: 'btn primary', href: `/work/${id}/task` }, 'Continue the test')));
    else if (e.status === 404) page.append(h('p', { class: 'notice' }, 'This project is not a qualification test.'));
    else throw e;
  }
}

// ---------------------------------------------------------------- requester

/** Gold accuracy per contributor with 95% interval whiskers (inline SVG). */
export function goldChart(items, threshold) {
  const rows = items.filter((c) => c.gold_answered);
  if (!rows.length) return h('p', { class: 'muted chart-empty' }, 'No gold answers yet: import tasks with a "gold" answer and set a gold rate to measure accuracy.');
  const W = 600;
  const L = 150;
  const R = 56;
  const RH = 26;
  const top = 18;
  const H = top + rows.length * RH + 6;
  const x = (v) => L + v * (W - L - R);
  const name = (c) => {
    const n = c.display_name || `#${c.user_id}`;
    return n.length > 20 ? `${n.slice(0, 19)}…` : n;
  };
  const svg = s('svg', { class: 'chart-gold', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Gold accuracy per contributor: ${rows.map((c) => `${c.display_name || c.user_id} ${pct(c.gold_accuracy)} (${pct(c.gold_ci_low)}–${pct(c.gold_ci_high)})`).join('; ')}` });
  for (const t of [0, 0.5, 1]) {
    svg.append(s('line', { x1: x(t), x2: x(t), y1: top - 4, y2: H - 4, class: 'grid-line' }), s('text', { x: x(t), y: 11, 'text-anchor': 'middle', class: 'bar-label' }, `${t * 100}%`));
  }
  if (threshold !== null && threshold !== undefined) {
    svg.append(s('line', { x1: x(threshold), x2: x(threshold), y1: top - 4, y2: H - 4, class: 'threshold-line' }, s('title', null, `Pause threshold ${pct(threshold)}`)));
  }
  rows.forEach((c, i) => {
    const y = top + i * RH + RH / 2;
    const color = c.paused ? '#e11d48' : '#4338ca';
    svg.append(
      s('text', { x: 0, y: y + 4, class: 'bar-label' }, name(c)),
      s('line', { x1: x(c.gold_ci_low), x2: x(c.gold_ci_high), y1: y, y2: y, stroke: color, 'stroke-width': 2 }),
      s('line', { x1: x(c.gold_ci_low), x2: x(c.gold_ci_low), y1: y - 6, y2: y + 6, stroke: color, 'stroke-width': 2 }),
      s('line', { x1: x(c.gold_ci_high), x2: x(c.gold_ci_high), y1: y - 6, y2: y + 6, stroke: color, 'stroke-width': 2 }),
      s('circle', { cx: x(c.gold_accuracy), cy: y, r: 5, fill: color }, s('title', null, `${c.display_name}: ${c.gold_correct} of ${c.gold_answered} (${pct(c.gold_accuracy)}; 95% interval ${pct(c.gold_ci_low)}–${pct(c.gold_ci_high)})`)),
      s('text', { x: W - R + 8, y: y + 4, class: 'bar-value' }, pct(c.gold_accuracy)));
  });
  return h('figure', { class: 'chart' }, h('figcaption', null, 'Gold accuracy', h('span', { class: 'muted' }, ' · dot: accuracy, whiskers: 95% interval', threshold !== null && threshold !== undefined ? `, dashed: pause below ${pct(threshold)}` : '')), svg);
}

/** The contributors panel: chart, table and Unpause buttons. */
export async function contributorsPanel(project) {
  const id = project.id;
  const box = h('section', { class: 'card panel contributors-panel' }, h('h2', null, 'Contributors'));
  const fill = async () => {
    let res;
    try {
      res = await get(`/projects/${id}/contributors`);
    } catch (e) {
      clear(box).append(h('h2', null, 'Contributors'), h('p', { class: 'form-error' }, e.message));
      return;
    }
    clear(box).append(h('h2', null, 'Contributors'));
    const items = res.items || [];
    if (!items.length) {
      box.append(h('p', { class: 'muted' }, 'Nobody has submitted work yet.'));
      return;
    }
    box.append(h('p', { class: 'muted' }, 'Gold accuracy comes from check questions (tasks imported with a "gold" answer); agreement is the share of answers equal to the majority; Dawid-Skene accuracy is estimated from everyone’s answers.'));
    box.append(goldChart(items, project.gold_threshold));
    const unpause = async (c, btn) => {
      btn.disabled = true;
      try {
        await post(`/projects/${id}/contributors/${c.user_id}/unpause`);
        toast(`${c.display_name || 'Contributor'} can work again.`, 'ok');
        await fill();
      } catch (e) {
        toast(e.message, 'error');
        btn.disabled = false;
      }
    };
    box.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table stack compact contributors' },
      h('thead', null, h('tr', null, ['Contributor', 'Submissions', 'Rejected', 'Median time', 'Gold accuracy', 'Agreement', 'DS accuracy', 'Status'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, items.map((c) => {
        const btn = c.paused ? h('button', { type: 'button', class: 'btn small', dataset: { unpause: c.user_id } }, 'Unpause') : null;
        if (btn) btn.addEventListener('click', () => unpause(c, btn));
        return h('tr', { class: c.paused ? 'row-paused' : null, dataset: { user: c.user_id } },
          h('td', { 'data-label': 'Contributor' }, c.display_name || `#${c.user_id}`),
          h('td', { 'data-label': 'Submissions', class: 'num' }, String(c.submissions)),
          h('td', { 'data-label': 'Rejected', class: 'num' }, `${c.rejected} (${pct(c.rejection_rate)})`),
          h('td', { 'data-label': 'Median time', class: 'num' }, duration(c.median_active_seconds)),
          h('td', { 'data-label': 'Gold accuracy', class: 'num' }, c.gold_answered ? h('span', null, `${pct(c.gold_accuracy)} `, h('span', { class: 'muted small' }, `${c.gold_correct}/${c.gold_answered} · ${pct(c.gold_ci_low)}–${pct(c.gold_ci_high)}`)) : '—'),
          h('td', { 'data-label': 'Agreement', class: 'num' }, c.agreement_tasks ? h('span', null, `${pct(c.agreement)} `, h('span', { class: 'muted small' }, `${c.agreement_tasks} tasks`)) : '—'),
          h('td', { 'data-label': 'DS accuracy', class: 'num' }, pct(c.ds_accuracy), confusionChart(c.ds_confusion, res.ds_labels || [], c.display_name)),
          h('td', { 'data-label': 'Status', class: 'status-cell' }, c.paused
            ? h('div', { class: 'paused-cell' }, h('span', { class: 'badge badge-rejected' }, 'Paused'), h('p', { class: 'small pause-reason' }, c.pause_reason || ''), btn)
            : h('span', { class: 'badge badge-live' }, 'Active')));
      })))));
  };
  await fill();
  return box;
}

/** A contributor's Dawid-Skene confusion matrix as a small heat map: row =
 * the true label, column = their answer, darker = more likely; rows with
 * little evidence are faded. Hover (title) gives the figures. */
export function confusionChart(m, labels, who) {
  const K = labels.length;
  if (!m || !K || K > 8) return null;
  const C = 14, pad = 2;
  const svg = s('svg', { class: 'confusion', width: K * C + pad * 2, height: K * C + pad * 2, viewBox: `0 0 ${K * C + pad * 2} ${K * C + pad * 2}`, role: 'img', 'aria-label': `Confusion matrix of ${who || 'this contributor'}: rows are true labels, columns their answers` });
  for (let k = 0; k < K; k++) {
    const evidence = m.n[k] || 0;
    for (let l = 0; l < K; l++) {
      const p = m.rows[k][l];
      const cell = s('rect', { x: pad + l * C, y: pad + k * C, width: C - 1, height: C - 1, fill: k === l ? '#4338ca' : '#be123c', 'fill-opacity': (0.08 + 0.92 * p) * (evidence >= 1 ? 1 : 0.35) });
      cell.append(s('title', null, `true “${labels[k]}” → answered “${labels[l]}”: ${pct(p)} (${evidence.toFixed(1)} tasks of that kind)`));
      svg.append(cell);
    }
  }
  return h('div', { class: 'confusion-wrap' }, svg);
}

/** Agreement figures and the Dawid-Skene labels (first 50). */
export async function labelsPanel(project, stats) {
  const a = (stats && stats.agreement) || {};
  const box = h('section', { class: 'card panel labels-panel' }, h('h2', null, 'Agreement and labels'),
    h('div', { class: 'stat-grid' },
      stat('Krippendorff’s alpha', num(a.alpha_nominal), 'Nominal; 1 is perfect, 0 is chance'),
      stat('Fleiss’ kappa', num(a.fleiss_kappa), a.fleiss_kappa === null || a.fleiss_kappa === undefined ? 'Needs the same number of judgments per task' : 'Across all tasks'),
      stat('Judgments', String(a.judgments ?? 0), `${a.tasks ?? 0} tasks · ${a.contributors ?? 0} contributors`)));
  const cfg = project.label_config || '';
  const has = (tag) => new RegExp(`<${tag}[\\s/>]`).test(cfg);
  const initial = has('Choices') || has('Rating') || has('Pairwise') ? 'ds' : has('RectangleLabels') ? 'boxes' : has('Labels') ? 'spans' : has('TextArea') ? 'text' : has('Number') ? 'median' : 'ds';
  const select = h('select', { class: 'input narrow', name: 'labels_method', 'aria-label': 'Aggregation method' },
    Object.entries(METHODS).map(([v, t]) => h('option', { value: v, selected: v === initial }, t)));
  const out = h('div', { class: 'labels-out' });
  box.append(h('div', { class: 'labels-head' }, h('label', null, 'Aggregate with ', select)), out);
  const show = async () => {
    const method = select.value;
    let res;
    try {
      res = await get(`/projects/${project.id}/labels?method=${method}`);
    } catch (e) {
      out.replaceChildren(h('p', { class: 'muted' }, `Labels: ${e.message}`));
      return;
    }
    const items = res.items || [];
    if (!items.length) {
      out.replaceChildren(h('p', { class: 'muted' }, `No answers of this kind yet${res.control ? '' : ' (none of the project’s results fit this method)'}.`));
      return;
    }
    const chosen = res.chosen ? ` · chose ${METHODS[res.chosen] || res.chosen} by held-out log-likelihood` : '';
    out.replaceChildren(h('h3', null, `Labels by ${METHODS[method]}`, h('span', { class: 'muted small' }, `${chosen}${res.control ? ` · control “${asWords(res.control)}”` : ''}${items.length > 50 ? ` · first 50 of ${items.length}; export for all` : ` · ${items.length} task${items.length === 1 ? '' : 's'}`}`)),
      h('div', { class: 'table-wrap' }, h('table', { class: 'table stack compact labels' },
        h('thead', null, h('tr', null, ['Task', 'Label', 'Confidence', 'Judgments'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, items.slice(0, 50).map((l) => h('tr', null,
          h('td', { 'data-label': 'Task' }, `#${l.task_id}`),
          h('td', { 'data-label': 'Label', class: 'label-cell' }, l.regions ? valueText({ [method]: l.regions }) : l.value !== undefined ? String(l.value) : labelText(l.label)),
          h('td', { 'data-label': 'Confidence', class: 'num' }, pct(l.confidence)),
          h('td', { 'data-label': 'Judgments', class: 'num' }, String(l.judgments))))))));
  };
  select.addEventListener('change', show);
  await show();
  box.append(await agreementDetail(project));
  return box;
}

/** Alpha per label and the pairs of contributors who agree least. */
async function agreementDetail(project) {
  const wrap = h('div', { class: 'agreement-detail' });
  let ag;
  try {
    ag = await get(`/projects/${project.id}/agreement`);
  } catch {
    return wrap; // the figures above already say what is known
  }
  // contributors appear by their project pseudonyms (the worker_id of exports), shortened
  const name = (pseudonym) => String(pseudonym).slice(0, 8);
  const labels = (ag.per_label || []).filter((l) => l.alpha !== null);
  if (labels.length > 2) {
    wrap.append(h('h3', null, 'Agreement per label', h('span', { class: 'muted small' }, ' · Krippendorff’s alpha of each label against the rest')),
      h('div', { class: 'table-wrap' }, h('table', { class: 'table compact per-label' },
        h('thead', null, h('tr', null, ['Label', 'Alpha'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, labels.map((l) => h('tr', null, h('td', null, l.label), h('td', { class: 'num' }, num(l.alpha))))))));
  }
  const pairs = (ag.pairs || []).slice().sort((x, y) => (x.cohen_kappa ?? 2) - (y.cohen_kappa ?? 2)).slice(0, 10);
  if (pairs.length) {
    wrap.append(h('h3', null, 'Pairs of contributors', h('span', { class: 'muted small' }, ` · the ${pairs.length} least in agreement of ${ag.pairs_total}, by pseudonym (the worker_id of exports)`)),
      h('div', { class: 'table-wrap' }, h('table', { class: 'table stack compact pairs' },
        h('thead', null, h('tr', null, ['Contributors', 'Tasks in common', 'Same answer', 'Cohen’s kappa'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, pairs.map((p) => h('tr', null,
          h('td', { 'data-label': 'Contributors' }, `${name(p.a)} · ${name(p.b)}`),
          h('td', { 'data-label': 'Tasks in common', class: 'num' }, String(p.tasks)),
          h('td', { 'data-label': 'Same answer', class: 'num' }, pct(p.observed)),
          h('td', { 'data-label': 'Cohen’s kappa', class: 'num' }, num(p.cohen_kappa))))))));
  }
  return wrap;
}

const METHODS = { ds: 'Dawid-Skene', auto: 'Automatic (best held-out fit)', mv: 'Majority vote', ods: 'One-coin Dawid-Skene', glad: 'GLAD (ability × difficulty)', mace: 'MACE (spammer model)', ebcc: 'EBCC (correlated workers)', boxes: 'Boxes (IoU clusters)', spans: 'Spans (overlap clusters)', text: 'Transcription (medoid)', median: 'Median (numbers)' };

function labelText(label) {
  try {
    const v = JSON.parse(label);
    if (v && typeof v === 'object') return answerText(v);
  } catch {
    /* a plain label */
  }
  return String(label);
}
