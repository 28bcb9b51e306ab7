import pino from 'pino';
import type { LogLevel } from '../config/index.ts';

export type Logger = pino.Logger;

/**
 * Paths pino blanks out wherever they appear: secrets and message bodies never reach logs.
 * Keep in step with the fields our code logs.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-telegram-bot-api-secret-token"]',
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

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactedPaths, censor: '[REDACTED]' },
      base: { service: 'counterpart' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
