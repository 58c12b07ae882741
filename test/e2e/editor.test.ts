// The editor, for real: the ESLint language server that VS Code's ESLint extension runs
// (vscode-langservers-extracted's `vscode-eslint-language-server`), driven over stdio on a workspace
// whose flat config uses the built plugin's recommended config. It checks what a user sees and gets:
// the diagnostic on the acquiring call, fix-on-save (`source.fixAll.eslint`) turning the leak into
// try/finally and nothing else, and suggestions applied as quick fixes.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { Linter } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { requireBuild, ROOT } from '../helpers/built.js';
import { applyEdits, editsFor, EslintLanguageServer, positionAt, type Diagnostic, type Range } from './helpers/lsp.js';

type Plugin = (typeof import('../../src/index.js'))['default'];

const SERVER_BIN = path.join(ROOT, 'node_modules', '.bin', 'vscode-eslint-language-server');
const PLUGIN_ENTRY = path.join(ROOT, 'dist', 'esm', 'src', 'index.js');
// Inside the repository, so that the workspace resolves this repository's `eslint` (the server loads
// the ESLint that the workspace resolves), but under node_modules/.cache, out of git's and lint's way.
const WORKSPACE = path.join(ROOT, 'node_modules', '.cache', `db-guard-lsp-${String(process.pid)}`);

const LEAK = `// Orders repository, as opened in the editor.
import mysql from 'mysql2/promise';

const pool = mysql.createPool({ host: '127.0.0.1', connectionLimit: 10 });

/** Loads one order. */
export async function loadOrder(id: number) {
  const conn = await pool.getConnection();
  // one round trip
  const [rows] = await conn.query('SELECT * FROM orders WHERE id = ?', [id]);
  conn.release();
  return rows;
}

export function doubled(values: number[]) {
  return values.map((v) => v * 2);
}
`;

// What fix-on-save must leave: the release moved into a finally, everything else byte for byte.
const LEAK_FIXED = `// Orders repository, as opened in the editor.
import mysql from 'mysql2/promise';

const pool = mysql.createPool({ host: '127.0.0.1', connectionLimit: 10 });

/** Loads one order. */
export async function loadOrder(id: number) {
  const conn = await pool.getConnection();
  try {
    // one round trip
    const [rows] = await conn.query('SELECT * FROM orders WHERE id = ?', [id]);
    return rows;
  } finally {
    conn.release();
  }
}

export function doubled(values: number[]) {
  return values.map((v) => v * 2);
}
`;

const LEAK_WITH_CONNECTION = `// Orders repository, as opened in the editor.
import mysql from 'mysql2/promise';
import { withConnection } from 'db-connection-guard/runtime';

const pool = mysql.createPool({ host: '127.0.0.1', connectionLimit: 10 });

/** Loads one order. */
export async function loadOrder(id: number) {
  return withConnection(pool, async (conn) => {
    // one round trip
    const [rows] = await conn.query('SELECT * FROM orders WHERE id = ?', [id]);
    return rows;
  });
}

export function doubled(values: number[]) {
  return values.map((v) => v * 2);
}
`;

const STALE = `import mysql from 'mysql2/promise';

const db = await mysql.createConnection({ host: 'localhost' });

export async function findUser(id: number) {
  const [rows] = await db.query('SELECT * FROM users WHERE id = ?', [id]);
  return rows;
}
`;

const STALE_RECONNECTING = `import mysql from 'mysql2/promise';
import { reconnecting } from 'db-connection-guard/runtime';

const db = reconnecting(() => mysql.createConnection({ host: 'localhost' }));

export async function findUser(id: number) {
  const [rows] = await db.query('SELECT * FROM users WHERE id = ?', [id]);
  return rows;
}
`;

let plugin: Plugin;
let server: EslintLanguageServer;

beforeAll(async () => {
  requireBuild();
  plugin = ((await import(pathToFileURL(PLUGIN_ENTRY).href)) as { default: Plugin }).default;
  rmSync(WORKSPACE, { recursive: true, force: true });
  mkdirSync(WORKSPACE, { recursive: true });
  // What a user writes (README "Usage"), with the package imported from the build.
  writeFileSync(
    path.join(WORKSPACE, 'eslint.config.mjs'),
    `import dbGuard from ${JSON.stringify(pathToFileURL(PLUGIN_ENTRY).href)};\n\nexport default [dbGuard.configs.recommended];\n`,
  );
  server = await EslintLanguageServer.start(WORKSPACE, SERVER_BIN);
});

afterAll(async () => {
  await server.stop();
  rmSync(WORKSPACE, { recursive: true, force: true });
});

/** Opens `text` as a new file of the workspace (written to disk too, as an editor's file is). */
async function open(name: string, text: string): Promise<string> {
  const file = path.join(WORKSPACE, name);
  writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  await server.open(uri, 'typescript', text);
  return uri;
}

function rangeOf(text: string, snippet: string): Range {
  const start = text.indexOf(snippet);
  if (start === -1 || text.indexOf(snippet, start + 1) !== -1) throw new Error(`${snippet} must occur once`);
  return { start: positionAt(text, start), end: positionAt(text, start + snippet.length) };
}

function dbGuard(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => typeof d.code === 'string' && d.code.startsWith(`${plugin.meta.namespace}/`));
}

/** ESLint's own view of the same text with the same config: the reference for messages and fixes. */
function lintWithEslint(text: string, filename: string): Linter.LintMessage[] {
  return new Linter({ cwd: WORKSPACE }).verify(text, [plugin.configs.recommended as Linter.Config], { filename: path.join(WORKSPACE, filename) });
}

