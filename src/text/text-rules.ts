// What text may hold, wherever it enters (HTTP, registry files, CLI arguments, chat). Postgres
// refuses NUL in text and jsonb ("unsupported Unicode escape sequence"), JSON logs and the audit
// chain would carry control characters into every tool that reads them, and a lone UTF-16
// surrogate cannot be encoded as UTF-8 at all. So these never get past the edge: an API caller is
// told which field is wrong; chat text, which a person typed on a messenger, loses the characters.

/** Where a string may span lines: tab, line feed and carriage return are then allowed. */
export interface TextKind {
  multiline: boolean;
}

// C0 controls; the multi-line variant spares tab (09), line feed (0A) and carriage return (0D).
// Matching control characters is the point of these expressions.
/* eslint-disable no-control-regex */
const singleLineForbidden = /[\u0000-\u001f]/;
const multilineForbidden = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
/* eslint-enable no-control-regex */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const lineBreaks = /[\t\n\r]/;

const codePoint = (character: string): string =>
  `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why `value` may not be accepted as text of this kind, as a phrase a caller can act on, or
 * undefined when it is fine. Linear in the length of the string (1 MiB strings are checked too).
 */
export function unsafeTextReason(value: string, kind: TextKind = { multiline: false }): string | undefined {
  const control = (kind.multiline ? multilineForbidden : singleLineForbidden).exec(value);
  if (control !== null) {
    return lineBreaks.test(control[0])
      ? `must be a single line (found ${codePoint(control[0])} at offset ${control.index})`
      : `must not contain control characters (found ${codePoint(control[0])} at offset ${control.index})`;
  }
  if (!value.isWellFormed()) {
    const at = loneSurrogate.exec(value)?.index ?? 0;
    return `must not contain an unpaired UTF-16 surrogate (found at offset ${at})`;
  }
  return undefined;
}

const droppedSingleLine = new RegExp(`${singleLineForbidden.source}|${loneSurrogate.source}`, 'g');
const droppedMultiline = new RegExp(`${multilineForbidden.source}|${loneSurrogate.source}`, 'g');

/**
 * `value` without the characters `unsafeTextReason` objects to (for text a person typed, where
 * refusing would only lose the message). A CR LF pair becomes LF; a lone CR, a line break too.
 */
export function dropUnsafeCharacters(value: string, kind: TextKind = { multiline: true }): string {
  if (unsafeTextReason(value, kind) === undefined && !value.includes('\r')) return value;
  const cleaned = value.replace(kind.multiline ? droppedMultiline : droppedSingleLine, '');
  return kind.multiline ? cleaned.replace(/\r\n?/g, '\n') : cleaned;
}

/**
 * A string safe to quote in an error message or a log line: unsafe characters are written as
 * `\uXXXX` and long values are cut, so an echo of bad input cannot carry the input itself.
 */
export function quotableText(value: string, maxLength = 80): string {
  const cut = value.length > maxLength ? `${value.slice(0, maxLength)}…` : value;
  // Compiled once: this runs for every field name of every request (text-problems.ts).
  return cut.replace(
    droppedSingleLine,
    (character) => `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}
