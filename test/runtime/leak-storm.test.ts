/**
 * Leak storm: an account limited to a few connections, hundreds of concurrent calls of which half
 * throw. With withConnection every call settles, none hits the connection limit, and nothing stays
 * checked out. The same load written the naive way (release only on success) leaks every connection
 * of the pool within a few calls, hangs the rest, and locks the account out of the server.
 */
import * as mariadb from 'mariadb';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ConnectionOf, classifyError, isConnectionLimitError, withConnection } from '../../src/runtime/index.js';
import {
  SKIP_MYSQL,
  SKIP_PG,
  limitedMysqlUser,
  limitedPgRole,
  mysqlConfig,
  mysqlSessions,
  pgConfig,
  pgSessions,
  rejectionOf,
  sleep,
  waitFor,
} from './helpers/db.js';

const LIMIT = 4;
const CALLS = 300;
/** How long the naive load gets before it is declared stuck. */
const NAIVE_WINDOW_MS = 1500;
const MYSQL_USER = 'dbg_storm_my';
const PG_ROLE = 'dbg_storm_pg';

interface StormResult {
  readonly fulfilled: number;
  readonly rejected: readonly unknown[];
}

/** Runs `CALLS` concurrent calls; odd ones throw inside the work after a real query. */
async function storm(call: (i: number) => Promise<unknown>): Promise<StormResult> {
  const results = await Promise.allSettled(Array.from({ length: CALLS }, (_, i) => call(i)));
  return {
    fulfilled: results.filter((r) => r.status === 'fulfilled').length,
    rejected: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : [])),
  };
}

class Boom extends Error {}

/**
 * The storm through withConnection: half the callbacks throw after a real query; every call settles
 * with its own outcome and none with a connection-limit error.
 */
async function guardedStorm<S>(source: S, query: (conn: ConnectionOf<S>) => Promise<unknown>): Promise<StormResult> {
  const result = await storm((i) =>
    withConnection(source, async (conn) => {
      await query(conn);
      if (i % 2 === 1) throw new Boom(`call ${i}`);
    }),
  );
  expect(result.fulfilled).toBe(CALLS / 2);
  expect(result.rejected).toHaveLength(CALLS / 2);
  expect(result.rejected.every((e) => e instanceof Boom)).toBe(true);
  expect(result.rejected.some(isConnectionLimitError)).toBe(false);
  return result;
}

/**
 * The naive pattern the ESLint rules report: release only on the success path. Calls that are still
 * waiting when the window closes are counted as stuck; `stop` lets the test drain them afterwards.
 */
function naiveLoad(
  checkout: () => Promise<{ release(): unknown; query(sql: string): Promise<unknown> }>,
): { settled: Promise<StormResult>; stuck: () => number; leaked: Array<{ release(): unknown }>; stop(): void } {
  let stopped = false;
  let done = 0;
  const leaked: Array<{ release(): unknown }> = [];
  const settled = storm(async (i) => {
    try {
      const conn = await checkout();
      if (stopped) {
        conn.release();
        return;
      }
      await conn.query('SELECT 1');
      if (i % 2 === 1) {
        leaked.push(conn);
        throw new Boom(`call ${i}`);
      }
      conn.release();
    } finally {
      done++;
    }
  });
  return { settled, stuck: () => CALLS - done, leaked, stop: () => (stopped = true) };
}

