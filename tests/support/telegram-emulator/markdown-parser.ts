// Telegram's MarkdownV2 and legacy Markdown parse modes, after the Bot API server's parser (tdlib
// `parse_markdown_v2`, `parse_markdown`): reserved characters must be escaped, entities must close,
// and errors carry the same wording and UTF-8 byte offsets.
import type { MessageEntity } from 'grammy/types';
import { entityParseError } from './bot-api-error.ts';
import type { FormattedText } from './html-parser.ts';

type EntityKind =
  | 'Bold'
  | 'Italic'
  | 'Underline'
  | 'Strikethrough'
  | 'Spoiler'
  | 'Code'
  | 'Pre'
  | 'PreCode'
  | 'TextUrl'
  | 'CustomEmoji';

interface OpenEntity {
  kind: EntityKind;
  argument: string;
  offset: number;
  byteOffset: number;
  textBegin: number;
}

const entityTypes: Partial<Record<EntityKind, MessageEntity['type']>> = {
  Bold: 'bold',
  Italic: 'italic',
  Underline: 'underline',
  Strikethrough: 'strikethrough',
  Spoiler: 'spoiler',
  Code: 'code',
};

function isSpace(character: string): boolean {
  return (
    character === ' ' ||
    character === '\t' ||
    character === '\r' ||
    character === '\n' ||
    character === '\v' ||
    character === ''
  );
}

function linkEntity(offset: number, length: number, url: string): MessageEntity | undefined {
  const userId = /^tg:\/\/user\?id=(\d+)$/i.exec(url)?.[1];
  if (userId !== undefined)
    return {
      type: 'text_mention',
      offset,
      length,
      user: { id: Number(userId), is_bot: false, first_name: '' },
    };
  const candidate = /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `http://${url}`;
  try {
    const parsed = new URL(candidate);
    const web = ['http:', 'https:', 'ftp:'].includes(parsed.protocol);
    if ((web && parsed.hostname.includes('.')) || ['tg:', 'ton:', 'mailto:'].includes(parsed.protocol)) {
      return { type: 'text_link', offset, length, url };
    }
  } catch {
    // An invalid link silently loses its entity, as on Telegram.
  }
  return undefined;
}

/** Skips the language tag and one leading line break of a ``` block, as tdlib does. */
function readPreStart(input: string, start: number): { position: number; language: string } {
  let i = start;
  let languageEnd = i;
  let language = '';
  while (!isSpace(input[languageEnd] ?? '') && input[languageEnd] !== '`') languageEnd += 1;
  if (i !== languageEnd && languageEnd < input.length && input[languageEnd] !== '`') {
    language = input.slice(i, languageEnd);
    i = languageEnd;
  }
  if (input[i] === '\n' || input[i] === '\r') {
    const next = input[i + 1];
    i += (next === '\n' || next === '\r') && next !== input[i] ? 2 : 1;
  }
  return { position: i, language };
}

