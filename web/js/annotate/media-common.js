// What the audio, video, time-series and chat annotators share: their
// stylesheet (loaded once, on first use, so pages without them do not pay
// for it), time formatting, and the CSP workaround for libraries that style
// their shadow DOM with a <style> element.

let cssLoaded = false;
/** Adds /css/annotate-media.css to the page once. */
export function ensureCss() {
  if (cssLoaded || document.querySelector('link[data-annotate-media]')) return;
  cssLoaded = true;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/css/annotate-media.css';
  link.dataset.annotateMedia = '';
  document.head.append(link);
}

/**
 * Runs fn (which builds a library's widget) so that the <style> elements the
 * library writes into a shadow root with innerHTML become constructed
 * stylesheets instead: the Content-Security-Policy (style-src 'self') blocks
 * inline <style> (and reports each block as an error), while a constructed
 * stylesheet is not markup and applies. The markup is the library's own,
 * parsed inert in a <template> first.
 */
export function withAdoptedStyles(fn) {
  const orig = Element.prototype.attachShadow;
  const setHtml = Object.getOwnPropertyDescriptor(ShadowRoot.prototype, 'innerHTML').set;
  Element.prototype.attachShadow = function attachShadow(init) {
    const root = orig.call(this, init);
    Object.defineProperty(root, 'innerHTML', {
      configurable: true,
      set(html) {
        const tpl = document.createElement('template');
        tpl.innerHTML = html;
        const styles = [...tpl.content.querySelectorAll('style')];
        const css = styles.map((st) => st.textContent).join('\n');
        for (const st of styles) st.remove();
        setHtml.call(root, '');
        root.append(tpl.content);
        if (css) {
          try {
            const sheet = new CSSStyleSheet();
            sheet.replaceSync(css);
            root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
          } catch {
            /* an old browser: the widget works unstyled */
          }
        }
      },
    });
    return root;
  };
  try {
    return fn();
  } finally {
    Element.prototype.attachShadow = orig;
  }
}

/** 75.25 → "1:15.2"; 3725 → "1:02:05.0". */
export function clockText(t) {
  if (!Number.isFinite(t) || t < 0) t = 0;
  const hh = Math.floor(t / 3600);
  const mm = Math.floor((t % 3600) / 60);
  const ss = (t % 60).toFixed(1).padStart(4, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}
