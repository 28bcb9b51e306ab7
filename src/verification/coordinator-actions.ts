// A coordinator's one-tap actions on a contact whose record needs them (the flag after unanswered
// reminders, `/stale`): verify it on their behalf, send the prompt again, or invite a person who
// has no linked messenger. Each button names the contact and the step of its re-verification round
// it was offered at (`seq`): the action is taken only while that step stands, in the transaction
// that moves it on, so a second tap (or a tap on an older list) acts never more than once.
import type { Button } from '../chat/index.ts';
import type { Principal } from '../access/index.ts';
import type { Locale } from '../i18n/index.ts';
import type { Contact } from '../registry/index.ts';

/** What a coordinator's "Invite" gets back to forward. */
export interface ContactInvite {
  code: string;
  expiresAt: Date;
  /** The console's login with the code, each messenger's one-tap link. */
  links: Record<string, string>;
  /** What to type to which bot where a messenger has no one-tap link. */
  instructions: Record<string, { to: string; command: string }>;
}
/**
 * Issues an invite code for the person behind a contact (their member, or a new one for the
 * contact), as a coordinator or admin may through the API; audited there.
 */
export type InviteContact = (principal: Principal, contact: Contact) => Promise<ContactInvite>;

type T = (locale: Locale, id: string, args?: Record<string, string | number>) => string;

/** The button prefix; actions are `vco:<verb>:<seq, base 36>:<contactId>`, and `vco:n:<offset>` pages `/stale`. */
export const coordinatorActionPrefix = 'vco';
export const coordinatorVerbs = { verify: 'v', prompt: 'p', invite: 'i' } as const;
export type CoordinatorVerb = keyof typeof coordinatorVerbs;

/** Contacts per `/stale` page with their buttons (three at most each): a keyboard a phone shows whole. */
export const contactsPerPage = 5;

export interface ActionTarget {
  contactId: string;
  name: string;
  /** Someone behind the contact has a linked messenger: the prompt can go to them. */
  linked: boolean;
  /** Their pushes keep failing (a blocked bot, an unlinked chat): a new link may help. */
  unreachable: boolean;
  /** The step of the contact's round the buttons are offered at. */
  seq: number;
}

export const actionOf = (verb: CoordinatorVerb, target: Pick<ActionTarget, 'contactId' | 'seq'>): string =>
  `${coordinatorActionPrefix}:${coordinatorVerbs[verb]}:${target.seq.toString(36)}:${target.contactId}`;

/** `vco:v:3:kz-004` → the verb, the step and the contact; undefined when it is none of ours. */
export function readAction(
  action: string,
): { verb: CoordinatorVerb; seq: number; contactId: string } | undefined {
  const [prefix, letter, seq, contactId, ...rest] = action.split(':');
  if (prefix !== coordinatorActionPrefix || rest.length > 0 || contactId === undefined || contactId === '')
    return undefined;
  const verb = (Object.keys(coordinatorVerbs) as CoordinatorVerb[]).find(
    (key) => coordinatorVerbs[key] === letter,
  );
  const step = Number.parseInt(seq ?? '', 36);
  if (verb === undefined || !/^[0-9a-z]{1,8}$/.test(seq ?? '') || !Number.isSafeInteger(step))
    return undefined;
  return { verb, seq: step, contactId };
}

/** Labels carry the person's name (several contacts share one keyboard), cut to fit a button. */
const shortName = (name: string) => (name.length > 28 ? `${name.slice(0, 27)}…` : name);

/**
 * The buttons for one contact: verify; the prompt again when someone is linked; an invite when
 * nobody is, or their pushes keep failing.
 * A button whose action would not fit every messenger of the deployment (`maxActionBytes`, from
 * their capabilities) is left out: the API and the console do the same.
 */
export function actionButtons(
  t: T,
  locale: Locale,
  target: ActionTarget,
  limits: { maxActionBytes: number; invites: boolean },
): Button[] {
  const name = shortName(target.name);
  const verbs: CoordinatorVerb[] = [
    'verify',
    ...(target.linked ? (['prompt'] as const) : []),
    ...(limits.invites && (!target.linked || target.unreachable) ? (['invite'] as const) : []),
  ];
  return verbs
    .map((verb) => ({ label: t(locale, `truth-act-${verb}`, { name }), action: actionOf(verb, target) }))
    .filter((button) => new TextEncoder().encode(button.action).length <= limits.maxActionBytes);
}
