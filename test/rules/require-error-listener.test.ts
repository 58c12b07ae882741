import { RuleTester } from '@typescript-eslint/rule-tester';

import rule, { RULE_NAME } from '../../rules/require-error-listener.js';

const ruleTester = new RuleTester({
  languageOptions: { parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
});

const PG_POOL = { kind: 'pg pool', when: 'an idle client of the pool loses its connection' };
const CONNECTION_WHEN = 'the server closes it while it is idle (restart, failover, idle timeout, a killed session)';

ruleTester.run(RULE_NAME, rule, {
  valid: [
    {
      name: "pg: a pool with an 'error' listener",
      code: `import { Pool } from 'pg';
export const pool = new Pool();
pool.on('error', (err) => console.error('idle client error', err));`,
    },
    {
      name: 'pg: the listener chained on the creation, once/addListener/prependListener',
      code: `import pg from 'pg';
export const a = new pg.Pool().on('error', () => {});
export const b = new pg.Pool();
b.once('error', () => {});
export const c = new pg.Client();
c.addListener('error', () => {});
export const d = new pg.Client();
d.prependListener('error', () => {});`,
    },
    {
      name: 'a listener whose event name is not a literal may be the error listener',
      code: `import { Pool } from 'pg';
const EVENT = 'error';
export const pool = new Pool();
pool.on(EVENT, () => {});`,
    },
    {
      name: 'mysql and mysql2 pools handle their connections\' errors; mariadb clusters emit none',
      code: `import mysql from 'mysql';
import mysql2 from 'mysql2/promise';
import mariadb from 'mariadb';
export const a = mysql.createPool({});
export const b = mysql2.createPool({});
export const c = mariadb.createPoolCluster();`,
    },
    {
      name: 'a class that adds the listener in another method, through this.field',
      code: `import { Pool } from 'pg';
export class Db {
  pool = new Pool();
  start() {
    this.pool.on('error', (err) => this.log(err));
  }
  log(err: Error) { console.error(err); }
}`,
    },
    {
      name: 'the listener is added by a same-file function the pool is passed to',
      code: `import { Pool } from 'pg';
function watch(emitter: Pool) {
  emitter.on('error', (err) => console.error(err));
}
export const pool = new Pool();
watch(pool);`,
    },
    {
      name: 'handed to code the file does not show, which may attach the listener',
      code: `import { Pool } from 'pg';
import { run } from 'graphile-worker';
import { drizzle } from 'drizzle-orm/node-postgres';
import { reconnecting } from 'db-connection-guard/runtime';
import mysql from 'mysql2/promise';
export const db = drizzle(new Pool());
const pgPool = new Pool();
await run({ pgPool });
export const conn = reconnecting(() => mysql.createConnection({}));
const shared = new Pool();
startServer(shared);`,
    },
    {
      name: 'a factory returns a fresh pool: its callers own it',
      code: `import { Pool } from 'pg';
export function createPool(url: string) {
  return new Pool({ connectionString: url });
}`,
    },
    {
      name: 'created and ended within one function',
      code: `import { Client } from 'pg';
import mysql from 'mysql2/promise';
export async function migrate() {
  const client = new Client();
  await client.connect();
  try {
    await client.query('CREATE TABLE t (id int)');
  } finally {
    await client.end();
  }
  const conn = await mysql.createConnection({});
  await conn.query('SELECT 1');
  await conn.end();
}`,
    },
    {
      name: 'handleDisconnect: the connection has a listener',
      code: `var mysql = require('mysql');
var connection;
function handleDisconnect() {
  connection = mysql.createConnection({});
  connection.on('error', function (err) {
    if (err.code === 'PROTOCOL_CONNECTION_LOST') handleDisconnect();
    else throw err;
  });
}
handleDisconnect();
module.exports = () => connection;`,
    },
    {
      name: 'pg: a checked-out client released in the same function',
      code: `import { Pool } from 'pg';
const pool = new Pool();
pool.on('error', () => {});
export async function find() {
  const client = await pool.connect();
  try {
    return await client.query('SELECT 1');
  } finally {
    client.release();
  }
}`,
    },
    {
      name: 'pg: a LISTEN client with its own listener',
      code: `import { Pool } from 'pg';
const pool = new Pool();
pool.on('error', () => {});
export async function listen() {
  const client = await pool.connect();
  client.on('error', (err) => console.error(err));
  client.on('notification', (msg) => console.log(msg.payload));
  await client.query('LISTEN jobs');
}`,
    },
    {
      name: 'mysql2: a checkout held in a field (the mysql2 pool listens to its connections)',
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export class Session {
  conn?: mysql.PoolConnection;
  async open() {
    this.conn = await pool.getConnection();
  }
  find() {
    return this.conn?.query('SELECT 1');
  }
}`,
    },
    {
      name: 'oracledb connections emit no error event',
      code: `import oracledb from 'oracledb';
export const conn = await oracledb.getConnection({});`,
    },
    {
      name: 'test hooks: a client for the duration of a test suite',
      code: `import { Client } from 'pg';
let client: Client;
beforeAll(async () => {
  client = new Client();
  await client.connect();
});
afterAll(() => client.end());
test('q', async () => {
  await client.query('SELECT 1');
});`,
    },
    {
      name: 'an instance field listened to from outside the class (by name)',
      code: `import { Pool } from 'pg';
class Service {
  pool: Pool;
  constructor() {
    this.pool = new Pool();
  }
}
export const service = new Service();
service.pool.on('error', () => {});`,
    },
    {
      name: 'a module-level pool that nothing uses (a script) and unrelated emitters',
      code: `import { Pool } from 'pg';
import { createClient } from 'redis';
import net from 'node:net';
const unused = new Pool();
export const redis = createClient();
export const socket = net.connect(80);`,
    },
  ],
  invalid: [
    {
      name: 'pg: an exported pool with no listener',
      code: `import { Pool } from 'pg';

export const pool = new Pool({ max: 10 });

export const query = (text: string) => pool.query(text);`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'new Pool()', ...PG_POOL },
          line: 3,
          column: 21,
          endLine: 3,
          endColumn: 42,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'pool', then: '' },
              output: `import { Pool } from 'pg';

export const pool = new Pool({ max: 10 });
pool.on('error', (err) => {
  console.error('Unexpected database error', err);
});

export const query = (text: string) => pool.query(text);`,
            },
          ],
        },
      ],
    },
    {
      name: 'pg (CommonJS): module.exports = pool',
      code: `const pg = require('pg');
const pool = new pg.Pool();
module.exports = pool;`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'new pg.Pool()', ...PG_POOL },
          line: 2,
          column: 14,
          endLine: 2,
          endColumn: 27,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'pool', then: '' },
              output: `const pg = require('pg');
const pool = new pg.Pool();
pool.on('error', (err) => {
  console.error('Unexpected database error', err);
});
module.exports = pool;`,
            },
          ],
        },
      ],
    },
    {
      name: 'pg: a module-level client, used from functions',
      code: `import { Client } from 'pg';
const client = new Client();
await client.connect();
export const now = () => client.query('SELECT now()');`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'new Client()', kind: 'pg connection', when: CONNECTION_WHEN },
          line: 2,
          column: 16,
          endLine: 2,
          endColumn: 28,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'client', then: '' },
              output: `import { Client } from 'pg';
const client = new Client();
client.on('error', (err) => {
  console.error('Unexpected database error', err);
});
await client.connect();
export const now = () => client.query('SELECT now()');`,
            },
          ],
        },
      ],
    },
    {
      name: 'mysql (CommonJS): a module-level connection',
      code: `var mysql = require('mysql');
var connection = mysql.createConnection({ host: 'localhost' });
connection.connect();
exports.list = function (cb) {
  connection.query('SELECT * FROM users', cb);
};`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'mysql.createConnection()', kind: 'mysql connection', when: CONNECTION_WHEN },
          line: 2,
          column: 18,
          endLine: 2,
          endColumn: 63,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'connection', then: '' },
              output: `var mysql = require('mysql');
var connection = mysql.createConnection({ host: 'localhost' });
connection.on('error', (err) => {
  console.error('Unexpected database error', err);
});
connection.connect();
exports.list = function (cb) {
  connection.query('SELECT * FROM users', cb);
};`,
            },
          ],
        },
      ],
    },
    {
      name: 'mysql2: a singleton getter; the listener also empties the variable for the getter',
      code: `import mysql from 'mysql2/promise';
let db: mysql.Connection | undefined;
export async function getDb() {
  if (!db) db = await mysql.createConnection({});
  return db;
}`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'mysql.createConnection()', kind: 'mysql2 connection', when: CONNECTION_WHEN },
          line: 4,
          column: 23,
          endLine: 4,
          endColumn: 49,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'db', then: ' and empties `db` so that it is created again' },
              output: `import mysql from 'mysql2/promise';
let db: mysql.Connection | undefined;
export async function getDb() {
  if (!db) {
    db = await mysql.createConnection({});
    db.on('error', (err) => {
      console.error('Unexpected database error', err);
      db = undefined;
    });
  }
  return db;
}`,
            },
          ],
        },
      ],
    },
    {
      name: 'pg: a getter that tests `=== null` empties the variable with null (tabs kept)',
      code: `import { Client } from 'pg';
let client: Client | null = null;
export async function getClient() {
	if (client === null) {
		client = new Client();
		await client.connect();
	}
	return client;
}`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'new Client()', kind: 'pg connection', when: CONNECTION_WHEN },
          line: 5,
          column: 12,
          endLine: 5,
          endColumn: 24,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'client', then: ' and empties `client` so that it is created again' },
              output: `import { Client } from 'pg';
let client: Client | null = null;
export async function getClient() {
	if (client === null) {
		client = new Client();
		client.on('error', (err) => {
			console.error('Unexpected database error', err);
			client = null;
		});
		await client.connect();
	}
	return client;
}`,
            },
          ],
        },
      ],
    },
    {
      name: 'a pool created in the constructor and used by methods',
      code: `import { Pool } from 'pg';
export class Store {
  private readonly pool: Pool;
  constructor(url: string) {
    this.pool = new Pool({ connectionString: url });
  }
  find() {
    return this.pool.query('SELECT 1');
  }
}`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'new Pool()', ...PG_POOL },
          line: 5,
          column: 17,
          endLine: 5,
          endColumn: 52,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'this.pool', then: '' },
              output: `import { Pool } from 'pg';
export class Store {
  private readonly pool: Pool;
  constructor(url: string) {
    this.pool = new Pool({ connectionString: url });
    this.pool.on('error', (err) => {
      console.error('Unexpected database error', err);
    });
  }
  find() {
    return this.pool.query('SELECT 1');
  }
}`,
            },
          ],
        },
      ],
    },
    {
      name: 'a class field initialiser: the listener is chained',
      code: `import { Pool } from 'pg';
export class Store {
  #pool = new Pool();
  find() {
    return this.#pool.query('SELECT 1');
  }
}`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'new Pool()', ...PG_POOL },
          line: 3,
          column: 11,
          endLine: 3,
          endColumn: 21,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'this.#pool', then: '' },
              output: `import { Pool } from 'pg';
export class Store {
  #pool = new Pool().on('error', (err) => {
    console.error('Unexpected database error', err);
  });
  find() {
    return this.#pool.query('SELECT 1');
  }
}`,
            },
          ],
        },
      ],
    },
    {
      name: 'export default of a fresh pool: reported, no place for a listener statement',
      code: `import { Pool } from 'pg';
export default new Pool();`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'new Pool()', ...PG_POOL },
          line: 2,
          column: 16,
          endLine: 2,
          endColumn: 26,
          suggestions: [],
        },
      ],
    },
    {
      name: 'mariadb: a pool in a JavaScript file (its TypeScript types have no error event: no suggestion in .ts)',
      code: `import mariadb from 'mariadb';
export const pool = mariadb.createPool({});`,
      filename: 'db.js',
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'mariadb.createPool()', kind: 'mariadb pool', when: 'the pool fails to create or clean up a connection' },
          line: 2,
          column: 21,
          endLine: 2,
          endColumn: 43,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'pool', then: '' },
              output: `import mariadb from 'mariadb';
export const pool = mariadb.createPool({});
pool.on('error', (err) => {
  console.error('Unexpected database error', err);
});`,
            },
          ],
        },
      ],
    },
    {
      name: 'mariadb pool in TypeScript: reported without a suggestion',
      code: `import mariadb from 'mariadb';
export const pool = mariadb.createPool({});`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'mariadb.createPool()', kind: 'mariadb pool', when: 'the pool fails to create or clean up a connection' },
          line: 2,
          column: 21,
          endLine: 2,
          endColumn: 43,
          suggestions: [],
        },
      ],
    },
    {
      name: 'mssql: a ConnectionPool',
      code: `import sql from 'mssql';
const pool = new sql.ConnectionPool({ server: 'db' });
export const ready = pool.connect();
export const find = () => pool.request().query('SELECT 1');`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'new sql.ConnectionPool()', kind: 'mssql pool', when: 'a connection of the pool fails' },
          line: 2,
          column: 14,
          endLine: 2,
          endColumn: 54,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'pool', then: '' },
              output: `import sql from 'mssql';
const pool = new sql.ConnectionPool({ server: 'db' });
pool.on('error', (err) => {
  console.error('Unexpected database error', err);
});
export const ready = pool.connect();
export const find = () => pool.request().query('SELECT 1');`,
            },
          ],
        },
      ],
    },
    {
      name: "a factory's closure keeps the connection",
      code: `import mariadb from 'mariadb';
export async function makeStore() {
  const conn = await mariadb.createConnection({});
  return { find: () => conn.query('SELECT 1') };
}`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'mariadb.createConnection()', kind: 'mariadb connection', when: CONNECTION_WHEN },
          line: 3,
          column: 22,
          endLine: 3,
          endColumn: 50,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'conn', then: '' },
              output: `import mariadb from 'mariadb';
export async function makeStore() {
  const conn = await mariadb.createConnection({});
  conn.on('error', (err) => {
    console.error('Unexpected database error', err);
  });
  return { find: () => conn.query('SELECT 1') };
}`,
            },
          ],
        },
      ],
    },
    {
      name: 'a factory whose own close() ends the client still needs a listener while it is open',
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
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'new pg.Client()', kind: 'pg connection', when: CONNECTION_WHEN },
          line: 3,
          column: 18,
          endLine: 3,
          endColumn: 39,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'client', then: '' },
              output: `import pg from 'pg';
export function db(config: pg.ClientConfig) {
  const client = new pg.Client(config);
  client.on('error', (err) => {
    console.error('Unexpected database error', err);
  });
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
          ],
        },
      ],
    },
    {
      name: "pg: a checked-out client held for LISTEN, the pool's listener does not cover it",
      code: `import { Pool } from 'pg';
const pool = new Pool();
pool.on('error', () => {});
export async function listen(onJob: (payload?: string) => void) {
  const client = await pool.connect();
  client.on('notification', (msg) => onJob(msg.payload));
  await client.query('LISTEN jobs');
}`,
      errors: [
        {
          messageId: 'checkedOutClientWithoutListener',
          data: { source: 'pool.connect()', how: 'for `LISTEN`' },
          line: 5,
          column: 24,
          endLine: 5,
          endColumn: 38,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'client', then: '' },
              output: `import { Pool } from 'pg';
const pool = new Pool();
pool.on('error', () => {});
export async function listen(onJob: (payload?: string) => void) {
  const client = await pool.connect();
  client.on('error', (err) => {
    console.error('Unexpected database error', err);
  });
  client.on('notification', (msg) => onJob(msg.payload));
  await client.query('LISTEN jobs');
}`,
            },
          ],
        },
      ],
    },
    {
      name: 'pg: a checked-out client kept in a field',
      code: `import pg from 'pg';
const pool = new pg.Pool();
pool.on('error', () => {});
export class Worker {
  client?: pg.PoolClient;
  async start() {
    this.client = await pool.connect();
  }
  async tick() {
    await this.client?.query('SELECT 1');
  }
}`,
      errors: [
        {
          messageId: 'checkedOutClientWithoutListener',
          data: { source: 'pool.connect()', how: 'beyond one call' },
          line: 7,
          column: 25,
          endLine: 7,
          endColumn: 39,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'this.client', then: '' },
              output: `import pg from 'pg';
const pool = new pg.Pool();
pool.on('error', () => {});
export class Worker {
  client?: pg.PoolClient;
  async start() {
    this.client = await pool.connect();
    this.client.on('error', (err) => {
      console.error('Unexpected database error', err);
    });
  }
  async tick() {
    await this.client?.query('SELECT 1');
  }
}`,
            },
          ],
        },
      ],
    },
    {
      name: 'pg-pool default import, mysql2 callback and mariadb callback connections',
      code: `import Pool from 'pg-pool';
const mysql2 = require('mysql2');
const mariadb = require('mariadb/callback');
const pool = new Pool();
const a = mysql2.createConnection({});
const b = mariadb.createConnection({});
module.exports = { pool, a, b };`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'new Pool()', ...PG_POOL },
          line: 4,
          column: 14,
          endLine: 4,
          endColumn: 24,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'pool', then: '' },
              output: `import Pool from 'pg-pool';
const mysql2 = require('mysql2');
const mariadb = require('mariadb/callback');
const pool = new Pool();
pool.on('error', (err) => {
  console.error('Unexpected database error', err);
});
const a = mysql2.createConnection({});
const b = mariadb.createConnection({});
module.exports = { pool, a, b };`,
            },
          ],
        },
        {
          messageId: 'missingErrorListener',
          data: { source: 'mysql2.createConnection()', kind: 'mysql2 connection', when: CONNECTION_WHEN },
          line: 5,
          column: 11,
          endLine: 5,
          endColumn: 38,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'a', then: '' },
              output: `import Pool from 'pg-pool';
const mysql2 = require('mysql2');
const mariadb = require('mariadb/callback');
const pool = new Pool();
const a = mysql2.createConnection({});
a.on('error', (err) => {
  console.error('Unexpected database error', err);
});
const b = mariadb.createConnection({});
module.exports = { pool, a, b };`,
            },
          ],
        },
        {
          messageId: 'missingErrorListener',
          data: { source: 'mariadb.createConnection()', kind: 'mariadb connection', when: CONNECTION_WHEN },
          line: 6,
          column: 11,
          endLine: 6,
          endColumn: 39,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'b', then: '' },
              output: `import Pool from 'pg-pool';
const mysql2 = require('mysql2');
const mariadb = require('mariadb/callback');
const pool = new Pool();
const a = mysql2.createConnection({});
const b = mariadb.createConnection({});
b.on('error', (err) => {
  console.error('Unexpected database error', err);
});
module.exports = { pool, a, b };`,
            },
          ],
        },
      ],
    },
    {
      name: 'a listener for another event does not count',
      code: `import { Pool } from 'pg';
export const pool = new Pool();
pool.on('connect', (client) => client.query('SET search_path TO app'));`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { source: 'new Pool()', ...PG_POOL },
          line: 2,
          column: 21,
          endLine: 2,
          endColumn: 31,
          suggestions: [
            {
              messageId: 'suggestErrorListener',
              data: { target: 'pool', then: '' },
              output: `import { Pool } from 'pg';
export const pool = new Pool();
pool.on('error', (err) => {
  console.error('Unexpected database error', err);
});
pool.on('connect', (client) => client.query('SET search_path TO app'));`,
            },
          ],
        },
      ],
    },
  ],
});
