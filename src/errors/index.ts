// Errors with stable codes, below every transport: domain modules throw them, the HTTP layer (and the
// console, the CLI) map them to statuses, pages or exit codes.
export {
  AppError,
  badRequest,
  conflict,
  errorStatus,
  forbidden,
  notFound,
  type ErrorCode,
} from './app-error.ts';
