// End to end: the fixes of handle-stale-connection, produced by ESLint itself, type-check against the
// real driver types (mysql2/promise, pg via @types/pg, mariadb) and the BUILT runtime's declarations;
// and, run against the real servers, the fixed code survives a killed session where the original fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import * as tsParser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import mysql from 'mysql2/promise';
import pg from 'pg';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import rule from '../../rules/handle-stale-connection.js';
import listenerRule from '../../rules/require-error-listener.js';
import { ROOT } from '../helpers/built.js';
import { IN_CI, MYSQL_URL, PG_URL } from '../helpers/servers.js';

const RUNTIME_JS = path.join(ROOT, 'dist', 'esm', 'src', 'runtime', 'index.js');
const RUNTIME_DTS = path.join(ROOT, 'dist', 'esm', 'src', 'runtime', 'index.d.ts');
const RULE_ID = 'db-guard/handle-stale-connection';

// --- Fixtures: module-level long-lived connections, as applications write them. -------------------

const MYSQL_APP = `import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';

const db = await mysql.createConnection(process.env['MYSQL_URL'] ?? '${MYSQL_URL}');

export async function connectionId(): Promise<number> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
  return Number(rows[0]?.['id']);
}

export async function answer(): Promise<number> {
  const [rows] = await db.execute<RowDataPacket[]>('SELECT 41 + ? AS answer', [1]);
  return Number(rows[0]?.['answer']);
}
`;

const PG_APP = `import { Client } from 'pg';

const client = new Client({ connectionString: process.env['PG_URL'] ?? '${PG_URL}' });
await client.connect();

export async function connectionId(): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return Number(rows[0]?.pid);
}

export async function answer(): Promise<number> {
  const result = await client.query('SELECT 41 + $1::int AS answer', [1]);
  return Number(result.rows[0]?.answer);
}
`;

/** Only for the type check: a class field, a factory's closure, mariadb, a pg namespace import. */
const TYPED_ONLY: Record<string, string> = {
  'pg-class.ts': `import { Client } from 'pg';
export class Store {
  private client = new Client({ host: 'localhost' });
  async start(): Promise<void> {
    await this.client.connect();
  }
  async find(id: number): Promise<unknown> {
    const { rows } = await this.client.query('SELECT * FROM t WHERE id = $1', [id]);
    return rows[0];
  }
  stop(): Promise<void> {
    return this.client.end();
  }
}
`,
  'factory.ts': `import mysql from 'mysql2/promise';
export async function makeStore() {
  const conn = await mysql.createConnection({ host: 'localhost' });
  return {
    find: async (id: number) => {
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT * FROM t WHERE id = ?', [id]);
      return rows[0];
    },
  };
}
`,
  'mariadb.ts': `import * as mariadb from 'mariadb';
const conn = await mariadb.createConnection({ host: 'localhost' });
export async function list(): Promise<unknown[]> {
  const rows: unknown[] = await conn.query('SELECT * FROM t');
  return rows;
}
export const close = () => conn.end();
`,
  'pg-namespace.ts': `import pg from 'pg';
const client = new pg.Client('postgres://localhost/app');
await client.connect();
export const now = async (): Promise<Date | undefined> => (await client.query<{ now: Date }>('SELECT now()')).rows[0]?.now;
`,
};

// --- ESLint: run the rule's fixes the way users get them. --------------------------------------------

function linterConfig(fix: 'autofix' | 'suggestion'): Linter.Config[] {
  return [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tsParser, parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
      plugins: { 'db-guard': { rules: { 'handle-stale-connection': rule as never, 'require-error-listener': listenerRule as never } } },
      rules: { [RULE_ID]: ['error', { fix }], 'db-guard/require-error-listener': 'error' },
    },
  ];
}

/** `eslint --fix` with `fix: 'autofix'`: the reconnecting() rewrite. */
function autofix(code: string): { output: string; reported: number } {
  const linter = new Linter({ configType: 'flat' });
  const reported = linter.verify(code, linterConfig('autofix'), 'app.ts').filter((m) => m.ruleId === RULE_ID).length;
  const { output, messages } = linter.verifyAndFix(code, linterConfig('autofix'), 'app.ts');
  expect(messages.filter((m) => m.ruleId === RULE_ID || m.fatal === true)).toEqual([]);
  expect(messages.filter((m) => m.ruleId === 'db-guard/require-error-listener')).toEqual([]);
  return { output, reported };
}

/** Applies the first suggestion with `messageId` to the code, as an editor would. */
function applySuggestion(code: string, messageId: string): string {
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(code, linterConfig('suggestion'), 'app.ts');
  const suggestion = messages.flatMap((m) => m.suggestions ?? []).find((s) => s.messageId === messageId);
  if (!suggestion) throw new Error(`no ${messageId} suggestion for:\n${code}`);
  return code.slice(0, suggestion.fix.range[0]) + suggestion.fix.text + code.slice(suggestion.fix.range[1]);
}

