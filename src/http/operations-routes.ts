import { Type } from '@fastify/type-provider-typebox';
import type { App } from './app.ts';
import { httpMetrics, type MetricsRegistry } from './metrics.ts';

/** A dependency that must answer for the process to take traffic (database, Redis, a bot's homeserver). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
  /** Optional dependencies report but do not make the process unready. */
  optional?: boolean;
}

export function registerOperationsRoutes(
  app: App,
  deps: { metrics: MetricsRegistry; readiness: readonly ReadinessCheck[] },
): void {
  const metrics = httpMetrics(deps.metrics);
  app.addHook('onResponse', async (request, reply) => {
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
          const ok = await withTimeout(dependency.check(), 2000).catch(() => false);
          return { name: dependency.name, ok, optional: dependency.optional === true };
        }),
      );
      const ready = results.every((result) => result.ok || result.optional);
      const checks = Object.fromEntries(results.map((result) => [result.name, result.ok ? 'ok' : 'down']));
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unready', checks });
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
