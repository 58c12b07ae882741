import type { Driver, StatementMethod } from './drivers.js';
import { requireDriver } from './drivers.js';
import {
  classifyError,
  isStaleConnectionError,
  markOutcomeUnknown,
  mustDiscardConnection,
  reportBackgroundError,
  TransactionLostError,
} from './errors.js';
import type { TransactionEffect } from './sql.js';
import { isReadOnlyStatement, sqlText, transactionEffect } from './sql.js';
import type { ResultOf, RowArgument, StatementOf, WithRows } from './types.js';

/** Per-statement options of `reconnecting().query/execute`. */
export interface StatementOptions {
  /**
   * Whether re-running the statement after a lost connection is safe. `true` allows one retry of a
   * write (for example an upsert with a natural key); `false` forbids it even for a SELECT that calls
   * a function with side effects. Default: inferred from the text (SELECT, SHOW, EXPLAIN, DESCRIBE,
   * WITH ... SELECT are read-only).
   */
  readonly idempotent?: boolean;
}

/** Options of `reconnecting`. */
export interface ReconnectingOptions {
  /**
   * Receives errors the connection emits while no statement is running (an idle connection closed by
   * `wait_timeout`, `KILL`, a failover). Default: a process warning. The connection is replaced on the
   * next statement either way.
   */
  readonly onError?: (err: unknown) => void;
}

/**
 * A long-lived connection that survives the server closing it. `query` and `execute` take the
 * driver's arguments and resolve to the driver's results (pg: `QueryResult`; mysql2/promise:
 * `[rows, fields]`; mariadb: rows; mysql and mysql2 callback connections: `[results, fields]`); the
 * type argument means what it means for the driver (pg: the row type; mysql2: the first tuple element;
 * mariadb: the result). pg has no `execute`: it runs `query`.
 */
export interface Reconnecting<C> {
  /** Runs a statement (text protocol on MySQL). */
  query<T = RowArgument<ResultOf<C>>>(
    statement: StatementOf<C>,
    params?: unknown,
    options?: StatementOptions,
  ): Promise<WithRows<ResultOf<C>, T>>;
  /** Runs a prepared statement (mysql2, mariadb); `query` on drivers without `execute`. */
  execute<T = RowArgument<ResultOf<C, 'execute'>>>(
    statement: StatementOf<C>,
    params?: unknown,
    options?: StatementOptions,
  ): Promise<WithRows<ResultOf<C, 'execute'>, T>>;
  /** Closes the current connection; later statements are rejected. */
  end(): Promise<void>;
  /** The current driver connection, or `undefined` while none is open. */
  readonly connection: C | undefined;
}

/** Raised by statements sent after `end()`. */
class ReconnectingClosedError extends Error {
  readonly code = 'DBG_CLOSED';

  constructor() {
    super('reconnecting(): end() was called; create a new one to run more statements.');
    this.name = 'ReconnectingClosedError';
  }
}

interface Live<C> {
  readonly conn: C;
  readonly driver: Driver;
  /** Set when the connection emitted `'error'` or `'end'`. */
  broken: boolean;
}

/**
 * Wraps a connection factory into a connection that reconnects after the server closed it. It
 * connects on the first statement (calling `connect()` on a pg `Client` the factory returned
 * unconnected), listens for `'error'` so that an idle disconnect never crashes the process, and
 * replaces the connection after a connection-level error. A failed statement is retried once on the
 * new connection only when it provably was not sent, or is read-only, or `{ idempotent: true }` was
 * passed, and never inside an explicit transaction (tracked from BEGIN/START TRANSACTION, COMMIT,
 * ROLLBACK and the driver's transaction state). Otherwise it rejects with the original error marked
 * `outcomeUnknown: true`: a write is never applied twice. After a transaction's connection was lost,
 * statements are rejected with a `TransactionLostError` until `ROLLBACK`.
 * @param factory - returns a new connection, or a promise of one (mysql2/promise, mariadb, pg
 *   `Client`, mysql and mysql2 callback connections).
 * @param options - `onError` for errors of an idle connection.
 * @returns the reconnecting connection.
 * @example
 * const db = reconnecting(() => mysql.createConnection(cfg));
 * const [rows] = await db.query('SELECT 1');
 */
export function reconnecting<C extends object>(
  factory: () => C | PromiseLike<C>,
  options: ReconnectingOptions = {},
): Reconnecting<C> {
  return new ReconnectingConnection(factory, options) as unknown as Reconnecting<C>;
}

class ReconnectingConnection<C extends object> {
  readonly #factory: () => C | PromiseLike<C>;
  readonly #options: ReconnectingOptions;
  #current: Promise<Live<C>> | undefined;
  #live: Live<C> | undefined;
  /** Transaction state from the statements' text, for drivers that cannot report their own. */
  #transaction: 'none' | 'open' | 'lost' = 'none';
  #lostCause: unknown;
  #inFlight = 0;
  #closed = false;

  constructor(factory: () => C | PromiseLike<C>, options: ReconnectingOptions) {
    this.#factory = factory;
    this.#options = options;
  }

  get connection(): C | undefined {
    return this.#live?.conn;
  }

