#!/usr/bin/env node
// Real-world evaluation: lints the shipped source of real database packages (installed as exact
// devDependencies) with every rule of the built plugin's `configs.all`, and records what happens.
//
//   node scripts/real-world.mjs [--packages a,b] [--out file.json] [--verdicts file.json] [--doc file.md]
//                               [--jobs N] [--plugin path/to/plugin/index.js] [--quiet]
//
// Expects a build: dist/esm/src/index.js (`npm run build`, or `npx tsc -p tsconfig.build.json`).
// For each corpus package it lints every .js/.cjs/.mjs/.ts/.mts/.cts file under node_modules/<pkg>
// (declaration files, nested node_modules and files over 1 MB excluded) with ESLint's `Linter`, the
// `@typescript-eslint/parser` and the plugin's rules, and records files, lines, time, rule crashes
// (exceptions thrown by a rule: caught per file, the file is linted again without that rule), parse
// errors (the parser's fatal messages, counted apart) and every report with ±6 lines of source.
// With --verdicts (default docs/real-world-verdicts.json when it exists) each report is matched to
// its reviewed verdict and the summary counts true / false positives and unreviewed reports. --doc
// rewrites the generated part of the evaluation page (between its `real-world:begin` / `end` markers)
// from this run and the verdicts: tables, precision, and every report with its verdict and reasoning.
//
// Exit status: 0, or 1 when a rule crashed. Files are linted in worker threads (--jobs, default: the
// number of CPUs), so the time per package is CPU time, summed over its files.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PLUGIN_ENTRY = path.join(ROOT, 'dist', 'esm', 'src', 'index.js');
const DEFAULT_VERDICTS = path.join(ROOT, 'docs', 'real-world-verdicts.json');
const MAX_BYTES = 1024 * 1024;
const CONTEXT_LINES = 6;
const EXTENSIONS = ['.js', '.cjs', '.mjs', '.ts', '.mts', '.cts'];
const DECLARATION = /\.d\.[cm]?ts$/;

/**
 * The corpus: drivers and pools, ORMs / query builders, and application-level libraries that check
 * connections out and give them back. Every entry is an exact devDependency (or, for the @slonik
 * packages, an exact dependency of slonik pinned by package-lock.json).
 */
export const CORPUS = [
  // drivers and pools
  'mysql',
  'mysql2',
  'mariadb',
  'pg',
  'pg-pool',
  'oracledb',
  'mssql',
  'generic-pool',
  'tarn',
  // ORMs and query builders
  'typeorm',
  'knex',
  'sequelize',
  'kysely',
  'drizzle-orm',
  'pg-promise',
  '@mikro-orm/core',
  '@mikro-orm/knex',
  'slonik',
  '@slonik/driver',
  '@slonik/pg-driver',
  // applications of pools
  'pg-boss',
  'graphile-worker',
  'connect-pg-simple',
  'express-mysql-session',
  'node-pg-migrate',
  'umzug',
];

if (isMainThread) {
  if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    main().catch((error) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exit(2);
    });
  }
} else {
  runWorker();
}

// ---------------------------------------------------------------------------------------------
// Main thread
// ---------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const args = { packages: undefined, out: undefined, verdicts: undefined, doc: undefined, jobs: undefined, plugin: PLUGIN_ENTRY, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) usage(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--packages':
        args.packages = value().split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case '--out':
        args.out = path.resolve(value());
        break;
      case '--verdicts':
        args.verdicts = path.resolve(value());
        break;
      case '--jobs':
        args.jobs = Number(value());
        if (!Number.isInteger(args.jobs) || args.jobs < 1) usage('--jobs must be a positive integer');
        break;
      case '--doc':
        args.doc = path.resolve(value());
        break;
      case '--plugin':
        args.plugin = path.resolve(value());
        break;
      case '--quiet':
        args.quiet = true;
        break;
      case '--help':
      case '-h':
        usage();
        break;
      default:
        usage(`unknown argument ${arg}`);
    }
  }
  return args;
}

