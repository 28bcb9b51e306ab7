// What a channel's value must look like, per kind: a phone number people can dial, an e-mail
// address, a Telegram username, a Matrix user id. Other kinds (fax, a web form...) are free text.
// The validator reports a wrong value with its path; the console shows the same rule next to the field.

export type ChannelProblem = 'phone' | 'email' | 'telegram' | 'matrix';

const rules: Record<ChannelProblem, { pattern: RegExp; message: string }> = {
  // International format: "+", then digits with the usual separators (the demo registry's
  // fictional "+000 01 828141" passes; "call the office" or a bare "12" does not).
  phone: {
    pattern: /^\+[0-9](?:[ ()./-]?[0-9]){5,19}$/,
    message: 'must be a phone number in international format, e.g. "+996 312 66 22 11"',
  },
  email: {
    pattern: /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;.]{2,}$/,
    message: 'must be an e-mail address, e.g. "name@agency.example.org"',
  },
  telegram: {
    pattern: /^@?[A-Za-z][A-Za-z0-9_]{3,31}$/,
    message: 'must be a Telegram username of 4 to 32 letters, digits or "_", e.g. "@name"',
  },
  matrix: {
    pattern: /^@[a-z0-9._=/+-]+:[A-Za-z0-9.-]+(:[0-9]{1,5})?$/,
    message: 'must be a Matrix user id, e.g. "@name:matrix.example.org"',
  },
};

const isRuled = (kind: string): kind is ChannelProblem => Object.hasOwn(rules, kind);

/** The rule a channel value breaks, if any. */
export function channelProblem(kind: string, value: string): ChannelProblem | undefined {
  if (!isRuled(kind)) return undefined;
  return rules[kind].pattern.test(value.trim()) ? undefined : kind;
}

/** The English sentence for a broken rule (API and import problems). */
export const channelProblemMessage = (problem: ChannelProblem): string => rules[problem].message;

/** A channel's value as people read it: a Telegram username always with its "@" (stored with or without). */
export const displayChannelValue = (kind: string, value: string): string =>
  kind === 'telegram' && !value.startsWith('@') ? `@${value}` : value;

/** The kinds every contact form offers, in the order people usually prefer them. */
export const commonChannelKinds = ['phone', 'email', 'telegram', 'matrix'] as const;

/**
 * Where a channel's value leads, as a link any device opens: a phone number to dial (`tel:`, digits
 * and the leading "+" only), an e-mail to write (`mailto:`), a Telegram or Matrix chat (their public
 * link services). Undefined for other kinds and for values that break their kind's rule, so a
 * link never carries anything but a well-formed address.
 */
export function channelHref(kind: string, value: string): string | undefined {
  const trimmed = value.trim();
  if (!isRuled(kind) || channelProblem(kind, trimmed) !== undefined) return undefined;
  switch (kind) {
    case 'phone':
      return `tel:+${trimmed.replace(/\D/g, '')}`;
    case 'email':
      return `mailto:${trimmed}`;
    case 'telegram':
      return `https://t.me/${trimmed.replace(/^@/, '')}`;
    case 'matrix':
      return `https://matrix.to/#/${trimmed}`;
  }
}
