#!/usr/bin/env node
// Times each db-guard rule beside ESLint core's `no-unused-vars` on the same inputs:
//   - generated modules of several sizes, dense with acquisitions, releases, callbacks and loops;
//   - the real sources of the installed database drivers (mysql, mysql2, mariadb, pg, pg-pool),
//     plus typeorm / knex / sequelize when installed.
// All rules run together in one `Linter#verify` per file on a SourceCode parsed afresh for each run
// (parsing is not timed and is reported apart, once; a fresh parse leaves no per-node cache warm); each rule's listeners are wrapped with a timer, as ESLint's own
// TIMING/stats do. Figures are the median of --runs runs after a warm-up run; an input whose runs
// take longer than --budget ms in all stops early (at least one run), and the `runs` column says so.
// A rule that throws is reported as a failed row and makes the script exit 1.
//
//   node scripts/bench-rules.mjs [--runs 5] [--sizes 1000,4000,16000,64000] [--budget 20000] [--no-real]
// Reads dist/esm: run through `npm run bench` (which builds first).
import { parseArgs } from 'node:util';

import * as tsParser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { builtinRules } from 'eslint/use-at-your-own-risk';

import { loadBuiltPlugin, median, packageSources, freshParses, timedConfigs } from './lib/bench.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    budget: { type: 'string', default: '20000' },
    sizes: { type: 'string', default: '1000,4000,16000,64000' },
    'no-real': { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(1, Number(values.runs));
const BUDGET_MS = Number(values.budget);
const SIZES = values.sizes.split(',').map(Number).filter((n) => n > 0);
const BASELINE = 'no-unused-vars';
/** Time spent in each rule's listeners (and create) during the current run, by rule id. */
const spent = new Map();

const plugin = await loadBuiltPlugin('bench-rules');
const { ruleIds, config, parseOnly } = timedConfigs(plugin, BASELINE, builtinRules.get(BASELINE), tsParser, spent);

console.log(`# db-guard rules vs ${BASELINE} (node ${process.version}, eslint ${Linter.version}, median of ${String(RUNS)} runs)`);
if (ruleIds.length === 0) console.log('(the plugin has no rules yet: only the baseline is timed)');
console.log('');
console.log('| input | lines | rule | ms | ms per 1k lines | runs |');
console.log('| :--- | ---: | :--- | ---: | ---: | ---: |');

for (const size of SIZES) {
  report(`generated ${String(size)}`, [{ filename: 'generated.ts', code: generate(size) }]);
}
if (!values['no-real']) {
  for (const pkg of ['mysql', 'mysql2', 'mariadb', 'pg', 'pg-pool', 'typeorm', 'knex', 'sequelize']) {
    const files = packageSources(pkg);
    if (files.length > 0) report(`${pkg} (${String(files.length)} file${files.length === 1 ? '' : 's'})`, files);
  }
}

/** Parses each file once, lints them up to RUNS times (plus a warm-up) and prints one row per rule. */
function report(label, inputs) {
  const linter = new Linter({ configType: 'flat' });
  const lines = inputs.reduce((n, f) => n + f.code.split('\n').length, 0);
  const row = (name, ms, runs) => {
    console.log(`| ${label} | ${String(lines)} | ${name} | ${ms.toFixed(1)} | ${((ms * 1000) / lines).toFixed(3)} | ${String(runs)} |`);
  };
  const start = performance.now();
  for (const parsed of freshParses(linter, inputs, parseOnly, label)) void parsed;
  const parseMs = performance.now() - start;
  const samples = new Map([...ruleIds, BASELINE].map((id) => [id, []]));
  let lintMs = 0; // the budget counts linting, not the parses between runs
  for (let run = 0; run <= RUNS; run += 1) {
    spent.clear();
    let runMs = 0;
    for (const { filename, sourceCode } of freshParses(linter, inputs, parseOnly, label)) {
      const fileStart = performance.now();
      try {
        linter.verify(sourceCode, config, { filename });
        runMs += performance.now() - fileStart;
      } catch (error) {
        console.log(`| ${label} | ${String(lines)} | (failed on ${filename}) | ${String(error.message).split('\n')[0]} | | |`);
        process.exitCode = 1;
        return;
      }
    }
    lintMs += runMs;
    // The first run warms up the JIT, unless it is slow enough for warm-up not to matter.
    if (run === 0 && runMs < BUDGET_MS / (RUNS + 1)) continue;
    for (const [id, list] of samples) list.push(spent.get(id) ?? 0);
    if (samples.get(BASELINE).length >= RUNS || lintMs > BUDGET_MS) break;
  }
  for (const [id, list] of samples) row(id, median(list), list.length);
  row('(parse, once, shared)', parseMs, 1);
}

/**
 * A module of about `lines` lines mixing the shapes the rules look at (promise and callback
 * checkouts, try/finally, early returns, loops, transactions, long-lived connections) with plain code.
 */
function generate(lines) {
  const header = [
    "import mysql from 'mysql2/promise';",
    "import mysqlCb from 'mysql2';",
    "import pg from 'pg';",
    "const pool = mysql.createPool({ host: 'localhost', connectionLimit: 10 });",
    "const cbPool = mysqlCb.createPool({ host: 'localhost' });",
    'const pgPool = new pg.Pool();',
    "pgPool.on('error', (err) => console.error(err));",
    '',
  ];
  const shapes = [
    (i) => [
      `export async function happyPath${i}(id: number) {`,
      '  const conn = await pool.getConnection();',
      "  const [rows] = await conn.query('SELECT * FROM t WHERE id = ?', [id]);",
      '  conn.release();',
      '  return rows;',
      '}',
    ],
    (i) => [
      `export async function guarded${i}(ids: number[]) {`,
      '  const conn = await pool.getConnection();',
      '  try {',
      '    const unused = ids.length;',
      '    for (const id of ids) {',
      "      if (id < 0) continue;",
      "      await conn.query('UPDATE t SET n = n + 1 WHERE id = ?', [id]);",
      '    }',
      '  } finally {',
      '    conn.release();',
      '  }',
      '}',
    ],
    (i) => [
      `export function callback${i}(id: number, cb: (e: unknown, r?: unknown) => void) {`,
      '  cbPool.getConnection((err, conn) => {',
      '    if (err) return cb(err);',
      "    conn.query('SELECT 1', [id], (qerr, rows) => {",
      '      if (qerr) return cb(qerr);',
      '      conn.release();',
      '      cb(null, rows);',
      '    });',
      '  });',
      '}',
    ],
    (i) => [
      `export async function pgTx${i}(n: number) {`,
      '  const client = await pgPool.connect();',
      '  try {',
      "    await client.query('BEGIN');",
      '    switch (n) {',
      "      case 0: await client.query('SELECT 0'); break;",
      "      default: await client.query('SELECT $1', [n]);",
      '    }',
      "    await client.query('COMMIT');",
      '  } catch (e) {',
      "    await client.query('ROLLBACK');",
      '    throw e;',
      '  } finally {',
      '    client.release();',
      '  }',
      '}',
    ],
    (i) => [
      `export function plain${i}(values: number[]) {`,
      '  let total = 0;',
      '  const ignored = values.map((v) => v * 2);',
      '  for (let k = 0; k < values.length; k += 1) {',
      '    total += values[k] ?? 0;',
      '  }',
      '  return total > 10 ? { total } : null;',
      '}',
    ],
  ];
  const out = [...header];
  for (let i = 0; out.length < lines; i += 1) out.push(...shapes[i % shapes.length](i), '');
  return out.join('\n');
}
