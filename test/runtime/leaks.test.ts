/**
 * trackLeaks against real pools: a connection held past the threshold is reported once, with the
 * file and line of the code that checked it out; connections given back in time are not reported;
 * stop() puts the pool's own methods back.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as mariadb from 'mariadb';
import mysqljs from 'mysql';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { type LeakReport, trackLeaks, withConnection, withTransaction } from '../../src/runtime/index.js';
import { MYSQL, SKIP_MYSQL, SKIP_PG, pgConfig, pgTarnPool, sleep, waitFor } from './helpers/db.js';
import { DataSourceLike } from './helpers/typeorm-like.js';

const THIS_FILE = fileURLToPath(import.meta.url);
const SOURCE_LINES = readFileSync(THIS_FILE, 'utf8').split('\n');
const THRESHOLD_MS = 100;

/** `file:line` of the line that carries `// leak-site: <name>` in this file. */
function site(name: string): string {
  const line = SOURCE_LINES.findIndex((text) => text.includes(`// leak-site: ${name}`)) + 1;
  return `leaks.test.ts:${line}:`;
}

function collector(): { reports: LeakReport[]; onLeak: (report: LeakReport) => void } {
  const reports: LeakReport[] = [];
  return { reports, onLeak: (report) => reports.push(report) };
}

/** Waits for the first report, then twice the threshold more to see that it is not repeated. */
async function reportsAfterThreshold(reports: LeakReport[]): Promise<LeakReport[]> {
  await waitFor(() => reports.length, (n) => n > 0, THRESHOLD_MS * 20);
  await sleep(THRESHOLD_MS * 2);
  return reports;
}

describe.skipIf(SKIP_PG)('trackLeaks on a pg Pool', () => {
  it('reports a held client once, with the acquiring file and line', async () => {
    const pool = new pg.Pool({ ...pgConfig(), max: 2 });
    const { reports, onLeak } = collector();
    const tracker = trackLeaks(pool, { thresholdMs: THRESHOLD_MS, onLeak });
    // Given back in `finally` when an expectation fails first: pool.end() waits for every client,
    // and would turn the failure into a timeout that hides it.
    let held: pg.PoolClient | undefined;
    try {
      const client = await pool.connect(); // leak-site: pg
      held = client;
      await client.query('SELECT 1');
      const seen = await reportsAfterThreshold(reports);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.stack).toContain(THIS_FILE);
      expect(seen[0]!.stack).toContain(site('pg'));
      expect(seen[0]!.heldMs).toBeGreaterThanOrEqual(THRESHOLD_MS);
      expect(seen[0]!.connection).toBe(client);
      expect(tracker.stats()).toEqual({ acquired: 1, released: 0, outstanding: 1 });
      held = undefined;
      client.release();
      expect(tracker.stats()).toEqual({ acquired: 1, released: 1, outstanding: 0 });
      console.info(`[trackLeaks pg] report after ${seen[0]!.heldMs} ms:\n${seen[0]!.stack.split('\n').slice(0, 3).join('\n')}`);
    } finally {
      held?.release();
      tracker.stop();
      await pool.end();
    }
  });

  it('never reports before the threshold, even when its timer fires early', async () => {
    // Node's timers can fire a millisecond early. Here the clock trackLeaks reads runs 30 ms behind
    // from just after the checkout, so its first timer fires "early": the report must wait for the rest.
    const pool = new pg.Pool({ ...pgConfig(), max: 1 });
    const { reports, onLeak } = collector();
    const now = performance.now.bind(performance);
    let lag = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now() - lag);
    const tracker = trackLeaks(pool, { thresholdMs: THRESHOLD_MS, onLeak });
    let held: pg.PoolClient | undefined;
    try {
      const checkedOut = Date.now();
      held = await pool.connect();
      lag = 30;
      await waitFor(() => reports.length, (n) => n > 0, THRESHOLD_MS * 20);
      const arrived = Date.now() - checkedOut;
      expect(reports).toHaveLength(1);
      expect(reports[0]!.heldMs).toBeGreaterThanOrEqual(THRESHOLD_MS);
      expect(arrived).toBeGreaterThanOrEqual(THRESHOLD_MS + 25);
    } finally {
      clock.mockRestore();
      held?.release();
      tracker.stop();
      await pool.end();
    }
  });

  it('counts checkouts through pool.query, withConnection and withTransaction, and reports none', async () => {
    const pool = new pg.Pool({ ...pgConfig(), max: 2 });
    const { reports, onLeak } = collector();
    const tracker = trackLeaks(pool, { thresholdMs: THRESHOLD_MS, onLeak });
    try {
      await pool.query('SELECT 1');
      await withConnection(pool, (client) => client.query('SELECT 1'));
      await withTransaction(pool, (client) => client.query('SELECT 1'));
      await withConnection(pool, () => Promise.reject(new Error('fn failed'))).catch(() => undefined);
      await sleep(THRESHOLD_MS * 2);
      expect(reports).toHaveLength(0);
      expect(tracker.stats()).toEqual({ acquired: 4, released: 4, outstanding: 0 });
    } finally {
      tracker.stop();
      await pool.end();
    }
  });

  it('stop() restores the pool and the clients', async () => {
    const pool = new pg.Pool({ ...pgConfig(), max: 1 });
    const tracker = trackLeaks(pool, { thresholdMs: THRESHOLD_MS, onLeak: () => undefined });
    expect(Object.hasOwn(pool, 'connect')).toBe(true);
    const client = await pool.connect();
    tracker.stop();
    expect(Object.hasOwn(pool, 'connect')).toBe(false);
    client.release();
    expect(tracker.stats().outstanding).toBe(0);
    await pool.end();
  });

  it('TypeORM-shaped DataSource: reports a QueryRunner that is never released', async () => {
    const pool = new pg.Pool({ ...pgConfig(), max: 1 });
    const dataSource = new DataSourceLike(pool);
    const { reports, onLeak } = collector();
    const tracker = trackLeaks(dataSource, { thresholdMs: THRESHOLD_MS, onLeak });
    let held: { release(): Promise<void> } | undefined;
    try {
      const runner = dataSource.createQueryRunner(); // leak-site: typeorm
      await runner.connect();
      held = runner;
      const seen = await reportsAfterThreshold(reports);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.stack).toContain(site('typeorm'));
      held = undefined;
      await runner.release();
      await withConnection(dataSource, (qr) => qr.query('SELECT 1'));
      expect(tracker.stats()).toEqual({ acquired: 2, released: 2, outstanding: 0 });
    } finally {
      await held?.release();
      tracker.stop();
      await pool.end();
    }
  });

  it('tarn: reports a resource acquired and never released', async () => {
    const pool = pgTarnPool(1);
    const { reports, onLeak } = collector();
    const tracker = trackLeaks(pool, { thresholdMs: THRESHOLD_MS, onLeak });
    try {
      const client = await pool.acquire().promise; // leak-site: tarn
      const seen = await reportsAfterThreshold(reports);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.stack).toContain(site('tarn'));
      pool.release(client);
      expect(tracker.stats()).toEqual({ acquired: 1, released: 1, outstanding: 0 });
    } finally {
      tracker.stop();
      await pool.destroy();
    }
  });
});

