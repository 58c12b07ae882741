import { RuleTester } from '@typescript-eslint/rule-tester';

import rule, { RULE_NAME } from '../../rules/no-leaked-connection.js';

const ruleTester = new RuleTester({
  languageOptions: { parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
});

// Every invalid case states the message data (which path leaks), the exact location, the autofix
// output (or null) and every suggestion's output.
ruleTester.run(RULE_NAME, rule, {
  valid: [
    {
      name: "real-world regression: oracle-finally-nested-try",
      code: `const oracledb = require('oracledb');
async function run() {
  let connection;
  try {
    connection = await oracledb.getConnection({});
    await connection.execute('select 1 from dual');
  } finally {
    if (connection) {
      try {
        await connection.close();
      } catch (err) {
        console.error(err);
      }
    }
  }
}
module.exports = run;`,
    },
    {
      name: "real-world regression: oracle-simple-guard",
      code: `const oracledb = require('oracledb');
async function run() {
  let connection;
  try {
    connection = await oracledb.getConnection({});
    await connection.execute('select 1 from dual');
  } finally {
    if (connection) {
      await connection.close();
    }
  }
}
module.exports = run;`,
    },
    {
      name: "real-world regression: pg-client-stored-before-connect",
      code: `import pg from 'pg';
let client = null;
export async function listen(config) {
  const next = new pg.Client(config);
  next.on('error', () => {});
  client = next; // kept in a module variable before connecting: closed elsewhere
  try {
    await next.connect();
    await next.query('LISTEN ch');
  } catch (err) {
    await next.end().catch(() => {});
    if (client === next) client = null;
    throw err;
  }
}
export async function close() {
  if (client) await client.end();
}`,
    },
    {
      name: "real-world regression: pg-connect-callback-by-reference",
      code: `import pg from 'pg';
const pool = new pg.Pool();
pool.on('error', () => {});
let listener = null;
const onConnect = (err, client, release) => {
  if (err) return;
  listener = { client, release };
  client.query('LISTEN jobs');
};
export function start() {
  pool.connect(onConnect);
}`,
    },
    {
      name: "real-world regression: then-awaited-continuation-conn",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run(flag) {
  const conn = await pool.getConnection();
  try {
    await conn.query('select 1').then(() => {
      if (flag) conn.release();
    });
    if (!flag) conn.release();
  } catch (err) {
    conn.release();
    throw err;
  }
}`,
    },
    {
      name: "real-world regression: typeorm-flag-runner",
      code: `import { DataSource } from 'typeorm';
const dataSource = new DataSource({ type: 'postgres' });
export async function store(values, queryRunner) {
  const ownRunner = queryRunner === undefined;
  if (ownRunner) {
    queryRunner = dataSource.createQueryRunner();
  }
  try {
    await queryRunner.query('insert into t values ($1)', values);
  } finally {
    if (ownRunner) await queryRunner.release();
  }
}`,
    },
    {
      name: "real-world regression: typeorm-mongo-runner",
      code: `export class MongoSchemaBuilder {
  constructor(dataSource) { this.dataSource = dataSource; }
  async build() {
    const queryRunner = this.dataSource.createQueryRunner();
    await queryRunner.createCollectionIndex('t', { a: 1 }, {});
  }
}`,
    },
    {
      name: "mysql2: release in finally",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find(id: number) {
  const conn = await pool.getConnection();
  try {
    const [rows] = await conn.query('SELECT * FROM users WHERE id = ?', [id]);
    return rows;
  } finally {
    conn.release();
  }
}`,
    },
    {
      name: "let outside try, optional release in finally",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find() {
  let conn;
  try {
    conn = await pool.getConnection();
    return await conn.query('SELECT 1');
  } finally {
    conn?.release();
  }
}`,
    },
    {
      name: "let outside try, if (conn) release in finally",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find() {
  let conn: mysql.PoolConnection | undefined;
  try {
    conn = await pool.getConnection();
    return await conn.query('SELECT 1');
  } finally {
    if (conn) conn.release();
  }
}`,
    },
    {
      name: "if (conn && ...) release in finally, after ifs already left and inside another",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find(flag: boolean) {
  let conn: mysql.PoolConnection | undefined;
  try {
    if (flag) console.log('before');
    conn = await pool.getConnection();
    if (flag) {
      if (!flag) console.log('nested');
    }
    return await conn.query('SELECT 1');
  } finally {
    if (flag) console.log('first');
    if (flag !== undefined) {
      if (flag) console.log('second');
      if (conn && flag !== undefined) conn.release();
      else if (conn) conn.release();
    } else if (conn) conn.release();
  }
}`,
    },
    {
      name: "release on success and in a catch that covers every call",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function save() {
  const client = await pool.connect();
  try {
    await client.query('UPDATE t SET x = 1');
    client.release();
  } catch (err) {
    client.release(err as Error);
    throw err;
  }
}`,
    },
    {
      name: "pg: try/finally with return await",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function count() {
  const client = await pool.connect();
  try {
    return (await client.query('SELECT count(*) FROM t')).rows[0];
  } finally {
    client.release();
  }
}`,
    },
    {
      name: "returned to the caller (factory)",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function checkout() {
  const conn = await pool.getConnection();
  await conn.query("SET time_zone = '+00:00'");
  return conn;
}`,
    },
    {
      name: "stored in a field",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export class Session {
  conn?: mysql.PoolConnection;
  async open() {
    this.conn = await pool.getConnection();
  }
  async openOther() {
    const c = await pool.getConnection();
    this.conn = c;
  }
}`,
    },
    {
      name: "stored in an outer variable by test hooks",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
let conn: mysql.PoolConnection;
beforeAll(async () => {
  conn = await pool.getConnection();
});
afterAll(() => conn.release());`,
    },
    {
      name: "passed to an unknown function and never released here (hand-off)",
      code: `import { pool } from './db';
export async function run() {
  const client = await pool.connect();
  await migrate(client);
}`,
    },
    {
      name: "resolved from a promise (callback wrapper)",
      code: `import mysql from 'mysql';
const pool = mysql.createPool({});
export function getConnection() {
  return new Promise((resolve, reject) => {
    pool.getConnection((err, conn) => {
      if (err) return reject(err);
      resolve(conn);
    });
  });
}`,
    },
    {
      name: "released by a same-file helper",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
function cleanup(c: mysql.PoolConnection) {
  c.release();
}
export async function run() {
  const c = await pool.getConnection();
  try {
    await c.query('SELECT 1');
  } finally {
    cleanup(c);
  }
}`,
    },
    {
      name: "pool.releaseConnection(conn) in finally",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run() {
  const c = await pool.getConnection();
  try {
    await c.query('SELECT 1');
  } finally {
    pool.releaseConnection(c);
  }
}`,
    },
    {
      name: "await using",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run() {
  await using conn = await pool.getConnection();
  await conn.query('SELECT 1');
}`,
    },
    {
      name: "managed helpers: withConnection, TypeORM and knex transaction(cb)",
      code: `import { withConnection } from 'db-connection-guard/runtime';
import { pool } from './db';
export async function run(dataSource, knex) {
  await withConnection(pool, async (conn) => conn.query('SELECT 1'));
  await dataSource.transaction(async (manager) => manager.query('SELECT 1'));
  await knex.transaction(async (trx) => trx.raw('SELECT 1'));
}`,
    },
    {
      name: "promise chain with .finally()",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export function run() {
  return pool.getConnection().then((conn) => conn.query('SELECT 1').finally(() => conn.release()));
}`,
    },
    {
      name: "promise chain releasing in both branches",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export function run() {
  return pool.getConnection().then((conn) =>
    conn.query('SELECT 1').then(
      (rows) => { conn.release(); return rows; },
      (err) => { conn.release(); throw err; },
    ),
  );
}`,
    },
    {
      name: "mysql callbacks: release first thing in the query callback",
      code: `import mysql from 'mysql';
const pool = mysql.createPool({});
export function find(cb) {
  pool.getConnection((err, conn) => {
    if (err) return cb(err);
    conn.query('SELECT 1', (error, rows) => {
      conn.release();
      if (error) return cb(error);
      cb(null, rows);
    });
  });
}`,
    },
    {
      name: "pg callback with done()",
      code: `import pg from 'pg';
const pool = new pg.Pool();
pool.connect((err, client, done) => {
  if (err) throw err;
  client.query('SELECT 1', (error, res) => {
    done();
    console.log(error, res);
  });
});`,
    },
    {
      name: "dedicated mysql connection ended after queued queries (callback API)",
      code: `import mysql from 'mysql';
export function run() {
  const c = mysql.createConnection({});
  c.connect();
  c.query('SELECT 1', (err, rows) => console.log(err, rows));
  c.end();
}`,
    },
    {
      name: "pg Client: connect, then try/finally end",
      code: `import { Client } from 'pg';
export async function run() {
  const client = new Client();
  await client.connect();
  try {
    return await client.query('SELECT 1');
  } finally {
    await client.end();
  }
}`,
    },
    {
      name: "generic-pool acquire / release",
      code: `import genericPool from 'generic-pool';
const pool = genericPool.createPool({ create: async () => ({}), destroy: async () => {} });
export async function run() {
  const resource = await pool.acquire();
  try {
    await use(resource);
  } finally {
    await pool.release(resource);
  }
}`,
    },
    {
      name: "TypeORM query runner released in finally",
      code: `export async function run(dataSource) {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  try {
    await queryRunner.query('SELECT 1');
  } finally {
    await queryRunner.release();
  }
}`,
    },
    {
      name: "oracledb pool connection closed in finally",
      code: `import oracledb from 'oracledb';
export async function run() {
  const pool = await oracledb.createPool({});
  const conn = await pool.getConnection();
  try {
    return await conn.execute('SELECT 1 FROM dual');
  } finally {
    await conn.close();
  }
}`,
    },
    {
      name: "mssql ConnectionPool closed in finally",
      code: `import sql from 'mssql';
export async function run() {
  const pool = new sql.ConnectionPool({});
  await pool.connect();
  try {
    return await pool.request().query('SELECT 1');
  } finally {
    await pool.close();
  }
}`,
    },
    {
      name: "nested function owns its own connection",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function outer() {
  const inner = async () => {
    const c = await pool.connect();
    try {
      await c.query('SELECT 1');
    } finally {
      c.release();
    }
  };
  await inner();
}`,
    },
    {
      name: "loop with break inside try/finally",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function drain() {
  const c = await pool.getConnection();
  try {
    while (true) {
      const [rows] = await c.query<any[]>('DELETE FROM q LIMIT 100');
      if (!rows.length) break;
    }
  } finally {
    c.release();
  }
}`,
    },
    {
      name: "error-first guard in a mariadb-style catch: nothing acquired on failure",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run() {
  let conn;
  try {
    conn = await pool.getConnection();
  } catch {
    return null;
  }
  if (!conn) return null;
  try {
    return await conn.query('SELECT 1');
  } finally {
    conn.release();
  }
}`,
    },
    {
      name: "unrelated APIs named connect / acquire / getConnection",
      code: `import puppeteer from 'puppeteer';
import amqp from 'amqplib';
import mongoose from 'mongoose';
import net from 'node:net';
import { getConnection } from 'typeorm';
export async function run(mutex, file) {
  const browser = await puppeteer.connect({ browserWSEndpoint: 'ws://x' });
  const channel = await (await amqp.connect('amqp://x')).createChannel();
  await mongoose.connect('mongodb://x');
  const socket = net.connect(80);
  const release = await mutex.acquire();
  const repo = getConnection().getRepository('User');
  await Promise.all([browser, channel, socket, release, repo, file]);
}`,
    },
    {
      name: "mysql2 connection method calls on an unrelated receiver",
      code: `export async function run(conn) {
  await conn.query('SELECT 1');
  conn.release();
}`,
    },
  ],
  invalid: [
    {
      name: "a comment on the release line moves into the finally with it",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function touch(id: number) {
  const conn = await pool.getConnection();
  await conn.query('UPDATE t SET seen = NOW() WHERE id = ?', [id]);
  conn.release(); // back to the pool
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.getConnection()", what: "`conn.query()`", line: "5" },
          line: 4,
          column: 22,
          endLine: 4,
          endColumn: 42,
          suggestions: [],
        },
      ],
      output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function touch(id: number) {
  const conn = await pool.getConnection();
  try {
    await conn.query('UPDATE t SET seen = NOW() WHERE id = ?', [id]);
  } finally {
    conn.release(); // back to the pool
  }
}`,
    },
    {
      name: "mysql2: release only on the happy path (autofix)",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find(id: number) {
  const conn = await pool.getConnection();
  // look the user up
  const [rows] = await conn.query('SELECT * FROM users WHERE id = ?', [id]);
  conn.release();
  return rows;
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.getConnection()", what: "`conn.query()`", line: "6" },
          line: 4,
          column: 22,
          endLine: 4,
          endColumn: 42,
          suggestions: [
            { messageId: 'suggestWithConnection', output: `import mysql from 'mysql2/promise';
import { withConnection } from 'db-connection-guard/runtime';
const pool = mysql.createPool({});
export async function find(id: number) {
  return withConnection(pool, async (conn) => {
    // look the user up
    const [rows] = await conn.query('SELECT * FROM users WHERE id = ?', [id]);
    return rows;
  });
}` },
            { messageId: 'suggestAwaitUsing', output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find(id: number) {
  await using conn = await pool.getConnection();
  // look the user up
  const [rows] = await conn.query('SELECT * FROM users WHERE id = ?', [id]);
  return rows;
}` },
          ],
        },
      ],
      output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find(id: number) {
  const conn = await pool.getConnection();
  try {
    // look the user up
    const [rows] = await conn.query('SELECT * FROM users WHERE id = ?', [id]);
    return rows;
  } finally {
    conn.release();
  }
}`,
    },
    {
      name: "pg: release then more work that does not use the results",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function save(id: number) {
	const client = await pool.connect();
	await client.query('UPDATE t SET x = 1 WHERE id = $1', [id]);
	client.release();
	await notify(id);
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.connect()", what: "`client.query()`", line: "5" },
          line: 4,
          column: 23,
          endLine: 4,
          endColumn: 37,
          suggestions: [],
        },
      ],
      output: `import { Pool } from 'pg';
