// Sign in and sign up.
import { h, field, showFormError, clearFormErrors } from '../dom.js';
import { post, setCsrf } from '../api.js';

function nextPath(ctx) {
  const n = ctx.query.get('next');
  return n && n.startsWith('/') && !n.startsWith('//') ? n : '/';
}

// The shell hands over setUser in ctx: importing it from app.js would make the
// shell and its views import each other.
async function signIn(ctx, email, password) {
  const res = await post('/auth/login', { email, password }, { noAuthRedirect: true });
  setCsrf(res.csrf_token);
  ctx.setUser(res.user);
  return res.user;
}

export function signInView(ctx) {
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true, class: 'input' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, class: 'input' });
  const submit = h('button', { type: 'submit', class: 'btn primary wide' }, 'Sign in');
  const form = h('form', { class: 'card form', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Email', email), field('Password', password), submit,
    h('p', { class: 'muted center' }, h('a', { href: '/forgot' }, 'Forgot your password?')),
    h('p', { class: 'muted center' }, 'New here? ', h('a', { href: `/signup${location.search}` }, 'Create an account')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    if (!email.value.trim()) return showFormError(form, { field: 'email', message: 'Enter your email address.' });
    if (!password.value) return showFormError(form, { field: 'password', message: 'Enter your password.' });
    submit.disabled = true;
    try {
      await signIn(ctx, email.value.trim(), password.value);
      ctx.navigate(nextPath(ctx), { replace: true });
    } catch (err) {
      showFormError(form, err.status === 401 ? { message: 'That email and password do not match an account.' } : err);
    } finally {
      submit.disabled = false;
    }
  });
  ctx.main.append(h('section', { class: 'page auth' },
    h('h1', null, 'Sign in'), h('p', { class: 'lead' }, 'Label data, get paid fairly, see every decision about your work.'), form));
  email.focus();
}

export function signUpView(ctx) {
  const name = h('input', { name: 'display_name', autocomplete: 'nickname', required: true, class: 'input' });
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true, class: 'input' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', minlength: '10', required: true, class: 'input' });
  const submit = h('button', { type: 'submit', class: 'btn primary wide' }, 'Create account');
  const form = h('form', { class: 'card form', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Name shown to requesters', name), field('Email', email), field('Password', password, 'At least 10 characters.'), submit,
    h('p', { class: 'muted center' }, 'Have an account? ', h('a', { href: `/signin${location.search}` }, 'Sign in')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    if (!name.value.trim()) return showFormError(form, { field: 'display_name', message: 'Enter a name.' });
    if (!email.value.trim()) return showFormError(form, { field: 'email', message: 'Enter your email address.' });
    if (password.value.length < 10) return showFormError(form, { field: 'password', message: 'Use at least 10 characters.' });
    submit.disabled = true;
    try {
      await post('/auth/register', { email: email.value.trim(), password: password.value, display_name: name.value.trim() }, { noAuthRedirect: true });
      await signIn(ctx, email.value.trim(), password.value);
      ctx.navigate(nextPath(ctx) === '/' ? '/work' : nextPath(ctx), { replace: true });
    } catch (err) {
      showFormError(form, err);
    } finally {
      submit.disabled = false;
    }
  });
  ctx.main.append(h('section', { class: 'page auth' }, h('h1', null, 'Create an account'),
    h('p', { class: 'lead' }, 'Pick up labeling work whenever it suits you. The measured hourly pay of every project is shown up front.'), form));
  name.focus();
}
