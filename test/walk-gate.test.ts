// The walk gate (src/analysis/walk-gate.ts): the code-path walk records only the functions whose
// text can hold an acquisition (or that hold a resource on entry). Skipping the others must change no
// report: with the gate on, off, and in audit mode (every function recorded, and each resource the
// gate would have skipped counted), the rules report the same over the corpus, generated programs,
// the installed sources of the benchmark packages, and the cases below, which only the gate's
// subtler parts (local acquirers, imports under another name, settings, statements) let through.
// "Off" also turns off the shared call listener's routes (calls.ts), so that the packages' sources,
// linted three ways here already, check the routes too (test/call-routes.test.ts checks them alone).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { packageSources } from '../scripts/lib/bench.mjs';
import { setCallRouting } from '../src/analysis/calls.js';
import { positionsOfNames, wordPattern } from '../src/analysis/walk-gate.js';
import { gateStats, notRecordingUntouched, setWalkGate } from '../src/analysis/flow.js';
import plugin from '../src/index.js';
import { ProgramGenerator } from './fuzz/generate.js';
import { corpus } from './fuzz/mutate.js';
import { lintAllRules as lint } from './helpers/all-rules.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ns = plugin.meta.namespace;
/**
 * The reports with the gate on, off (and the call routes off) and in audit mode, and how many
 * resources the audit found the gate would have missed.
 */
function lintEveryWay(code: string, filename?: string, settings?: Record<string, unknown>): { on: string[]; off: string[]; audit: string[]; misses: number } {
  setWalkGate('off');
  setCallRouting(false);
  const off = lint(code, filename, settings);
  setCallRouting(true);
  setWalkGate('audit');
  const before = gateStats.misses;
  const audit = lint(code, filename, settings);
  const misses = gateStats.misses - before;
  setWalkGate('on');
  const on = lint(code, filename, settings);
  return { on, off, audit, misses };
}

afterEach(() => {
  setWalkGate('on');
  setCallRouting(true);
});

