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
  'pg-pool': { driver: 'pg', factories: {}, constructors: { default: 'pool', Pool: 'pool' }, supportsAsyncDispose: false },
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

/** The runtime helper module the fixes import from. */
export const RUNTIME_MODULE = 'db-connection-guard/runtime';
