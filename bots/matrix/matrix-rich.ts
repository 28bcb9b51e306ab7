// Rich content (an answer's headings, contact cards, links) as Matrix HTML for formatted_body; the
// message's plain text stays the body, for clients without HTML. Built only from escaped text and
// links whose schemes the Matrix spec lets clients keep (https, mailto): phone numbers stay text.
import type { Card, Inline, RichContent } from '../../src/chat/index.ts';
import { escapeHtml } from './matrix-render.ts';

const linkable = /^(https:|mailto:)/;

function inlineHtml(inline: Inline): string {
  let html = escapeHtml(inline.text);
  if (inline.strong === true) html = `<strong>${html}</strong>`;
  if (inline.href !== undefined && linkable.test(inline.href))
    html = `<a href="${escapeHtml(inline.href)}">${html}</a>`;
  return html;
}

const inlinesHtml = (inlines: readonly Inline[]): string => inlines.map(inlineHtml).join('');

function cardHtml(card: Card): string {
  const lead = `${String(card.position)}. ${card.name}`;
  const heading = card.heading.startsWith(lead)
    ? `<strong>${escapeHtml(lead)}</strong>${escapeHtml(card.heading.slice(lead.length))}`
    : escapeHtml(card.heading);
  const lines = card.lines.map((line) =>
    line.role === 'note' ? `<em>${inlinesHtml(line.inlines)}</em>` : inlinesHtml(line.inlines),
  );
  return `<p>${[heading, ...lines].join('<br>')}</p>`;
}

/** Consecutive lines form one paragraph; headings, cards and gaps end it. */
export function richToMatrixHtml(content: RichContent): string {
  const parts: string[] = [];
  let paragraph: string[] = [];
  const close = () => {
    if (paragraph.length > 0) parts.push(`<p>${paragraph.join('<br>')}</p>`);
    paragraph = [];
  };
  for (const block of content.blocks) {
    switch (block.kind) {
      case 'heading':
        close();
        parts.push(`<h4>${escapeHtml(block.text)}</h4>`);
        break;
      case 'line':
        paragraph.push(
          block.line.role === 'note'
            ? `<em>${inlinesHtml(block.line.inlines)}</em>`
            : inlinesHtml(block.line.inlines),
        );
        break;
      case 'gap':
        close();
        break;
      case 'card':
        close();
        parts.push(cardHtml(block.card));
        break;
      case 'more':
        close();
        parts.push(`<p><em>${escapeHtml(block.note)}</em></p>`);
        break;
    }
  }
  close();
  return parts.join('');
}
