/**
 * Connections to the machine's real MariaDB and PostgreSQL for the runtime tests, and the faults the
 * tests inject (KILL, pg_terminate_backend, limited accounts). No driver is mocked.
 */
import net from 'node:net';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { Pool as TarnPool } from 'tarn';
import { IN_CI, mysqlParams, pgParams } from '../../helpers/servers.js';

export const MYSQL = mysqlParams();
export const PG = pgParams();

/** Whether a TCP port answers on the server's host. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Whether the tests for a server must be skipped: only outside CI, when the server is unreachable.
 * In CI an unreachable server is a failure, so the tests run and fail.
 */
export async function skipUnlessReachable(which: 'mysql' | 'pg'): Promise<boolean> {
  const { host, port } = which === 'mysql' ? MYSQL : PG;
  if (IN_CI) return false;
  return !(await reachable(host, port));
}

export const SKIP_MYSQL = await skipUnlessReachable('mysql');
export const SKIP_PG = await skipUnlessReachable('pg');

/** A root connection to MariaDB for setup and fault injection. */
export function mysqlAdmin(): Promise<mysql.Connection> {
  return mysql.createConnection({ ...MYSQL, multipleStatements: false });
}

/** A superuser client of PostgreSQL for setup and fault injection. */
export async function pgAdmin(): Promise<pg.Client> {
  const client = new pg.Client(pgConfig());
  await client.connect();
  return client;
}

/** Connection options for pg, optionally as another role. */
export function pgConfig(user: string = PG.user): pg.ClientConfig {
  return { host: PG.host, port: PG.port, user, database: PG.database, ...(PG.password ? { password: PG.password } : {}) };
}

/** Connection options for the MySQL drivers, optionally as another account. */
export function mysqlConfig(user?: { user: string; password: string }): typeof MYSQL {
  return user ? { ...MYSQL, ...user } : MYSQL;
}

/**
 * Creates (or resets) a MariaDB account limited to `limit` simultaneous connections, with rights on
 * the test database.
 */
export async function limitedMysqlUser(name: string, limit: number): Promise<{ user: string; password: string }> {
  const password = 'dbg-test';
  const admin = await mysqlAdmin();
  try {
    await admin.query(`CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?`, [name, password]);
    await admin.query(`ALTER USER ?@'%' IDENTIFIED BY ? WITH MAX_USER_CONNECTIONS ${limit}`, [name, password]);
    await admin.query(`GRANT ALL PRIVILEGES ON ${mysql.escapeId(MYSQL.database)}.* TO ?@'%'`, [name]);
    await admin.query('FLUSH PRIVILEGES');
  } finally {
    await admin.end();
  }
  return { user: name, password };
}

/** Creates (or resets) a PostgreSQL role limited to `limit` simultaneous connections. */
export async function limitedPgRole(name: string, limit: number): Promise<string> {
  const admin = await pgAdmin();
  try {
    const role = pg.escapeIdentifier(name);
    await admin.query(
      `DO $$ BEGIN CREATE ROLE ${role} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
    await admin.query(`ALTER ROLE ${role} WITH LOGIN CONNECTION LIMIT ${limit}`);
    await admin.query(`GRANT ALL ON SCHEMA public TO ${role}`);
  } finally {
    await admin.end();
  }
  return name;
}

/** Sessions of a MariaDB account, from the server's own process list. */
export async function mysqlSessions(user: string): Promise<number> {
  const admin = await mysqlAdmin();
  try {
    const [rows] = await admin.query<mysql.RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?',
      [user],
    );
    return Number(rows[0]?.['n']);
  } finally {
    await admin.end();
  }
}

/** Sessions of a PostgreSQL role, from pg_stat_activity. */
export async function pgSessions(role: string): Promise<number> {
  const admin = await pgAdmin();
  try {
    const { rows } = await admin.query<{ n: string }>(
      'SELECT COUNT(*) AS n FROM pg_stat_activity WHERE usename = $1',
      [role],
    );
    return Number(rows[0]?.n);
  } finally {
    await admin.end();
  }
}

/** Kills a MariaDB connection by id, as the server's KILL does. */
export async function killMysql(threadId: number): Promise<void> {
  const admin = await mysqlAdmin();
  try {
    await admin.query(`KILL ${threadId}`);
  } finally {
    await admin.end();
  }
}

/** Terminates a PostgreSQL backend by pid. */
export async function terminatePg(pid: number): Promise<void> {
  const admin = await pgAdmin();
  try {
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
}

/** Runs one statement as the MariaDB root account. */
export async function mysqlExec(sql: string, params?: unknown[]): Promise<mysql.RowDataPacket[]> {
  const admin = await mysqlAdmin();
  try {
    const [rows] = await admin.query<mysql.RowDataPacket[]>(sql, params);
    return rows;
  } finally {
    await admin.end();
  }
}

/** Runs one statement as the PostgreSQL superuser. */
export async function pgExec(sql: string, params?: unknown[]): Promise<pg.QueryResultRow[]> {
  const admin = await pgAdmin();
  try {
    const { rows } = await admin.query<pg.QueryResultRow>(sql, params);
    return rows;
  } finally {
    await admin.end();
  }
}

/** Polls `check` every 20 ms until it holds, at most `ms`; the last value is returned either way. */
export async function waitFor<T>(check: () => Promise<T> | T, accept: (value: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (accept(value) || Date.now() >= deadline) return value;
    await sleep(20);
  }
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Record<string, unknown> & Error> {
  try {
    await promise;
  } catch (err) {
    return err as Record<string, unknown> & Error;
  }
  throw new Error('expected a rejection');
}

/** A tarn pool of connected pg Clients. */
export function pgTarnPool(max: number): TarnPool<pg.Client> {
  return new TarnPool<pg.Client>({
    create: async () => {
      const client = new pg.Client(pgConfig());
      await client.connect();
      return client;
    },
    destroy: (client) => client.end(),
    min: 0,
    max,
  });
}
