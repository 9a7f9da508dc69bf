// Parses a Label Studio labeling config (the subset faircrowd accepts) into
// objects and controls, with Label Studio's names and defaults.

const OBJECT_TAGS = ['Image', 'Text', 'HyperText', 'Audio', 'AudioPlus', 'Video', 'Paragraphs', 'List', 'Table', 'Markdown', 'Pdf', 'Chat', 'TimeSeries'];
const CONTROL_TAGS = {
  Choices: 'choices', Labels: 'labels', RectangleLabels: 'rectanglelabels', PolygonLabels: 'polygonlabels',
  KeyPointLabels: 'keypointlabels', HyperTextLabels: 'hypertextlabels', ParagraphLabels: 'paragraphlabels',
  TextArea: 'textarea', Rating: 'rating', Number: 'number', Pairwise: 'pairwise', Ranker: 'ranker',
  Relations: 'relation', VideoRectangle: 'videorectangle',
  EllipseLabels: 'ellipselabels', BrushLabels: 'brushlabels', BitmaskLabels: 'bitmasklabels', OcrLabels: 'ocrlabels',
  Rectangle: 'rectangle', Polygon: 'polygon', KeyPoint: 'keypoint', Ellipse: 'ellipse', Brush: 'brush', Bitmask: 'bitmask',
  Taxonomy: 'taxonomy', DateTime: 'datetime', TimeSeriesLabels: 'timeserieslabels', MagicWand: 'magicwand',
  TimelineLabels: 'timelinelabels',
};
/** Drawing tools without labels of their own: one "draw" button each. */
export const TOOL_TAGS = ['Rectangle', 'Polygon', 'KeyPoint', 'Ellipse', 'Brush', 'Bitmask', 'MagicWand'];
const LAYOUT_TAGS = ['View', 'Header', 'Style', 'Collapse', 'Panel', 'Filter', 'Repeater'];
const CHILD_TAGS = ['Choice', 'Label', 'Relation', 'Bucket', 'Shortcut'];
const CANON = new Map([...OBJECT_TAGS, ...Object.keys(CONTROL_TAGS), ...LAYOUT_TAGS, ...CHILD_TAGS].map((t) => [t.toLowerCase(), t]));

/** Region-making controls and the geometry their regions have. */
export const REGION_KIND = {
  rectanglelabels: 'rect', polygonlabels: 'polygon', keypointlabels: 'keypoint', labels: 'span', paragraphlabels: 'span',
  ellipselabels: 'ellipse', brushlabels: 'brush', bitmasklabels: 'brush', ocrlabels: 'rect', timeserieslabels: 'ts', timelinelabels: 'tl', hypertextlabels: 'html',
  rectangle: 'rect', polygon: 'polygon', keypoint: 'keypoint', ellipse: 'ellipse', brush: 'brush', bitmask: 'brush', magicwand: 'brush',
};

const PALETTE = ['#e11d48', '#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#7c3aed', '#ea580c'];

export class ConfigError extends Error {}

function attr(el, name) {
  for (const a of el.attributes) if (a.name.toLowerCase() === name.toLowerCase()) return a.value;
  return null;
}
const bool = (v) => v !== null && /^(true|1|yes)$/i.test(v);
const num = (v, d) => (v === null || v === '' || Number.isNaN(Number(v)) ? d : Number(v));

export function canonicalTag(el) {
  return CANON.get(el.tagName.toLowerCase()) || null;
}

/**
 * xml → {root, objects: Map, controls: Map, order: [names]}; throws
 * ConfigError naming the tag when the config is not usable.
 */
