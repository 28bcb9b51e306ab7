// A conversation flow is a short guided dialogue (register a request, start a consultation, give
// a reason) declared as steps. The engine asks each step's question in the flow's language, reads
// the answer (a button or typed text), keeps the state in Postgres between messages so any replica
// continues it, and gives every flow `/cancel`, `/back` and a timeout.
import type { MessengerCapabilities } from './messenger-port.ts';
import type { Platform } from './chat-types.ts';
import type { ChatReply } from './command-table.ts';
import type { Principal } from '../access/index.ts';
import type { Locale, MessageArguments } from '../i18n/index.ts';

/** Where a flow runs: one member in one chat. */
export interface FlowConversation {
  platform: Platform;
  chatId: string;
}

/** What a step (and the flow's end) sees. */
export interface FlowContext<D> {
  principal: Principal;
  conversation: FlowConversation;
  /** The language the flow started in; every prompt uses it. */
  locale: Locale;
  /** The answers so far. */
  data: Readonly<D>;
  /** The messenger's command sign (`/`, `!`), for texts that quote a command. */
  prefix: string;
  /** What the messenger of this conversation can do (end-to-end encryption, choices, threads). */
  capabilities: MessengerCapabilities;
  t: (id: string, args?: MessageArguments) => string;
  /**
   * Encrypts text the flow must keep between steps but never store in the clear (case material),
   * bound to this conversation; `open` gives it back, or undefined when it cannot be read.
   */
  seal: (text: string) => string;
  open: (sealed: string) => string | undefined;
}

/**
 * What a step does with an answer: go on with the new data, ask the same step again after saying
 * why (`retry`), or end the flow here with a reply (`end`; nothing more is asked).
 */
export type StepOutcome<D> = { next: D } | { retry: string } | { end: ChatReply };

type Outcome<D> = StepOutcome<D> | Promise<StepOutcome<D>>;

export interface StepOption {
  /** Carried by the button (`<flow action prefix>:<step action>:<value>`): short ASCII. */
  value: string;
  /** Shown on the button, already translated; typing it also answers the step. */
  label: string;
}

interface StepCommon<D> {
  /** Stable id, stored with the flow's state. */
  id: string;
  /** Asked only when this says so (a value already known, a setting); skipped steps are not on `/back`'s path. */
  when?(context: FlowContext<D>): boolean;
  /** The question, in the flow's language. */
  prompt(context: FlowContext<D>): string;
  /** Hint for the input field (the web console's placeholder, a messenger's reply field). */
  placeholder?(context: FlowContext<D>): string;
}

/** Pick one of a few options (buttons); typing an option's label, or what `read` understands, works too. */
export interface ChoiceStep<D> extends StepCommon<D> {
  kind: 'choice';
  /** The step's buttons carry `<flow.actionPrefix>:<action>:<value>`. */
  action: string;
  options(context: FlowContext<D>): StepOption[];
  /** A typed answer as an option value ("Uzbekistan" → `UZ`); undefined when the text names none. */
  read?(text: string, context: FlowContext<D>): string | undefined;
  /** Said when typed text is no answer; default: "choose one of the options". */
  invalid?(text: string, context: FlowContext<D>): string;
  /**
   * Typed text is not an answer to this step at all: it goes on as if no flow were in progress
   * (to the modules, or as a question), and the flow stays as it is.
   */
  passesText?: boolean;
  /** `typed`: the text the value was read from, when it was typed rather than pressed. */
  accept(value: string, context: FlowContext<D>, typed?: string): Outcome<D>;
}

export interface ConfirmAnswer {
  yes: boolean;
  /** Carried by the button. */
  value: string;
  label: string;
}

/** Yes or no. */
export interface ConfirmStep<D> extends StepCommon<D> {
  kind: 'confirm';
  action: string;
  /** The two answers in the order shown; default Yes (`y`) then No (`n`). */
  answers?(context: FlowContext<D>): readonly [ConfirmAnswer, ConfirmAnswer];
  accept(yes: boolean, context: FlowContext<D>): Outcome<D>;
}

/** What a flow is about, in the registry's terms. */
export interface FlowSubject {
  country?: string | undefined;
  competence?: string | undefined;
}

/** Free text. */
export interface TextStep<D> extends StepCommon<D> {
  kind: 'text';
  placeholder(context: FlowContext<D>): string;
  /**
   * Set when the text goes on to people (a description, a reason): text that reads like a new
   * question is not taken until the member says so. Gives the label of the "use it" button ("Use
   * it as the description") and what the flow is about: text about that same country (and
   * competence) is part of the case ("the fugitive hides in Osh; can you arrest him?"), not a new
   * question.
   */
  confirmQuestion?(context: FlowContext<D>): { useLabel: string; about?: FlowSubject };
  accept(text: string, context: FlowContext<D>): Outcome<D>;
}

/** A calendar date: typed (2026-03-01, 01.03.2026, today, вчера) or one of the quick options. */
export interface DateStep<D> extends StepCommon<D> {
  kind: 'date';
  action: string;
  placeholder(context: FlowContext<D>): string;
  /** Quick answers as buttons ("Today", "A week ago"). */
  options?(context: FlowContext<D>): StepOption[];
  /**
   * Today's calendar date (YYYY-MM-DD) where the member is, which typed "today" and "yesterday"
   * count from; default the UTC date.
   */
  today?(context: FlowContext<D>): string;
  /** `option`: a button's value; `date`: a typed date as YYYY-MM-DD. */
  accept(answer: { option: string } | { date: string }, context: FlowContext<D>): Outcome<D>;
}

export type FlowStep<D> = ChoiceStep<D> | ConfirmStep<D> | TextStep<D> | DateStep<D>;

export interface FlowDefinition<D> {
  /** Stable id, stored with the state. */
  id: string;
  /**
   * The first part of the actions of this flow's buttons: a step's button is
   * `<actionPrefix>:<step.action>:<value>` (`req:new` → `req:new:t:mla`). It may share the first
   * word with a module's other buttons; the steps' actions must not.
   */
  actionPrefix: string;
  /** i18n id naming the flow in the engine's notices ("registering a request"). */
  titleId: string;
  /** i18n id said after `/cancel` (args: `prefix`); default "Cancelled. Nothing was sent." */
  cancelledId?: string;
  /** i18n id said when a button of this flow is pressed after it ended or timed out (args: `prefix`). */
  goneId: string;
  steps: readonly FlowStep<D>[];
  /** How long the flow waits for the next answer; default `CHAT_FLOW_TIMEOUT_SECONDS`. */
  timeoutSeconds?: number;
  /** Back and Cancel buttons under the steps' options; default true (`/cancel` and `/back` work regardless). */
  controls?: boolean;
  /** Every step is answered. The state is already gone (a retry cannot finish twice); do the work and answer. */
  finish(context: FlowContext<D>): Promise<ChatReply> | ChatReply;
}

/** Where and for whom a flow starts. */
export interface FlowStart {
  principal: Principal;
  conversation: FlowConversation;
  locale: Locale;
}

/** Declares a flow with its data type inferred from the steps. */
export const defineFlow = <D>(definition: FlowDefinition<D>): FlowDefinition<D> => definition;
