import type { AcquireOptions, Lease } from './source.js';
import { openLease } from './source.js';
import type { ConnectionOf } from './types.js';

/**
 * Checks out a connection from `source`, runs `fn` with it, and gives it back exactly once, whether
 * `fn` returns or throws. A connection that failed with a connection-level error (lost, closed, timed
 * out, `fatal`), or that emitted `'error'` while checked out, is destroyed instead of returned to the
 * pool (pg: `release(err)`; mysql, mysql2, mariadb: `destroy()`). A transaction left open is rolled
 * back before the connection goes back (the connection is destroyed if that fails).
 * @param source - a pg `Pool`; a mysql, mysql2 (callback or promise) or mariadb pool; a TypeORM
 *   `DataSource` (`fn` gets a connected `QueryRunner`); or any `{ acquire(), release(conn, err?) }` pool
 *   such as generic-pool or tarn.
 * @param fn - the work; receives the driver's own connection object.
 * @param options - `acquireTimeoutMs` bounds the wait for a free connection.
 * @returns what `fn` returned.
 * @example
 * const rows = await withConnection(pool, async (conn) => {
 *   const [rows] = await conn.query('SELECT * FROM users WHERE id = ?', [id]);
 *   return rows;
 * });
 */
export async function withConnection<S, T>(
  source: S,
  fn: (conn: ConnectionOf<S>) => T | PromiseLike<T>,
  options?: AcquireOptions,
): Promise<T> {
  const lease = await openLease(source, options);
  return runOnLease(lease, () => fn(lease.connection as ConnectionOf<S>));
}

/**
 * Runs `work` and ends the lease with its outcome, exactly once: `success` when it returned,
 * `{ error }` when it threw.
 * @param lease - the checked-out connection.
 * @param work - what to do with it.
 * @returns what `work` returned.
 */
export async function runOnLease<T>(lease: Lease, work: () => T | PromiseLike<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await lease.end({ error });
    throw error;
  }
  await lease.end('success');
  return result;
}
