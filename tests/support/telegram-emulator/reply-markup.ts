// Validation of reply_markup as Telegram applies it: inline keyboards (what the bot's buttons are),
// reply keyboards, keyboard removal and forced replies.
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import { badRequest } from './bot-api-error.ts';

/** Telegram's limit for callback_data, in bytes (UTF-8). */
export const maximumCallbackDataBytes = 64;
const maximumInlineButtons = 100;
/** Telegram clients show at most 8 inline buttons in a row. */
export const maximumInlineButtonsPerRow = 8;
/**
 * Longer labels are cut by the clients; the emulator refuses them (BUTTON_TEXT_INVALID) so a
 * label that would show truncated is found in a test.
 */
export const maximumButtonTextLength = 64;

const inlineButtonActions = [
  'url', 'callback_data', 'web_app', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat', 'copy_text', 'callback_game', 'pay',
] as const; // prettier-ignore

export type ValidatedReplyMarkup =
  | { kind: 'inline'; markup: InlineKeyboardMarkup }
  | { kind: 'keyboard' | 'remove_keyboard' | 'force_reply'; markup: Record<string, unknown> };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isValidButtonUrl(url: string): boolean {
  try {
    const parsed = new URL(/^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `http://${url}`);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.hostname.length > 0;
    return parsed.protocol === 'tg:' || parsed.protocol === 'ton:';
  } catch {
    return false;
  }
}

function validateInlineButton(button: unknown): InlineKeyboardButton {
  if (!isObject(button))
    throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
  if (typeof button.text !== 'string')
    throw badRequest('can\'t parse inline keyboard button: Field "text" must be of type String');
  const actions = inlineButtonActions.filter(
    (action) => button[action] !== undefined && button[action] !== null,
  );
  if (actions.length === 0) throw badRequest('text buttons are unallowed in the inline keyboard');
  if (actions.length > 1)
    throw badRequest(
      `can't parse inline keyboard button: exactly one of the fields ${actions.join(', ')} must be used`,
    );
  if (button.text.trim() === '') throw badRequest('text must be non-empty');
  if (button.text.length > maximumButtonTextLength) throw badRequest('BUTTON_TEXT_INVALID');
  if (button.callback_data !== undefined) {
    const data = button.callback_data;
    if (
      typeof data !== 'string' ||
      data.length === 0 ||
      Buffer.byteLength(data, 'utf8') > maximumCallbackDataBytes
    ) {
      throw badRequest('BUTTON_DATA_INVALID');
    }
  }
  if (button.url !== undefined) {
    if (typeof button.url !== 'string' || !isValidButtonUrl(button.url)) {
      throw badRequest(
        `inline keyboard button URL '${JSON.stringify(button.url)}' is invalid: Wrong HTTP URL`,
      );
    }
  }
  return button as unknown as InlineKeyboardButton;
}

function validateRows(rows: unknown, field: string): unknown[][] {
  if (!Array.isArray(rows) || !rows.every((row) => Array.isArray(row))) {
    throw badRequest(`field "${field}" must be an Array of Arrays`);
  }
  return rows as unknown[][];
}

/** Checks a reply_markup value and tells which kind it is; throws Telegram's 400 answers. */
export function validateReplyMarkup(markup: Record<string, unknown>): ValidatedReplyMarkup {
  if (markup.inline_keyboard !== undefined) {
    const rows = validateRows(markup.inline_keyboard, 'inline_keyboard');
    const buttonCount = rows.reduce((count, row) => count + row.length, 0);
    if (buttonCount > maximumInlineButtons) throw badRequest('reply markup is too long');
    if (rows.some((row) => row.length > maximumInlineButtonsPerRow)) throw badRequest('BUTTON_ROWS_TOO_LONG');
    const inlineKeyboard = rows.map((row) => row.map(validateInlineButton));
    return { kind: 'inline', markup: { inline_keyboard: inlineKeyboard } };
  }
  if (markup.keyboard !== undefined) {
    const rows = validateRows(markup.keyboard, 'keyboard');
    for (const button of rows.flat()) {
      const text = typeof button === 'string' ? button : isObject(button) ? button.text : undefined;
      if (typeof text !== 'string' || text === '')
        throw badRequest('can\'t parse keyboard button: Field "text" must be of type String');
    }
    return { kind: 'keyboard', markup };
  }
  if (markup.remove_keyboard === true) return { kind: 'remove_keyboard', markup };
  if (markup.force_reply === true) return { kind: 'force_reply', markup };
  throw badRequest("can't parse reply keyboard markup JSON object");
}

/** The callback data of every inline button of a keyboard, row by row. */
export function inlineButtons(markup: InlineKeyboardMarkup | undefined): InlineKeyboardButton[] {
  return markup?.inline_keyboard.flat() ?? [];
}
