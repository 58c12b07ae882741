/**
 * Transactions against the real servers: a throwing callback leaves no rows and no open transaction
 * on the pooled connection (checked on the next borrower of the same connection); withTransaction
 * retries deadlocks, serialization failures and connections lost before COMMIT only when `retries`
 * > 0, on a new checkout, and never after COMMIT was sent.
 */
import * as mariadb from 'mariadb';
import mysqljs from 'mysql';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError, withConnection, withTransaction } from '../../src/runtime/index.js';
import {
  MYSQL,
  PG,
  SKIP_MYSQL,
  SKIP_PG,
  killMysql,
  mysqlExec,
  pgConfig,
  pgExec,
  rejectionOf,
  terminatePg,
} from './helpers/db.js';
import { CuttingProxy } from './helpers/proxy.js';
import { DataSourceLike, type QueryRunnerLike } from './helpers/typeorm-like.js';

const MY_TABLE = 'dbg_tx_my';
const PG_TABLE = 'dbg_tx_pg';

class Boom extends Error {}

type Row = Record<string, unknown>;

/** A source of one kind, with the SQL dialect and driver calls the assertions need. */
interface TxCase {
  readonly name: string;
  readonly skip: boolean;
  readonly dialect: 'mysql' | 'pg';
  /** A pool of exactly one connection, so the next borrower gets the same connection. */
  open(): { source: unknown; close(): Promise<void> };
  run(conn: unknown, sql: string, params?: unknown[]): Promise<Row[]>;
  /** Whether the connection is inside a transaction, and its server-side id. */
  probe(conn: unknown): Promise<{ inTransaction: boolean; id: number }>;
}

function rowsOf(result: unknown): Row[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as Row[];
}

const mysqlProbe = async (c: TxCase, conn: unknown) => {
  const [row] = await c.run(conn, 'SELECT @@in_transaction AS t, CONNECTION_ID() AS id');
  return { inTransaction: Number(row!['t']) !== 0, id: Number(row!['id']) };
};

/** pg: the driver's transaction status and the server's view (an assigned txid means a write happened). */
async function pgProbe(client: pg.PoolClient, run: () => Promise<Row[]>): Promise<{ inTransaction: boolean; id: number }> {
  const status = client.getTransactionStatus();
  const [row] = await run();
  return { inTransaction: status !== 'I' || row!['x'] !== null, id: Number(row!['id']) };
}
const PG_PROBE_SQL = 'SELECT txid_current_if_assigned() AS x, pg_backend_pid() AS id';

const cases: TxCase[] = [
  {
    name: 'mysql2/promise pool',
    skip: SKIP_MYSQL,
    dialect: 'mysql',
    open() {
      const pool = mysql.createPool({ ...MYSQL, connectionLimit: 1 });
      return { source: pool, close: () => pool.end() };
    },
    run: async (conn, sql, params) => rowsOf(await (conn as mysql.PoolConnection).query(sql, params)),
    probe(conn) {
      return mysqlProbe(this, conn);
    },
  },
  {
    name: 'mariadb pool',
    skip: SKIP_MYSQL,
    dialect: 'mysql',
    open() {
      const pool = mariadb.createPool({ ...MYSQL, connectionLimit: 1 });
      return { source: pool, close: () => pool.end() };
    },
    run: async (conn, sql, params) => rowsOf(await (conn as mariadb.PoolConnection).query(sql, params)),
    probe(conn) {
      return mysqlProbe(this, conn);
    },
  },
  {
    name: 'mysql (callback) pool',
    skip: SKIP_MYSQL,
    dialect: 'mysql',
    open() {
      const pool = mysqljs.createPool({ ...MYSQL, connectionLimit: 1 });
      return { source: pool, close: () => new Promise<void>((resolve) => pool.end(() => resolve())) };
    },
    run: (conn, sql, params) =>
      new Promise((resolve, reject) => {
        (conn as mysqljs.PoolConnection).query(sql, params ?? [], (err, rows) => {
          if (err) reject(err);
          else resolve(rows as Row[]);
        });
      }),
    probe(conn) {
      return mysqlProbe(this, conn);
    },
  },
  {
    name: 'pg Pool',
    skip: SKIP_PG,
    dialect: 'pg',
    open() {
      const pool = new pg.Pool({ ...pgConfig(), max: 1 });
      return { source: pool, close: () => pool.end() };
    },
    run: async (conn, sql, params) => (await (conn as pg.PoolClient).query(sql, params)).rows as Row[],
    probe(conn) {
      return pgProbe(conn as pg.PoolClient, () => this.run(conn, PG_PROBE_SQL));
    },
  },
  {
    name: 'TypeORM-shaped DataSource (pg)',
    skip: SKIP_PG,
    dialect: 'pg',
    open() {
      const pool = new pg.Pool({ ...pgConfig(), max: 1 });
      return { source: new DataSourceLike(pool), close: () => pool.end() };
    },
    run: (conn, sql, params) => (conn as QueryRunnerLike).query(sql, params) as Promise<Row[]>,
    probe(conn) {
      const runner = conn as QueryRunnerLike;
      return pgProbe(runner.databaseConnection!, () => this.run(conn, PG_PROBE_SQL));
    },
  },
];