export function parseConfig(xml, data) {
  checkWellFormed(String(xml || ''));
  const doc = new DOMParser().parseFromString(String(xml || ''), 'text/xml');
  const perr = doc.querySelector('parsererror');
  if (perr) {
    const text = perr.textContent.replace(/\s+/g, ' ').trim();
    const m = /line (\d+)/i.exec(text);
    throw new ConfigError(`The labeling config is not well-formed XML${m ? ` (line ${m[1]})` : ''}: ${text.replace(/^.*?error[^:]*:\s*/i, '').slice(0, 160)}`);
  }
  const root = doc.documentElement;
  if (!root || root.tagName.toLowerCase() !== 'view') throw new ConfigError('The labeling config must have <View> as its root.');
  expandRepeaters(root, data);
  const objects = new Map();
  const controls = new Map();
  let colour = 0;
  let relations = null;
  const walk = (el) => {
    for (const child of el.children) {
      const tag = canonicalTag(child);
      if (!tag) throw new ConfigError(`<${child.tagName}> is not a tag faircrowd knows.`);
      if (OBJECT_TAGS.includes(tag)) {
        const name = attr(child, 'name');
        if (!name) throw new ConfigError(`<${tag}> needs a name attribute.`);
        const value = attr(child, 'value') || '';
        objects.set(name, {
          name, tag: tag === 'AudioPlus' ? 'Audio' : tag, el: child, value,
          field: value.startsWith('$') ? value.slice(1) : null,
          nameKey: attr(child, 'nameKey') || 'author', textKey: attr(child, 'textKey') || 'text',
          zoom: attr(child, 'zoom') !== 'false', granularity: attr(child, 'granularity'),
        });
      } else if (tag in CONTROL_TAGS) {
        const type = CONTROL_TAGS[tag];
        const name = attr(child, 'name');
        if (!name && tag !== 'Relations') throw new ConfigError(`<${tag}> needs a name attribute.`);
        const toRaw = attr(child, 'toName') || '';
        const options = [];
        const readOptions = (parentEl, parent) => {
          for (const o of parentEl.children) {
            const ot = canonicalTag(o);
            if (ot === 'View' || ot === 'Header') {
              readOptions(o, parent);
              continue;
            }
            if (!CHILD_TAGS.includes(ot)) throw new ConfigError(`<${o.tagName}> cannot sit inside <${tag}>.`);
            if (ot === 'Shortcut') continue;
            const value = ot === 'Bucket' ? attr(o, 'name') : attr(o, 'value');
            if (value === null) throw new ConfigError(`<${ot}> inside <${tag} name="${name}"> needs a ${ot === 'Bucket' ? 'name' : 'value'}.`);
            // Label Studio takes an option written twice as one (a taxonomy: twice under one parent)
            if (options.some((x) => x.value === value && x.parent === parent)) continue;
            const opt = {
              value, alias: attr(o, 'alias'), title: attr(o, 'title') || attr(o, 'value') || value,
              hint: attr(o, 'hint'), hotkey: attr(o, 'hotkey'), maxUsages: num(attr(o, 'maxUsages'), 0),
              background: attr(o, 'background') || PALETTE[colour++ % PALETTE.length],
              selected: bool(attr(o, 'selected')), parent,
            };
            options.push(opt);
            if (tag === 'Taxonomy') readOptions(o, opt);
          }
        };
        readOptions(child, null);
        // dynamic options: value="$labels" lists them in the task
        const dyn = attr(child, 'value');
        if (dyn && dyn.startsWith('$') && tag !== 'Ranker') {
          const list = resolveValue(dyn, data || {});
          const add = (items, parent) => {
            for (const it of Array.isArray(items) ? items : []) {
              const value = typeof it === 'string' ? it : it && it.value;
              if (typeof value !== 'string' || options.some((x) => x.value === value && x.parent === parent)) continue;
              const opt = { value, alias: null, title: value, hint: it.hint || null, hotkey: null, maxUsages: 0, background: it.background || PALETTE[colour++ % PALETTE.length], selected: false, parent };
              options.push(opt);
              if (it && Array.isArray(it.children)) add(it.children, opt);
            }
          };
          add(list, null);
        }
        const k = {
          name: name || '__relations', tag, type, el: child, toRaw,
          toName: toRaw.split(',').map((t) => t.trim()).filter(Boolean),
          required: bool(attr(child, 'required')), perRegion: bool(attr(child, 'perRegion')),
          maxUsages: num(attr(child, 'maxUsages'), 0), choice: (attr(child, 'choice') || 'single').toLowerCase(),
          options, region: REGION_KIND[type] || null, maxRating: num(attr(child, 'maxRating'), 5),
          min: num(attr(child, 'min'), null), max: num(attr(child, 'max'), null), step: num(attr(child, 'step'), null),
          maxSubmissions: num(attr(child, 'maxSubmissions'), 0), placeholder: attr(child, 'placeholder') || '',
          rows: num(attr(child, 'rows'), 3), granularity: attr(child, 'granularity'),
          hint: attr(child, 'hint'), requiredMessage: attr(child, 'requiredMessage'),
          strokeWidth: num(attr(child, 'strokeWidth'), 2), pointSize: attr(child, 'pointSize'),
          tool: TOOL_TAGS.includes(tag), dynamic: !!(dyn && dyn.startsWith('$')),
          visibleWhen: attr(child, 'visibleWhen'), whenTagName: attr(child, 'whenTagName'),
          whenLabelValue: attr(child, 'whenLabelValue'), whenChoiceValue: attr(child, 'whenChoiceValue'),
          only: attr(child, 'only'), leafsOnly: bool(attr(child, 'leafsOnly')), apiUrl: attr(child, 'apiUrl'),
          perItem: bool(attr(child, 'perItem')), dtMin: attr(child, 'min'), dtMax: attr(child, 'max'),
          // MagicWand: a click fills by colour tolerance into a mask (wand.js)
          wand: tag === 'MagicWand', threshold: Math.max(0, Math.min(255, num(attr(child, 'defaultThreshold'), 15))),
        };
        if (k.tool) k.options = [{ value: '', title: tag, alias: null, hint: null, hotkey: null, maxUsages: 0, background: PALETTE[colour++ % PALETTE.length], selected: false, parent: null }];
        if (tag === 'Relations') relations = k;
        controls.set(k.name, k);
      } else if (LAYOUT_TAGS.includes(tag)) {
        if (tag !== 'Style' && tag !== 'Filter') walk(child);
      } else {
        throw new ConfigError(`<${tag}> must sit inside a control such as <Choices> or <Labels>.`);
      }
    }
  };
  walk(root);
  for (const k of controls.values()) {
    if (k.tag === 'Relations') continue;
    // Label Studio lets these go without toName
    if (!k.toName.length && !['TextArea', 'Rating', 'Number', 'DateTime'].includes(k.tag)) throw new ConfigError(`<${k.tag} name="${k.name}"> needs a toName attribute.`);
    for (const t of k.toName)
      if (!objects.has(t)) throw new ConfigError(`<${k.tag} name="${k.name}"> has toName="${t}", but no object is named "${t}".`);
    if (['Choices', 'Labels', 'RectangleLabels', 'PolygonLabels', 'KeyPointLabels', 'EllipseLabels', 'BrushLabels', 'BitmaskLabels', 'OcrLabels'].includes(k.tag) && !k.options.length && !k.dynamic)
      throw new ConfigError(`<${k.tag} name="${k.name}"> needs at least one <${k.tag === 'Choices' ? 'Choice' : 'Label'}>.`);
    if (k.tag === 'Labels' && k.granularity) for (const t of k.toName) objects.get(t).granularity = k.granularity;
    // Labels on an image name the boxes they draw (Label Studio's OCR template)
    if (k.tag === 'Labels' && k.toName.some((t) => objects.get(t).tag === 'Image')) k.region = 'rect';
  }
  if (!objects.size) throw new ConfigError('The labeling config has no object tag (Image, Text, Paragraphs, …) to label.');
  assignHotkeys(controls);
  // a Repeater or options from the task make the parse depend on the task
  const dataDependent = /<repeater\b/i.test(xml) || [...controls.values()].some((k) => k.dynamic);
  return { root, objects, controls, relations, xml: String(xml), dataDependent };
}

