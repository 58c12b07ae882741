// mayTrackAny (src/analysis/walk-gate.ts): whether the code-path walk can track anything in a file,
// answered when the rules are created, before the traversal, by going down from the program to each
// candidate position of the gate and classifying the calls on the way. Where it says no, the walk does
// not run at all. test/walk-gate.test.ts checks that this changes no report (and, in audit mode, that
// no resource is registered in a file it would have skipped); this file checks the way down itself:
// its answer must be exactly that of a reference that looks at every call and `new` of the file, as
// the traversal meets them, over the cases below, the corpus, generated programs and the installed
// sources of the benchmark packages.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tsParser from '@typescript-eslint/parser';
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

import { methodName } from '../src/analysis/ast.js';
import { acquiringMethods, classifyAcquisition, driverContext, type DriverContext } from '../src/analysis/drivers.js';
import { gateStats } from '../src/analysis/flow.js';
import { BEGINNING_METHODS, classifyBegin } from '../src/analysis/transactions.js';
import { mayTrackAny, walkGate } from '../src/analysis/walk-gate.js';
import { getSettings } from '../src/settings.js';
import { lintAllRules } from './helpers/all-rules.js';
import { analysisInputs } from './helpers/inputs.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Seen {
  /** mayTrackAny, asked when the probe rule is created (as the walk's rules ask it). */
  early: boolean;
  /** The reference: some call or `new` met by the traversal holds a candidate and classifies. */
  reference: boolean;
  /** How many calls and `new`s hold a candidate (so that the cases below are about something). */
  holding: number;
}

