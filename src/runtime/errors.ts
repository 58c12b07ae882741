/**
 * Error classification across the Node database drivers (mysql, mysql2, mariadb, pg, oracledb, mssql,
 * TypeORM, knex/tarn, generic-pool). Every helper of the runtime asks this module, and only this
 * module, what an error means. The facts behind each entry are in `docs/runtime.md`.
 */
import { isObject } from './duck.js';

/**
 * What an error says about the connection and the statement:
 * - `connection-limit`: no connection could be had (1226, 1203, 1040, PG 53300, pool acquire timeouts).
 * - `not-sent`: the statement was not executed: the driver refused it before sending (closed
 *   connection), or a read-only node rejected it (1290, 1792, 1836, PG 25006). Safe to retry on a new
 *   connection outside a transaction.
 * - `stale`: the connection was lost or closed by the server; a statement in flight has an unknown
 *   outcome.
 * - `deadlock` / `serialization`: the database rolled the transaction back; re-run the whole
 *   transaction.
 * - `timeout`: a client-side or server-side statement/lock timeout.
 * - `other`: anything else (syntax errors, constraint violations, ...).
 */
export type ErrorClass =
  | 'connection-limit'
  | 'not-sent'
  | 'stale'
  | 'deadlock'
  | 'serialization'
  | 'timeout'
  | 'other';

/** The fields of a driver error that classification looks at, normalised. */
interface ErrorFacts {
  /** `code` when it is a string (symbol such as `ER_LOCK_DEADLOCK`, SQLSTATE on pg, `NJS-500`, ...). */
  readonly code: string | undefined;
  /** MySQL-family server error number (`errno`, or a numeric `code` as mysql2 gives for 4031); never negative. */
  readonly errno: number | undefined;
  /** mssql's `number`, kept apart because 1205 means "deadlock" there and "lock wait timeout" on MySQL. */
  readonly mssqlNumber: number | undefined;
  readonly sqlState: string | undefined;
  readonly message: string;
  readonly name: string | undefined;
  readonly recoverable: boolean;
}

/** One class and the facts that put an error in it. */
interface ClassRule {
  readonly cls: ErrorClass;
  readonly codes?: readonly string[];
  readonly errnos?: readonly number[];
  readonly sqlStates?: readonly string[];
  readonly messages?: readonly RegExp[];
  readonly test?: (facts: ErrorFacts) => boolean;
}

/**
 * Classes in order of precedence. Limit errors come first because mysqljs marks handshake failures
 * (1226, 1040) `fatal`; "never sent" errors come before "stale" because they also carry SQLSTATE 08S01
 * (mariadb) and fatal flags; timeouts come before the SQLSTATE class 08 rule because mariadb's socket
 * timeout carries 08S01.
 */
