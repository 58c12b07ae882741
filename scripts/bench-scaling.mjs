#!/usr/bin/env node
// How the db-guard rules scale, all of them together, beside ESLint core's `no-unused-vars`:
//   1. real code bases: the installed sources of typeorm (and knex, sequelize, mysql2, pg when installed);
//      then the same without timers, by wall clock: what the rules add to a lint run ('wall');
//   2. generated modules of 1k to 64k lines: time per line must stay flat;
//   3. adversarial inputs, each at doubling sizes: deeply nested callbacks, thousands of
//      acquisitions in one function, long else-if chains, a huge switch, deep try/finally nesting,
//      labelled loops; the growth exponent per doubling (1 = linear, 2 = quadratic) is printed,
//      and the rule that dominates at the largest size.
// Rules run together in one `Linter#verify` per file on a SourceCode parsed afresh for each run (not
// timed, so that no run finds the per-node caches of the one before); each rule's create() and
// listeners are wrapped with a timer (as ESLint's TIMING does), so "all rules" is the sum of the
// db-guard rules' own time, shared caches and the shared code-path walk included (counted for the
// rule that fills or drives them). Figures are medians of --runs runs
// after a warm-up run. A rule that throws makes the script exit 1; slow growth is reported, not failed.
//
//   node scripts/bench-scaling.mjs [--runs 3] [--sizes 1000,2000,...,64000] [--only real,wall,scaling,adversarial]
//     [--against <a build's dist/esm/src/index.js>]
// --against adds another build of the plugin (an earlier commit's, say) to the wall-clock section,
// linted file by file beside the others: a before/after comparison in which the machine's slow
// moments, which move these figures by up to a third from one run to the next, count against both.
// Reads dist/esm: run through `npm run bench` (which builds first).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, Worker } from 'node:worker_threads';

import * as tsParser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { builtinRules } from 'eslint/use-at-your-own-risk';

import { comparisonConfigs, loadBuiltPlugin, median, packageSources, freshParses, timedConfigs } from './lib/bench.mjs';

// The TypeScript parser recurses once per nesting level and overflows Node's default stack at about
// 170 nested callbacks, before any rule runs. The adversarial inputs go deeper, so everything runs
// in a worker thread with a larger stack.
const STACK_MB = 256;
if (isMainThread) {
  const code = await new Promise((resolve) => {
    const worker = new Worker(new URL(import.meta.url), { argv: process.argv.slice(2), resourceLimits: { stackSizeMb: STACK_MB } });
    worker.on('error', (error) => {
      console.error(error);
      resolve(1);
    });
    worker.on('exit', resolve);
  });
  process.exit(code);
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    sizes: { type: 'string', default: '1000,2000,4000,8000,16000,32000,64000' },
    only: { type: 'string', default: 'real,wall,scaling,adversarial' },
    against: { type: 'string' },
  },
});
const RUNS = Math.max(1, Number(values.runs));
const SIZES = values.sizes.split(',').map(Number).filter((n) => n > 0);
const ONLY = new Set(values.only.split(','));
const BASELINE = 'no-unused-vars';
/** An input whose one run takes longer than this is measured once, and its family grows no further. */
const BUDGET_MS = 10_000;

const plugin = await loadBuiltPlugin('bench-scaling');
const againstPlugin = values.against ? (await import(pathToFileURL(path.resolve(values.against)).href)).default : undefined;
/** Time spent in each rule during the current run, by rule id. */
const spent = new Map();
const { ns, ruleIds, languageOptions, config, parseOnly } = timedConfigs(plugin, BASELINE, builtinRules.get(BASELINE), tsParser, spent);
const linter = new Linter({ configType: 'flat' });

console.log(`# db-guard rules together vs ${BASELINE}: scaling (node ${process.version}, eslint ${Linter.version}, ${String(ruleIds.length)} rules, median of ${String(RUNS)} runs)`);

