// The logging module's public surface: other modules import from here only.
export { createLogger, type Logger } from './logger.ts';
