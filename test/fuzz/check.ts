// What the fuzz test checks on one program, under each config variant: no rule throws; every fix and
// every suggestion, applied alone, gives code that parses; applying fixes repeatedly (ESLint's own
// verifyAndFix, at most 10 passes) converges, and its output parses. "Parses" means with the parser
// the config uses (@typescript-eslint/parser) and, when the input itself parses with espree (plain
// JavaScript, no redeclared names), with espree as well, which also rejects duplicate declarations.
import * as tsParser from '@typescript-eslint/parser';
import type { TSESTree } from '@typescript-eslint/utils';
import { Linter } from 'eslint';

import plugin from '../../src/index.js';

export type FailureKind = 'throw' | 'fix-does-not-parse' | 'suggestion-does-not-parse' | 'no-convergence' | 'fixed-output-does-not-parse';

export interface Failure {
  kind: FailureKind;
  variant: string;
  rule: string;
  detail: string;
}

const ns = plugin.meta.namespace;
const FILES = ['**/*.{js,ts}'];

export interface Variant {
  name: string;
  config: Linter.Config[];
}

/** Every rule on, with its defaults and with the options that change what it fixes. */
export const VARIANTS: Variant[] = [
  { name: 'all (defaults)', config: [plugin.configs.all as Linter.Config] },
  {
    name: "all, fix: 'suggestion' / 'autofix', requireFinally, settings",
    config: [
      plugin.configs.all as Linter.Config,
      {
        rules: {
          [`${ns}/no-leaked-connection`]: ['error', { fix: 'suggestion', requireFinally: true }],
          [`${ns}/handle-stale-connection`]: ['error', { fix: 'autofix' }],
        },
        settings: { [ns]: { poolModules: ['./db.js'], acquire: ['connect'], release: ['end'], releaseFunctions: ['release'], query: ['execute'] } },
      },
    ],
  },
  {
    name: "all, fix: 'none'",
    config: [
      plugin.configs.all as Linter.Config,
      { rules: { [`${ns}/no-leaked-connection`]: ['error', { fix: 'none' }], [`${ns}/handle-stale-connection`]: ['error', { fix: 'none' }] } },
    ],
  },
];

