/**
 * withConnection and acquire over every supported source, against the real servers: the connection
 * goes back exactly once on success and on failure, broken connections are destroyed, the acquire
 * bound gives a clear error, and `await using` works on Node 20 through TypeScript's downlevel.
 */
import { performance } from 'node:perf_hooks';
import genericPool from 'generic-pool';
import * as mariadb from 'mariadb';
import mysqljs from 'mysql';
import mysql2 from 'mysql2';
import mysql from 'mysql2/promise';
import pg from 'pg';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  AcquireTimeoutError,
  acquire,
  classifyError,
  isConnectionLimitError,
  isStaleConnectionError,
  withConnection,
} from '../../src/runtime/index.js';
import { MYSQL, SKIP_MYSQL, SKIP_PG, killMysql, pgConfig, pgTarnPool, rejectionOf, waitFor } from './helpers/db.js';
import { DataSourceLike, type QueryRunnerLike } from './helpers/typeorm-like.js';

class Boom extends Error {}

/** A source under test, how many connections it has checked out, and how to read `SELECT 1`. */
interface Opened {
  readonly source: unknown;
  checkedOut(): number;
  close(): Promise<void>;
}

interface SourceCase {
  readonly name: string;
  readonly skip: boolean;
  open(): Opened;
  selectOne(conn: unknown): Promise<number>;
}

/** Counters of mysql and mysql2 callback pools (private arrays, read for the test only). */
function mysqlCheckedOut(pool: object): number {
  const p = pool as { _allConnections: { length: number }; _freeConnections: { length: number } };
  return p._allConnections.length - p._freeConnections.length;
}

function callbackQuery(conn: unknown, sql: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    (conn as mysqljs.Connection).query(sql, (err: Error | null, rows: unknown) => {
      if (err) reject(err);
      else resolve(rows);
    });
  });
}

const oneOf = (rows: unknown): number => Number(Object.values((rows as Array<Record<string, unknown>>)[0]!)[0]);

const endCallbackPool = (pool: { end(cb: () => void): void }) =>
  new Promise<void>((resolve) => {
    pool.end(() => resolve());
  });

const sources: SourceCase[] = [
  {
    name: 'mysql (callback) pool',
    skip: SKIP_MYSQL,
    open() {
      const pool = mysqljs.createPool({ ...MYSQL, connectionLimit: 2 });
      return { source: pool, checkedOut: () => mysqlCheckedOut(pool), close: () => endCallbackPool(pool) };
    },
    selectOne: async (conn) => oneOf(await callbackQuery(conn, 'SELECT 1 AS one')),
  },
  {
    name: 'mysql2 (callback) pool',
    skip: SKIP_MYSQL,
    open() {
      const pool = mysql2.createPool({ ...MYSQL, connectionLimit: 2 });
      return { source: pool, checkedOut: () => mysqlCheckedOut(pool), close: () => endCallbackPool(pool) };
    },
    selectOne: async (conn) => oneOf(await callbackQuery(conn, 'SELECT 1 AS one')),
  },
  {
    name: 'mysql2/promise pool',
    skip: SKIP_MYSQL,
    open() {
      const pool = mysql.createPool({ ...MYSQL, connectionLimit: 2 });
      return { source: pool, checkedOut: () => mysqlCheckedOut(pool.pool), close: () => pool.end() };
    },
    selectOne: async (conn) => oneOf((await (conn as mysql.PoolConnection).query('SELECT 1 AS one'))[0]),
  },
  {
    name: 'mysql2 pool.promise()',
    skip: SKIP_MYSQL,
    open() {
      const pool = mysql2.createPool({ ...MYSQL, connectionLimit: 2 });
      return { source: pool.promise(), checkedOut: () => mysqlCheckedOut(pool), close: () => endCallbackPool(pool) };
    },
    selectOne: async (conn) => oneOf((await (conn as mysql.PoolConnection).query('SELECT 1 AS one'))[0]),
  },
  {
    name: 'mariadb pool',
    skip: SKIP_MYSQL,
    open() {
      const pool = mariadb.createPool({ ...MYSQL, connectionLimit: 2 });
      return { source: pool, checkedOut: () => pool.activeConnections(), close: () => pool.end() };
    },
    selectOne: async (conn) => oneOf(await (conn as mariadb.PoolConnection).query('SELECT 1 AS one')),
  },
  {
    name: 'pg Pool',
    skip: SKIP_PG,
    open() {
      const pool = new pg.Pool({ ...pgConfig(), max: 2 });
      return { source: pool, checkedOut: () => pool.totalCount - pool.idleCount, close: () => pool.end() };
    },
    selectOne: async (conn) => oneOf((await (conn as pg.PoolClient).query('SELECT 1 AS one')).rows),
  },
  {
    name: 'generic-pool of mysql2/promise connections',
    skip: SKIP_MYSQL,
    open() {
      const pool = genericPool.createPool(
        { create: () => mysql.createConnection(MYSQL), destroy: (conn) => conn.end() },
        { max: 2 },
      );
      return {
        source: pool,
        checkedOut: () => pool.borrowed,
        close: async () => {
          await pool.drain();
          await pool.clear();
        },
      };
    },
    selectOne: async (conn) => oneOf((await (conn as mysql.Connection).query('SELECT 1 AS one'))[0]),
  },
  {
    name: 'tarn pool of pg Clients',
    skip: SKIP_PG,
    open() {
      const pool = pgTarnPool(2);
      return {
        source: pool,
        checkedOut: () => pool.numUsed(),
        close: async () => {
          await pool.destroy();
        },
      };
    },
    selectOne: async (conn) => oneOf((await (conn as pg.Client).query('SELECT 1 AS one')).rows),
  },
  {
    name: 'TypeORM-shaped DataSource (pg)',
    skip: SKIP_PG,
    open() {
      const pool = new pg.Pool({ ...pgConfig(), max: 2 });
      return { source: new DataSourceLike(pool), checkedOut: () => pool.totalCount - pool.idleCount, close: () => pool.end() };
    },
    selectOne: async (conn) => oneOf(await (conn as QueryRunnerLike).query('SELECT 1 AS one')),
  },
];

