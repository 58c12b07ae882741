import { RuleTester } from '@typescript-eslint/rule-tester';

import rule, { RULE_NAME } from '../../rules/handle-stale-connection.js';

const ruleTester = new RuleTester({
  languageOptions: { parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
});

const REMEDY =
  'create it with `reconnecting()` from `db-connection-guard/runtime`, use a pool, or replace the connection when a query fails with a lost-connection error';
const CHECKOUT_REMEDY = 'query the pool itself, or check a connection out for each unit of work and release it';
/** Message data of a query on a dedicated connection created on `line`. */
const onConnection = (call: string, line: number) => ({ call, what: 'connection', line: String(line), remedy: REMEDY });

ruleTester.run(RULE_NAME, rule, {
  valid: [
    {
      name: 'mysql2: queries through a pool',
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find() {
  return pool.query('SELECT 1');
}
export async function run() {
  return pool.execute('SELECT 2');
}`,
    },
    {
      name: 'pg: queries through a pool, pg-pool too',
      code: `import pg from 'pg';
import PgPool from 'pg-pool';
const pool = new pg.Pool();
const other = new PgPool();
export const find = () => pool.query('SELECT 1');
export const count = () => other.query('SELECT count(*) FROM t');`,
    },
    {
      name: 'mysql2: created and ended within one function',
      code: `import mysql from 'mysql2/promise';
export async function job() {
  const conn = await mysql.createConnection({});
  try {
    const [rows] = await conn.query('SELECT 1');
    return rows;
  } finally {
    await conn.end();
  }
}`,
    },
    {
      name: 'pg: a client created, connected, ended in one function, with queries in a callback',
      code: `import { Client } from 'pg';
export async function job() {
  const client = new Client();
  await client.connect();
  await Promise.all([1, 2].map((id) => client.query('SELECT $1::int', [id])));
  await client.end();
}`,
    },
    {
      name: 'mysql (callback): created and ended in nested query callbacks',
      code: `const mysql = require('mysql');
function report(cb) {
  const connection = mysql.createConnection({});
  connection.connect();
  connection.query('SELECT 1', (err, rows) => {
    connection.end();
    cb(err, rows);
  });
}
module.exports = report;`,
    },
    {
      name: 'script: a module-level connection used and ended at the top level',
      code: `import mysql from 'mysql2/promise';
const conn = await mysql.createConnection({});
const [rows] = await conn.query('SELECT 1');
console.log(rows);
await conn.end();`,
    },
    {
      name: 'a query right after the creation, in the function that creates it',
      code: `import mysql from 'mysql2/promise';
let db;
async function init() {
  db = await mysql.createConnection({});
  await db.query("SET time_zone = '+00:00'");
}
init();`,
    },
    {
      name: 'the connection comes from reconnecting()',
      code: `import mysql from 'mysql2/promise';
import { reconnecting } from 'db-connection-guard/runtime';
const db = reconnecting(() => mysql.createConnection({}));
export async function find() {
  return db.query('SELECT 1');
}`,
    },
    {
      name: 'unrelated objects with the same method names',
      code: `import axios from 'axios';
import { createClient } from 'redis';
import { getRepository } from 'typeorm';
const http = axios.create();
const redis = createClient();
const users = getRepository('User');
class Search { query(q: string) { return q; } }
const search = new Search();
export async function run() {
  await http.get('/');
  await redis.get('x');
  await users.query('SELECT 1');
  return search.query('x');
}`,
    },
    {
      name: 'handleDisconnect: the error listener replaces the connection',
      code: `var mysql = require('mysql');
var connection;
function handleDisconnect() {
  connection = mysql.createConnection({});
  connection.connect(function (err) {
    if (err) setTimeout(handleDisconnect, 2000);
  });
  connection.on('error', function (err) {
    if (err.code === 'PROTOCOL_CONNECTION_LOST') handleDisconnect();
    else throw err;
  });
}
handleDisconnect();
exports.list = function (cb) {
  connection.query('SELECT * FROM users', cb);
};`,
    },
    {
      name: "pg: an 'end' listener empties the variable that a getter refills",
      code: `import { Client } from 'pg';
let client: Client | undefined;
async function getClient() {
  if (!client) {
    client = new Client();
    client.on('end', () => { client = undefined; });
    await client.connect();
  }
  return client;
}
export async function find() {
  return (await getClient()).query('SELECT 1');
}`,
    },
    {
      name: 'a catch that reconnects and retries',
      code: `import mysql from 'mysql2/promise';
let conn = await mysql.createConnection({});
export async function query(sql: string) {
  try {
    return await conn.query(sql);
  } catch (err) {
    conn = await mysql.createConnection({});
    return conn.query(sql);
  }
}`,
    },
    {
      name: 'a catch that calls a same-file function that reconnects',
      code: `import mysql from 'mysql2/promise';
let conn: mysql.Connection;
async function connect() {
  conn = await mysql.createConnection({});
}
await connect();
export async function find() {
  try {
    return await conn.query('SELECT 1');
  } catch (err) {
    if ((err as { fatal?: boolean }).fatal) await connect();
    throw err;
  }
}`,
    },
    {
      name: 'a catch that calls reconnect() of another module (name fallback)',
      code: `import mysql from 'mysql2/promise';
import { reconnect } from './db-state';
const conn = await mysql.createConnection({});
export async function find() {
  try {
    return await conn.query('SELECT 1');
  } catch (err) {
    await reconnect(err);
    throw err;
  }
}`,
    },
    {
      name: '.catch() that empties the getter variable',
      code: `import mysql from 'mysql2/promise';
let db = null;
async function getDb() {
  db ??= await mysql.createConnection({});
  return db;
}
export async function find() {
  return (await getDb()).query('SELECT 1').catch((err) => {
    db = null;
    throw err;
  });
}`,
    },
    {
      name: 'callback style: the query callback reconnects on a fatal error',
      code: `const mysql = require('mysql2');
let connection = mysql.createConnection({});
function reset() {
  connection = mysql.createConnection({});
}
exports.find = (cb) => {
  connection.query('SELECT 1', (err, rows) => {
    if (err && err.fatal) reset();
    cb(err, rows);
  });
};`,
    },
    {
      name: 'a getter that checks the connection state before handing it out',
      code: `import mysql from 'mysql2/promise';
let conn: mysql.Connection | undefined;
async function getConn() {
  if (!conn || conn.connection.stream.destroyed) conn = await mysql.createConnection({});
  return conn;
}
export async function find() {
  const c = await getConn();
  return c.query('SELECT 1');
}`,
    },
    {
      name: 'a getter that pings and reconnects when the ping fails',
      code: `import mysql from 'mysql2/promise';
let conn = await mysql.createConnection({});
async function getConn() {
  try {
    await conn.ping();
  } catch {
    conn = await mysql.createConnection({});
  }
  return conn;
}
export async function find() {
  return (await getConn()).query('SELECT 1');
}`,
    },
    {
      name: 'test hooks: a connection for the duration of a test suite',
      code: `import mysql from 'mysql2/promise';
describe('users', () => {
  let conn: mysql.Connection;
  beforeAll(async () => {
    conn = await mysql.createConnection({});
  });
  afterAll(() => conn.end());
  it('finds', async () => {
    await conn.query('SELECT 1');
  });
});`,
    },
    {
      name: 'a checkout released in the same function',
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function find() {
  const conn = await pool.getConnection();
  try {
    return await conn.query('SELECT 1');
  } finally {
    conn.release();
  }
}`,
    },
    {
      name: "mssql: a ConnectionPool is a pool",
      code: `import sql from 'mssql';
const pool = await new sql.ConnectionPool({}).connect();
export async function find() {
  return pool.request().query('SELECT 1');
}`,
    },
    {
      name: 'the connection goes to code this file does not show (no query visible here)',
      code: `import mysql from 'mysql2/promise';
import { startServer } from './server';
const conn = await mysql.createConnection({});
startServer(conn);`,
    },
    {
      name: 'a factory whose own close() ends the connection: a unit of work (a migration run), not reported',
      code: `import pg from 'pg';
export function db(config: pg.ClientConfig) {
  const client = new pg.Client(config);
  const ready = client.connect();
  return {
    query: async (text: string) => {
      await ready;
      return client.query(text);
    },
    close: () => client.end(),
  };
}`,
    },
    {
      name: 'a checked-out client handed out as a transaction handle and released by it',
      code: `import pg from 'pg';
const pool = new pg.Pool();
export async function beginTransaction() {
  const client = await pool.connect();
  await client.query('BEGIN');
  return {
    execute: (text: string) => client.query(text),
    commit: async () => {
      await client.query('COMMIT');
      client.release();
    },
  };
}`,
    },
    {
      name: 'odd syntax does not crash: computed members, destructuring, optional chaining, sequences',
      code: `import mysql from 'mysql2/promise';
const conn = await mysql.createConnection({});
const { threadId } = conn;
const key = 'query';
export async function run() {
  await conn[key]('SELECT 1');
  await conn?.ping();
  const fn = conn.query;
  return (0, conn).config && [conn][0] && threadId && fn;
}`,
    },
  ],
  invalid: [
    {
      name: 'mysql2/promise: a module-level connection queried from a function (suggestions)',
      code: `import mysql from 'mysql2/promise';

const db = await mysql.createConnection({ host: 'localhost' });

export async function findUser(id: number) {
  const [rows] = await db.query('SELECT * FROM users WHERE id = ?', [id]);
  return rows;
}`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('db.query', 3),
          line: 6,
          column: 24,
          endLine: 6,
          endColumn: 32,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import mysql from 'mysql2/promise';
import { reconnecting } from 'db-connection-guard/runtime';

const db = reconnecting(() => mysql.createConnection({ host: 'localhost' }));

export async function findUser(id: number) {
  const [rows] = await db.query('SELECT * FROM users WHERE id = ?', [id]);
  return rows;
}`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'mysql.createPool' },
              output: `import mysql from 'mysql2/promise';

const db = mysql.createPool({ host: 'localhost' });

export async function findUser(id: number) {
  const [rows] = await db.query('SELECT * FROM users WHERE id = ?', [id]);
  return rows;
}`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: "fix: 'autofix' applies reconnecting() and keeps the pool suggestion",
      options: [{ fix: 'autofix' }],
      code: `import mysql from 'mysql2/promise';
const db = await mysql.createConnection({});
export const find = () => db.execute('SELECT 1');`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('db.execute', 2),
          line: 3,
          column: 27,
          endLine: 3,
          endColumn: 37,
          suggestions: [
            {
              messageId: 'suggestPool',
              data: { factory: 'mysql.createPool' },
              output: `import mysql from 'mysql2/promise';
const db = mysql.createPool({});
export const find = () => db.execute('SELECT 1');`,
            },
          ],
        },
      ],
      output: `import mysql from 'mysql2/promise';
import { reconnecting } from 'db-connection-guard/runtime';
const db = reconnecting(() => mysql.createConnection({}));
export const find = () => db.execute('SELECT 1');`,
    },
    {
      name: "fix: 'none' reports without fixes",
      options: [{ fix: 'none' }],
      code: `import mysql from 'mysql2/promise';
const db = await mysql.createConnection({});
export const find = () => db.query('SELECT 1');`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('db.query', 2),
          line: 3,
          column: 27,
          endLine: 3,
          endColumn: 35,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: 'pg: a module-level Client; the fixes drop connect() and add Pool to the import',
      code: `import { Client } from 'pg';

const client = new Client({ connectionString: process.env.DATABASE_URL });
await client.connect();

export async function findOrder(id: number) {
  const { rows } = await client.query('SELECT * FROM orders WHERE id = $1', [id]);
  return rows[0];
}`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('client.query', 3),
          line: 7,
          column: 26,
          endLine: 7,
          endColumn: 38,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import { Client } from 'pg';
import { reconnecting } from 'db-connection-guard/runtime';

const client = reconnecting(() => new Client({ connectionString: process.env.DATABASE_URL }));

export async function findOrder(id: number) {
  const { rows } = await client.query('SELECT * FROM orders WHERE id = $1', [id]);
  return rows[0];
}`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'new Pool' },
              output: `import { Client, Pool } from 'pg';

const client = new Pool({ connectionString: process.env.DATABASE_URL });

export async function findOrder(id: number) {
  const { rows } = await client.query('SELECT * FROM orders WHERE id = $1', [id]);
  return rows[0];
}`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'pg: namespace import and a connection string',
      code: `import pg from 'pg';
const client = new pg.Client('postgres://localhost/app');
await client.connect();
export const now = () => client.query('SELECT now()');`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('client.query', 2),
          line: 4,
          column: 26,
          endLine: 4,
          endColumn: 38,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import pg from 'pg';
import { reconnecting } from 'db-connection-guard/runtime';
const client = reconnecting(() => new pg.Client('postgres://localhost/app'));
export const now = () => client.query('SELECT now()');`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'new pg.Pool' },
              output: `import pg from 'pg';
const client = new pg.Pool({ connectionString: 'postgres://localhost/app' });
export const now = () => client.query('SELECT now()');`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'a class field set in init() and queried in other methods',
      code: `import mysql from 'mysql2/promise';
export class UserStore {
  #conn;
  async init() {
    this.#conn = await mysql.createConnection({});
  }
  async find(id) {
    const [rows] = await this.#conn.query('SELECT * FROM users WHERE id = ?', [id]);
    return rows;
  }
  async close() {
    await this.#conn.end();
  }
}`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('this.#conn.query', 5),
          line: 8,
          column: 26,
          endLine: 8,
          endColumn: 42,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import mysql from 'mysql2/promise';
import { reconnecting } from 'db-connection-guard/runtime';
export class UserStore {
  #conn;
  async init() {
    this.#conn = reconnecting(() => mysql.createConnection({}));
  }
  async find(id) {
    const [rows] = await this.#conn.query('SELECT * FROM users WHERE id = ?', [id]);
    return rows;
  }
  async close() {
    await this.#conn.end();
  }
}`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'mysql.createPool' },
              output: `import mysql from 'mysql2/promise';
export class UserStore {
  #conn;
  async init() {
    this.#conn = mysql.createPool({});
  }
  async find(id) {
    const [rows] = await this.#conn.query('SELECT * FROM users WHERE id = ?', [id]);
    return rows;
  }
  async close() {
    await this.#conn.end();
  }
}`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'a singleton getter: queries through the getter',
      code: `import mysql from 'mysql2/promise';
let db;
async function getDb() {
  if (!db) db = await mysql.createConnection({});
  return db;
}
export async function find() {
  const conn = await getDb();
  return conn.query('SELECT 1');
}
export async function count() {
  return (await getDb()).query('SELECT count(*) FROM t');
}`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('conn.query', 4),
          line: 9,
          column: 10,
          endLine: 9,
          endColumn: 20,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import mysql from 'mysql2/promise';
import { reconnecting } from 'db-connection-guard/runtime';
let db;
async function getDb() {
  if (!db) db = reconnecting(() => mysql.createConnection({}));
  return db;
}
export async function find() {
  const conn = await getDb();
  return conn.query('SELECT 1');
}
export async function count() {
  return (await getDb()).query('SELECT count(*) FROM t');
}`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'mysql.createPool' },
              output: `import mysql from 'mysql2/promise';
let db;
async function getDb() {
  if (!db) db = mysql.createPool({});
  return db;
}
export async function find() {
  const conn = await getDb();
  return conn.query('SELECT 1');
}
export async function count() {
  return (await getDb()).query('SELECT count(*) FROM t');
}`,
            },
          ],
        },
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('(await getDb()).query', 4),
          line: 12,
          column: 10,
          endLine: 12,
          endColumn: 31,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import mysql from 'mysql2/promise';
import { reconnecting } from 'db-connection-guard/runtime';
let db;
async function getDb() {
  if (!db) db = reconnecting(() => mysql.createConnection({}));
  return db;
}
export async function find() {
  const conn = await getDb();
  return conn.query('SELECT 1');
}
export async function count() {
  return (await getDb()).query('SELECT count(*) FROM t');
}`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'mysql.createPool' },
              output: `import mysql from 'mysql2/promise';
let db;
async function getDb() {
  if (!db) db = mysql.createPool({});
  return db;
}
export async function find() {
  const conn = await getDb();
  return conn.query('SELECT 1');
}
export async function count() {
  return (await getDb()).query('SELECT count(*) FROM t');
}`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: "a factory's closure keeps the connection",
      code: `const mysql = require('mysql2/promise');
async function makeStore() {
  const conn = await mysql.createConnection({});
  return {
    find: (id) => conn.query('SELECT * FROM t WHERE id = ?', [id]),
  };
}
module.exports = makeStore;`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('conn.query', 3),
          line: 5,
          column: 19,
          endLine: 5,
          endColumn: 29,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `const mysql = require('mysql2/promise');
const { reconnecting } = require('db-connection-guard/runtime');
async function makeStore() {
  const conn = reconnecting(() => mysql.createConnection({}));
  return {
    find: (id) => conn.query('SELECT * FROM t WHERE id = ?', [id]),
  };
}
module.exports = makeStore;`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'mysql.createPool' },
              output: `const mysql = require('mysql2/promise');
async function makeStore() {
  const conn = mysql.createPool({});
  return {
    find: (id) => conn.query('SELECT * FROM t WHERE id = ?', [id]),
  };
}
module.exports = makeStore;`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'an Express handler registered in main() uses the connection main() created',
      code: `import express from 'express';
import mysql from 'mysql2/promise';
async function main() {
  const conn = await mysql.createConnection({});
  const app = express();
  app.get('/users', async (req, res) => {
    const [rows] = await conn.query('SELECT * FROM users');
    res.json(rows);
  });
  app.listen(3000);
}
main();`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('conn.query', 4),
          line: 7,
          column: 26,
          endLine: 7,
          endColumn: 36,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import express from 'express';
import mysql from 'mysql2/promise';
import { reconnecting } from 'db-connection-guard/runtime';
async function main() {
  const conn = reconnecting(() => mysql.createConnection({}));
  const app = express();
  app.get('/users', async (req, res) => {
    const [rows] = await conn.query('SELECT * FROM users');
    res.json(rows);
  });
  app.listen(3000);
}
main();`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'mysql.createPool' },
              output: `import express from 'express';
import mysql from 'mysql2/promise';
async function main() {
  const conn = mysql.createPool({});
  const app = express();
  app.get('/users', async (req, res) => {
    const [rows] = await conn.query('SELECT * FROM users');
    res.json(rows);
  });
  app.listen(3000);
}
main();`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'a catch that recognises a lost connection but does not reconnect',
      code: `import mysql from 'mysql2/promise';
const conn = await mysql.createConnection({});
export async function find() {
  try {
    return await conn.query('SELECT 1');
  } catch (err) {
    if ((err as { code?: string }).code === 'PROTOCOL_CONNECTION_LOST') console.warn('database went away');
    throw err;
  }
}`,
      errors: [
        {
          messageId: 'lostConnectionNotReplaced',
          data: { call: 'conn.query', what: 'connection', line: '2', handlerLine: '6' },
          line: 5,
          column: 18,
          endLine: 5,
          endColumn: 28,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import mysql from 'mysql2/promise';
import { reconnecting } from 'db-connection-guard/runtime';
const conn = reconnecting(() => mysql.createConnection({}));
export async function find() {
  try {
    return await conn.query('SELECT 1');
  } catch (err) {
    if ((err as { code?: string }).code === 'PROTOCOL_CONNECTION_LOST') console.warn('database went away');
    throw err;
  }
}`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'mysql.createPool' },
              output: `import mysql from 'mysql2/promise';
const conn = mysql.createPool({});
export async function find() {
  try {
    return await conn.query('SELECT 1');
  } catch (err) {
    if ((err as { code?: string }).code === 'PROTOCOL_CONNECTION_LOST') console.warn('database went away');
    throw err;
  }
}`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'a catch that only logs is no handling; a query with session SQL gets no pool suggestion',
      code: `import mysql from 'mysql2/promise';
const conn = await mysql.createConnection({});
export async function transfer() {
  try {
    await conn.query('START TRANSACTION');
    await conn.query('UPDATE a SET x = x - 1');
    await conn.query('COMMIT');
  } catch (err) {
    console.error(err);
  }
}`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('conn.query', 2),
          line: 5,
          column: 11,
          endLine: 5,
          endColumn: 21,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import mysql from 'mysql2/promise';