function fixWithEslint(text: string, filename: string): string {
  return new Linter({ cwd: WORKSPACE }).verifyAndFix(text, [plugin.configs.recommended as Linter.Config], { filename: path.join(WORKSPACE, filename) }).output;
}

describe('vscode-eslint-language-server with the recommended config', () => {
  it('reports the leak on the acquiring call, and fix-on-save turns it into try/finally and nothing else', async () => {
    const uri = await open('orders.ts', LEAK);

    const diagnostics = await server.diagnostics(uri);
    expect(diagnostics.map((d) => d.code), server.log.join('\n')).toEqual(['db-guard/no-leaked-connection']);
    const [leak] = diagnostics;
    expect(leak!.range).toEqual(rangeOf(LEAK, 'pool.getConnection()'));
    expect(leak!.severity).toBe(1); // error
    expect(leak!.message).toMatch(/^Connection from `pool\.getConnection\(\)` is not released if `conn\.query\(\)` on line 10 throws; release it in a `finally` block/);
    const [reference] = lintWithEslint(LEAK, 'orders.ts');
    expect(leak!.message).toBe(reference!.message);

    // What "editor.codeActionsOnSave": { "source.fixAll.eslint": "explicit" } requests on save.
    const actions = await server.codeActions(uri, { start: { line: 0, character: 0 }, end: positionAt(LEAK, LEAK.length) }, ['source.fixAll.eslint']);
    expect(actions.map((a) => a.kind)).toEqual(['source.fixAll.eslint']);
    const saved = applyEdits(LEAK, editsFor(actions[0]!.edit!, uri, server.version(uri)));
    expect(saved).toBe(LEAK_FIXED);
    expect(saved).toBe(fixWithEslint(LEAK, 'orders.ts'));

    await server.change(uri, saved);
    expect(dbGuard(await server.diagnostics(uri))).toEqual([]);
  });

  it("offers no-leaked-connection's withConnection() rewrite as a quick fix, and applying it clears the problem", async () => {
    const uri = await open('orders-suggest.ts', LEAK);
    const diagnostics = dbGuard(await server.diagnostics(uri));
    expect(diagnostics).toHaveLength(1);

    const quickFixes = await server.codeActions(uri, diagnostics[0]!.range, ['quickfix'], diagnostics);
    const titles = quickFixes.map((a) => a.title);
    // The autofix itself, the rule's two suggestions, and the server's own disable-comment actions.
    expect(titles).toContain('Fix this db-guard/no-leaked-connection problem');
    const suggestion = quickFixes.find((a) => a.command?.command === 'eslint.applySuggestion' && a.title.includes('withConnection'));
    expect(suggestion, titles.join('\n')).toBeDefined();
    expect(suggestion!.title).toBe('Rewrite with `withConnection(pool, async (conn) => ...)` from `db-connection-guard/runtime`. (db-guard/no-leaked-connection)');

    const edit = await server.executeCommand(suggestion!.command!);
    const applied = applyEdits(LEAK, editsFor(edit, uri, server.version(uri)));
    expect(applied).toBe(LEAK_WITH_CONNECTION);

    await server.change(uri, applied);
    expect(dbGuard(await server.diagnostics(uri))).toEqual([]);
  });

  it("offers handle-stale-connection's reconnecting() rewrite as a quick fix on a module-level mysql2 connection", async () => {
    const uri = await open('users.ts', STALE);
    const diagnostics = dbGuard(await server.diagnostics(uri));
    const reference = lintWithEslint(STALE, 'users.ts');
    // The query on the long-lived connection, and (from require-error-listener) its missing 'error' listener.
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual(reference.map((m) => [m.ruleId, m.message]));
    const stale = diagnostics.filter((d) => d.code === 'db-guard/handle-stale-connection');
    expect(stale).toHaveLength(1);
    expect(stale[0]!.range).toEqual(rangeOf(STALE, 'db.query'));
    expect(stale[0]!.message).toMatch(/^`db\.query\(\)` runs on a long-lived connection \(line 3\) with no handling for a lost connection/);

    // Neither rule autofixes by default (`fix: 'suggestion'`): fix-on-save leaves the file alone.
    const onSave = await server.codeActions(uri, { start: { line: 0, character: 0 }, end: positionAt(STALE, STALE.length) }, ['source.fixAll.eslint']);
    const saveEdits = onSave.flatMap((a) => (a.edit ? editsFor(a.edit, uri, server.version(uri)) : []));
    expect(applyEdits(STALE, saveEdits)).toBe(STALE);

    const quickFixes = await server.codeActions(uri, stale[0]!.range, ['quickfix'], stale);
    const suggestion = quickFixes.find((a) => a.command?.command === 'eslint.applySuggestion' && a.title.includes('reconnecting'));
    expect(suggestion, quickFixes.map((a) => a.title).join('\n')).toBeDefined();
    expect(suggestion!.title).toBe(
      'Create the connection with `reconnecting(() => ...)` from `db-connection-guard/runtime`: it reconnects after a lost connection. (db-guard/handle-stale-connection)',
    );
    const applied = applyEdits(STALE, editsFor(await server.executeCommand(suggestion!.command!), uri, server.version(uri)));
    expect(applied).toBe(STALE_RECONNECTING);

    // reconnecting() also listens for 'error': both problems are gone.
    await server.change(uri, applied);
    expect(dbGuard(await server.diagnostics(uri))).toEqual([]);
  });
});
