// The Matrix adapter's own storage (sync state, processed events, numbered choices, its reply
// outbox): tables only this adapter reads or writes.
export {
  createBotStateRepository,
  type BotStateRepository,
  type ChatChoices,
  type NewReply,
  type OfferedChoices,
  type PendingReply,
} from './matrix-state-repository.ts';
