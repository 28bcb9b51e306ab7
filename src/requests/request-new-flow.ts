// `/newrequest` as a conversation flow: the kind of request, the country, when it was sent,
// urgency, then the reference and subject when the command did not bring them. Registered when
// every answer is in.
import type { Clock } from '../clock/index.ts';
import { defineFlow, type ChatReply, type FlowContext, type StepOutcome } from '../chat/index.ts';
import type { RequestMessages } from './request-messages.ts';
import { referenceMaxLength, subjectMaxLength, type RequestService } from './request-service.ts';
import type { RequestView } from './request-types.ts';
import { AppError } from '../errors/index.ts';
import { countryTimezone, isoDay, type RegistrySnapshot } from '../registry/index.ts';

/** A request being registered in a chat. */
export interface NewRequest {
  ourReference?: string;
  subject?: string;
  type?: string;
  /** The requesting country, asked of an admin who belongs to none (the secretariat). */
  fromCountry?: string;
  toCountry?: string;
  /** ISO date-time. */
  sentAt?: string;
  urgent?: boolean;
}

export interface RequestNewFlowDeps {
  requests: Pick<RequestService, 'create'>;
  messages: RequestMessages;
  /** `todayIn`: the date in a country now, on the calendar its records are dated by. */
  registry: { snapshot(): RegistrySnapshot; todayIn(country: string): string };
  clock: Clock;
}

const sentOptions = [0, 1, 7, 30, 90];
const dayMs = 86_400_000;

export const requestNewFlowId = 'request-new';

type Context = FlowContext<NewRequest>;

