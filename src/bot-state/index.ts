// Public surface of the bot-state module: persistence that messenger adapters need across restarts.
export {
  createBotStateRepository,
  type BotStateRepository,
  type ChatChoices,
  type NewReply,
  type OfferedChoices,
  type PendingReply,
} from './bot-state-repository.ts';
