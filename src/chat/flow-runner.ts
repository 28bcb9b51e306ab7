// Runs the declared conversation flows: asks each step in the flow's language, reads answers
// (buttons and typed text), moves the state kept in conversation_flows on, and gives every flow
// `/cancel`, `/back`, a timeout, and a pause before typed text that reads like a new question is
// taken as an answer.
import { systemClock, type Clock } from '../clock/index.ts';
import type { SQL } from 'drizzle-orm';
import type { Button, InboundMessage, OutboundMessage } from './chat-types.ts';
import type { ChatReply } from './command-table.ts';
import type { MessengerCapabilityLookup } from './messenger-port.ts';
import { readTypedDate } from './flow-dates.ts';
import type { FlowKey, FlowRow, FlowStore } from './flow-store.ts';
import type {
  ConfirmAnswer,
  FlowContext,
  FlowDefinition,
  FlowStart,
  FlowStep,
  FlowSubject,
  StepOutcome,
} from './flow-types.ts';
import type { Principal } from '../access/index.ts';
import { isLocale, type Locale, type MessageArguments, type Translator } from '../i18n/index.ts';
import { isoDay } from '../registry/index.ts';

/** Encrypts what a flow keeps of typed text (the consultations' body cipher). */
/**
 * What a flow's sealed text is bound to: the flow, the member and the chat, so it opens nowhere
 * else. Exported for the engine, which seals a question before the flow that holds it starts.
 */
export const flowSealContext = (
  flowId: string,
  memberId: string,
  conversation: { platform: string; chatId: string },
): string => `flow:${flowId}:${memberId}:${conversation.platform}:${conversation.chatId}`;

export interface FlowSealer {
  encrypt(plaintext: string, context: string): string;
  decrypt(ciphertext: string, context: string): string | undefined;
}

export interface FlowRunnerDeps {
  store: FlowStore;
  translator: Translator;
  sealer: FlowSealer;
  /** How long a flow waits for the next answer unless it says otherwise. */
  timeoutSeconds: number;
  /**
   * Does typed text read like a new question (the ask module's judgement)? With `about`, one
   * about that same subject does not.
   */
  readsLikeQuestion(text: string, about?: FlowSubject): boolean;
  /** Answers a question as if no flow were in progress. */
  answer(principal: Principal, inbound: InboundMessage, text: string): Promise<OutboundMessage[]>;
  defaultLocale: Locale;
  messengers: MessengerCapabilityLookup;
  clock?: Clock | undefined;
}

/** Who acts, where, and the engine's idea of the language (used when no flow says otherwise). */
export interface FlowActor {
  principal: Principal;
  inbound: InboundMessage;
  locale: Locale;
}

/** Text in a chat with a flow: answered, or not the flow's (`pass`: it goes on as if there were none). */
export type FlowTextResult = { kind: 'answered'; messages: OutboundMessage[] } | { kind: 'pass' };

// The generic definitions are stored type-erased; each is only ever called with its own data.
type AnyFlow = FlowDefinition<Record<string, unknown>>;
type AnyStep = FlowStep<Record<string, unknown>>;
type AnyContext = FlowContext<Record<string, unknown>>;

const controlPrefix = 'flow:';

const asList = (reply: ChatReply): OutboundMessage[] =>
  reply === undefined
    ? []
    : Array.isArray(reply)
      ? [...(reply as OutboundMessage[])]
      : [reply as OutboundMessage];

const sameText = (a: string, b: string) => a.trim().toLocaleLowerCase() === b.trim().toLocaleLowerCase();

/** Yes and no as people type them; the buttons' own labels count too. */
const yesWords = new Set(['yes', 'y', 'да', 'д']);
const noWords = new Set(['no', 'n', 'нет', 'н']);

