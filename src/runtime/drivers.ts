/**
 * The one place that knows how each driver's connection object behaves: how to run a statement, how
 * to read its transaction state, where it emits `'error'`, how to open, close and destroy it. Every
 * helper (withConnection, withTransaction, acquire, reconnecting) goes through `driverFor`.
 */
import { hasMethods, ignoreError, invoke, invokeNodeStyle, isObject, methodOf, prop } from './duck.js';

/** Whether a transaction is open on a connection, as far as the driver can tell without a round trip. */
export type TransactionState = 'idle' | 'open' | 'unknown';

/** The statement methods the helpers call. */
export type StatementMethod = 'query' | 'execute';

/** Isolation levels accepted by `withTransaction`. */
export type IsolationLevel = 'READ UNCOMMITTED' | 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/** The part of an EventEmitter the helpers use. */
export interface Emitter {
  on(event: string, listener: (err: unknown) => void): unknown;
  removeListener(event: string, listener: (err: unknown) => void): unknown;
}

/** What the helpers can do with a connection of one driver. */
export interface Driver {
  /** Runs one statement; callback APIs resolve to `[results, fields]` like mysql2's promise API. */
  run(conn: object, method: StatementMethod, statement: unknown, params: unknown): Promise<unknown>;
  transactionState(conn: object): TransactionState;
  begin(conn: object, isolation: IsolationLevel | undefined): Promise<void>;
  commit(conn: object): Promise<void>;
  rollback(conn: object): Promise<void>;
  /** The object that emits the connection's `'error'` and `'end'` events, if any. */
  emitter(conn: object): Emitter | undefined;
  /** Connects a connection that a factory returned unconnected (pg `Client`, mysqljs). */
  open(conn: object): Promise<void>;
  /** Ends the connection gracefully. */
  close(conn: object): Promise<void>;
  /** Drops the connection at once; never throws. */
  destroy(conn: object): void;
}

const ISOLATION_LEVELS: readonly IsolationLevel[] = [
  'READ UNCOMMITTED',
  'READ COMMITTED',
  'REPEATABLE READ',
  'SERIALIZABLE',
];

/** SERVER_STATUS_IN_TRANS of the MySQL protocol's status flags, which mariadb keeps in `info.status`. */
const SERVER_STATUS_IN_TRANS = 1;

/** Pooled connections come back again and again: recognise each one once. */
const recognised = new WeakMap<object, Driver | null>();

/**
 * The driver of a connection object, recognised by its shape.
 * @param conn - a connection, pool client, or TypeORM QueryRunner.
 * @returns the driver, or `undefined` for objects no driver knows.
 */
export function driverFor(conn: unknown): Driver | undefined {
  if (!isObject(conn)) return undefined;
  let driver = recognised.get(conn);
  if (driver === undefined) {
    driver = recognise(conn) ?? null;
    recognised.set(conn, driver);
  }
  return driver ?? undefined;
}

function recognise(conn: object): Driver | undefined {
  if (hasMethods(conn, 'startTransaction', 'commitTransaction')) return typeormDriver;
  if ('connectionParameters' in conn || hasMethods(conn, 'getTransactionStatus')) return pgDriver;
  if (hasMethods(prop(conn, 'connection'), 'promise')) return mysql2PromiseDriver;
  if (hasMethods(conn, 'isValid') && 'info' in conn) return mariadbDriver;
  return hasMethods(conn, 'query') ? callbackMysqlDriver : undefined;
}

/**
 * Like `driverFor`, but throws a clear TypeError for unsupported objects.
 * @param conn - the connection.
 * @param helper - the helper's name for the message.
 * @returns the driver.
 */
export function requireDriver(conn: unknown, helper: string): Driver {
  const driver = driverFor(conn);
  if (!driver) {
    throw new TypeError(
      `${helper}: unsupported connection object. Supported: pg Client/PoolClient, mysql2 and ` +
        'mysql2/promise connections, mariadb connections, mysql connections, TypeORM QueryRunner.',
    );
  }
  return driver;
}

const pgDriver: Driver = {
  ...sqlTransactions(
    (level) => [`BEGIN ISOLATION LEVEL ${level}`],
    (conn, _method, statement, params) => callPromise(conn, 'query', statement, params),
  ),
  transactionState(conn) {
    const status = methodOf(conn, 'getTransactionStatus')?.call(conn);
    if (status === 'I') return 'idle';
    return status === 'T' || status === 'E' ? 'open' : 'unknown';
  },
  emitter: (conn) => conn as Emitter,
  async open(conn) {
    // pg's Client keeps these flags since v7; a second connect() throws.
    if (prop(conn, '_connected') !== true && prop(conn, '_connecting') !== true) {
      await invoke(conn, 'connect');
    }
  },
  close: async (conn) => {
    await invoke(conn, 'end');
  },
  destroy: (conn) => {
    Promise.resolve(invoke(conn, 'end')).catch(ignoreError);
  },
};

