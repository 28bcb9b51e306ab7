// Queries on conversation_flows. A member's free text needs one statement: the flow in progress
// in that chat (primary key) together with every module's "is anything else in progress?" check.
import { and, eq, gt, inArray, lt, max, sql, type SQL } from 'drizzle-orm';
import { conversationFlows, type FlowHistoryEntry } from './flow-schema.ts';
import type { Database, Queryable } from '../db/index.ts';

export type FlowRow = typeof conversationFlows.$inferSelect;

export interface FlowKey {
  memberId: string;
  platform: string;
  chatId: string;
}

/** The two drivers answer `execute` differently: postgres.js with the rows, PGlite with `{ rows }`. */
const rowsOf = (result: unknown): Record<string, unknown>[] =>
  Array.isArray(result)
    ? (result as Record<string, unknown>[])
    : ((result as { rows?: Record<string, unknown>[] }).rows ?? []);

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(value as string));
/** jsonb arrives parsed from both drivers; a string would mean a driver set up to keep it raw. */
const asJson = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

const keyIs = (key: FlowKey) =>
  and(
    eq(conversationFlows.memberId, key.memberId),
    eq(conversationFlows.platform, key.platform),
    eq(conversationFlows.chatId, key.chatId),
  );

/**
 * Until when someone is in the middle of one of `flows` about a subject (a flow whose data holds
 * every field of `about`), in any chat of any member: the latest timeout among those still open at
 * `now`; undefined when none is. Lets a module hold back a push that would cut across an answer.
 */
export async function openFlowsUntil(
  q: Queryable,
  filter: { flows: readonly string[]; about: Record<string, string>; now: Date },
): Promise<Date | undefined> {
  if (filter.flows.length === 0) return undefined;
  const [row] = await q
    .select({ until: max(conversationFlows.expiresAt) })
    .from(conversationFlows)
    .where(
      and(
        inArray(conversationFlows.flow, [...filter.flows]),
        sql`${conversationFlows.data} @> ${JSON.stringify(filter.about)}::jsonb`,
        gt(conversationFlows.expiresAt, filter.now),
      ),
    );
  const until = row?.until;
  return until == null ? undefined : asDate(until);
}

export function createFlowStore(db: Database) {
  return {
    /**
     * The flow in progress in this chat and, in the same round trip, the answer of each check
     * (an SQL boolean per module: "does this member's text mean something to you now?").
     */
    async lookup(
      key: FlowKey,
      checks: readonly SQL[],
    ): Promise<{ row: FlowRow | undefined; checks: boolean[] }> {
      const checkColumns = checks.map((check, index) => sql`(${check}) as ${sql.raw(`check_${index}`)}`);
      const query = sql`select f.member_id, f.platform, f.chat_id, f.flow, f.step, f.locale, f.data,
          f.history, f.pending, f.version, f.started_at, f.expires_at${
            checkColumns.length === 0 ? sql`` : sql`, ${sql.join(checkColumns, sql`, `)}`
          }
        from (values (1)) as one (x)
        left join conversation_flows f
          on f.member_id = ${key.memberId} and f.platform = ${key.platform} and f.chat_id = ${key.chatId}`;
      const [raw] = rowsOf(await db.execute(query));
      const row: FlowRow | undefined =
        raw?.flow == null
          ? undefined
          : {
              memberId: raw.member_id as string,
              platform: raw.platform as string,
              chatId: raw.chat_id as string,
              flow: raw.flow as string,
              step: raw.step as string,
              locale: raw.locale as string,
              data: asJson(raw.data) as Record<string, unknown>,
              history: asJson(raw.history) as FlowHistoryEntry[],
              pending: (raw.pending as string | null | undefined) ?? null,
              version: Number(raw.version),
              startedAt: asDate(raw.started_at),
              expiresAt: asDate(raw.expires_at),
            };
      return { row, checks: checks.map((_, index) => raw?.[`check_${index}`] === true) };
    },

    async find(key: FlowKey): Promise<FlowRow | undefined> {
      const [row] = await db.select().from(conversationFlows).where(keyIs(key));
      return row;
    },

    /** Starts a flow in the chat, replacing whatever flow was there. */
    async put(row: Omit<FlowRow, 'version'>): Promise<void> {
      await db
        .insert(conversationFlows)
        .values({ ...row, version: 0 })
        .onConflictDoUpdate({
          target: [conversationFlows.memberId, conversationFlows.platform, conversationFlows.chatId],
          set: {
            flow: row.flow,
            step: row.step,
            locale: row.locale,
            data: row.data,
            history: row.history,
            pending: row.pending,
            startedAt: row.startedAt,
            expiresAt: row.expiresAt,
            version: sql`${conversationFlows.version} + 1`,
          },
        });
    },

    /** Moves the flow on if nobody else did since it was read (`version`); false when someone did. */
    async update(
      key: FlowKey,
      version: number,
      changes: Pick<FlowRow, 'step' | 'data' | 'history' | 'pending' | 'expiresAt'>,
    ): Promise<boolean> {
      const updated = await db
        .update(conversationFlows)
        .set({ ...changes, version: version + 1 })
        .where(and(keyIs(key), eq(conversationFlows.version, version)))
        .returning({ version: conversationFlows.version });
      return updated.length > 0;
    },

    /** Ends the flow (at `version` when given); false when it was gone or had moved on. */
    async remove(key: FlowKey, version?: number): Promise<boolean> {
      const removed = await db
        .delete(conversationFlows)
        .where(version === undefined ? keyIs(key) : and(keyIs(key), eq(conversationFlows.version, version)))
        .returning({ flow: conversationFlows.flow });
      return removed.length > 0;
    },

    /** Deletes flows that timed out before `before`; returns how many. */
    async sweep(before: Date): Promise<number> {
      const removed = await db
        .delete(conversationFlows)
        .where(lt(conversationFlows.expiresAt, before))
        .returning({ flow: conversationFlows.flow });
      return removed.length;
    },
  };
}

export type FlowStore = ReturnType<typeof createFlowStore>;