/** The sections, run at the end of the module (after the input families below are defined). */
function main() {
  if (ONLY.has('real')) {
    console.log('\n## Real code bases (installed package sources)\n');
    console.log(`| code base | files | lines | all db-guard rules ms | ${BASELINE} ms | ratio | slowest rule (ms) |`);
    console.log('| :--- | ---: | ---: | ---: | ---: | ---: | :--- |');
    let breakdown;
    for (const pkg of ['typeorm', 'sequelize', 'knex', 'mysql2', 'pg']) {
      const inputs = packageSources(pkg);
      if (inputs.length === 0) continue;
      const m = measure(pkg, inputs);
      if (!m) continue;
      breakdown ??= { pkg, m };
      console.log(`| ${pkg} | ${String(inputs.length)} | ${String(m.lines)} | ${ms(m.all)} | ${ms(m.baseline)} | ${(m.all / m.baseline).toFixed(2)} | ${m.slowest} |`);
    }
    if (breakdown) {
      console.log(`\nBy rule, on ${breakdown.pkg} (same runs):\n`);
      console.log(`| rule | ms | share of ${BASELINE} |`);
      console.log('| :--- | ---: | ---: |');
      for (const [id, t] of breakdown.m.perRule) console.log(`| ${id} | ${ms(t)} | ${(t / breakdown.m.baseline).toFixed(2)} |`);
    }
  }

  if (ONLY.has('wall')) {
    console.log('\n## Wall clock, no timers: what the rules add to a lint run\n');
    console.log(`Each round lints every file with one empty rule, with it and ${BASELINE}, and with it and all db-guard rules (none of them wrapped with a timer), one configuration after the other for each file, in a random order for each file, each on a fresh parse (not timed). The figures are medians over the rounds of the paired differences (${BASELINE} - empty, db-guard - empty): what a lint run pays, garbage collection included (a collection falls on whichever lint allocates when the young generation is full, so each configuration pays for it about in proportion to what it allocates). The "least per file" columns sum each file's least time over the rounds instead, minus the empty rule's: the work itself, without the pauses of the collector or the machine.\n`);
    console.log(`"Control" is the same db-guard rules again, in a configuration of their own, linted in the same turns: its ratio to the first is the noise of the run, for both measures (1.00 in a run without any).\n`);
    const against = againstPlugin ? ` | + all rules of ${values.against} ms | its ratio | least per file: + its rules ms | its ratio` : '';
    console.log(`| code base | rounds | empty rule ms | + ${BASELINE} ms | + all db-guard rules ms | ratio | control / rules | least per file: + ${BASELINE} ms | + all db-guard rules ms | ratio | control / rules${against} |`);
    console.log(`| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${againstPlugin ? ' ---: | ---: | ---: | ---: |' : ''}`);
    for (const pkg of ['typeorm', 'sequelize', 'knex', 'mysql2', 'pg']) {
      const inputs = packageSources(pkg);
      if (inputs.length === 0) continue;
      const w = wallClock(pkg, inputs);
      const { least } = w;
      const other =
        w.against === undefined ? '' : ` ${ms(w.against)} | ${(w.against / w.baseline).toFixed(2)} | ${ms(least.against)} | ${(least.against / least.baseline).toFixed(2)} |`;
      console.log(
        `| ${pkg} | ${String(w.rounds)} | ${ms(w.empty)} | ${ms(w.baseline)} | ${ms(w.all)} | ${(w.all / w.baseline).toFixed(2)} | ${(w.again / w.all).toFixed(2)} | ${ms(least.baseline)} | ${ms(least.all)} | ${(least.all / least.baseline).toFixed(2)} | ${(least.again / least.all).toFixed(2)} |${other}`,
      );
    }
  }

  if (ONLY.has('scaling')) {
    console.log('\n## Generated modules: time per line\n');
    console.log(`| lines | all db-guard rules ms | µs per line | ${BASELINE} ms | µs per line | ratio |`);
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
    const perLine = [];
    for (const size of SIZES) {
      const code = generateModule(size);
      const m = measure(`generated ${String(size)}`, [{ filename: 'generated.ts', code }]);
      if (!m) continue;
      perLine.push({ size, all: (m.all * 1000) / m.lines, baseline: (m.baseline * 1000) / m.lines });
      console.log(`| ${String(m.lines)} | ${ms(m.all)} | ${((m.all * 1000) / m.lines).toFixed(2)} | ${ms(m.baseline)} | ${((m.baseline * 1000) / m.lines).toFixed(2)} | ${(m.all / m.baseline).toFixed(2)} |`);
    }
    // Small inputs are dominated by fixed costs and JIT warm-up: judge flatness from 4k lines up.
    const steady = perLine.filter((p) => p.size >= 4000);
    if (steady.length >= 2) {
      const spread = (key) => Math.max(...steady.map((p) => p[key])) / Math.min(...steady.map((p) => p[key]));
      console.log(`\nTime per line from 4k lines up varies by a factor of ${spread('all').toFixed(2)} for the db-guard rules (${spread('baseline').toFixed(2)} for ${BASELINE}).`);
    }
  }

  if (ONLY.has('adversarial')) {
    console.log('\n## Adversarial inputs: growth per doubling\n');
    console.log('Growth exponent = slope of log(time) over log(n) across the sizes (least squares): 1 is linear, 2 quadratic.\n');
    console.log(`| input | n | lines | all db-guard rules ms | µs per n | ${BASELINE} ms | slowest rule (ms) | runs |`);
    console.log('| :--- | ---: | ---: | ---: | ---: | ---: | :--- | ---: |');
    const verdicts = [];
    for (const family of ADVERSARIAL) {
      const points = [];
      for (const n of family.sizes) {
        const m = measure(`${family.name} ${String(n)}`, [{ filename: 'adversarial.ts', code: family.make(n) }]);
        if (!m) break;
        points.push({ n, all: m.all, perRule: m.perRule });
        console.log(`| ${family.name} | ${String(n)} | ${String(m.lines)} | ${ms(m.all)} | ${((m.all * 1000) / n).toFixed(1)} | ${ms(m.baseline)} | ${m.slowest} | ${String(m.runs)} |`);
        if (m.all > BUDGET_MS) break;
      }
      if (points.length < 2) continue;
      const largest = points.at(-1);
      // The rule that takes the most time at the largest size, and how its own time grows. (Which
      // rule first computes a shared per-node cache, or meets a GC pause, blurs smaller shares.)
      const [slowId] = [...largest.perRule].reduce((best, cur) => (cur[1] > best[1] ? cur : best));
      const rules = [{ id: slowId.replace(`${ns}/`, ''), exponent: slope(points.map((p) => [p.n, p.perRule.get(slowId) ?? 0])) }];
      verdicts.push({ name: family.name, largest: largest.n, exponent: slope(points.map((p) => [p.n, p.all])), worst: rules[0] });
    }
    console.log('\n| input | growth exponent, all rules | slowest rule at the largest n (its exponent) | verdict |');
    console.log('| :--- | ---: | :--- | :--- |');
    for (const v of verdicts) {
      const worst = v.worst ? `${v.worst.id} (${v.worst.exponent.toFixed(2)})` : '-';
      const e = Math.max(v.exponent, v.worst?.exponent ?? 0);
      const verdict = e <= 1.3 ? 'linear' : e <= 1.6 ? 'slightly above linear' : 'SUPER-LINEAR';
      console.log(`| ${v.name} (to n = ${String(v.largest)}) | ${v.exponent.toFixed(2)} | ${worst} | ${verdict} |`);
    }
  }
}

