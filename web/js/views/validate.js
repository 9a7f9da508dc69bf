// Peer validation ("Listen and vote" / "Look and vote"): one recording or
// photo by someone else at a time, beside its prompt; 👍 or 👎 (keys Y / N).
// Two agreeing votes decide, as on Common Voice.
import { h, clear, toast, isTyping } from '../dom.js';
import { get, post } from '../api.js';
import { MEDIA_WORDS, icon } from './collect.js';

const QUESTION = {
  audio: { ask: 'Does the recording say exactly this sentence, clearly?', yes: ['Every word is spoken, in order', 'You can understand it without strain', 'Accents and small hesitations are fine'], no: ['A word is missing, added or wrong', 'Too noisy, cut off, or silent', 'It is not a real attempt'] },
  image: { ask: 'Does the photo clearly show this?', yes: ['The subject is in the picture and easy to see', 'Sharp and lit well enough'], no: ['The subject is missing or something else', 'Too dark, blurred, or a photo of a screen', 'It shows people’s faces or private details'] },
  sensor: { ask: 'Does this look like the activity was really done?', yes: ['The motion changes as the activity would', 'It lasts about as long as the activity'], no: ['Flat lines: the phone lay still', 'Random shaking, not the activity'] },
  video: { ask: 'Does the video clearly show this?', yes: ['The action is done as described', 'You can see it clearly'], no: ['Another action, or the action is cut off', 'Too dark, shaky or blurred'] },
};