function usage(error) {
  const text =
    'usage: node scripts/real-world.mjs [--packages a,b] [--out file.json] [--verdicts file.json] [--doc file.md] [--jobs N] [--plugin dist/esm/src/index.js] [--quiet]';
  if (error) {
    console.error(`real-world: ${error}\n${text}`);
    process.exit(2);
  }
  console.log(text);
  process.exit(0);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(args.plugin)) {
    console.error(`real-world: ${path.relative(ROOT, args.plugin)} is missing: run \`npm run build\` (or \`npx tsc -p tsconfig.build.json\`) first.`);
    process.exit(2);
  }
  const names = args.packages ?? CORPUS;
  const packages = names.map(collectPackage);
  const missing = packages.filter((p) => !p.installed).map((p) => p.name);
  if (missing.length > 0) {
    console.error(`real-world: not installed: ${missing.join(', ')} (npm ci installs the corpus devDependencies)`);
    process.exit(2);
  }

  const started = performance.now();
  const plugin = (await import(pathToFileURL(args.plugin).href)).default;
  const rules = Object.keys(plugin.configs.all.rules ?? {}).sort();
  const files = packages.flatMap((p) => p.files.map((f) => ({ pkg: p.name, dir: p.dir, rel: f.rel, sourceType: f.sourceType })));
  const results = await lintInWorkers(files, args.plugin, args.jobs ?? Math.max(1, Math.min(os.availableParallelism?.() ?? os.cpus().length, files.length)));
  const wallMs = Math.round(performance.now() - started);

  const report = assemble(packages, results, rules, wallMs);
  const verdictsPath = args.verdicts ?? (existsSync(DEFAULT_VERDICTS) ? DEFAULT_VERDICTS : undefined);
  const review = verdictsPath ? matchVerdicts(report, JSON.parse(readFileSync(verdictsPath, 'utf8')), new Set(names)) : undefined;
  if (review) report.review = { verdicts: path.relative(ROOT, verdictsPath), ...review.summary };

  if (args.out) {
    mkdirSync(path.dirname(args.out), { recursive: true });
    writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  }
  if (args.doc) {
    if (!review) usage('--doc needs the verdicts (--verdicts, or docs/real-world-verdicts.json)');
    writeDoc(args.doc, report, review, JSON.parse(readFileSync(verdictsPath, 'utf8')));
  }
  if (!args.quiet) printSummary(report, review);
  if (args.out && !args.quiet) console.log(`\nwrote ${path.relative(process.cwd(), args.out) || args.out}`);
  process.exitCode = report.totals.crashes > 0 ? 1 : 0;
}

/** The package's directory, version and lintable files. */
function collectPackage(name) {
  const dir = path.join(ROOT, 'node_modules', ...name.split('/'));
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest)) return { name, dir, installed: false, files: [], skipped: [] };
  const { version, type } = JSON.parse(readFileSync(manifest, 'utf8'));
  const files = [];
  const skipped = [];
  const walk = (abs, rel, moduleType) => {
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    // A nested package.json with "type" changes how .js files below it are loaded.
    const nested = entries.find((e) => e.isFile() && e.name === 'package.json');
    let dirType = moduleType;
    if (nested && rel !== '') {
      try {
        const t = JSON.parse(readFileSync(path.join(abs, 'package.json'), 'utf8')).type;
        if (t === 'module' || t === 'commonjs') dirType = t;
      } catch {
        // not JSON: ignore
      }
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const childAbs = path.join(abs, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules') continue;
        walk(childAbs, childRel, dirType);
      } else if (entry.isFile()) {
        const ext = path.extname(entry.name);
        if (!EXTENSIONS.includes(ext) || DECLARATION.test(entry.name)) continue;
        const size = statSync(childAbs).size;
        if (size > MAX_BYTES) {
          skipped.push({ file: childRel, bytes: size, reason: 'larger than 1 MB' });
          continue;
        }
        files.push({ rel: childRel, sourceType: sourceTypeFor(ext, dirType) });
      }
    }
  };
  walk(dir, '', type === 'module' ? 'module' : 'commonjs');
  return { name, version, dir, installed: true, files, skipped };
}

/** 'module' / 'commonjs', or 'detect' for a .js file in a package without "type" (decided from the source). */
function sourceTypeFor(ext, dirType) {
  if (ext === '.mjs' || ext === '.mts' || ext === '.ts') return 'module';
  if (ext === '.cjs' || ext === '.cts') return 'commonjs';
  return dirType === 'module' ? 'module' : 'detect';
}

