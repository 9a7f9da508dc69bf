// faircrowd web app: the shell, the session and a History-API router.
import { h, s, clear, toast } from './js/dom.js';
import { get, post, setCsrf, onUnauthorized } from './js/api.js';
import { signInView, signUpView } from './js/views/auth.js';
import { boardView, projectView, myWorkView } from './js/views/contributor.js';
import { workView } from './js/views/work.js';
import { qualificationResultView } from './js/views/quality.js';
import { projectsView, editorView } from './js/views/requester.js';
import { dashboardView } from './js/views/dashboard.js';
import { reviewView } from './js/views/review.js';
import { validateView } from './js/views/validate.js';
import { profileView } from './js/views/profile.js';
import { usersView, payoutsView, auditView } from './js/views/admin.js';
import { forgotView, resetView, notificationsView } from './js/views/voice.js';
import { wagesView } from './js/views/wages.js';

import { dataManagerView } from './js/views/datamanager.js';
import { submissionsView } from './js/views/submissions.js';
import { membersView } from './js/views/members.js';

const session = { user: null };
const main = document.getElementById('main');
const nav = document.getElementById('nav');
let leaveHooks = [];
let renderSeq = 0;

const has = (role) => !!session.user && (session.user.roles || []).includes(role);
export const isRequester = () => has('requester') || has('admin');

// Views loaded on first use (the first-load budget): the route's view
// imports its module when it is first shown.
const lazy = (load, name) => async (ctx) => (await load())[name](ctx);
const privacyModule = () => import('./js/views/privacy.js');

const routes = [
  { re: /^\/signin$/, view: signInView, open: true, title: 'Sign in' },
  { re: /^\/signup$/, view: signUpView, open: true, title: 'Create an account' },
  { re: /^\/forgot$/, view: forgotView, open: true, title: 'Forgot your password' },
  { re: /^\/reset$/, view: resetView, open: true, title: 'Choose a new password' },
  { re: /^\/me\/notifications$/, view: notificationsView, title: 'Notifications' },
  { re: /^\/me\/messages$/, view: (ctx) => import('./js/views/messages.js').then((m) => m.myMessagesView(ctx)), title: 'Messages' },
  { re: /^\/$/, view: (ctx) => (isRequester() ? projectsView(ctx) : boardView(ctx)), title: 'Home' },
  { re: /^\/work$/, view: boardView, title: 'Find work' },
  { re: /^\/work\/(\d+)$/, view: projectView, title: 'Project' },
  { re: /^\/work\/(\d+)\/task$/, view: workView, title: 'Working', wide: true },
  { re: /^\/work\/(\d+)\/result$/, view: qualificationResultView, title: 'Test result' },
  { re: /^\/work\/(\d+)\/validate$/, view: validateView, title: 'Check others’ work' },
  { re: /^\/me\/work$/, view: myWorkView, title: 'My work' },
  { re: /^\/me\/profile$/, view: profileView, title: 'Your profile' },
  { re: /^\/me\/privacy$/, view: lazy(privacyModule, 'privacyView'), title: 'Privacy' },
  { re: /^\/admin\/identity$/, view: lazy(privacyModule, 'identityQueueView'), title: 'Identity review', admin: true },
  { re: /^\/projects\/(\d+)\/blocks$/, view: lazy(privacyModule, 'blocksView'), title: 'Blocks' },
  { re: /^\/admin\/users$/, view: usersView, title: 'Users', admin: true },
  { re: /^\/admin\/payouts$/, view: payoutsView, title: 'Payouts', admin: true },
  { re: /^\/admin\/audit$/, view: auditView, title: 'Audit log', admin: true },
  { re: /^\/admin\/wages$/, view: wagesView, title: 'Minimum wages', admin: true },
  { re: /^\/projects$/, view: projectsView, title: 'Projects' },
  { re: /^\/projects\/new$/, view: editorView, title: 'New project', wide: true },
  { re: /^\/projects\/(\d+)$/, view: dashboardView, title: 'Project' },
  { re: /^\/projects\/(\d+)\/edit$/, view: editorView, title: 'Edit project', wide: true },
  { re: /^\/projects\/(\d+)\/review$/, view: reviewView, title: 'Review', wide: true },
  { re: /^\/projects\/(\d+)\/data$/, view: dataManagerView, title: 'Data manager', wide: true },
  { re: /^\/projects\/(\d+)\/submissions$/, view: submissionsView, title: 'Submissions', wide: true },
  { re: /^\/projects\/(\d+)\/members$/, view: membersView, title: 'Members' },
  { re: /^\/projects\/(\d+)\/bonuses$/, view: (ctx) => import('./js/views/bonuses.js').then((m) => m.bonusesView(ctx)), title: 'Bonuses' },
  { re: /^\/projects\/(\d+)\/messages$/, view: (ctx) => import('./js/views/messages.js').then((m) => m.ownerMessagesView(ctx)), title: 'Messages' },
];

