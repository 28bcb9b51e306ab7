// Public surface of the conversation engine: adapters (bots/*) and other modules import from here.
export type {
  Button,
  ChatAdapter,
  ChatType,
  InboundMessage,
  OutboundMessage,
  Platform,
} from './chat-types.ts';
export {
  createConversationEngine,
  type ActionContext,
  type ActionHandler,
  type ActionHandlerOptions,
  type AskPort,
  type ConversationEngine,
  type ConversationEngineDeps,
  type TextHandler,
} from './conversation-engine.ts';
export {
  CommandTable,
  commandPrefix,
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
export { conversationStateChannel, type IdleMembersOptions } from './idle-members.ts';
export { chooseLocale, detectTextLocale, toLocale } from './chat-locale.ts';
