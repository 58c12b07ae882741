/**
 * Stale connections: the server kills the connection behind reconnecting(), or closes it after
 * wait_timeout / idle_session_timeout; an idle pooled pg client is terminated. The process survives
 * (no unhandled 'error'), and the next statement works on a new connection.
 */
import * as mariadb from 'mariadb';
import mysqljs from 'mysql';
import mysql2 from 'mysql2';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TransactionLostError,
  classifyError,
  isStaleConnectionError,
  reconnecting,
  withConnection,
} from '../../src/runtime/index.js';
import type { Reconnecting } from '../../src/runtime/index.js';
import {
  MYSQL,
  SKIP_MYSQL,
  SKIP_PG,
  killMysql,
  mysqlExec,
  pgConfig,
  pgExec,
  rejectionOf,
  terminatePg,
  waitFor,
} from './helpers/db.js';

/** Ends every reconnecting() a test made, even when it failed. */
const opened: Array<Reconnecting<object>> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.end().catch(() => undefined)));
});

function track<C extends object>(db: Reconnecting<C>): Reconnecting<C> {
  opened.push(db);
  return db;
}

/** The first row of any MySQL driver's result: `[rows, fields]` or mariadb's rows array. */
function firstRow(result: unknown): Record<string, unknown> {
  const rows = Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as unknown[]) : (result as unknown[]);
  return rows[0] as Record<string, unknown>;
}

async function threadIdOf(db: Reconnecting<object>): Promise<number> {
  return Number(firstRow(await db.query('SELECT CONNECTION_ID() AS id'))['id']);
}

async function mysqlSessionGone(id: number): Promise<boolean> {
  const rows = await mysqlExec('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?', [id]);
  return Number(rows[0]?.['n']) === 0;
}

const mysqlFactories = {
  'mysql2/promise': () => mysql.createConnection(MYSQL),
  mariadb: () => mariadb.createConnection(MYSQL),
  'mysql2 (callback)': () => mysql2.createConnection(MYSQL),
  'mysql (callback)': () => mysqljs.createConnection(MYSQL),
} as const;

describe.skipIf(SKIP_MYSQL)('reconnecting() on MariaDB', () => {
  for (const [name, factory] of Object.entries(mysqlFactories)) {
    it(`${name}: KILL of the connection, then the next read succeeds on a new connection`, async () => {
      const background: unknown[] = [];
      const db = track(reconnecting(factory as () => Promise<object> | object, { onError: (e) => background.push(e) }));
      const before = await threadIdOf(db);
      await killMysql(before);
      const after = await threadIdOf(db);
      expect(after).not.toBe(before);
      expect(await mysqlSessionGone(before)).toBe(true);
      expect(background.every(isStaleConnectionError)).toBe(true);
    });
  }

  for (const name of ['mysql2/promise', 'mariadb'] as const) {
    it(`${name}: wait_timeout closes the idle connection; the next read reconnects`, async () => {
      const background: unknown[] = [];
      const db = track(
        reconnecting(
          async () => {
            const conn = name === 'mariadb' ? await mariadb.createConnection(MYSQL) : await mysql.createConnection(MYSQL);
            await (conn as { query(sql: string): Promise<unknown> }).query('SET SESSION wait_timeout = 1');
            return conn;
          },
          { onError: (e) => background.push(e) },
        ),
      );
      const before = await threadIdOf(db);
      expect(await waitFor(() => mysqlSessionGone(before), Boolean, 5000)).toBe(true);
      // The client sees the close as an 'error' (or 'end') event while idle: handled, not thrown.
      await waitFor(() => db.connection === undefined, Boolean, 2000);
      const after = await threadIdOf(db);
      expect(after).not.toBe(before);
      console.info(
        `[stale ${name}] wait_timeout=1 closed thread ${before}; background errors: ` +
          (background.map((e) => `${String((e as { code?: unknown }).code)} (${classifyError(e)})`).join(', ') ||
            'none (end event)'),
      );
    });
  }

  it('mysql2/promise: KILL while a transaction is open reports the transaction lost until ROLLBACK', async () => {
    const db = track(reconnecting(() => mysql.createConnection(MYSQL), { onError: () => undefined }));
    await db.query('START TRANSACTION');
    const before = await threadIdOf(db);
    await killMysql(before);
    await waitFor(() => db.connection === undefined, Boolean, 2000);
    expect(await rejectionOf(db.query('SELECT 1'))).toBeInstanceOf(TransactionLostError);
    await db.query('ROLLBACK');
    expect(await threadIdOf(db)).not.toBe(before);
  });

  it('mysql2 pool: a killed idle pooled connection is replaced by withConnection', async () => {
    const pool = mysql.createPool({ ...MYSQL, connectionLimit: 1 });
    try {
      const before = await withConnection(pool, (conn) => conn.threadId);
      await killMysql(before);
      await waitFor(() => mysqlSessionGone(before), Boolean);
      const core = pool.pool as unknown as { _allConnections: { length: number } };
      await waitFor(() => core._allConnections.length, (n) => n === 0, 2000);
      const after = await withConnection(pool, async (conn) => {
        await conn.query('SELECT 1');
        return conn.threadId;
      });
      expect(after).not.toBe(before);
    } finally {
      await pool.end();
    }
  });
});