export function navigate(path, { replace } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

function renderNav() {
  clear(nav);
  const here = location.pathname;
  const link = (href, text, match) => h('a', { href, class: 'nav-link', 'aria-current': match(here) ? 'page' : null }, text);
  const left = h('div', { class: 'nav-links' });
  if (session.user) {
    if (!isRequester() || has('contributor')) {
      left.append(link('/work', 'Find work', (p) => p === '/work' || p.startsWith('/work/') || (p === '/' && !isRequester())));
      left.append(link('/me/work', 'My work', (p) => p === '/me/work'));
    }
    if (isRequester()) left.append(link('/projects', 'Projects', (p) => p.startsWith('/projects') || p === '/'));
    if (has('admin')) left.append(link('/admin/users', 'Users', (p) => p === '/admin/users'), link('/admin/payouts', 'Payouts', (p) => p === '/admin/payouts'), link('/admin/audit', 'Audit log', (p) => p === '/admin/audit'), link('/admin/wages', 'Wages', (p) => p === '/admin/wages'));
  }
  const right = h('div', { class: 'nav-user' });
  if (session.user) {
    const count = h('span', { class: 'note-count', hidden: true });
    right.append(h('a', { href: '/me/notifications', class: 'nav-link bell-link', title: 'Notifications', 'aria-current': here === '/me/notifications' ? 'page' : null },
      s('svg', { viewBox: '0 0 24 24', width: '20', height: '20', 'aria-hidden': 'true', focusable: 'false' },
        s('path', { d: 'M12 3a6 6 0 0 0-6 6v4l-2 3h16l-2-3V9a6 6 0 0 0-6-6zm-2 15a2 2 0 0 0 4 0', fill: 'none', stroke: 'currentColor', 'stroke-width': '2', 'stroke-linejoin': 'round' })),
      h('span', { class: 'sr-only' }, 'Notifications, unread: '), count));
    get('/me/notifications?limit=1', { noAuthRedirect: true }).then((out) => {
      if (out.unread) {
        count.textContent = out.unread > 99 ? '99+' : String(out.unread);
        count.hidden = false;
      }
    }).catch(() => {});
    right.append(h('a', { href: '/me/profile', class: 'nav-link profile-link', title: `${session.user.email} · your profile`, 'aria-current': here === '/me/profile' ? 'page' : null },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, (session.user.display_name || session.user.email || '?').trim().charAt(0).toUpperCase()),
      h('span', { class: 'user-name' }, session.user.display_name || session.user.email), h('span', { class: 'sr-only' }, ' — profile')),
      h('button', { type: 'button', class: 'btn small ghost', onclick: signOut }, 'Sign out'));
  } else {
    right.append(link('/signin', 'Sign in', (p) => p === '/signin'), link('/signup', 'Sign up', (p) => p === '/signup'));
  }
  nav.append(h('a', { href: '/', class: 'brand', 'aria-label': 'faircrowd home' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '◆'), 'faircrowd'), left, right);
}

async function signOut() {
  try {
    await post('/auth/logout', undefined, { noAuthRedirect: true });
  } catch {
    /* signed out either way */
  }
  setCsrf(null);
  session.user = null;
  navigate('/signin');
}

export function setUser(user) {
  session.user = user;
}

export function currentUser() {
  return session.user;
}