const pool = new Pool();
export async function save(id: number) {
	const client = await pool.connect();
	try {
		await client.query('UPDATE t SET x = 1 WHERE id = $1', [id]);
	} finally {
		client.release();
	}
	await notify(id);
}`,
    },
    {
      name: "early return without release inside the range (fixed by the same wrap)",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find(id: number) {
  const conn = await pool.getConnection();
  const [rows] = await conn.query<any[]>('SELECT * FROM users WHERE id = ?', [id]);
  if (!rows.length) return null;
  conn.release();
  return rows[0];
}`,
      errors: [
        {
          messageId: 'earlyExit',
          data: { source: "pool.getConnection()", how: "the function returns", line: "6" },
          line: 4,
          column: 22,
          endLine: 4,
          endColumn: 42,
          suggestions: [
            { messageId: 'suggestWithConnection', output: `import mysql from 'mysql2/promise';
import { withConnection } from 'db-connection-guard/runtime';
const pool = mysql.createPool({});
export async function find(id: number) {
  return withConnection(pool, async (conn) => {
    const [rows] = await conn.query<any[]>('SELECT * FROM users WHERE id = ?', [id]);
    if (!rows.length) return null;
    return rows[0];
  });
}` },
            { messageId: 'suggestAwaitUsing', output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find(id: number) {
  await using conn = await pool.getConnection();
  const [rows] = await conn.query<any[]>('SELECT * FROM users WHERE id = ?', [id]);
  if (!rows.length) return null;
  return rows[0];
}` },
          ],
        },
      ],
      output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find(id: number) {
  const conn = await pool.getConnection();
  try {
    const [rows] = await conn.query<any[]>('SELECT * FROM users WHERE id = ?', [id]);
    if (!rows.length) return null;
    return rows[0];
  } finally {
    conn.release();
  }
}`,
    },
    {
      name: "early release before return and a template literal in the range",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find(id: number) {
  const conn = await pool.getConnection(); // checkout
  const [rows] = await conn.query<any[]>(\`
    SELECT *
    FROM users
    WHERE id = ?\`, [id]);
  if (!rows.length) {
    conn.release();
    return null;
  }
  conn.release();
  return rows[0];
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.getConnection()", what: "`conn.query()`", line: "5" },
          line: 4,
          column: 22,
          endLine: 4,
          endColumn: 42,
          suggestions: [
            { messageId: 'suggestWithConnection', output: `import mysql from 'mysql2/promise';
import { withConnection } from 'db-connection-guard/runtime';
const pool = mysql.createPool({});
export async function find(id: number) {
  return withConnection(pool, async (conn) => { // checkout
    const [rows] = await conn.query<any[]>(\`
    SELECT *
    FROM users
    WHERE id = ?\`, [id]);
    if (!rows.length) {
      return null;
    }
    return rows[0];
  });
}` },
            { messageId: 'suggestAwaitUsing', output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find(id: number) {
  await using conn = await pool.getConnection(); // checkout
  const [rows] = await conn.query<any[]>(\`
    SELECT *
    FROM users
    WHERE id = ?\`, [id]);
  if (!rows.length) {
    return null;
  }
  return rows[0];
}` },
          ],
        },
      ],
      output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find(id: number) {
  const conn = await pool.getConnection(); // checkout
  try {
    const [rows] = await conn.query<any[]>(\`
    SELECT *
    FROM users
    WHERE id = ?\`, [id]);
    if (!rows.length) {
      return null;
    }
    return rows[0];
  } finally {
    conn.release();
  }
}`,
    },
    {
      name: "result used after release together with an await: no autofix, suggestions only",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find(id: number) {
  const conn = await pool.getConnection();
  const [rows] = await conn.query('SELECT 1');
  conn.release();
  await audit(rows);
  return rows;
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.getConnection()", what: "`conn.query()`", line: "5" },
          line: 4,
          column: 22,
          endLine: 4,
          endColumn: 42,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "released only in catch",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run() {
  const c = await pool.getConnection();
  try {
    await c.query('SELECT 1');
  } catch (e) {
    c.release();
    throw e;
  }
}`,
      errors: [
        {
          messageId: 'earlyExit',
          data: { source: "pool.getConnection()", how: "the function reaches its end", line: "11" },
          line: 4,
          column: 19,
          endLine: 4,
          endColumn: 39,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "pg: early return skips the release",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function find(id: number) {
  const client = await pool.connect();
  try {
    const r = await client.query('SELECT 1');
    if (!r.rows.length) return null;
    client.release();
    return r.rows[0];
  } catch (e) {
    client.release();
    throw e;
  }
}`,
      errors: [
        {
          messageId: 'earlyExit',
          data: { source: "pool.connect()", how: "the function returns", line: "7" },
          line: 4,
          column: 24,
          endLine: 4,
          endColumn: 38,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "explicit throw before the release",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run(input: string) {
  const conn = await pool.getConnection();
  if (!input) throw new Error('input required');
  conn.release();
}`,
      errors: [
        {
          messageId: 'earlyExit',
          data: { source: "pool.getConnection()", how: "the function throws", line: "5" },
          line: 4,
          column: 22,
          endLine: 4,
          endColumn: 42,
          suggestions: [
            { messageId: 'suggestWithConnection', output: `import mysql from 'mysql2/promise';
import { withConnection } from 'db-connection-guard/runtime';
const pool = mysql.createPool({});
export async function run(input: string) {
  await withConnection(pool, async (conn) => {
    if (!input) throw new Error('input required');
  });
}` },
            { messageId: 'suggestAwaitUsing', output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run(input: string) {
  await using conn = await pool.getConnection();
  if (!input) throw new Error('input required');
}` },
          ],
        },
      ],
      output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run(input: string) {
  const conn = await pool.getConnection();
  try {
    if (!input) throw new Error('input required');
  } finally {
    conn.release();
  }
}`,
    },
    {
      name: "never released",
      code: `import { pool } from './db';
export async function run() {
  const client = await pool.connect();
  await client.query('SELECT 1');
}`,
      errors: [
        {
          messageId: 'neverReleased',
          data: { source: "pool.connect()" },
          line: 3,
          column: 24,
          endLine: 3,
          endColumn: 38,
          suggestions: [
            { messageId: 'suggestWithConnection', output: `import { pool } from './db';
import { withConnection } from 'db-connection-guard/runtime';
export async function run() {
  await withConnection(pool, async (client) => {
    await client.query('SELECT 1');
  });
}` },
          ],
        },
      ],
      output: null,
    },
    {
      name: "discarded checkout",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function warm() {
  await pool.getConnection();
}`,
      errors: [
        {
          messageId: 'neverReleased',
          data: { source: "pool.getConnection()" },
          line: 4,
          column: 9,
          endLine: 4,
          endColumn: 29,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "mysql callbacks: if (err) return cb(err) before release",
      code: `import mysql from 'mysql';
const pool = mysql.createPool({});
export function find(cb) {
  pool.getConnection((err, conn) => {
    if (err) return cb(err);
    conn.query('SELECT 1', (error, rows) => {
      if (error) return cb(error);
      conn.release();
      cb(null, rows);
    });
  });
}`,
      errors: [
        {
          messageId: 'callbackPath',
          data: { source: "pool.getConnection()", how: "it returns", line: "7" },
          line: 4,
          column: 3,
          endLine: 4,
          endColumn: 21,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "pg callback: done() missing on the error branch",
      code: `import pg from 'pg';
const pool = new pg.Pool();
pool.connect((err, client, done) => {
  if (err) throw err;
  client.query('SELECT 1', (error) => {
    if (error) {
      console.error(error);
      return;
    }
    done();
  });
});`,
      errors: [
        {
          messageId: 'callbackPath',
          data: { source: "pool.connect()", how: "it returns", line: "8" },
          line: 3,
          column: 1,
          endLine: 3,
          endColumn: 13,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "promise chain releasing only on success",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export function run() {
  return pool.getConnection().then((conn) =>
    conn.query('SELECT 1').then((rows) => {
      conn.release();
      return rows;
    }),
  );
}`,
      errors: [
        {
          messageId: 'rejectionPath',
          data: { source: "pool.getConnection()", line: "5" },
          line: 4,
          column: 10,
          endLine: 4,
          endColumn: 30,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "loop: continue skips the release",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function each(ids: number[]) {
  for (const id of ids) {
    const c = await pool.getConnection();
    try {
      if (id < 0) continue;
      await c.query('DELETE FROM t WHERE id = ?', [id]);
    } catch (e) {
      c.release();
      throw e;
    }
    c.release();
  }
}`,
      errors: [
        {
          messageId: 'earlyExit',
          data: { source: "pool.getConnection()", how: "the loop continues", line: "7" },
          line: 5,
          column: 21,
          endLine: 5,
          endColumn: 41,
          suggestions: [
            { messageId: 'suggestAwaitUsing', output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function each(ids: number[]) {
  for (const id of ids) {
    await using c = await pool.getConnection();
    try {
      if (id < 0) continue;
      await c.query('DELETE FROM t WHERE id = ?', [id]);
    } catch (e) {
      throw e;
    }
  }
}` },
          ],
        },
      ],
      output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function each(ids: number[]) {
  for (const id of ids) {
    const c = await pool.getConnection();
    try {
      try {
        if (id < 0) continue;
        await c.query('DELETE FROM t WHERE id = ?', [id]);
      } catch (e) {
        throw e;
      }
    } finally {
      c.release();
    }
  }
}`,
    },
    {
      name: "switch: one case returns without release",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run(kind: number) {
  const c = await pool.getConnection();
  switch (kind) {
    case 1:
      c.release();
      return 1;
    case 2:
      return 2;
    default:
      c.release();
  }
}`,
      errors: [
        {
          messageId: 'earlyExit',
          data: { source: "pool.getConnection()", how: "the function returns", line: "10" },
          line: 4,
          column: 19,
          endLine: 4,
          endColumn: 39,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "class method, this.pool",
      code: `import type { Pool } from 'pg';
export class Repo {
  constructor(private readonly pool: Pool) {}
  async find() {
    const client = await this.pool.connect();
    const r = await client.query('SELECT 1');
    client.release();
    return r.rows;
  }
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "this.pool.connect()", what: "`client.query()`", line: "6" },
          line: 5,
          column: 26,
          endLine: 5,
          endColumn: 45,
          suggestions: [
            { messageId: 'suggestWithConnection', output: `import type { Pool } from 'pg';
import { withConnection } from 'db-connection-guard/runtime';
export class Repo {
  constructor(private readonly pool: Pool) {}
  async find() {
    return withConnection(this.pool, async (client) => {
      const r = await client.query('SELECT 1');
      return r.rows;
    });
  }
}` },
          ],
        },
      ],
      output: `import type { Pool } from 'pg';
export class Repo {
  constructor(private readonly pool: Pool) {}
  async find() {
    const client = await this.pool.connect();
    try {
      const r = await client.query('SELECT 1');
      return r.rows;
    } finally {
      client.release();
    }
  }
}`,
    },
    {
      name: "nested arrow function leaks",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export const handler = async () => {
  const items = await Promise.all([1, 2].map(async (id) => {
    const c = await pool.connect();
    const r = await c.query('SELECT $1::int', [id]);
    c.release();
    return r.rows;
  }));
  return items;
};`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.connect()", what: "`c.query()`", line: "6" },
          line: 5,
          column: 21,
          endLine: 5,
          endColumn: 35,
          suggestions: [
            { messageId: 'suggestWithConnection', output: `import { Pool } from 'pg';
import { withConnection } from 'db-connection-guard/runtime';
const pool = new Pool();
export const handler = async () => {
  const items = await Promise.all([1, 2].map(async (id) => {
    return withConnection(pool, async (c) => {
      const r = await c.query('SELECT $1::int', [id]);
      return r.rows;
    });
  }));
  return items;
};` },
          ],
        },
      ],
      output: `import { Pool } from 'pg';
const pool = new Pool();
export const handler = async () => {
  const items = await Promise.all([1, 2].map(async (id) => {
    const c = await pool.connect();
    try {
      const r = await c.query('SELECT $1::int', [id]);
      return r.rows;
    } finally {
      c.release();
    }
  }));
  return items;
};`,
    },
    {
      name: "mysql2 dedicated connection ended on the happy path",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run() {
  const c = await mysql.createConnection({});
  const [rows] = await c.query('SELECT 1');
  await c.end();
  return rows;
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "mysql.createConnection()", what: "`c.query()`", line: "5" },
          line: 4,
          column: 19,
          endLine: 4,
          endColumn: 45,
          suggestions: [],
        },
      ],
      output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run() {
  const c = await mysql.createConnection({});
  try {
    const [rows] = await c.query('SELECT 1');
    return rows;
  } finally {
    await c.end();
  }
}`,
    },
    {
      name: "pg Client ended on the happy path",
      code: `import { Client } from 'pg';
export async function run() {
  const client = new Client();
  await client.connect();
  const res = await client.query('SELECT 1');
  await client.end();
  return res.rows;
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "new Client()", what: "`client.query()`", line: "5" },
          line: 3,
          column: 18,
          endLine: 3,
          endColumn: 30,
          suggestions: [],
        },
      ],
      output: `import { Client } from 'pg';
export async function run() {
  const client = new Client();
  await client.connect();
  try {
    const res = await client.query('SELECT 1');
    return res.rows;
  } finally {
    await client.end();
  }
}`,
    },
    {
      // A driver's factory imported under another name: the file names no acquiring call, but imports a driver.
      name: 'a mysql2 factory imported under another name',
      code: `import { createConnection as open } from 'mysql2/promise';
export async function run() {
  const conn = await open({});
  const [rows] = await conn.query('SELECT 1');
  await conn.end();
  return rows;
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: 'open()', what: '`conn.query()`', line: '4' },
          line: 3,
          column: 22,
          endLine: 3,
          endColumn: 30,
          suggestions: [],
        },
      ],
      output: `import { createConnection as open } from 'mysql2/promise';
export async function run() {
  const conn = await open({});
  try {
    const [rows] = await conn.query('SELECT 1');
    return rows;
  } finally {
    await conn.end();
  }
}`,
    },
    {
      name: 'a pg Client required under another name',
      code: `const { Client: Pg } = require('pg');
export async function run() {
  const client = new Pg();
  await client.connect();
  const res = await client.query('SELECT 1');
  await client.end();
  return res.rows;
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: 'new Pg()', what: '`client.query()`', line: '5' },
          line: 3,
          column: 18,
          endLine: 3,
          endColumn: 26,
          suggestions: [],
        },
      ],
      output: `const { Client: Pg } = require('pg');
export async function run() {
  const client = new Pg();
  await client.connect();
  try {
    const res = await client.query('SELECT 1');
    return res.rows;
  } finally {
    await client.end();
  }
}`,
    },
    {
      // The driver imports are read from the syntax (driverImports): a comment before the module name changes nothing.
      name: "pg Client of a module required with a comment before its name",
      code: `const pg = require(/* the driver */ 'pg');
export async function run() {
  const client = new pg.Client();
  await client.connect();
  const res = await client.query('SELECT 1');
  await client.end();
  return res.rows;
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "new pg.Client()", what: "`client.query()`", line: "5" },
          line: 3,
          column: 18,
          endLine: 3,
          endColumn: 33,
          suggestions: [],
        },
      ],
      output: `const pg = require(/* the driver */ 'pg');
export async function run() {
  const client = new pg.Client();
  await client.connect();
  try {
    const res = await client.query('SELECT 1');
    return res.rows;
  } finally {
    await client.end();
  }
}`,
    },
    {
      name: "mysql2 callback pool via pool.promise()",
      code: `const mysql = require('mysql2');
const pool = mysql.createPool({});
async function run() {
  const conn = await pool.promise().getConnection();
  await conn.query('SELECT 1');
  conn.release();
}
module.exports = { run };`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.promise().getConnection()", what: "`conn.query()`", line: "5" },
          line: 4,
          column: 22,
          endLine: 4,
          endColumn: 52,
          suggestions: [
            { messageId: 'suggestWithConnection', output: `const mysql = require('mysql2');
const { withConnection } = require('db-connection-guard/runtime');
const pool = mysql.createPool({});
async function run() {
  await withConnection(pool.promise(), async (conn) => {
    await conn.query('SELECT 1');
  });
}
module.exports = { run };` },
            { messageId: 'suggestAwaitUsing', output: `const mysql = require('mysql2');
const pool = mysql.createPool({});
async function run() {
  await using conn = await pool.promise().getConnection();
  await conn.query('SELECT 1');
}
module.exports = { run };` },
          ],
        },
      ],
      output: `const mysql = require('mysql2');
const pool = mysql.createPool({});
async function run() {
  const conn = await pool.promise().getConnection();
  try {
    await conn.query('SELECT 1');
  } finally {
    conn.release();
  }
}
module.exports = { run };`,
    },
    {
      name: "mariadb: end() only on success",
      code: `import * as mariadb from 'mariadb';
const pool = mariadb.createPool({});
export async function run() {
  const conn = await pool.getConnection();
  const rows = await conn.query('SELECT 1');
  conn.end();
  return rows;
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.getConnection()", what: "`conn.query()`", line: "5" },
          line: 4,
          column: 22,
          endLine: 4,
          endColumn: 42,
          suggestions: [
            { messageId: 'suggestWithConnection', output: `import * as mariadb from 'mariadb';
import { withConnection } from 'db-connection-guard/runtime';
const pool = mariadb.createPool({});
export async function run() {
  return withConnection(pool, async (conn) => {
    const rows = await conn.query('SELECT 1');
    return rows;
  });
}` },
            { messageId: 'suggestAwaitUsing', output: `import * as mariadb from 'mariadb';
const pool = mariadb.createPool({});
export async function run() {
  await using conn = await pool.getConnection();
  const rows = await conn.query('SELECT 1');
  return rows;
}` },
          ],
        },
      ],
      output: `import * as mariadb from 'mariadb';
const pool = mariadb.createPool({});
export async function run() {
  const conn = await pool.getConnection();
  try {
    const rows = await conn.query('SELECT 1');
    return rows;
  } finally {
    conn.end();
  }
}`,
    },
    {
      name: "TypeORM query runner released on the happy path",
      code: `export async function run(dataSource) {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  await queryRunner.query('SELECT 1');
  await queryRunner.release();
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "dataSource.createQueryRunner()", what: "`queryRunner.query()`", line: "4" },
          line: 2,
          column: 23,
          endLine: 2,
          endColumn: 53,
          suggestions: [],
        },
      ],
      output: `export async function run(dataSource) {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  try {
    await queryRunner.query('SELECT 1');
  } finally {
    await queryRunner.release();
  }
}`,
    },
    {
      name: "tarn acquire().promise",
      code: `import { Pool } from 'tarn';
const pool = new Pool({ create: () => ({}), destroy: () => {}, min: 0, max: 1 });
export async function run() {
  const r = await pool.acquire().promise;
  await r.ping();
  pool.release(r);
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.acquire()", what: "`r.ping()`", line: "5" },
          line: 4,
          column: 19,
          endLine: 4,
          endColumn: 33,
          suggestions: [
            { messageId: 'suggestWithConnection', output: `import { Pool } from 'tarn';
import { withConnection } from 'db-connection-guard/runtime';
const pool = new Pool({ create: () => ({}), destroy: () => {}, min: 0, max: 1 });
export async function run() {
  await withConnection(pool, async (r) => {
    await r.ping();
  });
}` },
          ],
        },
      ],
      output: `import { Pool } from 'tarn';
const pool = new Pool({ create: () => ({}), destroy: () => {}, min: 0, max: 1 });
export async function run() {
  const r = await pool.acquire().promise;
  try {
    await r.ping();
  } finally {
    pool.release(r);
  }
}`,
    },
    {
      name: "oracledb standalone connection",
      code: `import oracledb from 'oracledb';
export async function run() {
  const c = await oracledb.getConnection({});
  const r = await c.execute('SELECT 1 FROM dual');
  await c.close();
  return r;
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "oracledb.getConnection()", what: "`c.execute()`", line: "4" },
          line: 3,
          column: 19,
          endLine: 3,
          endColumn: 45,
          suggestions: [],
        },
      ],
      output: `import oracledb from 'oracledb';
export async function run() {
  const c = await oracledb.getConnection({});
  try {
    const r = await c.execute('SELECT 1 FROM dual');
    return r;
  } finally {
    await c.close();
  }
}`,
    },
    {
      name: "knex acquireConnection / releaseConnection",
      code: `export async function run(knex) {
  const conn = await knex.client.acquireConnection();
  await knex.raw('SELECT 1').connection(conn);
  await knex.client.releaseConnection(conn);
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "knex.client.acquireConnection()", what: "`knex.raw('SELECT 1').connection()`", line: "3" },
          line: 2,
          column: 22,
          endLine: 2,
          endColumn: 53,
          suggestions: [],
        },
      ],
      output: `export async function run(knex) {
  const conn = await knex.client.acquireConnection();
  try {
    await knex.raw('SELECT 1').connection(conn);
  } finally {
    await knex.client.releaseConnection(conn);
  }
}`,
    },
    {
      name: "mssql new ConnectionPool(cfg).connect() in a function",
      code: `import sql from 'mssql';
export async function run() {
  const pool = await new sql.ConnectionPool({}).connect();
  const r = await pool.request().query('SELECT 1');
  await pool.close();
  return r;
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "new sql.ConnectionPool()", what: "`pool.request().query()`", line: "4" },
          line: 3,
          column: 22,
          endLine: 3,
          endColumn: 48,
          suggestions: [],
        },
      ],
      output: `import sql from 'mssql';
export async function run() {
  const pool = await new sql.ConnectionPool({}).connect();
  try {
    const r = await pool.request().query('SELECT 1');
    return r;
  } finally {
    await pool.close();
  }
}`,
    },
    {
      name: "local function that returns an acquisition",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
async function getConn() {
  return pool.getConnection();
}
export async function run() {
  const c = await getConn();
  await c.query('SELECT 1');
  c.release();
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "getConn()", what: "`c.query()`", line: "8" },
          line: 7,
          column: 19,
          endLine: 7,
          endColumn: 28,
          suggestions: [],
        },
      ],
      output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
async function getConn() {
  return pool.getConnection();
}
export async function run() {
  const c = await getConn();
  try {
    await c.query('SELECT 1');
  } finally {
    c.release();
  }
}`,
    },
    {
      name: "settings: in-house acquire and release methods",
      code: `import { db } from './db';
export async function run() {
  const c = await db.checkout();
  await c.query('SELECT 1');
  c.giveBack();
}`,
      settings: {"db-guard":{"acquire":["checkout"],"release":["giveBack"]}},
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "db.checkout()", what: "`c.query()`", line: "4" },
          line: 3,
          column: 19,
          endLine: 3,
          endColumn: 32,
          suggestions: [],
        },
      ],
      output: `import { db } from './db';
export async function run() {
  const c = await db.checkout();
  try {
    await c.query('SELECT 1');
  } finally {
    c.giveBack();
  }
}`,
    },
    {
      name: "settings: pool modules make any imported name a pool",
      code: `import main from '@acme/db';
export async function run() {
  const c = await main.connect();
  await c.query('SELECT 1');
  c.release();
}`,
      settings: {"db-guard":{"poolModules":["@acme/db"]}},
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "main.connect()", what: "`c.query()`", line: "4" },
          line: 3,
          column: 19,
          endLine: 3,
          endColumn: 33,
          suggestions: [
            { messageId: 'suggestWithConnection', output: `import main from '@acme/db';
import { withConnection } from 'db-connection-guard/runtime';
export async function run() {
  await withConnection(main, async (c) => {
    await c.query('SELECT 1');
  });
}` },
          ],
        },
      ],
      output: `import main from '@acme/db';
export async function run() {
  const c = await main.connect();
  try {
    await c.query('SELECT 1');
  } finally {
    c.release();
  }
}`,
    },
    {
      name: "fix: suggestion mode turns the autofix into a suggestion",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function run() {
  const c = await pool.connect();
  await c.query('SELECT 1');
  c.release();
}`,
      options: [{"fix":"suggestion"}],
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.connect()", what: "`c.query()`", line: "5" },
          line: 4,
          column: 19,
          endLine: 4,
          endColumn: 33,
          suggestions: [
            { messageId: 'suggestTryFinally', output: `import { Pool } from 'pg';
const pool = new Pool();
export async function run() {
  const c = await pool.connect();
  try {
    await c.query('SELECT 1');
  } finally {
    c.release();
  }
}` },
            { messageId: 'suggestWithConnection', output: `import { Pool } from 'pg';
import { withConnection } from 'db-connection-guard/runtime';
const pool = new Pool();
export async function run() {
  await withConnection(pool, async (c) => {
    await c.query('SELECT 1');
  });
}` },
          ],
        },
      ],
      output: null,
    },
    {
      name: "fix: none",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function run() {
  const c = await pool.connect();
  await c.query('SELECT 1');
  c.release();
}`,
      options: [{"fix":"none"}],
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.connect()", what: "`c.query()`", line: "5" },
          line: 4,
          column: 19,
          endLine: 4,
          endColumn: 33,
          suggestions: [
            { messageId: 'suggestWithConnection', output: `import { Pool } from 'pg';
import { withConnection } from 'db-connection-guard/runtime';
const pool = new Pool();
export async function run() {
  await withConnection(pool, async (c) => {
    await c.query('SELECT 1');
  });
}` },
          ],
        },
      ],
      output: null,
    },
    {
      name: "requireFinally: a correct catch/success release is still reported",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function save() {
  const client = await pool.connect();
  try {
    await client.query('UPDATE t SET x = 1');
    client.release();
  } catch (err) {
    client.release(err as Error);
    throw err;
  }
}`,
      options: [{"requireFinally":true}],
      errors: [
        {
          messageId: 'releaseNotInFinally',
          data: { release: "client.release()" },
          line: 7,
          column: 5,
          endLine: 7,
          endColumn: 21,
          suggestions: [],
        },
        {
          messageId: 'releaseNotInFinally',
          data: { release: "client.release(err as Error)" },
          line: 9,
          column: 5,
          endLine: 9,
          endColumn: 33,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "withConnection suggestion adds to an existing runtime import",
      code: `import { withTransaction } from 'db-connection-guard/runtime';
import { pool } from './db';
export async function run() {
  const c = await pool.getConnection();
  const [rows] = await c.query('SELECT 1');
  c.release();
  return rows;
}
export const other = withTransaction;`,
      options: [{"fix":"none"}],
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.getConnection()", what: "`c.query()`", line: "5" },
          line: 4,
          column: 19,
          endLine: 4,
          endColumn: 39,
          suggestions: [
            { messageId: 'suggestWithConnection', output: `import { withTransaction, withConnection } from 'db-connection-guard/runtime';
import { pool } from './db';
export async function run() {
  return withConnection(pool, async (c) => {
    const [rows] = await c.query('SELECT 1');
    return rows;
  });
}
export const other = withTransaction;` },
          ],
        },
      ],
      output: null,
    },
    {
      name: "no scope-wide suggestion when work after the release awaits (it would hold the connection)",
      code: `import { withTransaction } from 'db-connection-guard/runtime';
import { pool } from './db';
export async function run() {
  const c = await pool.getConnection();
  const [rows] = await c.query('SELECT 1');
  c.release();
  await withTransaction(pool, async () => rows);
}`,
      options: [{"fix":"none"}],
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.getConnection()", what: "`c.query()`", line: "5" },
          line: 4,
          column: 19,
          endLine: 4,
          endColumn: 39,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "withConnection name taken: no withConnection suggestion",
      code: `import { pool } from './db';
import { withConnection } from './other';
export async function run() {
  const c = await pool.getConnection();
  await c.query('SELECT 1');
  c.release();
  await withConnection();
}`,
      options: [{"fix":"none"}],
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.getConnection()", what: "`c.query()`", line: "5" },
          line: 4,
          column: 19,
          endLine: 4,
          endColumn: 39,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "CommonJS file gets a require for the suggestion",
      code: `'use strict';
const { pool } = require('./db');
async function run() {
  const c = await pool.getConnection();
  await c.query('SELECT 1');
  c.release();
}
module.exports = { run };`,
      options: [{"fix":"none"}],
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "pool.getConnection()", what: "`c.query()`", line: "5" },
          line: 4,
          column: 19,
          endLine: 4,
          endColumn: 39,
          suggestions: [
            { messageId: 'suggestWithConnection', output: `'use strict';
const { pool } = require('./db');
const { withConnection } = require('db-connection-guard/runtime');
async function run() {
  await withConnection(pool, async (c) => {
    await c.query('SELECT 1');
  });
}
module.exports = { run };` },
          ],
        },
      ],
      output: null,
    },
  ],
});