const RULES: readonly ClassRule[] = [
  {
    cls: 'connection-limit',
    codes: [
      'ER_USER_LIMIT_REACHED',
      'ER_TOO_MANY_USER_CONNECTIONS',
      'ER_CON_COUNT_ERROR',
      'ER_GET_CONNECTION_TIMEOUT',
      'POOL_CONNLIMIT',
      'POOL_ENQUEUELIMIT',
      'NJS-040',
      'NJS-076',
      'DBG_ACQUIRE_TIMEOUT',
    ],
    errnos: [1226, 1203, 1040],
    sqlStates: ['53300'],
    messages: [
      /^No connections available\.$/,
      /^Queue limit reached\.$/,
      /timeout exceeded when trying to connect/,
      /Connection terminated due to connection timeout/,
      /too many (clients|connections)/i,
      /max_user_connections/,
      /Timeout acquiring a connection/,
      /^ResourceRequest timed out$/,
      /^operation timed out for an unknown reason$/,
    ],
    test: (facts) => facts.name === 'KnexTimeoutError',
  },
  {
    cls: 'not-sent',
    codes: [
      'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
      'PROTOCOL_ENQUEUE_AFTER_QUIT',
      'PROTOCOL_ENQUEUE_AFTER_DESTROY',
      'ER_CMD_CONNECTION_CLOSED',
      'NJS-003',
      'ENOTOPEN',
      'ER_OPTION_PREVENTS_STATEMENT',
      'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION',
      'ER_READ_ONLY_MODE',
      'DBG_TRANSACTION_LOST',
      'DBG_CLOSED',
    ],
    errnos: [1290, 1792, 1836, 45013],
    sqlStates: ['25006'],
    messages: [
      /Can't add new command when connection is in closed state/,
      /is not queryable/,
      /Query runner already released/,
      /^Cannot enqueue \w+ after (fatal error|invoking quit|being destroyed)/,
    ],
    test: (facts) => facts.name === 'QueryRunnerAlreadyReleasedError',
  },
  {
    cls: 'timeout',
    codes: [
      'PROTOCOL_SEQUENCE_TIMEOUT',
      'ER_SOCKET_TIMEOUT',
      'ER_STATEMENT_TIMEOUT',
      'ER_QUERY_TIMEOUT',
      'ER_LOCK_WAIT_TIMEOUT',
      'ETIMEOUT',
    ],
    errnos: [1205, 1969, 3024, 45026],
    sqlStates: ['57014', '55P03'],
    messages: [/statement timeout/i, /Query inactivity timeout/],
  },
  {
    cls: 'stale',
    codes: [
      'PROTOCOL_CONNECTION_LOST',
      'PROTOCOL_STRAY_PACKET',
      'ECONNRESET',
      'ECONNREFUSED',
      'ECONNABORTED',
      'EPIPE',
      'ETIMEDOUT',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'ER_SOCKET_UNEXPECTED_CLOSE',
      'ER_CONNECTION_KILLED',
      'ER_SERVER_SHUTDOWN',
      'NJS-500',
      'ESOCKET',
      'ECONNCLOSED',
    ],
    errnos: [1053, 1927, 2006, 2013, 2055, 45009],
    sqlStates: ['57P01', '57P02', '57P03', '57P04', '57P05', '25P03'],
    messages: [
      /^Connection terminated( unexpectedly)?$/,
      /Connection lost: The server closed the connection/,
      /server closed the connection unexpectedly/,
      /terminating connection due to/,
      /disconnected by the server because of inactivity/,
      /MySQL server has gone away/,
      /Lost connection to (MySQL )?server/,
      /^Connection is closed\.?$/,
    ],
    test: (facts) => facts.recoverable || facts.sqlState?.startsWith('08') === true,
  },
  {
    cls: 'deadlock',
    codes: ['ER_LOCK_DEADLOCK', '40P01'],
    errnos: [1213],
    messages: [/^ORA-00060/],
    test: (facts) => facts.mssqlNumber === 1205,
  },
  {
    cls: 'serialization',
    sqlStates: ['40001'],
    messages: [/^ORA-08177/],
  },
];

const MAX_CAUSE_DEPTH = 5;

/**
 * Classifies a driver error. Looks at the error, then at the errors it wraps (`cause`, TypeORM's
 * `driverError`, mssql's `originalError`) until one of them is more than `other`. Tolerates every
 * shape the drivers produce: string or numeric `code`, MySQL `errno` next to negative libuv `errno`s,
 * mysql2's `errorno`, `sqlState`, and bare messages.
 * @param err - anything that was thrown or passed to a callback.
 * @returns the class of the error.
 * @example
 * if (classifyError(err) === 'deadlock') retry();
 */
export function classifyError(err: unknown): ErrorClass {
  let current: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && isObject(current); depth++) {
    const cls = classifyOne(factsOf(current));
    if (cls !== 'other') return cls;
    current = wrappedError(current);
  }
  return 'other';
}

/**
 * Whether the connection that raised `err` is gone or unusable (class `stale` or `not-sent`), so the
 * next statement needs a new connection.
 * @param err - a driver error.
 * @returns true for lost, killed, closed, or timed-out-by-the-server connections.
 */
export function isStaleConnectionError(err: unknown): boolean {
  const cls = classifyError(err);
  return cls === 'stale' || cls === 'not-sent';
}

/**
 * Whether `err` means no connection could be had: a per-user or server connection limit, or a pool
 * that timed out waiting for a free connection (typically because connections leak).
 * @param err - a driver or pool error.
 * @returns true for 1226, 1203, 1040, PG 53300 and pool acquire timeouts.
 */
export function isConnectionLimitError(err: unknown): boolean {
  return classifyError(err) === 'connection-limit';
}

/**
 * Whether a connection that saw `err` must be destroyed instead of going back to a pool: it is lost,
 * closed, timed out mid-statement, or the driver flagged the error `fatal`.
 * @param err - the error a statement or callback failed with.
 * @returns true when the connection must not be reused.
 */
export function mustDiscardConnection(err: unknown): boolean {
  const cls = classifyError(err);
  return cls === 'stale' || cls === 'not-sent' || cls === 'timeout' || isFatal(err);
}

/** An error whose statement may or may not have been applied by the server. */
export type OutcomeUnknownError = Error & { outcomeUnknown: true };

