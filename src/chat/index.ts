// Public surface of the conversation engine: adapters (bots/*) and other modules import from here.
export { plainConversation } from './chat-types.ts';
export type {
  Attachment,
  Button,
  ChatAdapter,
  ConversationCapabilities,
  ChatType,
  Expectation,
  InboundMessage,
  OutboundMessage,
  Platform,
} from './chat-types.ts';
export { webConsolePlatform } from './chat-types.ts';
export {
  ChatDeliveryError,
  classifyTransportFailure,
  createMessengerDirectory,
  failureFromStatus,
  unknownMessengerCapabilities,
  sharedMessageLimits,
  type SharedMessageLimits,
  type DeliveryFailure,
  type Messenger,
  type MessengerCapabilities,
  type MessengerCapabilityLookup,
  type MessengerDirectory,
  type SendRate,
} from './messenger-port.ts';
export {
  alternatives,
  encryptedMessengerArguments,
  messengerName,
  messengerNameId,
} from './messenger-names.ts';
export type { AdapterContext, MessengerAdapterModule, RunningMessenger, WayIn } from './messenger-module.ts';
export {
  answerInline,
  answerKey,
  sendThroughPort,
  type InlineAnswerFailure,
  type SendOutcome,
} from './reply-path.ts';
export {
  conversationActivityChannel,
  createQuietConversations,
  type QuietConversations,
} from './quiet-conversations.ts';
export {
  createConversationEngine,
  type ActionContext,
  type ActionHandler,
  type ActionHandlerOptions,
  type AskPort,
  type ConversationEngine,
  type ConversationEngineDeps,
  type Flows,
  type TextHandler,
  type TextHandlerOptions,
} from './conversation-engine.ts';
export {
  defineFlow,
  type ChoiceStep,
  type ConfirmAnswer,
  type ConfirmStep,
  type DateStep,
  type FlowContext,
  type FlowConversation,
  type FlowDefinition,
  type FlowStart,
  type FlowStep,
  type StepOption,
  type StepOutcome,
  type TextStep,
} from './flow-types.ts';
export type { FlowSealer } from './flow-runner.ts';
export { openFlowsUntil } from './flow-store.ts';
export {
  CommandTable,
  parseCommand,
  type AnyoneCommand,
  type AnyoneCommandContext,
  type ChatCommand,
  type ChatReply,
  type CommandArgument,
  type MemberCommand,
  type MemberCommandContext,
} from './command-table.ts';
export { createChatRateLimiter, type ChatRateLimiter } from './chat-rate-limiter.ts';
export { createConversationMemory, type ConversationMemory } from './conversation-memory.ts';
export { chooseLocale, detectTextLocale, toLocale } from './chat-locale.ts';
export {
  RichContentSchema,
  cardPlainLines,
  inlineText,
  plain,
  richToPlainText,
  richMessage,
  type Card,
  type Inline,
  type LineRole,
  type RichBlock,
  type RichContent,
  type RichLine,
} from './rich-content.ts';
