import { and, asc, eq, isNull, lt, lte, sql } from 'drizzle-orm';
import type { Database } from '../../../src/db/database.ts';
import { botChatChoices, botProcessedEvents, botReplyOutbox, botStateBlobs } from './matrix-state-schema.ts';

export type PendingReply = typeof botReplyOutbox.$inferSelect;

export interface NewReply {
  chatId: string;
  idempotencyKey: string;
  /** Already encrypted by the adapter. */
  payload: string;
  leaveAfter?: boolean;
}

export interface OfferedChoices {
  chatId: string;
  /** Idempotency key of the reply that offers them. */
  offeredBy: string;
  actions: string[];
}

export interface ChatChoices {
  actions: string[];
  offeredBy: string;
  messageId: string | null;
}

export type BotStateRepository = ReturnType<typeof createBotStateRepository>;

/** Persistence for one bot account of one platform (see bot-state-schema.ts for why each table exists). */
export function createBotStateRepository({
  db,
  platform,
  account,
}: {
  db: Database;
  platform: string;
  account: string;
}) {
  return {
    async loadBlob(kind: string): Promise<string | undefined> {
      const [row] = await db
        .select({ data: botStateBlobs.data })
        .from(botStateBlobs)
        .where(
          and(
            eq(botStateBlobs.platform, platform),
            eq(botStateBlobs.account, account),
            eq(botStateBlobs.kind, kind),
          ),
        );
      return row?.data;
    },

    /** Saves several blobs atomically (a sync position only together with the crypto state that goes with it). */
    async saveBlobs(entries: readonly { kind: string; data: string }[]): Promise<void> {
      if (entries.length === 0) return;
      await db.transaction(async (tx) => {
        for (const { kind, data } of entries) {
          await tx
            .insert(botStateBlobs)
            .values({ platform, account, kind, data, updatedAt: new Date() })
            .onConflictDoUpdate({
              target: [botStateBlobs.platform, botStateBlobs.account, botStateBlobs.kind],
              set: { data, updatedAt: new Date() },
            });
        }
      });
    },

    async deleteBlob(kind: string): Promise<void> {
      await db
        .delete(botStateBlobs)
        .where(
          and(
            eq(botStateBlobs.platform, platform),
            eq(botStateBlobs.account, account),
            eq(botStateBlobs.kind, kind),
          ),
        );
    },

    async isProcessed(eventId: string): Promise<boolean> {
      const [row] = await db
        .select({ eventId: botProcessedEvents.eventId })
        .from(botProcessedEvents)
        .where(and(eq(botProcessedEvents.platform, platform), eq(botProcessedEvents.eventId, eventId)));
      return row !== undefined;
    },

    /**
     * Marks an inbound event handled and queues its replies, atomically. Resolves to false (and
     * queues nothing) when the event had already been handled, by this process or another.
     */
    async recordHandled(input: {
      eventId: string;
      replies: readonly NewReply[];
      choices?: OfferedChoices | undefined;
    }): Promise<boolean> {
      return db.transaction(async (tx) => {
        const inserted = await tx
          .insert(botProcessedEvents)
          .values({ platform, eventId: input.eventId })
          .onConflictDoNothing()
          .returning({ eventId: botProcessedEvents.eventId });
        if (inserted.length === 0) return false;
        if (input.replies.length > 0) {
          await tx.insert(botReplyOutbox).values(
            input.replies.map((reply) => ({
              platform,
              account,
              chatId: reply.chatId,
              idempotencyKey: reply.idempotencyKey,
              payload: reply.payload,
              leaveAfter: reply.leaveAfter ?? false,
            })),
          );
        }
        if (input.choices !== undefined) {
          const { chatId, offeredBy, actions } = input.choices;
          await tx
            .insert(botChatChoices)
            .values({ platform, chatId, offeredBy, actions, messageId: null, updatedAt: new Date() })
            .onConflictDoUpdate({
              target: [botChatChoices.platform, botChatChoices.chatId],
              set: { offeredBy, actions, messageId: null, updatedAt: new Date() },
            });
        }
        return true;
      });
    },

    /** Undelivered replies of this account, oldest first (per chat order is preserved by id). */
    async pendingReplies(limit = 50): Promise<PendingReply[]> {
      return db
        .select()
        .from(botReplyOutbox)
        .where(
          and(
            eq(botReplyOutbox.platform, platform),
            eq(botReplyOutbox.account, account),
            isNull(botReplyOutbox.sentAt),
          ),
        )
        .orderBy(asc(botReplyOutbox.id))
        .limit(limit);
    },

    async markSent(reply: PendingReply, messageId: string): Promise<void> {
      await db.transaction(async (tx) => {
        await tx
          .update(botReplyOutbox)
          // Delivered: the rendered message is no longer needed, and it may be case material.
          .set({ sentAt: new Date(), messageId, lastError: null, payload: '' })
          .where(eq(botReplyOutbox.id, reply.id));
        await tx
          .update(botChatChoices)
          .set({ messageId })
          .where(
            and(eq(botChatChoices.platform, platform), eq(botChatChoices.offeredBy, reply.idempotencyKey)),
          );
      });
    },

    async markAttemptFailed(reply: PendingReply, errorCode: string): Promise<void> {
      await db
        .update(botReplyOutbox)
        .set({ attempts: sql`${botReplyOutbox.attempts} + 1`, lastError: errorCode.slice(0, 100) })
        .where(eq(botReplyOutbox.id, reply.id));
    },

    /**
     * Choices offered by a push (not a reply), already delivered as `messageId`. `offeredAt` is when
     * its send began: choices a reply recorded after that moment (the person answered a flow step
     * while the push was on its way) are newer and stay; otherwise a late-returning push would
     * turn the step's "1" into one of the push's buttons.
     */
    async rememberChoices(choices: OfferedChoices, messageId: string, offeredAt: Date): Promise<void> {
      const { chatId, offeredBy, actions } = choices;
      await db
        .insert(botChatChoices)
        .values({ platform, chatId, offeredBy, actions, messageId, updatedAt: offeredAt })
        .onConflictDoUpdate({
          target: [botChatChoices.platform, botChatChoices.chatId],
          set: { offeredBy, actions, messageId, updatedAt: offeredAt },
          setWhere: lte(botChatChoices.updatedAt, offeredAt),
        });
    },

    async choicesFor(chatId: string): Promise<ChatChoices | undefined> {
      const [row] = await db
        .select({
          actions: botChatChoices.actions,
          offeredBy: botChatChoices.offeredBy,
          messageId: botChatChoices.messageId,
        })
        .from(botChatChoices)
        .where(and(eq(botChatChoices.platform, platform), eq(botChatChoices.chatId, chatId)));
      return row;
    },

    /** Forgets old dedupe marks and delivered replies (the adapter ignores events older than the window). */
    async prune(olderThan: Date): Promise<void> {
      await db
        .delete(botProcessedEvents)
        .where(and(eq(botProcessedEvents.platform, platform), lt(botProcessedEvents.processedAt, olderThan)));
      await db
        .delete(botReplyOutbox)
        .where(
          and(
            eq(botReplyOutbox.platform, platform),
            eq(botReplyOutbox.account, account),
            lt(botReplyOutbox.sentAt, olderThan),
          ),
        );
    },
  };
}