/**
 * Lints the inputs (parsed afresh for each run) RUNS times after a warm-up and returns the median time of all
 * db-guard rules together and of the baseline, with the slowest db-guard rule; null (exit code 1)
 * if a rule throws.
 */
function measure(label, inputs) {
  const lines = inputs.reduce((n, f) => n + f.code.split('\n').length, 0);
  const samples = [];
  let lintMs = 0; // counts linting, not the parses between runs
  // At least RUNS runs after the warm-up; more (up to 4 x RUNS) while the input is quick, so that
  // small figures are not one GC pause; a single run once an input takes longer than BUDGET_MS.
  // Each run lints a fresh parse of each file (not timed), so that no run finds the caches of the one before.
  for (let run = 0; ; run += 1) {
    spent.clear();
    let runMs = 0;
    for (const { filename, sourceCode } of freshParses(linter, inputs, parseOnly, label)) {
      const fileStart = performance.now();
      try {
        linter.verify(sourceCode, config, { filename });
        runMs += performance.now() - fileStart;
      } catch (error) {
        console.log(`| ${label} | failed on ${filename}: ${String(error.message).split('\n')[0]} |`);
        process.exitCode = 1;
        return null;
      }
    }
    lintMs += runMs;
    if (run > 0 || runMs > BUDGET_MS) samples.push(new Map(spent));
    if (runMs > BUDGET_MS || samples.length >= 4 * RUNS || (samples.length >= RUNS && lintMs > 1000)) break;
  }
  const med = (id) => median(samples.map((s) => s.get(id) ?? 0));
  const perRule = ruleIds.map((id) => [id, med(id)]);
  const all = median(samples.map((s) => ruleIds.reduce((sum, id) => sum + (s.get(id) ?? 0), 0)));
  const [slowId, slowMs] = perRule.reduce((best, cur) => (cur[1] > best[1] ? cur : best));
  return { lines, all, baseline: med(BASELINE), perRule: new Map(perRule), runs: samples.length, slowest: `${slowId.replace(`${ns}/`, '')} (${ms(slowMs)})` };
}

