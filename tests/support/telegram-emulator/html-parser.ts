// Telegram's HTML parse mode, following the Bot API server's own parser (tdlib `parse_html`): the
// same tags, the same leniency (a bare ">" or an unknown "&name;" stays text) and the same error
// messages with UTF-8 byte offsets, so a bot that passes here passes against Telegram.
import type { MessageEntity } from 'grammy/types';
import { entityParseError } from './bot-api-error.ts';

export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

const supportedTags = new Set([
  'a', 'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'u', 'ins',
  'tg-spoiler', 'tg-emoji', 'span', 'pre', 'code', 'blockquote',
]); // prettier-ignore

const simpleTagEntities: Record<string, MessageEntity['type']> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  u: 'underline',
  ins: 'underline',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
};

interface OpenTag {
  name: string;
  argument: string;
  expandable: boolean;
  startOffset: number;
}

// tdlib counts the terminating NUL as a space, which is how "end of input" ends a name token.
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

function isAlphanumeric(character: string): boolean {
  return /^[A-Za-z0-9]$/.test(character);
}

/** Decodes an entity starting at `position` ("&lt;", "&#60;", "&#x3C;", semicolon optional), or returns undefined. */
export function decodeHtmlEntity(
  text: string,
  position: number,
): { character: string; end: number } | undefined {
  let end = position + 1;
  let codePoint = 0;
  if (text[end] === '#') {
    end += 1;
    const hexadecimal = text[end] === 'x';
    if (hexadecimal) end += 1;
    const digit = hexadecimal ? /^[0-9a-fA-F]$/ : /^[0-9]$/;
    while (end < text.length && digit.test(text[end]!)) {
      codePoint = codePoint * (hexadecimal ? 16 : 10) + Number.parseInt(text[end]!, 16);
      end += 1;
      if (codePoint >= 0x10ffff) return undefined;
    }
    if (codePoint === 0 || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return undefined;
  } else {
    while (end < text.length && /^[A-Za-z]$/.test(text[end]!)) end += 1;
    const name = text.slice(position + 1, end);
    const named: Record<string, number> = { lt: 0x3c, gt: 0x3e, amp: 0x26, quot: 0x22 };
    const value = named[name];
    if (value === undefined) return undefined;
    codePoint = value;
  }
  if (text[end] === ';') end += 1;
  return { character: String.fromCodePoint(codePoint), end };
}

function isValidLink(url: string): boolean {
  const candidate = /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `http://${url}`;
  try {
    const parsed = new URL(candidate);
    if (['http:', 'https:', 'ftp:'].includes(parsed.protocol))
      return parsed.hostname.includes('.') || parsed.hostname === 'localhost';
    return ['tg:', 'ton:', 'mailto:', 'tonsite:'].includes(parsed.protocol);
  } catch {
    return false;
  }
}

function closedTagEntity(
  tag: OpenTag,
  offset: number,
  length: number,
  text: string,
  entities: MessageEntity[],
): void {
  const simple = simpleTagEntities[tag.name];
  if (simple !== undefined) {
    entities.push({ type: simple, offset, length } as MessageEntity);
    return;
  }
  switch (tag.name) {
    case 'a': {
      const url = tag.argument === '' ? text.slice(offset) : tag.argument;
      const userId = /^tg:\/\/user\?id=(\d+)$/i.exec(url)?.[1];
      if (userId !== undefined) {
        entities.push({
          type: 'text_mention',
          offset,
          length,
          user: { id: Number(userId), is_bot: false, first_name: '' },
        });
      } else if (isValidLink(url)) {
        entities.push({ type: 'text_link', offset, length, url });
      }
      return;
    }
    case 'code':
      // A language is remembered here and moved onto the enclosing <pre> when it closes.
      entities.push(
        tag.argument === ''
          ? { type: 'code', offset, length }
          : { type: 'pre', offset, length, language: tag.argument },
      );
      return;
    case 'pre': {
      const last = entities.at(-1);
      if (
        last?.type === 'pre' &&
        last.offset === offset &&
        last.length === length &&
        last.language !== undefined
      )
        return;
      entities.push({ type: 'pre', offset, length });
      return;
    }
    case 'blockquote':
      entities.push({ type: tag.expandable ? 'expandable_blockquote' : 'blockquote', offset, length });
      return;
    case 'tg-emoji':
      if (tag.argument !== '')
        entities.push({ type: 'custom_emoji', offset, length, custom_emoji_id: tag.argument });
      return;
  }
}

export function parseHtml(input: string): FormattedText {
  const byteOffset = (index: number): number => Buffer.byteLength(input.slice(0, index), 'utf8');
  const at = (index: number): string => input[index] ?? '';
  const entities: MessageEntity[] = [];
  const openTags: OpenTag[] = [];
  let text = '';
  let i = 0;
  while (i < input.length) {
    const character = input[i]!;
    if (character === '&') {
      const decoded = decodeHtmlEntity(input, i);
      if (decoded !== undefined) {
        text += decoded.character;
        i = decoded.end;
        continue;
      }
    }
    if (character !== '<') {
      text += character;
      i += 1;
      continue;
    }
    const begin = i;
    if (at(i + 1) !== '/') {
      i += 1;
      while (!isSpace(at(i)) && at(i) !== '>') i += 1;
      if (i >= input.length) throw entityParseError(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      const name = input.slice(begin + 1, i).toLowerCase();
      if (!supportedTags.has(name)) {
        throw entityParseError(`Unsupported start tag "${name}" at byte offset ${byteOffset(begin)}`);
      }
      const tag: OpenTag = { name, argument: '', expandable: false, startOffset: text.length };
      let spanClass: string | undefined;
      while (at(i) !== '>') {
        while (i < input.length && isSpace(at(i))) i += 1;
        if (at(i) === '>') break;
        const attributeBegin = i;
        while (!isSpace(at(i)) && at(i) !== '=' && at(i) !== '>') i += 1;
        const attributeName = input.slice(attributeBegin, i).toLowerCase();
        if (attributeName === '') {
          throw entityParseError(
            `Empty attribute name in the tag "${name}" at byte offset ${byteOffset(begin)}`,
          );
        }
        while (i < input.length && isSpace(at(i))) i += 1;
        if (at(i) !== '=') {
          if (name === 'blockquote' && attributeName === 'expandable') {
            tag.expandable = true;
            continue;
          }
          throw entityParseError(
            `Expected equal sign in declaration of an attribute of the tag "${name}" at byte offset ${byteOffset(begin)}`,
          );
        }
        i += 1;
        while (i < input.length && isSpace(at(i))) i += 1;
        if (i >= input.length)
          throw entityParseError(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
        let value = '';
        if (at(i) !== "'" && at(i) !== '"') {
          // An unquoted value is an HTML 2.0 name token: letters, digits, periods and hyphens.
          const tokenBegin = i;
          while (isAlphanumeric(at(i)) || at(i) === '.' || at(i) === '-') i += 1;
          value = input.slice(tokenBegin, i).toLowerCase();
          if (!isSpace(at(i)) && at(i) !== '>') {
            throw entityParseError(`Unexpected end of name token at byte offset ${byteOffset(tokenBegin)}`);
          }
        } else {
          const quote = at(i);
          i += 1;
          while (i < input.length && at(i) !== quote) {
            const decoded = at(i) === '&' ? decodeHtmlEntity(input, i) : undefined;
            if (decoded === undefined) {
              value += at(i);
              i += 1;
            } else {
              value += decoded.character;
              i = decoded.end;
            }
          }
          if (at(i) === quote) i += 1;
        }
        if (i >= input.length)
          throw entityParseError(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
        if (name === 'a' && attributeName === 'href') tag.argument = value;
        else if (name === 'code' && attributeName === 'class' && value.startsWith('language-'))
          tag.argument = value.slice(9);
        else if (name === 'span' && attributeName === 'class') spanClass = value;
        else if (name === 'tg-emoji' && attributeName === 'emoji-id') {
          if (!/^\d+$/.test(value)) throw entityParseError('Invalid custom emoji identifier specified');
          tag.argument = value;
        } else if (name === 'blockquote' && attributeName === 'expandable') tag.expandable = true;
      }
      if (name === 'span' && spanClass !== 'tg-spoiler') {
        throw entityParseError(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
      }
      openTags.push(tag);
      i += 1;
      continue;
    }
    // An end tag.
    const tag = openTags.pop();
    if (tag === undefined) throw entityParseError(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
    i += 2;
    while (!isSpace(at(i)) && at(i) !== '>') i += 1;
    const endName = input.slice(begin + 2, i).toLowerCase();
    while (i < input.length && isSpace(at(i))) i += 1;
    if (at(i) !== '>') throw entityParseError(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
    if (endName !== '' && endName !== tag.name) {
      throw entityParseError(
        `Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${tag.name}>", found "</${endName}>"`,
      );
    }
    i += 1;
    const length = text.length - tag.startOffset;
    if (length > 0) closedTagEntity(tag, tag.startOffset, length, text, entities);
  }
  const unclosed = openTags.at(-1);
  if (unclosed !== undefined) {
    throw entityParseError(`Can't find end tag corresponding to start tag "${unclosed.name}"`);
  }
  return { text, entities };
}
