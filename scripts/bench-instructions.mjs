#!/usr/bin/env node
// All db-guard rules together beside no-unused-vars, counted in CPU instructions rather than time:
// `valgrind --tool=callgrind` counts the instructions a process executes, which does not depend on
// what else the machine is doing (this machine is a shared VM whose timings move by 15-20%). Each
// code base is linted once in a fresh `node --single-threaded` process (so V8's compiler and garbage
// collector run on the counted thread too) three times: with one empty rule, with it and
// no-unused-vars, and with it and every db-guard rule. The differences are what the rules cost,
// parsing, JIT warm-up and garbage collection included.
//
// The counts are not fully repeatable: V8 schedules some work by the clock (garbage collection steps,
// memory reduction), so a run slowed down by a loaded machine executes more of it (seen: up to 2 G
// more on a typeorm run of 35 G while other benchmarks ran). Each configuration is therefore run
// --repeat times and the least count is kept: that work only ever adds instructions.
//
//   node scripts/bench-instructions.mjs [--packages typeorm,knex] [--repeat 2] [--jobs 2]
// Skipped (exit 0) where valgrind is not installed. Reads dist/esm: run through `npm run bench`.
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { root } from './lib/bench.mjs';

const { values } = parseArgs({
  options: {
    packages: { type: 'string', default: 'typeorm,sequelize,knex,mysql2,pg' },
    jobs: { type: 'string', default: String(Math.max(1, Math.min(3, os.availableParallelism()))) },
    repeat: { type: 'string', default: '2' },
  },
});
const valgrind = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
if (valgrind.error || valgrind.status !== 0) {
  console.log('bench-instructions: valgrind is not installed; skipped.');
  process.exit(0);
}
const ONCE = path.join(root, 'scripts', 'lib', 'lint-once.mjs');
const CONFIGS = ['empty', 'baseline', 'all'];

/** Instructions of one lint of `pkg` with `which`, under callgrind. */
function count(pkg, which) {
  return new Promise((resolve, reject) => {
    const args = ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', ONCE, pkg, which];
    const child = spawn('valgrind', args, { cwd: root });
    let err = '';
    let out = '';
    child.stderr.on('data', (d) => (err += String(d)));
    child.stdout.on('data', (d) => (out += String(d)));
    child.on('error', reject);
    child.on('close', (code) => {
      const collected = /Collected : (\d+)/.exec(err);
      if (code !== 0 || !collected) reject(new Error(`${pkg} ${which}: exit ${String(code)}\n${out}${err.slice(-2000)}`));
      else resolve({ instructions: Number(collected[1]), summary: out.trim() });
    });
  });
}

/** Runs the tasks, at most `jobs` at a time. */
async function pool(tasks, jobs) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return results;
}

const packages = values.packages.split(',').filter(Boolean);
const started = Date.now();
console.log(`# db-guard rules together vs no-unused-vars: instructions (callgrind; node ${process.version}, ${valgrind.stdout.trim()})\n`);
const REPEAT = Math.max(1, Number(values.repeat));
const tasks = packages.flatMap((pkg) => CONFIGS.flatMap((which) => Array.from({ length: REPEAT }, () => () => count(pkg, which))));
let results;
try {
  results = await pool(tasks, Math.max(1, Number(values.jobs)));
} catch (error) {
  console.error(String(error.message));
  process.exit(1);
}
console.log(`Least count of ${String(REPEAT)} runs per configuration.\n`);
console.log('| code base | empty rule (G instr.) | + no-unused-vars (G) | + all db-guard rules (G) | ratio |');
console.log('| :--- | ---: | ---: | ---: | ---: |');
const g = (n) => (n / 1e9).toFixed(3);
packages.forEach((pkg, i) => {
  const [empty, baseline, all] = CONFIGS.map((_, c) => {
    const runs = results.slice((3 * i + c) * REPEAT, (3 * i + c + 1) * REPEAT).map((r) => r.instructions);
    return Math.min(...runs);
  });
  console.log(`| ${pkg} | ${g(empty)} | ${g(baseline - empty)} | ${g(all - empty)} | ${((all - empty) / (baseline - empty)).toFixed(2)} |`);
});
console.log(`\n(${String(Math.round((Date.now() - started) / 1000))} s)`);
