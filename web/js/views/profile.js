// The contributor's profile: optional, self-reported demographics, used to
// balance datasets (quotas) and in anonymised exports. Every field may stay empty.
import { h, field, toast, showFormError, clearFormErrors, when, clear } from '../dom.js';
import { get, patch, post, put, del } from '../api.js';
import { historyCard } from './voice.js';

const AGE_BANDS = [['teens', '19 or younger'], ['twenties', '20–29'], ['thirties', '30–39'], ['forties', '40–49'], ['fifties', '50–59'], ['sixties', '60–69'], ['seventies', '70–79'], ['eighties', '80–89'], ['nineties', '90 or older']];
const GENDERS = [['female', 'Female'], ['male', 'Male'], ['non-binary', 'Non-binary'], ['other', 'Other'], ['prefer_not_to_say', 'Prefer not to say']];

const list = (text) => text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);

export async function profileView(ctx) {
  const p = await get('/me/profile');
  const select = (name, options, value) => h('select', { name, id: `pr-${name}`, class: 'input' }, h('option', { value: '' }, '— Not given —'), options.map(([v, t]) => h('option', { value: v, selected: v === value }, t)));
  const age = select('age_band', AGE_BANDS, p.age_band);
  const gender = select('gender', GENDERS, p.gender);
  const accent = h('input', { name: 'accent', id: 'pr-accent', class: 'input', maxlength: '100', value: p.accent || '', placeholder: 'e.g. Scottish English, Bavarian', autocomplete: 'off' });
  const languages = h('input', { name: 'languages', id: 'pr-languages', class: 'input', value: (p.languages || []).join(', '), placeholder: 'e.g. en, de, pt-BR', autocapitalize: 'off', spellcheck: 'false' });
  const country = h('input', { name: 'country', id: 'pr-country', class: 'input narrow', maxlength: '2', value: p.country || '', placeholder: 'e.g. DE', autocapitalize: 'characters', autocomplete: 'country' });
  const saveBtn = h('button', { type: 'submit', class: 'btn primary' }, 'Save profile');
  const clearBtn = h('button', { type: 'button', class: 'btn' }, 'Clear everything');
  const form = h('form', { class: 'card profile-form', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'grid-2' }, field('Age', age), field('Gender', gender)),
    field('Accent', accent, 'In your own words, how people would describe the way you speak.'),
    field('Languages you speak well', languages, 'Language codes, separated by commas. Some projects are only open to speakers of a language.'),
    field('Country you live in', country, 'Two-letter code. Some projects are only open to some countries.'),
    h('div', { class: 'actions' }, saveBtn, clearBtn));

  async function save(body) {
    clearFormErrors(form);
    saveBtn.disabled = clearBtn.disabled = true;
    try {
      const out = await patch('/me/profile', body);
      age.value = out.age_band || '';
      gender.value = out.gender || '';
      accent.value = out.accent || '';
      languages.value = (out.languages || []).join(', ');
      country.value = out.country || '';
      toast('Profile saved.', 'ok');
    } catch (e) {
      showFormError(form, e);
    } finally {
      saveBtn.disabled = clearBtn.disabled = false;
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const c = country.value.trim().toUpperCase();
    if (c && !/^[A-Z]{2}$/.test(c)) return showFormError(form, { field: 'country', message: 'Use the two-letter code, like DE or BR.' });
    save({ age_band: age.value || null, gender: gender.value || null, accent: accent.value.trim() || null, languages: list(languages.value), country: c || null });
  });
  clearBtn.addEventListener('click', () => {
    if (!confirm('Remove every answer from your profile?')) return;
    save({ age_band: null, gender: null, accent: null, languages: [], country: null });
  });

  ctx.main.append(h('section', { class: 'page narrow' },
    h('h1', null, 'Your profile'),
    h('div', { class: 'notice info-notice' },
      h('p', null, h('strong', null, 'Every question here is optional.'), ' Skip any of them — you can still do all the work you are eligible for.'),
      h('ul', null,
        h('li', null, 'Requesters never see your name or email next to these answers. Datasets that include them (like speech corpora) are anonymised.'),
        h('li', null, 'Voice and photo projects use them to collect a fair mix of people, so speech recognition works for everyone — not only for the most common voices.'),
        h('li', null, 'Country and languages can decide which projects you see.'),
        h('li', null, 'Change or clear your answers at any time.'))),
    form,
    await historyCard(),
    await limitsCard(),
    passwordCard(),
    dataCard(),
    await tokensCard()));
}