async function pidOf(db: Reconnecting<pg.Client>): Promise<number> {
  const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0]!.pid;
}

async function pgBackendGone(pid: number): Promise<boolean> {
  const rows = await pgExec('SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [pid]);
  return rows[0]?.['n'] === 0;
}

describe.skipIf(SKIP_PG)('reconnecting() on PostgreSQL', () => {
  it('pg_terminate_backend of an unconnected-factory Client; the next read succeeds', async () => {
    const background: unknown[] = [];
    const db = track(reconnecting(() => new pg.Client(pgConfig()), { onError: (e) => background.push(e) }));
    const before = await pidOf(db);
    await terminatePg(before);
    // pg reports the kill as an 'error' event on the idle client: handled by reconnecting().
    await waitFor(() => background.length, (n) => n > 0, 2000);
    const after = await pidOf(db);
    expect(after).not.toBe(before);
    expect(background.map(classifyError)).toContain('stale');
    expect((background[0] as { code?: string }).code).toBe('57P01');
  });

  it('pg_terminate_backend while a transaction is open reports the transaction lost until ROLLBACK', async () => {
    const db = track(reconnecting(() => new pg.Client(pgConfig()), { onError: () => undefined }));
    await db.query('BEGIN');
    const before = await pidOf(db);
    await terminatePg(before);
    await waitFor(() => db.connection === undefined, Boolean, 2000);
    const refused = await rejectionOf(db.query('SELECT 1'));
    expect(refused).toBeInstanceOf(TransactionLostError);
    expect((refused.cause as { code?: string }).code).toBe('57P01');
    await db.query('ROLLBACK');
    expect(await pidOf(db)).not.toBe(before);
  });

  it('idle_session_timeout ends the session; the next read reconnects', async () => {
    const background: unknown[] = [];
    const db = track(
      reconnecting(
        async () => {
          const client = new pg.Client(pgConfig());
          await client.connect();
          await client.query("SET idle_session_timeout = '300ms'");
          return client;
        },
        { onError: (e) => background.push(e) },
      ),
    );
    const before = await pidOf(db);
    expect(await waitFor(() => pgBackendGone(before), Boolean, 5000)).toBe(true);
    await waitFor(() => background.length, (n) => n > 0, 2000);
    const after = await pidOf(db);
    expect(after).not.toBe(before);
    expect((background[0] as { code?: string }).code).toBe('57P05');
    expect(isStaleConnectionError(background[0])).toBe(true);
  });

  it('a terminated idle pooled client does not crash the process; the next withConnection works', async () => {
    const pool = new pg.Pool({ ...pgConfig(), max: 2 });
    try {
      expect(pool.listenerCount('error')).toBe(0);
      const before = await withConnection(pool, async (client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
      // withConnection guarded the pool: without a listener pg-pool's 'error' would be thrown.
      expect(pool.listenerCount('error')).toBe(1);
      expect(pool.idleCount).toBe(1);
      await terminatePg(before);
      // The pool emitted 'error' for its idle client and removed it.
      await waitFor(() => pool.totalCount, (n) => n === 0, 2000);
      expect(pool.totalCount).toBe(0);
      const after = await withConnection(pool, async (client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
      expect(after).not.toBe(before);
    } finally {
      await pool.end();
    }
  });

  it('a client terminated while checked out is destroyed, not returned to the pool', async () => {
    const pool = new pg.Pool({ ...pgConfig(), max: 1 });
    try {
      const err = await withConnection(pool, async (client) => {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await terminatePg(rows[0]!.pid);
        await client.query('SELECT 1');
      }).catch((e: unknown) => e);
      expect(isStaleConnectionError(err)).toBe(true);
      expect(pool.totalCount).toBe(0);
      const ok = await withConnection(pool, async (client) => (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]);
      expect(ok).toEqual({ one: 1 });
    } finally {
      await pool.end();
    }
  });
});