/**
 * A small well-formedness check run before DOMParser, for two reasons: its
 * messages name the line, and DOMParser's own error document carries an
 * inline style that a strict Content-Security-Policy reports.
 */
function checkWellFormed(src) {
  const fail = (i, msg) => {
    const line = src.slice(0, i).split('\n').length;
    throw new ConfigError(`The labeling config is not well-formed XML (line ${line}): ${msg}`);
  };
  const stack = [];
  const name = /^[A-Za-z_][\w.:-]*/;
  let i = 0;
  let seenRoot = false;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const text = src.slice(i, lt < 0 ? src.length : lt);
    const amp = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(text);
    if (amp) fail(i + amp.index, 'a bare “&” must be written as &amp;amp;.');
    if (text.trim() && !stack.length) fail(i, 'text outside the root element.');
    if (lt < 0) break;
    i = lt;
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end < 0) fail(i, 'a comment is not closed with -->.');
      i = end + 3;
      continue;
    }
    if (src.startsWith('<![CDATA[', i)) {
      const end = src.indexOf(']]>', i);
      if (end < 0) fail(i, 'a CDATA section is not closed.');
      i = end + 3;
      continue;
    }
    if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i);
      if (end < 0) fail(i, 'a processing instruction is not closed.');
      i = end + 2;
      continue;
    }
    if (src.startsWith('<!', i)) fail(i, 'DOCTYPE declarations are not allowed.');
    const closing = src[i + 1] === '/';
    let j = i + (closing ? 2 : 1);
    const m = name.exec(src.slice(j));
    if (!m) fail(i, '“<” must start a tag; write &amp;lt; for a literal “<”.');
    const tag = m[0];
    j += tag.length;
    if (closing) {
      const rest = /^\s*>/.exec(src.slice(j));
      if (!rest) fail(j, `</${tag}> is not closed with “>”.`);
      const open = stack.pop();
      if (open !== tag) fail(i, open ? `</${tag}> closes <${open}>.` : `</${tag}> has no opening tag.`);
      i = j + rest[0].length;
      continue;
    }
    const seen = new Set();
    for (;;) {
      const ws = /^\s*/.exec(src.slice(j))[0];
      j += ws.length;
      if (src.startsWith('/>', j)) {
        j += 2;
        break;
      }
      if (src[j] === '>') {
        j += 1;
        stack.push(tag);
        break;
      }
      if (j >= src.length) fail(i, `<${tag}> is not closed with “>”.`);
      if (!ws) fail(j, `attributes of <${tag}> must be separated by spaces.`);
      const a = name.exec(src.slice(j));
      if (!a) fail(j, `<${tag}> has something that is not an attribute.`);
      if (seen.has(a[0])) fail(j, `<${tag}> has the attribute ${a[0]} twice.`);
      seen.add(a[0]);
      j += a[0].length;
      const v = /^\s*=\s*("[^"<]*"|'[^'<]*')/.exec(src.slice(j));
      if (!v) fail(j, `the value of ${a[0]} on <${tag}> must be in quotes.`);
      j += v[0].length;
    }
    seenRoot = true;
    i = j;
  }
  if (stack.length) fail(src.length, `<${stack[stack.length - 1]}> is never closed.`);
  if (!seenRoot) throw new ConfigError('The labeling config is empty; start with <View>.');
}