/**
 * Marks `err` as "the server may or may not have applied the statement". Errors that cannot carry a
 * property (primitives, frozen objects) are wrapped in an Error with `cause`.
 * @param err - the original error.
 * @returns the same error object, marked, whenever possible.
 */
export function markOutcomeUnknown(err: unknown): unknown {
  if (isObject(err) && Object.isExtensible(err)) {
    Object.defineProperty(err, 'outcomeUnknown', { value: true, enumerable: true, configurable: true });
    return err;
  }
  return Object.assign(new Error(`Outcome unknown: ${String(err)}`, { cause: err }), {
    outcomeUnknown: true,
  });
}

/** Raised by `acquireTimeoutMs` when no connection became free in time. Classified `connection-limit`. */
export class AcquireTimeoutError extends Error {
  /** Stable code for `classifyError` and for callers. */
  readonly code = 'DBG_ACQUIRE_TIMEOUT';

  /**
   * @param source - a short description of the pool (its kind and counters).
   * @param ms - the bound that elapsed.
   */
  constructor(source: string, ms: number) {
    super(
      `Timed out after ${ms} ms waiting for a connection from ${source}. Every connection is checked ` +
        'out: one is probably leaked (acquired without a release in `finally`) or the pool is too ' +
        'small for the load. trackLeaks(pool, { thresholdMs }) reports the code holding them.',
    );
    this.name = 'AcquireTimeoutError';
  }
}

/**
 * Raised by `reconnecting()` for a statement sent after the connection of an open transaction was
 * lost: the server rolled that transaction back, so running the statement in autocommit would split
 * the transaction. Send `ROLLBACK` to clear the state. Classified `not-sent`.
 */
export class TransactionLostError extends Error {
  /** Stable code for `classifyError` and for callers. */
  readonly code = 'DBG_TRANSACTION_LOST';

  /** @param cause - the error that ended the connection of the transaction. */
  constructor(cause: unknown) {
    super(
      'The connection of the open transaction was lost and the server rolled the transaction back; ' +
        'send ROLLBACK, then start the transaction again.',
      { cause },
    );
    this.name = 'TransactionLostError';
  }
}

/**
 * Hands an error that happened in the background (an idle connection dropped, a release that failed)
 * to `handler`, or turns it into a process warning: such errors must never crash the process.
 * @param err - the background error.
 * @param context - what was going on, for the warning text.
 * @param handler - the caller's hook, when it gave one.
 */
export function reportBackgroundError(
  err: unknown,
  context: string,
  handler?: (err: unknown) => void,
): void {
  if (handler) {
    handler(err);
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.emitWarning(`${context}: ${message}`, { type: 'DbConnectionGuardWarning' });
}

function classifyOne(facts: ErrorFacts): ErrorClass {
  for (const rule of RULES) {
    if (matches(rule, facts)) return rule.cls;
  }
  return 'other';
}

function matches(rule: ClassRule, facts: ErrorFacts): boolean {
  return (
    (facts.code !== undefined && rule.codes?.includes(facts.code) === true) ||
    (facts.errno !== undefined && rule.errnos?.includes(facts.errno) === true) ||
    (facts.sqlState !== undefined && rule.sqlStates?.includes(facts.sqlState) === true) ||
    rule.messages?.some((re) => re.test(facts.message)) === true ||
    rule.test?.(facts) === true
  );
}

function factsOf(err: object): ErrorFacts {
  const e = err as Record<string, unknown>;
  const code = typeof e['code'] === 'string' ? e['code'] : stringOf(e['errorno']);
  return {
    code,
    errno: positive(e['errno']) ?? positive(e['code']),
    mssqlNumber: typeof e['number'] === 'number' ? e['number'] : undefined,
    sqlState: stringOf(e['sqlState']) ?? stringOf(e['sqlstate']) ?? pgSqlState(code),
    message: typeof e['message'] === 'string' ? e['message'] : '',
    name: stringOf(e['name']),
    recoverable: e['isRecoverable'] === true,
  };
}

function wrappedError(err: object): unknown {
  const e = err as Record<string, unknown>;
  return e['driverError'] ?? e['originalError'] ?? e['cause'];
}

function isFatal(err: unknown): boolean {
  return isObject(err) && (err as { fatal?: unknown }).fatal === true;
}

/** pg puts the SQLSTATE in `code`: five characters starting with a digit. */
function pgSqlState(code: string | undefined): string | undefined {
  return code !== undefined && /^[0-9][0-9A-Z]{4}$/.test(code) ? code : undefined;
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
