// Core replies as Matrix messages, and Matrix messages as text for the core. Matrix has no
// buttons, so buttons become a numbered list the user answers by number (or by reacting with
// the number's keycap). Formatted bodies are built only from escaped text: sanitized by
// construction, with the plain body as fallback for clients without HTML.
import type { Attachment, OutboundMessage } from '../../src/chat/index.ts';
import type { Locale, Translator } from '../../src/i18n/i18n.ts';
import { richToMatrixHtml } from './matrix-rich.ts';

export interface MatrixMessageContent {
  [key: string]: unknown;
  msgtype: 'm.notice' | 'm.text' | 'm.file';
  body: string;
  format?: 'org.matrix.custom.html';
  formatted_body?: string;
}

export interface RenderedReply {
  content: MatrixMessageContent;
  /** Actions of the numbered choices, in order (choice 1 is actions[0]). */
  actions: string[] | undefined;
}

/** Keycap emoji a user may react with to pick choice 1-10. */
export const keycaps = ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣', '6️⃣', '7️⃣', '8️⃣', '9️⃣', '🔟'];

const maximumBodyLength = 30_000;

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Plain text to HTML: escaped, line breaks kept. */
const textToHtml = (text: string): string => escapeHtml(text).replace(/\r?\n/g, '<br>');

export function renderReply(
  message: OutboundMessage,
  translator: Translator,
  fallbackLocale: Locale,
): RenderedReply {
  const locale = message.locale ?? fallbackLocale;
  const text = message.text.slice(0, maximumBodyLength);
  const buttons = message.buttons ?? [];
  // m.notice: the conventional msgtype for bots, so other bots do not answer it in a loop.
  // An answer given as data gets its own HTML (cards, links); its plain text stays the body.
  const html = message.rich === undefined ? textToHtml(text) : richToMatrixHtml(message.rich);
  const content: MatrixMessageContent = {
    msgtype: 'm.notice',
    body: text,
    format: 'org.matrix.custom.html',
    formatted_body: html,
  };
  if (message.replyTo !== undefined) {
    // A thread keeps a consultation's messages together; clients without threads see a reply.
    content['m.relates_to'] = {
      rel_type: 'm.thread',
      event_id: message.replyTo,
      is_falling_back: true,
      'm.in_reply_to': { event_id: message.replyTo },
    };
  }
  const actions = choiceActions(message);
  if (actions === undefined) return { content, actions: undefined };

  const hint = translator.t(locale, 'matrix-choices-hint', { count: buttons.length });
  const plainChoices = buttons.map((button, index) => `${index + 1}. ${button.label}`).join('\n');
  const htmlChoices = buttons.map((button) => `<li>${escapeHtml(button.label)}</li>`).join('');
  content.body = `${text}\n\n${plainChoices}\n\n${hint}`;
  content.formatted_body = `${html}<ol>${htmlChoices}</ol><p><em>${escapeHtml(hint)}</em></p>`;
  return { content, actions };
}

/** The actions a message offers as numbered choices (choice 1 is actions[0]), if any. */
export const choiceActions = (message: OutboundMessage): string[] | undefined =>
  message.buttons === undefined || message.buttons.length === 0
    ? undefined
    : message.buttons.map((button) => button.action);

/**
 * A message's file as an `m.file` event, without its address: the file is encrypted and uploaded
 * only when it is sent (reply-sender.ts sendMessage), so the key never leaves this process before then.
 */
export function renderAttachment(attachment: Attachment): MatrixMessageContent {
  return {
    msgtype: 'm.file',
    body: attachment.fileName,
    filename: attachment.fileName,
    info: { mimetype: attachment.mediaType, size: attachment.data.byteLength },
  };
}

/** "2", " 2. ", "2)" -> 2; anything else -> undefined. */
export function choiceNumber(text: string): number | undefined {
  const match = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(text);
  if (match?.[1] === undefined) return undefined;
  const value = Number(match[1]);
  return value >= 1 ? value : undefined;
}

/** A reaction key that names a choice: keycap emoji or a plain digit. */
export function reactionChoice(key: string): number | undefined {
  const index = keycaps.indexOf(key);
  if (index >= 0) return index + 1;
  return choiceNumber(key);
}

/**
 * The user's own words of an m.text message: replies carry a quoted fallback of the message
 * they answer ("> <@bot:server> ..."), which is not part of what the user said.
 */
export function messageText(content: Record<string, unknown>): string | undefined {
  const body = content.body;
  if (typeof body !== 'string') return undefined;
  const relates = content['m.relates_to'];
  const isReply = typeof relates === 'object' && relates !== null && 'm.in_reply_to' in relates;
  if (!isReply) return body;
  const lines = body.split('\n');
  let start = 0;
  while (start < lines.length && lines[start]?.startsWith('>') === true) start++;
  if (lines[start] === '') start++;
  return lines.slice(start).join('\n');
}
