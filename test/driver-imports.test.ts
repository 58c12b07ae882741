// driverImports (src/analysis/drivers.ts): what a file imports from drivers, read from the import
// declarations and the references to `require` instead of a text scan. It must never answer less than
// `importOf` can trace: every binding traced to a driver is among its names, and a file with any
// import, require or `import()` of a driver (or of `settings.poolModules`) has `any` set. Checked
// against a reference that walks the whole AST and asks `importOf` of every variable, over the cases
// below, the corpus, generated programs and the installed sources of the benchmark packages.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tsParser from '@typescript-eslint/parser';
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { Linter } from 'eslint';
import globals from 'globals';
import { describe, expect, it } from 'vitest';

import { DRIVER_PACKAGES, lookup } from '../src/catalogue.js';
import { driverContext, driverImports, importOf, type DriverContext } from '../src/analysis/drivers.js';
import { analysisInputs } from './helpers/inputs.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Seen {
  any: boolean;
  names: string[];
  reference: { any: boolean; names: string[] };
}

/** Lints `code` with a probe rule that reads driverImports and the reference answer. */
function probe(code: string, options: { filename?: string | undefined; settings?: Record<string, unknown> | undefined; globals?: Record<string, boolean | 'readonly' | 'writable'> | undefined } = {}): Seen {
  let seen: Seen | undefined;
  const rule = {
    meta: { type: 'problem' as const, schema: [] },
    create(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>) {
      const ctx = driverContext(context);
      const found = driverImports(ctx);
      seen = { any: found.any, names: [...found.names].sort(), reference: reference(ctx) };
      return {};
    },
  };
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.{js,ts,cjs,mjs}'],
        plugins: { probe: { rules: { imports: rule as never } } },
        languageOptions: { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module', globals: options.globals ?? {} },
        settings: options.settings ?? {},
        rules: { 'probe/imports': 'error' },
      },
    ],
    { filename: options.filename ?? 'file.ts' },
  );
  const fatal = messages.find((m) => m.fatal);
  if (fatal) throw new Error(`does not parse: ${fatal.message}`);
  if (!seen) throw new Error('the probe rule did not run');
  return seen;
}