const TS_ONLY: Linter.Config[] = [{ files: FILES, languageOptions: { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' } }];
const ESPREE_ONLY: Linter.Config[] = [{ files: FILES, languageOptions: { ecmaVersion: 'latest', sourceType: 'module' } }];

const linter = new Linter({ configType: 'flat' });

/** The parse error of `code` with the config's parser (or with espree), or null. */
export function parseError(code: string, parser: 'ts' | 'espree' = 'ts'): string | null {
  const fatal = linter.verify(code, parser === 'ts' ? TS_ONLY : ESPREE_ONLY, { filename: 'parse.ts' }).find((m) => m.fatal);
  return fatal ? `${String(fatal.line)}:${String(fatal.column)} ${fatal.message}` : null;
}

/** The program's AST (TS parser), for mutation and shrinking. */
export function parseProgram(code: string): TSESTree.Program {
  return tsParser.parse(code, { ecmaVersion: 'latest', sourceType: 'module', range: true, loc: true });
}

function applyFix(code: string, fix: { range: [number, number]; text: string }): string {
  return code.slice(0, fix.range[0]) + fix.text + code.slice(fix.range[1]);
}

/** What the checked programs exercised: reports, fixes and suggestions by rule, strict (espree) programs. */
export interface Stats {
  programs: number;
  strict: number;
  reports: Map<string, number>;
  fixes: Map<string, number>;
  suggestions: Map<string, number>;
  fixedPrograms: number;
}

export function emptyStats(): Stats {
  return { programs: 0, strict: 0, reports: new Map(), fixes: new Map(), suggestions: new Map(), fixedPrograms: 0 };
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** The first failure of `code` under any of `variants`, or null. */
export function checkProgram(code: string, stats?: Stats, variants: readonly Variant[] = VARIANTS): Failure | null {
  // Plain JavaScript is linted as a .js file (a rule may write TypeScript into a .ts file only).
  const strict = parseError(code, 'espree') === null;
  const FILENAME = strict ? 'fuzz.js' : 'fuzz.ts';
  if (stats) {
    stats.programs += 1;
    if (strict) stats.strict += 1;
  }
  // Parsed once, linted under every variant.
  const firstParse = linter.verify(code, TS_ONLY, { filename: FILENAME }).find((m) => m.fatal);
  if (firstParse) return { kind: 'throw', variant: '(parse)', rule: '(parser)', detail: firstParse.message };
  const sourceCode = linter.getSourceCode();
  // The same fix or suggestion comes back under every variant: parse each distinct text once.
  const parsed = new Map<string, string | null>();
  const parses = (text: string): string | null => {
    if (!parsed.has(text)) parsed.set(text, parseError(text) ?? (strict ? parseError(text, 'espree') : null));
    return parsed.get(text) ?? null;
  };
  for (const { name, config } of variants) {
    let messages: Linter.LintMessage[];
    try {
      messages = linter.verify(sourceCode, config, { filename: FILENAME });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const rule = /Rule: "([^"]+)"/.exec(message)?.[1] ?? /(db-guard\/[\w-]+)/.exec(message)?.[1] ?? '?';
      return { kind: 'throw', variant: name, rule, detail: message.split('\n').slice(0, 6).join('\n') };
    }
    const fatal = messages.find((m) => m.fatal);
    if (fatal) return { kind: 'throw', variant: name, rule: '(parser)', detail: fatal.message };
    for (const m of messages) {
      if (stats) {
        bump(stats.reports, m.ruleId ?? '?');
        if (m.fix) bump(stats.fixes, m.ruleId ?? '?');
        if (m.suggestions?.length) bump(stats.suggestions, m.ruleId ?? '?');
      }
      if (m.fix) {
        const error = parses(applyFix(code, m.fix));
        if (error !== null) return { kind: 'fix-does-not-parse', variant: name, rule: m.ruleId ?? '?', detail: `line ${String(m.line)}: ${error}` };
      }
      for (const suggestion of m.suggestions ?? []) {
        const error = parses(applyFix(code, suggestion.fix));
        if (error !== null) {
          return { kind: 'suggestion-does-not-parse', variant: name, rule: m.ruleId ?? '?', detail: `line ${String(m.line)} "${suggestion.desc}": ${error}` };
        }
      }
    }
    if (!messages.some((m) => m.fix)) continue;
    let fixed: Linter.FixReport;
    try {
      fixed = linter.verifyAndFix(code, config, { filename: FILENAME });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { kind: 'throw', variant: `${name} (while fixing)`, rule: /(db-guard\/[\w-]+)/.exec(message)?.[1] ?? '?', detail: message.split('\n').slice(0, 6).join('\n') };
    }
    if (stats && fixed.fixed) stats.fixedPrograms += 1;
    const error = parses(fixed.output);
    if (error !== null) return { kind: 'fixed-output-does-not-parse', variant: name, rule: '(all fixes)', detail: error };
    // verifyAndFix stops after 10 passes and then lints the output once more: a message that still
    // has a fix means the fixes did not converge.
    const left = fixed.messages.filter((m) => m.fix);
    if (left.length > 0) {
      return { kind: 'no-convergence', variant: name, rule: left[0]!.ruleId ?? '?', detail: `still fixable after 10 passes: line ${String(left[0]!.line)} ${left[0]!.message}` };
    }
  }
  return null;
}

/** Whether `candidate` fails the same way as `failure` (same kind and rule). */
export function failsAlike(candidate: string, failure: Failure, variants: readonly Variant[] = VARIANTS): boolean {
  if (parseError(candidate) !== null) return false;
  const again = checkProgram(candidate, undefined, variants);
  return again !== null && again.kind === failure.kind && again.rule === failure.rule;
}
