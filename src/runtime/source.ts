/**
 * The one place that knows each kind of connection source (pool): how to take a connection from it,
 * give it back, destroy it, describe the pool's state, and observe checkouts for leak tracking.
 * Every helper takes connections through `openLease`.
 */
import type { Driver, Emitter } from './drivers.js';
import { driverFor } from './drivers.js';
import {
  describeObject,
  hasMethods,
  ignoreError,
  invoke,
  isObject,
  isThenable,
  methodOf,
  prop,
} from './duck.js';
import { AcquireTimeoutError, mustDiscardConnection, reportBackgroundError } from './errors.js';

/** Options shared by the helpers that check out a connection. */
export interface AcquireOptions {
  /**
   * Upper bound, in milliseconds, on the wait for a connection. mysql2 and pg wait forever by
   * default, so a leak hangs every caller; with this bound they get an `AcquireTimeoutError` instead.
   * Default: no bound beyond the pool's own.
   */
  readonly acquireTimeoutMs?: number;
}

/** How a source hands out and takes back connections. */
interface SourceAdapter {
  /** A short name of the kind of source, for messages. */
  readonly kind: string;
  /** Checks out a connection. */
  acquire(source: object): Promise<object>;
  release(source: object, conn: object): unknown;
  destroy(source: object, conn: object, err: unknown): unknown;
  /** The pool's counters, for error messages. */
  describe(source: object): string;
  /** Which object's acquire method to wrap and how its connections are given back (leak tracking). */
  readonly checkout: CheckoutShape;
}

/** Where checkouts happen and how they end, for leak tracking. */
interface CheckoutShape {
  /** The object whose method hands out connections (the core pool behind mysql2's promise pool). */
  owner(source: object): object;
  /** The name of that method. */
  readonly method: string;
  /** Methods on the connection that end a checkout, or `undefined` when the pool's own methods do. */
  readonly connectionEnds?: readonly string[];
  /** Methods on the pool that end a checkout (`release(conn)`, `destroy(conn)`). */
  readonly poolEnds?: readonly string[];
}

/**
 * How the work on a lease ended:
 * - `success`: give the connection back (rolling back a transaction the driver reports open);
 * - `uncertain`: the work may have failed (an `await using` scope): also roll back when the driver
 *   cannot tell whether a transaction is open;
 * - `destroy`: the caller asked for the connection to be destroyed;
 * - `{ error }`: the work failed with `error`: destroy a broken connection, roll back otherwise.
 */
export type LeaseOutcome = 'success' | 'uncertain' | 'destroy' | { readonly error: unknown };

/** A checked-out connection that is given back exactly once. */
export interface Lease {
  readonly connection: object;
  /** The connection's driver, when the runtime knows it. */
  readonly driver: Driver | undefined;
  /**
   * Gives the connection back, or destroys it when it is broken, exactly once; later calls do
   * nothing. A transaction left open is rolled back first, and the connection destroyed if that fails.
   */
  end(outcome: LeaseOutcome): Promise<void>;
}

const pgPool: SourceAdapter = {
  kind: 'pg Pool',
  acquire: (source) => invoke(source, 'connect') as Promise<object>,
  release: (_source, conn) => invoke(conn, 'release'),
  // pg-pool destroys a client released with a truthy argument.
  destroy: (_source, conn, err) => invoke(conn, 'release', err instanceof Error ? err : true),
  describe: (source) => counters(source, { total: 'totalCount', idle: 'idleCount', waiting: 'waitingCount' }),
  checkout: { owner: (source) => source, method: 'connect', connectionEnds: ['release'] },
};

const getConnectionPool: SourceAdapter = {
  kind: 'pool',
  acquire: (source) => getConnection(source),
  release: (_source, conn) => invoke(conn, 'release'),
  destroy: (_source, conn) => invoke(conn, 'destroy'),
  describe: describeGetConnectionPool,
  checkout: {
    // mysql2's promise pool delegates to its callback pool: wrap that one to see every checkout.
    owner: (source) => (hasMethods(prop(source, 'pool'), 'getConnection') ? (prop(source, 'pool') as object) : source),
    method: 'getConnection',
    connectionEnds: ['release', 'destroy', 'end'],
  },
};

