import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyRequest,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import helmet from 'helmet';
import { registerErrorHandling } from './error-handling.ts';
import { frameworkErrorHandler, registerInputRules, requestIdOf } from './input-rules.ts';
import { createValidatorCompiler } from './validation.ts';
import { registerOperationsRoutes, type ReadinessCheck } from './operations-routes.ts';
import type { MetricsRegistry } from './metrics.ts';
import type { Principal } from '../access/index.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../logging/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, set by `authenticate`; undefined for anonymous requests. */
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /**
     * `service`: a route only another service calls, never a browser or an API client (a
     * messenger's webhook), which checks its caller's credential itself. It gets no browser
     * security headers and no token or session lookup; input rules, body limits, audit admission
     * and metrics apply to it as to every route.
     */
    caller?: 'service';
  }
}

const calledByService = (request: FastifyRequest): boolean =>
  request.routeOptions.config.caller === 'service';

/** The Fastify instance with TypeBox types, as route plugins see it. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Resolves credentials (bearer token, web session cookie) to a principal. */
export type Authenticator = (request: FastifyRequest) => Promise<Principal | undefined>;

export interface AppDeps {
  config: Config;
  logger: Logger;
  authenticate: Authenticator;
  metrics: MetricsRegistry;
  readiness: readonly ReadinessCheck[];
  /** Figures `/readyz` shows beside its checks. */
  gauges?: () => Record<string, number>;
  /**
   * Runs before every API and console request: waits while the process cannot take more work it
   * must record (the audit queue is full) and throws 503 when that lasts.
   */
  admission?: () => Promise<void>;
  /** Route plugins of the domain modules, registered in order. */
  routes: readonly FastifyPluginAsync[];
}

/** Builds the HTTP application. Never listens: the entry point does, and tests use `inject`. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    requestIdHeader: false,
    genReqId: requestIdOf,
    frameworkErrors: frameworkErrorHandler(async (request) => {
      // No hook has run yet: the cookies are read here for a session's credentials.
      request.cookies = app.parseCookie(request.headers.cookie ?? '');
      return (await deps.authenticate(request)) !== undefined;
    }),
    // Fastify's default of 0 turns off Node's own limit: a client that sends half a body would
    // hold its connection (and the request's memory) forever.
    requestTimeout: config.http.requestTimeoutMs,
    // Idle sockets (no request under way) are closed; the console's event stream sends a
    // heartbeat (20 s) well within this, so it is never idle.
    connectionTimeout: Math.max(config.http.requestTimeoutMs * 2, 60_000),
    // Node's own limit covers the headers only once the handler runs; see bodyDeadline below.
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  bodyDeadline(app, config.http.requestTimeoutMs);
  app.setValidatorCompiler(createValidatorCompiler());
  app.decorateRequest('principal', undefined);
  registerErrorHandling(app);

  // Browser security headers on every response but those of routes only services call (a
  // messenger's webhook answers the messenger's servers, never a browser). Built once:
  // @fastify/helmet builds helmet's middleware (parsing the policy) anew for every request, a
  // measurable share of a messenger webhook update's cost, though the headers never change.
  // The consoles load only their own scripts and style sheets: nothing inline, not even a style
  // attribute. The one exception is the OpenAPI explorer under /docs, whose swagger-ui bundle
  // writes inline styles: it gets 'unsafe-inline' for styles only (never for scripts).
  const policy = (inlineStyles: boolean) =>
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: inlineStyles ? ["'self'", "'unsafe-inline'"] : ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          // Helmet's default would make browsers fetch the console's script and styles over https
          // even when the server is reached over plain http on a LAN address, breaking the page.
          upgradeInsecureRequests: config.http.publicUrl?.startsWith('https:') === true ? [] : null,
        },
      },
    });
  const strictHeaders = policy(false);
  const docsHeaders = policy(true);
  app.addHook('onRequest', (request, reply, done) => {
    if (calledByService(request)) {
      done();
      return;
    }
    const headers = request.url === '/docs' || request.url.startsWith('/docs/') ? docsHeaders : strictHeaders;
    headers(request.raw, reply.raw, (error?: unknown) => {
      done(error instanceof Error ? error : undefined);
    });
  });
  await app.register(fastifyCookie);
  registerInputRules(app);
  await app.register(fastifyRateLimit, {
    max: config.http.rateLimitPerMinute,
    timeWindow: '1 minute',
    // Counted after authentication, per member when the caller is known (many members may share
    // an office NAT), else per address (which also slows down guessing of tokens).
    hook: 'preHandler',
    keyGenerator: (request) =>
      request.principal === undefined ? `ip:${request.ip}` : `member:${request.principal.memberId}`,
    allowList: (request) => isOperationsUrl(request.url),
    // Counters live in this process in an LRU of this many keys (the plugin's default, said
    // here): a flood from many addresses cannot grow it.
    cache: 5_000,
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Counterpart API',
        description: 'Verified registry of contact points for prosecutors and central authorities.',
        version: '1.0.0',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  // Not an async hook: a route that skips it costs no promise.
  app.addHook('onRequest', (request, _reply, done) => {
    if (calledByService(request)) {
      done();
      return;
    }
    deps.authenticate(request).then(
      (principal) => {
        request.principal = principal;
        done();
      },
      (error: unknown) => {
        done(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });

  const { admission } = deps;
  if (admission !== undefined) {
    app.addHook('preHandler', async (request) => {
      if (!isOperationsUrl(request.url)) await admission();
    });
  }
  registerOperationsRoutes(app, {
    metrics: deps.metrics,
    readiness: deps.readiness,
    ...(deps.gauges === undefined ? {} : { gauges: deps.gauges }),
  });
  for (const routes of deps.routes) await app.register(routes);
  return app;
}

/** Health, readiness and metrics: always answered, never throttled. */
const isOperationsUrl = (url: string): boolean => {
  const path = url.split('?', 1)[0];
  return path === '/healthz' || path === '/readyz' || path === '/metrics';
};

/**
 * A request whose body has not fully arrived within `ms` (sent slowly, or stopped halfway) is
 * answered 408 and its connection closed: neither the socket nor the buffered part is held forever.
 */
function bodyDeadline(app: App, ms: number): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const raw = request.raw;
    // Injected requests (tests, in-process callers) have no real socket to close, and may never
    // emit 'end': a timer for them would only keep each request in memory for `ms`.
    const onSocket = typeof (raw.socket as Partial<typeof raw.socket> | undefined)?.end === 'function';
    // A request without a body (most GETs) has nothing left to arrive: no timer for it.
    const hasBody =
      raw.headers['transfer-encoding'] !== undefined ||
      (raw.headers['content-length'] !== undefined && raw.headers['content-length'] !== '0');
    if (onSocket && hasBody && !raw.complete) {
      const timer = setTimeout(() => {
        if (raw.complete || raw.socket.destroyed) return;
        raw.socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        raw.socket.destroySoon();
      }, ms);
      timer.unref();
      raw.once('end', () => {
        clearTimeout(timer);
      });
      raw.once('close', () => {
        clearTimeout(timer);
      });
    }
    done();
  });
}
