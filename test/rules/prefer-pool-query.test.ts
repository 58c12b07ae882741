import { RuleTester } from '@typescript-eslint/rule-tester';

import rule, { RULE_NAME } from '../../rules/prefer-pool-query.js';

const ruleTester = new RuleTester({
  languageOptions: { parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
});

ruleTester.run(RULE_NAME, rule, {
  valid: [
    {
      name: "two queries on one connection",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function run() {
  const c = await pool.connect();
  try {
    await c.query('SELECT 1');
    await c.query('SELECT 2');
  } finally {
    c.release();
  }
}`,
    },
    {
      name: "a transaction needs one connection",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function run() {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
  } finally {
    c.release();
  }
}`,
    },
    {
      name: "connection passed elsewhere",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run() {
  const c = await pool.getConnection();
  try {
    await migrate(c);
  } finally {
    c.release();
  }
}`,
    },
    {
      name: "generic-pool resource is not a database pool with query()",
      code: `import genericPool from 'generic-pool';
const pool = genericPool.createPool({ create: async () => ({}), destroy: async () => {} });
export async function run() {
  const r = await pool.acquire();
  try {
    await r.query('x');
  } finally {
    await pool.release(r);
  }
}`,
    },
  ],
  invalid: [
    {
      name: "no suggestion where the try body declares a name the function already has (fuzz regression)",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function load(id) {
  const rows = await cache.get(id);
  if (rows) return rows;
  const conn = await pool.getConnection();
  try {
    const [rows] = await conn.query('SELECT * FROM t WHERE id = ?', [id]);
    return rows;
  } finally {
    conn.release();
  }
}`,
      errors: [
        {
          messageId: 'singleQueryCheckout',
          data: { source: "pool.getConnection()", pool: "pool", method: "query" },
          line: 6,
          column: 22,
          endLine: 6,
          endColumn: 42,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "single query in try/finally",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function count() {
  const client = await pool.connect();
  try {
    const { rows } = await client.query('SELECT count(*) FROM t');
    return rows[0];
  } finally {
    client.release();
  }
}`,
      errors: [
        {
          messageId: 'singleQueryCheckout',
          data: { source: "pool.connect()", pool: "pool", method: "query" },
          line: 4,
          column: 24,
          endLine: 4,
          endColumn: 38,
          suggestions: [
            { messageId: 'suggestPoolQuery', output: `import { Pool } from 'pg';
const pool = new Pool();
export async function count() {
  const { rows } = await pool.query('SELECT count(*) FROM t');
  return rows[0];
}` },
          ],
        },
      ],
      output: null,
    },
    {
      name: "single query then release",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function touch(id: number) {
  const conn = await pool.getConnection();
  await conn.execute('UPDATE t SET seen = NOW() WHERE id = ?', [id]);
  conn.release();
}`,
      errors: [
        {
          messageId: 'singleQueryCheckout',
          data: { source: "pool.getConnection()", pool: "pool", method: "execute" },
          line: 4,
          column: 22,
          endLine: 4,
          endColumn: 42,
          suggestions: [
            { messageId: 'suggestPoolQuery', output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function touch(id: number) {
  await pool.execute('UPDATE t SET seen = NOW() WHERE id = ?', [id]);
}` },
          ],
        },
      ],
      output: null,
    },
  ],
});