const genericPool: SourceAdapter = {
  kind: 'pool',
  acquire: (source) => {
    const pending = invoke(source, 'acquire');
    // generic-pool returns a promise; tarn returns a PendingOperation with a `promise`.
    return Promise.resolve(isThenable(pending) ? pending : prop(pending as object, 'promise')) as Promise<object>;
  },
  release: (source, conn) => invoke(source, 'release', conn),
  destroy: (source, conn, err) =>
    // generic-pool destroys one resource; tarn's destroy() would destroy the whole pool.
    hasMethods(source, 'isBorrowedResource', 'destroy')
      ? invoke(source, 'destroy', conn)
      : invoke(source, 'release', conn, err),
  describe: (source) =>
    counters(source, { borrowed: 'borrowed', available: 'available', pending: 'pending' }) ||
    counters(source, { used: 'numUsed', free: 'numFree', pending: 'numPendingAcquires' }),
  checkout: { owner: (source) => source, method: 'acquire', poolEnds: ['release', 'destroy'] },
};

const typeormDataSource: SourceAdapter = {
  kind: 'TypeORM DataSource',
  acquire: async (source) => {
    const runner = invoke(source, 'createQueryRunner') as object;
    try {
      await invoke(runner, 'connect');
    } catch (err) {
      await Promise.resolve(invoke(runner, 'release')).catch(ignoreError);
      throw err;
    }
    return runner;
  },
  release: (_source, runner) => invoke(runner, 'release'),
  // The TypeORM driver ends the connection under the QueryRunner, then releases the QueryRunner.
  destroy: (_source, runner) => driverFor(runner)?.destroy(runner),
  describe: () => 'TypeORM DataSource',
  checkout: { owner: (source) => source, method: 'createQueryRunner', connectionEnds: ['release'] },
};

const adapters = new WeakMap<object, SourceAdapter>();

/**
 * The adapter for a source, recognised by its shape (once per source).
 * @param source - a pool, DataSource or `{ acquire, release }` object.
 * @returns the adapter; throws a TypeError for anything else.
 */
export function adapterFor(source: unknown): SourceAdapter {
  const known = isObject(source) ? adapters.get(source) : undefined;
  if (known) return known;
  const adapter = recognise(source);
  adapters.set(source as object, adapter);
  guardPoolErrors(source as object);
  return adapter;
}

function recognise(source: unknown): SourceAdapter {
  if (hasMethods(source, 'createQueryRunner')) return typeormDataSource;
  if (hasMethods(source, 'connect') && 'idleCount' in source) return pgPool;
  if (hasMethods(source, 'getConnection')) return getConnectionPool;
  if (hasMethods(source, 'acquire', 'release')) return genericPool;
  throw new TypeError(
    'Unsupported connection source. Supported: pg Pool, mysql/mysql2 pools (callback or promise), ' +
      'mariadb pools, TypeORM DataSource, or any { acquire(), release(conn, err?) } pool.',
  );
}

/**
 * Checks out a connection from `source`, bounded by `acquireTimeoutMs`.
 * @param source - any supported source.
 * @param options - the acquire bound.
 * @returns a lease that gives the connection back exactly once.
 */
export async function openLease(source: unknown, options: AcquireOptions = {}): Promise<Lease> {
  const adapter = adapterFor(source);
  const pool = source as object;
  const connection = await acquireWithin(adapter, pool, options.acquireTimeoutMs);
  return new ConnectionLease(adapter, pool, connection);
}

class ConnectionLease implements Lease {
  readonly driver: Driver | undefined;
  readonly #adapter: SourceAdapter;
  readonly #pool: object;
  readonly #emitter: Emitter | undefined;
  #backgroundError: unknown;
  #broken = false;
  #ended = false;
  readonly #onError = (err: unknown): void => {
    this.#broken = true;
    this.#backgroundError = err;
  };

  constructor(
    adapter: SourceAdapter,
    pool: object,
    readonly connection: object,
  ) {
    this.#adapter = adapter;
    this.#pool = pool;
    this.driver = driverFor(connection);
    this.#emitter = this.driver?.emitter(connection);
    // A checked-out pg client has no 'error' listener of the pool: without one, a kill crashes the process.
    this.#emitter?.on('error', this.#onError);
  }

  end(outcome: LeaseOutcome): Promise<void> {
    if (this.#ended) return Promise.resolve();
    this.#ended = true;
    const error = typeof outcome === 'object' ? outcome.error : undefined;
    if (this.#mustDiscard(outcome, error)) return this.#destroy(error);
    return this.#transactionMayBeOpen(outcome) ? this.#rollbackThenRelease(error) : this.#release();
  }

  #mustDiscard(outcome: LeaseOutcome, error: unknown): boolean {
    return (
      this.#broken ||
      outcome === 'destroy' ||
      mustDiscardConnection(error) ||
      // A failure on a connection no driver knows: its state cannot be checked, so it is not reused.
      (this.driver === undefined && typeof outcome === 'object')
    );
  }

  /** Open by the driver's account, or unknown after work that may have failed. */
  #transactionMayBeOpen(outcome: LeaseOutcome): boolean {
    const state = this.driver?.transactionState(this.connection) ?? 'idle';
    return state === 'open' || (state === 'unknown' && outcome !== 'success');
  }

  async #rollbackThenRelease(error: unknown): Promise<void> {
    try {
      await this.driver?.rollback(this.connection);
    } catch {
      return this.#destroy(error);
    }
    const stillOpen = this.driver?.transactionState(this.connection) === 'open';
    return stillOpen ? this.#destroy(error) : this.#release();
  }

  #release(): Promise<void> {
    this.#emitter?.removeListener('error', this.#onError);
    return settle(() => this.#adapter.release(this.#pool, this.connection));
  }

  /** The 'error' listener stays: a destroyed connection may still emit its last errors. */
  #destroy(error: unknown): Promise<void> {
    const reason = error ?? this.#backgroundError ?? true;
    return settle(() => this.#adapter.destroy(this.#pool, this.connection, reason));
  }
}

