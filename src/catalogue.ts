/**
 * The driver catalogue: every package, method and name the rules know. Rules never hard-code driver
 * vocabulary; they ask this catalogue (merged with `settings['db-guard']` by `settings.ts`).
 */

/** What kind of object a driver export or factory produces. */
export type ValueKind =
  /** A pool: `getConnection()` / `connect()` / `acquire()` check a connection out of it. */
  | 'pool'
  /** A dedicated connection (created, used, ended). */
  | 'connection'
  /** A TypeORM `DataSource` (or `manager.connection`): `createQueryRunner()` acquires. */
  | 'dataSource'
  /** The driver module itself (`mysql`, `pg`, `oracledb`, ...). */
  | 'module';

export interface DriverPackage {
  /** Driver family used in messages and for driver-specific advice. */
  readonly driver: 'mysql' | 'mysql2' | 'mariadb' | 'pg' | 'generic-pool' | 'tarn' | 'typeorm' | 'oracledb' | 'knex' | 'mssql';
  /** Factory functions (called on the module or imported by name) and what they return. */
  readonly factories: Readonly<Record<string, ValueKind>>;
  /** Constructors (`new X()`) and what they return. */
  readonly constructors: Readonly<Record<string, ValueKind>>;
  /** Whether the driver's connections support `await using` (explicit resource management). */
  readonly supportsAsyncDispose: boolean;
}

const MYSQL_FACTORIES = {
  createPool: 'pool',
  createPoolCluster: 'pool',
  createConnection: 'connection',
} as const;

/** Packages recognised by import/require, keyed by module specifier. */
export const DRIVER_PACKAGES: Readonly<Record<string, DriverPackage>> = {
  mysql: { driver: 'mysql', factories: MYSQL_FACTORIES, constructors: {}, supportsAsyncDispose: false },
  mysql2: { driver: 'mysql2', factories: MYSQL_FACTORIES, constructors: {}, supportsAsyncDispose: true },
  'mysql2/promise': { driver: 'mysql2', factories: MYSQL_FACTORIES, constructors: {}, supportsAsyncDispose: true },
  mariadb: { driver: 'mariadb', factories: MYSQL_FACTORIES, constructors: {}, supportsAsyncDispose: true },
  'mariadb/callback': { driver: 'mariadb', factories: MYSQL_FACTORIES, constructors: {}, supportsAsyncDispose: false },
  pg: { driver: 'pg', factories: {}, constructors: { Pool: 'pool', Client: 'connection' }, supportsAsyncDispose: false },
  // `import Pool from 'pg-pool'` and `const Pool = require('pg-pool')`: the module itself is the class.
  'pg-pool': { driver: 'pg', factories: {}, constructors: { default: 'pool', '*': 'pool', Pool: 'pool' }, supportsAsyncDispose: false },
  'generic-pool': { driver: 'generic-pool', factories: { createPool: 'pool' }, constructors: { Pool: 'pool' }, supportsAsyncDispose: false },
  tarn: { driver: 'tarn', factories: {}, constructors: { Pool: 'pool' }, supportsAsyncDispose: false },
  typeorm: { driver: 'typeorm', factories: {}, constructors: { DataSource: 'dataSource', Connection: 'dataSource' }, supportsAsyncDispose: false },
  oracledb: { driver: 'oracledb', factories: { getConnection: 'connection', createPool: 'pool', getPool: 'pool' }, constructors: {}, supportsAsyncDispose: false },
  knex: { driver: 'knex', factories: {}, constructors: {}, supportsAsyncDispose: false },
  mssql: { driver: 'mssql', factories: {}, constructors: { ConnectionPool: 'connection' }, supportsAsyncDispose: false },
};

/** How a method call on a receiver of some kind acquires a connection. */
export interface AcquireMethod {
  /** Receiver kinds on which the method acquires (`module` = the driver namespace itself). */
  readonly on: readonly ValueKind[];
  /**
   * A receiver whose name matches this pattern is treated as that kind when it was not traced to
   * a driver import (objects imported from the app's own modules: `import { pool } from './db'`).
   */
  readonly receiverName: RegExp;
}

/**
 * Methods that check a connection out. `connect` and `acquire` are common words (puppeteer, amqplib,
 * mutexes...), so their receiver must be a traced pool or be named like one.
 */
export const ACQUIRE_METHODS: Readonly<Record<string, AcquireMethod>> = {
  getConnection: { on: ['pool', 'module'], receiverName: /(?:^|[^a-z])(?:pool|cluster)|pool$|^(?:db|database|mysql|maria(?:db)?|oracle(?:db)?|connectionManager)$/i },
  connect: { on: ['pool'], receiverName: /pool$|^pool|Pool/ },
  acquire: { on: ['pool'], receiverName: /pool$|^pool|Pool/ },
  createQueryRunner: { on: ['dataSource', 'pool', 'connection', 'module'], receiverName: /./ },
  acquireConnection: { on: ['pool'], receiverName: /^(?:client|knex|db)$|[Cc]lient$/ },
};