function sqlFor(dialect: 'mysql' | 'pg') {
  const table = dialect === 'mysql' ? MY_TABLE : PG_TABLE;
  const p = (n: number) => (dialect === 'mysql' ? '?' : `$${n}`);
  return {
    insert: `INSERT INTO ${table} (tag) VALUES (${p(1)})`,
    count: `SELECT COUNT(*) AS n FROM ${table} WHERE tag = ${p(1)}`,
    begin: dialect === 'mysql' ? 'START TRANSACTION' : 'BEGIN',
    bump: `UPDATE ${table} SET v = v + 1 WHERE tag = ${p(1)}`,
  };
}

async function countRows(dialect: 'mysql' | 'pg', tag: string): Promise<number> {
  const sql = sqlFor(dialect).count;
  const rows = dialect === 'mysql' ? await mysqlExec(sql, [tag]) : await pgExec(sql, [tag]);
  return Number(rows[0]?.['n']);
}

beforeAll(async () => {
  if (!SKIP_MYSQL) {
    await mysqlExec(`DROP TABLE IF EXISTS ${MY_TABLE}`);
    await mysqlExec(`CREATE TABLE ${MY_TABLE} (id INT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(64) NOT NULL UNIQUE, v INT NOT NULL DEFAULT 0) ENGINE=InnoDB`);
  }
  if (!SKIP_PG) {
    await pgExec(`DROP TABLE IF EXISTS ${PG_TABLE}`);
    await pgExec(`CREATE TABLE ${PG_TABLE} (id SERIAL PRIMARY KEY, tag TEXT NOT NULL UNIQUE, v INT NOT NULL DEFAULT 0)`);
  }
});

afterAll(async () => {
  if (!SKIP_MYSQL) await mysqlExec(`DROP TABLE IF EXISTS ${MY_TABLE}`);
  if (!SKIP_PG) await pgExec(`DROP TABLE IF EXISTS ${PG_TABLE}`);
});

for (const c of cases) {
  describe.skipIf(c.skip)(`transactions on a ${c.name}`, () => {
    const sql = sqlFor(c.dialect);
    const slug = c.name.replace(/\W+/g, '-');
    let pool: { source: unknown; close(): Promise<void> };
    beforeAll(() => {
      pool = c.open();
    });
    afterAll(() => pool.close());

    it('commits when the callback returns', async () => {
      const tag = `commit-${slug}`;
      const value = await withTransaction(pool.source, async (conn) => {
        await c.run(conn, sql.insert, [tag]);
        return 'done';
      });
      expect(value).toBe('done');
      expect(await countRows(c.dialect, tag)).toBe(1);
    });

    it('a throwing callback leaves no rows and no open transaction for the next borrower', async () => {
      const tag = `rollback-${slug}`;
      const first = await withConnection(pool.source, (conn) => c.probe(conn));
      const err = await rejectionOf(
        withTransaction(pool.source, async (conn) => {
          await c.run(conn, sql.insert, [tag]);
          expect((await c.probe(conn)).inTransaction).toBe(true);
          throw new Boom('after the insert');
        }),
      );
      expect(err).toBeInstanceOf(Boom);
      expect(await countRows(c.dialect, tag)).toBe(0);
      const next = await withConnection(pool.source, (conn) => c.probe(conn));
      // Same pooled connection (it went back, it was not destroyed), and clean.
      expect(next).toEqual({ inTransaction: false, id: first.id });
    });

    it('withConnection rolls back a transaction the throwing callback left open', async () => {
      const tag = `manual-${slug}`;
      const first = await withConnection(pool.source, (conn) => c.probe(conn));
      await rejectionOf(
        withConnection(pool.source, async (conn) => {
          await c.run(conn, sql.begin);
          await c.run(conn, sql.insert, [tag]);
          throw new Boom('inside a manual transaction');
        }),
      );
      expect(await countRows(c.dialect, tag)).toBe(0);
      expect(await withConnection(pool.source, (conn) => c.probe(conn))).toEqual({ inTransaction: false, id: first.id });
    });
  });
}