describe.skipIf(SKIP_MYSQL)('trackLeaks on MariaDB pools', () => {
  it('mysql2/promise pool: reports a held connection with the acquiring line', async () => {
    const pool = mysql.createPool({ ...MYSQL, connectionLimit: 2 });
    const { reports, onLeak } = collector();
    const tracker = trackLeaks(pool, { thresholdMs: THRESHOLD_MS, onLeak });
    try {
      const conn = await pool.getConnection(); // leak-site: mysql2
      const seen = await reportsAfterThreshold(reports);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.stack).toContain(site('mysql2'));
      conn.release();
      await pool.query('SELECT 1');
      expect(tracker.stats()).toEqual({ acquired: 2, released: 2, outstanding: 0 });
    } finally {
      tracker.stop();
      await pool.end();
    }
  });

  it('mysql (callback) pool: reports a held connection with the acquiring line', async () => {
    const pool = mysqljs.createPool({ ...MYSQL, connectionLimit: 2 });
    const { reports, onLeak } = collector();
    const tracker = trackLeaks(pool, { thresholdMs: THRESHOLD_MS, onLeak });
    try {
      const conn = await new Promise<mysqljs.PoolConnection>((resolve, reject) => {
        pool.getConnection((err: mysqljs.MysqlError | null, c) => (err ? reject(err) : resolve(c))); // leak-site: mysqljs
      });
      const seen = await reportsAfterThreshold(reports);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.stack).toContain(site('mysqljs'));
      conn.release();
      expect(tracker.stats().outstanding).toBe(0);
    } finally {
      tracker.stop();
      await new Promise((resolve) => pool.end(resolve));
    }
  });

  it('mariadb pool: the default report goes to console.warn', async () => {
    const pool = mariadb.createPool({ ...MYSQL, connectionLimit: 2 });
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    const tracker = trackLeaks(pool, { thresholdMs: THRESHOLD_MS });
    try {
      const conn = await pool.getConnection(); // leak-site: mariadb
      await waitFor(() => warnings.length, (n) => n > 0, THRESHOLD_MS * 20);
      const text = String(warnings[0]?.[0]);
      expect(text).toMatch(/a connection has been checked out for \d+ ms \(threshold 100 ms\) and not released/);
      expect(text).toContain(site('mariadb'));
      await conn.release();
      expect(tracker.stats()).toEqual({ acquired: 1, released: 1, outstanding: 0 });
    } finally {
      console.warn = warn;
      tracker.stop();
      await pool.end();
    }
  });
});