/** Methods called on the connection itself that release it. */
export const RELEASE_METHODS: readonly string[] = ['release', 'end', 'destroy', 'close', 'dispose'];

/** Methods called on the pool with the connection as first argument that release it. */
export const POOL_RELEASE_METHODS: readonly string[] = ['releaseConnection', 'release', 'destroy'];

/** Query methods (used by the stale-connection rules and for messages). */
export const QUERY_METHODS: readonly string[] = ['query', 'execute'];

/** `record[key]` for own keys only: source text can name `constructor` or `__proto__`. */
export function lookup<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The runtime helper module the fixes import from. */
export const RUNTIME_MODULE = 'db-connection-guard/runtime';

/** EventEmitter methods that add a listener (an `'error'` listener stops the process from crashing). */
export const LISTENER_METHODS: readonly string[] = ['on', 'once', 'addListener', 'prependListener', 'prependOnceListener'];

/**
 * Objects whose unhandled `'error'` event crashes the process, by driver: the kinds of `ValueKind` the
 * driver's factories and constructors build (anchors-runtime §5). mysql and mysql2 pools handle their
 * connections' errors themselves; mariadb's `createPoolCluster` and oracledb emit no `'error'`.
 */
export const ERROR_EMITTERS: Readonly<Partial<Record<DriverPackage['driver'], readonly ValueKind[]>>> = {
  pg: ['pool', 'connection'],
  mysql: ['connection'],
  mysql2: ['connection'],
  mariadb: ['pool', 'connection'],
  mssql: ['connection'],
};

/** Factories whose pool emits no `'error'` even where the driver's plain pool does. */
export const NON_EMITTING_FACTORIES: readonly string[] = ['createPoolCluster'];

/**
 * What a `catch` (or an `'error'` listener) tests to recognise a lost connection: error codes and
 * SQLSTATEs (anchors-runtime §1a), server error numbers, message fragments, flag properties, and the
 * runtime's classifiers.
 */
export const STALE_ERROR_CODES: readonly string[] = [
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'PROTOCOL_ENQUEUE_AFTER_DESTROY',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ER_SOCKET_UNEXPECTED_CLOSE',
  'ER_CMD_CONNECTION_CLOSED',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  'CR_SERVER_GONE_ERROR',
  'CR_SERVER_LOST',
  '57P01',
  '57P02',
  '57P03',
  '57P05',
  '08000',
  '08003',
  '08006',
  '08S01',
  'NJS-500',
  'NJS-003',
  'ESOCKET',
  'ECONNCLOSED',
];
export const STALE_ERROR_NUMBERS: readonly number[] = [2006, 2013, 4031, 1053, 1927, 45009, 45013];
export const STALE_ERROR_MESSAGE = /gone away|connection lost|lost connection|connection terminated|closed state|not queryable|connection closed|connection was killed/i;
export const STALE_ERROR_PROPERTIES: readonly string[] = ['fatal', 'isRecoverable'];
export const STALE_ERROR_FUNCTIONS: readonly string[] = ['isStaleConnectionError', 'classifyError'];

/**
 * Fallback for a `catch` or listener that reconnects through code this file does not show: a call
 * whose name says so (`reconnect()`, `handleDisconnect()`).
 */
export const RECONNECT_FUNCTION_NAME = /re-?connect|handleDisconnect|recreate|reinit|resetConnection/i;

/** Callbacks of test frameworks: a connection opened in a setup hook lives only as long as the tests. */
export const TEST_SETUP_HOOKS: readonly string[] = ['before', 'beforeAll', 'beforeEach', 'setup', 'suiteSetup'];
export const TEST_TEARDOWN_HOOKS: readonly string[] = ['after', 'afterAll', 'afterEach', 'teardown', 'suiteTeardown'];

/**
 * SQL whose meaning depends on the session it runs in (transactions, session variables, locks,
 * prepared statements, LISTEN, per-connection ids): moving it from one connection to a pool, which
 * may run each statement on another connection, would change what it does.
 */
export const SESSION_STATE_SQL =
  /^\s*(?:BEGIN|START\s+TRANSACTION|COMMIT|ROLLBACK|SAVEPOINT|RELEASE\s+SAVEPOINT|SET|USE|LOCK|UNLOCK|LISTEN|UNLISTEN|PREPARE|EXECUTE|DEALLOCATE|DECLARE|FETCH|CLOSE|DISCARD|RESET|XA)\b|\b(?:TEMP|TEMPORARY|LAST_INSERT_ID|FOUND_ROWS|ROW_COUNT|GET_LOCK|RELEASE_LOCK|IS_USED_LOCK|CONNECTION_ID|pg_advisory\w*|pg_try_advisory\w*|currval|lastval|setval|set_config|pg_backend_pid)\b|@[@\w]/i;
