import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'luxon';

/** Where the project lives; default paths (demo registry, nudge policies) are relative to it. */
export const projectRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export type RunMode = 'all' | 'api' | 'worker';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly runMode: RunMode;
  readonly http: {
    /** Interface to listen on. Default 127.0.0.1; the Docker image sets 0.0.0.0. */
    readonly host: string;
    /** Default 3000. */
    readonly port: number;
    /** Public base URL, used for links and to mark cookies Secure when it is https. */
    readonly publicUrl: string | undefined;
    /** Trust X-Forwarded-* headers (behind a load balancer). Default false. */
    readonly trustProxy: boolean;
    /** Largest accepted request body in bytes. Default 1 MiB. */
    readonly bodyLimitBytes: number;
    /** Requests per minute per client (token or address). Default 600. */
    readonly rateLimitPerMinute: number;
    /**
     * Longest time to receive a whole request (headers and body). Default 30 s: a slow or truncated
     * body must not hold a connection forever (408, then closed).
     */
    readonly requestTimeoutMs: number;
  };
  readonly database: {
    /** PostgreSQL URL. Unset: embedded PGlite under dataDir. */
    readonly url: string | undefined;
    /** Default ./data. */
    readonly dataDir: string;
  };
  readonly redis: {
    /** Unset: redis://127.0.0.1:6379 if it answers, else a private redis-server child if installed. */
    readonly url: string | undefined;
    /** Prefix of every BullMQ queue and Redis key, so several deployments (or test files) can share a Redis. */
    readonly prefix: string;
  };
  readonly logLevel: LogLevel;
  readonly bootstrapAdminToken: string | undefined;
  /** Load the demo registry into an empty embedded database. Default true; never applies to DATABASE_URL. */
  readonly demoSeed: boolean;
  readonly demoRegistryFile: string;
  readonly defaultLocale: 'en' | 'ru';
  readonly telegram: {
    readonly botToken: string | undefined;
    readonly apiRoot: string;
    readonly webhookUrl: string | undefined;
    readonly webhookSecret: string | undefined;
    /** The bot's @username without "@", for invite deep links before getMe answers. Default: from getMe. */
    readonly botUsername: string | undefined;
  };
  readonly chat: {
    /** How long an invite code stays valid, in hours. Default 168 (7 days). */
    readonly inviteTtlHours: number;
    /** Messages per minute one member (or unknown account) may send to the bots. Default 30. */
    readonly rateLimitPerMinute: number;
    /** How long a conversation flow (a request, a consultation being filled in) waits for the next answer. Default 1800 s. */
    readonly flowTimeoutSeconds: number;
  };
  readonly matrix: {
    readonly homeserverUrl: string | undefined;
    readonly userId: string | undefined;
    readonly accessToken: string | undefined;
    readonly password: string | undefined;
    /**
     * Secret that encrypts the bot's persisted state (end-to-end crypto store, sync position,
     * session, pending replies) in the database. Required with MATRIX_HOMESERVER_URL; at least 32
     * characters. Changing it discards that state: the bot then logs in as a new device.
     */
    readonly storeKey: string | undefined;
    /** Device display name the bot logs in with. Default "Counterpart bot". */
    readonly deviceName: string;
    /**
     * Which of a member's devices get the room keys of what the bot sends, and are heard
     * (MATRIX_DEVICE_POLICY). `all-devices` (default): every device of the member's account, so a
     * member whose client has no cross-signing still reads the bot. `signed-only`: only devices
     * their owner cross-signed (MSC4153), so a device added by someone who learned the password
     * gets nothing; members without cross-signing then read nothing. README, "Which devices can
     * read the bot".
     */
    readonly devicePolicy: 'all-devices' | 'signed-only';
  };
  readonly nudgePoliciesFile: string;
  /** The tips library (YAML); validated at start. */
  readonly tipsFile: string;
  /** The re-verification policy (YAML); validated at start. */
  readonly verificationPolicyFile: string;
  readonly consultations: {
    /** Working hours (the recipient's) to accept a consultation before it moves on. Default 8. */
    readonly acceptWithinWorkingHours: number;
    /** Plain elapsed seconds instead of working hours (drills and tests). Default unset. */
    readonly acceptWithinSeconds: number | undefined;
    /** Every consultation is sensitive (relayed only between encrypted Matrix rooms). Default false. */
    readonly alwaysSensitive: boolean;
    /** Keep message bodies, encrypted, this long (ms); unset: bodies are not stored. */
    readonly bodyRetentionMs: number | undefined;
    /** AES-256 key (base64 of 32 bytes) for stored texts; unset: one generated in DATA_DIR. */
    readonly bodyKey: string | undefined;
  };
  readonly queues: {
    /** How often the reconciler rebuilds missing timers and deliveries from Postgres (ms). Default 300 s. */
    readonly reconcileIntervalMs: number;
    /**
     * How long a worker's lock on a job lasts without renewal (ms): a crashed worker's jobs are
     * taken over this long after it died. Default 30 s.
     */
    readonly workerLockMs: number;
    /** Outbox deliveries in flight per worker process. Default 16. */
    readonly outboxConcurrency: number;
    /**
     * Nudge timers in flight per worker process. They are gathered into batches of up to 500 (one
     * transaction each), so this allows about four batches at once. Default 2000.
     */
    readonly nudgeConcurrency: number;
  };
  /** How long finished pushes stay in the outbox table (their outcomes stay in the audit log). */
  readonly outbox: {
    /** Sent pushes are deleted this long after they were sent (ms). Default 30 days. */
    readonly sentRetentionMs: number;
    /**
     * Failed and uncertain pushes are deleted this long after they ended (ms). Default 400 days:
     * the delivery statistics count them over the past year.
     */
    readonly failedRetentionMs: number;
  };
}