// Everything held about the caller, as one zip (GET /me/data). A plain
// link: the session cookie authenticates a GET, and the browser saves it.
function dataCard() {
  return h('section', { class: 'card data-card', 'aria-labelledby': 'data-h' },
    h('h2', { id: 'data-h' }, 'Your data'),
    h('p', null, 'Download a zip of everything faircrowd holds about you: your profile, your answers and their reviews, your earnings and payouts, the consents you gave, and your recordings and photos.'),
    h('a', { class: 'btn', href: '/api/v1/me/data', download: '' }, 'Download my data'),
    h('p', null, h('a', { href: '/me/privacy' }, 'Privacy: withdraw consent, verify your identity, blocks and appeals, delete your account')));
}

// API tokens for scripts: listed without their secret, revoked one by one;
// a new token's secret is shown once, here.
async function tokensCard() {
  const body = h('tbody');
  const name = h('input', { name: 'token-name', id: 'tk-name', class: 'input', maxlength: '100', placeholder: 'e.g. laptop script', autocomplete: 'off' });
  const days = h('input', { name: 'token-days', id: 'tk-days', class: 'input narrow', type: 'number', min: '1', max: '3650', placeholder: 'never' });
  const secret = h('p', { class: 'notice', hidden: true });
  const form = h('form', { class: 'token-form', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'grid-2' }, field('Name', name), field('Expires after (days)', days, 'Leave empty for a token that does not expire.')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, 'Create token')));

  async function load() {
    const { items } = await get('/tokens?limit=1000');
    clear(body);
    if (!items.length) body.append(h('tr', null, h('td', { colspan: '4' }, 'No API tokens.')));
    for (const t of items) {
      const revoke = h('button', { type: 'button', class: 'btn small', 'aria-label': `Revoke token ${t.name}` }, 'Revoke');
      revoke.addEventListener('click', async () => {
        if (!confirm(`Revoke "${t.name}"? Scripts that use it stop working at once.`)) return;
        try {
          await del(`/tokens/${t.id}`);
          toast('Token revoked.', 'ok');
        } catch (e) {
          toast(e.message, 'error');
        }
        load();
      });
      body.append(h('tr', null, h('td', null, t.name), h('td', null, t.last_used_at ? when(t.last_used_at) : 'never'),
        h('td', null, t.expires_at ? when(t.expires_at) : 'never'), h('td', null, revoke)));
    }
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    const req = { name: name.value.trim() };
    if (days.value) req.expires_in_days = Number(days.value);
    try {
      const out = await post('/tokens', req);
      clear(secret);
      secret.append('Copy this token now; it is not shown again: ', h('code', { class: 'token-secret' }, out.token));
      secret.hidden = false;
      name.value = days.value = '';
      load();
    } catch (err) {
      showFormError(form, err);
    }
  });
  await load();
  return h('div', { class: 'card tokens-card' },
    h('h2', null, 'API tokens'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Last used'), h('th', null, 'Expires'), h('th', null, h('span', { class: 'sr-only' }, 'Actions')))),
      body)),
    secret, form);
}