export function createRequestNewFlow({ requests, messages, registry, clock }: RequestNewFlowDeps) {
  /** The requesting country: the member's own, or the one a country-less admin named. */
  const fromCountryOf = (context: Context) => context.data.fromCountry ?? context.principal.country;
  /** Today where the request was sent from: a typed date is read on that country's calendar. */
  const todayThere = (context: Context) => {
    // A country-less admin names the requesting country before this step; UTC only if none.
    const country = fromCountryOf(context);
    return country === null ? isoDay(clock.now()) : registry.todayIn(country);
  };
  /** "Request 12/345: …" once the reference is known; before, the question alone. */
  const question = (context: Context, id: string) =>
    context.data.ourReference === undefined
      ? context.t(`${id}-unnamed`)
      : context.t(id, { ourReference: context.data.ourReference });
  const tooLong = (context: Context): StepOutcome<NewRequest> => ({
    retry: context.t('requests-new-too-long', { reference: referenceMaxLength, subject: subjectMaxLength }),
  });

  async function register(context: Context): Promise<ChatReply> {
    const { principal, locale, t } = context;
    const draft = context.data;
    if (
      draft.type === undefined ||
      draft.toCountry === undefined ||
      draft.sentAt === undefined ||
      draft.ourReference === undefined ||
      draft.subject === undefined
    )
      return undefined;
    const snapshot = registry.snapshot();
    const sentAt = new Date(draft.sentAt);
    let created: RequestView;
    try {
      created = await requests.create(
        principal,
        {
          type: draft.type,
          toCountry: draft.toCountry,
          ...(draft.fromCountry === undefined ? {} : { fromCountry: draft.fromCountry }),
          ourReference: draft.ourReference,
          subject: draft.subject,
          sentAt: draft.sentAt,
          urgent: draft.urgent ?? false,
        },
        locale,
      );
    } catch (error) {
      if (error instanceof AppError) return { text: error.message, locale };
      throw error;
    }
    const timezone = countryTimezone(snapshot, draft.fromCountry ?? principal.country);
    const contact = created.contactId === null ? undefined : snapshot.contactById.get(created.contactId);
    const lines = [
      t('requests-new-done', {
        ourReference: created.ourReference,
        type: messages.typeLabel(locale, created.type, snapshot),
        toCountry: messages.countryName(locale, created.toCountry, snapshot),
        sentDate: messages.date(locale, sentAt, timezone),
      }),
      contact === undefined || created.nextNudgeAt === null
        ? t('requests-new-no-contact', {
            toCountry: messages.countryName(locale, created.toCountry, snapshot),
          })
        : t('requests-new-contact', {
            contactName: messages.contactName(locale, contact),
            authority: messages.authorityName(locale, created.authorityId, snapshot),
            nextNudge: messages.dateTime(locale, new Date(created.nextNudgeAt), timezone),
          }),
    ];
    return { text: lines.join('\n'), locale };
  }

  return defineFlow<NewRequest>({
    id: requestNewFlowId,
    actionPrefix: 'req:new',
    titleId: 'requests-new-title',
    cancelledId: 'requests-new-cancelled',
    goneId: 'requests-new-expired',
    steps: [
      {
        id: 'type',
        kind: 'choice',
        action: 't',
        when: (context) => context.data.type === undefined,
        prompt: (context) => question(context, 'requests-new-choose-type'),
        options: (context) => {
          const snapshot = registry.snapshot();
          return snapshot.competences.map((competence) => ({
            value: competence.id,
            label: messages.typeLabel(context.locale, competence.id, snapshot),
          }));
        },
        accept: (type, context) => ({ next: { ...context.data, type } }),
      },
      {
        // The secretariat is no country: the request names the country it was sent from.
        id: 'from',
        kind: 'choice',
        action: 'f',
        when: (context) => context.principal.country === null && context.data.fromCountry === undefined,
        prompt: (context) => question(context, 'requests-new-choose-from'),
        options: (context) => {
          const snapshot = registry.snapshot();
          return snapshot.countries.map((country) => ({
            value: country.iso2,
            label: messages.countryName(context.locale, country.iso2, snapshot),
          }));
        },
        read: (text) => {
          const typed = text.trim().toUpperCase();
          return registry.snapshot().countryByIso2.has(typed) ? typed : undefined;
        },
        accept: (fromCountry, context) => ({ next: { ...context.data, fromCountry } }),
      },
      {
        id: 'country',
        kind: 'choice',
        action: 'c',
        when: (context) => context.data.toCountry === undefined,
        prompt: (context) => question(context, 'requests-new-choose-country'),
        options: (context) => {
          const snapshot = registry.snapshot();
          return snapshot.countries
            .filter((country) => country.iso2 !== fromCountryOf(context))
            .map((country) => ({
              value: country.iso2,
              label: messages.countryName(context.locale, country.iso2, snapshot),
            }));
        },
        read: (text, context) => {
          const typed = text.trim().toUpperCase();
          return typed !== fromCountryOf(context) && registry.snapshot().countryByIso2.has(typed)
            ? typed
            : undefined;
        },
        accept: (toCountry, context) => ({ next: { ...context.data, toCountry } }),
      },
      {
        id: 'sent',
        kind: 'date',
        action: 's',
        when: (context) => context.data.sentAt === undefined,
        prompt: (context) => question(context, 'requests-new-choose-sent'),
        placeholder: (context) => context.t('requests-new-sent-placeholder'),
        today: todayThere,
        options: (context) =>
          sentOptions.map((days) => ({ value: String(days), label: context.t(`requests-new-sent-${days}`) })),
        accept: (answer, context) => {
          const now = clock.now();
          if ('option' in answer) {
            const days = Number(answer.option);
            if (!sentOptions.includes(days)) return { retry: context.t('flow-choose-option') };
            return {
              next: { ...context.data, sentAt: new Date(now.getTime() - days * dayMs).toISOString() },
            };
          }
          // A typed day: its noon (UTC), so the date reads the same in every time zone of the
          // region; today's is now, since a request cannot have been sent later than that. "Ahead"
          // is judged on the requesting country's calendar: at 01:00 in Almaty its date is
          // already tomorrow's in UTC, and at 21:00 in New York UTC's date is still ahead.
          const noon = new Date(`${answer.date}T12:00:00.000Z`);
          if (answer.date > todayThere(context)) return { retry: context.t('requests-new-sent-future') };
          if (noon.getUTCFullYear() < 1990) return { retry: context.t('requests-new-sent-too-old') };
          const sentAt = noon > now ? now : noon;
          return { next: { ...context.data, sentAt: sentAt.toISOString() } };
        },
      },
      {
        id: 'urgent',
        kind: 'confirm',
        action: 'u',
        when: (context) => context.data.urgent === undefined,
        prompt: (context) => question(context, 'requests-new-choose-urgent'),
        answers: (context) => [
          { yes: false, value: '0', label: context.t('requests-no') },
          { yes: true, value: '1', label: context.t('requests-yes') },
        ],
        accept: (urgent, context) => ({ next: { ...context.data, urgent } }),
      },
      {
        id: 'reference',
        kind: 'text',
        when: (context) => context.data.ourReference === undefined,
        prompt: (context) =>
          context.t('requests-new-ask-reference', {
            toCountry: messages.countryName(
              context.locale,
              context.data.toCountry ?? '',
              registry.snapshot(),
            ),
          }),
        placeholder: (context) => context.t('requests-new-reference-placeholder'),
        accept: (text, context) => {
          const value = text.trim();
          if (value === '' || value.length > referenceMaxLength || /\s/.test(value)) return tooLong(context);
          return { next: { ...context.data, ourReference: value } };
        },
      },
      {
        id: 'subject',
        kind: 'text',
        when: (context) => context.data.subject === undefined,
        prompt: (context) =>
          context.t('requests-new-ask-subject', { ourReference: context.data.ourReference ?? '' }),
        placeholder: (context) => context.t('requests-new-subject-placeholder'),
        // The subject goes to the counterpart with every nudge: a question typed here by mistake must not.
        confirmQuestion: (context) => ({
          useLabel: context.t('requests-new-use-as-subject'),
          about: { country: context.data.toCountry, competence: context.data.type },
        }),
        accept: (text, context) => {
          const value = text.trim();
          if (value === '' || value.length > subjectMaxLength) return tooLong(context);
          return { next: { ...context.data, subject: value } };
        },
      },
    ],
    finish: register,
  });
}

/** `REFERENCE SUBJECT…` as typed after the command: both optional. */
export function readReferenceAndSubject(
  text: string,
): Pick<NewRequest, 'ourReference' | 'subject'> | 'too_long' {
  const [reference, ...rest] = text.trim().split(/\s+/);
  const subject = rest.join(' ').trim();
  if ((reference?.length ?? 0) > referenceMaxLength || subject.length > subjectMaxLength) return 'too_long';
  return {
    ...(reference === undefined || reference === '' ? {} : { ourReference: reference }),
    ...(subject === '' ? {} : { subject }),
  };
}
