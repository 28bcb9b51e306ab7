import pino from 'pino';
import type { LogLevel } from '../config/index.ts';

export type Logger = pino.Logger;

/**
 * Paths pino blanks out wherever they appear: secrets and message bodies never reach logs.
 * Keep in step with the fields our code logs. Messenger adapters add their own (a webhook's secret
 * header) through `createLogger`'s `extraRedactedPaths` (see `messengerLogRedactions`).
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.token',
  '*.password',
  '*.accessToken',
  '*.botToken',
  '*.secret',
  '*.code',
  '*.text',
  '*.body',
  'token',
  'password',
  'text',
  'body',
];

export function createLogger(
  level: LogLevel,
  destination?: pino.DestinationStream,
  extraRedactedPaths: readonly string[] = [],
): Logger {
  return pino(
    {
      level,
      redact: { paths: [...redactedPaths, ...extraRedactedPaths], censor: '[REDACTED]' },
      base: { service: 'counterpart' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
