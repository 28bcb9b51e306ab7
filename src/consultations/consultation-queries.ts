// Reading consultations: lists by role, one consultation with its history, and statistics.
import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';

import {
  consultationMessages,
  consultationRoutes,
  consultations,
  type ConsultationStatus,
} from './consultations-schema.ts';
import { routesOf } from './consultation-repository.ts';
import {
  refOf,
  type ConsultationDetail,
  type ConsultationRow,
  type ConsultationView,
} from './consultation-types.ts';
import { AppError, forbidden, notFound } from '../errors/index.ts';
import { ownCountryOf, type Principal } from '../access/index.ts';
import type { Database } from '../db/index.ts';
import { membersByIds } from '../members/index.ts';

export type ListScope = 'mine' | 'country' | 'all';

export interface StatsRow {
  country: string;
  competence: string;
  consultations: number;
  /** Consultations that got a first answer; median and p90 are over these. */
  answered: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

/** A consultation the member asked, talks in, or was ever asked to take. */
const involves = (memberId: string): SQL =>
  or(
    eq(consultations.askerMemberId, memberId),
    eq(consultations.counterpartMemberId, memberId),
    sql`exists (select 1 from ${consultationRoutes} where ${consultationRoutes.consultationId} = ${consultations.id} and ${memberId} = any(${consultationRoutes.memberIds}))`,
  ) as SQL;

/** Coordinators oversee consultations to and from their country. */
const ofCountry = (country: string): SQL =>
  or(eq(consultations.country, country), eq(consultations.askerCountry, country)) as SQL;

export function createConsultationQueries({ db }: { db: Database }) {
  async function views(rows: ConsultationRow[]): Promise<ConsultationView[]> {
    const people = await membersByIds(db, [
      ...new Set(rows.flatMap((row) => [row.askerMemberId, row.counterpartMemberId ?? []].flat())),
    ]);
    const byId = new Map(people.map((person) => [person.id, person]));
    const routes =
      rows.length === 0
        ? []
        : await db
            .select()
            .from(consultationRoutes)
            .where(
              inArray(
                consultationRoutes.consultationId,
                rows.map((row) => row.id),
              ),
            );
    return rows.map((row) => {
      const route = routes.find(
        (candidate) => candidate.consultationId === row.id && candidate.seq === row.routeSeq,
      );
      const counterpart = row.counterpartMemberId === null ? undefined : byId.get(row.counterpartMemberId);
      return {
        id: row.id,
        ref: refOf(row.number),
        status: row.status,
        country: row.country,
        competence: row.competence,
        sensitive: row.sensitive,
        asker: {
          memberId: row.askerMemberId,
          name: byId.get(row.askerMemberId)?.name ?? '',
          country: row.askerCountry,
        },
        counterpart:
          counterpart === undefined
            ? null
            : { memberId: counterpart.id, name: counterpart.name, contactId: row.counterpartContactId },
        currentRoute:
          route === undefined
            ? null
            : {
                seq: route.seq,
                kind: route.kind,
                contactId: route.contactId,
                deadlineAt: iso(route.deadlineAt),
              },
        messages: { fromAsker: row.messagesFromAsker, fromCounterpart: row.messagesFromCounterpart },
        descriptionLength: row.descriptionLength,
        createdAt: row.createdAt.toISOString(),
        acceptedAt: iso(row.acceptedAt),
        firstAnswerAt: iso(row.firstAnswerAt),
        closedAt: iso(row.closedAt),
      };
    });
  }

  function visibility(principal: Principal, scope: ListScope): SQL | undefined {
    if (scope === 'all') {
      if (principal.role !== 'admin') throw forbidden('only admins list all consultations');
      return undefined;
    }
    if (scope === 'country') {
      if (principal.role === 'member') throw forbidden('coordinators list their country’s consultations');
      // An admin of no country has no country's consultations (`all` lists every one).
      return principal.country === null ? sql`false` : ofCountry(principal.country);
    }
    return involves(principal.memberId);
  }

  async function find(idOrRef: string): Promise<ConsultationRow | undefined> {
    const ref = /^C-?(\d{1,9})$/i.exec(idOrRef);
    const [row] = await db
      .select()
      .from(consultations)
      .where(ref === null ? eq(consultations.id, idOrRef) : eq(consultations.number, Number(ref[1])));
    return row;
  }

  return {
    async list(
      principal: Principal,
      filter: { scope: ListScope; status?: ConsultationStatus | undefined; limit: number; offset: number },
    ) {
      const where = and(
        visibility(principal, filter.scope),
        filter.status === undefined ? undefined : eq(consultations.status, filter.status),
      );
      const [rows, [count]] = await Promise.all([
        db
          .select()
          .from(consultations)
          .where(where)
          .orderBy(desc(consultations.createdAt), desc(consultations.number))
          .limit(filter.limit)
          .offset(filter.offset),
        db
          .select({ total: sql<number>`count(*)::int` })
          .from(consultations)
          .where(where),
      ]);
      return { items: await views(rows), total: count?.total ?? 0 };
    },

    async get(principal: Principal, idOrRef: string): Promise<ConsultationDetail> {
      const row = await find(idOrRef);
      if (row === undefined) throw notFound('consultation', idOrRef);
      const visible =
        principal.role === 'admin' ||
        (principal.role === 'coordinator' &&
          (row.country === principal.country || row.askerCountry === principal.country)) ||
        (
          await db
            .select({ id: consultations.id })
            .from(consultations)
            .where(and(eq(consultations.id, row.id), involves(principal.memberId)))
        ).length > 0;
      // Someone else's consultation is answered like a missing one: its existence is not theirs to know.
      if (!visible) throw notFound('consultation', idOrRef);
      const [view] = await views([row]);
      if (view === undefined) throw new AppError('internal', 'consultation view missing');
      const messages = await db
        .select()
        .from(consultationMessages)
        .where(eq(consultationMessages.consultationId, row.id))
        .orderBy(asc(consultationMessages.seq));
      return {
        ...view,
        routes: (await routesOf(db, row.id)).map((route) => ({
          seq: route.seq,
          kind: route.kind,
          reason: route.reason,
          contactId: route.contactId,
          standingInFor: route.standingInFor,
          memberIds: route.memberIds,
          outcome: route.outcome,
          routedAt: route.routedAt.toISOString(),
          deadlineAt: iso(route.deadlineAt),
          answeredAt: iso(route.answeredAt),
        })),
        messageLog: messages.map((message) => ({
          seq: message.seq,
          from: message.senderRole,
          platform: message.platform,
          length: message.length,
          relayed: message.relayed,
          at: message.createdAt.toISOString(),
        })),
      };
    },

    /** Time to first answer per target country and competence: count, median and 90th percentile. */
    async stats(
      principal: Principal,
      filter: { country?: string | undefined; competence?: string | undefined; since?: Date | undefined },
    ): Promise<StatsRow[]> {
      if (principal.role === 'member') throw forbidden('statistics are for coordinators and admins');
      const seconds = sql`extract(epoch from (${consultations.firstAnswerAt} - ${consultations.createdAt}))`;
      const rows = await db
        .select({
          country: consultations.country,
          competence: consultations.competence,
          consultations: sql<number>`count(*)::int`,
          answered: sql<number>`count(${consultations.firstAnswerAt})::int`,
          medianSeconds: sql<string | number | null>`percentile_cont(0.5) within group (order by ${seconds})`,
          p90Seconds: sql<string | number | null>`percentile_cont(0.9) within group (order by ${seconds})`,
        })
        .from(consultations)
        .where(
          and(
            principal.role === 'admin' ? undefined : ofCountry(ownCountryOf(principal)),
            filter.country === undefined ? undefined : eq(consultations.country, filter.country),
            filter.competence === undefined ? undefined : eq(consultations.competence, filter.competence),
            filter.since === undefined ? undefined : sql`${consultations.createdAt} >= ${filter.since}`,
          ),
        )
        .groupBy(consultations.country, consultations.competence)
        .orderBy(asc(consultations.country), asc(consultations.competence));
      return rows.map((row) => ({
        ...row,
        medianSeconds: row.medianSeconds === null ? null : Math.round(Number(row.medianSeconds)),
        p90Seconds: row.p90Seconds === null ? null : Math.round(Number(row.p90Seconds)),
      }));
    },
  };
}

export type ConsultationQueries = ReturnType<typeof createConsultationQueries>;
