// The shared call listener's routes (src/analysis/calls.ts): a handler that names the calls it looks
// at (`calls`) is passed only those. Here: which calls a filter lets through, in which order handlers
// run, that an error still names its rule; and that routing changes no report of the real rules, with
// routing on and off, over the corpus, generated programs and code that acquires with a method named
// in the settings. (test/walk-gate.test.ts compares the installed sources of the benchmark packages
// with the gate and routing both off.)
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tsParser from '@typescript-eslint/parser';
import type { TSESTree } from '@typescript-eslint/utils';
import { Linter } from 'eslint';
import { afterEach, describe, expect, it } from 'vitest';

import { callListeners, setCallRouting, type CallFilter } from '../src/analysis/calls.js';
import plugin from '../src/index.js';
import { ProgramGenerator } from './fuzz/generate.js';
import { corpus } from './fuzz/mutate.js';
import { lintAllRules as lint } from './helpers/all-rules.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const languageOptions = { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' } as const;

afterEach(() => setCallRouting(true));

describe('call routes', () => {
  const seen: string[] = [];
  const rule = (name: string, filter?: CallFilter, throws = false) => ({
    meta: { type: 'problem' as const, schema: [] },
    create: (context: Parameters<typeof callListeners>[0]) =>
      callListeners(context, {
        ...(filter && { calls: filter }),
        CallExpression: (node: TSESTree.CallExpression) => {
          seen.push(`${name}:${context.sourceCode.getText(node)}`);
          if (throws) throw new Error('handler failed');
        },
      }),
  });
  const plugins = {
    t: {
      rules: {
        named: rule('named', { methods: new Set(['open']), plain: false }),
        plain: rule('plain', { methods: new Set(['close']), plain: true }),
        all: rule('all'),
        failing: rule('failing', { methods: new Set(['open']), plain: false }, true),
      },
    },
  };
  const linter = new Linter({ configType: 'flat' });
  const lint = (code: string, rules: string[]): string[] => {
    seen.length = 0;
    const messages = linter.verify(code, [{ files: ['**/*.ts'], plugins: plugins as never, languageOptions, rules: Object.fromEntries(rules.map((id) => [`t/${id}`, 'error'])) }], { filename: 'f.ts' });
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    return [...seen];
  };

  it('passes a method call to the handlers whose filter names it, however the name is written', () => {
    const code = ['a.open()', "a['open']()", 'a[open]()', '(a.open as F)()', 'a.open!()', 'a?.open()', 'a.b.open(x.other())'].join(';\n');
    const calls = lint(code, ['named']);
    expect(calls).toEqual(['named:a.open()', "named:a['open']()", 'named:a[open]()', 'named:(a.open as F)()', 'named:a.open!()', 'named:a?.open()', 'named:a.b.open(x.other())']);
    expect(lint('class K { #open() {} m() { this.#open(); } }', ['named'])).toEqual(['named:this.#open()']);
  });

  it('passes no other call to a filtered handler, and plain calls only where the filter asks for them', () => {
    const code = 'a.close(); a.other(); a[b + c](); f(); f()(); (g as F)(); new X();';
    expect(lint(code, ['named'])).toEqual([]);
    expect(lint(code, ['plain'])).toEqual(['plain:a.close()', 'plain:f()', 'plain:f()()', 'plain:f()', 'plain:(g as F)()']);
    expect(lint(code, ['all'])).toEqual(['all:a.close()', 'all:a.other()', 'all:a[b + c]()', 'all:f()', 'all:f()()', 'all:f()', 'all:(g as F)()']);
  });

  it('keeps the order the rules were created in, on every route', () => {
    const code = 'a.open(); a.close(); f();';
    expect(lint(code, ['all', 'named', 'plain'])).toEqual(['all:a.open()', 'named:a.open()', 'all:a.close()', 'plain:a.close()', 'all:f()', 'plain:f()']);
    expect(lint(code, ['plain', 'named', 'all'])).toEqual(['named:a.open()', 'all:a.open()', 'plain:a.close()', 'all:a.close()', 'plain:f()', 'all:f()']);
  });

  it('gives the rules past the 31 handlers of the shared listener listeners of their own, in the same order', () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`r${String(i)}`, rule(`r${String(i)}`)]));
    seen.length = 0;
    const config = [{ files: ['**/*.ts'], plugins: { m: { rules: many } } as never, languageOptions, rules: Object.fromEntries(Object.keys(many).map((id) => [`m/${id}`, 'error' as const])) }];
    // Twice: the second lint finds the routes of the first 31 made already.
    for (let pass = 0; pass < 2; pass++) {
      seen.length = 0;
      expect(linter.verify('f(); a.b();', config, { filename: 'f.ts' }).filter((m) => m.fatal)).toEqual([]);
      expect(seen).toEqual(['f()', 'a.b()'].flatMap((call) => Object.keys(many).map((id) => `${id}:${call}`)));
    }
  });

  it('passes every call to every handler with routing off', () => {
    setCallRouting(false);
    expect(lint('a.open(); a.close(); f();', ['named', 'plain'])).toHaveLength(6);
  });

  it('names the rule an error came from', () => {
    expect(() => lint('a.open();', ['all', 'failing'])).toThrow(/\[t\/failing, in the shared call listener\] handler failed/);
    expect(() => lint('a.open();', ['failing', 'all'])).toThrow(/^handler failed/);
  });
});

describe('routing the real rules', () => {
  const ns = plugin.meta.namespace;
  const bothWays = (code: string, filename?: string, settings?: Record<string, unknown>): { on: string[]; off: string[] } => {
    setCallRouting(false);
    const off = lint(code, filename, settings);
    setCallRouting(true);
    return { on: lint(code, filename, settings), off };
  };

  it('changes no report over the corpus and 300 generated programs', () => {
    const generator = new ProgramGenerator(20261203);
    const inputs = [...corpus(ROOT), ...Array.from({ length: 300 }, () => generator.program())];
    const byRule = new Map<string, number>();
    for (const code of inputs) {
      const { on, off } = bothWays(code);
      expect(on).toEqual(off);
      for (const entry of off) {
        const id = (JSON.parse(entry) as string[])[0] as string;
        byRule.set(id, (byRule.get(id) ?? 0) + 1);
      }
    }
    // Every rule that looks at calls through the listener reports somewhere in these inputs.
    for (const name of ['handle-stale-connection', 'require-error-listener', 'no-transaction-on-pool', 'prefer-pool-query', 'no-leaked-connection']) {
      expect(byRule.get(`${ns}/${name}`) ?? 0, name).toBeGreaterThan(0);
    }
  }, 120_000);

  it('changes no report for a connection acquired by a method named in the settings', () => {
    const code = `import mysql from 'mysql2';
const pool = mysql.createPool({});
export const conn = pool.lease();
export function run() {
  conn.on('end', () => {});
  return conn.query('SELECT 1');
}
export async function once() {
  const c = await pool.lease();
  await c.query('SELECT 1');
  c.release();
}`;
    const settings = { [ns]: { acquire: ['lease'] } };
    const { on, off } = bothWays(code, 'file.ts', settings);
    expect(off.length).toBeGreaterThan(0);
    expect(on).toEqual(off);
  });
});