export async function validateView(ctx) {
  const pid = ctx.params[0];
  const project = await get(`/projects/${pid}`);
  const kind = (project.collect && project.collect.media) || 'audio';
  const words = MEDIA_WORDS[kind] || MEDIA_WORDS.audio;
  const q = QUESTION[kind] || QUESTION.audio;
  let item = null;
  let voted = 0;
  let busy = false;

  const counter = h('span', { class: 'muted' });
  const stage = h('div', { class: 'validate-stage' });
  const yesBtn = h('button', { type: 'button', class: 'btn big vote-btn vote-yes', title: 'Y' }, icon('up'), 'Yes', h('kbd', null, 'Y'));
  const noBtn = h('button', { type: 'button', class: 'btn big vote-btn vote-no', title: 'N' }, icon('down'), 'No', h('kbd', null, 'N'));
  const voteHint = h('p', { class: 'hint center vote-hint' });
  const voteBox = h('div', { class: 'vote-box' }, h('p', { class: 'vote-question' }, q.ask), h('div', { class: 'vote-buttons' }, yesBtn, noBtn), voteHint);
  const guide = h('details', { class: 'card guide' }, h('summary', null, 'When to say yes or no'),
    h('div', { class: 'guide-grid' },
      h('div', null, h('h3', null, icon('up'), ' Yes if'), h('ul', null, q.yes.map((t) => h('li', null, t)))),
      h('div', null, h('h3', null, icon('down'), ' No if'), h('ul', null, q.no.map((t) => h('li', null, t))))));
  const page = h('section', { class: 'page narrow validate' },
    h('p', { class: 'crumbs' }, h('a', { href: `/work/${pid}` }, `← ${project.title}`)),
    h('div', { class: 'page-head' }, h('h1', null, words.check), counter),
    h('p', { class: 'lead' }, `Check ${words.noun}s other contributors made. Two matching votes decide whether one goes into the dataset.`),
    stage, voteBox, guide);
  ctx.main.append(page);

  function enableVotes(on) {
    yesBtn.disabled = noBtn.disabled = !on;
    voteHint.textContent = on ? '' : kind === 'audio' ? 'Play the recording first.' : kind === 'video' ? 'Play the video first.' : '';
  }

  async function load() {
    busy = false;
    item = await get(`/projects/${pid}/validations/next`);
    if (!ctx.isCurrent()) return;
    counter.textContent = voted ? `${voted} checked this session` : '';
    clear(stage);
    delete document.body.dataset.validateReady;
    if (!item) {
      voteBox.hidden = true;
      stage.append(h('div', { class: 'empty card' }, h('h2', null, voted ? 'Thanks — all checked' : 'Nothing to check right now'),
        h('p', null, `There are no ${words.noun}s waiting for your vote in this project. New ones arrive as people submit.`),
        h('div', { class: 'actions' }, h('a', { class: 'btn primary', href: `/work/${pid}/task` }, words.start), h('a', { class: 'btn', href: '/work' }, 'Find other work'))));
      stage.querySelector('a').focus();
      return;
    }
    voteBox.hidden = false;
    const prompt = item.sentence || Object.values((item.task && item.task.data) || {}).find((v) => typeof v === 'string') || '';
    const card = h('div', { class: 'card prompt-card' }, h('p', { class: 'prompt-verb' }, kind === 'audio' ? 'The sentence' : 'The prompt'), h('p', { class: `prompt-text${prompt.length > 140 ? ' long' : ''}` }, prompt || '—'));
    stage.append(card);
    if (kind === 'image') {
      const img = h('img', { class: 'photo-preview', src: item.media_url, alt: `Photo submitted for: ${prompt}` });
      stage.append(h('div', { class: 'photo-drop has-photo' }, img));
      enableVotes(true);
    } else if (kind === 'sensor') {
      const box = h('div', { class: 'sensor-preview' });
      stage.append(box);
      enableVotes(false);
      import('./sensor.js').then((m) => m.sensorPreview(box, item.media_url)).then(() => enableVotes(true));
    } else {
      const el = h(kind, { class: 'player', src: item.media_url, preload: 'auto', playsinline: true, controls: kind === 'video' });
      const fill = h('div', { class: 'upload-fill' });
      const play = h('button', { type: 'button', class: 'btn big play-btn', title: 'P' }, '▶ Play');
      el.addEventListener('play', () => {
        play.textContent = '❚❚ Pause';
        enableVotes(true);
      });
      el.addEventListener('pause', () => {
        play.textContent = '▶ Play';
      });
      el.addEventListener('ended', () => {
        document.body.dataset.played = String(item.id);
      });
      el.addEventListener('timeupdate', () => {
        if (el.duration && Number.isFinite(el.duration)) fill.style.width = `${Math.min(100, (el.currentTime / el.duration) * 100)}%`;
      });
      play.addEventListener('click', () => toggle(el));
      if (kind === 'audio') card.append(h('div', { class: 'listen-row' }, play, h('div', { class: 'upload-bar' }, fill)), el);
      else stage.append(h('div', { class: 'video-box' }, el));
      if (kind === 'video') card.append(h('div', { class: 'listen-row' }, play));
      el.hidden = kind === 'audio';
      enableVotes(false);
    }
    document.body.dataset.validateReady = String(item.id);
  }

  function toggle(el) {
    if (el.paused) el.play().catch((e) => toast(`Cannot play: ${e.message}`, 'error'));
    else el.pause();
  }

  async function vote(v) {
    if (!item || busy || yesBtn.disabled) return;
    busy = true;
    const it = item;
    try {
      await post(`/submissions/${it.submission_id}/votes`, { vote: v });
      voted++;
      toast(v === 'up' ? 'Thanks — you voted yes.' : 'Thanks — you voted no.', 'ok', 1500);
    } catch (e) {
      if (e.code !== 'already_voted') {
        toast(e.message, 'error');
        busy = false;
        return;
      }
    }
    await load();
  }

  yesBtn.addEventListener('click', () => vote('up'));
  noBtn.addEventListener('click', () => vote('down'));
  const onKey = (e) => {
    if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey || !item) return;
    const k = e.key.toLowerCase();
    if (k === 'y') vote('up');
    else if (k === 'n') vote('down');
    else if (k === 'p' || (k === ' ' && e.target === document.body)) {
      const el = stage.querySelector('audio, video');
      if (el) {
        e.preventDefault();
        toggle(el);
      }
    }
  };
  document.addEventListener('keydown', onKey);
  ctx.onLeave(() => {
    document.removeEventListener('keydown', onKey);
    stage.querySelectorAll('audio, video').forEach((m) => m.pause());
    delete document.body.dataset.validateReady;
    delete document.body.dataset.played;
  });
  await load();
}
