// Generated modules full of the bugs the rules look for (and correct code beside them), for runs of
// ESLint over many files: every rule of the plugin reports in them, some with fixes, some with
// suggestions. Deterministic for a seed.
import { Random } from '../../fuzz/random.js';

/** Settings and options the generated code needs to be fully reported (all serialisable). */
export const GENERATED_SETTINGS = { 'db-guard': { poolModules: ['./db.js'], acquire: ['checkout'] } };
export const GENERATED_RULE_OPTIONS = {
  'db-guard/no-leaked-connection': ['error', { requireFinally: true }],
  'db-guard/handle-stale-connection': ['error', { fix: 'autofix' }],
} as const;

const HEADER = `import mysql from 'mysql2/promise';
import mysqlCb from 'mysql2';
import pg from 'pg';
import { pool as appPool } from './db.js';

const pool = mysql.createPool({ connectionLimit: 5 });
const cbPool = mysqlCb.createPool({});
const pgPool = new pg.Pool();
pgPool.on('error', (err) => console.error(err));
const audit = await mysql.createConnection({ host: 'localhost' });
`;

/** One function per shape; `i` makes the names unique. */
const SHAPES: ((i: number) => string)[] = [
  (i) => `export async function promiseLeak${i}(id: number) {
  const conn = await pool.getConnection();
  const [rows] = await conn.query('SELECT * FROM t WHERE id = ?', [id]);
  conn.release();
  return rows;
}`,
  (i) => `export function callbackLeak${i}(id: number, cb: (e: unknown, r?: unknown) => void) {
  cbPool.getConnection((err, conn) => {
    if (err) return cb(err);
    conn.query('SELECT ?', [id], (qerr, rows) => {
      if (qerr) return cb(qerr);
      conn.release();
      cb(null, rows);
    });
  });
}`,
  (i) => `export async function poolTransaction${i}(n: number) {
  await pgPool.query('BEGIN');
  await pgPool.query('UPDATE t SET n = $1', [n]);
  await pgPool.query('COMMIT');
}`,
  (i) => `export async function stale${i}(id: number) {
  const [rows] = await audit.query('SELECT * FROM log WHERE id = ?', [id]);
  return rows;
}`,
  (i) => `export async function useAfterRelease${i}(id: number) {
  const client = await pgPool.connect();
  try {
    await client.query('SELECT $1', [id]);
  } finally {
    client.release();
  }
  return client.query('SELECT 2');
}`,
  (i) => `export async function single${i}(id: number) {
  const conn = await pool.getConnection();
  try {
    return await conn.query('SELECT ?', [id]);
  } finally {
    conn.release();
  }
}`,
  (i) => `export async function openTransaction${i}(id: number) {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    await conn.query('UPDATE t SET n = n + 1 WHERE id = ?', [id]);
    await conn.commit();
  } finally {
    conn.release();
  }
}`,
  (i) => `export async function customAcquire${i}(id: number) {
  const conn = await appPool.checkout();
  await conn.query('SELECT ?', [id]);
  conn.release();
}`,
  (i) => `export async function catchRelease${i}(id: number) {
  const conn = await pool.getConnection();
  try {
    await conn.query('SELECT ?', [id]);
    conn.release();
  } catch (error) {
    conn.release();
    throw error;
  }
}`,
  (i) => `export async function clean${i}(ids: number[]) {
  const conn = await pool.getConnection();
  try {
    for (const id of ids) await conn.query('UPDATE t SET n = n + 1 WHERE id = ?', [id]);
  } finally {
    conn.release();
  }
}`,
];

/** `count` modules named gen-NNN.ts, each with the header and 2 to 5 shapes in random order. */
export function generateLeakModules(count: number, seed = 7): Record<string, string> {
  const random = new Random(seed);
  const files: Record<string, string> = {};
  for (let n = 0; n < count; n += 1) {
    const shapes = random.sample(SHAPES, 2 + random.int(4));
    const body = shapes.map((shape, k) => shape(n * 10 + k)).join('\n\n');
    files[`gen-${String(n).padStart(3, '0')}.ts`] = `${HEADER}\n${body}\n`;
  }
  return files;
}
