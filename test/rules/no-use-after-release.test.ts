import { RuleTester } from '@typescript-eslint/rule-tester';

import rule, { RULE_NAME } from '../../rules/no-use-after-release.js';

const ruleTester = new RuleTester({
  languageOptions: { parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
});

ruleTester.run(RULE_NAME, rule, {
  valid: [
    {
      name: "real-world regression: use-after-release-id",
      code: `import assert from 'node:assert';
import { createPool } from './pool.js';
export async function reusesIdleConnection() {
  const pool = createPool();
  const c1 = await pool.acquire();
  await c1.release();
  const c2 = await pool.acquire();
  assert.equal(c2.id(), c1.id()); // identity check on a released connection object: no I/O
  await c2.release();
  await pool.end();
}`,
    },
    {
      name: "release once in finally",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function run() {
  const c = await pool.connect();
  try {
    await c.query('SELECT 1');
  } finally {
    c.release();
  }
}`,
    },
    {
      name: "released in an early-exit branch, used on the other path",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run(x: boolean) {
  const c = await pool.getConnection();
  if (x) {
    c.release();
    return;
  }
  await c.query('SELECT 1');
  c.release();
}`,
    },
    {
      name: "loop: fresh connection each iteration",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run(ids: number[]) {
  for (const id of ids) {
    const c = await pool.getConnection();
    await c.query('SELECT ?', [id]);
    c.release();
  }
}`,
    },
    {
      name: "reassigned after release",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run() {
  let c = await pool.getConnection();
  c.release();
  c = await pool.getConnection();
  await c.query('SELECT 1');
  c.release();
}`,
    },
    {
      name: "release inside the query callback",
      code: `import mysql from 'mysql';
const pool = mysql.createPool({});
export function run(cb) {
  pool.getConnection((err, conn) => {
    if (err) return cb(err);
    conn.query('SELECT 1', (e, rows) => {
      conn.release();
      cb(e, rows);
    });
  });
}`,
    },
    {
      name: "dedicated connection: end() after queued callback queries is fine",
      code: `import mysql from 'mysql';
export function run() {
  const c = mysql.createConnection({});
  c.query('SELECT 1', (e, r) => console.log(e, r));
  c.end();
}`,
    },
    {
      name: "catch releases and rethrows; finally does not release",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function run() {
  const c = await pool.connect();
  try {
    await c.query('SELECT 1');
    c.release();
  } catch (e) {
    c.release(e as Error);
    throw e;
  }
}`,
    },
  ],
  invalid: [
    {
      name: "query after release",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run() {
  const c = await pool.getConnection();
  await c.query('SELECT 1');
  c.release();
  await c.query('SELECT 2');
}`,
      errors: [
        {
          messageId: 'useAfterRelease',
          data: { call: "c.query()", line: "6" },
          line: 7,
          column: 9,
          endLine: 7,
          endColumn: 28,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "released in try and again in finally",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function run() {
  const c = await pool.connect();
  try {
    await c.query('SELECT 1');
    c.release();
  } finally {
    c.release();
  }
}`,
      errors: [
        {
          messageId: 'doubleRelease',
          data: { call: "c.release()", line: "7" },
          line: 9,
          column: 5,
          endLine: 9,
          endColumn: 16,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "released on one branch, used after the branch",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run(fast: boolean) {
  const c = await pool.getConnection();
  if (fast) c.release();
  const [rows] = await c.query('SELECT 1');
  return rows;
}`,
      errors: [
        {
          messageId: 'useAfterRelease',
          data: { call: "c.query()", line: "5" },
          line: 6,
          column: 24,
          endLine: 6,
          endColumn: 43,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "release before the callback query has run",
      code: `import mysql from 'mysql';
const pool = mysql.createPool({});
export function run(cb) {
  pool.getConnection((err, conn) => {
    if (err) return cb(err);
    conn.query('SELECT 1', (e, rows) => cb(e, rows));
    conn.release();
  });
}`,
      errors: [
        {
          messageId: 'releaseBeforeCallback',
          data: { release: "conn.release()", query: "conn.query()", line: "6" },
          line: 7,
          column: 5,
          endLine: 7,
          endColumn: 19,
          suggestions: [],
        },
      ],
      output: null,
    },
  ],
});
