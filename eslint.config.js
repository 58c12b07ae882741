// Self-lint: typescript-eslint's strict type-checked rules on our TypeScript, eslint-plugin-eslint-plugin
// on the rules and their tests, ESLint's recommended rules on the plain-JS scripts.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import eslintPlugin from 'eslint-plugin-eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    name: 'db-guard/ignores',
    ignores: ['dist/', 'coverage/', 'examples/', 'test/fixtures/', 'tmp/', '**/node_modules/'],
  },
  {
    name: 'db-guard/typescript',
    files: ['**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Template literals with numbers are clear enough; booleans and objects stay flagged.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `(x) => void-call()` callbacks (listeners, resolve/reject wiring) read fine.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    name: 'db-guard/tests',
    files: ['test/**/*.ts'],
    rules: {
      // Tests index into fixtures they just built; `!` is the honest way to say so.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    name: 'db-guard/eslint-plugin',
    files: ['rules/**/*.ts', 'test/rules/**/*.ts'],
    extends: [eslintPlugin.configs.recommended],
    rules: {
      'eslint-plugin/require-meta-docs-description': ['error', { pattern: '^(Enforce|Require|Disallow) .+[^. ]$' }],
      'eslint-plugin/require-meta-schema-description': 'error',
      'eslint-plugin/require-test-error-positions': 'error',
    },
  },
  {
    name: 'db-guard/scripts',
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
);
