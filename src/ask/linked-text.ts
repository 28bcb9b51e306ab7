// Registry and library text (a sheet's notes, an urgent route, a tip's body and sources) as
// inlines, with the web addresses, e-mail addresses and international phone numbers in it as links
// (`https:`, `mailto:`, `tel:`), so each messenger shows them the way it shows links. An address
// becomes a link only when it is well formed by the registry's own channel rules.
import type { Inline } from '../chat/index.ts';
import { channelHref } from '../registry/index.ts';

// A web address (to the next space or closing bracket), an e-mail address, or a phone number in
// international format ("+", then digits with the usual separators).
const candidates =
  /(https:\/\/[^\s<>()"]+[^\s<>()".,;:!?])|([^\s@<>()",;:«»]+@[^\s@<>()",;]+\.[A-Za-z]{2,})|(\+[0-9](?:[ ()./-]?[0-9]){5,19})/g;

function hrefOf(match: RegExpExecArray): string | undefined {
  const [, url, email, phone] = match;
  if (url !== undefined) return url;
  if (email !== undefined) return channelHref('email', email);
  if (phone !== undefined) return channelHref('phone', phone);
  return undefined;
}

/** The text as inlines: plain runs, and each address found as a link (its text unchanged). */
export function linkedInlines(text: string): Inline[] {
  const inlines: Inline[] = [];
  let at = 0;
  for (const match of text.matchAll(candidates)) {
    const href = hrefOf(match);
    if (href === undefined) continue;
    if (match.index > at) inlines.push({ text: text.slice(at, match.index) });
    inlines.push({ text: match[0], href });
    at = match.index + match[0].length;
  }
  if (at < text.length || inlines.length === 0) inlines.push({ text: text.slice(at) });
  return inlines;
}
