// Fixes that really fix: the leaky functions of examples/ run against the real MariaDB and
// PostgreSQL with a query forced to fail (a duplicate key, an unknown row, a bad integer, a missing
// table), before and after `db-connection-guard --fix`. Before, every failed call keeps a connection
// checked out until the pool is exhausted; after, none stays out, the pool still serves the next
// request, and the functions answer exactly as before. The fixed files type-check (strict) against
// the real driver types and the built runtime.
//
// Each run is a child process (test/e2e/helpers/run-example.mjs) on the examples compiled with
// TypeScript's transpileModule, so leaked connections die with it and the two versions never share
// a pool. See that file for how the pools are pointed at the test servers.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import mysql from 'mysql2/promise';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLI, requireBuild, ROOT } from '../helpers/built.js';
import { mysqlParams, PG_URL } from '../helpers/servers.js';
import { mysqlAdmin, pgAdmin, SKIP_MYSQL, SKIP_PG } from '../runtime/helpers/db.js';

const HARNESS = path.join(ROOT, 'test', 'e2e', 'helpers', 'run-example.mjs');
const UNIQUE = `dbguard_fix_${String(process.pid)}_${Date.now().toString(36)}`;
const LEAK_RULE = 'db-guard/no-leaked-connection';

interface Leaky {
  fn: string;
  file: string;
  server: 'mysql' | 'pg';
  /** How each call ends, before and after the fix alike. */
  outcome: { error: string } | { status: number };
}

// The leaky functions of examples/README.md's table (no-leaked-connection rows) and the failure forced on each.
const LEAKY: Leaky[] = [
  { fn: 'updateEmail', file: 'users.ts', server: 'mysql', outcome: { error: 'ER_DUP_ENTRY' } },
  { fn: 'deactivateUser', file: 'users.ts', server: 'mysql', outcome: { status: 404 } },
  { fn: 'monthlyRevenue', file: 'reports.ts', server: 'pg', outcome: { error: '22P02' } },
  { fn: 'listOrders', file: 'orders.js', server: 'mysql', outcome: { error: 'ER_NO_SUCH_TABLE' } },
];

interface Run {
  fn: string;
  limit: number;
  outcomes: ({ error: string } | { status: number } | { hang: true })[];
  open: number;
  checkedOut: number;
  sessions: number;
  probe: 'ok' | 'exhausted';
}

interface CliMessage {
  ruleId: string | null;
  line: number;
  message: string;
}

let work = '';
let remaining: { file: string; messages: CliMessage[] }[] = [];
let cliStatus: number | null = null;

function variantDir(variant: 'before' | 'after', ...rest: string[]): string {
  return path.join(work, variant, ...rest);
}

