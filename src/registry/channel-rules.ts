// What a channel's value must look like, per kind, and how it reads and where it leads. The rules
// are configuration (src/config/channel-kinds.ts); this module only applies the rules it is given
// and names no kind. Kinds without a rule (fax, a web form...) are free text. The validator
// reports a wrong value with its path; the console shows the same rule next to the field.
import { channelKinds, ConfigError, type ChannelKind, type ChannelKindRule } from '../config/index.ts';

/** The kind whose rule a value breaks (the console's sentence for it is `console-error-channel-<kind>`). */
export type ChannelProblem = ChannelKind;

export interface ChannelRules<Kind extends string> {
  /** The kinds with a rule, in the configuration's order. */
  readonly kinds: readonly Kind[];
  /** The rule a channel value breaks, if any. */
  readonly problem: (kind: string, value: string) => Kind | undefined;
  /** The English sentence for a broken rule (API and import problems). */
  readonly message: (problem: Kind) => string;
  /** A channel's value as people read it (a handle always with its prefix, stored with or without). */
  readonly display: (kind: string, value: string) => string;
  /** Where a valid value leads; undefined for kinds without a rule and values that break theirs. */
  readonly href: (kind: string, value: string) => string | undefined;
}

const kindName = /^[a-z][a-z0-9_]{0,63}$/;
const placeholder = /\{([^}]*)\}/g;
const placeholders = new Set(['value', 'digits', 'name']);

/** The problems of a rule table, so a start with a broken one lists them all. */
function ruleProblems(rules: Readonly<Record<string, ChannelKindRule>>): string[] {
  const problems: string[] = [];
  for (const [kind, rule] of Object.entries(rules)) {
    const at = `channel kind "${kind}"`;
    if (!kindName.test(kind)) problems.push(`${at}: must be lowercase letters, digits and "_"`);
    if (!(rule.pattern instanceof RegExp)) problems.push(`${at}: pattern must be a regular expression`);
    else if (rule.pattern.global || rule.pattern.sticky)
      problems.push(`${at}: pattern must not be global or sticky (it is tested again and again)`);
    if (typeof rule.message !== 'string' || rule.message.trim() === '')
      problems.push(`${at}: message must be a sentence`);
    if (typeof rule.link !== 'string' || !/^[a-z][a-z0-9+.-]*:/.test(rule.link))
      problems.push(`${at}: link must start with a URI scheme`);
    else
      for (const [, name] of rule.link.matchAll(placeholder))
        if (!placeholders.has(name ?? ''))
          problems.push(`${at}: link placeholder {${name ?? ''}} is not one of {value}, {digits}, {name}`);
  }
  return problems;
}

/** Rules that apply the given table; a broken table is refused with every problem listed. */
export function createChannelRules<Kind extends string>(
  rules: Readonly<Record<Kind, ChannelKindRule>>,
): ChannelRules<Kind> {
  const problems = ruleProblems(rules);
  if (problems.length > 0) throw new ConfigError(problems);
  const ruleOf = (kind: string): ChannelKindRule | undefined =>
    Object.hasOwn(rules, kind) ? rules[kind as Kind] : undefined;
  const problem = (kind: string, value: string): Kind | undefined => {
    const rule = ruleOf(kind);
    if (rule === undefined) return undefined;
    return rule.pattern.test(value.trim()) ? undefined : (kind as Kind);
  };
  return {
    kinds: Object.keys(rules) as Kind[],
    problem,
    message: (broken) => rules[broken].message,
    display: (kind, value) => {
      const prefix = ruleOf(kind)?.displayPrefix;
      return prefix !== undefined && !value.startsWith(prefix) ? `${prefix}${value}` : value;
    },
    href: (kind, value) => {
      const rule = ruleOf(kind);
      const trimmed = value.trim();
      if (rule === undefined || problem(kind, trimmed) !== undefined) return undefined;
      const prefix = rule.displayPrefix;
      const name =
        prefix !== undefined && trimmed.startsWith(prefix) ? trimmed.slice(prefix.length) : trimmed;
      const values: Record<string, string> = { value: trimmed, digits: trimmed.replace(/\D/g, ''), name };
      return rule.link.replace(placeholder, (_, key: string) => values[key] ?? '');
    },
  };
}

/** The deployment's rules, from configuration. */
const configured = createChannelRules(channelKinds);

/** The rule a channel value breaks, if any. */
export const channelProblem = configured.problem;

/** The English sentence for a broken rule (API and import problems). */
export const channelProblemMessage = configured.message;

/** A channel's value as people read it: a handle always with its prefix (stored with or without). */
export const displayChannelValue = configured.display;

/** The kinds every contact form offers, in the order people usually prefer them. */
export const commonChannelKinds: readonly ChannelKind[] = configured.kinds;

/**
 * Where a channel's value leads, as a link any device opens (`tel:`, `mailto:`, a messenger's
 * public link service). Undefined for kinds without a rule and for values that break their kind's
 * rule, so a link never carries anything but a well-formed address.
 */
export const channelHref = configured.href;
