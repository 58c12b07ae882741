// The code-path rules (no-leaked-connection, no-leaked-transaction, no-use-after-release) share one
// walk per lint run (src/analysis/flow.ts): the first of them that ESLint creates tracks the
// resources of all of them. Sharing must change nothing: every rule reports the same problems, with
// the same fixes and suggestions, whether it runs alone, with the others, in another order, or again
// on a SourceCode that was linted before (the session belongs to one run, not to the file). The key
// of a session is the per-run object ESLint builds every rule context on, so all of it runs on ESLint
// 10 and on ESLint 9 (the `eslint-v9` alias), and the two must report the same.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { Linter, type SourceCode } from 'eslint';
import { Linter as Linter9 } from 'eslint-v9';
import * as tsParser from '@typescript-eslint/parser';
import { describe, expect, it } from 'vitest';

import { callListeners } from '../src/analysis/calls.js';
import { createFlowListeners } from '../src/analysis/flow.js';
import plugin from '../src/index.js';
import { ProgramGenerator } from './fuzz/generate.js';
import { corpus } from './fuzz/mutate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ns = plugin.meta.namespace;
const RULES = Object.keys(plugin.rules).map((name) => `${ns}/${name}`);
const FILES = ['**/*.{js,ts}'];
const languageOptions = { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' } as const;
type AnyLinter = Pick<Linter, 'verify' | 'getSourceCode'>;
const LINTERS: { name: string; linter: AnyLinter }[] = [
  { name: `ESLint ${Linter.version}`, linter: new Linter({ configType: 'flat' }) },
  { name: `ESLint ${Linter9.version}`, linter: new Linter9({ configType: 'flat' }) as unknown as AnyLinter },
];

function config(ruleIds: readonly string[]): Linter.Config[] {
  return [{ files: FILES, plugins: { [ns]: plugin as never }, languageOptions, rules: Object.fromEntries(ruleIds.map((id) => [id, 'error'])) }];
}

/** Everything a problem carries that a user sees or applies. */
function key(m: Linter.LintMessage): string {
  return JSON.stringify([m.ruleId, m.line, m.column, m.endLine, m.endColumn, m.messageId, m.message, m.fix ?? null, m.suggestions ?? null]);
}

function lintWith(linter: AnyLinter, code: string | SourceCode, ruleIds: readonly string[]): string[] {
  const messages = linter.verify(code, config(ruleIds), { filename: 'file.ts' });
  const fatal = messages.find((m) => m.fatal);
  if (fatal) throw new Error(`does not parse: ${fatal.message}`);
  return messages.map(key).sort();
}

/** Functions where the three rules' resources live side by side: the case sharing could get wrong. */
const MIXED = [
  `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function transfer(a: number, b: number, flag: boolean) {
  const conn = await pool.getConnection();
  await conn.beginTransaction();
  await conn.query('UPDATE acct SET n = n - 1 WHERE id = ?', [a]);
  if (flag) {
    conn.release();
    await conn.query('SELECT 1');
    return;
  }
  await conn.commit();
  conn.release();
  conn.release();
}`,
  `import pg from 'pg';
const pool = new pg.Pool();
export async function move(id: number) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('UPDATE t SET n = 1 WHERE id = $1', [id]);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  await client.query('SELECT 1');
  const other = await pool.connect();
  for (const x of [1, 2]) {
    if (x > 1) continue;
    await other.query('SELECT $1', [x]);
  }
  other.release();
  other.query('SELECT 2');
}`,
  `import mysql from 'mysql';
const pool = mysql.createPool({});
export function legacy(cb: (e: unknown) => void) {
  pool.getConnection((err, conn) => {
    if (err) return cb(err);
    conn.beginTransaction((e) => {
      if (e) return cb(e);
      conn.query('UPDATE t SET n = 1', (qe) => {
        conn.release();
        if (qe) return cb(qe);
        conn.query('SELECT 1', () => cb(null));
      });
    });
  });
}`,
];

function programs(): string[] {
  const generator = new ProgramGenerator(20261201);
  return [...MIXED, ...corpus(ROOT), ...Array.from({ length: 300 }, () => generator.program())];
}

const inputs = programs();

describe.each(LINTERS)('one shared code-path walk on $name', ({ linter }) => {
  const lint = (code: string | SourceCode, ruleIds: readonly string[]): string[] => lintWith(linter, code, ruleIds);

  it('reports what each rule reports alone, in either rule order, over the corpus and 300 generated programs', { timeout: 180_000 }, () => {
    let reports = 0;
    const byRule = new Map<string, number>();
    for (const code of inputs) {
      const alone = RULES.flatMap((id) => lint(code, [id])).sort();
      expect(lint(code, RULES)).toEqual(alone);
      expect(lint(code, [...RULES].reverse())).toEqual(alone);
      reports += alone.length;
      for (const entry of alone) {
        const rule = (JSON.parse(entry) as [string])[0];
        byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
      }
    }
    // The comparison means something only if the shared rules report plenty on these inputs.
    expect(reports).toBeGreaterThan(500);
    for (const rule of ['no-leaked-connection', 'no-leaked-transaction', 'no-use-after-release']) {
      expect(byRule.get(`${ns}/${rule}`) ?? 0, rule).toBeGreaterThan(10);
    }
  });

  it('starts a new session for each run on a SourceCode linted before', () => {
    for (const code of inputs.slice(0, 60)) {
      const first = lint(code, RULES);
      const sourceCode = linter.getSourceCode();
      expect(lint(sourceCode, RULES)).toEqual(first);
      // Only some of the rules on the second run: a stale session would leave them without a driver.
      const subset = RULES.filter((id) => !id.endsWith('no-leaked-connection'));
      expect(lint(sourceCode, subset)).toEqual(first.filter((m) => !m.includes('no-leaked-connection"')));
      expect(lint(sourceCode, RULES)).toEqual(first);
    }
  });
});

describe('ESLint 9 and ESLint 10', () => {
  // The same problems, fixes and suggestions; only a message's wording may differ, where the two
  // versions' code path analysis splits a `finally` into segments differently and so the jump a
  // message names on a path (a `throw`, or the `return` after it) is another.
  const withoutMessage = (entry: string): string => {
    const [ruleId, line, column, endLine, endColumn, messageId, , fix, suggestions] = JSON.parse(entry) as unknown[];
    return JSON.stringify([ruleId, line, column, endLine, endColumn, messageId, fix, suggestions]);
  };

  it('report the same problems with every rule on', () => {
    const [ten, nine] = LINTERS as [(typeof LINTERS)[0], (typeof LINTERS)[0]];
    let sameWording = 0;
    let total = 0;
    for (const code of inputs) {
      const a = lintWith(ten.linter, code, RULES);
      const b = lintWith(nine.linter, code, RULES);
      expect(b.map(withoutMessage).sort()).toEqual(a.map(withoutMessage).sort());
      total += a.length;
      sameWording += a.filter((entry) => b.includes(entry)).length;
    }
    expect(total).toBeGreaterThan(500);
    // Different wording stays the exception.
    expect(sameWording / total).toBeGreaterThan(0.99);
  });
});

describe('an error in a rule that joined the walk', () => {
  // ESLint names the rule whose listener threw: the driver's. The error must say whose it was.
  const rule = (throws: boolean) => ({
    meta: { type: 'problem' as const, schema: [] },
    create: (context: Parameters<typeof createFlowListeners>[0]) =>
      createFlowListeners(context, {
        methods: new Set(['boom']),
        track: (node) => {
          if (throws && node.type === AST_NODE_TYPES.CallExpression) throw new Error('track failed');
          return undefined;
        },
        onResource: () => undefined,
      }),
  });
  const plugins = { t: { rules: { driver: rule(false), joiner: rule(true) } } };

  it('names the rule it came from', () => {
    const linter = new Linter({ configType: 'flat' });
    const run = (): unknown => linter.verify('x.boom();', [{ plugins: plugins as never, rules: { 't/driver': 'error', 't/joiner': 'error' } }], { filename: 'f.js' });
    expect(run).toThrow(/\[t\/joiner, in the shared code-path walk\] track failed/);
  });

  it('is left as it is when the rule drives the walk itself', () => {
    const linter = new Linter({ configType: 'flat' });
    const run = (): unknown => linter.verify('x.boom();', [{ plugins: plugins as never, rules: { 't/joiner': 'error', 't/driver': 'error' } }], { filename: 'f.js' });
    expect(run).toThrow(/^track failed/);
  });
});

describe('the shared call listener', () => {
  const seen: string[] = [];
  const rule = (name: string, throws: boolean) => ({
    meta: { type: 'problem' as const, schema: [] },
    create: (context: Parameters<typeof callListeners>[0]) =>
      callListeners(context, {
        CallExpression: () => {
          seen.push(name);
          if (throws) throw new Error('handler failed');
        },
      }),
  });
  const plugins = { t: { rules: { first: rule('first', false), second: rule('second', false), failing: rule('failing', true) } } };
  const linter = new Linter({ configType: 'flat' });
  const lintCode = (rules: Record<string, 'error'>): unknown => linter.verify('f(); g();', [{ plugins: plugins as never, rules }], { filename: 'f.js' });

  it('calls every rule once per call, in the order ESLint created them', () => {
    seen.length = 0;
    lintCode({ 't/first': 'error', 't/second': 'error' });
    expect(seen).toEqual(['first', 'second', 'first', 'second']);
    seen.length = 0;
    lintCode({ 't/second': 'error', 't/first': 'error' });
    expect(seen).toEqual(['second', 'first', 'second', 'first']);
  });

  it('names the rule an error came from', () => {
    expect(() => lintCode({ 't/first': 'error', 't/failing': 'error' })).toThrow(/\[t\/failing, in the shared call listener\] handler failed/);
  });
});