export function createFlowRunner(deps: FlowRunnerDeps) {
  const { store, translator, sealer } = deps;
  const clock = deps.clock ?? systemClock;
  // Flows and their step actions are declared in code and registered at start; a conversation's
  // state lives in Postgres (conversation_flows), never here.
  const flows = new Map<string, AnyFlow>();
  /** `<actionPrefix>:<step action>` → the flow and step its buttons answer. */
  const stepActions = new Map<string, { flow: AnyFlow; step: AnyStep }>();

  const keyOf = (memberId: string, conversation: { platform: string; chatId: string }): FlowKey => ({
    memberId,
    platform: conversation.platform,
    chatId: conversation.chatId,
  });
  const deadline = (flow: AnyFlow) =>
    new Date(clock.now().getTime() + (flow.timeoutSeconds ?? deps.timeoutSeconds) * 1000);
  const localeOf = (row: FlowRow): Locale => (isLocale(row.locale) ? row.locale : deps.defaultLocale);
  const say = (locale: Locale, id: string, args?: MessageArguments): OutboundMessage => ({
    text: translator.t(locale, id, args),
    locale,
  });

  function register<D>(definition: FlowDefinition<D>): void {
    const flow = definition as unknown as AnyFlow;
    if (flows.has(flow.id)) throw new Error(`flow ${flow.id} is registered twice`);
    if (flow.actionPrefix === 'flow' || flow.actionPrefix.startsWith(controlPrefix))
      throw new Error(`flow ${flow.id}: the action prefix "flow" is the engine's`);
    const additions = new Map<string, { flow: AnyFlow; step: AnyStep }>();
    for (const step of flow.steps) {
      if (flow.steps.filter((other) => other.id === step.id).length > 1)
        throw new Error(`flow ${flow.id}: step ${step.id} is declared twice`);
      if (step.kind === 'text') continue;
      const head = `${flow.actionPrefix}:${step.action}`;
      if (stepActions.has(head) || additions.has(head))
        throw new Error(`flow ${flow.id}: the button action ${head} is taken`);
      additions.set(head, { flow, step });
    }
    flows.set(flow.id, flow);
    for (const [head, target] of additions) stepActions.set(head, target);
  }

  function contextOf(
    flow: AnyFlow,
    principal: Principal,
    conversation: { platform: string; chatId: string },
    locale: Locale,
    data: Record<string, unknown>,
  ): AnyContext {
    const sealContext = flowSealContext(flow.id, principal.memberId, conversation);
    return {
      principal,
      conversation: { platform: conversation.platform, chatId: conversation.chatId },
      locale,
      data,
      prefix: deps.messengers.capabilitiesOf(conversation.platform).commandPrefix,
      capabilities: deps.messengers.capabilitiesOf(conversation.platform),
      t: (id, args) => translator.t(locale, id, args),
      seal: (text) => sealer.encrypt(text, sealContext),
      open: (sealed) => sealer.decrypt(sealed, sealContext),
    };
  }

  const nextStep = (flow: AnyFlow, from: number, context: AnyContext): AnyStep | undefined =>
    flow.steps.slice(from).find((step) => step.when?.(context) ?? true);

  const confirmAnswers = (step: AnyStep & { kind: 'confirm' }, context: AnyContext) =>
    step.answers?.(context) ??
    ([
      { yes: true, value: 'y', label: context.t('flow-yes') },
      { yes: false, value: 'n', label: context.t('flow-no') },
    ] as const satisfies readonly [ConfirmAnswer, ConfirmAnswer]);

  function optionsOf(step: AnyStep, context: AnyContext): { value: string; label: string }[] {
    switch (step.kind) {
      case 'choice':
        return step.options(context);
      case 'confirm':
        return confirmAnswers(step, context).map(({ value, label }) => ({ value, label }));
      case 'date':
        return step.options?.(context) ?? [];
      case 'text':
        return [];
    }
  }

  /**
   * A step's question: its text (or `replace`, said instead when an answer was refused), after a
   * `lead` line when given; the options as buttons with Back and Cancel, or, where there are no
   * buttons, a line naming `/cancel` and `/back` so the reply field stays free for the answer.
   */
  function render(
    flow: AnyFlow,
    step: AnyStep,
    context: AnyContext,
    depth: number,
    words: { replace?: string; lead?: string } = {},
  ): OutboundMessage {
    const { t, prefix, locale } = context;
    const question = words.replace ?? step.prompt(context);
    const buttons: Button[] =
      step.kind === 'text'
        ? []
        : optionsOf(step, context).map((option) => ({
            label: option.label,
            action: `${flow.actionPrefix}:${step.action}:${option.value}`,
          }));
    const lines = [...(words.lead === undefined ? [] : [words.lead]), question];
    if (buttons.length > 0 && flow.controls !== false) {
      if (depth > 0) buttons.push({ label: t('flow-button-back'), action: `${controlPrefix}back` });
      buttons.push({ label: t('flow-button-cancel'), action: `${controlPrefix}cancel` });
    } else if (buttons.length === 0) {
      lines.push(t(depth > 0 ? 'flow-hint-cancel-back' : 'flow-hint-cancel', { prefix }));
    }
    // As long as this conversation's messenger shows one (none where it shows no input hint).
    const hintLength = context.capabilities.maxInputHintLength;
    const placeholder = hintLength > 0 ? step.placeholder?.(context).slice(0, hintLength) : undefined;
    return {
      text: lines.join('\n'),
      locale,
      ...(buttons.length === 0 ? {} : { buttons }),
      expects: {
        kind: step.kind === 'confirm' ? 'confirmation' : step.kind,
        ...(placeholder === undefined ? {} : { placeholder }),
      },
    };
  }

  /** The flow and step a stored row is at; a row of a flow this version no longer has is dropped. */
  async function resolve(row: FlowRow): Promise<{ flow: AnyFlow; step: AnyStep } | undefined> {
    const flow = flows.get(row.flow);
    const step = flow?.steps.find((candidate) => candidate.id === row.step);
    if (flow !== undefined && step !== undefined) return { flow, step };
    await store.remove(row, row.version);
    return undefined;
  }

  const busy = (locale: Locale) => [say(locale, 'flow-busy')];

  /** Applies a step's outcome to the stored state and says what comes next. */
  async function proceed(
    row: FlowRow,
    flow: AnyFlow,
    step: AnyStep,
    principal: Principal,
    outcome: StepOutcome<Record<string, unknown>>,
  ): Promise<OutboundMessage[]> {
    const locale = localeOf(row);
    const context = contextOf(flow, principal, row, locale, row.data);
    if ('retry' in outcome)
      return [render(flow, step, context, row.history.length, { replace: outcome.retry })];
    if ('end' in outcome) {
      if (!(await store.remove(row, row.version))) return busy(locale);
      return asList(outcome.end);
    }
    const data = outcome.next;
    const nextContext = contextOf(flow, principal, row, locale, data);
    const following = nextStep(flow, flow.steps.indexOf(step) + 1, nextContext);
    if (following === undefined) {
      // Removed first: a second copy of the last answer (a double tap, a retry) finds nothing to finish.
      if (!(await store.remove(row, row.version))) return busy(locale);
      return asList(await flow.finish(nextContext));
    }
    const history = [...row.history, { step: step.id, data: row.data }];
    const moved = await store.update(row, row.version, {
      step: following.id,
      data,
      history,
      pending: null,
      expiresAt: deadline(flow),
    });
    if (!moved) return busy(locale);
    return [render(flow, following, nextContext, history.length)];
  }

  /**
   * Starts a flow in a chat, replacing any flow in progress there, and asks its first question
   * (steps whose answers are known already are skipped; with nothing to ask it finishes at once).
   */
  async function start<D>(
    definition: FlowDefinition<D> | string,
    at: FlowStart,
    data: D,
  ): Promise<OutboundMessage[]> {
    const flow = flows.get(typeof definition === 'string' ? definition : definition.id);
    if (flow === undefined)
      throw new Error(
        `flow ${typeof definition === 'string' ? definition : definition.id} is not registered`,
      );
    const key = keyOf(at.principal.memberId, at.conversation);
    const initial = data as Record<string, unknown>;
    const context = contextOf(flow, at.principal, at.conversation, at.locale, initial);
    const previous = await store.find(key);
    const replaced =
      previous !== undefined && previous.flow !== flow.id && previous.expiresAt > clock.now()
        ? flows.get(previous.flow)
        : undefined;
    const lead =
      replaced === undefined ? undefined : context.t('flow-replaced', { title: context.t(replaced.titleId) });
    const first = nextStep(flow, 0, context);
    if (first === undefined) {
      if (previous !== undefined) await store.remove(key);
      const done = asList(await flow.finish(context));
      return lead === undefined ? done : withLead(lead, done, at.locale);
    }
    const now = clock.now();
    await store.put({
      ...key,
      flow: flow.id,
      step: first.id,
      locale: at.locale,
      data: initial,
      history: [],
      pending: null,
      startedAt: now,
      expiresAt: deadline(flow),
    });
    return [render(flow, first, context, 0, lead === undefined ? {} : { lead })];
  }

  /** Typed text while a flow is in progress in the chat. */
  async function onText(
    row: FlowRow,
    text: string,
    actor: Omit<FlowActor, 'locale'>,
  ): Promise<FlowTextResult> {
    const found = await resolve(row);
    if (found === undefined) return { kind: 'pass' };
    const { flow, step } = found;
    const locale = localeOf(row);
    const context = contextOf(flow, actor.principal, row, locale, row.data);
    const answered = (messages: OutboundMessage[]): FlowTextResult => ({ kind: 'answered', messages });
    const take = async (
      outcome: StepOutcome<Record<string, unknown>> | Promise<StepOutcome<Record<string, unknown>>>,
    ) => answered(await proceed(row, flow, step, actor.principal, await outcome));
    /** Not an answer: a question is answered (the flow waits on), anything else is refused. */
    const notAnAnswer = async (refusal: string): Promise<FlowTextResult> => {
      if (!deps.readsLikeQuestion(text))
        return answered([render(flow, step, context, row.history.length, { replace: refusal })]);
      return answered([
        ...(await deps.answer(actor.principal, actor.inbound, text)),
        render(flow, step, context, row.history.length, {
          lead: context.t('flow-reminder', { title: context.t(flow.titleId) }),
        }),
      ]);
    };
    const byLabel = (options: readonly { value: string; label: string }[]) =>
      options.find((option) => sameText(option.label, text))?.value;

    switch (step.kind) {
      case 'text': {
        const check = step.confirmQuestion?.(context);
        if (check !== undefined && deps.readsLikeQuestion(text, check.about)) {
          // Held (encrypted) until the member says which it is: it may be case material.
          const held = await store.update(row, row.version, {
            step: row.step,
            data: row.data,
            history: row.history,
            pending: context.seal(text),
            expiresAt: deadline(flow),
          });
          if (!held) return answered(busy(locale));
          return answered([
            {
              text: context.t('flow-question-confirm'),
              locale,
              buttons: [
                { label: check.useLabel, action: `${controlPrefix}use` },
                { label: context.t('flow-button-ask'), action: `${controlPrefix}ask` },
                { label: context.t('flow-button-cancel'), action: `${controlPrefix}cancel` },
              ],
            },
          ]);
        }
        return take(step.accept(text, context));
      }
      case 'choice': {
        if (step.passesText === true) return { kind: 'pass' };
        const value = byLabel(step.options(context)) ?? step.read?.(text, context);
        if (value !== undefined) return take(step.accept(value, context, text));
        return notAnAnswer(step.invalid?.(text, context) ?? context.t('flow-choose-option'));
      }
      case 'confirm': {
        const answers = confirmAnswers(step, context);
        const typed = text.trim().toLocaleLowerCase();
        const chosen =
          answers.find((answer) => sameText(answer.label, text)) ??
          (yesWords.has(typed) ? answers.find((answer) => answer.yes) : undefined) ??
          (noWords.has(typed) ? answers.find((answer) => !answer.yes) : undefined);
        if (chosen !== undefined) return take(step.accept(chosen.yes, context));
        return notAnAnswer(context.t('flow-choose-option'));
      }
      case 'date': {
        const option = byLabel(step.options?.(context) ?? []);
        if (option !== undefined) return take(step.accept({ option }, context));
        const date = readTypedDate(text, step.today?.(context) ?? isoDay(clock.now()));
        if (date !== undefined) return take(step.accept({ date }, context));
        return notAnAnswer(context.t('flow-date-invalid'));
      }
    }
  }

  /** A flow found timed out: it goes, and the member is told (in the flow's language) before the answer. */
  async function expire(row: FlowRow): Promise<string> {
    await store.remove(row, row.version);
    const locale = localeOf(row);
    const flow = flows.get(row.flow);
    return translator.t(locale, 'flow-timed-out', {
      title:
        flow === undefined ? translator.t(locale, 'flow-title-generic') : translator.t(locale, flow.titleId),
    });
  }

  const isExpired = (row: FlowRow) => row.expiresAt <= clock.now();

  /** The live flow in the actor's chat; a timed-out one is removed on the way. */
  async function current(actor: Pick<FlowActor, 'principal' | 'inbound'>): Promise<FlowRow | undefined> {
    const row = await store.find(keyOf(actor.principal.memberId, actor.inbound));
    if (row === undefined) return undefined;
    if (!isExpired(row)) return row;
    await store.remove(row, row.version);
    return undefined;
  }

  async function cancel(actor: FlowActor): Promise<OutboundMessage[]> {
    const row = await current(actor);
    if (row === undefined) return [say(actor.locale, 'flow-nothing-to-cancel')];
    await store.remove(row);
    const flow = flows.get(row.flow);
    const locale = localeOf(row);
    const prefix = deps.messengers.capabilitiesOf(actor.inbound.platform).commandPrefix;
    return [
      say(locale, flow?.cancelledId ?? 'flow-cancelled', {
        prefix,
        title: translator.t(locale, flow?.titleId ?? 'flow-title-generic'),
      }),
    ];
  }

  /**
   * What `/back` does in a chat with no flow at all (a module's meaning, e.g. ending an absence);
   * unset: "nothing to go back to".
   */
  let backOutsideFlow: ((actor: FlowActor) => Promise<ChatReply> | ChatReply) | undefined;

  /**
   * `/back`, or the Back button. Inside a flow: the previous step. A flow that timed out says so
   * (the member meant a step of it). With none, the command (`outside`) goes to `backOutsideFlow`.
   */
  async function back(actor: FlowActor, outside = false): Promise<OutboundMessage[]> {
    const row = await store.find(keyOf(actor.principal.memberId, actor.inbound));
    if (row !== undefined && isExpired(row)) {
      const locale = localeOf(row);
      return [{ text: `${await expire(row)}\n${translator.t(locale, 'flow-nothing-to-go-back')}`, locale }];
    }
    if (row === undefined) {
      if (outside && backOutsideFlow !== undefined) return asList(await backOutsideFlow(actor));
      return [say(actor.locale, 'flow-nothing-to-go-back')];
    }
    const found = await resolve(row);
    if (found === undefined) return [say(actor.locale, 'flow-nothing-to-go-back')];
    const { flow } = found;
    const locale = localeOf(row);
    const previous = row.history.at(-1);
    const previousStep = flow.steps.find((step) => step.id === previous?.step);
    if (previous === undefined || previousStep === undefined) {
      const context = contextOf(flow, actor.principal, row, locale, row.data);
      return [render(flow, found.step, context, 0, { lead: context.t('flow-back-first-step') })];
    }
    const history = row.history.slice(0, -1);
    const moved = await store.update(row, row.version, {
      step: previousStep.id,
      data: previous.data,
      history,
      pending: null,
      expiresAt: deadline(flow),
    });
    if (!moved) return busy(locale);
    return [
      render(
        flow,
        previousStep,
        contextOf(flow, actor.principal, row, locale, previous.data),
        history.length,
      ),
    ];
  }

  /** The step a button answers, from its action (`req:new:t:mla` → request-new's type step, `mla`). */
  function stepOfAction(action: string): { flow: AnyFlow; step: AnyStep; value: string } | undefined {
    const parts = action.split(':');
    for (let length = 1; length < parts.length; length++) {
      const found = stepActions.get(parts.slice(0, length).join(':'));
      if (found !== undefined) return { ...found, value: parts.slice(length).join(':') };
    }
    return undefined;
  }

  const ownsAction = (action: string): boolean =>
    action.startsWith(controlPrefix) || stepOfAction(action) !== undefined;

  /** Held typed text the member now says to use as the answer, or to ask as a question. */
  async function decideHeld(actor: FlowActor, use: boolean): Promise<OutboundMessage[]> {
    const row = await current(actor);
    const found = row === undefined ? undefined : await resolve(row);
    if (row?.pending == null || found === undefined) return [say(actor.locale, 'flow-nothing-held')];
    const { flow, step } = found;
    const locale = localeOf(row);
    const context = contextOf(flow, actor.principal, row, locale, row.data);
    const text = context.open(row.pending);
    if (text === undefined || step.kind !== 'text') return [say(locale, 'flow-nothing-held')];
    if (use) return proceed(row, flow, step, actor.principal, await step.accept(text, context));
    const released = await store.update(row, row.version, {
      step: row.step,
      data: row.data,
      history: row.history,
      pending: null,
      expiresAt: deadline(flow),
    });
    if (!released) return busy(locale);
    return [
      ...(await deps.answer(actor.principal, actor.inbound, text)),
      render(flow, step, context, row.history.length, {
        lead: context.t('flow-reminder', { title: context.t(flow.titleId) }),
      }),
    ];
  }

  /** A button of a flow (or one of the engine's own: back, cancel, use, ask). */
  async function onAction(action: string, actor: FlowActor): Promise<OutboundMessage[]> {
    if (action.startsWith(controlPrefix)) {
      switch (action.slice(controlPrefix.length)) {
        case 'cancel':
          return cancel(actor);
        case 'back':
          return back(actor);
        case 'use':
          return decideHeld(actor, true);
        case 'ask':
          return decideHeld(actor, false);
        default:
          return [say(actor.locale, 'chat-unknown-action')];
      }
    }
    const target = stepOfAction(action);
    if (target === undefined) return [say(actor.locale, 'chat-unknown-action')];
    const { flow, step, value } = target;
    const row = await current(actor);
    const gone = () => [
      say(row === undefined ? actor.locale : localeOf(row), flow.goneId, {
        prefix: deps.messengers.capabilitiesOf(actor.inbound.platform).commandPrefix,
      }),
    ];
    if (row?.flow !== flow.id) return gone();
    const found = await resolve(row);
    if (found === undefined) return gone();
    const locale = localeOf(row);
    const context = contextOf(flow, actor.principal, row, locale, row.data);
    // A button of an earlier question (pressed twice, or after /back): the current one is asked again.
    const stale = () => [
      render(flow, found.step, context, row.history.length, { lead: context.t('flow-stale-button') }),
    ];
    if (found.step.id !== step.id) return stale();
    switch (step.kind) {
      case 'choice':
        if (!step.options(context).some((option) => option.value === value)) return stale();
        return proceed(row, flow, step, actor.principal, await step.accept(value, context));
      case 'confirm': {
        const chosen = confirmAnswers(step, context).find((answer) => answer.value === value);
        if (chosen === undefined) return stale();
        return proceed(row, flow, step, actor.principal, await step.accept(chosen.yes, context));
      }
      case 'date':
        if (!(step.options?.(context) ?? []).some((option) => option.value === value)) return stale();
        return proceed(row, flow, step, actor.principal, await step.accept({ option: value }, context));
      case 'text':
        return stale();
    }
  }

  return {
    register,
    start,
    /** The flow in this chat and the modules' checks, in one round trip (free text's hot path). */
    lookup: (memberId: string, inbound: InboundMessage, checks: readonly SQL[]) =>
      store.lookup(keyOf(memberId, inbound), checks),
    isExpired,
    expire,
    onText,
    ownsAction,
    onAction,
    cancel,
    back,
    /** Gives `/back` a meaning in a chat with no flow (one module may; see `back`). */
    onBackOutsideFlow(handler: (actor: FlowActor) => Promise<ChatReply> | ChatReply): void {
      if (backOutsideFlow !== undefined) throw new Error('/back outside a flow is taken');
      backOutsideFlow = handler;
    },
    /** Ends whatever flow is in progress in a chat (the thing it was about went away). */
    async end(memberId: string, conversation: { platform: string; chatId: string }): Promise<void> {
      await store.remove(keyOf(memberId, conversation));
    },
    /** Deletes flows that timed out more than `graceMs` ago (their notice is no longer owed). */
    sweepExpired: (graceMs = 5 * 60_000) => store.sweep(new Date(clock.now().getTime() - graceMs)),
  };
}

export type FlowRunner = ReturnType<typeof createFlowRunner>;

/** Puts a line before the first message (a notice about the flow), or sends it alone when there is none. */
export function withLead(lead: string, messages: OutboundMessage[], locale: Locale): OutboundMessage[] {
  const [first, ...rest] = messages;
  if (first === undefined) return [{ text: lead, locale }];
  return [{ ...first, text: `${lead}\n\n${first.text}` }, ...rest];
}
