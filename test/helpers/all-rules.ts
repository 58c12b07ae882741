// Every db-guard rule on, as `configs.all` turns them on, for the tests that compare the reports of two
// ways of running the same analysis (the walk gate on and off, the call routes on and off).
import * as tsParser from '@typescript-eslint/parser';
import { Linter } from 'eslint';

import plugin from '../../src/index.js';

const ns = plugin.meta.namespace;
const RULES = Object.keys(plugin.rules).map((name) => `${ns}/${name}`);
const languageOptions = { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' } as const;
const linter = new Linter({ configType: 'flat' });

/**
 * The reports of every rule on `code`, each as one comparable string (rule, position, message, fix and
 * suggestions), sorted. Throws when the code does not parse.
 */
export function lintAllRules(code: string, filename = 'file.ts', settings: Record<string, unknown> = {}): string[] {
  const messages = linter.verify(
    code,
    [{ files: ['**/*.{js,ts,cjs,mjs}'], plugins: { [ns]: plugin as never }, languageOptions, settings, rules: Object.fromEntries(RULES.map((id) => [id, 'error'])) }],
    { filename },
  );
  const fatal = messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${filename} does not parse: ${fatal.message}`);
  return messages.map((m) => JSON.stringify([m.ruleId, m.line, m.column, m.messageId, m.message, m.fix ?? null, m.suggestions ?? null])).sort();
}
