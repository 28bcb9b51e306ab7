// Does a line of code or text name a messenger? By whole words and identifier parts, not
// substrings: `platform === 'matrix'`, `telegramId`, `MATRIX_HOMESERVER_URL`, `matrix-bot` and a
// comment naming Telegram do; "matrices", "atelegramme" or an adapter named like a common word
// inside a longer one ("signals", "designal") do not. Used by check-platform-names.ts.

/** Words of a line, each identifier split at camelCase, snake_case and kebab-case boundaries, lowercased. */
export function identifierParts(line: string): string[] {
  return (line.match(/[\p{L}\p{N}]+/gu) ?? []).flatMap((word) =>
    (word.match(/\p{Lu}+(?!\p{Ll})|\p{Lu}?\p{Ll}+|\p{N}+|\p{L}+/gu) ?? []).map((part) => part.toLowerCase()),
  );
}

/**
 * A matcher for messenger names (as registered: `telegram`, or a camelCase `rocketChat`, which
 * matches its parts in a row: `rocketChatUser`, `ROCKET_CHAT_URL`).
 */
export function messengerNameMatcher(names: readonly string[]): (line: string) => boolean {
  const wanted = names.map(identifierParts).filter((parts) => parts.length > 0);
  return (line) => {
    const parts = identifierParts(line);
    return wanted.some((name) =>
      parts.some((_, start) => name.every((part, offset) => parts[start + offset] === part)),
    );
  };
}