// --- TypeScript: the strict settings of this package, the real driver types, the built runtime. ----

function typeErrors(dir: string, files: readonly string[]): string {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    paths: { 'db-connection-guard/runtime': [RUNTIME_DTS] },
  };
  const program = ts.createProgram(files.map((f) => path.join(dir, f)), options);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => dir,
    getNewLine: () => '\n',
  });
}

// --- Running the code against the real servers. ------------------------------------------------------

interface RunResult {
  readonly ok: boolean;
  readonly before?: number;
  readonly after?: number;
  readonly answer?: number;
  readonly message?: string;
  readonly status: number | null;
  readonly stderr: string;
}

/**
 * Transpiles the app to plain JS (the runtime import pointed at the build), then in a child process:
 * reads the session id, kills the session from a second connection, waits, and queries again.
 */
function runAfterKill(dir: string, name: string, code: string, driver: 'mysql' | 'pg'): RunResult {
  const js = ts
    .transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })
    .outputText.replaceAll("'db-connection-guard/runtime'", `'${pathToFileURL(RUNTIME_JS).href}'`);
  const app = path.join(dir, `${name}.mjs`);
  writeFileSync(app, js);
  const kill =
    driver === 'mysql'
      ? `const mysql = (await import('mysql2/promise')).default;
const killer = await mysql.createConnection(process.env.MYSQL_URL);
await killer.query('KILL ' + Number(before));
await killer.end();`
      : `const pg = (await import('pg')).default;
const killer = new pg.Client({ connectionString: process.env.PG_URL });
await killer.connect();
await killer.query('SELECT pg_terminate_backend($1)', [before]);
await killer.end();`;
  const harness = path.join(dir, `${name}-harness.mjs`);
  writeFileSync(
    harness,
    `const app = await import(${JSON.stringify(pathToFileURL(app).href)});
const before = await app.connectionId();
console.log(JSON.stringify({ before }));
${kill}
await new Promise((resolve) => setTimeout(resolve, 500));
let result;
try {
  const answer = await app.answer();
  result = { ok: true, before, after: await app.connectionId(), answer };
} catch (err) {
  result = { ok: false, before, message: String(err && err.message) };
}
console.log(JSON.stringify(result));
process.exit(0);
`,
  );
  const child = spawnSync(process.execPath, [harness], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, MYSQL_URL, PG_URL },
  });
  const lines = child.stdout.split('\n').filter((line) => line.startsWith('{'));
  const parsed = Object.assign({ ok: false }, ...lines.map((line) => JSON.parse(line) as object)) as Omit<RunResult, 'status' | 'stderr'>;
  return { ...parsed, status: child.status, stderr: child.stderr };
}

async function reachable(driver: 'mysql' | 'pg'): Promise<boolean> {
  try {
    if (driver === 'mysql') {
      const conn = await mysql.createConnection({ uri: MYSQL_URL, connectTimeout: 3000 });
      await conn.end();
    } else {
      const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
      await client.connect();
      await client.end();
    }
    return true;
  } catch {
    return false;
  }
}

// --- The tests. ------------------------------------------------------------------------------------------

let dir = '';
const servers = { mysql: false, pg: false };

