// How the network answers, as figures: formal requests (time to acknowledge and to execute),
// consultations (time to first answer), pending requests by age, registry freshness, nudges and
// deliveries. A coordinator gets their country's rows and the network's aggregate; an admin any
// country's rows or all of them. The same figures feed the API, the console and Prometheus.
import { type Clock, systemClock } from '../clock/index.ts';
import type { ConsultationStats, FirstAnswerMonthRow } from '../consultations/index.ts';
import type { DeliveryHealth } from '../outbox/index.ts';
import { freshnessByMonth, type VerificationHistory } from './freshness-history.ts';
import { monthsBeforeDay, type ContactRecord, type RegistryFile } from '../registry/index.ts';
import type {
  MonthlyTimesRow,
  NudgeMonthRow,
  PendingAgeRow,
  RequestStats,
  RequestTimesRow,
} from '../requests/index.ts';
import { forbidden } from '../errors/index.ts';
import { isAdmin, type Principal } from '../access/index.ts';

export interface StatsQuery {
  /** Admins: one country's rows (default all). Coordinators always get their own country's. */
  country?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export interface Period {
  from: Date;
  to: Date;
  /** Whose rows: a country, or null for the whole network. */
  country: string | null;
}

export interface FreshnessRow {
  country: string;
  contacts: number;
  verified6Months: number;
  verified12Months: number;
  share6Months: number | null;
  share12Months: number | null;
}

export interface ReachRow {
  country: string;
  contacts: number;
  unlinked: number;
  unreachable: number;
}

export interface StatsServiceDeps {
  requests: RequestStats;
  consultations: ConsultationStats;
  deliveries: DeliveryHealth;
  /**
   * The registry's records, and the local date in a country at an instant (`RegistryService.dayIn`):
   * freshness is judged on each country's own date, the date its verifications are recorded on.
   */
  registry: { view(): { file: RegistryFile }; dayIn: (country: string, at: Date) => string };
  /** Who stands behind each contact and whether the last push to them failed. */
  reach: () => Promise<Map<string, { linked: boolean; unreachable: boolean }>>;
  /** Verification days per contact since a date (the audit log's); without it, records' own dates only. */
  verifications?: (since: Date) => Promise<VerificationHistory>;
  clock?: Clock;
}

const day = 86_400_000;

export type StatsService = ReturnType<typeof createStatsService>;

export function createStatsService(deps: StatsServiceDeps) {
  const clock = deps.clock ?? systemClock;

  function periodOf(principal: Principal, query: StatsQuery): Period {
    if (principal.role === 'member') throw forbidden('statistics are for coordinators and admins');
    const to = query.to ?? clock.now();
    const from = query.from ?? new Date(to.getTime() - 365 * day);
    const country = isAdmin(principal) ? (query.country ?? null) : principal.country;
    return { from, to, country };
  }

  /** The country's rows, and the aggregate of the whole network. */
  async function split<T>(
    period: Period,
    load: (country: string | undefined) => Promise<T[]>,
    isTotal: (row: T) => boolean,
  ) {
    const own = await load(period.country ?? undefined);
    const network = period.country === null ? own : await load(undefined);
    return { rows: own.filter((row) => !isTotal(row)), network: network.find(isTotal) };
  }

  function freshness(contacts: readonly ContactRecord[], now: Date): FreshnessRow[] {
    const byCountry = Map.groupBy(
      contacts.filter((contact) => contact.status === 'active'),
      (contact) => contact.country,
    );
    return [...byCountry]
      .map(([country, list]) => {
        // Six and twelve months before today where the country is (Almaty's 2 December while UTC
        // still reads the 1st), the calendar its records' verification dates are on.
        const today = deps.registry.dayIn(country, now);
        const six = monthsBeforeDay(today, 6);
        const twelve = monthsBeforeDay(today, 12);
        const verified6Months = list.filter((contact) => contact.verifiedAt >= six).length;
        const verified12Months = list.filter((contact) => contact.verifiedAt >= twelve).length;
        return {
          country,
          contacts: list.length,
          verified6Months,
          verified12Months,
          share6Months: list.length === 0 ? null : verified6Months / list.length,
          share12Months: list.length === 0 ? null : verified12Months / list.length,
        };
      })
      .sort((a, b) => a.country.localeCompare(b.country));
  }

  const total = (rows: readonly Omit<FreshnessRow, 'country' | 'share6Months' | 'share12Months'>[]) => {
    const contacts = rows.reduce((sum, row) => sum + row.contacts, 0);
    const verified6Months = rows.reduce((sum, row) => sum + row.verified6Months, 0);
    const verified12Months = rows.reduce((sum, row) => sum + row.verified12Months, 0);
    return {
      country: 'network',
      contacts,
      verified6Months,
      verified12Months,
      share6Months: contacts === 0 ? null : verified6Months / contacts,
      share12Months: contacts === 0 ? null : verified12Months / contacts,
    };
  };

  return {
    periodOf,

    async requests(principal: Principal, query: StatsQuery) {
      const period = periodOf(principal, query);
      const scope = (country: string | undefined) => ({ country, from: period.from, to: period.to });
      const times = await split<RequestTimesRow>(
        period,
        (country) => deps.requests.times(scope(country)),
        // The total row is the only one without a type: a secretariat's request has no sending country.
        (row) => row.type === null,
      );
      const monthly: MonthlyTimesRow[] = await deps.requests.monthly(scope(period.country ?? undefined));
      return { period, ...times, monthly };
    },

    async consultations(principal: Principal, query: StatsQuery) {
      const period = periodOf(principal, query);
      const scope = (country: string | undefined) => ({ country, from: period.from, to: period.to });
      // The total row is flagged apart: a consultation of the secretariat has no asking country.
      const own = await deps.consultations.firstAnswer(scope(period.country ?? undefined));
      const network = period.country === null ? own : await deps.consultations.firstAnswer(scope(undefined));
      const times = { rows: own.rows, network: network.total };
      const monthly: FirstAnswerMonthRow[] = await deps.consultations.monthly(
        scope(period.country ?? undefined),
      );
      return { period, ...times, monthly };
    },

    async pending(principal: Principal, query: StatsQuery) {
      const period = periodOf(principal, query);
      const rows: PendingAgeRow[] = await deps.requests.pendingByAge(period.country ?? undefined);
      const network = period.country === null ? rows : await deps.requests.pendingByAge(undefined);
      return { period, rows, network };
    },

    async registry(principal: Principal, query: StatsQuery) {
      const period = periodOf(principal, query);
      const contacts = deps.registry.view().file.contacts;
      const all = freshness(contacts, clock.now());
      const reach = await deps.reach();
      const active = contacts.filter((contact) => contact.status === 'active');
      const reachRows: ReachRow[] = [...Map.groupBy(active, (contact) => contact.country)]
        .map(([country, list]) => ({
          country,
          contacts: list.length,
          unlinked: list.filter((contact) => reach.get(contact.id)?.linked !== true).length,
          unreachable: list.filter((contact) => reach.get(contact.id)?.unreachable === true).length,
        }))
        .sort((a, b) => a.country.localeCompare(b.country));
      const mine = <T extends { country: string }>(rows: T[]) =>
        period.country === null ? rows : rows.filter((row) => row.country === period.country);
      // 12 months before the period also count: a verification then is still fresh at its start.
      const history =
        deps.verifications === undefined
          ? new Map<string, string[]>()
          : await deps.verifications(new Date(period.from.getTime() - 366 * day));
      return {
        period,
        rows: mine(all),
        network: total(all),
        monthly: freshnessByMonth(contacts, history, period, deps.registry.dayIn),
        networkMonthly: freshnessByMonth(
          contacts,
          history,
          { ...period, country: null },
          deps.registry.dayIn,
        ),
        reach: mine(reachRows),
        networkReach: {
          country: 'network',
          contacts: reachRows.reduce((sum, row) => sum + row.contacts, 0),
          unlinked: reachRows.reduce((sum, row) => sum + row.unlinked, 0),
          unreachable: reachRows.reduce((sum, row) => sum + row.unreachable, 0),
        },
      };
    },

    async nudges(principal: Principal, query: StatsQuery) {
      const period = periodOf(principal, query);
      const scope = (country: string | undefined) => ({ country, from: period.from, to: period.to });
      const rows: NudgeMonthRow[] = await deps.requests.nudges(scope(period.country ?? undefined));
      const sum = (list: NudgeMonthRow[]) => ({
        sent: list.reduce((total, row) => total + row.sent, 0),
        answered: list.reduce((total, row) => total + row.answered, 0),
        escalated: list.reduce((total, row) => total + row.escalated, 0),
        undeliverable: list.reduce((total, row) => total + row.undeliverable, 0),
      });
      const network = period.country === null ? rows : await deps.requests.nudges(scope(undefined));
      return { period, rows, totals: sum(rows), network: sum(network) };
    },

    /** Pushes that failed for good or ended uncertain (network-wide: pushes are per person, not per country). */
    async deliveries(principal: Principal, query: StatsQuery) {
      const period = periodOf(principal, query);
      return { period, rows: await deps.deliveries.problemCounts(period) };
    },
  };
}