function lintInWorkers(files, pluginEntry, jobs) {
  return new Promise((resolve, reject) => {
    const results = new Array(files.length);
    let next = 0;
    let done = 0;
    let alive = jobs;
    if (files.length === 0) {
      resolve(results);
      return;
    }
    const CHUNK = 8;
    const workers = [];
    const finish = () => {
      for (const worker of workers) void worker.terminate();
      resolve(results);
    };
    const feed = (worker) => {
      if (next >= files.length) return;
      const start = next;
      const batch = files.slice(start, start + CHUNK).map((f, i) => ({ ...f, index: start + i }));
      next += batch.length;
      worker.postMessage(batch);
    };
    for (let i = 0; i < jobs; i++) {
      const worker = new Worker(new URL(import.meta.url), { workerData: { pluginEntry } });
      workers.push(worker);
      worker.on('message', (batch) => {
        for (const result of batch) {
          results[result.index] = result;
          done++;
        }
        if (done === files.length) finish();
        else feed(worker);
      });
      worker.on('error', reject);
      worker.on('exit', () => {
        alive--;
        if (alive === 0 && done < files.length) reject(new Error(`workers exited with ${files.length - done} files left`));
      });
      feed(worker);
    }
  });
}

function assemble(packages, results, rules, wallMs) {
  const eslintVersion = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'eslint', 'package.json'), 'utf8')).version;
  const parserVersion = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', '@typescript-eslint', 'parser', 'package.json'), 'utf8')).version;
  const ownVersion = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
  const byPackage = new Map(packages.map((p) => [p.name, []]));
  for (const result of results) byPackage.get(result.pkg).push(result);
  const out = {
    generated: new Date().toISOString(),
    node: process.version,
    eslint: eslintVersion,
    parser: parserVersion,
    plugin: ownVersion,
    rules,
    wallMs,
    totals: { packages: packages.length, files: 0, lines: 0, bytes: 0, cpuMs: 0, reports: 0, crashes: 0, parseErrors: 0, skipped: 0 },
    packages: [],
    reports: [],
    crashes: [],
    parseErrors: [],
    skipped: [],
    slowest: [],
  };
  for (const p of packages) {
    const list = byPackage.get(p.name);
    const row = {
      name: p.name,
      version: p.version,
      files: list.length,
      lines: sum(list, (r) => r.lines),
      bytes: sum(list, (r) => r.bytes),
      ms: Math.round(sum(list, (r) => r.ms)),
      reports: sum(list, (r) => r.reports.length),
      crashes: sum(list, (r) => r.crashes.length),
      parseErrors: list.filter((r) => r.parseError).length,
      skipped: p.skipped.length,
      byRule: {},
    };
    for (const r of list) {
      for (const rep of r.reports) row.byRule[rep.rule] = (row.byRule[rep.rule] ?? 0) + 1;
      out.reports.push(...r.reports.map((rep) => ({ package: p.name, version: p.version, file: r.rel, ...rep })));
      out.crashes.push(...r.crashes.map((c) => ({ package: p.name, file: r.rel, ...c })));
      if (r.parseError) out.parseErrors.push({ package: p.name, file: r.rel, ...r.parseError });
    }
    out.skipped.push(...p.skipped.map((s) => ({ package: p.name, ...s })));
    out.packages.push(row);
    for (const r of list) out.slowest.push({ package: p.name, file: r.rel, lines: r.lines, ms: Math.round(r.ms) });
    for (const key of ['files', 'lines', 'bytes', 'reports', 'crashes', 'parseErrors', 'skipped']) out.totals[key] += row[key];
    out.totals.cpuMs += row.ms;
  }
  out.slowest = out.slowest.sort((a, b) => b.ms - a.ms).slice(0, 15);
  return out;
}

function sum(list, fn) {
  return list.reduce((acc, item) => acc + fn(item), 0);
}

/** The key a report and its verdict share. */
export function reportKey(entry) {
  return `${entry.rule}|${entry.package}|${entry.file}|${String(entry.line)}`;
}

