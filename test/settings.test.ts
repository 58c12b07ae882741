import * as tsParser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

import plugin from '../src/index.js';

function lint(settings: unknown): Linter.LintMessage[] {
  const linter = new Linter({ configType: 'flat' });
  return linter.verify(
    `import { db } from './db';\nexport async function f() { const c = await db.checkout(); await c.q(); c.giveBack(); }`,
    [
      {
        files: ['**/*.ts'],
        plugins: { 'db-guard': plugin as unknown as NonNullable<Linter.Config['plugins']>[string] },
        languageOptions: { parser: tsParser },
        settings: { 'db-guard': settings },
        rules: { 'db-guard/no-leaked-connection': 'error' },
      },
    ],
    'file.ts',
  );
}

describe("settings['db-guard']", () => {
  it('extends the acquire and release vocabulary', () => {
    expect(lint(undefined)).toEqual([]);
    const messages = lint({ acquire: ['checkout'], release: ['giveBack'] });
    expect(messages.map((m) => m.messageId)).toEqual(['exceptionPath']);
  });

  it.each([
    [{ acquires: ['x'] }, 'Invalid settings[\'db-guard\']: unknown key "acquires" (allowed: acquire, release, releaseFunctions, poolModules, query, typed).'],
    [{ acquire: 'checkout' }, 'Invalid settings[\'db-guard\']: "acquire" must be an array of non-empty strings.'],
    [{ release: [''] }, 'Invalid settings[\'db-guard\']: "release" must be an array of non-empty strings.'],
    [['checkout'], "Invalid settings['db-guard']: expected an object."],
    [{ typed: 'yes' }, 'Invalid settings[\'db-guard\']: "typed" must be a boolean.'],
    [{ typed: true }, "settings['db-guard'].typed needs type information"],
  ])('rejects %j with a clear message', (settings, message) => {
    expect(() => lint(settings)).toThrow(message);
  });
});
