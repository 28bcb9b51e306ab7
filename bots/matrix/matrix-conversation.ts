// Matrix events in, engine replies out (recorded in the reply outbox, sent by the adapter's one send). Translation only: who may ask
// and what to answer is the conversation engine's business. Events of one room are handled in
// order; each is answered at most once (bot_processed_events), and its replies are recorded in
// the same transaction, so a crash or an outage neither loses nor repeats an answer.
import { randomUUID } from 'node:crypto';
import { type MatrixClient, type MatrixEvent, MatrixEventEvent, type Room, RoomEvent } from 'matrix-js-sdk';
import type { BotStateRepository, ChatChoices, NewReply, OfferedChoices } from './state/index.ts';
import {
  answerKey,
  parseCommand,
  type ConversationEngine,
  type InboundMessage,
  type OutboundMessage,
} from '../../src/chat/index.ts';
import type { Locale, Translator } from '../../src/i18n/i18n.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { IdentityService } from '../../src/members/identity-service.ts';
import { classifyMatrixFailure } from './matrix-messenger.ts';
import { choiceActions, choiceNumber, messageText, reactionChoice } from './matrix-render.ts';
import { storedReplyOf, transactionIdFor } from './reply-sender.ts';
import type { StateCipher } from './state-cipher.ts';

export interface MatrixConversationDeps {
  client: MatrixClient;
  botUserId: string;
  engine: Pick<ConversationEngine, 'handle' | 'commands'>;
  identities: Pick<IdentityService, 'resolve'>;
  repository: BotStateRepository;
  cipher: StateCipher;
  translator: Translator;
  defaultLocale: Locale;
  logger: Logger;
  /** Called after replies were recorded, so they go out now. */
  onRepliesQueued: () => void;
  /** Events older than this are never answered (a long outage or a fresh account's history). */
  notBefore: () => number;
}

const maximumTextLength = 4000;
const drainLimitMs = 30_000;
/** Ids each of the bot's "already seen" sets keeps at most. */
const rememberedLimit = 10_000;
/** Events kept in a room's live timeline before it starts afresh. */
const liveTimelineLimit = 500;
const megolm = { algorithm: 'm.megolm.v1.aes-sha2' };

export interface MatrixConversation {
  /** Resolves once every event received so far has been handled (before a sync position is saved). */
  drain(): Promise<void>;
  detach(): void;
}

type QueueReplies = (input: {
  eventId: string;
  roomId: string;
  replies: readonly OutboundMessage[];
  leaveAfter?: boolean;
}) => Promise<void>;
type RequestEncryption = (room: Room) => Promise<void>;

/**
 * Listens to the client: timeline events and decrypted ones become messages for the engine,
 * invitations are answered, and each room's work runs in order.
 */
export function attachConversation(deps: MatrixConversationDeps): MatrixConversation {
  const { client, botUserId } = deps;
  const rooms = roomQueues(deps.logger);
  // Events whose room key had not arrived yet, answered once they are decrypted (see `remember`).
  const awaitingKeys = new Set<string>();
  const queueReplies = replyRecorder(deps);
  const requestEncryption = encryptionRequester(deps);
  const onInvite = inviteAnswerer(deps, queueReplies, requestEncryption);
  const onMessage = messageAnswerer(deps, { queueReplies, requestEncryption, awaitingKeys });

  const onTimeline = (
    event: MatrixEvent,
    room: Room | undefined,
    toStartOfTimeline: boolean | undefined,
  ): void => {
    if (room === undefined || toStartOfTimeline === true) return;
    rooms.enqueue(room.roomId, async () => {
      await client.decryptEventIfNeeded(event);
      await onMessage(event, room);
      trimTimeline(room);
    });
  };
  // The SDK keeps every event of a room's live timeline for the life of the process; a busy DM
  // would grow it without limit. The bot needs only recent events (replies, reactions to its
  // latest choices; everything else is in its database), so past `liveTimelineLimit` the live
  // timeline starts afresh (room state is kept). The saved sync keeps its own 50 (sync store).
  const trimTimeline = (room: Room): void => {
    if (room.getLiveTimeline().getEvents().length > liveTimelineLimit) room.resetLiveTimeline();
  };
  const onDecrypted = (event: MatrixEvent): void => {
    const eventId = event.getId();
    if (eventId === undefined || !awaitingKeys.has(eventId) || event.isDecryptionFailure()) return;
    awaitingKeys.delete(eventId);
    const room = client.getRoom(event.getRoomId());
    if (room !== null) rooms.enqueue(room.roomId, () => onMessage(event, room));
  };
  const onMyMembership = (room: Room, membership: string): void => {
    // Replies to a room we just joined wait for the join to come back through the sync.
    if (membership === 'join') deps.onRepliesQueued();
    if (membership !== 'invite') return;
    const invite = room.getMember(botUserId)?.events.member;
    if (invite !== undefined) rooms.enqueue(room.roomId, () => onInvite(invite, room));
  };

  client.on(RoomEvent.Timeline, onTimeline);
  client.on(MatrixEventEvent.Decrypted, onDecrypted);
  client.on(RoomEvent.MyMembership, onMyMembership);

  return {
    drain: () => rooms.drain(),
    detach() {
      client.off(RoomEvent.Timeline, onTimeline);
      client.off(MatrixEventEvent.Decrypted, onDecrypted);
      client.off(RoomEvent.MyMembership, onMyMembership);
    },
  };
}

