// The requester steers their requests from the chat: `/requests` lists them with a button each;
// a request's buttons record what the counterpart said outside the bot (received, in progress,
// executed, refused), withdraw it, or add the counterpart's reference. Closing one stops its
// nudges and tells the counterpart (request-service.ts). A coordinator's `/requests` shows the
// country's requests, outgoing and incoming, the overdue ones first.
import type { ActionContext, ChatReply, ConversationEngine, FlowContext } from '../chat/index.ts';
import { defineFlow } from '../chat/index.ts';
import type { RequestMessages } from './request-messages.ts';
import { referenceMaxLength, type RequestService } from './request-service.ts';
import { isOpen, type RequestStatus, type RequestView } from './request-types.ts';
import { AppError } from '../errors/index.ts';
import { ownCountryOf, type Principal } from '../access/index.ts';
import type { Locale, MessageArguments } from '../i18n/index.ts';
import type { RegistrySnapshot } from '../registry/index.ts';

export interface RequestSteeringDeps {
  requests: RequestService;
  messages: RequestMessages;
  registry: { snapshot(): RegistrySnapshot };
}

type Translate = (id: string, args?: MessageArguments) => string;

type Engine = Pick<ConversationEngine, 'registerActionHandler' | 'flows'>;

/** Buttons are `rqm:<request id>[:<code>]`; the codes the requester may set, in button order. */
const steeringPrefix = 'rqm';
const statusCodes = {
  ack: 'acknowledged',
  prog: 'in_progress',
  done: 'executed',
  ref: 'refused',
  wd: 'withdrawn',
} as const satisfies Record<string, RequestStatus>;
type StatusCode = keyof typeof statusCodes;
const isStatusCode = (value: string): value is StatusCode => Object.hasOwn(statusCodes, value);

const listLimit = 15;
/** Requests offered as buttons under the list; the rest are in the web console. */
const buttonLimit = 8;

/** Open and unanswered after a nudge, or escalated: what a coordinator looks at first. */
export const isOverdue = (request: RequestView): boolean =>
  isOpen(request.status) && (request.escalatedAt !== null || request.unansweredNudges > 0);

const overdueFirst = (requests: readonly RequestView[]): RequestView[] =>
  [...requests].sort((a, b) => Number(isOverdue(b)) - Number(isOverdue(a)));

interface TheirReference {
  requestId: string;
  ourReference: string;
}