/**
 * Matches reports to reviewed verdicts (only verdicts of the packages that were linted). A verdict
 * matches when rule, package, file and line agree and, if it records `code`, the reported line's
 * code agrees too (so a moved line is re-reviewed rather than silently matched).
 */
function matchVerdicts(report, verdicts, linted) {
  const byKey = new Map();
  for (const v of verdicts) {
    if (!linted.has(v.package)) continue;
    byKey.set(reportKey(v), v);
  }
  const seen = new Set();
  const annotated = report.reports.map((r) => {
    const v = byKey.get(reportKey(r));
    if (!v || (v.code !== undefined && v.code !== r.code)) return { report: r, verdict: undefined };
    seen.add(reportKey(r));
    return { report: r, verdict: v.verdict };
  });
  const stale = [...byKey.values()].filter((v) => !seen.has(reportKey(v)));
  const summary = {
    truePositives: annotated.filter((a) => a.verdict === 'true-positive').length,
    falsePositives: annotated.filter((a) => a.verdict === 'false-positive').length,
    unreviewed: annotated.filter((a) => a.verdict === undefined).length,
    // A reviewed false positive no longer reported has been fixed; a true positive no longer reported is lost.
    fixedFalsePositives: stale.filter((v) => v.verdict === 'false-positive').length,
    vanishedTruePositives: stale.filter((v) => v.verdict !== 'false-positive').length,
  };
  return { annotated, stale, summary };
}

function printSummary(report, review) {
  const verdictOf = new Map((review?.annotated ?? []).map((a) => [a.report, a.verdict]));
  const headers = ['package', 'version', 'files', 'lines', 'ms', 'reports', ...(review ? ['TP', 'FP', 'new'] : []), 'crashes', 'parse err'];
  const rows = report.packages.map((p) => {
    const mine = report.reports.filter((r) => r.package === p.name);
    const count = (v) => mine.filter((r) => verdictOf.get(r) === v).length;
    return [
      p.name,
      p.version,
      p.files,
      p.lines,
      p.ms,
      p.reports,
      ...(review ? [count('true-positive'), count('false-positive'), count(undefined)] : []),
      p.crashes,
      p.parseErrors,
    ].map(String);
  });
  const t = report.totals;
  rows.push([
    'total',
    '',
    t.files,
    t.lines,
    t.cpuMs,
    t.reports,
    ...(review ? [review.summary.truePositives, review.summary.falsePositives, review.summary.unreviewed] : []),
    t.crashes,
    t.parseErrors,
  ].map(String));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`rules: ${report.rules.join(', ')}`);
  console.log(`eslint ${report.eslint}, @typescript-eslint/parser ${report.parser}, node ${report.node}\n`);
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows.slice(0, -1)) console.log(line(row));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  console.log(line(rows[rows.length - 1]));
  console.log(`\nwall time ${(report.wallMs / 1000).toFixed(1)} s (CPU time per package in the ms column)`);
  console.log(`slowest files: ${report.slowest.slice(0, 5).map((f) => `${f.package}/${f.file} (${f.lines} lines, ${f.ms} ms)`).join(', ')}`);
  if (report.skipped.length > 0) console.log(`skipped (over 1 MB): ${report.skipped.map((s) => `${s.package}/${s.file}`).join(', ')}`);

  if (report.reports.length > 0) {
    console.log('\nreports:');
    for (const r of report.reports) {
      const v = review ? ` [${verdictOf.get(r) ?? 'UNREVIEWED'}]` : '';
      console.log(`  ${r.package}/${r.file}:${r.line}:${r.column} ${r.rule}${v}\n      ${r.message}`);
    }
  }
  if (review && review.stale.length > 0) {
    console.log('\nreviewed verdicts no longer reported (a false positive: fixed; a true positive: lost, re-review):');
    for (const v of review.stale) console.log(`  ${v.package}/${v.file}:${v.line} ${v.rule} [${v.verdict === 'false-positive' ? 'fixed false positive' : `VANISHED ${v.verdict}`}]`);
  }
  if (report.crashes.length > 0) {
    console.log('\nRULE CRASHES:');
    for (const c of report.crashes) console.log(`  ${c.package}/${c.file}${c.line ? `:${c.line}` : ''} ${c.rule}: ${c.message.split('\n')[0]}`);
  }
  if (report.parseErrors.length > 0) {
    console.log('\nparse errors (not rule crashes):');
    for (const e of report.parseErrors) console.log(`  ${e.package}/${e.file}:${e.line}:${e.column} ${e.message}`);
  }
}

