// The Counterpart web console: plain browser JavaScript, no build step. The server renders the
// page in the reader's language; this script logs in, sends questions and button presses to the
// conversation engine, and shows pushed messages from the server-sent event stream.

const csrfHeader = { 'x-counterpart-csrf': '1' };
const data = JSON.parse(document.getElementById('console-data')?.textContent ?? '{}');
/** @type {Record<string, string>} */
const strings = data.strings ?? {};
/** @type {string} */
const locale = data.locale ?? document.documentElement.lang;
const t = (/** @type {string} */ id) => strings[id] ?? id;

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const loginView = $('login-view');
const chatView = $('chat-view');
const account = $('account');
const whoami = $('whoami');
const loginForm = /** @type {HTMLFormElement} */ ($('login-form'));
const loginSecret = /** @type {HTMLInputElement} */ ($('login-secret'));
const loginLabel = $('login-secret-label');
const loginHint = $('login-hint');
const loginError = $('login-error');
const loginSubmit = /** @type {HTMLButtonElement} */ ($('login-submit'));
const log = $('log');
const compose = /** @type {HTMLFormElement} */ ($('compose'));
const question = /** @type {HTMLTextAreaElement} */ ($('question'));
const sendButton = /** @type {HTMLButtonElement} */ ($('send'));
const status = $('status');

/** @type {EventSource | undefined} */
let events;
/** @type {string | undefined} */
let memberId;
let busy = false;

// ---- talking to the server -------------------------------------------------------------------

class RequestError extends Error {
  /** @param {number} status @param {string} code */
  constructor(status, code) {
    super(code);
    this.status = status;
    this.code = code;
  }
}

/** POSTs JSON with the header that proves the request comes from this page (CSRF protection). */
async function post(/** @type {string} */ url, /** @type {unknown} */ body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', ...csrfHeader },
    body: JSON.stringify(body ?? {}),
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw new RequestError(response.status, payload?.error?.code ?? 'error');
  return payload;
}

async function get(/** @type {string} */ url) {
  const response = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw new RequestError(response.status, payload?.error?.code ?? 'error');
  return payload;
}

// ---- views -----------------------------------------------------------------------------------

function showLogin(/** @type {string | undefined} */ notice) {
  stopEvents();
  memberId = undefined;
  forgetConversation();
  document.body.dataset.state = 'login';
  chatView.hidden = true;
  account.hidden = true;
  loginView.hidden = false;
  loginError.textContent = notice ?? '';
  loginSecret.value = '';
  loginSecret.focus();
}

function showChat(
  /** @type {{ member: { id: string, role?: string }, whoami: string, latestPush?: string }} */ me,
  /** @type {boolean} */ focus,
) {
  memberId = me.member.id;
  // The first stream of this browser starts where the server stood at login, so a push sent
  // while the stream is still connecting is replayed rather than missed.
  if (me.latestPush && !localStorage.getItem(lastPushKey()))
    localStorage.setItem(lastPushKey(), me.latestPush);
  restoreConversation();
  document.body.dataset.state = 'chat';
  whoami.textContent = me.whoami;
  $('stewardship-link').hidden = !['coordinator', 'admin'].includes(me.member.role ?? '');
  loginView.hidden = true;
  account.hidden = false;
  chatView.hidden = false;
  startEvents();
  if (focus) question.focus();
}

// ---- login -----------------------------------------------------------------------------------

function selectedKind() {
  const checked = /** @type {HTMLInputElement | null} */ (
    loginForm.querySelector('input[name="kind"]:checked')
  );
  return checked?.value === 'token' ? 'token' : 'code';
}

function updateLoginKind() {
  const kind = selectedKind();
  loginLabel.textContent = t(kind === 'token' ? 'web-login-token-label' : 'web-login-code-label');
  loginHint.textContent = t(kind === 'token' ? 'web-login-token-hint' : 'web-login-code-hint');
  loginSecret.autocomplete = kind === 'token' ? 'current-password' : 'one-time-code';
  loginSecret.type = kind === 'token' ? 'password' : 'text';
  loginSecret.setAttribute('autocapitalize', kind === 'token' ? 'off' : 'characters');
  loginError.textContent = '';
}

for (const radio of loginForm.querySelectorAll('input[name="kind"]'))
  radio.addEventListener('change', updateLoginKind);

loginForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const secret = loginSecret.value.trim();
  if (secret === '') {
    loginError.textContent = t('web-login-refused');
    loginSecret.setAttribute('aria-invalid', 'true');
    loginSecret.focus();
    return;
  }
  loginSubmit.disabled = true;
  loginSubmit.textContent = t('web-login-working');
  loginError.textContent = '';
  try {
    const me = await post(
      `/console/login?lang=${locale}`,
      selectedKind() === 'token' ? { token: secret } : { code: secret },
    );
    loginSecret.removeAttribute('aria-invalid');
    // Back to where the member was going (a stewardship page), or off the invite link's address.
    const next = new URLSearchParams(location.search).get('next');
    if (next !== null && /^\/console\/[\w/?=&%.-]*$/.test(next)) {
      location.assign(next);
      return;
    }
    if (location.pathname === '/login') history.replaceState(null, '', '/');
    showChat(me, true);
  } catch (error) {
    const throttled = error instanceof RequestError && error.status === 429;
    loginError.textContent = t(
      throttled
        ? 'web-login-throttled'
        : error instanceof RequestError
          ? 'web-login-refused'
          : 'web-error-generic',
    );
    loginSecret.setAttribute('aria-invalid', 'true');
    loginSecret.select();
  } finally {
    loginSubmit.disabled = false;
    loginSubmit.textContent = t('web-login-submit');
  }
});

$('logout').addEventListener('click', async () => {
  try {
    await post('/console/logout', {});
  } finally {
    showLogin();
  }
});

// ---- conversation ----------------------------------------------------------------------------

