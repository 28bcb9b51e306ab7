// OutboundMessage -> Telegram: HTML-escaped text split to the message limit, buttons as an inline keyboard.
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { Button } from '../../src/chat/index.ts';

/** Telegram's limit on a message's text. */
export const telegramMessageLimit = 4096;
/** The Bot API's limit on a reply field's placeholder (input_field_placeholder), in characters. */
export const telegramPlaceholderLimit = 64;
/** Telegram's limit on a button's callback data. */
export const callbackDataLimit = 64;

/** Everything we send is plain text rendered as HTML, so registry text can never inject markup. */
export function escapeTelegramHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Splits plain text into pieces whose escaped form fits one message, preferring line boundaries
 * (an answer is a list of contacts, one per block) and never cutting an escape sequence. Returns
 * the escaped pieces.
 */
export function splitForTelegram(text: string, limit: number = telegramMessageLimit): string[] {
  const pieces: string[] = [];
  let current = '';
  const flush = () => {
    if (current !== '') pieces.push(current);
    current = '';
  };
  for (const line of text.split('\n')) {
    const escaped = escapeTelegramHtml(line);
    const joined = current === '' ? escaped : `${current}\n${escaped}`;
    if (joined.length <= limit) {
      current = joined;
      continue;
    }
    flush();
    if (escaped.length <= limit) {
      current = escaped;
      continue;
    }
    // A single line longer than a message: cut between characters (whole code points, whole escapes).
    for (const character of line) {
      const piece = escapeTelegramHtml(character);
      if (current.length + piece.length > limit) flush();
      current += piece;
    }
  }
  flush();
  // Whitespace-only pieces (blank lines at a cut) would be rejected as empty messages.
  const visible = pieces.filter((piece) => piece.trim() !== '');
  return visible.length > 0 ? visible : [''];
}

/** Buttons whose label fits this many characters are put two to a row. */
const shortLabel = 18;

/**
 * An inline keyboard: one button per row, or two when both labels are short. `callbackData`
 * turns an action into at most 64 bytes of callback data.
 */
export function inlineKeyboard(
  buttons: readonly Button[],
  callbackData: (action: string) => string,
): InlineKeyboardMarkup {
  const rows: InlineKeyboardButton[][] = [];
  for (const button of buttons) {
    const rendered: InlineKeyboardButton = { text: button.label, callback_data: callbackData(button.action) };
    const last = rows.at(-1);
    const previous = last?.[0];
    if (
      last?.length === 1 &&
      previous !== undefined &&
      previous.text.length <= shortLabel &&
      button.label.length <= shortLabel
    ) {
      last.push(rendered);
    } else {
      rows.push([rendered]);
    }
  }
  return { inline_keyboard: rows };
}