/**
 * Event ids, then room ids, remembered to skip repeated work. A room key that never arrives, or a
 * long-lived bot joining many rooms, must not grow them without limit: past `rememberedLimit` the
 * oldest is forgotten (at worst an old event stays unanswered, or a room is asked once more to
 * turn on encryption; invites are answered by membership state anyway).
 */
function remember(set: Set<string>, value: string): void {
  if (set.size >= rememberedLimit) {
    const oldest = set.values().next();
    if (oldest.done !== true) set.delete(oldest.value);
  }
  set.add(value);
}

/** One chain of work per room, so events of a room are handled in order. */
function roomQueues(logger: Logger) {
  // One chain per room with work pending; a chain removes itself when it settles.
  const queues = new Map<string, Promise<void>>();
  return {
    /** Runs `task` after the room's earlier tasks; failures are logged, never thrown (one bad event must not stop the bot). */
    enqueue(roomId: string, task: () => Promise<void>): void {
      const previous = queues.get(roomId) ?? Promise.resolve();
      const next = previous.then(task).catch((error: unknown) => {
        logger.error({ err: error, roomId }, 'matrix: failed to handle an event');
      });
      queues.set(roomId, next);
      void next.then(() => {
        if (queues.get(roomId) === next) queues.delete(roomId);
      });
    },
    async drain(): Promise<void> {
      // Bounded: a handler stuck on the network must not stall the sync loop forever. Its event is
      // then saved as seen before it was answered (the one case where a crash could lose it).
      const deadline = Date.now() + drainLimitMs;
      while (queues.size > 0 && Date.now() < deadline) {
        await Promise.race([
          Promise.all([...queues.values()]),
          new Promise((resolve) => setTimeout(resolve, deadline - Date.now())),
        ]);
      }
    },
  };
}

/** Records an event as handled together with its replies (and the choices they offer). */
function replyRecorder({ repository, cipher, onRepliesQueued }: MatrixConversationDeps): QueueReplies {
  return async (input) => {
    const records: NewReply[] = [];
    let choices: OfferedChoices | undefined;
    input.replies.forEach((reply, index) => {
      // The core's message is stored (encrypted) and rendered when it is sent, by the adapter's
      // one send (reply-sender.ts); its file goes with it, encrypted, after the text.
      const idempotencyKey = answerKey('matrix', input.eventId, index);
      records.push({
        chatId: input.roomId,
        idempotencyKey,
        payload: cipher.encryptJson(storedReplyOf(reply)),
        leaveAfter: index === input.replies.length - 1 && input.leaveAfter === true,
      });
      const actions = choiceActions(reply);
      if (actions !== undefined) choices = { chatId: input.roomId, offeredBy: idempotencyKey, actions };
    });
    // A number refers to the bot's latest message: answers without choices withdraw older ones,
    // so "2" typed in a relayed conversation is not read as a stale button.
    const lastKey = records.at(-1)?.idempotencyKey;
    if (choices === undefined && lastKey !== undefined)
      choices = { chatId: input.roomId, offeredBy: lastKey, actions: [] };
    const recorded = await repository.recordHandled({ eventId: input.eventId, replies: records, choices });
    if (recorded && records.length > 0) onRepliesQueued();
  };
}

/**
 * Turns on encryption in a DM that lacks it (the bot has power there when invited to a private
 * chat). A rate-limited request (M_LIMIT_EXCEEDED; the SDK does not retry state events) is tried
 * again after the wait the homeserver asked for; one that still fails is forgotten, so the next
 * message in the room asks again.
 */
