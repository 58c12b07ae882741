import { RuleTester } from '@typescript-eslint/rule-tester';

import rule, { RULE_NAME } from '../../rules/no-leaked-transaction.js';

const ruleTester = new RuleTester({
  languageOptions: { parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
});

ruleTester.run(RULE_NAME, rule, {
  valid: [
    {
      name: "real-world regression: then-awaited-continuation",
      code: `export async function run(queryRunner, work, flag) {
  await queryRunner.startTransaction();
  try {
    await work(queryRunner).then(async () => {
      if (flag) await queryRunner.commitTransaction();
    });
    if (!flag) await queryRunner.commitTransaction();
  } catch (err) {
    await queryRunner.rollbackTransaction();
    throw err;
  }
}`,
    },
    {
      name: "real-world regression: typeorm-flag-transaction",
      code: `export async function execute(queryRunner, useTransaction) {
  let startedByUs = false;
  try {
    if (useTransaction && !queryRunner.isTransactionActive) {
      await queryRunner.startTransaction();
      startedByUs = true;
    }
    const result = await queryRunner.query('delete from t');
    if (startedByUs) await queryRunner.commitTransaction();
    return result;
  } catch (error) {
    if (startedByUs) {
      try {
        await queryRunner.rollbackTransaction();
      } catch {}
    }
    throw error;
  }
}`,
    },
    {
      name: "real-world regression: typeorm-then-chain-outer-commit",
      code: `export async function runAll(queryRunner, migrations) {
  await queryRunner.startTransaction();
  try {
    for (const migration of migrations) {
      await migration.up(queryRunner).then(() => {
        console.log('done', queryRunner.isTransactionActive);
      });
    }
    await queryRunner.commitTransaction();
  } catch (err) {
    await queryRunner.rollbackTransaction();
    throw err;
  }
}`,
    },
    {
      name: "real-world regression: typeorm-then-chain-transaction",
      code: `export async function runAll(queryRunner, migrations, mode) {
  let startedByUs = false;
  if (mode === 'all') {
    await queryRunner.startTransaction();
    startedByUs = true;
  }
  try {
    for (const migration of migrations) {
      await migration.up(queryRunner).then(async () => {
        if (mode === 'each' && startedByUs) await queryRunner.commitTransaction();
      });
    }
    if (mode === 'all' && startedByUs) await queryRunner.commitTransaction();
  } catch (err) {
    if (startedByUs) await queryRunner.rollbackTransaction();
    throw err;
  }
}`,
    },
    {
      name: "real-world regression: typeorm-then-chain-transaction2",
      code: `export async function runAll(queryRunner, migrations) {
  try {
    for (const migration of migrations) {
      await queryRunner.startTransaction();
      await migration.up(queryRunner).then(async () => {
        await queryRunner.commitTransaction();
      });
    }
  } catch (err) {
    await queryRunner.rollbackTransaction();
    throw err;
  }
}`,
    },
    {
      name: "mysql2: commit, rollback in catch, release in finally",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function transfer(from: number, to: number) {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    await conn.query('UPDATE a SET n = n - 1 WHERE id = ?', [from]);
    await conn.query('UPDATE a SET n = n + 1 WHERE id = ?', [to]);
    await conn.commit();
  } catch (err) {
    await conn.rollback();
    throw err;
  } finally {
    conn.release();
  }
}`,
    },
    {
      name: "pg: BEGIN / COMMIT / ROLLBACK as SQL",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function save() {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO t VALUES (1)');
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  } finally {
    client.release();
  }
}`,
    },
    {
      name: "TypeORM query runner transaction",
      code: `export async function run(dataSource) {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  await queryRunner.startTransaction();
  try {
    await queryRunner.manager.save({});
    await queryRunner.commitTransaction();
  } catch (err) {
    await queryRunner.rollbackTransaction();
    throw err;
  } finally {
    await queryRunner.release();
  }
}`,
    },
    {
      name: "knex and Sequelize manual transactions",
      code: `export async function run(knex, sequelize) {
  const trx = await knex.transaction();
  try {
    await trx('t').insert({ a: 1 });
    await trx.commit();
  } catch (e) {
    await trx.rollback();
    throw e;
  }
  const t = await sequelize.transaction();
  try {
    await sequelize.query('SELECT 1', { transaction: t });
    await t.commit();
  } catch (e) {
    await t.rollback();
    throw e;
  }
}`,
    },
    {
      name: "callback-managed transactions are fine",
      code: `import { withTransaction } from 'db-connection-guard/runtime';
export async function run(knex, sequelize, dataSource, pool) {
  await knex.transaction(async (trx) => trx('t').insert({}));
  await sequelize.transaction(async (t) => sequelize.query('SELECT 1', { transaction: t }));
  await dataSource.transaction(async (manager) => manager.query('SELECT 1'));
  await withTransaction(pool, async (conn) => conn.query('SELECT 1'));
}`,
    },
    {
      name: "begun here, committed by the caller (connection handed over)",
      code: `export async function begin(conn) {
  await conn.beginTransaction();
  await conn.query('SET @x = 1');
}`,
    },
    {
      name: "transaction object returned to the caller",
      code: `export async function start(knex) {
  const trx = await knex.transaction();
  return trx;
}`,
    },
    {
      name: "mssql Transaction with rollback in catch",
      code: `import sql from 'mssql';
export async function run(pool) {
  const tx = new sql.Transaction(pool);
  await tx.begin();
  try {
    await new sql.Request(tx).query('UPDATE t SET x = 1');
    await tx.commit();
  } catch (e) {
    await tx.rollback();
    throw e;
  }
}`,
    },
    {
      name: "mysql callback transaction (the mysql README pattern)",
      code: `import mysql from 'mysql';
const connection = mysql.createConnection({});
export function run() {
  connection.beginTransaction(function (err) {
    if (err) { throw err; }
    connection.query('INSERT INTO posts SET title=?', ['x'], function (error) {
      if (error) {
        return connection.rollback(function () { throw error; });
      }
      connection.commit(function (e) {
        if (e) {
          return connection.rollback(function () { throw e; });
        }
      });
    });
  });
}`,
    },
    {
      name: "unrelated BEGIN text and IndexedDB transaction()",
      code: `export async function run(oracle, idb, conn) {
  await oracle.execute('BEGIN my_proc(:a); END;', { a: 1 });
  const tx = idb.transaction('store', 'readwrite');
  await conn.query('SELECT 1');
  return tx;
}`,
    },
  ],
  invalid: [
    {
      name: "mysql2: no rollback on the exception path",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function transfer(from: number, to: number) {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    await conn.query('UPDATE a SET n = n - 1 WHERE id = ?', [from]);
    await conn.query('UPDATE a SET n = n + 1 WHERE id = ?', [to]);
    await conn.commit();
  } finally {
    conn.release();
  }
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "conn.beginTransaction()", what: "`conn.query()`", line: "7" },
          line: 6,
          column: 11,
          endLine: 6,
          endColumn: 34,
          suggestions: [
            { messageId: 'suggestRollbackInCatch', output: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function transfer(from: number, to: number) {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    try {
      await conn.query('UPDATE a SET n = n - 1 WHERE id = ?', [from]);
      await conn.query('UPDATE a SET n = n + 1 WHERE id = ?', [to]);
      await conn.commit();
    } catch (err) {
      await conn.rollback();
      throw err;
    }
  } finally {
    conn.release();
  }
}` },
          ],
        },
      ],
      output: null,
    },
    {
      name: "pg: BEGIN outside try, no ROLLBACK",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function save() {
  const client = await pool.connect();
  await client.query('BEGIN');
  await client.query('INSERT INTO t VALUES (1)');
  await client.query('COMMIT');
  client.release();
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "client.query('BEGIN')", what: "`client.query()`", line: "6" },
          line: 5,
          column: 9,
          endLine: 5,
          endColumn: 30,
          suggestions: [
            { messageId: 'suggestRollbackInCatch', output: `import { Pool } from 'pg';
const pool = new Pool();
export async function save() {
  const client = await pool.connect();
  await client.query('BEGIN');
  try {
    await client.query('INSERT INTO t VALUES (1)');
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
  client.release();
}` },
          ],
        },
      ],
      output: null,
    },
    {
      name: "early return leaves the transaction open",
      code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function pay(conn: mysql.PoolConnection, amount: number) {
  await conn.beginTransaction();
  try {
    if (amount <= 0) return false;
    await conn.query('UPDATE a SET n = n - ?', [amount]);
    await conn.commit();
    return true;
  } catch (e) {
    await conn.rollback();
    throw e;
  }
}`,
      errors: [
        {
          messageId: 'earlyExit',
          data: { source: "conn.beginTransaction()", how: "the function returns", line: "6" },
          line: 4,
          column: 9,
          endLine: 4,
          endColumn: 32,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "released with the transaction open and never committed",
      code: `import { Pool } from 'pg';
const pool = new Pool();
export async function save() {
  const client = await pool.connect();
  await client.query('BEGIN');
  await client.query('INSERT INTO t VALUES (1)');
  client.release();
}`,
      errors: [
        {
          messageId: 'releasedOpen',
          data: { release: "client.release()", line: "7", source: "client.query('BEGIN')" },
          line: 5,
          column: 9,
          endLine: 5,
          endColumn: 30,
          suggestions: [],
        },
      ],
      output: null,
    },
    {
      name: "TypeORM: no rollback",
      code: `export async function run(dataSource) {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  await queryRunner.startTransaction();
  try {
    await queryRunner.manager.save({});
    await queryRunner.commitTransaction();
  } finally {
    await queryRunner.release();
  }
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "queryRunner.startTransaction()", what: "`queryRunner.manager.save()`", line: "6" },
          line: 4,
          column: 9,
          endLine: 4,
          endColumn: 39,
          suggestions: [
            { messageId: 'suggestRollbackInCatch', output: `export async function run(dataSource) {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  await queryRunner.startTransaction();
  try {
    try {
      await queryRunner.manager.save({});
      await queryRunner.commitTransaction();
    } finally {
      await queryRunner.release();
    }
  } catch (err) {
    await queryRunner.rollbackTransaction();
    throw err;
  }
}` },
          ],
        },
      ],
      output: null,
    },
    {
      name: "knex manual transaction without rollback",
      code: `export async function run(knex) {
  const trx = await knex.transaction();
  await trx('t').insert({ a: 1 });
  await trx.commit();
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "knex.transaction()", what: "`trx('t').insert()`", line: "3" },
          line: 2,
          column: 21,
          endLine: 2,
          endColumn: 39,
          suggestions: [
            { messageId: 'suggestRollbackInCatch', output: `export async function run(knex) {
  const trx = await knex.transaction();
  try {
    await trx('t').insert({ a: 1 });
    await trx.commit();
  } catch (err) {
    await trx.rollback();
    throw err;
  }
}` },
          ],
        },
      ],
      output: null,
    },
    {
      name: "Sequelize manual transaction, commit only",
      code: `export async function run(sequelize) {
  const t = await sequelize.transaction({ isolationLevel: 'SERIALIZABLE' });
  await sequelize.query('UPDATE t SET x = 1', { transaction: t });
  await t.commit();
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "sequelize.transaction()", what: "`sequelize.query()`", line: "3" },
          line: 2,
          column: 19,
          endLine: 2,
          endColumn: 76,
          suggestions: [
            { messageId: 'suggestRollbackInCatch', output: `export async function run(sequelize) {
  const t = await sequelize.transaction({ isolationLevel: 'SERIALIZABLE' });
  try {
    await sequelize.query('UPDATE t SET x = 1', { transaction: t });
    await t.commit();
  } catch (err) {
    await t.rollback();
    throw err;
  }
}` },
          ],
        },
      ],
      output: null,
    },
    {
      name: "mssql Transaction without rollback",
      code: `import sql from 'mssql';
export async function run(pool) {
  const tx = new sql.Transaction(pool);
  await tx.begin();
  await new sql.Request(tx).query('UPDATE t SET x = 1');
  await tx.commit();
}`,
      errors: [
        {
          messageId: 'exceptionPath',
          data: { source: "new sql.Transaction()", what: "`new sql.Request(tx).query()`", line: "5" },
          line: 3,
          column: 14,
          endLine: 3,
          endColumn: 39,
          suggestions: [
            { messageId: 'suggestRollbackInCatch', output: `import sql from 'mssql';
export async function run(pool) {
  const tx = new sql.Transaction(pool);
  try {
    await tx.begin();
    await new sql.Request(tx).query('UPDATE t SET x = 1');
    await tx.commit();
  } catch (err) {
    await tx.rollback();
    throw err;
  }
}` },
          ],
        },
      ],
      output: null,
    },
    {
      name: "mysql callback transaction: query error path neither rolls back nor commits",
      code: `import mysql from 'mysql';
const connection = mysql.createConnection({});
export function run(cb) {
  connection.beginTransaction(function (err) {
    if (err) return cb(err);
    connection.query('INSERT INTO posts SET title=?', ['x'], function (error) {
      if (error) return cb(error);
      connection.commit(cb);
    });
  });
}`,
      errors: [
        {
          messageId: 'callbackPath',
          data: { source: "connection.beginTransaction()", how: "it returns", line: "7" },
          line: 4,
          column: 3,
          endLine: 4,
          endColumn: 30,
          suggestions: [],
        },
      ],
      output: null,
    },
  ],
});
