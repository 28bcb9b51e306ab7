/** Stable error codes; the HTTP status for each lives in one table. */
export const errorStatus = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/**
 * An error we expect and can explain. `message` is safe to show to the caller; `details` carries
 * structured specifics (e.g. every problem of an import, each with its JSON path).
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return errorStatus[this.code];
  }
}

export const notFound = (what: string, id: string): AppError =>
  new AppError('not_found', `${what} ${JSON.stringify(id)} does not exist`);
export const forbidden = (why: string): AppError => new AppError('forbidden', why);
export const conflict = (why: string, details?: unknown): AppError => new AppError('conflict', why, details);
export const badRequest = (why: string, details?: unknown): AppError =>
  new AppError('bad_request', why, details);