describe.skipIf(SKIP_PG)('an aborted pg transaction', () => {
  it('is rolled back before the client goes back to the pool', async () => {
    const pool = new pg.Pool({ ...pgConfig(), max: 1 });
    try {
      await rejectionOf(
        withTransaction(pool, async (client) => {
          await client.query('SELECT 1 / 0').catch(() => undefined);
          expect(client.getTransactionStatus()).toBe('E');
          throw new Boom('the caller gave up');
        }),
      );
      expect(await withConnection(pool, (client) => client.getTransactionStatus())).toBe('I');
    } finally {
      await pool.end();
    }
  });
});

/** Resolves when `parties` callers have arrived. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived === parties) open();
    return opened;
  };
}

/**
 * Two transactions that lock rows `a` and `b` in opposite order, holding their first lock until both
 * have one: a real deadlock on the first attempts.
 */
async function deadlock(
  source: unknown,
  run: (conn: unknown, sql: string, params: unknown[]) => Promise<unknown>,
  dialect: 'mysql' | 'pg',
  retries: number,
): Promise<{ results: PromiseSettledResult<unknown>[]; attempts: number }> {
  const { bump } = sqlFor(dialect);
  const bothLocked = barrier(2);
  let attempts = 0;
  const transfer = (first: string, second: string) => {
    let mine = 0;
    return withTransaction(
      source,
      async (conn) => {
        attempts++;
        mine++;
        // Bounded waits: a test that goes wrong fails in seconds instead of hanging on a lock.
        if (dialect === 'pg') await run(conn, "SET LOCAL deadlock_timeout = '50ms'", []);
        else await run(conn, 'SET SESSION innodb_lock_wait_timeout = 5', []);
        await run(conn, bump, [first]);
        if (mine === 1) await bothLocked();
        await run(conn, bump, [second]);
      },
      { retries },
    );
  };
  const results = await Promise.allSettled([transfer('dl-a', 'dl-b'), transfer('dl-b', 'dl-a')]);
  return { results, attempts };
}

const retryCases = [
  {
    name: 'MariaDB (mysql2/promise)',
    skip: SKIP_MYSQL,
    dialect: 'mysql' as const,
    pool: () => mysql.createPool({ ...MYSQL, connectionLimit: 2 }),
    run: (conn: unknown, text: string, params: unknown[]) => (conn as mysql.PoolConnection).query(text, params),
    kill: async (conn: unknown) => killMysql((conn as mysql.PoolConnection).threadId),
    id: (conn: unknown) => (conn as mysql.PoolConnection).threadId,
    exec: mysqlExec,
    target: MYSQL,
  },
  {
    name: 'PostgreSQL (pg)',
    skip: SKIP_PG,
    dialect: 'pg' as const,
    pool: () => new pg.Pool({ ...pgConfig(), max: 2 }),
    run: (conn: unknown, text: string, params: unknown[]) => (conn as pg.PoolClient).query(text, params),
    kill: async (conn: unknown) => terminatePg((conn as { processID: number }).processID),
    id: (conn: unknown) => (conn as { processID: number }).processID,
    exec: pgExec,
    target: PG,
  },
];

