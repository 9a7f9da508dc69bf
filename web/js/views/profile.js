// The contributor's profile: optional, self-reported demographics, used to
// balance datasets (quotas) and in anonymised exports. Every field may stay empty.
import { h, field, toast, showFormError, clearFormErrors, when, clear } from '../dom.js';
import { get, patch, post, del } from '../api.js';

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
    dataCard(),
    await tokensCard()));
}

// Everything held about the caller, as one zip (GET /me/data). A plain
// link: the session cookie authenticates a GET, and the browser saves it.
function dataCard() {
  return h('section', { class: 'card data-card', 'aria-labelledby': 'data-h' },
    h('h2', { id: 'data-h' }, 'Your data'),
    h('p', null, 'Download a zip of everything faircrowd holds about you: your profile, your answers and their reviews, your earnings and payouts, the consents you gave, and your recordings and photos.'),
    h('a', { class: 'btn', href: '/api/v1/me/data', download: '' }, 'Download my data'));
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
