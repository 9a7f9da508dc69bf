// Small DOM helpers: element builders, formatting, toasts. No framework.

const SVG_NS = 'http://www.w3.org/2000/svg';

function applyAttrs(el, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'text') el.textContent = v;
    else if (k === 'value' && 'value' in el) el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden') {
      el[k] = !!v;
      if (v && el instanceof SVGElement) el.setAttribute(k, '');
    } else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** h('div', {class:'x', onclick}, child, 'text', [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

/** The same for SVG elements. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

/** el.append for h's children: null, undefined and false are left out (the
 * native append would show them as the words "null", "undefined", "false"),
 * arrays are flattened. Returns el. */
export function add(el, ...children) {
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/**
 * Runs build() (which rebuilds el's content) and keeps the keyboard focus:
 * on the new element with the data-fkey the focused one had, else on
 * fallback()'s element (the focused one went, e.g. deleted).
 */
export function keepFocus(el, build, fallback) {
  const a = document.activeElement;
  const key = a && a !== el && el.contains(a) ? a.dataset.fkey || '' : null;
  build();
  if (key === null || el.contains(document.activeElement)) return;
  const again = key && el.querySelector(`[data-fkey="${CSS.escape(key)}"]`);
  const to = again && !again.disabled ? again : fallback && fallback();
  if (to) to.focus();
}

/**
 * Shows Markdown the server rendered (instructions_html, text_html, POST
 * /markdown): cmark in safe mode drops raw HTML and script URLs, so it is
 * assigned as it is. Links to other sites open in a new tab, so following one
 * does not leave a task half done. `empty` is shown when there is no text.
 */
export function setProse(el, html, empty) {
  el.innerHTML = html || '';
  if (!html && empty) el.append(h('p', null, h('em', null, empty)));
  for (const a of el.querySelectorAll('a[href]')) {
    if (/^https?:$/.test(a.protocol) && a.origin !== location.origin) {
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
    }
  }
  return el;
}

export function escapeHtml(str) {
  return String(str).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

const fmtCache = new Map();
function moneyFormat(currency) {
  const key = currency || 'USD';
  if (!fmtCache.has(key)) {
    let f;
    try {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency: key });
    } catch {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' });
    }
    fmtCache.set(key, f);
  }
  return fmtCache.get(key);
}

/** Digits after the decimal point of a currency's minor unit (USD 2, JPY 0). */
export function minorDigits(currency) {
  return moneyFormat(currency).resolvedOptions().maximumFractionDigits;
}

/** 125, 'USD' → '$1.25'. */
export function money(minor, currency = 'USD') {
  if (minor === null || minor === undefined) return '—';
  return moneyFormat(currency).format(minor / 10 ** minorDigits(currency));
}

/** The decimal and grouping characters of a locale ('en': '.' ','; 'de': ',' '.'). */
function separators(locale) {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
  return { decimal: (parts.find((x) => x.type === 'decimal') || {}).value || '.', group: (parts.find((x) => x.type === 'group') || {}).value || ',' };
}

/**
 * An amount typed by a person, in major units, read for their locale:
 * → { minor } (integer minor units) or { error } (a sentence for them).
 * Never guesses: "0,25" is 25 cents in every locale (a comma followed by
 * one or two digits can only be a decimal comma), "1,000" is a thousand
 * only where ',' groups digits, "1e2", "-1" and "1.234,5.6" are refused.
 */
export function parseMoney(text, currency = 'USD', locale = (typeof navigator !== 'undefined' && navigator.language) || 'en') {
  const digits = minorDigits(currency);
  const sym = moneyFormat(currency).formatToParts(0).filter((x) => x.type === 'currency').map((x) => x.value);
  let t = String(text ?? '').trim();
  for (const c of [...sym, currency]) if (c && t.toUpperCase().startsWith(c.toUpperCase())) t = t.slice(c.length).trim();
  for (const c of [...sym, currency]) if (c && t.toUpperCase().endsWith(c.toUpperCase())) t = t.slice(0, -c.length).trim();
  t = t.replace(/[\u00a0\u202f ]/g, (m) => (separators(locale).group.trim() === '' ? '' : m));
  if (t === '') return { error: 'Enter an amount.' };
  if (/^[-\u2212]/.test(t)) return { error: 'An amount cannot be negative.' };
  if (/[eE]/.test(t)) return { error: 'Write the amount in plain digits, like 100 — not 1e2.' };
  if (!/^[0-9.,' ]+$/.test(t)) return { error: `“${text}” is not an amount; use digits and one decimal separator, like 0.25.` };
  const { group } = separators(locale);
  const seps = t.replace(/[0-9]/g, '');
  let whole = t;
  let frac = '';
  const last = Math.max(t.lastIndexOf('.'), t.lastIndexOf(','));
  const lastSep = last >= 0 ? t[last] : '';
  const after = last >= 0 ? t.slice(last + 1) : '';
  // the last separator is the decimal one unless it is this locale's grouping
  // character followed by exactly three digits (or the only kind present,
  // used more than once: "1,000,000")
  const isGroup = lastSep && !/^0[.,' ]/.test(t) && ((lastSep === group && after.length === 3 && digits !== 3) || seps.split('').filter((c) => c === lastSep).length > 1);
  if (lastSep && !isGroup) {
    whole = t.slice(0, last);
    frac = after;
    if (/[.,]/.test(frac) || frac === '' && whole === '') return { error: `“${text}” is not an amount.` };
  }
  const groupsOk = /^\d{1,3}([.,' ]\d{3})*$|^\d*$/.test(whole);
  const wholeSeps = new Set(whole.replace(/[0-9]/g, ''));
  if (!groupsOk || wholeSeps.size > 1 || (lastSep && !isGroup && wholeSeps.has(lastSep))) return { error: `“${text}” mixes separators; write it like 1234.50.` };
  whole = whole.replace(/[.,' ]/g, '') || '0';
  frac = frac.replace(/0+$/, '');
  if (frac.length > digits) return { error: digits ? `${currency} amounts have at most ${digits} digits after the decimal separator.` : `${currency} amounts have no decimals.` };
  const minor = Number(whole) * 10 ** digits + Number((frac || '0').padEnd(digits, '0').slice(0, digits) || 0);
  if (!Number.isSafeInteger(minor) || minor > 1e15) return { error: 'That amount is too large.' };
  return { minor };
}

/** parseMoney's minor units, or NaN (its error is in parseMoney). */
export function toMinor(text, currency = 'USD', locale) {
  const r = parseMoney(text, currency, locale);
  return r.error ? NaN : r.minor;
}

export function toMajor(minor, currency = 'USD') {
  const d = minorDigits(currency);
  return (minor / 10 ** d).toFixed(d);
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60 ? (s % 60) + ' s' : ''}`.trim();
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const mm = String(Math.floor(s / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

export function when(rfc3339) {
  if (!rfc3339) return '—';
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function randomId(len = 10) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  const bytes = crypto.getRandomValues(new Uint8Array(len));
  let out = '';
  for (const b of bytes) out += abc[b & 63];
  return out;
}

let toastBox;
/** A short message in the corner; kind: 'ok' | 'error' | 'info'. */
export function toast(message, kind = 'info', ms = 4000) {
  if (!toastBox) {
    toastBox = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(toastBox);
  }
  const t = h('div', { class: `toast toast-${kind}` }, message);
  toastBox.append(t);
  setTimeout(() => t.remove(), ms);
}

/** Shows an API error's message next to the named field of a form, or in
 * the form's error box. Returns true when it found a place for it. */
export function showFormError(form, err) {
  clearFormErrors(form);
  const field = err && err.field;
  const msg = (err && err.message) || 'Something went wrong.';
  let placed = false;
  const put = (name, text) => {
    const input = name && form.querySelector(`[name="${CSS.escape(name.split(/[.[]/)[0])}"]`);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      const id = `${input.id || input.name}-error`;
      const box = h('p', { class: 'field-error', id }, text);
      (input.closest('.field') || input.parentElement).append(box);
      input.setAttribute('aria-describedby', id);
      return true;
    }
    return false;
  };
  if (field) placed = put(field, msg);
  const box = form.querySelector('.form-error');
  if (!placed && box) {
    box.textContent = msg;
    if (err && err.details && err.details.length > 1) {
      box.append(h('ul', null, err.details.slice(0, 10).map((d) => h('li', null, d.message || String(d)))));
    }
    box.hidden = false;
    placed = true;
  }
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
  // no stale errors after a fix: editing a field takes its error away, and
  // the form's own message goes with the first edit
  form.removeEventListener('input', form.fcErrorsOnEdit);
  form.fcErrorsOnEdit = (ev) => {
    const input = ev.target.closest('[aria-invalid="true"]');
    if (input) {
      const own = input.getAttribute('aria-describedby');
      if (own) form.querySelector(`#${CSS.escape(own)}`)?.remove();
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    }
    if (box && !box.hidden) {
      box.hidden = true;
      box.textContent = '';
    }
    if (!form.querySelector('[aria-invalid="true"]')) form.removeEventListener('input', form.fcErrorsOnEdit);
  };
  form.addEventListener('input', form.fcErrorsOnEdit);
  return placed;
}

export function clearFormErrors(form) {
  form.querySelectorAll('.field-error').forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach((e) => {
    e.removeAttribute('aria-invalid');
    e.removeAttribute('aria-describedby');
  });
  const box = form.querySelector('.form-error');
  if (box) {
    box.hidden = true;
    box.textContent = '';
  }
}

/** A labelled form field. */
export function field(label, input, hint) {
  if (!input.id) input.id = `f-${input.name || randomId(6)}`;
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, hint ? h('p', { class: 'hint' }, hint) : null);
}

let colourCtx;
/** The text colour (white or near-black) that reads best on a background
 * colour given in any CSS syntax, e.g. a label's background="#16a34a". */
export function inkOn(colour) {
  colourCtx ??= document.createElement('canvas').getContext('2d');
  colourCtx.fillStyle = '#64748b';
  colourCtx.fillStyle = colour || '#64748b';
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colourCtx.fillStyle);
  if (!m) return '#fff';
  const [r, g, b] = m.slice(1).map((x) => {
    const c = parseInt(x, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // contrast against white vs against --text (#0f172a, luminance 0.0086)
  return 1.05 / (lum + 0.05) >= (lum + 0.05) / 0.0586 ? '#fff' : '#0f172a';
}

// inputs that take no typed text: a hotkey pressed on them is still a hotkey
const KEYLESS_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'image', 'color']);

export function isTyping(ev) {
  const t = ev.target;
  if (!t || !t.tagName) return false;
  const tag = t.tagName;
  return (tag === 'INPUT' && !KEYLESS_INPUTS.has(t.type)) || tag === 'TEXTAREA' || tag === 'SELECT' || t.isContentEditable;
}
