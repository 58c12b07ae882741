/**
 * Typed mode (`settings['db-guard'].typed`, set by configs['recommended-type-checked']): driver
 * objects are recognised by their declared types from the driver packages' real `.d.ts`, across
 * modules and through typed parameters, and look-alikes named like pools are not. The same code
 * without typed mode shows what the name heuristics alone would do.
 */
import path from 'node:path';

import { RuleTester } from '@typescript-eslint/rule-tester';
import { describe, expect, it } from 'vitest';

import noLeakedConnection from '../../rules/no-leaked-connection.js';
import noTransactionOnPool from '../../rules/no-transaction-on-pool.js';

const tsconfigRootDir = path.resolve(import.meta.dirname, '../fixtures/typed');
const typed = { 'db-guard': { typed: true } };

const typedTester = new RuleTester({
  languageOptions: {
    parserOptions: { projectService: true, tsconfigRootDir },
  },
});
const syntacticTester = new RuleTester({
  languageOptions: { parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
});

const importedPoolOddName = `import { main } from './db';
export async function find(id: number) {
  const conn = await main.getConnection();
  const [rows] = await conn.query('SELECT ?', [id]);
  conn.release();
  return rows;
}`;

const typedParameter = `import type { Pool } from 'pg';
export async function count(db: Pool) {
  const client = await db.connect();
  const res = await client.query('SELECT 1');
  client.release();
  return res.rows;
}`;

const lookAlike = `import { WorkerPool } from './db';
const pool = new WorkerPool();
export async function work() {
  const worker = await pool.acquire();
  await worker.run();
  pool.release(worker);
  const other = await pool.connect();
  await other.query('x');
  other.release();
}`;

const beginOnTypedPool = `import type { Pool } from 'pg';
export async function run(db: Pool) {
  await db.query('BEGIN');
}`;

typedTester.run('no-leaked-connection (typed)', noLeakedConnection, {
  valid: [{ name: 'a look-alike named like a pool is not a database pool', code: lookAlike, settings: typed }],
  invalid: [
    {
      name: 'pool imported from another module under a name the heuristics do not know',
      code: importedPoolOddName,
      settings: typed,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: 'main.getConnection()', what: '`conn.query()`', line: '4' },
          line: 3,
          column: 22,
          endLine: 3,
          endColumn: 42,
          suggestions: [
            {
              messageId: 'suggestWithConnection',
              output: `import { main } from './db';
import { withConnection } from 'db-connection-guard/runtime';
export async function find(id: number) {
  return withConnection(main, async (conn) => {
    const [rows] = await conn.query('SELECT ?', [id]);
    return rows;
  });
}`,
            },
            {
              // The type says mysql2: its pool connections are async-disposable.
              messageId: 'suggestAwaitUsing',
              output: `import { main } from './db';
export async function find(id: number) {
  await using conn = await main.getConnection();
  const [rows] = await conn.query('SELECT ?', [id]);
  return rows;
}`,
            },
          ],
        },
      ],
      output: `import { main } from './db';
export async function find(id: number) {
  const conn = await main.getConnection();
  try {
    const [rows] = await conn.query('SELECT ?', [id]);
    return rows;
  } finally {
    conn.release();
  }
}`,
    },
    {
      name: 'pool passed as a typed parameter',
      code: typedParameter,
      settings: typed,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: 'db.connect()', what: '`client.query()`', line: '4' },
          line: 3,
          column: 24,
          endLine: 3,
          endColumn: 36,
          suggestions: [
            {
              messageId: 'suggestWithConnection',
              output: `import type { Pool } from 'pg';
import { withConnection } from 'db-connection-guard/runtime';
export async function count(db: Pool) {
  return withConnection(db, async (client) => {
    const res = await client.query('SELECT 1');
    return res.rows;
  });
}`,
            },
          ],
        },
      ],
      output: `import type { Pool } from 'pg';
export async function count(db: Pool) {
  const client = await db.connect();
  try {
    const res = await client.query('SELECT 1');
    return res.rows;
  } finally {
    client.release();
  }
}`,
    },
  ],
});

typedTester.run('no-transaction-on-pool (typed)', noTransactionOnPool, {
  valid: [],
  invalid: [
    {
      name: 'BEGIN on a parameter typed as a pg Pool',
      code: beginOnTypedPool,
      settings: typed,
      errors: [{ messageId: 'transactionOnPool', data: { call: 'db.query()', statement: 'BEGIN' }, line: 3, column: 9, endLine: 3, endColumn: 26 }],
    },
  ],
});

// Without types, the same code: the odd names are missed and the look-alike is reported.
syntacticTester.run('no-leaked-connection (syntactic, for contrast)', noLeakedConnection, {
  valid: [
    { name: 'odd pool name is not recognised without types', code: importedPoolOddName },
    { name: 'typed parameter named db: connect() is not recognised without types', code: typedParameter },
  ],
  invalid: [
    {
      name: 'the look-alike is reported by the name heuristics',
      code: lookAlike,
      errors: [
        { messageId: 'exceptionPath', line: 4, column: 24, endLine: 4, endColumn: 38, suggestions: [] },
        {
          messageId: 'exceptionPath',
          line: 7,
          column: 23,
          endLine: 7,
          endColumn: 37,
          suggestions: [
            {
              messageId: 'suggestWithConnection',
              output: `import { WorkerPool } from './db';
import { withConnection } from 'db-connection-guard/runtime';
const pool = new WorkerPool();
export async function work() {
  const worker = await pool.acquire();
  await worker.run();
  pool.release(worker);
  await withConnection(pool, async (other) => {
    await other.query('x');
  });
}`,
            },
          ],
        },
      ],
      output: `import { WorkerPool } from './db';
const pool = new WorkerPool();
export async function work() {
  const worker = await pool.acquire();
  try {
    await worker.run();
  } finally {
    pool.release(worker);
  }
  const other = await pool.connect();
  try {
    await other.query('x');
  } finally {
    other.release();
  }
}`,
    },
  ],
});

describe("configs['recommended-type-checked']", () => {
  it('lints with type information and recognises the imported pool by its type', async () => {
    const { ESLint } = await import('eslint');
    const { default: plugin } = await import('../../src/index.js');
    const eslint = new ESLint({
      cwd: tsconfigRootDir,
      overrideConfigFile: true,
      overrideConfig: [
        plugin.configs['recommended-type-checked'] as never,
        { languageOptions: { parserOptions: { tsconfigRootDir } } },
      ],
    });
    const [result] = await eslint.lintText(importedPoolOddName, { filePath: path.join(tsconfigRootDir, 'file.ts') });
    expect(result?.messages.map((m) => [m.ruleId, m.line, m.column])).toEqual([['db-guard/no-leaked-connection', 3, 22]]);
  });
});
