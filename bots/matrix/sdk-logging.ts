// matrix-js-sdk logs a lot, and logs failures that are routine for a bot (every failed /sync
// during an outage). Our own code logs the states that matter; the SDK's lines go to pino one or
// two levels lower, as plain strings without event contents.
import { type Logger as SdkLogger, logger as sdkGlobalLogger } from 'matrix-js-sdk/lib/logger.js';
import type { Logger } from '../../src/logging/logger.ts';

const describe = (parts: unknown[]): string =>
  parts
    .map((part) =>
      part instanceof Error ? `${part.name}: ${part.message}` : typeof part === 'string' ? part : typeof part,
    )
    .join(' ')
    .slice(0, 500);

export function sdkLoggerFor(logger: Logger, namespace = 'matrix-sdk'): SdkLogger {
  const child = logger.child({ component: namespace });
  return {
    trace: () => undefined,
    debug: () => undefined,
    info: (...parts: unknown[]) => {
      if (child.isLevelEnabled('trace')) child.trace(describe(parts));
    },
    warn: (...parts: unknown[]) => {
      if (child.isLevelEnabled('debug')) child.debug(describe(parts));
    },
    error: (...parts: unknown[]) => {
      if (child.isLevelEnabled('debug')) child.debug(describe(parts));
    },
    getChild: (name: string) => sdkLoggerFor(logger, `${namespace}:${name}`),
  };
}

const nothing = () => undefined;
export const quietSdkLogger: SdkLogger = {
  trace: nothing,
  debug: nothing,
  info: nothing,
  warn: nothing,
  error: nothing,
  getChild: () => quietSdkLogger,
};

/**
 * Parts of the SDK (and child loggers created later) log through its global logger straight to
 * the console; send those lines to pino at trace level instead.
 */
export function routeSdkGlobalLogs(logger: Logger): void {
  const child = logger.child({ component: 'matrix-sdk-global' });
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the only handle on the SDK's global logger
  const global = sdkGlobalLogger as unknown as {
    methodFactory: () => (...parts: unknown[]) => void;
    rebuild(): void;
  };
  global.methodFactory =
    () =>
    (...parts: unknown[]) => {
      if (child.isLevelEnabled('trace')) child.trace(describe(parts));
    };
  global.rebuild();
}
