#!/usr/bin/env node
// Typed mode's cost: the db-guard rules with configs['recommended-type-checked'] on a generated typed
// project, beside typescript-eslint's no-floating-promises on the same project (both need the type
// checker; the program is built once per run and shared, and is not counted in either figure).
// Per-rule times come from ESLint's own `stats` (the same figures as `eslint --stats`).
//
//   node scripts/bench-typed.mjs [--files 40] [--runs 3]
// Reads dist/esm: run through `npm run bench` (which builds first).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { files: { type: 'string', default: '40' }, runs: { type: 'string', default: '3' } } });
const FILES = Math.max(1, Number(values.files));
const RUNS = Math.max(1, Number(values.runs));

const entry = path.join(root, 'dist', 'esm', 'src', 'index.js');
if (!existsSync(entry)) {
  console.error('bench-typed: dist/esm is missing; run `npm run build` first.');
  process.exit(1);
}
const { default: plugin } = await import(pathToFileURL(entry).href);

// The project lives under node_modules/.cache so that the driver types resolve from the repo.
const dir = path.join(root, 'node_modules', '.cache', `db-guard-bench-typed-${String(process.pid)}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
writeFileSync(
  path.join(dir, 'tsconfig.json'),
  JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'Preserve', moduleResolution: 'Bundler', strict: true, skipLibCheck: true, noEmit: true, types: ['node'] }, include: ['*.ts'] }),
);
writeFileSync(
  path.join(dir, 'db.ts'),
  `import mysql from 'mysql2/promise';\nimport pg from 'pg';\nexport const mainPool = mysql.createPool({});\nexport const reportingPool = new pg.Pool();\nreportingPool.on('error', () => {});\n`,
);
// Correct code, with names the syntactic mode recognises too: both modes find the same, so the
// difference is the cost of the type queries, not of extra reports.
let lines = 0;
for (let i = 0; i < FILES; i++) {
  const body = [`import { mainPool, reportingPool } from './db';`, `import type { Pool } from 'pg';`];
  for (let j = 0; j < 25; j++) {
    body.push(
      `export async function find${j}(id: number) {`,
      `  const conn = await mainPool.getConnection();`,
      `  try {`,
      `    const [rows] = await conn.query('SELECT ?', [id]);`,
      `    return rows;`,
      `  } finally {`,
      `    conn.release();`,
      `  }`,
      `}`,
      `export async function count${j}(pgPool: Pool) {`,
      `  const client = await pgPool.connect();`,
      `  try {`,
      `    const res = await client.query('SELECT 1');`,
      `    void reportingPool.query('SELECT 2');`,
      `    return res.rows;`,
      `  } finally {`,
      `    client.release();`,
      `  }`,
      `}`,
    );
  }
  lines += body.length;
  writeFileSync(path.join(dir, `module${String(i)}.ts`), `${body.join('\n')}\n`);
}

const files = ['**/*.ts'];
const typedLanguage = { parserOptions: { projectService: true, tsconfigRootDir: dir } };

async function timeRules(overrideConfig) {
  const samples = new Map();
  for (let run = 0; run < RUNS + 1; run++) {
    const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig, stats: true, cache: false });
    const results = await eslint.lintFiles(['*.ts']);
    if (run === 0) continue; // warm-up
    const totals = new Map();
    for (const result of results) {
      for (const pass of result.stats?.times.passes ?? []) {
        for (const [rule, time] of Object.entries(pass.rules ?? {})) totals.set(rule, (totals.get(rule) ?? 0) + time.total);
      }
    }
    for (const [rule, total] of totals) samples.set(rule, [...(samples.get(rule) ?? []), total]);
  }
  return new Map([...samples].map(([rule, list]) => [rule, median(list)]));
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const syntactic = await timeRules([plugin.configs.recommended, { files, languageOptions: typedLanguage }]);
const typed = await timeRules([plugin.configs['recommended-type-checked'], { files, languageOptions: typedLanguage }]);
const floating = await timeRules([
  { files, languageOptions: { parser: tseslint.parser, ...typedLanguage }, plugins: { '@typescript-eslint': tseslint.plugin }, rules: { '@typescript-eslint/no-floating-promises': 'error' } },
]);
rmSync(dir, { recursive: true, force: true });

const sum = (map) => [...map].filter(([rule]) => rule.startsWith('db-guard/')).reduce((total, [, ms]) => total + ms, 0);
console.log(`# Typed mode (node ${process.version}, ${String(os.cpus().length)} cores, ${String(FILES)} files, ${String(lines)} lines, median of ${String(RUNS)} runs)\n`);
console.log('| configuration | rule time (ms) | ms per 1k lines |');
console.log('| :--- | ---: | ---: |');
const row = (label, ms) => console.log(`| ${label} | ${ms.toFixed(1)} | ${((ms / lines) * 1000).toFixed(3)} |`);
row('db-guard recommended (syntactic)', sum(syntactic));
row("db-guard recommended-type-checked (typed)", sum(typed));
row('typed cost (typed − syntactic)', sum(typed) - sum(syntactic));
row('@typescript-eslint/no-floating-promises', floating.get('@typescript-eslint/no-floating-promises') ?? 0);
console.log('\n| rule | syntactic (ms) | typed (ms) |');
console.log('| :--- | ---: | ---: |');
for (const [rule, ms] of [...typed].sort()) console.log(`| ${rule} | ${(syntactic.get(rule) ?? 0).toFixed(1)} | ${ms.toFixed(1)} |`);
