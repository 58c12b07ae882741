#!/usr/bin/env node
// Child process of test/e2e/fixes-really-fix.test.ts: runs one function of the (compiled) example
// service against the real servers with a query forced to fail, as many times as its pool has
// connections, and prints what it left behind as one JSON line.
//
//   node run-example.mjs <compiled-dir> <updateEmail|deactivateUser|monthlyRevenue|listOrders>
//
// The example modules are run unchanged. Their pools are pointed at the test servers the way a
// deployment would point them: pg through DATABASE_URL (db.ts reads it); mysql2 through the
// connection options in HARNESS_MYSQL (JSON), merged over the options the modules pass to
// `createPool()`, because db.ts and orders.js hard-code `database: 'shop'`. The same wrapper records
// each pool so that its counters can be read (orders.js does not export its pool).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';

const [dir, fn] = process.argv.slice(2);
const CALL_TIMEOUT_MS = 5_000;
const PROBE_TIMEOUT_MS = 2_000;
const mysqlOptions = JSON.parse(process.env.HARNESS_MYSQL ?? '{}');

/** mysql2 core pools created by the example modules (a promise pool's core pool is its `.pool`). */
const mysqlPools = [];
const createCorePool = mysql.createPool;
mysql.createPool = (options) => {
  const pool = createCorePool({ ...options, ...mysqlOptions });
  mysqlPools.push(pool);
  return pool;
};
const createPromisePool = mysqlPromise.createPool;
mysqlPromise.createPool = (options) => {
  const pool = createPromisePool({ ...options, ...mysqlOptions });
  mysqlPools.push(pool.pool);
  return pool;
};

function load(file) {
  return import(pathToFileURL(path.join(dir, file)).href);
}

function within(ms, promise) {
  return Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve('timeout'), ms))]);
}

/** A response object like examples/src/http.ts's, recording what the handler sent. */
function response() {
  const sent = { status: 200, body: undefined };
  const res = {
    status(code) {
      sent.status = code;
      return res;
    },
    json(body) {
      sent.body = body;
    },
    end() {},
  };
  return { res, sent };
}

/** Calls a handler, returning how it ended: a response, an error code, or a hang. */
async function callHandler(handler, req) {
  const { res, sent } = response();
  const outcome = await within(
    CALL_TIMEOUT_MS,
    handler(req, res).then(
      () => ({ status: sent.status }),
      (error) => ({ error: error.code ?? error.message }),
    ),
  );
  return outcome === 'timeout' ? { hang: true } : outcome;
}

const request = (parts) => ({ params: {}, query: {}, body: {}, ...parts });

/** Each scenario: the pool it uses, and one call with the forced failure. */
const scenarios = {
  async updateEmail() {
    const { updateEmail } = await load('users.js');
    const { pool } = await load('db.js');
    // users 1 and 2 exist and `email` is UNIQUE: giving user 2 the email of user 1 fails (ER_DUP_ENTRY).
    return { kind: 'mysql', pool: pool.pool, call: () => callHandler(updateEmail, request({ params: { id: '2' }, body: { email: 'one@example.com' } })) };
  },
  async deactivateUser() {
    const { deactivateUser } = await load('users.js');
    const { pool } = await load('db.js');
    // No user 999: the handler answers 404 through its early return.
    return { kind: 'mysql', pool: pool.pool, call: () => callHandler(deactivateUser, request({ params: { id: '999' } })) };
  },
  async monthlyRevenue() {
    const { monthlyRevenue } = await load('reports.js');
    const { pgPool } = await load('db.js');
    // invoices.month is an integer: 'not-a-month' fails (22P02 invalid_text_representation).
    return { kind: 'pg', pool: pgPool, call: () => callHandler(monthlyRevenue, request({ query: { month: 'not-a-month' } })) };
  },
  async listOrders() {
    const { listOrders } = await load('orders.js');
    const pool = mysqlPools.at(-1);
    // The test database has no `orders` table: the query fails (ER_NO_SUCH_TABLE).
    const call = async () => {
      const outcome = await within(
        CALL_TIMEOUT_MS,
        new Promise((resolve) => {
          listOrders(1, (error) => resolve(error ? { error: error.code ?? error.message } : { status: 200 }));
        }),
      );
      return outcome === 'timeout' ? { hang: true } : outcome;
    };
    return { kind: 'mysql', pool, call };
  },
};

/** Connections the pool has handed out and not got back. */
function counters(kind, pool) {
  if (kind === 'pg') return { open: pool.totalCount, checkedOut: pool.totalCount - pool.idleCount };
  return { open: pool._allConnections.length, checkedOut: pool._allConnections.length - pool._freeConnections.length };
}

/** Whether the pool can still hand out a connection, as the next request would ask it. */
async function probe(kind, pool) {
  if (kind === 'pg') {
    const client = await within(PROBE_TIMEOUT_MS, pool.connect());
    if (client === 'timeout') return 'exhausted';
    client.release();
    return 'ok';
  }
  const conn = await within(
    PROBE_TIMEOUT_MS,
    new Promise((resolve, reject) => pool.getConnection((error, c) => (error ? reject(error) : resolve(c)))),
  );
  if (conn === 'timeout') return 'exhausted';
  conn.release();
  return 'ok';
}

/** The server's view: sessions of this pool (by database for MariaDB, by application_name for pg). */
async function serverSessions(kind) {
  if (kind === 'pg') {
    const url = new URL(process.env.DATABASE_URL);
    const application = url.searchParams.get('application_name');
    url.searchParams.set('application_name', `${application}-admin`);
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: url.href });
    await admin.connect();
    try {
      const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [application]);
      return rows[0].n;
    } finally {
      await admin.end();
    }
  }
  const admin = await mysqlPromise.createConnection({ ...mysqlOptions, database: undefined });
  try {
    const [rows] = await admin.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [mysqlOptions.database]);
    return Number(rows[0].n);
  } finally {
    await admin.end();
  }
}

const scenario = await scenarios[fn]?.();
if (!scenario) {
  console.error(`unknown function ${fn}`);
  process.exit(2);
}
const limit = scenario.kind === 'pg' ? scenario.pool.options.max : scenario.pool.config.connectionLimit;
const outcomes = [];
for (let i = 0; i < limit; i += 1) outcomes.push(await scenario.call());
const { open, checkedOut } = counters(scenario.kind, scenario.pool);
const sessions = await serverSessions(scenario.kind);
const next = await probe(scenario.kind, scenario.pool);
console.log(JSON.stringify({ fn, limit, outcomes, open, checkedOut, sessions, probe: next }));
// The leaked connections (if any) keep the event loop alive; leaving is the point of a child process.
process.exit(0);