export function parseMarkdownV2(input: string): FormattedText {
  const byteOffset = (index: number): number => Buffer.byteLength(input.slice(0, index), 'utf8');
  const entities: MessageEntity[] = [];
  const open: OpenEntity[] = [];
  let text = '';
  let quoteStart: number | undefined;
  let quoteExpandable = false;
  const reserved = (character: string): Error =>
    entityParseError(`Character '${character}' is reserved and must be escaped with the preceding '\\'`);

  let i = 0;
  while (i < input.length) {
    const atLineStart = i === 0 || input[i - 1] === '\n';
    if (atLineStart && open.length === 0) {
      // Block quotations are runs of lines starting with ">" ("**>" opens an expandable one).
      const expandableStart = input.startsWith('**>', i);
      if (input[i] === '>' || expandableStart) {
        if (quoteStart === undefined) {
          quoteStart = text.length;
          quoteExpandable = expandableStart;
        }
        i += expandableStart ? 3 : 1;
        continue;
      }
      if (quoteStart !== undefined) {
        const end = text.endsWith('\n') ? text.length - 1 : text.length;
        if (end > quoteStart) {
          entities.push({
            type: quoteExpandable ? 'expandable_blockquote' : 'blockquote',
            offset: quoteStart,
            length: end - quoteStart,
          });
        }
        quoteStart = undefined;
      }
    }
    const character = input[i]!;
    const next = input[i + 1] ?? '';
    if (character === '\\' && next !== '' && next.charCodeAt(0) <= 126) {
      text += next;
      i += 2;
      continue;
    }
    const innermost = open.at(-1);
    const insideCode = innermost !== undefined && ['Code', 'Pre', 'PreCode'].includes(innermost.kind);
    const reservedCharacters = insideCode ? '`' : '_*[]()~`>#+-=|{}.!';
    if (!reservedCharacters.includes(character)) {
      text += character;
      i += 1;
      continue;
    }
    if (
      quoteStart !== undefined &&
      quoteExpandable &&
      character === '|' &&
      next === '|' &&
      (input[i + 2] ?? '\n') === '\n' &&
      open.length === 0
    ) {
      // "||" at the end of an expandable quotation's line closes it.
      i += 2;
      continue;
    }
    let closes = false;
    if (innermost !== undefined) {
      switch (innermost.kind) {
        case 'Bold': closes = character === '*'; break;
        case 'Italic': closes = character === '_' && next !== '_'; break;
        case 'Code': closes = character === '`'; break;
        case 'Pre': case 'PreCode': closes = character === '`' && next === '`' && input[i + 2] === '`'; break;
        case 'TextUrl': case 'CustomEmoji': closes = character === ']'; break;
        case 'Underline': closes = character === '_' && next === '_'; break;
        case 'Strikethrough': closes = character === '~'; break;
        case 'Spoiler': closes = character === '|' && next === '|'; break;
      } // prettier-ignore
    }
    if (!closes) {
      const begin = i;
      let kind: EntityKind;
      let argument = '';
      switch (character) {
        case '_':
          kind = next === '_' ? 'Underline' : 'Italic';
          i += next === '_' ? 2 : 1;
          break;
        case '*': kind = 'Bold'; i += 1; break;
        case '~': kind = 'Strikethrough'; i += 1; break;
        case '[': kind = 'TextUrl'; i += 1; break;
        case '|':
          if (next !== '|') throw reserved(character);
          kind = 'Spoiler';
          i += 2;
          break;
        case '`':
          if (next === '`' && input[i + 2] === '`') {
            const start = readPreStart(input, i + 3);
            kind = start.language === '' ? 'Pre' : 'PreCode';
            argument = start.language;
            i = start.position;
          } else {
            kind = 'Code';
            i += 1;
          }
          break;
        case '!':
          if (next !== '[') throw reserved(character);
          kind = 'CustomEmoji';
          i += 2;
          break;
        default:
          throw reserved(character);
      } // prettier-ignore
      open.push({
        kind,
        argument,
        offset: text.length,
        byteOffset: byteOffset(begin),
        textBegin: text.length,
      });
      continue;
    }
    const entity = open.pop()!;
    const length = text.length - entity.offset;
    let made: MessageEntity | undefined;
    switch (entity.kind) {
      case 'Underline':
      case 'Spoiler':
        i += 2;
        break;
      case 'Pre':
      case 'PreCode':
        i += 3;
        break;
      case 'TextUrl':
      case 'CustomEmoji': {
        i += 1;
        let url = '';
        if (input[i] !== '(') {
          if (entity.kind === 'CustomEmoji')
            throw entityParseError('Custom emoji entity must contain a tg://emoji URL');
          url = text.slice(entity.textBegin);
        } else {
          const urlBegin = i + 1;
          i += 1;
          while (i < input.length && input[i] !== ')') {
            const escaped = input[i + 1] ?? '';
            if (input[i] === '\\' && escaped !== '' && escaped.charCodeAt(0) <= 126) {
              url += escaped;
              i += 2;
            } else {
              url += input[i]!;
              i += 1;
            }
          }
          if (input[i] !== ')') {
            const what = entity.kind === 'CustomEmoji' ? 'a custom emoji URL' : 'a URL';
            throw entityParseError(`Can't find end of ${what} at byte offset ${byteOffset(urlBegin)}`);
          }
          i += 1;
        }
        if (entity.kind === 'CustomEmoji') {
          const emojiId = /^tg:\/\/emoji\?id=(\d+)$/.exec(url)?.[1];
          if (emojiId === undefined) throw entityParseError('Custom emoji URL must have an emoji identifier');
          made = { type: 'custom_emoji', offset: entity.offset, length, custom_emoji_id: emojiId };
        } else {
          made = linkEntity(entity.offset, length, url);
        }
        break;
      }
      default:
        i += 1;
    }
    if (length === 0) continue;
    if (entity.kind === 'Pre' || entity.kind === 'PreCode') {
      made =
        entity.argument === ''
          ? { type: 'pre', offset: entity.offset, length }
          : { type: 'pre', offset: entity.offset, length, language: entity.argument };
    } else if (made === undefined && entityTypes[entity.kind] !== undefined) {
      made = { type: entityTypes[entity.kind], offset: entity.offset, length } as MessageEntity;
    }
    if (made !== undefined) entities.push(made);
  }
  const unclosed = open.at(-1);
  if (unclosed !== undefined) {
    throw entityParseError(`Can't find end of ${unclosed.kind} entity at byte offset ${unclosed.byteOffset}`);
  }
  if (quoteStart !== undefined && text.length > quoteStart) {
    entities.push({
      type: quoteExpandable ? 'expandable_blockquote' : 'blockquote',
      offset: quoteStart,
      length: text.length - quoteStart,
    });
  }
  return { text, entities };
}