for (const c of sources) {
  describe.skipIf(c.skip)(`withConnection / acquire on a ${c.name}`, () => {
    it('gives the connection back after success and after a throw', async () => {
      const opened = c.open();
      try {
        const during: number[] = [];
        const value = await withConnection(opened.source, async (conn) => {
          during.push(opened.checkedOut());
          return c.selectOne(conn);
        });
        expect(value).toBe(1);
        expect(during).toEqual([1]);
        expect(opened.checkedOut()).toBe(0);

        const err = await rejectionOf(
          withConnection(opened.source, async (conn) => {
            await c.selectOne(conn);
            throw new Boom('inside fn');
          }),
        );
        expect(err).toBeInstanceOf(Boom);
        expect(opened.checkedOut()).toBe(0);
      } finally {
        await opened.close();
      }
    });

    it('acquire(): `await using` gives the connection back when the scope ends', async () => {
      const opened = c.open();
      try {
        {
          await using conn = await acquire(opened.source);
          expect(await c.selectOne(conn)).toBe(1);
          expect(opened.checkedOut()).toBe(1);
        }
        expect(opened.checkedOut()).toBe(0);
      } finally {
        await opened.close();
      }
    });
  });
}

describe.skipIf(SKIP_PG)('exactly-once release and the acquire bound on pg', () => {
  it('acquire(): an explicit release() inside the scope is not repeated by the dispose', async () => {
    const pool = new pg.Pool({ ...pgConfig(), max: 1 });
    try {
      {
        await using client = await acquire(pool);
        await client.query('SELECT 1');
        client.release();
        // The helper's release finishes asynchronously (it checks the transaction state first).
        expect(await waitFor(() => pool.idleCount, (n) => n === 1, 1000)).toBe(1);
      }
      // pg-pool throws on a second release; the dispose did not release again.
      expect(pool.idleCount).toBe(1);
      expect(await withConnection(pool, (client) => client.query<{ one: number }>('SELECT 1 AS one').then((r) => r.rows))).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('acquireTimeoutMs rejects with a clear, classified error, and the late client goes back', async () => {
    const pool = new pg.Pool({ ...pgConfig(), max: 1 });
    try {
      const held = await pool.connect();
      let called = false;
      const started = performance.now();
      const err = await rejectionOf(
        withConnection(pool, () => (called = true), { acquireTimeoutMs: 200 }),
      );
      const elapsed = performance.now() - started;
      expect(err).toBeInstanceOf(AcquireTimeoutError);
      expect(err.message).toContain('Timed out after 200 ms waiting for a connection from pg Pool');
      expect(err.message).toContain('total=1 idle=0 waiting=1');
      expect(err.message).toContain('trackLeaks');
      expect(isConnectionLimitError(err)).toBe(true);
      expect(called).toBe(false);
      expect(elapsed).toBeGreaterThanOrEqual(195);
      expect(elapsed).toBeLessThan(2000);
      held.release();
      // The client that reached the abandoned request is given straight back.
      await waitFor(() => pool.idleCount, (n) => n === 1, 2000);
      expect({ idle: pool.idleCount, waiting: pool.waitingCount }).toEqual({ idle: 1, waiting: 0 });
    } finally {
      await pool.end();
    }
  });
});

describe.skipIf(SKIP_MYSQL)('broken connections and the acquire bound on MariaDB', () => {
  it('mysql2 has no acquire timeout of its own: acquireTimeoutMs bounds the wait', async () => {
    const pool = mysql.createPool({ ...MYSQL, connectionLimit: 1 });
    try {
      const held = await pool.getConnection();
      const err = await rejectionOf(withConnection(pool, (conn) => conn.query('SELECT 1'), { acquireTimeoutMs: 150 }));
      expect(err).toBeInstanceOf(AcquireTimeoutError);
      expect(err.message).toMatch(/from pool PromisePool \(all=1 free=0 queued=1\)/);
      expect(classifyError(err)).toBe('connection-limit');
      held.release();
      await waitFor(() => mysqlCheckedOut(pool.pool), (n) => n === 0, 2000);
      expect(mysqlCheckedOut(pool.pool)).toBe(0);
    } finally {
      await pool.end();
    }
  });

  it('a connection killed inside fn is destroyed, not returned to the pool', async () => {
    const pool = mysql.createPool({ ...MYSQL, connectionLimit: 1 });
    try {
      let killed = 0;
      const err = await rejectionOf(
        withConnection(pool, async (conn) => {
          killed = conn.threadId;
          await killMysql(killed);
          await conn.query('SELECT 1');
        }),
      );
      expect(isStaleConnectionError(err)).toBe(true);
      const core = pool.pool as unknown as { _allConnections: { toArray(): Array<{ threadId: number }> } };
      expect(core._allConnections.toArray().map((conn) => conn.threadId)).not.toContain(killed);
      const next = await withConnection(pool, (conn) => conn.threadId);
      expect(next).not.toBe(killed);
    } finally {
      await pool.end();
    }
  });

  it('generic-pool: a broken resource is destroyed through the pool', async () => {
    let destroyed = 0;
    const pool = genericPool.createPool(
      {
        create: () => mysql.createConnection(MYSQL),
        destroy: async (conn) => {
          destroyed++;
          conn.destroy();
          await Promise.resolve();
        },
      },
      { max: 1 },
    );
    try {
      await rejectionOf(
        withConnection(pool, async (conn) => {
          await killMysql(conn.threadId);
          await conn.query('SELECT 1');
        }),
      );
      await waitFor(() => destroyed, (n) => n === 1, 2000);
      expect(destroyed).toBe(1);
      expect(pool.borrowed).toBe(0);
    } finally {
      await pool.drain();
      await pool.clear();
    }
  });

  it('acquire() on mysql2: an open transaction is rolled back when the scope throws', async () => {
    const pool = mysql.createPool({ ...MYSQL, connectionLimit: 1 });
    try {
      const scope = async () => {
        await using conn = await acquire(pool);
        await conn.query('START TRANSACTION');
        await conn.query('SELECT 1');
        throw new Boom('scope failed');
      };
      await expect(scope()).rejects.toBeInstanceOf(Boom);
      const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT @@in_transaction AS t');
      expect(rows[0]?.['t']).toBe(0);
    } finally {
      await pool.end();
    }
  });
});

describe.skipIf(SKIP_PG)('`await using` compiled by TypeScript for Node 20', () => {
  it('the down-levelled scope releases the connection, also when it throws', async () => {
    const source = [
      'export default async function run(acquire, pool) {',
      '  await using client = await acquire(pool);',
      '  await client.query("SELECT 1");',
      '  throw new Error("scope failed");',
      '}',
    ].join('\n');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
      },
    });
    expect(outputText).not.toMatch(/await using/);
    const url = `data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`;
    const { default: run } = (await import(url)) as { default: (a: typeof acquire, p: pg.Pool) => Promise<void> };
    const pool = new pg.Pool({ ...pgConfig(), max: 1 });
    try {
      await expect(run(acquire, pool)).rejects.toThrow('scope failed');
      expect({ total: pool.totalCount, idle: pool.idleCount }).toEqual({ total: 1, idle: 1 });
    } finally {
      await pool.end();
    }
  });
});
