/**
 * The autofix on real code: fixture services written against the real mysql2 and pg type
 * definitions are fixed with ESLint, and the output must parse, type-check (strict), keep every
 * comment, and be reported no more.
 */
import fs from 'node:fs';
import path from 'node:path';

import * as tsParser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import plugin from '../../src/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'test/fixtures/no-leaked-connection');
const files = fs.readdirSync(fixtures).filter((f) => f.endsWith('.ts'));

const config: Linter.Config[] = [
  {
    files: ['**/*.ts'],
    plugins: { 'db-guard': plugin as unknown as NonNullable<Linter.Config['plugins']>[string] },
    languageOptions: { parser: tsParser, sourceType: 'module' },
    rules: { 'db-guard/no-leaked-connection': 'error' },
  },
];

/** Type-checks files with the project's strict settings; module resolution finds the repo's node_modules. */
function typeErrors(dir: string): string[] {
  const program = ts.createProgram(
    files.map((f) => path.join(dir, f)),
    {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts'],
      types: ['node'],
      skipLibCheck: true,
      noUnusedLocals: true,
    },
  );
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

function comments(code: string): string[] {
  return [...code.matchAll(/\/\/.*$|\/\*[\s\S]*?\*\//gm)].map((m) => m[0]).sort();
}

describe('no-leaked-connection autofix on typed fixtures', () => {
  // Inside node_modules/.cache so that the type checker resolves mysql2 and pg like the fixtures do.
  const work = path.join(root, 'node_modules', '.cache', `db-guard-fix-${String(process.pid)}`);
  const linter = new Linter({ configType: 'flat' });

  beforeAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
    fs.writeFileSync(path.join(work, 'package.json'), '{"type":"module"}\n');
  });
  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('the fixtures type-check and are reported before the fix', () => {
    expect(typeErrors(fixtures)).toEqual([]);
    for (const file of files) {
      const code = fs.readFileSync(path.join(fixtures, file), 'utf8');
      const messages = linter.verify(code, config, file);
      expect(messages.length, file).toBeGreaterThan(0);
      expect(messages.every((m) => m.ruleId === 'db-guard/no-leaked-connection'), file).toBe(true);
    }
  });

  it('the fixed files type-check, keep their comments, and are reported no more', () => {
    for (const file of files) {
      const code = fs.readFileSync(path.join(fixtures, file), 'utf8');
      const result = linter.verifyAndFix(code, config, file);
      expect(result.fixed, file).toBe(true);
      expect(result.messages, `${file}\n${result.output}`).toEqual([]);
      expect(comments(result.output), file).toEqual(comments(code));
      fs.writeFileSync(path.join(work, file), result.output);
    }
    expect(typeErrors(work)).toEqual([]);
  });

  it('fixing is idempotent: a second pass changes nothing', () => {
    for (const file of files) {
      const once = linter.verifyAndFix(fs.readFileSync(path.join(fixtures, file), 'utf8'), config, file).output;
      const twice = linter.verifyAndFix(once, config, file);
      expect(twice.fixed, file).toBe(false);
    }
  });
});
