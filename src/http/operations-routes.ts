import { Type } from '@fastify/type-provider-typebox';
import type { App } from './app.ts';
import { httpMetrics, type MetricsRegistry } from './metrics.ts';

/** `connecting`: not up yet, being connected in the background (a bot at start). */
export type ReadinessState = 'ok' | 'down' | 'connecting';

/** A dependency that must answer for the process to take traffic (database, Redis, a bot's homeserver). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean | ReadinessState>;
  /** Optional dependencies report but do not make the process unready. */
  optional?: boolean;
}

export function registerOperationsRoutes(
  app: App,
  deps: {
    metrics: MetricsRegistry;
    readiness: readonly ReadinessCheck[];
    /** Figures shown beside the checks (e.g. the audit queue's depth). */
    gauges?: () => Record<string, number>;
  },
): void {
  const metrics = httpMetrics(deps.metrics);
  app.addHook('onResponse', async (request, reply) => {
    // Labels are route patterns (never raw URLs), methods Node's parser accepts and status codes,
    // so the series stay few whatever URLs are requested.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: reply.statusCode });
    metrics.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process is up',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
      logLevel: 'warn',
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: every required dependency answers',
        security: [],
        response: {
          200: ReadinessBody,
          503: ReadinessBody,
        },
      },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      const results = await Promise.all(
        deps.readiness.map(async (dependency) => {
          const answer = await withTimeout(dependency.check(), 2000).catch(() => false);
          const state: ReadinessState = answer === true ? 'ok' : answer === false ? 'down' : answer;
          return { name: dependency.name, state, optional: dependency.optional === true };
        }),
      );
      const ready = results.every((result) => result.state === 'ok' || result.optional);
      const checks = Object.fromEntries(results.map((result) => [result.name, result.state]));
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'unready',
        checks,
        ...(deps.gauges === undefined ? {} : { gauges: deps.gauges() }),
      });
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics', security: [] }, logLevel: 'warn' },
    async (_request, reply) => {
      const body = await deps.metrics.metrics();
      return reply.type(deps.metrics.contentType).send(body);
    },
  );
}

const ReadinessBody = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unready')]),
  checks: Type.Record(Type.String(), Type.String()),
  gauges: Type.Optional(Type.Record(Type.String(), Type.Number())),
});

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('timeout'));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
