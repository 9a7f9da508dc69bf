// Messages between a contributor and a project's requester, pseudonymous
// both ways: the contributor sees the project's name, the requester
// "Contributor N". Loaded on demand (dynamic import) from app.js.
import { h, clear, when, toast, field, showFormError, clearFormErrors } from '../dom.js';
import { get, post } from '../api.js';

const MAX = 4000; // bytes of one message (FC_MESSAGE_MAX)

function thread(t, { title, mine, send }) {
  const list = h('ol', { class: 'msgs', 'aria-label': `Messages: ${title}` }, t.messages.map((m) =>
    h('li', { class: ['msg', m.from === mine ? 'msg-mine' : 'msg-theirs'] },
      h('p', { class: 'msg-meta muted small' }, m.from === mine ? 'You' : m.from === 'requester' ? 'Requester' : t.contributor || 'Contributor', ' · ', when(m.created_at)),
      h('p', { class: 'msg-body' }, m.body))));
  return h('article', { class: 'card thread', id: `thread-${t.id || 'new'}` }, h('h2', { class: 'card-title' }, title), list, composer(t, send));
}

function composer(t, send) {
  const text = h('textarea', { name: 'body', id: `msg-${t.id || 'new'}-${t.project_id}`, class: 'input', rows: 3, maxlength: MAX, required: true });
  const form = h('form', { class: 'msg-form', novalidate: true }, field(t.id ? 'Reply' : 'Your message', text, 'Keep it about the work; no contact details are shared either way.'), h('button', { class: 'btn primary', type: 'submit' }, 'Send'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    if (!text.value.trim()) return showFormError(form, { field: 'body', message: 'Write a message.' });
    try {
      await send(text.value, t);
      text.value = '';
    } catch (err) {
      showFormError(form, err);
    }
  });
  return form;
}

// GET /me/messages; ?project=ID opens a new conversation with that project.
export async function myMessagesView(ctx) {
  const page = h('section', { class: 'page narrow' }, h('h1', null, 'Messages'),
    h('p', { class: 'lead' }, 'Write to the requester of a project you worked on. They see you as a pseudonym, never your name or email.'));
  const box = h('div', { class: 'threads' });
  page.append(box);
  ctx.main.append(page);
  const want = Number(new URLSearchParams(location.search).get('project')) || 0;
  async function load() {
    const out = await get('/me/messages');
    clear(box);
    const send = async (body, t) => {
      await post(`/projects/${t.project_id}/messages`, { body });
      toast('Sent.');
      await load();
    };
    if (want && !out.items.some((t) => t.project_id === want)) {
      const p = await get(`/projects/${want}`).catch(() => null);
      if (p) box.append(thread({ project_id: want, messages: [] }, { title: p.title, mine: 'contributor', send }));
    }
    if (!out.items.length && !want) box.append(h('p', { class: 'muted empty' }, 'No messages yet. Open a project you worked on and choose “Message the requester”.'));
    for (const t of out.items) box.append(thread(t, { title: t.project_title, mine: 'contributor', send }));
  }
  await load();
}

// GET /projects/{id}/messages: the owner's conversations with contributors.
export async function ownerMessagesView(ctx) {
  const id = ctx.params[0];
  const p = await get(`/projects/${id}`);
  const page = h('section', { class: 'page narrow' }, h('p', { class: 'crumbs' }, h('a', { href: `/projects/${id}` }, `← ${p.title}`)),
    h('h1', null, 'Messages from contributors'),
    h('p', { class: 'lead' }, 'Contributors appear under a pseudonym for this project; answer them here.'));
  const box = h('div', { class: 'threads' });
  page.append(box);
  ctx.main.append(page);
  async function load() {
    const out = await get(`/projects/${id}/messages`);
    clear(box);
    const send = async (body, t) => {
      await post(`/projects/${id}/messages`, { body, thread_id: t.id });
      toast('Sent.');
      await load();
    };
    if (!out.items.length) box.append(h('p', { class: 'muted empty' }, 'No messages yet.'));
    for (const t of out.items) box.append(thread(t, { title: t.contributor, mine: 'requester', send }));
  }
  await load();
}