import { reconnecting } from 'db-connection-guard/runtime';
const conn = reconnecting(() => mysql.createConnection({}));
export async function transfer() {
  try {
    await conn.query('START TRANSACTION');
    await conn.query('UPDATE a SET x = x - 1');
    await conn.query('COMMIT');
  } catch (err) {
    console.error(err);
  }
}`,
            },
          ],
        },
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('conn.query', 2),
          line: 6,
          column: 11,
          endLine: 6,
          endColumn: 21,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import mysql from 'mysql2/promise';
import { reconnecting } from 'db-connection-guard/runtime';
const conn = reconnecting(() => mysql.createConnection({}));
export async function transfer() {
  try {
    await conn.query('START TRANSACTION');
    await conn.query('UPDATE a SET x = x - 1');
    await conn.query('COMMIT');
  } catch (err) {
    console.error(err);
  }
}`,
            },
          ],
        },
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('conn.query', 2),
          line: 7,
          column: 11,
          endLine: 7,
          endColumn: 21,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import mysql from 'mysql2/promise';
import { reconnecting } from 'db-connection-guard/runtime';
const conn = reconnecting(() => mysql.createConnection({}));
export async function transfer() {
  try {
    await conn.query('START TRANSACTION');
    await conn.query('UPDATE a SET x = x - 1');
    await conn.query('COMMIT');
  } catch (err) {
    console.error(err);
  }
}`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'mariadb: a module-level connection',
      code: `import * as mariadb from 'mariadb';