/** Names of variables whose values must never be printed or logged. */
export const secretVariables = [
  'DATABASE_URL',
  'REDIS_URL',
  'BOOTSTRAP_ADMIN_TOKEN',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'MATRIX_ACCESS_TOKEN',
  'MATRIX_PASSWORD',
  'MATRIX_STORE_KEY',
  'CONSULTATION_BODY_KEY',
] as const;

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the environment once. Every problem is collected before failing, so an operator fixes
 * them in one go. Secrets may come from `NAME_FILE` (a path), as Docker and Kubernetes secrets do.
 */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];

  const read = (name: string): string | undefined => {
    const fileVariable = env[`${name}_FILE`];
    if (fileVariable !== undefined && fileVariable !== '') {
      try {
        return readFileSync(fileVariable, 'utf8').trim();
      } catch {
        problems.push(`${name}_FILE: cannot read ${fileVariable}`);
        return undefined;
      }
    }
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = read(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name}: must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = read(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      problems.push(`${name}: must be an integer from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return parsed;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const value = read(name);
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
    problems.push(`${name}: must be true or false (got "${value}")`);
    return fallback;
  };
  const url = (name: string, protocols: readonly string[]): string | undefined => {
    const value = read(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name}: must use ${protocols.join(' or ')}`);
      }
    } catch {
      problems.push(`${name}: not a valid URL`);
    }
    return value;
  };

  const telegramWebhookUrl = url('TELEGRAM_WEBHOOK_URL', ['https:', 'http:']);
  const telegramWebhookSecret = read('TELEGRAM_WEBHOOK_SECRET');
  if (telegramWebhookSecret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(telegramWebhookSecret)) {
    problems.push('TELEGRAM_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram rule)');
  }
  if (telegramWebhookUrl !== undefined && telegramWebhookSecret === undefined) {
    problems.push('TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set');
  }
  const telegramBotUsername = read('TELEGRAM_BOT_USERNAME')?.replace(/^@/, '');
  if (telegramBotUsername !== undefined && !/^[A-Za-z][A-Za-z0-9_]{3,31}$/.test(telegramBotUsername)) {
    problems.push('TELEGRAM_BOT_USERNAME: a Telegram bot username, e.g. counterpart_bot');
  }
  const bootstrapAdminToken = read('BOOTSTRAP_ADMIN_TOKEN');
  if (bootstrapAdminToken !== undefined && bootstrapAdminToken.length < 16) {
    problems.push('BOOTSTRAP_ADMIN_TOKEN: at least 16 characters');
  }
  const matrixHomeserverUrl = url('MATRIX_HOMESERVER_URL', ['https:', 'http:']);
  const matrixUserId = read('MATRIX_USER_ID');
  const matrixAccessToken = read('MATRIX_ACCESS_TOKEN');
  const matrixPassword = read('MATRIX_PASSWORD');
  const matrixStoreKey = read('MATRIX_STORE_KEY');
  if (matrixHomeserverUrl !== undefined && (matrixStoreKey === undefined || matrixStoreKey.length < 32)) {
    problems.push(
      'MATRIX_STORE_KEY: at least 32 characters, required when MATRIX_HOMESERVER_URL is set (encrypts the bot crypto state)',
    );
  }
  if (matrixHomeserverUrl !== undefined) {
    if (matrixUserId === undefined || !/^@[^:]+:.+$/.test(matrixUserId)) {
      problems.push('MATRIX_USER_ID: required as @name:server when MATRIX_HOMESERVER_URL is set');
    }
    if (matrixAccessToken === undefined && matrixPassword === undefined) {
      problems.push(
        'MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD: one is required when MATRIX_HOMESERVER_URL is set',
      );
    }
  }

  const consultationBodyKey = read('CONSULTATION_BODY_KEY');
  let bodyKey: string | undefined;
  if (consultationBodyKey !== undefined) {
    const bytes = /^[0-9a-f]{64}$/i.test(consultationBodyKey)
      ? Buffer.from(consultationBodyKey, 'hex')
      : Buffer.from(consultationBodyKey, 'base64');
    if (bytes.length === 32) bodyKey = bytes.toString('base64');
    else
      problems.push(
        'CONSULTATION_BODY_KEY: 32 random bytes, as 64 hex digits or base64 (openssl rand -base64 32)',
      );
  }
  const retention = read('CONSULTATION_BODY_RETENTION');
  let bodyRetentionMs: number | undefined;
  if (retention !== undefined) {
    const duration = Duration.fromISO(retention);
    if (!duration.isValid || duration.as('milliseconds') < 0)
      problems.push(
        `CONSULTATION_BODY_RETENTION: an ISO 8601 duration such as P30D or PT1H (got "${retention}")`,
      );
    else if (duration.as('milliseconds') > 0) bodyRetentionMs = duration.as('milliseconds');
  }
  const acceptWithinSeconds = read('CONSULTATION_ACCEPT_WITHIN_SECONDS');
  /** An ISO 8601 duration of at least a day (shorter would only race the deliveries still reading their rows). */
  const retentionPeriod = (name: string, fallback: string): number => {
    const value = read(name) ?? fallback;
    const duration = Duration.fromISO(value);
    if (!duration.isValid || duration.as('milliseconds') < 86_400_000) {
      problems.push(`${name}: an ISO 8601 duration of at least a day, such as P30D or P1Y (got "${value}")`);
      return Duration.fromISO(fallback).as('milliseconds');
    }
    return duration.as('milliseconds');
  };

  const config: Config = {
    runMode: oneOf('RUN_MODE', ['all', 'api', 'worker'], 'all'),
    http: {
      host: read('HOST') ?? '127.0.0.1',
      port: integer('PORT', 3000, 0, 65535),
      publicUrl: url('PUBLIC_URL', ['https:', 'http:']),
      trustProxy: flag('TRUST_PROXY', false),
      bodyLimitBytes: integer('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
      rateLimitPerMinute: integer('RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
      requestTimeoutMs: integer('HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    },
    database: {
      url: url('DATABASE_URL', ['postgres:', 'postgresql:']),
      dataDir: resolve(read('DATA_DIR') ?? './data'),
    },
    redis: {
      url: url('REDIS_URL', ['redis:', 'rediss:']),
      prefix: read('REDIS_PREFIX') ?? 'counterpart',
    },
    logLevel: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    bootstrapAdminToken,
    demoSeed: flag('DEMO_SEED', true),
    demoRegistryFile: resolve(
      read('DEMO_REGISTRY_FILE') ?? resolve(projectRoot, 'config/demo-registry.json'),
    ),
    defaultLocale: oneOf('DEFAULT_LOCALE', ['en', 'ru'], 'en'),
    telegram: {
      botToken: read('TELEGRAM_BOT_TOKEN'),
      apiRoot: url('TELEGRAM_API_ROOT', ['https:', 'http:']) ?? 'https://api.telegram.org',
      webhookUrl: telegramWebhookUrl,
      webhookSecret: telegramWebhookSecret,
      botUsername: telegramBotUsername,
    },
    chat: {
      inviteTtlHours: integer('INVITE_TTL_HOURS', 168, 1, 24 * 90),
      rateLimitPerMinute: integer('CHAT_RATE_LIMIT_PER_MINUTE', 30, 1, 1_000_000),
      flowTimeoutSeconds: integer('CHAT_FLOW_TIMEOUT_SECONDS', 1800, 1, 7 * 86_400),
    },
    matrix: {
      homeserverUrl: matrixHomeserverUrl,
      userId: matrixUserId,
      accessToken: matrixAccessToken,
      password: matrixPassword,
      storeKey: matrixStoreKey,
      deviceName: read('MATRIX_DEVICE_NAME') ?? 'Counterpart bot',
      devicePolicy: oneOf('MATRIX_DEVICE_POLICY', ['all-devices', 'signed-only'] as const, 'all-devices'),
    },
    nudgePoliciesFile: resolve(
      read('NUDGE_POLICIES_FILE') ?? resolve(projectRoot, 'config/nudge-policies.yaml'),
    ),
    tipsFile: resolve(read('TIPS_FILE') ?? resolve(projectRoot, 'config/tips.yaml')),
    verificationPolicyFile: resolve(
      read('VERIFICATION_POLICY_FILE') ?? resolve(projectRoot, 'config/verification-policy.yaml'),
    ),
    consultations: {
      acceptWithinWorkingHours: integer('CONSULTATION_ACCEPT_WITHIN_HOURS', 8, 1, 24 * 30),
      acceptWithinSeconds:
        acceptWithinSeconds === undefined
          ? undefined
          : integer('CONSULTATION_ACCEPT_WITHIN_SECONDS', 60, 1, 86_400 * 30),
      alwaysSensitive: flag('CONSULTATIONS_ALWAYS_SENSITIVE', false),
      bodyRetentionMs,
      bodyKey,
    },
    queues: {
      reconcileIntervalMs: integer('RECONCILE_INTERVAL_SECONDS', 300, 1, 86_400) * 1000,
      workerLockMs: integer('WORKER_LOCK_SECONDS', 30, 2, 600) * 1000,
      outboxConcurrency: integer('OUTBOX_CONCURRENCY', 16, 1, 500),
      nudgeConcurrency: integer('NUDGE_CONCURRENCY', 2000, 1, 10_000),
    },
    outbox: {
      sentRetentionMs: retentionPeriod('OUTBOX_RETENTION', 'P30D'),
      failedRetentionMs: retentionPeriod('OUTBOX_FAILED_RETENTION', 'P400D'),
    },
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** A printable copy of the configuration with every secret replaced. */
export function redactConfig(config: Config): unknown {
  const hidden = (value: string | undefined): string | undefined =>
    value === undefined ? undefined : '[REDACTED]';
  return {
    ...config,
    database: { ...config.database, url: hidden(config.database.url) },
    redis: { ...config.redis, url: hidden(config.redis.url) },
    bootstrapAdminToken: hidden(config.bootstrapAdminToken),
    telegram: {
      ...config.telegram,
      botToken: hidden(config.telegram.botToken),
      webhookSecret: hidden(config.telegram.webhookSecret),
    },
    matrix: {
      ...config.matrix,
      accessToken: hidden(config.matrix.accessToken),
      password: hidden(config.matrix.password),
      storeKey: hidden(config.matrix.storeKey),
    },
    consultations: { ...config.consultations, bodyKey: hidden(config.consultations.bodyKey) },
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The process environment, read here and nowhere else. */
export function processEnvironment(): Env {
  return process.env;
}