for (const r of retryCases) {
  describe.skipIf(r.skip)(`withTransaction retries on ${r.name}`, () => {
    const sql = sqlFor(r.dialect);
    beforeAll(async () => {
      await r.exec(`DELETE FROM ${r.dialect === 'mysql' ? MY_TABLE : PG_TABLE} WHERE tag IN ('dl-a', 'dl-b')`);
      for (const tag of ['dl-a', 'dl-b']) await r.exec(sql.insert, [tag]);
    });

    it('a deadlock is not retried by default', async () => {
      const pool = r.pool();
      try {
        const { results, attempts } = await deadlock(pool, r.run, r.dialect, 0);
        const failed = results.filter((x) => x.status === 'rejected');
        expect(failed).toHaveLength(1);
        expect(classifyError((failed[0] as PromiseRejectedResult).reason)).toBe('deadlock');
        expect(attempts).toBe(2);
      } finally {
        await pool.end();
      }
    });

    it('with retries: 1 the deadlock victim re-runs the whole callback and both commit', async () => {
      const pool = r.pool();
      try {
        const { results, attempts } = await deadlock(pool, r.run, r.dialect, 1);
        expect(results.map((x) => x.status)).toEqual(['fulfilled', 'fulfilled']);
        expect(attempts).toBe(3);
      } finally {
        await pool.end();
      }
    });

    it('a connection lost before COMMIT: retried on a new connection only when retries > 0', async () => {
      const pool = r.pool();
      try {
        const run = (retries: number, tag: string) => {
          const ids: number[] = [];
          const done = withTransaction(
            pool,
            async (conn) => {
              ids.push(r.id(conn));
              await r.run(conn, sql.insert, [tag]);
              if (ids.length === 1) {
                await r.kill(conn);
                await r.run(conn, 'SELECT 1', []);
              }
            },
            { retries },
          );
          return { done, ids };
        };
        const once = run(0, 'lost-0');
        const err = await rejectionOf(once.done);
        expect(['stale', 'not-sent']).toContain(classifyError(err));
        expect(once.ids).toHaveLength(1);
        expect(await countRows(r.dialect, 'lost-0')).toBe(0);

        const retried = run(1, 'lost-1');
        await retried.done;
        expect(retried.ids).toHaveLength(2);
        expect(retried.ids[1]).not.toBe(retried.ids[0]);
        // The first attempt's insert died with its connection; only the retry's row exists.
        expect(await countRows(r.dialect, 'lost-1')).toBe(1);
      } finally {
        await pool.end();
      }
    });

    it('never retries once COMMIT was sent: a lost COMMIT reply is outcomeUnknown', async () => {
      const proxy = await CuttingProxy.start(r.target.host, r.target.port);
      const pool =
        r.dialect === 'mysql'
          ? mysql.createPool({ ...MYSQL, port: proxy.port, connectionLimit: 1 })
          : new pg.Pool({ ...pgConfig(), port: proxy.port, max: 1 });
      try {
        let calls = 0;
        let cut: Promise<void> | undefined;
        const err = await rejectionOf(
          withTransaction(
            pool,
            async (conn) => {
              calls++;
              await r.run(conn, sql.insert, ['commit-cut']);
              cut = proxy.cutAfterReplyTo('COMMIT');
            },
            { retries: 3 },
          ),
        );
        await cut;
        expect(calls).toBe(1);
        expect(err['outcomeUnknown']).toBe(true);
        // The server did commit: a retry would have inserted the row twice.
        expect(await countRows(r.dialect, 'commit-cut')).toBe(1);
      } finally {
        await pool.end();
        await proxy.close();
      }
    });
  });
}

describe.skipIf(SKIP_PG)('serialization failures on PostgreSQL', () => {
  const sql = sqlFor('pg');
  beforeAll(async () => {
    await pgExec(`DELETE FROM ${PG_TABLE} WHERE tag = 'ser'`);
    await pgExec(sql.insert, ['ser']);
  });

  /** A REPEATABLE READ transaction whose row is updated and committed by another session meanwhile. */
  async function conflict(pool: pg.Pool, retries: number): Promise<{ attempts: number; outcome: unknown }> {
    let attempts = 0;
    const outcome = await withTransaction(
      pool,
      async (client) => {
        attempts++;
        await client.query(`SELECT v FROM ${PG_TABLE} WHERE tag = 'ser'`);
        if (attempts === 1) await pgExec(sql.bump, ['ser']);
        await client.query(sql.bump, ['ser']);
      },
      { isolationLevel: 'REPEATABLE READ', retries },
    ).catch((e: unknown) => e);
    return { attempts, outcome };
  }

  it('40001 is not retried by default, and is retried with retries: 1', async () => {
    const pool = new pg.Pool({ ...pgConfig(), max: 2 });
    try {
      const once = await conflict(pool, 0);
      expect(once.attempts).toBe(1);
      expect(classifyError(once.outcome)).toBe('serialization');
      expect((once.outcome as { code: string }).code).toBe('40001');

      const retried = await conflict(pool, 1);
      expect(retried.attempts).toBe(2);
      expect(retried.outcome).toBeUndefined();
    } finally {
      await pool.end();
    }
  });
});
