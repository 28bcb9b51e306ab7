// The contact-channel kinds of the registry format that have a rule: how a value must look, what
// to say when it does not, how it reads and where it leads. src/registry applies these and names
// no kind itself; kinds not listed here (fax, a web form...) are free text. Kinds named after a
// messenger are registry vocabulary (an address people type into a contact record), not adapters:
// a contact's handle is shown and linked whether or not this deployment runs that messenger's bot.
// The console's own sentences for a broken rule are the i18n texts `console-error-channel-<kind>`.

/** One kind's rule (checked when the registry module loads: a broken rule stops the start). */
export interface ChannelKindRule {
  /** What a value must look like (surrounding spaces ignored). */
  readonly pattern: RegExp;
  /** The English sentence for a value that breaks the rule (API and import problems). */
  readonly message: string;
  /** Shown before a value stored without it (people type a handle with or without its "@"). */
  readonly displayPrefix?: string;
  /**
   * Where a valid value leads, as a link any device opens: `{value}` is the value, `{digits}` its
   * digits only, `{name}` the value without its display prefix. A value breaking the rule gets no link.
   */
  readonly link: string;
}

/** The kinds every contact form offers, in the order people usually prefer them. */
export const channelKinds = {
  // International format: "+", then digits with the usual separators (the demo registry's
  // fictional "+000 01 828141" passes; "call the office" or a bare "12" does not). The link
  // dials digits and the leading "+" only.
  phone: {
    pattern: /^\+[0-9](?:[ ()./-]?[0-9]){5,19}$/,
    message: 'must be a phone number in international format, e.g. "+996 312 66 22 11"',
    link: 'tel:+{digits}',
  },
  email: {
    pattern: /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;.]{2,}$/,
    message: 'must be an e-mail address, e.g. "name@agency.example.org"',
    link: 'mailto:{value}',
  },
  // Messenger handles link through the messengers' public link services.
  telegram: {
    pattern: /^@?[A-Za-z][A-Za-z0-9_]{3,31}$/,
    message: 'must be a Telegram username of 4 to 32 letters, digits or "_", e.g. "@name"',
    displayPrefix: '@',
    link: 'https://t.me/{name}',
  },
  matrix: {
    pattern: /^@[a-z0-9._=/+-]+:[A-Za-z0-9.-]+(:[0-9]{1,5})?$/,
    message: 'must be a Matrix user id, e.g. "@name:matrix.example.org"',
    link: 'https://matrix.to/#/{value}',
  },
} as const satisfies Record<string, ChannelKindRule>;

/** A channel kind with a rule. */
export type ChannelKind = keyof typeof channelKinds;