const DOC_BEGIN = '<!-- real-world:begin (generated by `node scripts/real-world.mjs --doc docs/real-world-evaluation.md`) -->';
const DOC_END = '<!-- real-world:end -->';

/** Rewrites the generated section of the evaluation page; the hand-written text around it stays. */
function writeDoc(file, report, review, verdicts) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : `${DOC_BEGIN}\n${DOC_END}\n`;
  const begin = text.indexOf('<!-- real-world:begin');
  const end = text.indexOf(DOC_END);
  if (begin < 0 || end < begin) usage(`${file} has no real-world:begin / real-world:end markers`);
  const body = renderDoc(report, review, verdicts);
  writeFileSync(file, `${text.slice(0, begin)}${DOC_BEGIN}\n\n${body}\n${text.slice(end)}`);
}

function renderDoc(report, review, verdicts) {
  const verdictOf = new Map(review.annotated.map((a) => [a.report, a.verdict === undefined ? undefined : verdicts.find((v) => reportKey(v) === reportKey(a.report))]));
  const out = [];
  const t = report.totals;
  const tp = review.summary.truePositives;
  const fp = review.summary.falsePositives;
  const real = report.reports.filter((r) => verdictOf.get(r)?.impact === 'real').length;
  const pct = (n, d) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)} %`);
  const table = (headers, rows, align) => {
    out.push(`| ${headers.join(' | ')} |`);
    out.push(`| ${headers.map((_, i) => (align[i] === 'r' ? '--:' : ':--')).join(' | ')} |`);
    for (const row of rows) out.push(`| ${row.join(' | ')} |`);
    out.push('');
  };
  out.push(`Run of ${report.generated.slice(0, 10)}: node ${report.node}, eslint ${report.eslint}, @typescript-eslint/parser ${report.parser}, db-connection-guard ${report.plugin}.`);
  out.push(`Rules (\`configs.all\`): ${report.rules.map((r) => `\`${r}\``).join(', ')}.`);
  out.push('');
  out.push(`**${t.files} files, ${t.lines.toLocaleString('en-US')} lines** of ${t.packages} packages; **${t.reports} reports**: ${tp} true positives (${real} with real impact), ${fp} false positives, ${review.summary.unreviewed} unreviewed. **${t.crashes} rule crashes**, ${t.parseErrors} parse errors, ${t.skipped} files skipped.`);
  out.push('');
  out.push(`Precision: **${pct(tp, tp + fp)}** (${tp} / ${tp + fp}): the report is right about the code. Reports worth a code change in production code (impact \`real\`): ${pct(real, tp + fp)} (${real} / ${tp + fp}).`);
  out.push('');
  out.push(`Time: ${(report.wallMs / 1000).toFixed(0)} s wall, ${(t.cpuMs / 1000).toFixed(0)} s CPU (parsing with @typescript-eslint/parser included) on ${os.availableParallelism?.() ?? os.cpus().length} cores shared with other work; the per-package column is CPU time.`);
  out.push('');
  out.push('### Per package');
  out.push('');
  const count = (list, pred) => list.filter(pred).length;
  table(
    ['package', 'version', 'files', 'lines', 'CPU ms', 'reports', 'TP (real / low)', 'FP', 'crashes', 'parse errors'],
    [
      ...report.packages.map((p) => {
        const mine = report.reports.filter((r) => r.package === p.name);
        const tpReal = count(mine, (r) => verdictOf.get(r)?.impact === 'real');
        const tpLow = count(mine, (r) => verdictOf.get(r)?.impact === 'low');
        const fps = count(mine, (r) => verdictOf.get(r)?.verdict === 'false-positive');
        return [`\`${p.name}\``, p.version, p.files, p.lines, p.ms, p.reports, tpReal + tpLow === 0 ? '0' : `${tpReal + tpLow} (${tpReal} / ${tpLow})`, fps, p.crashes, p.parseErrors].map(String);
      }),
      ['**total**', '', t.files, t.lines, t.cpuMs, t.reports, `${tp} (${real} / ${tp - real})`, fp, t.crashes, t.parseErrors].map(String),
    ],
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  out.push('### Per rule');
  out.push('');
  table(
    ['rule', 'reports', 'TP', 'FP', 'precision'],
    report.rules.map((rule) => {
      const mine = report.reports.filter((r) => r.rule === rule);
      const a = count(mine, (r) => verdictOf.get(r)?.verdict === 'true-positive');
      const b = count(mine, (r) => verdictOf.get(r)?.verdict === 'false-positive');
      return [`\`${rule}\``, String(mine.length), String(a), String(b), pct(a, a + b)];
    }),
    ['l', 'r', 'r', 'r', 'r'],
  );
  if (report.crashes.length > 0) {
    out.push('### Rule crashes');
    out.push('');
    for (const c of report.crashes) out.push(`- \`${c.rule}\` on \`${c.package}/${c.file}${c.line ? `:${c.line}` : ''}\`: ${c.message.split('\n')[0]}`);
    out.push('');
  }
  const fixed = review.stale.filter((v) => v.verdict === 'false-positive');
  const lost = review.stale.filter((v) => v.verdict !== 'false-positive');
  if (fixed.length > 0 || lost.length > 0) {
    out.push('### Reviewed reports no longer made');
    out.push('');
    for (const v of fixed) out.push(`- fixed false positive: \`${v.rule}\` \`${v.package}/${v.file}:${v.line}\``);
    for (const v of lost) out.push(`- **vanished ${v.verdict}**: \`${v.rule}\` \`${v.package}/${v.file}:${v.line}\``);
    out.push('');
  }
  out.push('### Every report, with its verdict');
  out.push('');
  out.push('Reports with the same reasoning are grouped (TypeORM and drizzle-orm ship the same code twice, as CommonJS and as ESM); every location is listed.');
  out.push('');
  const groups = new Map();
  for (const r of report.reports) {
    const v = verdictOf.get(r);
    const id = `${r.package}\u0000${r.rule}\u0000${v ? `${v.verdict}\u0000${v.why}` : 'unreviewed'}`;
    const g = groups.get(id) ?? { package: r.package, version: r.version, rule: r.rule, verdict: v, reports: [] };
    g.reports.push(r);
    groups.set(id, g);
  }
  let n = 0;
  let lastPackage;
  for (const g of groups.values()) {
    if (g.package !== lastPackage) {
      out.push(`#### ${g.package} ${g.version}`);
      out.push('');
      lastPackage = g.package;
    }
    n++;
    const label = g.verdict ? `${g.verdict.verdict === 'true-positive' ? '✅ true positive' : '❌ false positive'}${g.verdict.verdict === 'true-positive' ? ` (impact: ${g.verdict.impact})` : ''}` : '⚠️ UNREVIEWED';
    const where = g.reports.map((r) => `\`${r.file}:${r.line}\``).join(', ');
    out.push(`${n}. **${label}**: \`${g.rule}\`, ${g.reports.length} report${g.reports.length === 1 ? '' : 's'}: ${where}`);
    out.push(`   - Message: ${g.reports[0].message.replace(/\|/g, '\\|')}`);
    if (g.verdict) out.push(`   - Why: ${g.verdict.why}`);
    out.push('');
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Worker thread
// ---------------------------------------------------------------------------------------------

async function runWorker() {
  const [{ Linter }, tsParser, pluginModule] = await Promise.all([
    import('eslint'),
    import('@typescript-eslint/parser'),
    import(pathToFileURL(workerData.pluginEntry).href),
  ]);
  const plugin = pluginModule.default;
  const all = plugin.configs.all;
  const ruleIds = Object.keys(all.rules ?? {});
  const linter = new Linter({ configType: 'flat', cwd: ROOT });

  const configFor = (sourceType, disabled) => [
    {
      // Every extension the corpus has: with a bare '**/*', ESLint finds no configuration for .ts files.
      files: ['**/*.{js,cjs,mjs,jsx,ts,cts,mts,tsx}'],
      plugins: all.plugins,
      languageOptions: {
        parser: tsParser,
        ecmaVersion: 'latest',
        sourceType,
        parserOptions: { ecmaFeatures: { globalReturn: sourceType === 'commonjs' } },
      },
      // `eslint-disable` comments in the corpus were written for other rules: ignore them all.
      linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
      rules: Object.fromEntries(ruleIds.map((id) => [id, disabled.has(id) ? 'off' : 'error'])),
    },
  ];

  parentPort.on('message', (batch) => {
    parentPort.postMessage(batch.map((file) => lintFile(linter, configFor, ruleIds, file)));
  });
}

const ESM_SYNTAX = /^[ \t]*(?:import[\s{*'"]|export[\s{*])/m;

function lintFile(linter, configFor, ruleIds, file) {
  const abs = path.join(file.dir, ...file.rel.split('/'));
  const code = readFileSync(abs, 'utf8');
  const sourceType = file.sourceType === 'detect' ? (ESM_SYNTAX.test(code) ? 'module' : 'commonjs') : file.sourceType;
  // A virtual path: the Linter's default config ignores anything under node_modules/.
  const filename = path.join(ROOT, 'corpus', ...file.pkg.split('/'), ...file.rel.split('/'));
  const lines = code.split(/\r\n|\r|\n/);
  const result = {
    index: file.index,
    pkg: file.pkg,
    rel: file.rel,
    sourceType,
    lines: lines.length,
    bytes: Buffer.byteLength(code),
    ms: 0,
    reports: [],
    crashes: [],
    parseError: undefined,
  };
  const disabled = new Set();
  const started = performance.now();
  for (;;) {
    let messages;
    try {
      messages = linter.verify(code, configFor(sourceType, disabled), { filename });
    } catch (error) {
      const crash = describeCrash(error, ruleIds);
      result.crashes.push(crash);
      // Lint the file again without the crashing rule(s) so the other rules still run on it.
      const culprits = crash.rule === 'unknown' ? ruleIds.filter((id) => !disabled.has(id)) : [crash.rule];
      if (culprits.length === 0 || culprits.every((id) => disabled.has(id))) break;
      for (const id of culprits) disabled.add(id);
      continue;
    }
    for (const m of messages) {
      if (m.fatal) {
        result.parseError = { line: m.line, column: m.column, message: m.message };
        continue;
      }
      if (!m.ruleId || !ruleIds.includes(m.ruleId)) continue;
      result.reports.push({
        rule: m.ruleId,
        line: m.line,
        column: m.column,
        endLine: m.endLine,
        endColumn: m.endColumn,
        messageId: m.messageId,
        message: m.message,
        fixable: m.fix !== undefined,
        suggestions: m.suggestions?.length ?? 0,
        code: codeFingerprint(lines, m.line),
        context: contextOf(lines, m.line),
      });
    }
    break;
  }
  result.ms = performance.now() - started;
  return result;
}

function describeCrash(error, ruleIds) {
  const message = error instanceof Error ? error.message : String(error);
  let rule = error && typeof error === 'object' && typeof error.ruleId === 'string' ? error.ruleId : undefined;
  if (!rule) rule = /\nRule: "([^"]+)"/.exec(message)?.[1];
  if (!rule || !ruleIds.includes(rule)) rule = 'unknown';
  const at = /\nOccurred while linting [^\n]*?:(\d+)(?:\n|$)/.exec(message);
  const stack = error instanceof Error && error.stack ? error.stack.split('\n').slice(0, 8).join('\n') : undefined;
  return { rule, line: at ? Number(at[1]) : undefined, message: message.split('\nOccurred while linting')[0], stack };
}

/** The reported line's code, trimmed: part of the verdict key, so a moved report is re-reviewed. */
function codeFingerprint(lines, line) {
  return (lines[line - 1] ?? '').trim().slice(0, 160);
}

function contextOf(lines, line) {
  const from = Math.max(1, line - CONTEXT_LINES);
  const to = Math.min(lines.length, line + CONTEXT_LINES);
  const width = String(to).length;
  const out = [];
  for (let n = from; n <= to; n++) {
    const text = lines[n - 1] ?? '';
    out.push(`${n === line ? '>' : ' '}${String(n).padStart(width)}| ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`);
  }
  return out.join('\n');
}