export function createRequestSteering(engine: Engine, deps: RequestSteeringDeps) {
  const { requests, messages, registry } = deps;

  function line(t: Translate, locale: Locale, snapshot: RegistrySnapshot, request: RequestView): string {
    return t(isOverdue(request) ? 'requests-list-item-overdue' : 'requests-list-item', {
      ourReference: request.ourReference,
      type: messages.typeLabel(locale, request.type, snapshot),
      toCountry: messages.countryName(locale, request.toCountry, snapshot),
      fromCountry: messages.countryName(locale, request.fromCountry, snapshot),
      status: messages.status(locale, request.status),
      ageDays: request.ageDays,
    });
  }

  /** A button per open request the caller may steer, overdue first. */
  function requestButtons(locale: Locale, snapshot: RegistrySnapshot, items: readonly RequestView[]) {
    return overdueFirst(items.filter((item) => isOpen(item.status)))
      .slice(0, buttonLimit)
      .map((item) => ({
        label: `${item.ourReference} → ${messages.countryName(locale, item.toCountry, snapshot)}`.slice(
          0,
          60,
        ),
        action: `${steeringPrefix}:${item.id}`,
      }));
  }

  /** `/requests`: mine (a coordinator: the country's, outgoing and incoming), then those addressed to me. */
  async function list(principal: Principal, locale: Locale, t: Translate): Promise<ChatReply> {
    const snapshot = registry.snapshot();
    const lines: string[] = [];
    let steerable: RequestView[];
    if (principal.role === 'coordinator') {
      const own = ownCountryOf(principal);
      const country = await requests.list(principal, { country: own, limit: 100, offset: 0 });
      const outgoing = overdueFirst(country.items.filter((item) => item.fromCountry === own));
      const incoming = overdueFirst(country.items.filter((item) => item.toCountry === own));
      const countryName = messages.countryName(locale, own, snapshot);
      if (country.items.length === 0) lines.push(t('requests-list-country-empty', { country: countryName }));
      for (const [heading, group] of [
        ['requests-list-outgoing-heading', outgoing],
        ['requests-list-incoming-heading', incoming],
      ] as const) {
        if (group.length === 0) continue;
        if (lines.length > 0) lines.push('');
        lines.push(
          t(heading, { country: countryName }),
          ...group.slice(0, listLimit).map((item) => line(t, locale, snapshot, item)),
        );
        if (group.length > listLimit)
          lines.push(t('requests-list-more', { count: group.length - listLimit }));
      }
      steerable = outgoing;
    } else {
      const mine = await requests.list(principal, { mine: true, limit: listLimit, offset: 0 });
      if (mine.items.length === 0) lines.push(t('requests-list-empty'));
      else {
        lines.push(
          t('requests-list-heading'),
          ...overdueFirst(mine.items).map((item) => line(t, locale, snapshot, item)),
        );
        if (mine.total > mine.items.length)
          lines.push(t('requests-list-more', { count: mine.total - mine.items.length }));
      }
      steerable = mine.items;
      if (principal.contactId !== null) {
        const addressed = await requests.list(principal, {
          addressedToMe: true,
          limit: listLimit,
          offset: 0,
        });
        if (addressed.items.length > 0)
          lines.push(
            '',
            t('requests-list-addressed-heading'),
            ...addressed.items.map((item) => line(t, locale, snapshot, item)),
          );
      }
    }
    return {
      text: lines.join('\n'),
      buttons: [
        ...requestButtons(locale, snapshot, steerable),
        { label: t('requests-button-new'), action: 'req:new' },
      ],
      locale,
    };
  }

  /** One request with what the requester may do with it. */
  function card(t: Translate, locale: Locale, request: RequestView): ChatReply {
    const snapshot = registry.snapshot();
    const contact = request.contactId === null ? undefined : snapshot.contactById.get(request.contactId);
    const lines = [
      t('requests-card', {
        ourReference: request.ourReference,
        type: messages.typeLabel(locale, request.type, snapshot),
        toCountry: messages.countryName(locale, request.toCountry, snapshot),
        sentDate: messages.date(locale, new Date(request.sentAt), 'UTC'),
        status: messages.status(locale, request.status),
        contactName: messages.contactName(locale, contact),
      }),
    ];
    if (request.theirReference !== null)
      lines.push(t('requests-nudge-their-reference', { theirReference: request.theirReference }));
    if (!isOpen(request.status)) return { text: lines.join('\n'), locale };
    return {
      text: lines.join('\n'),
      buttons: [
        ...Object.entries(statusCodes)
          .filter(([, status]) => status !== request.status)
          .map(([code, status]) => ({
            label: status === 'withdrawn' ? t('requests-button-withdraw') : messages.status(locale, status),
            action: `${steeringPrefix}:${request.id}:${code}`,
          })),
        { label: t('requests-button-their-reference'), action: `${steeringPrefix}:${request.id}:theirs` },
      ],
      locale,
    };
  }

  const theirReferenceFlow = defineFlow<TheirReference>({
    id: 'request-their-reference',
    actionPrefix: `${steeringPrefix}:flow`,
    titleId: 'requests-their-reference-title',
    goneId: 'requests-their-reference-expired',
    controls: true,
    steps: [
      {
        id: 'reference',
        kind: 'text',
        prompt: (context) =>
          context.t('requests-their-reference-ask', { ourReference: context.data.ourReference }),
        placeholder: (context) => context.t('requests-their-reference-placeholder'),
        accept: async (text, context) => {
          const value = text.trim();
          if (value === '' || value.length > referenceMaxLength)
            return {
              retry: context.t('requests-their-reference-too-long', { reference: referenceMaxLength }),
            };
          return changed(context, { theirReference: value }, (view) => ({
            text: context.t('requests-their-reference-saved', {
              ourReference: view.ourReference,
              theirReference: view.theirReference ?? value,
            }),
            locale: context.locale,
          }));
        },
      },
    ],
    finish: () => undefined,
  });
  engine.flows.register(theirReferenceFlow);

  /** Applies a change; a refusal (not yours, closed meanwhile) ends the flow with the reason. */
  async function changed(
    context: FlowContext<TheirReference>,
    change: { theirReference: string },
    reply: (view: RequestView) => ChatReply,
  ) {
    try {
      const view = await requests.update(context.principal, context.data.requestId, change);
      return { end: reply(view) };
    } catch (error) {
      if (error instanceof AppError)
        return { end: { text: context.t('requests-steer-refused'), locale: context.locale } };
      throw error;
    }
  }

  async function onAction(context: ActionContext): Promise<ChatReply> {
    const { principal, locale } = context;
    const t: Translate = (id, args) => context.t(id, args);
    const [, requestId = '', code] = context.action.split(':');
    if (requestId === 'flow') return undefined;
    let request: RequestView;
    try {
      request = await requests.get(principal, requestId);
    } catch (error) {
      if (error instanceof AppError) return { text: t('requests-answer-stale'), locale };
      throw error;
    }
    if (code === undefined) return card(t, locale, request);
    if (code === 'theirs')
      return engine.flows.start(
        theirReferenceFlow,
        { principal, conversation: context.inbound, locale },
        { requestId, ourReference: request.ourReference },
      );
    if (!isStatusCode(code)) return undefined;
    if (!isOpen(request.status))
      return {
        text: t('requests-answer-closed', {
          ourReference: request.ourReference,
          status: messages.status(locale, request.status),
        }),
        locale,
      };
    try {
      const view = await requests.update(principal, requestId, { status: statusCodes[code] });
      return {
        text: t(isOpen(view.status) ? 'requests-steer-status' : 'requests-steer-closed', {
          ourReference: view.ourReference,
          status: messages.status(locale, view.status),
        }),
        locale,
      };
    } catch (error) {
      if (error instanceof AppError) return { text: t('requests-steer-refused'), locale };
      throw error;
    }
  }

  engine.registerActionHandler(steeringPrefix, onAction);
  return { list };
}