/**
 * <Repeater on="$pages" indexFlag="{{idx}}">: its content once per item of
 * the task's list, the flag replaced by the index in every attribute.
 * Without data (a preview) one copy stands for all.
 */
function expandRepeaters(root, data) {
  for (const rep of [...root.getElementsByTagName('*')].filter((e) => canonicalTag(e) === 'Repeater')) {
    if (!rep.parentNode) continue;
    const flag = attr(rep, 'indexFlag') || '{{idx}}';
    const on = attr(rep, 'on') || '';
    if (!on.startsWith('$')) throw new ConfigError('<Repeater> needs on="$list" naming the task\'s list of items.');
    const list = resolveValue(on, data || {});
    const n = Array.isArray(list) && list.length ? list.length : 1;
    const frag = rep.ownerDocument.createElement('View');
    for (let i = 0; i < n; i++) {
      const page = rep.ownerDocument.createElement('View');
      page.setAttribute('className', 'repeater-page');
      for (const c of rep.children) {
        const copy = c.cloneNode(true);
        for (const e of [copy, ...copy.getElementsByTagName('*')])
          for (const a of [...e.attributes]) if (a.value.includes(flag)) e.setAttribute(a.name, a.value.split(flag).join(String(i)));
        page.append(copy);
      }
      frag.append(page);
    }
    // mode="pagination": the annotator shows one page at a time (pager.js)
    if (attr(rep, 'mode') === 'pagination' && n > 1) frag.setAttribute('fcPages', String(n));
    rep.replaceWith(frag);
  }
}

