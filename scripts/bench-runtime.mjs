#!/usr/bin/env node
// Overhead of the runtime helpers over the raw driver calls they wrap, against the machine's real
// MariaDB and PostgreSQL (MYSQL_URL / PG_URL, same defaults as the tests). Prints figures; asserts
// nothing. Uses the BUILT runtime: run `npx tsc -p tsconfig.build.json` (or `npm run build`) first.
//
//   withConnection(pool, c => c.query('SELECT 1'))  vs  acquire / query / release by hand
//   reconnecting(factory).query('SELECT 1')          vs  the same query on a raw connection
//   a raw connection                                 vs  an identical one (the noise floor)
//   withConnection(pool, () => undefined)            vs  checkout / release (the helper's own cost)
//
// Each pair runs interleaved in rounds (A, B, A, B, ...) on one connection at a time so that server
// and machine drift hit both sides alike. Options: --iterations N (per side, default 4000),
// --rounds N (default 40).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist', 'esm', 'src', 'runtime', 'index.js');
if (!existsSync(built)) {
  console.error(`bench-runtime: ${path.relative(root, built)} is missing; run \`npx tsc -p tsconfig.build.json\` first.`);
  process.exit(1);
}
const { withConnection, reconnecting } = await import(pathToFileURL(built).href);

const { values } = parseArgs({
  options: { iterations: { type: 'string', default: '4000' }, rounds: { type: 'string', default: '40' } },
  strict: false,
});
const ITERATIONS = Number(values.iterations);
const ROUNDS = Number(values.rounds);
const WARMUP = Math.min(500, ITERATIONS);

const mysqlUrl = new URL(process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test');
const pgUrl = new URL(process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const mysqlConfig = {
  host: mysqlUrl.hostname,
  port: Number(mysqlUrl.port || 3306),
  user: decodeURIComponent(mysqlUrl.username || 'root'),
  password: decodeURIComponent(mysqlUrl.password),
  database: mysqlUrl.pathname.slice(1) || 'test',
};
const pgConfig = {
  host: pgUrl.hostname,
  port: Number(pgUrl.port || 5432),
  user: decodeURIComponent(pgUrl.username || 'postgres'),
  ...(pgUrl.password ? { password: decodeURIComponent(pgUrl.password) } : {}),
  database: pgUrl.pathname.slice(1) || 'test',
};

/** Runs `op` `count` times in sequence and returns each call's latency in microseconds. */
async function sample(op, count) {
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await op();
    times[i] = (performance.now() - start) * 1000;
  }
  return times;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(chunks) {
  const all = Float64Array.from(chunks.flatMap((c) => Array.from(c))).sort();
  return { p50: percentile(all, 50), p95: percentile(all, 95), n: all.length };
}

/** Measures two operations interleaved; returns their p50/p95 and the overhead of `b` over `a`. */
async function compare(name, a, b) {
  await sample(a.op, WARMUP);
  await sample(b.op, WARMUP);
  const perRound = Math.ceil(ITERATIONS / ROUNDS);
  const chunksA = [];
  const chunksB = [];
  for (let round = 0; round < ROUNDS; round++) {
    chunksA.push(await sample(a.op, perRound));
    chunksB.push(await sample(b.op, perRound));
  }
  const sa = summary(chunksA);
  const sb = summary(chunksB);
  return { name, a: { label: a.label, ...sa }, b: { label: b.label, ...sb } };
}

const fmt = (us) => `${us.toFixed(1).padStart(7)} µs`;
const pct = (b, a) => `${(((b - a) / a) * 100).toFixed(1).padStart(5)}%`;

function print(results) {
  console.log(`SELECT 1, sequential, ${ITERATIONS} calls per side in ${ROUNDS} interleaved rounds (after ${WARMUP} warm-up calls)\n`);
  console.log('| comparison | raw p50 | helper p50 | overhead p50 | raw p95 | helper p95 | overhead p95 |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${fmt(r.a.p50)} | ${fmt(r.b.p50)} | ${pct(r.b.p50, r.a.p50)} | ${fmt(r.a.p95)} | ${fmt(r.b.p95)} | ${pct(r.b.p95, r.a.p95)} |`,
    );
  }
}

/**
 * One driver's two comparisons. `pool` checks out with `checkout(pool)` and gives back with
 * `conn.release()`; `connect()` opens a raw connection, `factory` is what reconnecting() gets.
 */
async function benchDriver({ name, pool, checkout, connect, factory, close }) {
  const raw = await connect();
  const twin = await connect();
  const db = reconnecting(factory);
  try {
    return [
      // A/A: two identical raw connections. Their difference is the noise floor of this machine.
      await compare(
        `${name} connection: raw vs raw (noise floor)`,
        { label: 'raw', op: () => raw.query('SELECT 1') },
        { label: 'raw twin', op: () => twin.query('SELECT 1') },
      ),
      await compare(
        `${name} pool: withConnection vs checkout/query/release`,
        {
          label: 'raw',
          op: async () => {
            const conn = await checkout(pool);
            try {
              await conn.query('SELECT 1');
            } finally {
              conn.release();
            }
          },
        },
        { label: 'withConnection', op: () => withConnection(pool, (conn) => conn.query('SELECT 1')) },
      ),
      // Without a query: the helper's own cost per checkout, free of network noise.
      await compare(
        `${name} pool, no query: withConnection vs checkout/release`,
        {
          label: 'raw',
          op: async () => {
            const conn = await checkout(pool);
            conn.release();
          },
        },
        { label: 'withConnection', op: () => withConnection(pool, () => undefined) },
      ),
      await compare(
        `${name} connection: reconnecting().query vs connection.query`,
        { label: 'raw', op: () => raw.query('SELECT 1') },
        { label: 'reconnecting', op: () => db.query('SELECT 1') },
      ),
    ];
  } finally {
    await db.end();
    await close(raw);
    await close(twin);
    await pool.end();
  }
}

const mysqlResults = await benchDriver({
  name: 'mysql2/promise',
  pool: mysql.createPool({ ...mysqlConfig, connectionLimit: 4 }),
  checkout: (pool) => pool.getConnection(),
  connect: () => mysql.createConnection(mysqlConfig),
  factory: () => mysql.createConnection(mysqlConfig),
  close: (conn) => conn.end(),
});
const pgResults = await benchDriver({
  name: 'pg',
  pool: new pg.Pool({ ...pgConfig, max: 4 }),
  checkout: (pool) => pool.connect(),
  connect: async () => {
    const client = new pg.Client(pgConfig);
    await client.connect();
    return client;
  },
  factory: () => new pg.Client(pgConfig),
  close: (client) => client.end(),
});

print([...mysqlResults, ...pgResults]);