/**
 * Median paired differences over 2 x RUNS rounds after a warm-up round (see the section's text). In
 * each round every file is linted with every configuration in turn, in a random order for each file,
 * each time on a fresh parse (not timed): the machine's slow moments are shorter than a
 * round, so each falls on all the configurations alike, and no configuration finds the caches ESLint
 * keeps on a SourceCode filled by another.
 */
function wallClock(label, inputs) {
  const configs = comparisonConfigs(plugin, BASELINE, builtinRules.get(BASELINE), languageOptions);
  // `again` is the same rules as `all` in a configuration of its own: a control whose difference from
  // `all` is the noise of the run (nothing else tells them apart).
  const again = comparisonConfigs(plugin, BASELINE, builtinRules.get(BASELINE), languageOptions).all;
  const named = { empty: configs.empty, baseline: configs.baseline, all: configs.all, again };
  if (againstPlugin) named.against = comparisonConfigs(againstPlugin, BASELINE, builtinRules.get(BASELINE), languageOptions).all;
  const keys = Object.keys(named);
  const rounds = { empty: [], baseline: [], all: [], again: [], against: [] };
  // Per file and configuration, the least time of any round after the warm-up.
  const least = inputs.map(() => Object.fromEntries(keys.map((key) => [key, Infinity])));
  const random = seededRandom(20261205);
  for (let round = 0; round <= 2 * RUNS; round++) {
    const times = Object.fromEntries(keys.map((key) => [key, 0]));
    for (const [index, input] of inputs.entries()) {
      // A fresh order for each file: with a fixed rotation each configuration came right after the
      // same other one, and the control, right after the rules it repeats, came out up to a fifth
      // cheaper than them on the least times.
      for (const key of shuffled(keys, random)) {
        for (const { filename, sourceCode } of freshParses(linter, [input], parseOnly, label)) {
          const start = performance.now();
          linter.verify(sourceCode, named[key], { filename });
          const took = performance.now() - start;
          times[key] += took;
          if (round > 0 && took < least[index][key]) least[index][key] = took;
        }
      }
    }
    if (round === 0) continue;
    rounds.empty.push(times.empty);
    rounds.baseline.push(times.baseline - times.empty);
    rounds.all.push(times.all - times.empty);
    rounds.again.push(times.again - times.empty);
    if (againstPlugin) rounds.against.push(times.against - times.empty);
  }
  const leastSum = (key) => least.reduce((sum, file) => sum + file[key], 0);
  const leastOver = (key) => (key in named ? leastSum(key) - leastSum('empty') : undefined);
  return {
    rounds: rounds.empty.length,
    least: { baseline: leastOver('baseline'), all: leastOver('all'), again: leastOver('again'), against: leastOver('against') },
    again: median(rounds.again),
    empty: median(rounds.empty),
    baseline: median(rounds.baseline),
    all: median(rounds.all),
    against: againstPlugin ? median(rounds.against) : undefined,
  };
}

