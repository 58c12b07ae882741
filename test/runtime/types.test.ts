/**
 * Compile-time contract of the runtime's types (checked by `tsc -p tsconfig.json`; the assertions are
 * no-ops at run time): the helpers hand back the drivers' own types, and the shape the ESLint autofix
 * emits, `reconnecting(() => mysql.createConnection(cfg))`, type-checks with mysql2/promise.
 */
import type * as mariadb from 'mariadb';
import type mysqljs from 'mysql';
import type mysql2 from 'mysql2';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type Acquired,
  type ConnectionOf,
  type Reconnecting,
  type ResultOf,
  acquire,
  reconnecting,
  withConnection,
  withTransaction,
} from '../../src/runtime/index.js';

describe('runtime types', () => {
  it('the autofix shape `reconnecting(() => mysql.createConnection(cfg))` infers the driver type', () => {
    // Type-checked only: never run.
    const contracts = (cfg: mysql.ConnectionOptions, pgCfg: pg.ClientConfig) => {
      const db = reconnecting(() => mysql.createConnection(cfg));
      expectTypeOf(db).toEqualTypeOf<Reconnecting<mysql.Connection>>();
      expectTypeOf(db.query('SELECT 1')).resolves.toEqualTypeOf<[mysql.QueryResult, mysql.FieldPacket[]]>();
      const pgDb = reconnecting(() => new pg.Client(pgCfg));
      expectTypeOf(pgDb.connection).toEqualTypeOf<pg.Client | undefined>();
    };
    expectTypeOf(contracts).toBeFunction();
  });

  it('reconnecting() keeps the driver connection type and its results', () => {
    expectTypeOf<typeof reconnecting<mysql.Connection>>().parameter(0).toEqualTypeOf<
      () => mysql.Connection | PromiseLike<mysql.Connection>
    >();
    type Db = ReturnType<typeof reconnecting<mysql.Connection>>;
    expectTypeOf<Db>().toEqualTypeOf<Reconnecting<mysql.Connection>>();
    expectTypeOf<Db['connection']>().toEqualTypeOf<mysql.Connection | undefined>();
    expectTypeOf<Db['query']>().parameter(0).toEqualTypeOf<string | mysql.QueryOptions>();
    expectTypeOf<Db['query']>().parameter(2).toEqualTypeOf<{ readonly idempotent?: boolean } | undefined>();
  });

  it('the type argument of query() means what it means for the driver', () => {
    // Type-checked only: these calls are never run.
    const contracts = (
      my: Reconnecting<mysql.Connection>,
      pgDb: Reconnecting<pg.Client>,
      maria: Reconnecting<mariadb.Connection>,
    ) => {
      expectTypeOf(my.query('SELECT 1')).resolves.toEqualTypeOf<[mysql.QueryResult, mysql.FieldPacket[]]>();
      expectTypeOf(my.query<mysql.RowDataPacket[]>('SELECT 1')).resolves.toEqualTypeOf<
        [mysql.RowDataPacket[], mysql.FieldPacket[]]
      >();
      expectTypeOf(pgDb.query('SELECT 1')).resolves.toEqualTypeOf<pg.QueryResult<pg.QueryResultRow>>();
      expectTypeOf(pgDb.query<{ id: number }>('SELECT 1 AS id'))
        .resolves.toHaveProperty('rows')
        .toEqualTypeOf<{ id: number }[]>();
      expectTypeOf(maria.query<{ n: number }[]>('SELECT 1 AS n')).resolves.toEqualTypeOf<{ n: number }[]>();
    };
    expectTypeOf(contracts).toBeFunction();
  });

  it('callback connections resolve to [results, fields]', () => {
    expectTypeOf<ResultOf<mysqljs.Connection>>().toEqualTypeOf<[any, mysqljs.FieldInfo[] | undefined]>(); // eslint-disable-line @typescript-eslint/no-explicit-any
    expectTypeOf<ResultOf<mysql2.Connection, 'execute'>>().toEqualTypeOf<[mysql.QueryResult, mysql.FieldPacket[]]>();
  });

  it('withConnection, withTransaction and acquire hand out the pool’s connection type', () => {
    expectTypeOf<ConnectionOf<pg.Pool>>().toEqualTypeOf<pg.PoolClient>();
    expectTypeOf<ConnectionOf<mysql.Pool>>().toEqualTypeOf<mysql.PoolConnection>();
    expectTypeOf<ConnectionOf<mysql2.Pool>>().toEqualTypeOf<mysql2.PoolConnection>();
    expectTypeOf<ConnectionOf<mysqljs.Pool>>().toEqualTypeOf<mysqljs.PoolConnection>();
    expectTypeOf<ConnectionOf<mariadb.Pool>>().toEqualTypeOf<mariadb.PoolConnection>();
    expectTypeOf<ConnectionOf<{ acquire(): Promise<pg.Client>; release(c: pg.Client): void }>>().toEqualTypeOf<pg.Client>();
    expectTypeOf<ConnectionOf<{ acquire(): { promise: Promise<pg.Client> }; release(c: pg.Client): void }>>().toEqualTypeOf<pg.Client>();
    expectTypeOf<ConnectionOf<{ createQueryRunner(): { query(): Promise<unknown> } }>>().toEqualTypeOf<{ query(): Promise<unknown> }>();
    expectTypeOf(withConnection<pg.Pool, number>).parameter(1).parameter(0).toEqualTypeOf<pg.PoolClient>();
    expectTypeOf(withTransaction<mysql.Pool, number>).parameter(1).parameter(0).toEqualTypeOf<mysql.PoolConnection>();
    expectTypeOf(acquire<pg.Pool>).returns.resolves.toEqualTypeOf<Acquired<pg.PoolClient>>();
    expectTypeOf<Acquired<pg.PoolClient>>().toExtend<AsyncDisposable & Disposable & pg.PoolClient>();
  });
});
