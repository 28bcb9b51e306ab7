// An answer as data: headings, lines, contact cards with their channels as links, and the part
// that stays collapsed until asked for. The core builds it once; each adapter renders it in its
// messenger's idiom (web cards, HTML, HTML with a plain body), and the plain text
// every message also carries is rendered from the same data here, so the content is the same
// everywhere. Links are URIs (tel:, mailto:, https:), not markup: nothing here is HTML.
import { Type, type Static } from 'typebox';

/** A run of text, a link when `href` is set (tel:, mailto:, https:), emphasised when `strong`. */
export const InlineSchema = Type.Object({
  text: Type.String(),
  href: Type.Optional(Type.String()),
  strong: Type.Optional(Type.Boolean()),
});
export type Inline = Static<typeof InlineSchema>;

/** What a line says, so a renderer may style it (the web console's cards); plain renderers ignore it. */
export const LineRoleSchema = Type.Union([
  Type.Literal('authority'),
  Type.Literal('away'),
  Type.Literal('note'),
  Type.Literal('languages'),
  Type.Literal('channels'),
  Type.Literal('time'),
  Type.Literal('notice'),
]);
export type LineRole = Static<typeof LineRoleSchema>;

export const RichLineSchema = Type.Object({
  role: Type.Optional(LineRoleSchema),
  /** A detail of the line above (plain text indents it). */
  indent: Type.Optional(Type.Boolean()),
  inlines: Type.Array(InlineSchema),
});
export type RichLine = Static<typeof RichLineSchema>;

/** One person (or a short mention of one already described above). */
export const CardSchema = Type.Object({
  /** Their place in the list ("1."), as the plain text numbers them. */
  position: Type.Integer(),
  /** The first line as plain text shows it ("1. Name — Title"), translated. */
  heading: Type.String(),
  name: Type.String(),
  title: Type.String(),
  /** Lines under the name, in reading order. */
  lines: Type.Array(RichLineSchema),
  /** Away today, or verified long ago: renderers may mark the card. */
  away: Type.Boolean(),
  stale: Type.Boolean(),
  /** Inside the contact's working hours now. */
  working: Type.Boolean(),
});
export type Card = Static<typeof CardSchema>;

export const RichBlockSchema = Type.Union([
  Type.Object({ kind: Type.Literal('heading'), text: Type.String() }),
  Type.Object({ kind: Type.Literal('line'), line: RichLineSchema }),
  /** A blank line between parts of the answer. */
  Type.Object({ kind: Type.Literal('gap') }),
  Type.Object({ kind: Type.Literal('card'), card: CardSchema }),
  /**
   * Cards kept back: messengers without a disclosure show `note` ("…and 7 more") and offer
   * `action` (a button of the same message); the web console folds the cards under `summary`.
   */
  Type.Object({
    kind: Type.Literal('more'),
    note: Type.String(),
    summary: Type.String(),
    action: Type.Optional(Type.String()),
    cards: Type.Array(CardSchema),
  }),
]);
export type RichBlock = Static<typeof RichBlockSchema>;

export const RichContentSchema = Type.Object({ blocks: Type.Array(RichBlockSchema) });
export type RichContent = Static<typeof RichContentSchema>;

/** The plain text of some inlines (links as their text). */
export const inlineText = (inlines: readonly Inline[]): string =>
  inlines.map((inline) => inline.text).join('');

/** Text as one plain inline. */
export const plain = (text: string): Inline => ({ text });

/** Indentation of a card's lines under its name, in plain text (the layout of earlier answers). */
const cardIndent = '   ';

/** A card in plain text: "1. Name — Title", then its lines indented. */
export const cardPlainLines = (card: Card): string[] => [
  card.heading,
  ...card.lines.map((line) => `${cardIndent}${inlineText(line.inlines)}`),
];

/**
 * The plain text of rich content: what messengers without markup show and what the API's
 * `reply.text` carries.
 */
export function richToPlainText(content: RichContent): string {
  const lines: string[] = [];
  for (const block of content.blocks) {
    switch (block.kind) {
      case 'heading':
        lines.push(block.text);
        break;
      case 'line':
        lines.push(`${block.line.indent === true ? cardIndent : ''}${inlineText(block.line.inlines)}`);
        break;
      case 'gap':
        lines.push('');
        break;
      case 'card':
        lines.push(...cardPlainLines(block.card));
        break;
      case 'more':
        lines.push(block.note);
        break;
    }
  }
  return lines.join('\n');
}

/** A message's text and rich parts from the same blocks, so both say the same. */
export const richMessage = (blocks: RichBlock[]): { text: string; rich: RichContent } => ({
  text: richToPlainText({ blocks }),
  rich: { blocks },
});
