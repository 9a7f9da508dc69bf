// The conversation annotator: a Chat object over [{role, content}] task data,
// shown turn by turn with its Markdown and code rendered as DOM nodes (never
// as HTML: a message is untrusted text, so no markup in it can run), and the
// per-turn controls of the config (Choices, Rating, TextArea, Number with
// perItem="true" and toName naming the Chat) under each reply. A per-turn
// TextArea rewrites that turn; its answer carries value.item_index like every
// per-turn answer. Loaded on first use (annotator.js imports it lazily).
import { h, clear } from '../dom.js';
import { makeControl } from './controls.js';
import { ensureCss } from './media-common.js';

// ---- Markdown, the subset chat models write, to DOM nodes ----

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

/** Inline Markdown (code, bold, italic, links, line breaks) to nodes. */
export function inlineNodes(text) {
  const out = [];
  // code first: nothing inside backticks is markup
  const re = /(`+)([\s\S]*?[^`])\1(?!`)|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|\b_([^_\s][^_]*)_\b|\[([^\]]+)\]\(([^)\s]+)\)|\n/g;
  let last = 0;
  for (let m; (m = re.exec(text));) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[2] !== undefined) out.push(h('code', null, m[2]));
    else if (m[3] !== undefined || m[4] !== undefined) out.push(h('strong', null, inlineNodes(m[3] ?? m[4])));
    else if (m[5] !== undefined || m[6] !== undefined) out.push(h('em', null, inlineNodes(m[5] ?? m[6])));
    else if (m[7] !== undefined) {
      out.push(SAFE_URL.test(m[8]) ? h('a', { href: m[8], target: '_blank', rel: 'noopener noreferrer nofollow' }, inlineNodes(m[7])) : `${m[7]} (${m[8]})`);
    } else out.push(h('br'));
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** A message's Markdown to block nodes: fenced code, headings, lists, quotes, paragraphs. */
export function markdownNodes(src) {
  const lines = String(src ?? '').replace(/\r\n?/g, '\n').split('\n');
  const out = [];
  let para = [];
  const flush = () => {
    if (para.length) out.push(h('p', null, inlineNodes(para.join('\n'))));
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)\s*([\w+#.-]*)/.exec(line);
    if (fence) {
      flush();
      const body = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) body.push(lines[i]);
      const code = h('code', fence[2] ? { class: `language-${fence[2]}` } : null, body.join('\n'));
      out.push(h('pre', { class: 'chat-code', tabindex: '0', 'aria-label': fence[2] ? `${fence[2]} code` : 'Code' }, code));
      continue;
    }
    const head = /^(#{1,6})\s+(.*)$/.exec(line);
    if (head) {
      flush();
      // headings inside a message are emphasis, not page structure
      out.push(h('p', { class: 'chat-heading' }, h('strong', null, inlineNodes(head[2]))));
      continue;
    }
    const item = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (item) {
      flush();
      const ordered = /\d/.test(item[1]);
      const list = h(ordered ? 'ol' : 'ul', null);
      for (; i < lines.length; i++) {
        const it = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(lines[i]);
        if (!it) break;
        list.append(h('li', null, inlineNodes(it[2])));
      }
      i--;
      out.push(list);
      continue;
    }
    if (/^\s*>/.test(line)) {
      flush();
      const q = [];
      for (; i < lines.length && /^\s*>/.test(lines[i]); i++) q.push(lines[i].replace(/^\s*>\s?/, ''));
      i--;
      out.push(h('blockquote', null, markdownNodes(q.join('\n'))));
      continue;
    }
    if (!line.trim()) flush();
    else para.push(line);
  }
  flush();
  return out;
}

// ---- the view ----

const text = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** The messages of a Chat value: an array of {role, content}, or a JSON string of one. */
export function chatMessages(value) {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return [];
    }
  }
  if (v && !Array.isArray(v) && Array.isArray(v.messages)) v = v.messages;
  return Array.isArray(v) ? v.map((m) => (m && typeof m === 'object' ? { role: text(m.role) || 'user', content: text(m.content) } : { role: 'user', content: text(m) })) : [];
}

export class ChatView {
  constructor(ann, obj, value) {
    ensureCss();
    this.ann = ann;
    this.obj = obj;
    this.messages = chatMessages(value);
    // per-turn controls: perItem="true" and toName naming this chat
    this.perTurn = [...ann.cfg.controls.values()].filter((k) => k.perItem && k.toName.includes(obj.name) && !k.region);
    // which turns carry them: the replies (assistant turns); every turn when there are none
    const replies = this.messages.map((m, i) => (m.role === 'assistant' ? i : -1)).filter((i) => i >= 0);
    this.rated = new Set(replies.length ? replies : this.messages.map((_, i) => i));
    this.turnControls = [];
    this.list = h('ol', { class: 'chat-turns', 'aria-label': `Conversation (${obj.name})` });
    this.messages.forEach((m, i) => this.list.append(this.turn(m, i)));
    this.el = h('div', { class: 'ann-object chat-object', dataset: { object: obj.name } },
      this.messages.length ? this.list : h('p', { class: 'muted' }, 'This task has no conversation.'));
  }

  turn(m, i) {
    const role = /^(user|assistant|system|tool)$/.test(m.role) ? m.role : 'other';
    const li = h('li', { class: ['chat-turn', `role-${role}`], dataset: { turn: String(i) } },
      h('div', { class: 'chat-role' }, h('strong', null, m.role), h('span', { class: 'muted small' }, ` · turn ${i + 1}`)),
      h('div', { class: 'chat-content prose' }, markdownNodes(m.content)));
    if (!this.perTurn.length || !this.rated.has(i)) return li;
    // each control answers for this turn: a view of the annotator whose answers are the turn's
    const scope = Object.create(this.ann);
    scope.answerFor = (k) => this.ann.itemAnswer(k.name, i);
    scope.setAnswer = (k, v, quiet) => this.ann.setItemAnswer(k.name, i, v, quiet);
    const views = this.perTurn.map((k) => {
      const view = makeControl(scope, k);
      if (k.tag === 'TextArea') {
        view.el.classList.add('chat-rewrite');
        const label = view.el.querySelector('label');
        if (label) label.textContent = `${k.name}: rewrite turn ${i + 1}`;
        if (!this.ann.readOnly && 'placeholder' in view.input && !k.placeholder) view.input.placeholder = 'A better reply (leave empty to keep it)';
      }
      view.el.dataset.turn = String(i);
      return view;
    });
    this.turnControls.push(...views);
    li.append(h('fieldset', { class: 'chat-turn-controls' }, h('legend', { class: 'small' }, `About turn ${i + 1} (${m.role})`), views.map((v) => v.el)));
    return li;
  }

  render() {
    for (const v of this.turnControls) v.render();
  }

  destroy() {
    clear(this.el);
  }
}
