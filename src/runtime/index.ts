/**
 * `db-connection-guard/runtime`: small, dependency-free helpers that check out, give back, and
 * reconnect database connections correctly under real faults. Drivers are duck-typed; nothing here
 * imports a driver, ESLint or TypeScript. See `docs/runtime.md`.
 */
export type { Acquired } from './acquire.js';
export { acquire } from './acquire.js';
export type { IsolationLevel } from './drivers.js';
export type { ErrorClass, OutcomeUnknownError } from './errors.js';
export {
  AcquireTimeoutError,
  classifyError,
  isConnectionLimitError,
  isStaleConnectionError,
  TransactionLostError,
} from './errors.js';
export type { LeakReport, LeakStats, LeakTracker, TrackLeaksOptions } from './leaks.js';
export { trackLeaks } from './leaks.js';
export type { Reconnecting, ReconnectingOptions, StatementOptions } from './reconnecting.js';
export { reconnecting } from './reconnecting.js';
export type { AcquireOptions } from './source.js';
export type { TransactionOptions } from './transaction.js';
export { withTransaction } from './transaction.js';
export type { ConnectionOf, ResultOf, RowArgument, StatementOf, WithRows } from './types.js';
export { withConnection } from './with-connection.js';