const conn = await mariadb.createConnection({ host: 'db' });
export const list = () => conn.query('SELECT * FROM t');`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('conn.query', 2),
          line: 3,
          column: 27,
          endLine: 3,
          endColumn: 37,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import * as mariadb from 'mariadb';
import { reconnecting } from 'db-connection-guard/runtime';
const conn = reconnecting(() => mariadb.createConnection({ host: 'db' }));
export const list = () => conn.query('SELECT * FROM t');`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'mariadb.createPool' },
              output: `import * as mariadb from 'mariadb';
const conn = mariadb.createPool({ host: 'db' });
export const list = () => conn.query('SELECT * FROM t');`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'mysql (callback API): no reconnecting() rewrite for callbacks; the pool takes the same callbacks',
      code: `var mysql = require('mysql');
var connection = mysql.createConnection({ host: 'localhost' });
connection.connect();
exports.list = function (cb) {
  connection.query('SELECT * FROM users', function (err, rows) {
    cb(err, rows);
  });
};`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('connection.query', 2),
          line: 5,
          column: 3,
          endLine: 5,
          endColumn: 19,
          suggestions: [
            {
              messageId: 'suggestPool',
              data: { factory: 'mysql.createPool' },
              output: `var mysql = require('mysql');
var connection = mysql.createPool({ host: 'localhost' });
exports.list = function (cb) {
  connection.query('SELECT * FROM users', function (err, rows) {
    cb(err, rows);
  });
};`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'mysql2 (callback API) wrapped with .promise()',
      code: `import mysql from 'mysql2';
const db = mysql.createConnection({}).promise();
export const find = () => db.query('SELECT 1');`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('db.query', 2),
          line: 3,
          column: 27,
          endLine: 3,
          endColumn: 35,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import mysql from 'mysql2';
import { reconnecting } from 'db-connection-guard/runtime';
const db = reconnecting(() => mysql.createConnection({}).promise());
export const find = () => db.query('SELECT 1');`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'mysql.createPool' },
              output: `import mysql from 'mysql2';
const db = mysql.createPool({}).promise();
export const find = () => db.query('SELECT 1');`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'CommonJS named factory: createPool is added to the destructuring',
      code: `const { createConnection } = require('mysql2/promise');
let db;
exports.init = async () => {
  db = await createConnection({});
};
exports.find = () => db.query('SELECT 1');`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('db.query', 4),
          line: 6,
          column: 22,
          endLine: 6,
          endColumn: 30,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `const { createConnection } = require('mysql2/promise');
const { reconnecting } = require('db-connection-guard/runtime');
let db;
exports.init = async () => {
  db = reconnecting(() => createConnection({}));
};
exports.find = () => db.query('SELECT 1');`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'createPool' },
              output: `const { createConnection, createPool } = require('mysql2/promise');
let db;
exports.init = async () => {
  db = createPool({});
};
exports.find = () => db.query('SELECT 1');`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'ESM named factory: createPool is added to the import',
      code: `import { createConnection } from 'mysql2/promise';
const db = await createConnection({});
export const find = () => db.query('SELECT 1');`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('db.query', 2),
          line: 3,
          column: 27,
          endLine: 3,
          endColumn: 35,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import { createConnection } from 'mysql2/promise';
import { reconnecting } from 'db-connection-guard/runtime';
const db = reconnecting(() => createConnection({}));
export const find = () => db.query('SELECT 1');`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'createPool' },
              output: `import { createConnection, createPool } from 'mysql2/promise';
const db = createPool({});
export const find = () => db.query('SELECT 1');`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'pg: Pool already imported (renamed) is reused by the pool suggestion',
      code: `import { Client, Pool as PgPool } from 'pg';
export const pool = new PgPool();
const listener = new Client();
export const ping = () => listener.query('SELECT 1');`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('listener.query', 3),
          line: 4,
          column: 27,
          endLine: 4,
          endColumn: 41,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import { Client, Pool as PgPool } from 'pg';
import { reconnecting } from 'db-connection-guard/runtime';
export const pool = new PgPool();
const listener = reconnecting(() => new Client());
export const ping = () => listener.query('SELECT 1');`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'new PgPool' },
              output: `import { Client, Pool as PgPool } from 'pg';
export const pool = new PgPool();
const listener = new PgPool();
export const ping = () => listener.query('SELECT 1');`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: "TypeScript import-equals: import pg = require('pg')",
      code: `import pg = require('pg');
const client = new pg.Client();
export const ping = () => client.query('SELECT 1');`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('client.query', 2),
          line: 3,
          column: 27,
          endLine: 3,
          endColumn: 39,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import { reconnecting } from 'db-connection-guard/runtime';
import pg = require('pg');
const client = reconnecting(() => new pg.Client());
export const ping = () => client.query('SELECT 1');`,
            },
            {
              messageId: 'suggestPool',
              data: { factory: 'new pg.Pool' },
              output: `import pg = require('pg');
const client = new pg.Pool();
export const ping = () => client.query('SELECT 1');`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'the runtime is already imported: reconnecting joins the import',
      code: `import mysql from 'mysql2/promise';
import { withConnection } from 'db-connection-guard/runtime';
const db = await mysql.createConnection({});
export const find = (sql: string) => db.query(sql);
export { withConnection };`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('db.query', 3),
          line: 4,
          column: 38,
          endLine: 4,
          endColumn: 46,
          suggestions: [
            {
              messageId: 'suggestReconnecting',
              output: `import mysql from 'mysql2/promise';
import { withConnection, reconnecting } from 'db-connection-guard/runtime';
const db = reconnecting(() => mysql.createConnection({}));
export const find = (sql: string) => db.query(sql);
export { withConnection };`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'no rewrite where the holder is typed, or where other methods are used',
      code: `import mysql from 'mysql2/promise';
let db: mysql.Connection;
async function init() {
  db = await mysql.createConnection({});
}
await init();
export const find = () => db.query('SELECT 1');
const other = await mysql.createConnection({});
export async function save() {
  await other.beginTransaction();
  await other.query('UPDATE t SET x = 1');
  await other.commit();
}`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('db.query', 4),
          line: 7,
          column: 27,
          endLine: 7,
          endColumn: 35,
          suggestions: [],
        },
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('other.query', 8),
          line: 11,
          column: 9,
          endLine: 11,
          endColumn: 20,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: '`reconnecting` bound to something else: no reconnecting() suggestion',
      code: `import mysql from 'mysql2/promise';
const reconnecting = true;
const db = await mysql.createConnection({});
export const find = () => reconnecting && db.query('SELECT 1');`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('db.query', 3),
          line: 4,
          column: 43,
          endLine: 4,
          endColumn: 51,
          suggestions: [
            {
              messageId: 'suggestPool',
              data: { factory: 'mysql.createPool' },
              output: `import mysql from 'mysql2/promise';
const reconnecting = true;
const db = mysql.createPool({});
export const find = () => reconnecting && db.query('SELECT 1');`,
            },
          ],
        },
      ],
      output: null,
    },
    {
      name: 'a pool connection checked out and kept at module level',
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
const conn = await pool.getConnection();
export const find = () => conn.query('SELECT 1');`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: { call: 'conn.query', what: 'connection checked out of a pool', line: '3', remedy: CHECKOUT_REMEDY },
          line: 4,
          column: 27,
          endLine: 4,
          endColumn: 37,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: 'oracledb: a standalone connection (no runtime rewrite, no pool rewrite)',
      code: `const oracledb = require('oracledb');
let connection;
async function init() {
  connection = await oracledb.getConnection({ user: 'hr' });
}
async function find() {
  return connection.execute('SELECT 1 FROM dual');
}
module.exports = { init, find };`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('connection.execute', 4),
          line: 7,
          column: 10,
          endLine: 7,
          endColumn: 28,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: 'settings: extra query method names are reported (and block the runtime rewrite)',
      settings: { 'db-guard': { query: ['run'] } },
      code: `import mysql from 'mysql2/promise';
const conn = await mysql.createConnection({});
export const go = () => conn.run('SELECT 1');`,
      errors: [
        {
          messageId: 'rawQueryWithoutStaleHandling',
          data: onConnection('conn.run', 2),
          line: 3,
          column: 25,
          endLine: 3,
          endColumn: 33,
          suggestions: [],
        },
      ],
      output: null,
    },
  ],
});