/** A generator of numbers in [0, 1) from a seed (mulberry32): the same orders in every run. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A copy of `list` in a random order (Fisher-Yates). */
function shuffled(list, random) {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** Least-squares slope of log(y) over log(x), for points with y above timer noise (0.5 ms). */
function slope(points) {
  const logs = points.filter(([, y]) => y > 0.5).map(([x, y]) => [Math.log(x), Math.log(y)]);
  if (logs.length < 2) return 0;
  const mx = logs.reduce((sum, [x]) => sum + x, 0) / logs.length;
  const my = logs.reduce((sum, [, y]) => sum + y, 0) / logs.length;
  const num = logs.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
  const den = logs.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return num / den;
}

function ms(value) {
  return value.toFixed(1);
}

/**
 * A service module of about `lines` lines: a repeating mix of correct checkouts, leaks, callback
 * checkouts, transactions, a long-lived connection and plain code, so every rule has work.
 */
function generateModule(lines) {
  const out = [
    "import mysql from 'mysql2/promise';",
    "import mysqlCb from 'mysql2';",
    "import pg from 'pg';",
    'const pool = mysql.createPool({ connectionLimit: 10 });',
    'const cbPool = mysqlCb.createPool({});',
    'const pgPool = new pg.Pool();',
    "pgPool.on('error', (err) => console.error(err));",
    "const audit = await mysql.createConnection({ host: 'localhost' });",
    '',
  ];
  const blocks = [
    (i) => `export async function read${i}(id: number) {
  const conn = await pool.getConnection();
  try {
    const [rows] = await conn.query('SELECT * FROM t WHERE id = ?', [id]);
    return rows;
  } finally {
    conn.release();
  }
}`,
    (i) => `export async function leak${i}(ids: number[]) {
  const conn = await pool.getConnection();
  for (const id of ids) {
    if (id < 0) return;
    await conn.query('UPDATE t SET n = n + 1 WHERE id = ?', [id]);
  }
  conn.release();
}`,
    (i) => `export function legacy${i}(id: number, cb: (e: unknown, r?: unknown) => void) {
  cbPool.getConnection((err, conn) => {
    if (err) return cb(err);
    conn.query('SELECT ?', [id], (qerr, rows) => {
      conn.release();
      cb(qerr, rows);
    });
  });
}`,
    (i) => `export async function transfer${i}(from: number, to: number, amount: number) {
  const client = await pgPool.connect();
  try {
    await client.query('BEGIN');
    await client.query('UPDATE acct SET bal = bal - $1 WHERE id = $2', [amount, from]);
    await client.query('UPDATE acct SET bal = bal + $1 WHERE id = $2', [amount, to]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}`,
    (i) => `export async function log${i}(event: string) {
  await audit.query('INSERT INTO log (event) VALUES (?)', [event]);
}`,
    (i) => `export function summarise${i}(values: number[], unused = 0) {
  let total = 0;
  for (let k = 0; k < values.length; k += 1) {
    const v = values[k] ?? 0;
    total += v > 10 ? v : -v;
  }
  return { total, mean: values.length ? total / values.length : 0 };
}`,
  ];
  for (let i = 0; out.length < lines; i += 1) out.push(...blocks[i % blocks.length](i).split('\n'), '');
  return out.join('\n');
}

const PRELUDE = "import mysql from 'mysql2/promise';\nimport mysqlCb from 'mysql2';\nconst pool = mysql.createPool({});\nconst cbPool = mysqlCb.createPool({});\n";

/** Inputs built to stress path analysis; `n` doubles across `sizes`. */
const ADVERSARIAL = [
  {
    // A connection checked out at the top, used and released at the bottom of n nested callbacks.
    name: 'nested callbacks',
    sizes: [100, 200, 400, 800],
    make(n) {
      let body = "      conn.query('SELECT 1', () => conn.release());\n";
      for (let d = n - 1; d >= 0; d -= 1) body = `      step${d % 7}((e${d}) => {\n${d % 3 === 0 ? `        if (e${d}) return done(e${d});\n` : ''}${body}      });\n`;
      return `${PRELUDE}declare function done(e?: unknown): void;\n${Array.from({ length: 7 }, (_, k) => `declare function step${k}(cb: (e?: unknown) => void): void;`).join('\n')}
export function deep() {
  cbPool.getConnection((err, conn) => {
    if (err) return done(err);
${body}  });
}\n`;
    },
  },
  {
    // n nested async callbacks, each checking out and releasing its own connection.
    name: 'nested async callbacks, one checkout each',
    sizes: [100, 200, 400, 800],
    make(n) {
      let body = '';
      for (let d = n - 1; d >= 0; d -= 1) {
        body = `run(async () => {\nconst c${d} = await pool.getConnection();\ntry {\nawait c${d}.query('SELECT ${d}');\n${body}} finally {\nc${d}.release();\n}\n});\n`;
      }
      return `${PRELUDE}declare function run(fn: () => Promise<void>): void;\nexport function deep() {\n${body}}\n`;
    },
  },
  {
    // n acquisitions in one function, alternating correct and leaky ones.
    name: 'acquisitions in one function',
    sizes: [500, 1000, 2000, 4000],
    make(n) {
      const lines = [];
      for (let i = 0; i < n; i += 1) {
        if (i % 2 === 0) lines.push(`  const c${i} = await pool.getConnection();`, `  try { await c${i}.query('SELECT ${i}'); } finally { c${i}.release(); }`);
        else lines.push(`  const c${i} = await pool.getConnection();`, `  await c${i}.query('SELECT ${i}');`, `  c${i}.release();`);
      }
      return `${PRELUDE}export async function many() {\n${lines.join('\n')}\n}\n`;
    },
  },
  {
    // One connection, an else-if chain of n branches, some returning early before the release.
    name: 'else-if chain',
    sizes: [500, 1000, 2000, 4000],
    make(n) {
      const branches = [];
      for (let i = 0; i < n; i += 1) {
        branches.push(`${i === 0 ? '  if' : ' else if'} (x === ${i}) {\n    await conn.query('SELECT ${i}');${i % 5 === 0 ? '\n    return;' : ''}\n  }`);
      }
      return `${PRELUDE}export async function chain(x: number) {\n  const conn = await pool.getConnection();\n${branches.join('')}\n  conn.release();\n}\n`;
    },
  },
  {
    // One connection, a switch of n cases, some falling through, some returning, some breaking.
    name: 'switch cases',
    sizes: [500, 1000, 2000, 4000],
    make(n) {
      const cases = [];
      for (let i = 0; i < n; i += 1) {
        const end = i % 3 === 0 ? 'break;' : i % 3 === 1 ? 'return;' : '// falls through';
        cases.push(`    case ${i}:\n      await conn.query('SELECT ${i}');\n      ${end}`);
      }
      return `${PRELUDE}export async function big(x: number) {\n  const conn = await pool.getConnection();\n  switch (x) {\n${cases.join('\n')}\n    default:\n      break;\n  }\n  conn.release();\n}\n`;
    },
  },
  {
    // n nested try/catch/finally blocks around one connection's queries.
    name: 'nested try/finally',
    sizes: [50, 100, 200, 400],
    make(n) {
      let body = "await conn.query('SELECT 0');\n";
      for (let d = 0; d < n; d += 1) {
        body = d % 2 === 0 ? `try {\n${body}} catch (e${d}) {\nif (flag) throw e${d};\n}\n` : `try {\n${body}} finally {\nawait conn.query('SELECT ${d}');\n}\n`;
      }
      return `${PRELUDE}declare const flag: boolean;\nexport async function nested() {\nconst conn = await pool.getConnection();\n${body}conn.release();\n}\n`;
    },
  },
  {
    // n labelled loops nested, with break/continue to outer labels between queries.
    name: 'nested labelled loops',
    sizes: [50, 100, 200, 400],
    make(n) {
      let body = "await conn.query('SELECT 0');\n";
      for (let d = n - 1; d >= 0; d -= 1) {
        body = `l${d}: for (const x${d} of xs) {\nif (x${d} === ${d}) continue l${Math.max(0, d - 1)};\nif (x${d} < 0) break l${Math.floor(d / 2)};\n${body}}\n`;
      }
      return `${PRELUDE}declare const xs: number[];\nexport async function loops() {\nconst conn = await pool.getConnection();\ntry {\n${body}} finally {\nconn.release();\n}\n}\n`;
    },
  },
];

main();