function encryptionRequester({ client, logger }: MatrixConversationDeps): RequestEncryption {
  // Rooms already asked (bounded: at worst a room is asked once more).
  const encryptionRequested = new Set<string>();
  return async function requestEncryption(room) {
    if (room.hasEncryptionStateEvent() || encryptionRequested.has(room.roomId)) return;
    remember(encryptionRequested, room.roomId);
    for (let attempt = 1; ; attempt++) {
      try {
        await client.sendStateEvent(room.roomId, 'm.room.encryption' as never, megolm as never, '');
        return;
      } catch (error) {
        const failure = classifyMatrixFailure(error);
        if (failure.kind === 'retry' && failure.retryAfterMs !== undefined && attempt < 4) {
          await new Promise((resolve) => setTimeout(resolve, failure.retryAfterMs));
          continue;
        }
        encryptionRequested.delete(room.roomId);
        logger.info(
          { roomId: room.roomId, err: error instanceof Error ? error.message : String(error) },
          'matrix: could not enable encryption',
        );
        return;
      }
    }
  };
}

/** Invitations: joined (DMs, and rooms of linked members), greeted, strangers' groups left. */
function inviteAnswerer(
  { client, identities, repository, translator, defaultLocale, logger }: MatrixConversationDeps,
  queueReplies: QueueReplies,
  requestEncryption: RequestEncryption,
) {
  const handledInvites = new Set<string>();
  return async function onInvite(event: MatrixEvent, room: Room): Promise<void> {
    const inviter = event.getSender();
    // The membership itself says whether this invite is still to be answered (invite state has no
    // event ids); `handledInvites` covers the moment between our join and its echo in the sync.
    if (inviter === undefined || room.getMyMembership() !== 'invite' || handledInvites.has(room.roomId))
      return;
    remember(handledInvites, room.roomId);
    const eventId = `invite:${room.roomId}:${randomUUID()}`;
    const linked = await identities.resolve({ platform: 'matrix', platformUserId: inviter });
    const direct = event.getContent().is_direct === true || room.getInvitedAndJoinedMemberCount() <= 2;
    if (linked === undefined && !direct) {
      // Unknown people may only open a DM (to link); a group of strangers gets nothing.
      await client.leave(room.roomId);
      await repository.recordHandled({ eventId, replies: [] });
      return;
    }
    // A few quick attempts; if the homeserver stays away, the invite is retried after the next start
    // (it is still in the saved sync).
    for (let attempt = 1; ; attempt++) {
      try {
        await client.joinRoom(room.roomId);
        break;
      } catch (error) {
        if (attempt >= 4) {
          handledInvites.delete(room.roomId);
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
      }
    }
    logger.info({ roomId: room.roomId, linked: linked !== undefined }, 'matrix: joined a room on invitation');
    if (direct) await requestEncryption(room);
    const locale =
      linked?.member.locale === 'ru' || linked?.member.locale === 'en' ? linked.member.locale : defaultLocale;
    const greeting: OutboundMessage =
      linked === undefined
        ? { text: translator.t(locale, 'matrix-welcome-unknown'), locale }
        : { text: translator.t(locale, 'matrix-welcome-member', { name: linked.member.name }), locale };
    await queueReplies({ eventId, roomId: room.roomId, replies: [greeting] });
  };
}

/** Room messages and reactions: translated, answered by the engine, the replies recorded. */
function messageAnswerer(
  deps: MatrixConversationDeps,
  {
    queueReplies,
    requestEncryption,
    awaitingKeys,
  }: { queueReplies: QueueReplies; requestEncryption: RequestEncryption; awaitingKeys: Set<string> },
) {
  const { botUserId, engine, identities, repository, translator, defaultLocale, logger } = deps;
  const toInbound = inboundTranslator(deps);
  const isLinkAttempt = (text: string | undefined): boolean => {
    const parsed = text === undefined ? undefined : parseCommand(text);
    const id = parsed === undefined ? undefined : engine.commands.find(parsed.name)?.command.id;
    return id === 'link' || id === 'start';
  };

  return async function onMessage(event: MatrixEvent, room: Room): Promise<void> {
    const eventId = event.getId();
    if (eventId === undefined || event.getSender() === botUserId || room.getMyMembership() !== 'join') return;
    if (event.getTs() < deps.notBefore()) return;
    if (event.isDecryptionFailure()) {
      // The room key may still be on its way (to-device); handled when it is decrypted.
      remember(awaitingKeys, eventId);
      return;
    }
    const type = event.getType();
    if (type !== 'm.room.message' && type !== 'm.reaction') return;
    if (room.hasEncryptionStateEvent() && !event.isEncrypted() && type !== 'm.reaction') {
      // Plaintext in an encrypted room did not come from a well-behaved client: not trusted.
      // Reactions are the exception: clients send them in the clear by design (the relation is
      // visible anyway), and one can only pick among the choices the bot offered.
      logger.info({ roomId: room.roomId }, 'matrix: ignored an unencrypted event in an encrypted room');
      return;
    }
    if (await repository.isProcessed(eventId)) return;
    const inbound = await toInbound(event, room);
    if (inbound === undefined) return;

    if (inbound.chatType === 'private' && !room.hasEncryptionStateEvent()) {
      await requestEncryption(room);
      const locale = defaultLocale;
      await queueReplies({
        eventId,
        roomId: room.roomId,
        replies: [{ text: translator.t(locale, 'matrix-unencrypted-room'), locale }],
      });
      return;
    }

    const replies = await engine.handle(inbound);
    let leaveAfter = false;
    if (inbound.chatType === 'private' && replies.length > 0) {
      const known = await identities.resolve({ platform: 'matrix', platformUserId: inbound.platformUserId });
      // Unknown accounts are told how to get an invite and left alone, unless they are linking.
      leaveAfter = known === undefined && !isLinkAttempt(inbound.text);
    }
    await queueReplies({ eventId, roomId: room.roomId, replies, leaveAfter });
  };
}

/** The inbound message an event stands for, or undefined for events the bot ignores. */
function inboundTranslator({ botUserId, repository }: MatrixConversationDeps) {
  const isDirect = (room: Room): boolean => room.getInvitedAndJoinedMemberCount() <= 2;
  /**
   * Is `eventId` the message that offered these choices? Its id is recorded once the send returns,
   * but the user may react before that; the transaction id of our own message tells it as well.
   */
  const offeredIn = (offered: ChatChoices, eventId: string, room: Room): boolean => {
    if (offered.messageId === eventId) return true;
    const target = room.findEventById(eventId);
    return (
      target?.getSender() === botUserId &&
      target.getUnsigned().transaction_id === transactionIdFor(offered.offeredBy)
    );
  };

  return async function toInbound(event: MatrixEvent, room: Room): Promise<InboundMessage | undefined> {
    const sender = event.getSender();
    const eventId = event.getId();
    if (sender === undefined || eventId === undefined) return undefined;
    const content: Record<string, unknown> = event.getContent();
    const relatesTo = asRecord(content['m.relates_to']);
    let text: string | undefined;
    let buttonAction: string | undefined;

    if (event.getType() === 'm.room.message') {
      // m.notice is what bots send: answering it could loop two bots forever. Edits are not new questions.
      if (content.msgtype !== 'm.text' || relatesTo?.rel_type === 'm.replace') return undefined;
      text = messageText(content)?.slice(0, maximumTextLength);
      if (text === undefined || text.trim() === '') return undefined;
      const number = choiceNumber(text);
      if (number !== undefined) {
        const offered = await repository.choicesFor(room.roomId);
        const action = offered?.actions[number - 1];
        if (action !== undefined) {
          buttonAction = action;
          text = undefined;
        }
      }
    } else if (event.getType() === 'm.reaction') {
      const key = relatesTo?.key;
      if (
        relatesTo?.rel_type !== 'm.annotation' ||
        typeof key !== 'string' ||
        typeof relatesTo.event_id !== 'string'
      )
        return undefined;
      const offered = await repository.choicesFor(room.roomId);
      const number = reactionChoice(key);
      if (offered === undefined || number === undefined || !offeredIn(offered, relatesTo.event_id, room))
        return undefined;
      buttonAction = offered.actions[number - 1];
      if (buttonAction === undefined) return undefined;
    } else {
      return undefined;
    }

    const direct = isDirect(room);
    const inReplyTo = asRecord(relatesTo?.['m.in_reply_to'])?.event_id;
    const threadRoot = relatesTo?.rel_type === 'm.thread' ? relatesTo.event_id : undefined;
    const replyTo =
      typeof threadRoot === 'string' ? threadRoot : typeof inReplyTo === 'string' ? inReplyTo : undefined;
    const repliedToBot = replyTo !== undefined && room.findEventById(replyTo)?.getSender() === botUserId;
    const botName = room.getMember(botUserId)?.name;
    const mentioned =
      text !== undefined &&
      (text.includes(botUserId) ||
        (botName !== undefined && botName !== '' && text.toLowerCase().includes(botName.toLowerCase())));
    return {
      platform: 'matrix',
      platformUserId: sender,
      chatId: room.roomId,
      chatType: direct ? 'private' : 'group',
      text,
      buttonAction,
      addressed:
        direct ||
        buttonAction !== undefined ||
        mentioned ||
        repliedToBot ||
        text?.trimStart().startsWith('!') === true,
      displayName: room.getMember(sender)?.name,
      messageId: eventId,
      replyToMessageId: replyTo,
    };
  };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