/** Runs a release or destroy; its failures are reported, never thrown over the caller's result. */
function settle(action: () => unknown): Promise<void> {
  try {
    const result = action();
    if (isThenable(result)) return Promise.resolve(result).then(ignoreError, reportGiveBackFailure);
  } catch (err) {
    reportGiveBackFailure(err);
  }
  return Promise.resolve();
}

function reportGiveBackFailure(err: unknown): void {
  reportBackgroundError(err, 'db-connection-guard: giving a connection back failed');
}

function acquireWithin(adapter: SourceAdapter, pool: object, ms: number | undefined): Promise<object> {
  const pending = adapter.acquire(pool);
  return ms === undefined ? pending : raceTimeout(adapter, pool, pending, ms);
}

async function raceTimeout(adapter: SourceAdapter, pool: object, pending: Promise<object>, ms: number): Promise<object> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new AcquireTimeoutError(`${adapter.kind} ${describeObject(pool)} (${adapter.describe(pool)})`, ms));
    }, ms);
  });
  try {
    return await Promise.race([pending, timeout]);
  } catch (err) {
    // A connection that arrives after the caller gave up goes straight back.
    pending.then((late) => settle(() => adapter.release(pool, late)), ignoreError);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * pg and mariadb pools emit `'error'` when an idle connection dies; with no listener that kills the
 * process. Adds a listener that turns those errors into warnings when the pool has none (called once
 * per pool, when its adapter is first looked up).
 */
function guardPoolErrors(pool: object): void {
  const listenerCount = methodOf(pool, 'listenerCount');
  if (!listenerCount || listenerCount.call(pool, 'error') !== 0) return;
  const context = `db-connection-guard: an idle connection of a ${describeObject(pool)} failed`;
  invoke(pool, 'on', 'error', (err: unknown) => {
    reportBackgroundError(err, context);
  });
}

const promisePools = new WeakSet<object>();

/**
 * Promise pools (mysql2/promise, mariadb) return a promise; callback pools (mysql, mysql2) call back.
 * The first checkout passes a callback and looks at the return value; later ones know the style.
 */
function getConnection(pool: object): Promise<object> {
  if (promisePools.has(pool)) return invoke(pool, 'getConnection') as Promise<object>;
  return new Promise((resolve, reject) => {
    const returned = invoke(pool, 'getConnection', (err: Error | null | undefined, conn: object) => {
      if (err) reject(err);
      else resolve(conn);
    });
    if (isThenable(returned)) {
      promisePools.add(pool);
      returned.then((conn) => {
        resolve(conn as object);
      }, reject);
    }
  });
}

function describeGetConnectionPool(source: object): string {
  const mariadb = counters(source, { active: 'activeConnections', idle: 'idleConnections', total: 'totalConnections' });
  // mysql and mysql2 keep their counters in private arrays (behind `pool` for mysql2's promise pool).
  const core = isObject(prop(source, 'pool')) ? (prop(source, 'pool') as object) : source;
  return mariadb || counters(core, { all: '_allConnections', free: '_freeConnections', queued: '_connectionQueue' });
}

/** `label=value` for each counter a pool has, read from a property or a method without arguments. */
function counters(source: object, fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields)
    .map(([label, key]) => [label, sizeOf(readCounter(source, key))] as const)
    .filter(([, value]) => value !== undefined)
    .map(([label, value]) => `${label}=${String(value)}`)
    .join(' ');
}

function readCounter(source: object, key: string): unknown {
  const method = methodOf(source, key);
  return method ? method.call(source) : prop(source, key);
}

/** A number, or the length of an array or queue (mysql2 keeps Denque queues). */
function sizeOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const length = typeof value === 'object' && value !== null ? prop(value, 'length') : undefined;
  return typeof length === 'number' ? length : undefined;
}
