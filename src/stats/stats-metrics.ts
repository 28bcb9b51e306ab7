// The network's figures as Prometheus gauges, computed when scraped (at most once a minute).
import { Gauge, type Registry } from 'prom-client';
import type { StatsService } from './stats-service.ts';
import type { Principal } from '../access/index.ts';

/** The network as a whole, as the metrics see it (an admin without a country filter). */
const network: Principal = {
  memberId: 'metrics',
  name: 'metrics',
  role: 'admin',
  country: 'ZZ',
  contactId: null,
  locale: null,
};

export function registerStatsMetrics(registry: Registry, stats: StatsService, cacheMs = 60_000): void {
  let cached: { at: number; value: Promise<Snapshot> } | undefined;
  const snapshot = (): Promise<Snapshot> => {
    const now = Date.now();
    if (cached === undefined || now - cached.at > cacheMs) {
      const value = load(stats);
      cached = { at: now, value };
      value.catch(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, s: Snapshot) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        fill(this, await snapshot());
      },
    });
  gauge(
    'counterpart_request_acknowledge_seconds',
    'Time from sending to the first status answer, formal requests sent in the last year',
    ['quantile'],
    (g, s) => {
      if (s.requests?.acknowledgeMedianSeconds != null)
        g.set({ quantile: '0.5' }, s.requests.acknowledgeMedianSeconds);
      if (s.requests?.acknowledgeP90Seconds != null)
        g.set({ quantile: '0.9' }, s.requests.acknowledgeP90Seconds);
    },
  );
  gauge(
    'counterpart_request_execute_seconds',
    'Time from sending to execution, formal requests sent in the last year',
    ['quantile'],
    (g, s) => {
      if (s.requests?.executeMedianSeconds != null)
        g.set({ quantile: '0.5' }, s.requests.executeMedianSeconds);
      if (s.requests?.executeP90Seconds != null) g.set({ quantile: '0.9' }, s.requests.executeP90Seconds);
    },
  );
  gauge(
    'counterpart_consultation_first_answer_seconds',
    'Time to the first answer, consultations started in the last year',
    ['quantile'],
    (g, s) => {
      if (s.consultations?.medianSeconds != null) g.set({ quantile: '0.5' }, s.consultations.medianSeconds);
      if (s.consultations?.p90Seconds != null) g.set({ quantile: '0.9' }, s.consultations.p90Seconds);
    },
  );
  gauge('counterpart_requests_pending', 'Open formal requests by days since sent', ['age_days'], (g, s) => {
    for (const row of s.pending) g.set({ age_days: row.bucket }, row.requests);
  });
  gauge(
    'counterpart_registry_verified_ratio',
    'Share of active contacts verified within the window, per country',
    ['country', 'window'],
    (g, s) => {
      for (const row of s.freshness) {
        if (row.share6Months !== null) g.set({ country: row.country, window: '6m' }, row.share6Months);
        if (row.share12Months !== null) g.set({ country: row.country, window: '12m' }, row.share12Months);
      }
    },
  );
  gauge('counterpart_nudges_last_year', 'Nudges in the last year by what happened', ['outcome'], (g, s) => {
    for (const [outcome, value] of Object.entries(s.nudges)) g.set({ outcome }, value);
  });
  gauge(
    'counterpart_pushes_undeliverable_last_year',
    'Pushes that failed for good, by kind',
    ['kind'],
    (g, s) => {
      for (const row of s.deliveries) g.set({ kind: row.kind }, row.failed);
    },
  );
  gauge('counterpart_contacts_unreachable', 'Active contacts pushes cannot reach', ['reason'], (g, s) => {
    g.set({ reason: 'unlinked' }, s.reach.unlinked);
    g.set({ reason: 'failing' }, s.reach.unreachable);
  });
}

type Snapshot = Awaited<ReturnType<typeof load>>;

async function load(stats: StatsService) {
  const [requests, consultations, pending, registry, nudges, deliveries] = await Promise.all([
    stats.requests(network, {}),
    stats.consultations(network, {}),
    stats.pending(network, {}),
    stats.registry(network, {}),
    stats.nudges(network, {}),
    stats.deliveries(network, {}),
  ]);
  return {
    requests: requests.network,
    consultations: consultations.network,
    pending: pending.network,
    freshness: [...registry.rows, registry.network],
    reach: registry.networkReach,
    nudges: nudges.network,
    deliveries: deliveries.rows,
  };
}