/** Acquisitions that only the gate's subtler parts find, each in a function with no other candidate. */
const CASES: { name: string; code: string; settings?: Record<string, unknown>; rule: string }[] = [
  {
    name: 'a local acquirer declared after its caller (hoisted)',
    rule: 'no-leaked-connection',
    code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run(): Promise<void> {
  const conn = await open();
  await conn.query('SELECT 1');
  conn.release();
}
async function open() {
  return pool.getConnection();
}`,
  },
  {
    name: 'local acquirers calling each other',
    rule: 'no-leaked-connection',
    code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run(): Promise<void> {
  const conn = await outer();
  await conn.query('SELECT 1');
  conn.release();
}
const outer = async () => inner();
const inner = () => pool.getConnection();`,
  },
  {
    name: 'a connection class imported under another name',
    rule: 'no-leaked-connection',
    code: `const { Client: PgClient } = require('pg');
export async function run(): Promise<void> {
  const client = new PgClient();
  await client.query('SELECT 1');
  await client.end();
}`,
  },
  {
    name: 'a factory imported under another name',
    rule: 'no-leaked-connection',
    code: `import { createConnection as open } from 'mysql2/promise';
export async function run(): Promise<void> {
  const conn = await open({});
  await conn.query('SELECT 1');
  await conn.end();
}`,
  },
  {
    name: 'an acquiring method named in the settings, with a $',
    rule: 'no-leaked-connection',
    settings: { [ns]: { acquire: ['$borrow'] } },
    code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run(): Promise<void> {
  const conn = await pool.$borrow();
  await conn.query('SELECT 1');
  conn.release();
}`,
  },
  {
    name: 'a computed method name',
    rule: 'no-leaked-connection',
    code: `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function run(): Promise<void> {
  const conn = await pool['getConnection']();
  await conn.query('SELECT 1');
  conn.release();
}`,
  },
  {
    name: 'a transaction begun by a statement on a parameter',
    rule: 'no-leaked-transaction',
    code: `interface Db {
  query(sql: string): Promise<unknown>;
}
export async function run(client: Db): Promise<void> {
  await client.query(\`
    BEGIN\`);
  await client.query('UPDATE t SET n = 1');
  await client.query('COMMIT');
}`,
  },
  {
    name: 'a connection held on entry of a callback that acquires nothing itself',
    rule: 'no-leaked-connection',
    code: `import mysql from 'mysql';
const pool = mysql.createPool({});
export function run(): void {
  pool.getConnection(function (err, conn) {
    if (err) throw err;
    conn.query('SELECT 1', () => undefined);
  });
}`,
  },
];

describe('the walk gate', () => {
  it.each(CASES)('lets through $name', ({ code, settings, rule }) => {
    const { on, off, audit, misses } = lintEveryWay(code, 'file.ts', settings);
    // Each case is a real report, so the comparison is about something.
    expect(off.some((entry) => entry.startsWith(`["${ns}/${rule}"`)), off.join('\n')).toBe(true);
    expect(on).toEqual(off);
    expect(audit).toEqual(off);
    expect(misses).toBe(0);
  });

  it('changes no report over the corpus and 300 generated programs, and misses no resource', () => {
    const generator = new ProgramGenerator(20261202);
    const inputs = [...corpus(ROOT), ...Array.from({ length: 300 }, () => generator.program())];
    let reports = 0;
    for (const code of inputs) {
      const { on, off, audit, misses } = lintEveryWay(code);
      expect(on).toEqual(off);
      expect(audit).toEqual(off);
      expect(misses).toBe(0);
      reports += off.length;
    }
    expect(reports).toBeGreaterThan(500);
    expect(notRecordingUntouched()).toBe(true);
  }, 120_000);

  it('changes no report on the installed sources of the benchmark packages, and misses no resource', () => {
    let files = 0;
    let reports = 0;
    for (const pkg of ['typeorm', 'sequelize', 'knex', 'mysql2', 'pg']) {
      const sources = packageSources(pkg);
      expect(sources.length, `${pkg} is a devDependency: run npm ci`).toBeGreaterThan(0);
      for (const { filename, code } of sources) {
        const { on, off, audit, misses } = lintEveryWay(code, filename.replace(/\.c?js$/, '.js'));
        expect(on, `${pkg}/${filename}`).toEqual(off);
        expect(audit, `${pkg}/${filename}`).toEqual(off);
        expect(misses, `${pkg}/${filename}`).toBe(0);
        files++;
        reports += off.length;
      }
    }
    expect(files).toBeGreaterThan(800);
    expect(reports).toBeGreaterThan(0);
    expect(notRecordingUntouched()).toBe(true);
  }, 180_000);

  it('lets every function through when local acquirers wrap each other deeper than it follows', () => {
    // 12 wrappers: each round of the fixpoint scans the text once, so the gate stops after 8.
    const wrappers = Array.from({ length: 12 }, (_, i) => `async function w${i + 1}() { return w${i}(); }`);
    const code = `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
async function w0() { return pool.getConnection(); }
${wrappers.join('\n')}
export async function run(): Promise<void> {
  const conn = await w12();
  await conn.query('SELECT 1');
  conn.release();
}
export function plain(x: number): number {
  return x + 1;
}`;
    const { on, off, misses } = lintEveryWay(code);
    expect(off.some((entry) => entry.includes('no-leaked-connection')), off.join('\n')).toBe(true);
    expect(on).toEqual(off);
    expect(misses).toBe(0);
    const before = { ...gateStats };
    lint(code);
    // `plain` too: the gate gave up.
    expect(gateStats.recorded - before.recorded).toBe(gateStats.paths - before.paths);
  });

  it('finds by indexOf every position of a few names that their regular expression finds', () => {
    // Names as imports and local functions have them: words, `$` names, unicode, one another's prefixes.
    const sets = [['Pool'], ['pool', 'poolFactory'], ['$db', 'db$', '$'], ['café', 'caf'], ['a', 'ab', 'b_'], ['getConnection', 'connect', 'Client', 'PG', 'x1']];
    const texts = [
      ...corpus(ROOT).slice(0, 200),
      ...packageSources('pg').map((source) => source.code),
      'Pool pool poolFactory PoolX xPool $db db$ a$db$b $$ café caféx xcafé caf ab a b_ a_b_ b_c getConnection() connect x1 x12',
    ];
    let found = 0;
    for (const names of sets.map((list) => new Set(list))) {
      for (const text of texts) {
        const byIndex: number[] = [];
        positionsOfNames(names, text, byIndex);
        const pattern = wordPattern(names);
        const byPattern = [...text.matchAll(pattern)].map((match) => match.index);
        const positions = new Set(byIndex);
        for (const at of byPattern) expect(positions.has(at), `${[...names].join(',')} at ${String(at)}`).toBe(true);
        // Nothing else than where a name is written, bounded as the pattern bounds it.
        const sticky = new RegExp(pattern.source, 'y');
        for (const at of byIndex) {
          sticky.lastIndex = at;
          expect(sticky.test(text), `${[...names].join(',')} at ${String(at)}`).toBe(true);
        }
        found += byPattern.length;
      }
    }
    expect(found).toBeGreaterThan(100);
  });

  it('records only the functions of a large file that acquire', () => {
    // Not a timing: what the gate decides. A file of 200 functions, two of which acquire.
    const plain = Array.from({ length: 198 }, (_, i) => `export async function f${i}(x: number) {\n  if (x > ${i}) return await g(x);\n  return x;\n}`);
    const code = `import mysql from 'mysql2/promise';\nconst pool = mysql.createPool({});\ndeclare function g(x: number): Promise<number>;\n${plain.join('\n')}
export async function a() { const c = await pool.getConnection(); await c.query('SELECT 1'); c.release(); }
export async function b() { const c = await pool.getConnection(); try { await c.query('SELECT 1'); } finally { c.release(); } }`;
    const { on, off } = lintEveryWay(code);
    expect(on).toEqual(off);
    expect(on.filter((entry) => entry.includes('no-leaked-connection'))).toHaveLength(1);
    const before = { ...gateStats };
    lint(code);
    // The program, a and b: the 198 others hold no candidate.
    expect(gateStats.paths - before.paths).toBe(201);
    expect(gateStats.recorded - before.recorded).toBe(3);
    // The 198 share one empty segment set, order and frame list, which nothing may write.
    expect(notRecordingUntouched()).toBe(true);
  });

  it('passes the clients only the calls of a recorded function that hold a candidate', () => {
    // Not a timing: which calls reach the rules' classification. One function that acquires, and
    // forty-one calls beside the acquisition that hold no candidate (plain, method, new, a string argument).
    const others = Array.from({ length: 10 }, (_, i) => `  log(${i}); await conn.query('SELECT ${i}'); new Date(${i}); helper.format('x${i}');`);
    const code = `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
declare function log(x: number): void;
declare const helper: { format(s: string): string };
export async function run(): Promise<void> {
  const conn = await pool.getConnection();
${others.join('\n')}
  conn.release();
}`;
    const { on, off, misses } = lintEveryWay(code);
    expect(off.filter((entry) => entry.includes('no-leaked-connection')), off.join('\n')).toHaveLength(1);
    expect(on).toEqual(off);
    expect(misses).toBe(0);
    const before = { ...gateStats };
    lint(code);
    // `pool.getConnection()` and, in the program (which holds candidates too), `mysql.createPool()`
    // (`mysql` is a driver import): `conn.query`, `conn.release`, `log`, `new Date` and
    // `helper.format` hold no candidate. (Gated by function only, all 43 calls were passed.)
    expect(gateStats.calls - before.calls).toBe(2);
  });
});
