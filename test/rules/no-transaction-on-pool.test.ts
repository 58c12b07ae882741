import { RuleTester } from '@typescript-eslint/rule-tester';

import rule, { RULE_NAME } from '../../rules/no-transaction-on-pool.js';

const ruleTester = new RuleTester({
  languageOptions: { parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
});

ruleTester.run(RULE_NAME, rule, {
  valid: [
    {
      name: "BEGIN on a checked-out client",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function run() {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}`,
    },
    {
      name: "ordinary pool queries and dynamic SQL",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run(sql: string) {
  await pool.query('SELECT 1');
  await pool.query(sql);
  await pool.query('BEGIN_DATE > ?', [1]);
}`,
    },
  ],
  invalid: [
    {
      name: "pg pool BEGIN / COMMIT",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function run() {
  await pool.query('BEGIN');
  await pool.query('INSERT INTO t VALUES (1)');
  await pool.query('COMMIT');
}`,
      errors: [
        {
          messageId: 'transactionOnPool',
          data: { call: "pool.query()", statement: "BEGIN" },
          line: 4,
          column: 9,
          endLine: 4,
          endColumn: 28,
          suggestions: [],
        },
        {
          messageId: 'transactionOnPool',
          data: { call: "pool.query()", statement: "COMMIT" },
          line: 6,
          column: 9,
          endLine: 6,
          endColumn: 29,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "mysql2 pool START TRANSACTION and ROLLBACK, imported pool by name",
      code: `import { pool } from './db';
export async function run() {
  await pool.execute('START TRANSACTION');
  await pool.execute(\`ROLLBACK\`);
}`,
      errors: [
        {
          messageId: 'transactionOnPool',
          data: { call: "pool.execute()", statement: "START TRANSACTION" },
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 42,
          suggestions: [],
        },
        {
          messageId: 'transactionOnPool',
          data: { call: "pool.execute()", statement: "ROLLBACK" },
          line: 4,
          column: 9,
          endLine: 4,
          endColumn: 33,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      // The whole-file fast path must see statements after white space and escapes, in any case.
      name: "statements in lower case, after a newline escape, and in a multi-line template",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function run() {
  await pool.query('\\ncommit');
  await pool.query(\`
    rollback\`);
}`,
      errors: [
        { messageId: 'transactionOnPool', data: { call: "pool.query()", statement: "\\ncommit" }, line: 4, column: 9, endLine: 4, endColumn: 31, suggestions: [] },
        { messageId: 'transactionOnPool', data: { call: "pool.query()", statement: "rollback" }, line: 5, column: 9, endLine: 6, endColumn: 15, suggestions: [] },
      ],
      output: null,
    },
  ],
});