describe.skipIf(SKIP_MYSQL)('leak storm on MariaDB (MAX_USER_CONNECTIONS)', () => {
  let account: { user: string; password: string };
  beforeAll(async () => {
    account = await limitedMysqlUser(MYSQL_USER, LIMIT);
  });
  // The server closes the sessions of an ended pool asynchronously; each test starts from none.
  beforeEach(async () => {
    await waitFor(() => mysqlSessions(MYSQL_USER), (n) => n === 0);
  });
  afterAll(async () => {
    await waitFor(() => mysqlSessions(MYSQL_USER), (n) => n === 0);
  });

  it('withConnection on a mysql2/promise pool: all settle, no 1226, nothing checked out', async () => {
    const pool = mysql.createPool({ ...mysqlConfig(account), connectionLimit: LIMIT });
    try {
      const result = await guardedStorm(pool, (conn) => conn.query('SELECT 1'));
      const core = pool.pool as unknown as { _allConnections: unknown[]; _freeConnections: unknown[] };
      expect(core._allConnections.length).toBeLessThanOrEqual(LIMIT);
      expect(core._freeConnections.length).toBe(core._allConnections.length);
      expect(await mysqlSessions(MYSQL_USER)).toBeLessThanOrEqual(LIMIT);
      console.info(
        `[leak storm mysql2] withConnection: ${result.fulfilled} ok + ${result.rejected.length} Boom of ${CALLS}; ` +
          `pool all=${core._allConnections.length} free=${core._freeConnections.length}; ` +
          `server sessions=${await mysqlSessions(MYSQL_USER)}`,
      );
    } finally {
      await pool.end();
    }
  });

  it('withConnection on a mariadb pool: all settle, no 1226, nothing checked out', async () => {
    const pool = mariadb.createPool({ ...mysqlConfig(account), connectionLimit: LIMIT });
    try {
      await guardedStorm(pool, (conn) => conn.query('SELECT 1'));
      expect(pool.activeConnections()).toBe(0);
      expect(pool.totalConnections()).toBeLessThanOrEqual(LIMIT);
    } finally {
      await pool.end();
    }
  });

  it('the naive version (release only on success) exhausts the pool and locks the account out', async () => {
    const pool = mysql.createPool({ ...mysqlConfig(account), connectionLimit: LIMIT });
    const naive = naiveLoad(() => pool.getConnection());
    await sleep(NAIVE_WINDOW_MS);
    const core = pool.pool as unknown as { _allConnections: unknown[]; _freeConnections: unknown[] };
    const stuck = naive.stuck();
    const checkedOut = core._allConnections.length - core._freeConnections.length;
    const sessions = await mysqlSessions(MYSQL_USER);
    // A second client of the same account (another worker, a cron job) is refused by the server.
    const refused = await rejectionOf(mysql.createConnection(mysqlConfig(account)));
    console.info(
      `[leak storm mysql2] naive: ${naive.leaked.length} connections leaked, ${stuck} of ${CALLS} calls ` +
        `stuck after ${NAIVE_WINDOW_MS} ms; pool checked out=${checkedOut}/${LIMIT}; server sessions=${sessions}; ` +
        `second client: ${String(refused['code'])} (${String(refused['errno'])})`,
    );
    expect(naive.leaked).toHaveLength(LIMIT);
    expect(checkedOut).toBe(LIMIT);
    expect(stuck).toBe(CALLS - LIMIT * 2);
    expect(sessions).toBe(LIMIT);
    expect(refused['errno']).toBe(1226);
    expect(classifyError(refused)).toBe('connection-limit');

    naive.stop();
    for (const conn of naive.leaked) conn.release();
    const drained = await naive.settled;
    expect(drained.fulfilled + drained.rejected.length).toBe(CALLS);
    await pool.end();
  });
});

describe.skipIf(SKIP_PG)('leak storm on PostgreSQL (role CONNECTION LIMIT)', () => {
  let role: string;
  beforeAll(async () => {
    role = await limitedPgRole(PG_ROLE, LIMIT);
  });
  beforeEach(async () => {
    await waitFor(() => pgSessions(PG_ROLE), (n) => n === 0);
  });
  afterAll(async () => {
    await waitFor(() => pgSessions(PG_ROLE), (n) => n === 0);
  });

  it('withConnection on a pg Pool: all settle, no 53300, nothing checked out', async () => {
    const pool = new pg.Pool({ ...pgConfig(role), max: LIMIT });
    try {
      const result = await guardedStorm(pool, (client) => client.query('SELECT 1'));
      expect(pool.totalCount).toBeLessThanOrEqual(LIMIT);
      expect(pool.idleCount).toBe(pool.totalCount);
      expect(pool.waitingCount).toBe(0);
      const sessions = await pgSessions(PG_ROLE);
      expect(sessions).toBeLessThanOrEqual(LIMIT);
      console.info(
        `[leak storm pg] withConnection: ${result.fulfilled} ok + ${result.rejected.length} Boom of ${CALLS}; ` +
          `pool total=${pool.totalCount} idle=${pool.idleCount} waiting=${pool.waitingCount}; server sessions=${sessions}`,
      );
    } finally {
      await pool.end();
    }
  });

  it('the naive version exhausts the pool and the role is refused with 53300', async () => {
    const pool = new pg.Pool({ ...pgConfig(role), max: LIMIT });
    const naive = naiveLoad(() => pool.connect());
    await sleep(NAIVE_WINDOW_MS);
    const stuck = naive.stuck();
    const counters = { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
    const sessions = await pgSessions(PG_ROLE);
    const other = new pg.Client(pgConfig(role));
    const refused = await rejectionOf(other.connect());
    console.info(
      `[leak storm pg] naive: ${naive.leaked.length} clients leaked, ${stuck} of ${CALLS} calls stuck after ` +
        `${NAIVE_WINDOW_MS} ms; pool total=${counters.total} idle=${counters.idle} waiting=${counters.waiting}; ` +
        `server sessions=${sessions}; second client: ${String(refused['code'])} ${refused.message}`,
    );
    expect(naive.leaked).toHaveLength(LIMIT);
    expect(counters).toEqual({ total: LIMIT, idle: 0, waiting: stuck });
    expect(stuck).toBe(CALLS - LIMIT * 2);
    expect(sessions).toBe(LIMIT);
    expect(refused['code']).toBe('53300');
    expect(isConnectionLimitError(refused)).toBe(true);

    naive.stop();
    for (const client of naive.leaked) client.release();
    const drained = await naive.settled;
    expect(drained.fulfilled + drained.rejected.length).toBe(CALLS);
    await pool.end();
  });
});