const mysql2PromiseDriver: Driver = {
  ...sqlTransactions(mysqlBegin, (conn, method, statement, params) =>
    callPromise(conn, method, statement, params),
  ),
  transactionState: () => 'unknown',
  // The promise wrapper only forwards events it was asked for; the core connection emits them.
  emitter: (conn) => prop(conn, 'connection') as Emitter,
  open: () => Promise.resolve(),
  close: async (conn) => {
    await invoke(conn, 'end');
  },
  destroy: (conn) => {
    destroyQuietly(conn);
  },
};

const mariadbDriver: Driver = {
  ...mysql2PromiseDriver,
  transactionState(conn) {
    const status = (prop(conn, 'info') as { status?: unknown } | undefined)?.status;
    if (typeof status !== 'number') return 'unknown';
    return (status & SERVER_STATUS_IN_TRANS) !== 0 ? 'open' : 'idle';
  },
  emitter: (conn) => conn as Emitter,
};

const callbackMysqlDriver: Driver = {
  ...sqlTransactions(mysqlBegin, async (conn, method, statement, params) => {
    const name = methodOf(conn, method) ? method : 'query';
    const args = params === undefined ? [statement] : [statement, params];
    const [results, fields] = await invokeNodeStyle(conn, name, ...args);
    return [results, fields];
  }),
  transactionState: () => 'unknown',
  emitter: (conn) => conn as Emitter,
  async open(conn) {
    // mysql2 connects by itself and connect(cb) waits for the handshake; mysqljs connects once, on request.
    if (hasMethods(conn, 'promise') || prop(conn, 'state') === 'disconnected') {
      await invokeNodeStyle(conn, 'connect');
    }
  },
  close: async (conn) => {
    await invokeNodeStyle(conn, 'end');
  },
  destroy: (conn) => {
    destroyQuietly(conn);
  },
};

/**
 * TypeORM's QueryRunner. Its own `isTransactionActive` misses a transaction begun with
 * `query('BEGIN')`, so the driver connection underneath (`databaseConnection`) is asked too; and since
 * a QueryRunner cannot destroy its connection, destroying ends that connection before `release()`
 * (the pools drop ended connections on release).
 */
const typeormDriver: Driver = {
  run: (conn, _method, statement, params) => callPromise(conn, 'query', statement, params),
  transactionState(conn) {
    if (prop(conn, 'isTransactionActive') === true) return 'open';
    const inner = innerConnection(conn);
    return inner ? (driverFor(inner)?.transactionState(inner) ?? 'unknown') : 'idle';
  },
  begin: async (conn, isolation) => {
    await invoke(conn, 'startTransaction', checkIsolationLevel(isolation));
  },
  commit: async (conn) => {
    await invoke(conn, 'commitTransaction');
  },
  rollback: async (conn) => {
    await (prop(conn, 'isTransactionActive') === true
      ? invoke(conn, 'rollbackTransaction')
      : invoke(conn, 'query', 'ROLLBACK'));
  },
  emitter: () => undefined,
  open: async (conn) => {
    await invoke(conn, 'connect');
  },
  close: async (conn) => {
    await invoke(conn, 'release');
  },
  destroy: (conn) => {
    const inner = innerConnection(conn);
    if (inner) driverFor(inner)?.destroy(inner);
    Promise.resolve(invoke(conn, 'release')).catch(ignoreError);
  },
};

function innerConnection(runner: object): object | undefined {
  const inner = prop(runner, 'databaseConnection');
  return isObject(inner) ? inner : undefined;
}

/** BEGIN/COMMIT/ROLLBACK sent as SQL text through the driver's statement runner. */
function sqlTransactions(
  beginStatements: (level: IsolationLevel) => readonly string[],
  run: Driver['run'],
): Pick<Driver, 'run' | 'begin' | 'commit' | 'rollback'> {
  const send = async (conn: object, sql: string): Promise<void> => {
    await run(conn, 'query', sql, undefined);
  };
  return {
    run,
    async begin(conn, isolation) {
      const level = checkIsolationLevel(isolation);
      for (const sql of level ? beginStatements(level) : ['BEGIN']) await send(conn, sql);
    },
    commit: (conn) => send(conn, 'COMMIT'),
    rollback: (conn) => send(conn, 'ROLLBACK'),
  };
}

function mysqlBegin(level: IsolationLevel): readonly string[] {
  return [`SET TRANSACTION ISOLATION LEVEL ${level}`, 'START TRANSACTION'];
}

/** Checks an isolation level against the fixed list: it is spliced into SQL text. */
function checkIsolationLevel(level: IsolationLevel | undefined): IsolationLevel | undefined {
  if (level !== undefined && !ISOLATION_LEVELS.includes(level)) {
    throw new TypeError(`Unknown isolation level ${JSON.stringify(level)}.`);
  }
  return level;
}

/** Calls a promise-returning statement method, leaving `params` out when there are none. */
async function callPromise(conn: object, method: string, statement: unknown, params: unknown): Promise<unknown> {
  const args = params === undefined ? [statement] : [statement, params];
  return await invoke(conn, method, ...args);
}

function destroyQuietly(conn: object): void {
  try {
    methodOf(conn, 'destroy')?.call(conn);
  } catch {
    // Destroying a connection that is already gone must not mask the error being handled.
  }
}