const linkPattern = /(https?:\/\/[^\s<>"')]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)/g;

/** Adds text to an element, turning web addresses and e-mail addresses into links. Never parses HTML. */
function appendLinkified(/** @type {HTMLElement} */ element, /** @type {string} */ text) {
  let last = 0;
  for (const match of text.matchAll(linkPattern)) {
    const index = match.index ?? 0;
    element.append(text.slice(last, index));
    const anchor = document.createElement('a');
    const target = match[0];
    anchor.href = target.includes('@') && !target.startsWith('http') ? `mailto:${target}` : target;
    anchor.textContent = target;
    if (anchor.protocol.startsWith('http')) {
      anchor.target = '_blank';
      anchor.rel = 'noopener noreferrer';
    }
    element.append(anchor);
    last = index + target.length;
  }
  element.append(text.slice(last));
}

// ---- answers given as data: headings, contact cards, links, the collapsed rest -----------------

/** Schemes a card's link may have: dial, write, open a chat (t.me, matrix.to). Nothing else is followed. */
const safeLink = /^(tel:|mailto:|https:)/;

/** @typedef {{ text: string, href?: string, strong?: boolean }} Inline */
/** @typedef {{ role?: string, indent?: boolean, inlines: Inline[] }} RichLine */
/** @typedef {{ position: number, heading: string, name: string, title: string, lines: RichLine[], away: boolean, stale: boolean, working: boolean }} Card */

function appendInlines(/** @type {HTMLElement} */ element, /** @type {Inline[]} */ inlines) {
  for (const inline of inlines) {
    /** @type {HTMLElement} */
    let node;
    if (inline.href !== undefined && safeLink.test(inline.href)) {
      const anchor = document.createElement('a');
      anchor.href = inline.href;
      if (inline.href.startsWith('https:')) {
        anchor.target = '_blank';
        anchor.rel = 'noopener noreferrer';
      }
      node = anchor;
    } else node = document.createElement(inline.strong ? 'strong' : 'span');
    node.textContent = inline.text;
    element.append(node);
  }
}

const inlineText = (/** @type {Inline[]} */ inlines) => inlines.map((inline) => inline.text).join('');

/** One contact as a card: name, title, its lines (links live), and a button copying it as text. */
function renderCard(/** @type {Card} */ card) {
  const article = document.createElement('article');
  article.className = 'contact-card';
  if (card.away) article.classList.add('contact-away');
  if (card.stale) article.classList.add('contact-stale');
  const name = document.createElement('h4');
  name.className = 'contact-name';
  name.textContent = `${card.position}. ${card.name}`;
  const title = document.createElement('p');
  title.className = 'contact-title';
  title.textContent = card.title;
  article.append(name, title);
  for (const line of card.lines) {
    const row = document.createElement('p');
    row.className = `contact-line contact-${line.role ?? 'line'}`;
    if (line.role === 'time') row.classList.add(card.working ? 'contact-working' : 'contact-closed');
    appendInlines(row, line.inlines);
    article.append(row);
  }
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.className = 'button card-copy';
  copy.textContent = t('web-copy');
  copy.setAttribute('aria-label', `${t('web-copy')}: ${card.name}`);
  copy.dataset.copy = [card.heading, ...card.lines.map((line) => inlineText(line.inlines))].join('\n');
  article.append(copy);
  return article;
}

/**
 * Draws rich content; returns the actions its disclosures already cover (their "show all"
 * buttons are not shown: the cards are here, folded).
 * @param {HTMLElement} element
 * @param {{ blocks: any[] }} rich
 */
function renderRich(element, rich) {
  const covered = new Set();
  for (const block of rich.blocks ?? []) {
    if (block.kind === 'heading') {
      const heading = document.createElement('h3');
      heading.className = 'answer-heading';
      heading.textContent = block.text;
      element.append(heading);
    } else if (block.kind === 'line') {
      const line = document.createElement('p');
      line.className = `answer-line${block.line.indent ? ' answer-detail' : ''}`;
      appendInlines(line, block.line.inlines);
      element.append(line);
    } else if (block.kind === 'card') {
      element.append(renderCard(block.card));
    } else if (block.kind === 'more') {
      const details = document.createElement('details');
      details.className = 'answer-more';
      const summary = document.createElement('summary');
      summary.textContent = block.summary;
      details.append(summary, ...block.cards.map(renderCard));
      element.append(details);
      if (block.action) covered.add(block.action);
    }
  }
  return covered;
}

async function copyCard(/** @type {HTMLButtonElement} */ button) {
  try {
    await navigator.clipboard.writeText(button.dataset.copy ?? '');
    button.textContent = t('web-copied');
  } catch {
    button.textContent = t('web-copy-failed');
  }
  setTimeout(() => {
    button.textContent = t('web-copy');
  }, 2000);
}

function scrollToEnd() {
  log.scrollTop = log.scrollHeight;
}

// ---- the conversation survives a reload or a language switch (this tab only) ------------------

const historyKey = 'counterpart.conversation';
const historyLimit = 60;
/** @type {{ from: 'user' | 'bot', text: string, rich?: { blocks: any[] }, buttons?: { label: string, action: string }[], locale?: string, pushed?: boolean }[]} */
let conversation = [];

function remember(/** @type {(typeof conversation)[number]} */ entry) {
  conversation.push(entry);
  conversation = conversation.slice(-historyLimit);
  try {
    // sessionStorage: gone when the tab closes, and cleared at logout.
    sessionStorage.setItem(historyKey, JSON.stringify({ memberId, conversation }));
  } catch {
    // Storage full or disabled: the conversation simply does not survive a reload.
  }
}

function restoreConversation() {
  if (conversation.length > 0) return;
  try {
    const saved = JSON.parse(sessionStorage.getItem(historyKey) ?? 'null');
    if (saved === null || saved.memberId !== memberId || !Array.isArray(saved.conversation)) return;
    for (const entry of saved.conversation) {
      if (entry.from === 'user') addUserMessage(entry.text);
      else addBotMessage(entry, { pushed: entry.pushed === true });
    }
  } catch {
    sessionStorage.removeItem(historyKey);
  }
}

function forgetConversation() {
  conversation = [];
  sessionStorage.removeItem(historyKey);
  for (const item of log.querySelectorAll('.message')) item.remove();
}

function addUserMessage(/** @type {string} */ text) {
  remember({ from: 'user', text });
  const item = document.createElement('div');
  item.className = 'message message-user';
  const who = document.createElement('span');
  who.className = 'visually-hidden';
  who.textContent = `${t('web-from-you')}: `;
  const body = document.createElement('p');
  body.className = 'message-text';
  body.textContent = text;
  item.append(who, body);
  log.append(item);
  scrollToEnd();
}

/**
 * @param {{ text: string, rich?: { blocks: any[] }, buttons?: { label: string, action: string }[], locale?: string }} message
 * @param {{ pushed?: boolean }} [options]
 */
function addBotMessage(message, options = {}) {
  remember({
    from: 'bot',
    text: message.text,
    rich: message.rich,
    buttons: message.buttons,
    locale: message.locale,
    pushed: options.pushed,
  });
  const item = document.createElement('div');
  item.className = options.pushed ? 'message message-bot message-pushed' : 'message message-bot';
  if (message.locale) item.lang = message.locale;
  const who = document.createElement('span');
  who.className = options.pushed ? 'message-badge' : 'visually-hidden';
  who.textContent = options.pushed ? t('web-push-label') : `${t('web-from-bot')}: `;
  /** @type {Set<string>} */
  let covered = new Set();
  if (message.rich) {
    item.classList.add('message-rich');
    const body = document.createElement('div');
    body.className = 'message-answer';
    covered = renderRich(body, message.rich);
    item.append(who, body);
  } else {
    const body = document.createElement('p');
    body.className = 'message-text';
    appendLinkified(body, message.text);
    item.append(who, body);
  }
  const buttons = (message.buttons ?? []).filter((button) => !covered.has(button.action));
  if (buttons.length > 0) {
    const group = document.createElement('div');
    group.className = 'message-buttons';
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', t('web-buttons-label'));
    for (const button of buttons) {
      const element = document.createElement('button');
      element.type = 'button';
      element.className = 'button button-action';
      element.textContent = button.label;
      element.dataset.action = button.action;
      group.append(element);
    }
    item.append(group);
  }
  log.append(item);
  scrollToEnd();
}

const defaultPlaceholder = question.placeholder;

/**
 * A flow's question says what it waits for ("your reference, e.g. 12/345-2026"): the input shows
 * it until the next answer; otherwise the usual hint.
 * @param {{ expects?: { kind: string, placeholder?: string } } | undefined} message
 */
function expectFrom(message) {
  question.placeholder = message?.expects?.placeholder ?? defaultPlaceholder;
}

function setBusy(/** @type {boolean} */ value) {
  busy = value;
  sendButton.disabled = value;
  log.setAttribute('aria-busy', String(value));
  status.textContent = value ? t('web-sending') : '';
  status.classList.remove('status-error');
}

function showError(/** @type {string} */ id) {
  status.textContent = t(id);
  status.classList.add('status-error');
}

/** Sends typed text or a pressed button to the conversation engine and shows its replies. */
async function converse(
  /** @type {{ text?: string, action?: string }} */ input,
  /** @type {string} */ shown,
) {
  if (busy) return;
  addUserMessage(shown);
  setBusy(true);
  try {
    const result = await post('/console/messages', { ...input, locale });
    setBusy(false);
    for (const message of result.messages ?? []) addBotMessage(message);
    expectFrom(result.messages?.at(-1));
  } catch (error) {
    setBusy(false);
    if (error instanceof RequestError && error.status === 401) showLogin(t('web-session-ended'));
    else
      showError(
        error instanceof RequestError && error.status === 429
          ? 'web-error-rate-limited'
          : error instanceof RequestError && error.status === 503
            ? 'web-error-busy'
            : 'web-error-generic',
      );
  }
}

compose.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = question.value.trim();
  if (text === '' || busy) return;
  question.value = '';
  resizeQuestion();
  void converse({ text }, text);
});