export async function render() {
  const seq = ++renderSeq;
  here = location.pathname + location.search;
  for (const fn of leaveHooks) {
    try {
      fn();
    } catch {
      /* a view's cleanup must not stop navigation */
    }
  }
  leaveHooks = [];
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const route = routes.find((r) => r.re.test(path));
  if (!route) {
    renderNav();
    clear(main).append(h('section', { class: 'page narrow' }, h('h1', null, 'Page not found'), h('p', null, h('a', { href: '/' }, 'Go to the start page'))));
    return;
  }
  if (!route.open && !session.user) {
    try {
      session.user = await get('/me', { noAuthRedirect: true });
    } catch (e) {
      if (seq !== renderSeq) return;
      if (e.status === 401) return navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
      renderNav();
      clear(main).append(h('section', { class: 'page narrow' }, h('h1', null, 'Cannot reach faircrowd'), h('p', null, e.message)));
      return;
    }
  }
  if (seq !== renderSeq) return;
  renderNav();
  if (route.admin && !has('admin')) {
    clear(main).append(h('section', { class: 'page narrow' }, h('h1', null, 'Not found'), h('p', null, h('a', { href: '/' }, 'Back to the start page'))));
    return;
  }
  document.title = `${route.title} · faircrowd`;
  document.body.classList.toggle('wide', !!route.wide);
  // a placeholder until the view shows its first element (views fetch before they draw)
  const loading = h('p', { class: 'placeholder route-loading' }, 'Loading…');
  clear(main).append(loading);
  const drawn = new MutationObserver(() => {
    if ([...main.children].some((c) => c !== loading)) {
      loading.remove();
      drawn.disconnect();
    }
  });
  drawn.observe(main, { childList: true });
  main.setAttribute('aria-busy', 'true');
  const params = path.match(route.re).slice(1);
  const ctx = {
    main, params, query: new URLSearchParams(location.search), user: session.user,
    onLeave: (fn) => leaveHooks.push(fn), navigate, isCurrent: () => seq === renderSeq, setUser,
  };
  try {
    await route.view(ctx);
  } catch (e) {
    if (seq !== renderSeq) return;
    if (e.status === 401) return;
    clear(main).append(h('section', { class: 'page narrow' }, h('h1', null, e.status === 404 ? 'Not found' : 'Something went wrong'), h('p', null, e.message), h('p', null, h('a', { href: '/' }, 'Back to the start page'))));
  } finally {
    drawn.disconnect();
    loading.remove();
    main.removeAttribute('aria-busy');
  }
  if (seq === renderSeq) {
    const h1 = main.querySelector('h1');
    if (h1 && !main.contains(document.activeElement)) {
      h1.tabIndex = -1;
      h1.focus({ preventScroll: true });
    }
  }
}

onUnauthorized((err) => {
  session.user = null;
  setCsrf(null);
  if (location.pathname !== '/signin') {
    toast(err.code === 'csrf_failed' ? 'Please sign in again in this tab.' : 'Please sign in.', 'info');
    navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
  }
});

// Unsaved edits: a form marked data-guard becomes dirty on input; leaving the
// page (a link, Back, closing the tab) while one is dirty asks first. A view
// deletes form.dataset.dirty once the edits are saved.
const unsaved = () => !!main.querySelector('form[data-guard][data-dirty]');
const mayLeave = () => !unsaved() || confirm('You have unsaved changes. Leave this page and lose them?');
document.addEventListener('input', (e) => {
  const f = e.target && e.target.closest && e.target.closest('form[data-guard]');
  if (f) f.dataset.dirty = '1';
});
window.addEventListener('beforeunload', (e) => {
  if (unsaved()) e.preventDefault();
});

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  if (a.target || a.hasAttribute('download') || a.origin !== location.origin || a.pathname.startsWith('/api/')) return;
  e.preventDefault();
  if (a.pathname + a.search !== location.pathname + location.search && mayLeave()) navigate(a.pathname + a.search);
});

// an edited field drops the error it was showing
document.addEventListener('input', (e) => {
  const t = e.target;
  if (!t || !t.getAttribute || t.getAttribute('aria-invalid') !== 'true') return;
  t.removeAttribute('aria-invalid');
  const box = t.closest('.field');
  if (box) box.querySelectorAll('.field-error').forEach((x) => x.remove());
});

let here = location.pathname + location.search;
window.addEventListener('popstate', () => {
  if (!mayLeave()) { // stay: put the page we are on back
    history.pushState(null, '', here);
    return;
  }
  render();
});
render();