  query(statement: unknown, params?: unknown, options?: StatementOptions): Promise<unknown> {
    return this.#run('query', statement, params, options ?? {});
  }

  execute(statement: unknown, params?: unknown, options?: StatementOptions): Promise<unknown> {
    return this.#run('execute', statement, params, options ?? {});
  }

  async end(): Promise<void> {
    this.#closed = true;
    const current = this.#current;
    this.#current = undefined;
    const live = await current?.catch(() => undefined);
    this.#live = undefined;
    if (!live) return;
    try {
      await live.driver.close(live.conn);
    } catch (err) {
      if (!isStaleConnectionError(err)) throw err;
    }
  }

  async #run(method: StatementMethod, statement: unknown, params: unknown, options: StatementOptions) {
    if (this.#closed) throw new ReconnectingClosedError();
    const sql = sqlText(statement) ?? '';
    const effect = transactionEffect(sql);
    this.#checkLostTransaction(effect);
    for (let attempt = 1; ; attempt++) {
      const live = await this.#connect();
      const inTransaction = this.#inTransaction(live);
      this.#inFlight++;
      try {
        const result = await live.driver.run(live.conn, method, statement, params);
        this.#track(effect);
        return result;
      } catch (err) {
        if (!live.broken && !mustDiscardConnection(err)) throw err;
        this.#drop(live, err, effect);
        if (attempt === 1 && mayRetry(err, sql, effect, inTransaction, options)) continue;
        throw hasUnknownOutcome(err) ? markOutcomeUnknown(err) : err;
      } finally {
        this.#inFlight--;
      }
    }
  }

  #connect(): Promise<Live<C>> {
    if (this.#live?.broken === true) this.#drop(this.#live, undefined, 'none');
    this.#current ??= this.#open().catch((err: unknown) => {
      this.#current = undefined;
      throw err;
    });
    return this.#current;
  }

  async #open(): Promise<Live<C>> {
    const conn = await this.#factory();
    const live: Live<C> = { conn, driver: requireDriver(conn, 'reconnecting()'), broken: false };
    const emitter = live.driver.emitter(conn);
    emitter?.on('error', (err) => {
      this.#onBackgroundEnd(live, err);
    });
    emitter?.on('end', () => {
      this.#onBackgroundEnd(live, undefined);
    });
    try {
      await live.driver.open(conn);
    } catch (err) {
      live.driver.destroy(conn);
      throw err;
    }
    this.#live = live;
    return live;
  }

  /**
   * The connection emitted `'error'` or `'end'`. While a statement runs, that statement's failure
   * decides what happened to the transaction; otherwise the connection is dropped now (and an error
   * reported: nobody else will see it).
   */
  #onBackgroundEnd(live: Live<C>, err: unknown): void {
    live.broken = true;
    if (this.#inFlight > 0 || this.#live !== live) return;
    if (err !== undefined) reportBackgroundError(err, 'db-connection-guard: connection lost', this.#options.onError);
    this.#drop(live, err, 'none');
  }

  /** Forgets a broken connection; a transaction open on it is lost unless it was just ending. */
  #drop(live: Live<C>, cause: unknown, effect: TransactionEffect): void {
    if (this.#live !== live) return;
    if (this.#inTransaction(live)) {
      const ending = effect === 'commit' || effect === 'rollback';
      this.#transaction = ending ? 'none' : 'lost';
      this.#lostCause = cause;
    }
    this.#live = undefined;
    this.#current = undefined;
    live.driver.destroy(live.conn);
  }

  #inTransaction(live: Live<C>): boolean {
    const state = live.driver.transactionState(live.conn);
    return state === 'unknown' ? this.#transaction !== 'none' : state === 'open';
  }

  #track(effect: TransactionEffect): void {
    if (effect === 'begin') this.#transaction = 'open';
    else if (effect !== 'none') this.#transaction = 'none';
  }

  /** After a lost transaction only ROLLBACK may pass (it is harmless on the new connection). */
  #checkLostTransaction(effect: TransactionEffect): void {
    if (this.#transaction !== 'lost') return;
    if (effect === 'rollback' || effect === 'commit') this.#transaction = 'none';
    if (effect !== 'rollback') throw new TransactionLostError(this.#lostCause);
  }
}

/**
 * Whether a statement that failed with a connection-level error may run again on a new connection:
 * never inside a transaction (except ROLLBACK, which is harmless), always when it provably was not
 * sent, and after a lost connection only when it cannot change data.
 */
function mayRetry(
  err: unknown,
  sql: string,
  effect: TransactionEffect,
  inTransaction: boolean,
  options: StatementOptions,
): boolean {
  const cls = classifyError(err);
  if (cls !== 'stale' && cls !== 'not-sent') return false;
  if (inTransaction) return effect === 'rollback';
  if (cls === 'not-sent') return true;
  return options.idempotent ?? (isReadOnlyStatement(sql) || effect === 'begin' || effect === 'rollback');
}

/** The statement may have been applied: the connection was lost or timed out after it was sent. */
function hasUnknownOutcome(err: unknown): boolean {
  const cls = classifyError(err);
  return cls === 'stale' || cls === 'timeout';
}