// Enter sends, Shift+Enter starts a new line (as in the messengers people know).
question.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    compose.requestSubmit();
  }
});

function resizeQuestion() {
  question.style.height = 'auto';
  question.style.height = `${Math.min(question.scrollHeight, 160)}px`;
}
question.addEventListener('input', resizeQuestion);

log.addEventListener('click', (event) => {
  const target = /** @type {HTMLElement} */ (event.target);
  const button = target.closest('button');
  if (button === null) return;
  if (button.dataset.copy !== undefined) {
    void copyCard(button);
  } else if (button.dataset.action !== undefined) {
    void converse({ action: button.dataset.action }, button.textContent ?? '');
  } else if (button.hasAttribute('data-example')) {
    void converse({ text: button.textContent ?? '' }, button.textContent ?? '');
    question.focus();
  }
});

// ---- pushed messages (server-sent events) ----------------------------------------------------

const lastPushKey = () => `counterpart.lastPush.${memberId ?? ''}`;

function startEvents() {
  if (events !== undefined || memberId === undefined) return;
  // After a page load, continue from the last push this browser showed, so nothing sent while
  // the tab was closed is missed; EventSource itself resumes with Last-Event-ID on reconnects.
  const after = localStorage.getItem(lastPushKey());
  events = new EventSource(after ? `/console/events?after=${encodeURIComponent(after)}` : '/console/events');
  let interrupted = false;
  events.addEventListener('push', (event) => {
    const message = JSON.parse(event.data);
    if (event.lastEventId) localStorage.setItem(lastPushKey(), event.lastEventId);
    addBotMessage(message, { pushed: true });
  });
  events.addEventListener('ready', (event) => {
    if (event.data) {
      const ready = JSON.parse(event.data);
      if (ready.latest && !localStorage.getItem(lastPushKey()))
        localStorage.setItem(lastPushKey(), ready.latest);
    }
    if (interrupted) status.textContent = t('web-connection-back');
    interrupted = false;
  });
  events.addEventListener('session-ended', () => showLogin(t('web-session-ended')));
  events.addEventListener('error', async () => {
    if (events === undefined) return;
    if (events.readyState === EventSource.CLOSED) {
      // The server refused the stream outright: most likely the session is gone.
      stopEvents();
      try {
        await get('/console/me');
        setTimeout(startEvents, 5000);
      } catch {
        showLogin(t('web-session-ended'));
      }
      return;
    }
    interrupted = true;
    status.textContent = t('web-connection-lost');
  });
}

function stopEvents() {
  events?.close();
  events = undefined;
}

// ---- start -----------------------------------------------------------------------------------

// The server rendered the language choice from ?lang=; keep the address bar clean.
if (location.search.includes('lang=')) history.replaceState(null, '', location.pathname);

updateLoginKind();
if (document.body.dataset.state === 'chat') {
  get(`/console/me?lang=${locale}`)
    .then((me) => showChat(me, false))
    .catch(() => showLogin());
}
