// A model's suggestions above the annotator (loaded only for a task that
// has predictions): who suggested them and how sure it was, Accept all,
// Clear, and Accept for each suggested answer or region. Suggestions are a
// starting point the contributor edits; the server never counts them as
// answers.
import { h } from '../dom.js';

/** A short text for one suggested result item. */
function describe(item) {
  const v = item.value || {};
  for (const x of Object.values(v)) {
    if (Array.isArray(x) && x.length && x.every((s) => typeof s === 'string')) return x.join(', ');
  }
  if (typeof v.text === 'string') return v.text;
  if (Array.isArray(v.text)) return v.text.join(' ');
  return item.type || 'region';
}

/** The bar (a section), or null when no prediction has a result. */
export function suggestionBar(ann, predictions) {
  const preds = (predictions || []).map((p) => (Array.isArray(p) ? { result: p } : p)).filter((p) => p && Array.isArray(p.result) && p.result.length);
  if (!preds.length) return null;
  const p = preds[0];
  const items = p.result.filter((it) => it && typeof it === 'object' && it.type !== 'relation');
  const who = p.model_version ? `model ${p.model_version}` : 'a model';
  const sure = typeof p.score === 'number' ? `, ${Math.round(p.score * 100)}% confident` : '';
  const btn = (text, label, fn) => {
    const b = h('button', { type: 'button', class: 'btn small', 'aria-label': label || text }, text);
    b.addEventListener('click', fn);
    return b;
  };
  const all = btn('Accept all', 'Accept all suggestions', () => {
    ann.commit(() => ann.load(p.result, true));
    ann.say('All suggestions applied: check them before you submit.');
  });
  const none = btn('Clear', 'Clear all answers and start from nothing', () => {
    ann.commit(() => {
      ann.state = { regions: [], classes: {}, relations: [] };
    });
    ann.say('Cleared.');
  });
  const one = items.map((it) => {
    const what = `${it.from_name}: ${describe(it)}`;
    return h('li', null, btn(`Accept ${what}`, null, () => {
      const id = it.id === undefined ? null : String(it.id);
      const rest = ann.getResult().filter((r) => id === null || String(r.id) !== id);
      const { origin, ...mine } = it; // accepted: no longer marked as a suggestion
      ann.commit(() => ann.load([...rest, mine], false));
      ann.say(`Accepted ${what}.`);
    }));
  });
  return h('section', { class: 'ml-suggest', 'aria-label': 'Suggestions' },
    h('p', null, h('strong', null, 'Suggested by '), `${who}${sure}. Check and change them as you see fit.`),
    h('div', { class: 'actions' }, all, none),
    items.length > 1 ? h('ul', { 'aria-label': 'Accept one suggestion' }, one) : null);
}
