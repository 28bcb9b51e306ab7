// Cleaning a typed question before it is read: whatever arrives (pasted documents, binary
// garbage, right-to-left tricks), the interpreter sees a short, plain, normalised string.

/** Characters of a question that are read; a question is a sentence, not a document. */
export const questionCharacterLimit = 500;

// Bidirectional overrides and isolates can make text display differently from what it says
// (e.g. a reversed country name); zero-width characters hide inside words and break matching.
const invisibleOrBidi = /[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/gu;
// Controls (C0, DEL, C1), unpaired surrogates and private-use characters carry no words.
const controlLike = /[\p{Cc}\p{Cs}\p{Co}\uFFFD]/gu;
const printableAscii = /^[\x20-\x7e]*$/;
// Each run of whitespace becomes one space: a lone space is left as it is (no new string for it).
const whitespaceToCollapse = /\s{2,}|[^\S ]/gu;

/**
 * Unicode NFKC (full-width letters, ligatures and compatibility forms become plain letters),
 * without control, bidi and zero-width characters, whitespace collapsed, cut to
 * `questionCharacterLimit` characters (never inside a surrogate pair).
 */
export function sanitizeQuestion(raw: string): string {
  // Cut before normalising so a 10 MB paste costs no more than a sentence; NFKC can expand a
  // character into a few, hence the margin.
  const head = raw.length > questionCharacterLimit * 4 ? raw.slice(0, questionCharacterLimit * 4) : raw;
  // Printable ASCII is its own NFKC form and holds no control, bidi or zero-width character.
  const plain = printableAscii.test(head);
  const cleaned = (
    plain ? head : head.normalize('NFKC').replace(invisibleOrBidi, '').replace(controlLike, ' ')
  )
    .replace(whitespaceToCollapse, ' ')
    .trim();
  // No more UTF-16 units than the limit: no more characters either, nothing to cut.
  if (cleaned.length <= questionCharacterLimit) return cleaned;
  const characters = Array.from(cleaned);
  return characters.length > questionCharacterLimit
    ? characters.slice(0, questionCharacterLimit).join('').trim()
    : cleaned;
}
