// Rich content (an answer's headings, contact cards, links) as Telegram HTML: bold names, tappable
// links, no indentation (a phone screen wraps indented lines back to the edge), split between
// cards into messages within Telegram's limit. Every piece of text is escaped, so registry text
// can never inject markup.
import {
  cardPlainLines,
  inlineText,
  type Card,
  type Inline,
  type RichBlock,
  type RichContent,
} from '../../src/chat/index.ts';
import { escapeTelegramHtml, splitForTelegram, telegramMessageLimit } from './telegram-render.ts';

/** Escaped for an attribute value in double quotes. */
const escapeAttribute = (text: string): string => escapeTelegramHtml(text).replace(/"/g, '&quot;');

/**
 * Link schemes Telegram turns into text links. Phone numbers stay text: Telegram's clients make
 * them tappable themselves, and a `tel:` text link is not one the Bot API accepts.
 */
const linkable = /^(https:|mailto:)/;

function inlineHtml(inline: Inline): string {
  let html = escapeTelegramHtml(inline.text);
  if (inline.strong === true) html = `<b>${html}</b>`;
  if (inline.href !== undefined && linkable.test(inline.href))
    html = `<a href="${escapeAttribute(inline.href)}">${html}</a>`;
  return html;
}

const inlinesHtml = (inlines: readonly Inline[]): string => inlines.map(inlineHtml).join('');

function cardHtml(card: Card): string[] {
  // The heading is "1. Name — Title" in the answer's words; the number and name go bold.
  const lead = `${String(card.position)}. ${card.name}`;
  const heading = card.heading.startsWith(lead)
    ? `<b>${escapeTelegramHtml(lead)}</b>${escapeTelegramHtml(card.heading.slice(lead.length))}`
    : escapeTelegramHtml(card.heading);
  return [
    heading,
    ...card.lines.map((line) =>
      line.role === 'note' ? `<i>${inlinesHtml(line.inlines)}</i>` : inlinesHtml(line.inlines),
    ),
  ];
}

/** One block as HTML lines, and its plain text (used if the block alone is over the limit). */
function blockHtml(block: RichBlock): { html: string; plain: string } {
  switch (block.kind) {
    case 'heading':
      return { html: `<b>${escapeTelegramHtml(block.text)}</b>`, plain: block.text };
    case 'line':
      return {
        html:
          block.line.role === 'note'
            ? `<i>${inlinesHtml(block.line.inlines)}</i>`
            : inlinesHtml(block.line.inlines),
        plain: inlineText(block.line.inlines),
      };
    case 'gap':
      return { html: '', plain: '' };
    case 'card':
      return { html: cardHtml(block.card).join('\n'), plain: cardPlainLines(block.card).join('\n') };
    case 'more':
      return { html: `<i>${escapeTelegramHtml(block.note)}</i>`, plain: block.note };
  }
}

/**
 * Rendered pieces of rich content already sent, by the content object: an answer remembered for
 * its minute (src/ask) is the same object every time it is given, and rich content is a value
 * once made (built whole, never changed), so it is rendered once.
 */
const rendered = new WeakMap<RichContent, readonly string[]>();

/** `renderRichForTelegram` at Telegram's own limit, once per content object. */
export function renderRichOnce(content: RichContent): readonly string[] {
  let pieces = rendered.get(content);
  if (pieces === undefined) {
    pieces = renderRichForTelegram(content);
    rendered.set(content, pieces);
  }
  return pieces;
}

/**
 * The HTML messages for rich content: blocks joined by line breaks, a new message started between
 * blocks when the next would not fit (tags never cross a message), a block longer than a whole
 * message sent as escaped plain text cut at its lines.
 */
export function renderRichForTelegram(content: RichContent, limit: number = telegramMessageLimit): string[] {
  const pieces: string[] = [];
  let current: string[] = [];
  let length = 0;
  const flush = () => {
    const text = current.join('\n').trim();
    if (text !== '') pieces.push(text);
    current = [];
    length = 0;
  };
  for (const block of content.blocks) {
    const { html, plain } = blockHtml(block);
    if (length + html.length + 1 > limit) flush();
    if (html.length > limit) {
      pieces.push(...splitForTelegram(plain, limit).filter((piece) => piece.trim() !== ''));
      continue;
    }
    // A gap at the top of a new message is nothing to show.
    if (block.kind === 'gap' && current.length === 0) continue;
    current.push(html);
    length += html.length + 1;
  }
  flush();
  return pieces.length > 0 ? pieces : [''];
}