beforeAll(async () => {
  for (const file of [RUNTIME_JS, RUNTIME_DTS]) {
    if (!existsSync(file)) {
      throw new Error(`${path.relative(ROOT, file)} is missing: run \`npm run build\` first (\`npm test\` builds).`);
    }
  }
  // Inside the package so that the fixtures resolve mysql2, pg and @types/pg from its node_modules.
  mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
  dir = mkdtempSync(path.join(ROOT, 'tmp', 'stale-fix-'));
  servers.mysql = await reachable('mysql');
  servers.pg = await reachable('pg');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Skips locally when the server is down; in CI a missing server fails the test. */
function requireServer(driver: 'mysql' | 'pg', skip: () => void): void {
  if (servers[driver]) return;
  const url = driver === 'mysql' ? MYSQL_URL : PG_URL;
  if (IN_CI) throw new Error(`${driver} server at ${url} is not reachable (CI=true: a missing server is a failure)`);
  skip();
}

describe('handle-stale-connection fixes type-check against the real driver types', () => {
  it('before and after the reconnecting() autofix, and after the pool suggestion', () => {
    const files: string[] = [];
    const write = (name: string, code: string): void => {
      writeFileSync(path.join(dir, name), code);
      files.push(name);
    };
    const sources = { 'mysql-app.ts': MYSQL_APP, 'pg-app.ts': PG_APP, ...TYPED_ONLY };
    for (const [name, code] of Object.entries(sources)) {
      const fixed = autofix(code);
      expect(fixed.reported, name).toBeGreaterThan(0);
      expect(fixed.output, name).toContain('reconnecting(() => ');
      expect(fixed.output, name).toContain("from 'db-connection-guard/runtime'");
      write(`before-${name}`, code);
      write(`fixed-${name}`, fixed.output);
    }
    const pools = {
      'mysql-app.ts': MYSQL_APP.replace('SELECT CONNECTION_ID() AS id', 'SELECT 7 AS id'),
      'pg-app.ts': PG_APP.replace('pg_backend_pid()', '7'),
      'pg-class.ts': TYPED_ONLY['pg-class.ts']!,
      'factory.ts': TYPED_ONLY['factory.ts']!,
    };
    for (const [name, code] of Object.entries(pools)) {
      const pooled = applySuggestion(code, 'suggestPool');
      expect(pooled).toMatch(/createPool\(|new Pool\(/);
      write(`pool-${name}`, pooled);
    }
    expect(typeErrors(dir, files)).toBe('');
  });

  it("require-error-listener's suggestions type-check too (pools, clients, getters that empty the variable, fields)", () => {
    const sources: Record<string, string> = {
      'listener-pool.ts': `import { Pool } from 'pg';
export const pool = new Pool();
export const count = () => pool.query('SELECT 1');
`,
      'listener-getter.ts': `import { Client } from 'pg';
let client: Client | null = null;
export async function getClient(): Promise<Client> {
  if (client === null) {
    client = new Client();
    await client.connect();
  }
  return client;
}
`,
      'listener-mysql.ts': `import mysql from 'mysql2/promise';
let db: mysql.Connection | undefined;
export async function getDb(): Promise<mysql.Connection> {
  if (!db) db = await mysql.createConnection({});
  return db;
}
`,
      'listener-field.ts': `import { Pool } from 'pg';
export class Store {
  #pool = new Pool();
  private readonly other: Pool;
  constructor() {
    this.other = new Pool();
  }
  find() {
    return [this.#pool.query('SELECT 1'), this.other.query('SELECT 2')];
  }
}
`,
    };
    const files: string[] = [];
    for (const [name, code] of Object.entries(sources)) {
      writeFileSync(path.join(dir, `before-${name}`), code);
      files.push(`before-${name}`);
      let fixed = code;
      for (;;) {
        const linter = new Linter({ configType: 'flat' });
        const message = linter.verify(fixed, linterConfig('suggestion'), 'app.ts').find((m) => m.ruleId === 'db-guard/require-error-listener');
        if (!message) break;
        const suggestion = message.suggestions?.[0];
        if (!suggestion) throw new Error(`no suggestion for ${name}: ${message.message}`);
        fixed = fixed.slice(0, suggestion.fix.range[0]) + suggestion.fix.text + fixed.slice(suggestion.fix.range[1]);
      }
      expect(fixed, name).toContain(".on('error', (err) => {");
      writeFileSync(path.join(dir, `listener-fixed-${name}`), fixed);
      files.push(`listener-fixed-${name}`);
    }
    expect(typeErrors(dir, files)).toBe('');
  });

  it('the type check does see errors (a fixed file misused)', () => {
    writeFileSync(path.join(dir, 'misuse.ts'), `${autofix(MYSQL_APP).output}\nexport const bad: number = await (async () => 'x')();\n`);
    expect(typeErrors(dir, ['misuse.ts'])).toContain("Type 'string' is not assignable to type 'number'");
  });
});

describe('handle-stale-connection: after KILL of the session, the fixed code recovers and the original fails', () => {
  it('mysql2/promise on MariaDB', (ctx) => {
    requireServer('mysql', () => ctx.skip());
    const original = runAfterKill(dir, 'mysql-original', MYSQL_APP, 'mysql');
    expect(original.before, original.stderr).toBeGreaterThan(0);
    expect(original.ok, JSON.stringify(original)).toBe(false);
    expect(original.message).toMatch(/closed state|Connection lost/i);

    const fixed = runAfterKill(dir, 'mysql-fixed', autofix(MYSQL_APP).output, 'mysql');
    expect(fixed.ok, JSON.stringify(fixed)).toBe(true);
    expect(fixed.answer).toBe(42);
    expect(fixed.after).not.toBe(fixed.before);
  });

  it("pg on PostgreSQL (pg_terminate_backend): the original's unhandled 'error' even kills the process", (ctx) => {
    requireServer('pg', () => ctx.skip());
    const original = runAfterKill(dir, 'pg-original', PG_APP, 'pg');
    expect(original.before, original.stderr).toBeGreaterThan(0);
    expect(original.ok, JSON.stringify(original)).toBe(false);
    expect(original.status).not.toBe(0);
    expect(original.stderr).toContain("Unhandled 'error' event");
    expect(original.stderr).toContain('terminating connection due to administrator command');

    const fixed = runAfterKill(dir, 'pg-fixed', autofix(PG_APP).output, 'pg');
    expect(fixed.ok, JSON.stringify(fixed)).toBe(true);
    expect(fixed.answer).toBe(42);
    expect(fixed.after).not.toBe(fixed.before);
  });
});