// The contributor's own schedule: a daily time limit and quiet hours that the
// assignment engine respects, and which notifications reach them by email.
async function limitsCard() {
  const p = await get('/me/preferences');
  const offset = () => {
    const m = -new Date().getTimezoneOffset();
    const a = Math.abs(m);
    return `${m < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  };
  const limit = h('input', { name: 'daily_limit_minutes', id: 'lm-limit', class: 'input narrow', type: 'number', min: '1', max: '1440', inputmode: 'numeric', value: p.daily_limit_minutes || '', placeholder: 'no limit' });
  const quietOn = h('input', { type: 'checkbox', name: 'quiet_on', id: 'lm-quiet-on', checked: !!p.quiet_hours });
  const from = h('input', { name: 'quiet_hours', id: 'lm-from', class: 'input', type: 'time', value: p.quiet_hours ? p.quiet_hours.from : '22:00' });
  const to = h('input', { name: 'quiet_to', id: 'lm-to', class: 'input', type: 'time', value: p.quiet_hours ? p.quiet_hours.to : '07:00' });
  const tz = h('input', { name: 'tz', id: 'lm-tz', class: 'input narrow', value: p.quiet_hours || p.daily_limit_minutes ? p.tz : offset(), placeholder: '+02:00', autocomplete: 'off', spellcheck: 'false' });
  const box = (key, label) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: `notify_${key}`, checked: p.notify[key] !== false }), ' ', label);
  const email = box('email', 'Send me email');
  const inApp = box('in_app', 'Show them under Notifications (the bell)');
  const decisions = box('decisions', 'Decisions on my work (accepted, or rejected with the reason)');
  const appeals = box('appeals', 'Outcomes of my appeals');
  const newWork = box('new_work', 'New work I can do (email at most once a day)');
  const payouts = box('payouts', 'Payouts sent');
  const syncQuiet = () => {
    from.disabled = to.disabled = !quietOn.checked;
  };
  quietOn.addEventListener('change', syncQuiet);
  syncQuiet();
  const saveBtn = h('button', { type: 'submit', class: 'btn primary' }, 'Save limits and notifications');
  const form = h('form', { class: 'card limits-form', id: 'limits', novalidate: true, 'aria-labelledby': 'limits-title' },
    h('h2', { id: 'limits-title' }, 'Limits and notifications'),
    h('p', { class: 'hint' }, 'Only you set these. While a limit applies, you get no new tasks; tasks you already hold stay yours.'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Daily limit (minutes of work)', limit, 'Counts the time measured on the tasks you did today and the tasks you hold now. Empty: no limit.'),
    h('fieldset', { class: 'field' }, h('legend', null, 'Quiet hours'),
      h('label', { class: 'check' }, quietOn, ' No new work between'),
      h('div', { class: 'grid-2' }, field('From', from), field('To', to))),
    field('Your UTC offset', tz, 'Like +02:00 or -05:00. Your day and your quiet hours follow it; update it when your clocks change.'),
    h('fieldset', { class: 'field' }, h('legend', null, 'Notifications'), email, inApp, decisions, appeals, newWork, payouts),
    h('div', { class: 'actions' }, saveBtn));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    const checked = (el) => el.querySelector('input').checked;
    const body = {
      daily_limit_minutes: limit.value ? Number(limit.value) : null,
      tz: tz.value.trim() || 'Z',
      quiet_hours: quietOn.checked ? { from: from.value, to: to.value } : null,
      notify: { email: checked(email), in_app: checked(inApp), decisions: checked(decisions), appeals: checked(appeals), new_work: checked(newWork), payouts: checked(payouts) },
    };
    saveBtn.disabled = true;
    try {
      const out = await put('/me/preferences', body);
      tz.value = out.tz;
      toast('Limits and notifications saved.', 'ok');
    } catch (err) {
      showFormError(form, err);
    } finally {
      saveBtn.disabled = false;
    }
  });
  return form;
}

// Changing the password ends every other session (other browsers, phones).
function passwordCard() {
  const attrs = (name, auto) => ({ name, id: `pw-${name}`, class: 'input', type: 'password', autocomplete: auto, required: true });
  const old = h('input', attrs('old', 'current-password'));
  const fresh = h('input', attrs('new', 'new-password'));
  const again = h('input', attrs('again', 'new-password'));
  const btn = h('button', { type: 'submit', class: 'btn' }, 'Change password');
  const form = h('form', { class: 'card password-form', novalidate: true, 'aria-labelledby': 'pw-title' },
    h('h2', { id: 'pw-title' }, 'Password'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Current password', old),
    field('New password', fresh, 'At least 10 characters. You stay signed in here; other sessions are signed out.'),
    field('New password again', again),
    h('div', { class: 'actions' }, btn));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    if (fresh.value !== again.value) return showFormError(form, { field: 'again', message: 'The two new passwords differ.' });
    btn.disabled = true;
    try {
      await post('/me/password', { old: old.value, new: fresh.value });
      old.value = fresh.value = again.value = '';
      toast('Password changed. Other sessions were signed out.', 'ok');
    } catch (err) {
      showFormError(form, err);
    } finally {
      btn.disabled = false;
    }
  });
  return form;
}