/** Compiles src/ of a variant to out/ (TS with transpileModule, JS copied), as a build step would. */
function compile(variant: 'before' | 'after'): void {
  const src = variantDir(variant, 'src');
  const out = variantDir(variant, 'out');
  mkdirSync(out, { recursive: true });
  for (const name of readdirSync(src)) {
    const text = readFileSync(path.join(src, name), 'utf8');
    if (name.endsWith('.ts')) {
      const { outputText } = ts.transpileModule(text, {
        fileName: name,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      writeFileSync(path.join(out, name.replace(/\.ts$/, '.js')), outputText);
    } else {
      writeFileSync(path.join(out, name), text);
    }
  }
}

/** Strict type check of a variant's .ts files against the installed drivers' types and the built runtime. */
function typeCheck(variant: 'before' | 'after'): string[] {
  const src = variantDir(variant, 'src');
  const files = readdirSync(src)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => path.join(src, name));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${path.relative(work, d.file.fileName)}:${String(d.file.getLineAndCharacterOfPosition(d.start).line + 1)}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/** Runs one function of a compiled variant in a child process against the servers. */
function runExample(variant: 'before' | 'after', fn: string): Run {
  const mysqlOptions = { ...mysqlParams(), database: UNIQUE };
  const pgUrl = new URL(PG_URL);
  pgUrl.searchParams.set('options', `-c search_path=${UNIQUE}`);
  pgUrl.searchParams.set('application_name', `${UNIQUE}_${variant}`);
  const child = spawnSync(process.execPath, [HARNESS, variantDir(variant, 'out'), fn], {
    cwd: work,
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, HARNESS_MYSQL: JSON.stringify(mysqlOptions), DATABASE_URL: pgUrl.href },
  });
  if (child.status !== 0) throw new Error(`${variant} ${fn}: exit ${String(child.status)}\n${child.stderr}`);
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Run;
}

/** Line span of a top-level function in a source file (its `export ... function` line to its closing brace). */
function functionSpan(text: string, fn: string): { start: number; end: number } {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^export (async )?function ${fn}\\(`).test(line));
  const end = lines.findIndex((line, i) => i > start && line.startsWith('}'));
  if (start === -1 || end === -1) throw new Error(`${fn} not found`);
  return { start: start + 1, end: end + 1 };
}

/** Whether the CLI still reports a leak in `fn` after --fix. */
function stillReported({ fn, file }: Leaky): boolean {
  const text = readFileSync(variantDir('after', 'src', file), 'utf8');
  const { start, end } = functionSpan(text, fn);
  const messages = remaining.find((r) => r.file === file)?.messages ?? [];
  return messages.some((m) => m.ruleId === LEAK_RULE && m.line >= start && m.line <= end);
}

const skip = SKIP_MYSQL || SKIP_PG;

describe.skipIf(skip)('the leaky functions of examples/, run against the real servers before and after --fix', () => {
  beforeAll(async () => {
    requireBuild();
    work = mkdtempSync(path.join(tmpdir(), 'db-guard-fix-'));
    // A project of its own: ESM, resolving the drivers, their types and this package as installed.
    writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'examples-copy', private: true, type: 'module' }));
    mkdirSync(path.join(work, 'node_modules'));
    for (const pkg of ['mysql2', 'pg', '@types']) symlinkSync(path.join(ROOT, 'node_modules', pkg), path.join(work, 'node_modules', pkg), 'dir');
    symlinkSync(ROOT, path.join(work, 'node_modules', 'db-connection-guard'), 'dir');
    for (const variant of ['before', 'after'] as const) cpSync(path.join(ROOT, 'examples', 'src'), variantDir(variant, 'src'), { recursive: true });

    const fix = spawnSync(process.execPath, [CLI, '--fix', '--format', 'json', variantDir('after', 'src')], { cwd: work, encoding: 'utf8' });
    cliStatus = fix.status;
    const results = JSON.parse(fix.stdout) as { filePath: string; messages: CliMessage[] }[];
    remaining = results.map((r) => ({ file: path.basename(r.filePath), messages: r.messages }));
    compile('before');
    compile('after');

    const admin = await mysqlAdmin();
    try {
      await admin.query(`CREATE DATABASE ${mysql.escapeId(UNIQUE)}`);
      await admin.query(`CREATE TABLE ${mysql.escapeId(UNIQUE)}.users (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(100) NOT NULL UNIQUE, active TINYINT NOT NULL DEFAULT 1)`);
      await admin.query(`INSERT INTO ${mysql.escapeId(UNIQUE)}.users (id, name, email) VALUES (1, 'One', 'one@example.com'), (2, 'Two', 'two@example.com')`);
    } finally {
      await admin.end();
    }
    const pgClient = await pgAdmin();
    try {
      await pgClient.query(`CREATE SCHEMA "${UNIQUE}"`);
      await pgClient.query(`CREATE TABLE "${UNIQUE}".invoices (id serial PRIMARY KEY, day int NOT NULL, month int NOT NULL, total numeric NOT NULL, customer_id int NOT NULL, locked boolean NOT NULL DEFAULT false)`);
      await pgClient.query(`INSERT INTO "${UNIQUE}".invoices (day, month, total, customer_id) VALUES (1, 202601, 10, 1)`);
    } finally {
      await pgClient.end();
    }
  });

  afterAll(async () => {
    if (!skip) {
      const admin = await mysqlAdmin();
      await admin.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(UNIQUE)}`).finally(() => admin.end());
      const pgClient = await pgAdmin();
      await pgClient.query(`DROP SCHEMA IF EXISTS "${UNIQUE}" CASCADE`).finally(() => pgClient.end());
    }
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  it('--fix rewrites the promise-style leaks and still reports what it cannot fix', () => {
    expect(cliStatus).toBe(1); // findings remain (the callback leak, the pool transaction)
    const changed = ['users.ts', 'reports.ts', 'orders.js', 'db.ts', 'audit.js', 'app.ts', 'http.ts'].filter(
      (file) => readFileSync(variantDir('before', 'src', file), 'utf8') !== readFileSync(variantDir('after', 'src', file), 'utf8'),
    );
    expect(changed.sort()).toEqual(['reports.ts', 'users.ts']);
    // Every leak still reported is one of the table's functions (the fix introduced none), and the
    // promise-style ones, which have a try/finally autofix, are no longer among them.
    const leaksLeft = remaining.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId === LEAK_RULE)
        .map((m) => {
          const owner = LEAKY.find(({ fn, file }) => {
            if (file !== r.file) return false;
            const span = functionSpan(readFileSync(variantDir('after', 'src', file), 'utf8'), fn);
            return m.line >= span.start && m.line <= span.end;
          });
          return owner?.fn ?? `${r.file}:${String(m.line)} (not a planted leak)`;
        }),
    );
    expect(leaksLeft).toEqual(LEAKY.filter(stillReported).map(({ fn }) => fn));
    expect(leaksLeft).not.toContain('updateEmail');
    expect(leaksLeft).not.toContain('deactivateUser');
    expect(leaksLeft).not.toContain('monthlyRevenue');
  });

  it('the fixed files type-check (strict) against the real driver types and the built runtime', () => {
    expect(typeCheck('before')).toEqual([]); // the baseline: the examples type-check as shipped
    expect(typeCheck('after')).toEqual([]);
  });

  describe.each(LEAKY)('$fn ($file, $server)', (leaky) => {
    it('before --fix: every failed call keeps a connection checked out, until the pool is exhausted', () => {
      const run = runExample('before', leaky.fn);
      expect(run.outcomes).toEqual(Array.from({ length: run.limit }, () => leaky.outcome));
      expect(run.checkedOut).toBe(run.limit);
      expect(run.sessions).toBe(run.limit); // the server holds one session per failed call
      expect(run.probe).toBe('exhausted'); // the next request would wait forever
    });

    it('after --fix: none stays checked out, the pool serves the next request, the answers are unchanged (or the CLI still reports it)', () => {
      const run = runExample('after', leaky.fn);
      expect(run.outcomes).toEqual(Array.from({ length: run.limit }, () => leaky.outcome));
      if (stillReported(leaky)) {
        // Not fixed automatically (listOrders: a leak inside a query callback has no autofix): the
        // report after --fix is the only honest outcome, and it still leaks.
        expect(run.checkedOut).toBe(run.limit);
        return;
      }
      expect(run.checkedOut).toBe(0);
      expect(run.open).toBe(1); // one connection, reused by every call
      expect(run.sessions).toBe(run.open);
      expect(run.probe).toBe('ok');
    });
  });
});
