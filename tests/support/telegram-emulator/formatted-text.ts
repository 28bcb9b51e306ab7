// Message text as Telegram stores it: parsed from the parse mode or explicit entities, trimmed,
// limited to 4096 characters, with URLs, mentions, hashtags and bot commands detected
// automatically (Telegram does this for the bot's messages as well as for users').
import type { MessageEntity } from 'grammy/types';
import { badRequest } from './bot-api-error.ts';
import { parseHtml, type FormattedText } from './html-parser.ts';
import { parseLegacyMarkdown, parseMarkdownV2 } from './markdown-parser.ts';

/** Telegram's limit for a text message, checked after entity parsing (UTF-16 code units, conservatively). */
export const maximumMessageLength = 4096;

const commonTopLevelDomains =
  'com|org|net|int|edu|gov|info|io|dev|app|me|eu|uk|de|fr|ru|su|by|ua|kg|kz|uz|tj|tm|am|az|ge|md|tr|cn|org';

const detectors: { type: MessageEntity['type']; pattern: RegExp; trimTrailing?: boolean }[] = [
  {
    type: 'email',
    pattern:
      /(?<![\p{L}\p{N}_.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\p{L}\p{N}_])/gu,
  },
  { type: 'url', pattern: /(?<![\p{L}\p{N}_@./])(?:https?|ftp|tg):\/\/[^\s<>"']+/giu, trimTrailing: true },
  {
    type: 'url',
    pattern: new RegExp(
      `(?<![\\p{L}\\p{N}_@./:])(?:[A-Za-z0-9-]+\\.)+(?:${commonTopLevelDomains})(?![\\p{L}\\p{N}_-])(?::\\d{1,5})?(?:/[^\\s<>"']*)?`,
      'giu',
    ),
    trimTrailing: true,
  },
  {
    type: 'bot_command',
    pattern: /(?<![\p{L}\p{N}_/<>])\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\p{L}\p{N}_@/])/gu,
  },
  { type: 'mention', pattern: /(?<![\p{L}\p{N}_@])@[A-Za-z0-9_]{4,32}(?![\p{L}\p{N}_])/gu },
  { type: 'hashtag', pattern: /(?<![\p{L}\p{N}_#&])#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*/gu },
  { type: 'cashtag', pattern: /(?<![\p{L}\p{N}_$])\$[A-Z]{1,8}(?![\p{L}\p{N}_])/gu },
];

// Auto-detection never reaches inside code or links the sender formatted explicitly.
const opaqueTypes = new Set(['code', 'pre', 'text_link', 'text_mention', 'custom_emoji', 'url', 'email']);

function overlaps(a: { offset: number; length: number }, b: { offset: number; length: number }): boolean {
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

/** Entities Telegram finds by itself in plain text: bot commands, mentions, hashtags, cashtags, URLs, emails. */
export function detectEntities(text: string, existing: readonly MessageEntity[] = []): MessageEntity[] {
  const blocked: { offset: number; length: number }[] = existing.filter((entity) =>
    opaqueTypes.has(entity.type),
  );
  const found: MessageEntity[] = [];
  for (const detector of detectors) {
    for (const match of text.matchAll(detector.pattern)) {
      let value = match[0];
      if (detector.trimTrailing === true) value = value.replace(/[.,:;!?)\]}'"]+$/u, '');
      const candidate = { offset: match.index, length: value.length };
      if (candidate.length === 0 || blocked.some((other) => overlaps(candidate, other))) continue;
      found.push({ type: detector.type, ...candidate } as MessageEntity);
      blocked.push(candidate);
    }
  }
  return found;
}

export function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
}

function validExplicitEntities(entities: unknown[], text: string): MessageEntity[] {
  const valid: MessageEntity[] = [];
  for (const entity of entities) {
    if (typeof entity !== 'object' || entity === null)
      throw badRequest("can't parse entities: entity must be an Object");
    const { type, offset, length } = entity as Record<string, unknown>;
    if (typeof type !== 'string' || typeof offset !== 'number' || typeof length !== 'number') {
      throw badRequest("can't parse entities: entity fields type, offset and length are required");
    }
    // Telegram silently drops entities that fall outside the text.
    if (offset < 0 || length <= 0 || offset + length > text.length) continue;
    valid.push(entity as MessageEntity);
  }
  return valid;
}

/** Strips leading and trailing whitespace, moving and clipping entities to match. */
function trimFormattedText({ text, entities }: FormattedText): FormattedText {
  const start = text.length - text.trimStart().length;
  const trimmed = text.trim();
  const end = start + trimmed.length;
  const moved: MessageEntity[] = [];
  for (const entity of entities) {
    const from = Math.max(entity.offset, start);
    const to = Math.min(entity.offset + entity.length, end);
    if (to > from) moved.push({ ...entity, offset: from - start, length: to - from });
  }
  return { text: trimmed, entities: moved };
}

export interface TextInput {
  text: string;
  parseMode: string | undefined;
  entities: unknown[] | undefined;
}

/** Applies the parse mode, trims, detects entities, and enforces Telegram's emptiness and length rules. */
export function formatMessageText(input: TextInput): FormattedText {
  let parsed: FormattedText;
  if (input.parseMode !== undefined) {
    const mode = input.parseMode.toLowerCase();
    if (mode === 'html') parsed = parseHtml(input.text);
    else if (mode === 'markdownv2') parsed = parseMarkdownV2(input.text);
    else if (mode === 'markdown') parsed = parseLegacyMarkdown(input.text);
    else throw badRequest(`unsupported parse_mode "${input.parseMode}"`);
  } else {
    parsed = {
      text: input.text,
      entities: input.entities === undefined ? [] : validExplicitEntities(input.entities, input.text),
    };
  }
  const trimmed = trimFormattedText(parsed);
  if (trimmed.text.length === 0) throw badRequest('message text is empty');
  if (trimmed.text.length > maximumMessageLength) throw badRequest('message is too long');
  return {
    text: trimmed.text,
    entities: sortEntities([...trimmed.entities, ...detectEntities(trimmed.text, trimmed.entities)]),
  };
}
