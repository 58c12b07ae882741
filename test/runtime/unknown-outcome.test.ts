/**
 * Unknown outcome: a loopback proxy lets a statement reach the server and cuts the connection when
 * the server's reply comes back. An INSERT cut that way is not retried: reconnecting() rejects with
 * `outcomeUnknown: true` and the row exists exactly once. A SELECT cut the same way is retried on a
 * new connection and succeeds. A write the caller declares idempotent is retried. Inside a
 * transaction nothing is retried, and the lost transaction blocks statements until ROLLBACK.
 */
import * as mariadb from 'mariadb';
import mysqljs from 'mysql';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransactionLostError, classifyError, reconnecting } from '../../src/runtime/index.js';
import type { Reconnecting } from '../../src/runtime/index.js';
import { MYSQL, PG, SKIP_MYSQL, SKIP_PG, mysqlExec, pgConfig, pgExec, rejectionOf } from './helpers/db.js';
import { CuttingProxy } from './helpers/proxy.js';

const MY_TABLE = 'dbg_outcome_my';
const PG_TABLE = 'dbg_outcome_pg';

interface Case {
  readonly name: string;
  readonly skip: boolean;
  readonly connect: (port: number) => Reconnecting<object>;
  readonly count: (tag: string) => Promise<number>;
  readonly insert: (tag: string) => string;
  readonly begin: string;
  readonly upsert: (tag: string) => string;
  readonly select: (tag: string) => string;
  /** The tag in a result row, whatever the driver's result shape. */
  readonly tagOf: (result: unknown) => unknown;
}

function mysqlTag(result: unknown): unknown {
  const rows = Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as unknown[]) : (result as unknown[]);
  return (rows[0] as { tag: unknown }).tag;
}

const mysqlStatements = {
  count: async (tag: string) => Number((await mysqlExec(`SELECT COUNT(*) AS n FROM ${MY_TABLE} WHERE tag = ?`, [tag]))[0]?.['n']),
  insert: (tag: string) => `INSERT INTO ${MY_TABLE} (tag) VALUES ('${tag}')`,
  begin: 'START TRANSACTION',
  upsert: (tag: string) => `INSERT INTO ${MY_TABLE} (tag) VALUES ('${tag}') ON DUPLICATE KEY UPDATE tag = tag`,
  select: (tag: string) => `SELECT '${tag}' AS tag`,
  tagOf: mysqlTag,
};

const cases: Case[] = [
  {
    name: 'mysql2/promise',
    skip: SKIP_MYSQL,
    connect: (port) => reconnecting(() => mysql.createConnection({ ...MYSQL, port })),
    ...mysqlStatements,
  },
  {
    name: 'mariadb',
    skip: SKIP_MYSQL,
    connect: (port) => reconnecting(() => mariadb.createConnection({ ...MYSQL, port })),
    ...mysqlStatements,
  },
  {
    name: 'mysql (callback)',
    skip: SKIP_MYSQL,
    connect: (port) => reconnecting(() => mysqljs.createConnection({ ...MYSQL, port })),
    ...mysqlStatements,
  },
  {
    name: 'pg',
    skip: SKIP_PG,
    connect: (port) => reconnecting(() => new pg.Client({ ...pgConfig(), port })),
    count: async (tag) => Number((await pgExec(`SELECT COUNT(*)::int AS n FROM ${PG_TABLE} WHERE tag = $1`, [tag]))[0]?.['n']),
    insert: (tag) => `INSERT INTO ${PG_TABLE} (tag) VALUES ('${tag}')`,
    begin: 'BEGIN',
    upsert: (tag) => `INSERT INTO ${PG_TABLE} (tag) VALUES ('${tag}') ON CONFLICT (tag) DO NOTHING`,
    select: (tag) => `SELECT '${tag}' AS tag`,
    tagOf: (result) => (result as pg.QueryResult<{ tag: string }>).rows[0]?.tag,
  },
];

beforeAll(async () => {
  if (!SKIP_MYSQL) {
    await mysqlExec(`DROP TABLE IF EXISTS ${MY_TABLE}`);
    await mysqlExec(`CREATE TABLE ${MY_TABLE} (id INT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(64) NOT NULL UNIQUE)`);
  }
  if (!SKIP_PG) {
    await pgExec(`DROP TABLE IF EXISTS ${PG_TABLE}`);
    await pgExec(`CREATE TABLE ${PG_TABLE} (id SERIAL PRIMARY KEY, tag TEXT NOT NULL UNIQUE)`);
  }
});