function probe(code: string, filename = 'file.ts', settings: Record<string, unknown> = {}): Seen {
  let seen: Seen | undefined;
  const rule = {
    meta: { type: 'problem' as const, schema: [] },
    create(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>) {
      const ctx = driverContext(context);
      const early = mayTrackAny(ctx);
      let reference = false;
      let holding = 0;
      const check = (node: TSESTree.CallExpression | TSESTree.NewExpression): void => {
        if (!walkGate(ctx).holdsCandidate(node.range[0], node.range[1])) return;
        holding++;
        // As the walk passes calls to its rules (flow.ts, trackCall): a method call only to the rules
        // that name its method (no-leaked-connection and no-use-after-release the acquiring methods,
        // no-leaked-transaction the beginning ones), each of which tracks only what it classifies.
        const method = node.type === AST_NODE_TYPES.CallExpression ? methodName(node) : undefined;
        if ((method === undefined || acquiringMethods(ctx).has(method)) && classifyAcquisition(ctx, node) !== undefined) reference = true;
        if ((method === undefined || BEGINNING_METHODS.has(method)) && classifyBegin(ctx, node) !== undefined) reference = true;
      };
      return {
        CallExpression: check,
        NewExpression: check,
        'Program:exit'() {
          seen = { early, reference, holding };
        },
      };
    },
  };
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.{js,ts,cjs,mjs}'],
        plugins: { probe: { rules: { walk: rule as never } } },
        languageOptions: { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' },
        settings,
        rules: { 'probe/walk': 'error' },
      },
    ],
    { filename },
  );
  const fatal = messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${filename} does not parse: ${fatal.message}`);
  if (!seen) throw new Error('the probe rule did not run');
  return seen;
}

const POOL = `import mysql from 'mysql2/promise';\nconst pool = mysql.createPool({});\n`;

/** Where the way down has to look: array holes, arguments, type positions, comments, nesting. */
const CASES: { name: string; code: string; trackable: boolean }[] = [
  { name: 'an acquisition after holes of an array', trackable: true, code: `${POOL}export async function f() { const list = [, , , await pool.getConnection()]; return list; }` },
  { name: 'an acquisition between holes of an array', trackable: true, code: `${POOL}export async function f() { return [, await pool.getConnection(), , ]; }` },
  { name: 'an acquisition deep in arguments', trackable: true, code: `${POOL}declare function g(...a: unknown[]): unknown;\nexport async function f() { return g(1, g(2, [g(3, { a: await pool.getConnection() })])); }` },
  { name: 'an acquisition in a class field initialiser', trackable: true, code: `${POOL}export class A { x = 1; y = 2; conn = pool.getConnection(); z = 3; }` },
  { name: 'an acquisition inside a type assertion', trackable: true, code: `${POOL}export async function f() { return (await (pool.getConnection() as Promise<unknown>)) as unknown; }` },
  { name: 'a begin statement in a template', trackable: true, code: 'export async function f(client: { query(s: string): Promise<void> }) {\n  await client.query(`\n BEGIN`);\n}' },
  { name: 'a knex transaction without a callback', trackable: true, code: `import knex from 'knex';\nconst db = knex({});\nexport async function f() { const trx = await db.transaction(); await trx.commit(); }` },
  { name: 'pg Client created from an import under another name', trackable: true, code: `const { Client: C } = require('pg');\nexport async function f() { const c = new C(); await c.connect(); }` },
  // Minified: the call starts where the statement before it ends, so the way down to it leaves that
  // statement exactly at its end.
  { name: 'an acquisition right after the end of a statement that holds a candidate', trackable: true, code: "const{createConnection:open}=require('mysql2');x.connect();open({});" },
  { name: 'a connect of something that is no pool', trackable: false, code: 'export class Client {\n  connect(cb) { this.connection.connect(this.port, this.host); return this._connect(cb); }\n  _connect(cb) { return cb(); }\n}' },
  { name: 'candidate words only in comments inside calls', trackable: false, code: 'declare function g(...a: unknown[]): void;\nexport function f() { g(/* pool.getConnection() */ 1, /* BEGIN */ 2); }\n// pool.getConnection()\n' },
  { name: 'candidate words only in the types of a call', trackable: false, code: 'declare function g<T>(x: unknown): T;\nexport function f(x: unknown) { return g<{ getConnection(): Promise<unknown>; connect(): void }>(x); }' },
  { name: 'transaction words as arguments', trackable: false, code: 'declare function g(...a: unknown[]): void;\nconst transaction = 1;\nexport function beginTransaction(): void { g(transaction, beginTransaction); }' },
];

describe('mayTrackAny: the calls on the way down to the candidates', () => {
  it.each(CASES)('answers as the traversal does: $name', ({ code, trackable }) => {
    const seen = probe(code);
    expect(seen.holding, 'a call holds a candidate').toBeGreaterThan(0);
    expect(seen.reference).toBe(trackable);
    expect(seen.early).toBe(seen.reference);
  });

  it('answers as the traversal does over the corpus, 300 generated programs and the benchmark packages', () => {
    const inputs = analysisInputs(ROOT, 20261205, 300);
    const count = { yes: 0, no: 0 };
    for (const { code, filename } of inputs) {
      const seen = probe(code, filename);
      expect(seen.early, filename).toBe(seen.reference);
      if (seen.holding > 0) count[seen.reference ? 'yes' : 'no']++;
    }
    // Both answers are common among the files where some call holds a candidate.
    expect(count.yes).toBeGreaterThan(100);
    expect(count.no).toBeGreaterThan(50);
  }, 180_000);

  it('lets the walk run when the node parents are not set yet', () => {
    // A host that creates the rules before ESLint's traversal has set the parents: the
    // classifications cannot run, so the answer is yes whatever the file holds.
    const code = 'export class Client {\n  connect() { this.connection.connect(1); }\n}';
    const { ast, scopeManager, visitorKeys } = tsParser.parseForESLint(code, { range: true, loc: true, filePath: 'file.ts' });
    expect(ast.body[0]?.parent).toBeUndefined();
    const ctx = {
      sourceCode: { ast, text: code, visitorKeys, scopeManager },
      settings: getSettings({ settings: {} } as unknown as Parameters<typeof getSettings>[0]),
      facts: new Map(),
      text: undefined,
      lastCandidate: { node: undefined, result: false },
    } as unknown as DriverContext;
    expect(walkGate(ctx).positions?.length).toBeGreaterThan(0);
    expect(mayTrackAny(ctx)).toBe(true);
    // The same text, parents set: nothing to track.
    expect(probe(code)).toEqual({ early: false, reference: false, holding: 1 });
  });

  it('does not walk a file that holds candidates but nothing to track, and walks one that does', () => {
    const skip = CASES.find((c) => c.name === 'a connect of something that is no pool')?.code ?? '';
    let before = { ...gateStats };
    lintAllRules(skip);
    expect(gateStats.skipped - before.skipped).toBe(1);
    expect(gateStats.paths - before.paths).toBe(0);
    const walk = `${POOL}export async function f() { const c = await pool.getConnection(); await c.query('SELECT 1'); c.release(); }`;
    before = { ...gateStats };
    const reports = lintAllRules(walk);
    expect(gateStats.skipped - before.skipped).toBe(0);
    expect(gateStats.paths - before.paths).toBe(2);
    expect(reports.some((entry) => entry.includes('no-leaked-connection'))).toBe(true);
  });
});
