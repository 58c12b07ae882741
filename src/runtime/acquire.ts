import { methodOf } from './duck.js';
import type { AcquireOptions, Lease, LeaseOutcome } from './source.js';
import { openLease } from './source.js';
import type { ConnectionOf } from './types.js';

/**
 * A checked-out connection that gives itself back when its `await using` (or `using`) scope ends.
 * Its `release()` is the helper's own exactly-once release: calling it early is safe, and pg's
 * `release(err)` still destroys the client.
 */
export type Acquired<C> = C & AsyncDisposable & Disposable;

/**
 * Checks out a connection for `await using conn = await acquire(pool)`. When the scope ends, the
 * connection is given back exactly once; a connection that emitted `'error'` is destroyed, and an
 * open transaction is rolled back first. Because a scope's exit does not say whether it threw, the
 * rollback is also sent when the driver cannot report its transaction state (mysql, mysql2: one
 * `ROLLBACK` round trip per scope); `withConnection` avoids that round trip.
 * On Node 20/22 `await using` needs TypeScript ≥ 5.2 with `lib` `esnext.disposable` and a `target`
 * below ESNext (TypeScript then emits its own helper); Node 24 runs it natively.
 * @param source - any source `withConnection` accepts.
 * @param options - `acquireTimeoutMs` bounds the wait for a free connection.
 * @returns the driver's connection object, also `AsyncDisposable` and `Disposable`.
 * @example
 * await using conn = await acquire(pool);
 * const { rows } = await conn.query('SELECT now()');
 */
export async function acquire<S>(
  source: S,
  options?: AcquireOptions,
): Promise<Acquired<ConnectionOf<S>>> {
  const lease = await openLease(source, options);
  return disposable(lease) as Acquired<ConnectionOf<S>>;
}

const OWN_KEYS = ['release', Symbol.asyncDispose, Symbol.dispose] as const;

/**
 * Adds dispose methods and an exactly-once `release` to the connection itself (not a proxy, so that
 * its identity and private fields stay intact); they are removed again before the connection goes
 * back to the pool.
 */
function disposable(lease: Lease): object {
  const conn = lease.connection as Record<PropertyKey, unknown>;
  const saved = OWN_KEYS.map((key) => Object.getOwnPropertyDescriptor(conn, key));
  const driverRelease = methodOf(conn, 'release');
  const finish = (outcome: LeaseOutcome): Promise<void> => {
    OWN_KEYS.forEach((key, i) => {
      restore(conn, key, saved[i]);
    });
    return lease.end(outcome);
  };
  define(conn, Symbol.asyncDispose, () => finish('uncertain'));
  define(conn, Symbol.dispose, () => {
    void finish('uncertain');
  });
  if (driverRelease) {
    // pg's release(err) and release(true) destroy the client; mysql's release() takes no argument.
    define(conn, 'release', (err?: unknown) => finish(err ? 'destroy' : 'uncertain'));
  }
  return conn;
}

function define(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, configurable: true, writable: true, enumerable: false });
}

function restore(target: object, key: PropertyKey, descriptor: PropertyDescriptor | undefined): void {
  if (descriptor) Object.defineProperty(target, key, descriptor);
  else Reflect.deleteProperty(target, key);
}
