// A Repeater with mode="pagination" (multi-page documents): one item of the
// task's list at a time, with Previous / Next, "Page n of m" and keys —
// Alt+PageUp / Alt+PageDown anywhere (not while typing), PageUp / PageDown
// and Home / End on the pager. Every page stays in the DOM, only hidden, so
// its regions and answers stay as they were; results keep Label Studio's
// per-item names (labels_0, labels_1, …: the index is the page's). Loaded
// on first use, like the other views the first screen does not need.
import { h, isTyping } from '../dom.js';

export function paginate(ann, box) {
  const pages = [...box.children];
  const m = pages.length;
  if (m < 2 || box.dataset.paged) return;
  box.dataset.paged = 'true';
  let at = 0;
  const status = h('span', { class: 'pager-status', role: 'status', 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', class: 'btn small', onclick: () => show(at - 1), 'aria-keyshortcuts': 'Alt+PageUp' }, '‹ Previous');
  const next = h('button', { type: 'button', class: 'btn small', onclick: () => show(at + 1), 'aria-keyshortcuts': 'Alt+PageDown' }, 'Next ›');
  const nav = h('nav', { class: 'pager', 'aria-label': 'Pages of the document' }, prev, status, next);
  nav.addEventListener('keydown', (e) => {
    const to = { PageUp: at - 1, PageDown: at + 1, Home: 0, End: m - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    show(to);
  });
  function show(i) {
    if (i < 0 || i >= m) return;
    at = i;
    pages.forEach((p, k) => {
      p.hidden = k !== i;
      p.setAttribute('aria-label', `Page ${k + 1} of ${m}`);
    });
    status.textContent = `Page ${i + 1} of ${m}`;
    prev.disabled = i === 0;
    next.disabled = i === m - 1;
    box.dataset.page = String(i);
    // a button that just got disabled would drop the focus to the body
    if (document.activeElement?.disabled) (i === 0 ? next : prev).focus();
  }
  const onKey = (e) => {
    if (!box.isConnected) return document.removeEventListener('keydown', onKey);
    if (isTyping(e) || e.ctrlKey || e.metaKey || !e.altKey || (e.key !== 'PageUp' && e.key !== 'PageDown')) return;
    e.preventDefault();
    show(at + (e.key === 'PageDown' ? 1 : -1));
  };
  if (!ann.readOnly) document.addEventListener('keydown', onKey);
  for (const p of pages) p.setAttribute('role', 'group');
  box.prepend(nav);
  box.classList.add('paged');
  show(0);
}