/** The slow answer: every module specifier in the AST, and every variable `importOf` traces to a driver. */
function reference(ctx: DriverContext): { any: boolean; names: string[] } {
  const wanted = (source: string): boolean => lookup(DRIVER_PACKAGES, source) !== undefined || ctx.settings.poolModules.has(source);
  let any = false;
  const visit = (node: TSESTree.Node): void => {
    let source: unknown;
    if (node.type === AST_NODE_TYPES.ImportDeclaration) source = node.source.value;
    else if (node.type === AST_NODE_TYPES.TSExternalModuleReference) source = node.expression.value;
    else if (node.type === AST_NODE_TYPES.ImportExpression && node.source.type === AST_NODE_TYPES.Literal) source = node.source.value;
    else if (
      node.type === AST_NODE_TYPES.CallExpression &&
      node.callee.type === AST_NODE_TYPES.Identifier &&
      node.callee.name === 'require' &&
      node.arguments[0]?.type === AST_NODE_TYPES.Literal
    ) {
      source = node.arguments[0].value;
    }
    if (typeof source === 'string' && wanted(source)) any = true;
    for (const key of ctx.sourceCode.visitorKeys[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      for (const item of Array.isArray(child) ? child : [child]) {
        if (typeof item === 'object' && item !== null && typeof (item as { type?: unknown }).type === 'string') visit(item as TSESTree.Node);
      }
    }
  };
  visit(ctx.sourceCode.ast);
  const names = new Set<string>();
  for (const scope of ctx.sourceCode.scopeManager?.scopes ?? []) {
    for (const variable of scope.variables) {
      const source = variable.defs.length > 0 ? importOf(variable)?.source : undefined;
      if (source !== undefined && lookup(DRIVER_PACKAGES, source)) names.add(variable.name);
    }
  }
  return { any, names: [...names].sort() };
}

/** driverImports answers at least what the reference does. */
function expectSound(seen: Seen, label: string): void {
  if (seen.reference.any) expect(seen.any, `${label}: any`).toBe(true);
  for (const name of seen.reference.names) expect(seen.names, `${label}: names`).toContain(name);
}

describe('driverImports', () => {
  const cases: { name: string; code: string; any: boolean; names: string[]; settings?: Record<string, unknown>; globals?: Record<string, 'readonly'>; filename?: string }[] = [
    { name: 'a default import', code: "import mysql from 'mysql2/promise';", any: true, names: ['mysql'] },
    { name: 'named imports under other names', code: "import { createConnection as open, Pool } from 'mysql2';", any: true, names: ['Pool', 'open'] },
    { name: 'a namespace import', code: "import * as pg from 'pg';", any: true, names: ['pg'] },
    { name: 'an import of another module only', code: "import express from 'express';\nconst mysql = express();", any: false, names: [] },
    { name: 'a driver named in a comment and a string only', code: "// import pg from 'pg'\nconst options = { type: 'mysql', driver: \"pg\" };", any: false, names: [] },
    { name: 'a CommonJS require', code: "const pg = require('pg');", any: true, names: ['pg'] },
    { name: 'a double-quoted import', code: 'import mysql from "mysql2";', any: true, names: ['mysql'] },
    { name: 'a double-quoted require', code: 'const { Pool } = require("pg");', any: true, names: ['Pool'] },
    { name: 'a destructured require', code: "const { Pool, Client: PgClient } = require('pg');", any: true, names: ['PgClient', 'Pool'] },
    { name: 'a member of a require', code: "const Pool = require('pg').Pool;", any: true, names: ['Pool'] },
    { name: 'a require with a comment before the module name', code: "const pg = require(/* the driver */ 'pg');", any: true, names: ['pg'] },
    { name: 'a require inside a function', code: "export function lazy() {\n  const mysql = require('mysql');\n  return mysql.createConnection({});\n}", any: true, names: ['mysql'] },
    { name: 'a require not assigned (re-exported)', code: "module.exports = require('pg');", any: true, names: [] },
    { name: 'a require declared as a global', code: "const pg = require('pg');", any: true, names: ['pg'], globals: { require: 'readonly' } },
    {
      name: 'a local require (createRequire)',
      code: "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nconst mysql = require('mysql2');",
      any: true,
      names: ['mysql'],
    },
    { name: 'a require passed in as a parameter', code: "define(function (require) {\n  const pg = require('pg');\n  return pg;\n});", any: true, names: ['pg'] },
    { name: 'import equals', code: "import pg = require('pg');", any: true, names: ['pg'] },
    { name: 'an exported import equals', code: "export import pg = require('pg');", any: true, names: ['pg'] },
    { name: 'an import inside declare module', code: "declare module 'app' {\n  import { Pool } from 'pg';\n  export const pool: Pool;\n}", any: true, names: ['Pool'] },
    { name: 'a dynamic import', code: "export async function load() {\n  const pg = await import('pg');\n  return pg;\n}", any: true, names: ['pg'] },
    { name: 'a dynamic import with a comment', code: "export async function load() {\n  const mysql = await import(/* chunk */ 'mysql2/promise');\n  return mysql;\n}", any: true, names: ['mysql'] },
    { name: 'a module of settings.poolModules', code: "import db from './db';", any: true, names: [], settings: { 'db-guard': { poolModules: ['./db'] } } },
    { name: 'a require of settings.poolModules', code: "const db = require('@acme/db');", any: true, names: [], settings: { 'db-guard': { poolModules: ['@acme/db'] } } },
    { name: 'a driver subpath that is not a driver module', code: "const pool = require('pg/lib/pool');", any: false, names: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const seen = probe(c.code, { settings: c.settings, globals: c.globals, filename: c.filename });
      expect({ any: seen.any, names: seen.names }).toEqual({ any: c.any, names: c.names.sort() });
      expectSound(seen, c.name);
    });
  }

  it('answers at least what importOf traces, over the corpus, generated programs and the benchmark packages', () => {
    const inputs = analysisInputs(ROOT, 20261201, 200);
    let withImports = 0;
    for (const [i, input] of inputs.entries()) {
      for (const withGlobals of [false, true]) {
        const seen = probe(input.code, { filename: input.filename, globals: withGlobals ? globals.node : {} });
        expectSound(seen, `${String(i)} ${input.filename}${withGlobals ? ' (node globals)' : ''}`);
        if (seen.reference.any) withImports++;
      }
    }
    // The inputs hold driver imports in many files, so the comparison is not vacuous.
    expect(withImports).toBeGreaterThan(100);
  }, 120_000);
});