afterAll(async () => {
  if (!SKIP_MYSQL) await mysqlExec(`DROP TABLE IF EXISTS ${MY_TABLE}`);
  if (!SKIP_PG) await pgExec(`DROP TABLE IF EXISTS ${PG_TABLE}`);
});

for (const c of cases) {
  describe.skipIf(c.skip)(`lost reply on ${c.name}`, () => {
    let proxy: CuttingProxy;
    let db: Reconnecting<object>;
    const slug = c.name.replace(/\W+/g, '-');

    beforeAll(async () => {
      const target = c.name === 'pg' ? PG : MYSQL;
      proxy = await CuttingProxy.start(target.host, target.port);
      db = c.connect(proxy.port);
      await db.query(c.select('warm-up'));
    });

    afterAll(async () => {
      await db.end().catch(() => undefined);
      await proxy.close();
    });

    it('an INSERT whose reply is lost rejects with outcomeUnknown; the row exists exactly once', async () => {
      const tag = `ins-${slug}`;
      const cut = proxy.cutAfterReplyTo(tag);
      const connections = proxy.connections;
      const err = await rejectionOf(db.query(c.insert(tag)));
      await cut;
      expect(err['outcomeUnknown']).toBe(true);
      expect(classifyError(err)).toBe('stale');
      expect(await c.count(tag)).toBe(1);
      // Not retried: no second connection carried the statement.
      expect(proxy.markedRequests).toBe(1);
      expect(proxy.connections).toBe(connections);
      // The next statement reconnects.
      expect(c.tagOf(await db.query(c.select('after')))).toBe('after');
      expect(await c.count(tag)).toBe(1);
      console.info(`[unknown outcome ${c.name}] INSERT cut: ${typeof err['code'] === 'string' ? err['code'] : err.message} outcomeUnknown=${String(err['outcomeUnknown'])}, rows=1`);
    });

    it('a SELECT whose reply is lost is retried on a new connection and succeeds', async () => {
      const tag = `sel-${slug}`;
      const cut = proxy.cutAfterReplyTo(tag);
      const connections = proxy.connections;
      const before = db.connection;
      const result = await db.query(c.select(tag));
      await cut;
      expect(c.tagOf(result)).toBe(tag);
      expect(proxy.connections).toBe(connections + 1);
      expect(db.connection).not.toBe(before);
    });

    it('a write marked { idempotent: true } is retried once', async () => {
      const tag = `ups-${slug}`;
      const cut = proxy.cutAfterReplyTo(tag);
      await db.query(c.upsert(tag), undefined, { idempotent: true });
      await cut;
      expect(await c.count(tag)).toBe(1);
    });

    it('inside a transaction nothing is retried, and the lost transaction blocks statements until ROLLBACK', async () => {
      const tag = `tx-${slug}`;
      await db.query(c.begin);
      await db.query(c.insert(`${tag}-first`));
      const cut = proxy.cutAfterReplyTo(`${tag}-read`);
      const connections = proxy.connections;
      const lost = await rejectionOf(db.query(c.select(`${tag}-read`)));
      await cut;
      // A read, but inside the transaction: not retried on a new connection.
      expect(lost['outcomeUnknown']).toBe(true);
      expect(proxy.connections).toBe(connections);
      // Running the next statement in autocommit would split the transaction: refused.
      const refused = await rejectionOf(db.query(c.insert(`${tag}-second`)));
      expect(refused).toBeInstanceOf(TransactionLostError);
      expect(refused.cause).toBe(lost);
      expect(classifyError(refused)).toBe('not-sent');
      await db.query('ROLLBACK');
      await db.query(c.insert(`${tag}-after`));
      // The server rolled the lost transaction back; only the statement after ROLLBACK exists.
      expect([await c.count(`${tag}-first`), await c.count(`${tag}-second`), await c.count(`${tag}-after`)]).toEqual([0, 0, 1]);
    });

    it('a SELECT marked { idempotent: false } is not retried', async () => {
      const tag = `nor-${slug}`;
      const cut = proxy.cutAfterReplyTo(tag);
      const err = await rejectionOf(db.query(c.select(tag), undefined, { idempotent: false }));
      await cut;
      expect(err['outcomeUnknown']).toBe(true);
    });
  });
}
