// Robustness: thousands of generated programs (random nesting of try/catch/finally, callbacks,
// promise chains, loops, labels, break/continue, switch, generators, async/await, optional chains,
// destructuring, classes) and of mutations of real snippets (the rule tests' code and outputs, the
// fix fixtures, the examples) go through every rule of the plugin under several option variants:
// no rule throws, every fix and suggestion gives code that parses, and repeated fixing converges
// within ESLint's 10 passes to code that parses. Deterministic: seeded (FUZZ_SEED), sized by
// FUZZ_PROGRAMS / FUZZ_MUTANTS. A failure is shrunk to a minimal program and printed with its seed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import plugin from '../src/index.js';
import { checkProgram, emptyStats, failsAlike, parseError, VARIANTS, type Failure, type Stats, type Variant } from './fuzz/check.js';
import { ProgramGenerator } from './fuzz/generate.js';
import { corpus, mutate, shrink } from './fuzz/mutate.js';
import { Random } from './fuzz/random.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261123);
const PROGRAMS = Number(process.env['FUZZ_PROGRAMS'] ?? 800);
const MUTANTS = Number(process.env['FUZZ_MUTANTS'] ?? 1200);
/** Stop after this many distinct failures (kind and rule): each is shrunk, which costs hundreds of lint runs. */
const MAX_FAILURES = 3;

/** Keeps the first program of each kind of failure. */
function record(found: Found[], entry: Found): void {
  if (!found.some((f) => f.failure.kind === entry.failure.kind && f.failure.rule === entry.failure.rule)) found.push(entry);
}
const ns = plugin.meta.namespace;

interface Found {
  seed: number;
  code: string;
  failure: Failure;
  variants: readonly Variant[];
}

/** Program i is checked under one variant, in turn: every variant sees a third of the programs. */
function variantFor(i: number): readonly Variant[] {
  return [VARIANTS[i % VARIANTS.length]!];
}

function describeFailures(found: Found[]): string {
  return found
    .map(({ seed, code, failure, variants }) => {
      const minimal = shrink(code, (candidate) => failsAlike(candidate, failure, variants));
      const again = checkProgram(minimal, undefined, variants) ?? failure;
      return [
        `${failure.kind} in ${failure.rule} (${failure.variant}), seed ${String(seed)}:`,
        again.detail,
        '--- minimal program ---',
        minimal,
      ].join('\n');
    })
    .join('\n\n');
}

function summary(stats: Stats): string {
  const rules = Object.keys(plugin.rules).map((name) => `${ns}/${name}`);
  const row = (id: string): string => `${id}: ${String(stats.reports.get(id) ?? 0)} reports, ${String(stats.fixes.get(id) ?? 0)} fixes, ${String(stats.suggestions.get(id) ?? 0)} with suggestions`;
  return [`${String(stats.programs)} programs (${String(stats.strict)} also checked with espree), ${String(stats.fixedPrograms)} fixed by verifyAndFix`, ...rules.map(row)].join('\n');
}

describe('the fuzz harness', () => {
  // A rule with a fix that breaks the code and a rule whose fixes never stop: the checks must see
  // both, and the shrinker must cut the program down to the statements that matter.
  const broken: Variant = {
    name: 'broken on purpose',
    config: [
      {
        files: ['**/*.{js,ts}'],
        plugins: {
          broken: {
            rules: {
              'bad-fix': {
                meta: { type: 'problem', fixable: 'code', schema: [], messages: { m: 'release' } },
                create: (context) => ({
                  "CallExpression[callee.property.name='release']"(node: import('estree').CallExpression) {
                    context.report({ node, messageId: 'm', fix: (fixer) => fixer.insertTextAfter(node, ' {') });
                  },
                }),
              },
              'endless-fix': {
                meta: { type: 'problem', fixable: 'code', schema: [], messages: { m: 'again' } },
                create: (context) => ({
                  "CallExpression[callee.property.name='destroy']"(node: import('estree').CallExpression) {
                    context.report({ node, messageId: 'm', fix: (fixer) => fixer.insertTextBefore(node, 'void ') });
                  },
                }),
              },
            },
          },
        },
        rules: { 'broken/bad-fix': 'error', 'broken/endless-fix': 'error' },
      },
    ],
  };
  const program = `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function f(id) {
  const a = 1;
  const conn = await pool.getConnection();
  if (id) {
    await conn.query('SELECT 1');
  }
  conn.release();
  return a;
}
`;

  it('reports a fix that does not parse, and shrinks the program to the statement that triggers it', () => {
    const failure = checkProgram(program, undefined, [broken]);
    expect(failure).toMatchObject({ kind: 'fix-does-not-parse', rule: 'broken/bad-fix' });
    const minimal = shrink(program, (candidate) => failsAlike(candidate, failure!, [broken]));
    expect(minimal).toBe('conn.release();\n');
  });

  it('reports fixes that never converge', () => {
    const failure = checkProgram("export function g(c) {\n  c.destroy();\n}\n", undefined, [broken]);
    expect(failure).toMatchObject({ kind: 'no-convergence', rule: 'broken/endless-fix' });
  });
});

describe(`fuzz: every rule, ${String(VARIANTS.length)} option variants in turn`, () => {
  it(`${String(PROGRAMS)} generated programs`, { timeout: Math.max(120_000, PROGRAMS * 250) }, () => {
    const stats = emptyStats();
    const found: Found[] = [];
    for (let i = 0; i < PROGRAMS && found.length < MAX_FAILURES; i += 1) {
      const seed = SEED + i;
      const code = new ProgramGenerator(seed).program();
      // The generator's own contract: valid JavaScript/TypeScript.
      expect(parseError(code), `generator seed ${String(seed)} wrote code that does not parse:\n${code}`).toBeNull();
      const variants = variantFor(i);
      const failure = checkProgram(code, stats, variants);
      if (failure) record(found, { seed, code, failure, variants });
    }
    console.log(`fuzz (generated, seed ${String(SEED)}): ${summary(stats)}`);
    if (found.length > 0) throw new Error(describeFailures(found));
    // The programs exercise the rules: every rule reports, and fixes and suggestions are checked.
    for (const name of Object.keys(plugin.rules)) expect(stats.reports.get(`${ns}/${name}`) ?? 0, name).toBeGreaterThan(0);
    expect(stats.fixedPrograms).toBeGreaterThan(PROGRAMS / 10);
  });

  it(`${String(MUTANTS)} mutations of the rule tests' snippets, the fix fixtures and the examples`, { timeout: Math.max(120_000, MUTANTS * 100) }, () => {
    const seeds = corpus(ROOT);
    expect(seeds.length).toBeGreaterThan(100);
    const random = new Random(SEED);
    const stats = emptyStats();
    const found: Found[] = [];
    let dropped = 0;
    for (let i = 0; i < MUTANTS && found.length < MAX_FAILURES; i += 1) {
      let code = random.pick(seeds);
      const rounds = 1 + random.int(3);
      for (let k = 0; k < rounds; k += 1) code = mutate(code, random);
      if (parseError(code) !== null) {
        dropped += 1;
        continue;
      }
      const variants = variantFor(i);
      const failure = checkProgram(code, stats, variants);
      if (failure) record(found, { seed: SEED + i, code, failure, variants });
    }
    console.log(`fuzz (mutated, seed ${String(SEED)}, ${String(dropped)} mutants dropped as unparsable): ${summary(stats)}`);
    if (found.length > 0) throw new Error(describeFailures(found));
    expect(stats.programs).toBeGreaterThan(MUTANTS / 2);
  });
});