/** The legacy Markdown mode: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting. */
export function parseLegacyMarkdown(input: string): FormattedText {
  const entities: MessageEntity[] = [];
  let text = '';
  let i = 0;
  while (i < input.length) {
    const character = input[i]!;
    const next = input[i + 1] ?? '';
    if (character === '\\' && '_*`['.includes(next) && next !== '') {
      text += next;
      i += 2;
      continue;
    }
    if (!'_*`['.includes(character)) {
      text += character;
      i += 1;
      continue;
    }
    const begin = i;
    const endCharacter = character === '[' ? ']' : character;
    let isPre = false;
    let language = '';
    i += 1;
    if (character === '`' && input[i] === '`' && input[i + 1] === '`') {
      isPre = true;
      const start = readPreStart(input, i + 2);
      language = start.language;
      i = start.position;
    }
    const offset = text.length;
    while (
      i < input.length &&
      (input[i] !== endCharacter || (isPre && !(input[i + 1] === '`' && input[i + 2] === '`')))
    ) {
      text += input[i]!;
      i += 1;
    }
    if (i >= input.length) {
      throw entityParseError(
        `Can't find end of the entity starting at byte offset ${Buffer.byteLength(input.slice(0, begin), 'utf8')}`,
      );
    }
    const length = text.length - offset;
    i += isPre ? 3 : 1;
    let url = text.slice(offset);
    if (character === '[' && input[i] === '(') {
      url = '';
      i += 1;
      while (i < input.length && input[i] !== ')') {
        url += input[i]!;
        i += 1;
      }
      i += 1;
    }
    if (length === 0) continue;
    if (character === '_') entities.push({ type: 'italic', offset, length });
    else if (character === '*') entities.push({ type: 'bold', offset, length });
    else if (character === '[') {
      const link = linkEntity(offset, length, url);
      if (link !== undefined) entities.push(link);
    } else if (!isPre) entities.push({ type: 'code', offset, length });
    else
      entities.push(
        language === '' ? { type: 'pre', offset, length } : { type: 'pre', offset, length, language },
      );
  }
  return { text, entities };
}