/** Label Studio numbers labels 1…9, 0 when they have no hotkey of their own. */
function assignHotkeys(controls) {
  const taken = new Set();
  for (const k of controls.values()) for (const o of k.options) if (o.hotkey) taken.add(o.hotkey.toLowerCase());
  const free = '1234567890qwertyuiop'.split('').filter((c) => !taken.has(c));
  for (const k of controls.values()) {
    if (!['Labels', 'RectangleLabels', 'PolygonLabels', 'KeyPointLabels', 'EllipseLabels', 'BrushLabels', 'BitmaskLabels', 'OcrLabels', 'ParagraphLabels', 'HyperTextLabels', 'TimeSeriesLabels', 'TimelineLabels', 'Choices'].includes(k.tag)) continue;
    for (const o of k.options) if (!o.hotkey && free.length) o.hotkey = free.shift();
  }
}

/** "$field" or "text with $field inside" → its value in the task data. */
export function resolveValue(value, data) {
  if (!value) return '';
  // "$pages[2].url" as well as "$a.b"
  const lookup = (path) => path.replace(/\[(\d+)\]/g, '.$1').split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), data);
  if (/^\$[\w.[\]]+$/.test(value)) {
    const v = lookup(value.slice(1));
    return v === undefined || v === null ? '' : v;
  }
  return value.replace(/\$([\w.[\]]+)/g, (m, p) => {
    const v = lookup(p);
    return v === undefined || v === null ? m : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

/** A table for a TimeSeries preview: its time column and a wave per channel, 500 rows. */
function sampleSeries(el) {
  const time = attr(el, 'timeColumn');
  const out = {};
  if (time) out[time] = Array.from({ length: 500 }, (_, i) => i / 50);
  [...el.children].filter((c) => c.tagName.toLowerCase() === 'channel').forEach((c, k) => {
    out[c.getAttribute('column')] = Array.from({ length: 500 }, (_, i) => Math.round(Math.sin(i / (15 + 7 * k)) * 1000 + Math.sin(i * 1.7) * 120) / 1000);
  });
  return out;
}

/** Task data good enough to preview a config: one sample value per field. */
export function sampleData(cfg, imageUrl) {
  const data = {};
  for (const o of cfg.objects.values()) {
    if (!o.field) continue;
    const f = o.field.split(/[.[]/)[0];
    if (o.tag === 'Image' && o.field.includes('[')) data[f] = [{ url: imageUrl }, { url: imageUrl }];
    else if (o.tag === 'Image') data[f] = imageUrl;
    else if (o.tag === 'Table') data[f] = { Name: 'Ada Lovelace', Born: '1815', Field: 'Mathematics' };
    else if (o.tag === 'Markdown') data[f] = '## Notes\n\nThe *first* published algorithm.';
    else if (o.tag === 'Chat') data[f] = [{ role: 'user', content: 'What is 2 + 2?' }, { role: 'assistant', content: '4.' }];
    else if (o.tag === 'Pdf') data[f] = 'sample.pdf';
    else if (o.tag === 'TimeSeries') data[f] = sampleSeries(o.el);
    else if (o.tag === 'Paragraphs') {
      // in the config's own keys, with times for a synced player
      data[f] = [['user', 'How do I reset my password?'], ['assistant', 'Open Settings → Account and choose “Reset password”.']]
        .map(([who, text], i) => ({ [o.nameKey]: who, [o.textKey]: text, start: i * 1.5, end: i * 1.5 + 1.5 }));
      const au = /^\$(\w+)$/.exec(attr(o.el, 'audioUrl') || '');
      if (au) data[au[1]] = '/samples/speech.ogg';
    }
    else if (o.tag === 'List') data[f] = [{ id: '1', title: 'First item', body: 'A short description.' }, { id: '2', title: 'Second item', body: 'Another one.' }, { id: '3', title: 'Third item', body: 'And a third.' }];
    else if (o.tag === 'Text' || o.tag === 'HyperText') data[f] = 'Ada Lovelace met Charles Babbage in London in 1833 and wrote the first published algorithm.';
    else data[f] = '';
  }
  const walkHeaders = (el) => {
    for (const c of el.children) {
      const v = c.getAttribute('value');
      if (canonicalTag(c) === 'Header' && v) for (const m of v.matchAll(/\$(\w+)/g)) if (!(m[1] in data)) data[m[1]] = `Sample ${m[1]}`;
      walkHeaders(c);
    }
  };
  walkHeaders(cfg.root);
  return data;
}
