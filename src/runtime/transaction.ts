import type { IsolationLevel } from './drivers.js';
import { requireDriver } from './drivers.js';
import { classifyError, markOutcomeUnknown } from './errors.js';
import type { AcquireOptions } from './source.js';
import { openLease } from './source.js';
import type { ConnectionOf } from './types.js';
import { runOnLease } from './with-connection.js';

/** Options of `withTransaction`. */
export interface TransactionOptions extends AcquireOptions {
  /**
   * How many times the whole callback may be re-run, each time on a new checkout, after a failure
   * that is safe to retry: a deadlock, a serialization failure, or a connection lost before COMMIT
   * was sent. Default 0. Never after COMMIT was sent.
   */
  readonly retries?: number;
  /** Isolation level of the transaction (pg: `BEGIN ISOLATION LEVEL`; MySQL: `SET TRANSACTION`). */
  readonly isolationLevel?: IsolationLevel;
}

type Attempt<T> = { readonly value: T } | { readonly error: unknown; readonly retryable: boolean };

/**
 * Runs `fn` in a transaction: checks out a connection, begins, calls `fn(conn)`, commits, and gives
 * the connection back. Any error rolls back and is rethrown; the connection never goes back to the
 * pool with an open or aborted transaction (it is destroyed if the rollback fails). With `retries`,
 * deadlocks, serialization failures and connections lost before COMMIT re-run the whole callback on
 * a new checkout. A connection lost during COMMIT is never retried: the error is marked
 * `outcomeUnknown: true`, because the server may have committed.
 * @param source - any source `withConnection` accepts.
 * @param fn - the transaction's work; it may run more than once when `retries` > 0, so keep side
 *   effects outside the database out of it.
 * @param options - `retries`, `isolationLevel`, `acquireTimeoutMs`.
 * @returns what `fn` returned in the attempt that committed.
 * @example
 * await withTransaction(pool, async (conn) => {
 *   await conn.query('UPDATE accounts SET balance = balance - $1 WHERE id = $2', [10, from]);
 *   await conn.query('UPDATE accounts SET balance = balance + $1 WHERE id = $2', [10, to]);
 * }, { retries: 3 });
 */
export async function withTransaction<S, T>(
  source: S,
  fn: (conn: ConnectionOf<S>) => T | PromiseLike<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const retries = options.retries ?? 0;
  for (let attempt = 0; ; attempt++) {
    const outcome = await attemptTransaction(source, fn, options);
    if ('value' in outcome) return outcome.value;
    if (!outcome.retryable || attempt >= retries) throw outcome.error;
  }
}

async function attemptTransaction<S, T>(
  source: S,
  fn: (conn: ConnectionOf<S>) => T | PromiseLike<T>,
  options: TransactionOptions,
): Promise<Attempt<T>> {
  const lease = await openLease(source, options);
  const conn = lease.connection;
  const progress = { commitSent: false };
  try {
    const value = await runOnLease(lease, async () => {
      const driver = requireDriver(conn, 'withTransaction');
      await driver.begin(conn, options.isolationLevel);
      const result = await fn(conn as ConnectionOf<S>);
      progress.commitSent = true;
      await driver.commit(conn);
      return result;
    });
    return { value };
  } catch (error) {
    if (progress.commitSent) return { error: commitFailure(error), retryable: false };
    return { error, retryable: isRetryableInTransaction(error) };
  }
}

/** The transaction was rolled back, or died with its connection before COMMIT: re-running it is safe. */
function isRetryableInTransaction(error: unknown): boolean {
  const cls = classifyError(error);
  return cls === 'deadlock' || cls === 'serialization' || cls === 'stale' || cls === 'not-sent';
}

/** A connection lost while COMMIT was in flight leaves the commit's outcome unknown. */
function commitFailure(error: unknown): unknown {
  const cls = classifyError(error);
  return cls === 'stale' || cls === 'timeout' ? markOutcomeUnknown(error) : error;
}
