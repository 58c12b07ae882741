// thisAccesses (src/analysis/long-lived.ts) finds a class's `this.x` members for one name from the
// text (every whole-word spelling of the name in the class body, then the node there) instead of
// walking the whole class. It must find exactly what a walk of the class's members finds: checked
// against such a walk (the implementation it replaced) for every name, static and not, of every class
// of the cases below, the corpus, generated programs and the installed sources of the benchmark
// packages. It returns them in source order.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tsParser from '@typescript-eslint/parser';
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

import { packageSources } from '../scripts/lib/bench.mjs';
import { memberName } from '../src/analysis/ast.js';
import { driverContext } from '../src/analysis/drivers.js';
import { thisAccesses } from '../src/analysis/long-lived.js';
import { ProgramGenerator } from './fuzz/generate.js';
import { corpus } from './fuzz/mutate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;

/** The reference: a walk of the class's members, keyed by `static `-prefixed name, in walk order. */
function walkClass(sourceCode: Readonly<TSESLint.SourceCode>, cls: ClassNode): Map<string, TSESTree.MemberExpression[]> {
  const found = new Map<string, TSESTree.MemberExpression[]>();
  const children = (node: TSESTree.Node, visit: (child: TSESTree.Node) => void): void => {
    for (const key of sourceCode.visitorKeys[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      for (const item of Array.isArray(child) ? child : [child]) {
        if (typeof item === 'object' && item !== null && typeof (item as { type?: unknown }).type === 'string') visit(item as TSESTree.Node);
      }
    }
  };
  const visit = (node: TSESTree.Node, isStatic: boolean): void => {
    if (node.type === AST_NODE_TYPES.FunctionDeclaration || node.type === AST_NODE_TYPES.FunctionExpression) return;
    if (node.type === AST_NODE_TYPES.ClassDeclaration || node.type === AST_NODE_TYPES.ClassExpression) return;
    if (node.type === AST_NODE_TYPES.MemberExpression && node.object.type === AST_NODE_TYPES.ThisExpression) {
      const name = node.property.type === AST_NODE_TYPES.PrivateIdentifier ? `#${node.property.name}` : memberName(node);
      if (name !== undefined) {
        const key = `${isStatic ? 'static ' : ''}${name}`;
        found.set(key, [...(found.get(key) ?? []), node]);
      }
    }
    children(node, (child) => visit(child, isStatic));
  };
  for (const member of cls.body.body) {
    if (member.type === AST_NODE_TYPES.MethodDefinition) {
      children(member.value.body ?? member.value, (child) => visit(child, member.static));
      for (const param of member.value.params) visit(param, member.static);
    } else if (member.type === AST_NODE_TYPES.PropertyDefinition || member.type === AST_NODE_TYPES.AccessorProperty) {
      if (member.value) visit(member.value, member.static);
    } else if (member.type === AST_NODE_TYPES.StaticBlock) {
      for (const statement of member.body) visit(statement, true);
    }
  }
  return found;
}

/** For every class of `code`: the keys compared and the mismatches (key, expected ranges, found ranges). */
function compare(code: string, filename: string): { keys: number; accesses: number; mismatches: string[] } {
  const result = { keys: 0, accesses: 0, mismatches: [] as string[] };
  const check = (context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>, cls: ClassNode): void => {
    const ctx = driverContext(context);
    const expected = walkClass(context.sourceCode, cls);
    // Every name the walk found, and every other word of the class (names it found none for).
    const words = new Set(context.sourceCode.text.slice(cls.body.range[0], cls.body.range[1]).match(/#?[\w$]+/g) ?? []);
    const keys = new Set([...expected.keys(), ...[...words].flatMap((word) => [word, `static ${word}`])]);
    for (const key of keys) {
      // The same members; the text finds them in source order (the walk read a method's body before its parameters).
      const want = [...(expected.get(key) ?? [])].sort((a, b) => a.range[0] - b.range[0]).map((m) => m.range.join('-'));
      const got = thisAccesses(ctx, cls, key).map((m) => m.range.join('-'));
      result.keys++;
      result.accesses += want.length;
      if (want.join() !== got.join()) result.mismatches.push(`${filename} class at ${String(cls.loc.start.line)} ${key}: want [${want.join(' ')}] got [${got.join(' ')}]`);
    }
  };
  const rule = {
    meta: { type: 'problem' as const, schema: [] },
    create: (context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>) => ({
      ClassDeclaration: (node: TSESTree.ClassDeclaration) => check(context, node),
      ClassExpression: (node: TSESTree.ClassExpression) => check(context, node),
    }),
  };
  const messages = new Linter({ configType: 'flat' }).verify(
    code,
    [
      {
        files: ['**/*.{js,ts,cjs,mjs}'],
        plugins: { probe: { rules: { classes: rule as never } } },
        languageOptions: { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' },
        rules: { 'probe/classes': 'error' },
      },
    ],
    { filename },
  );
  const fatal = messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${filename} does not parse: ${fatal.message}`);
  return result;
}

describe('thisAccesses', () => {
  it('finds what a walk of the class finds, in the cases that a text search can get wrong', () => {
    const code = `class Db {
  static pool = this.createPool();
  conn = this.open();
  #secret = 1;
  [this.computedKey] = 2;
  constructor(private readonly connection = this.conn, other = this['conn']) {
    this.connection.on('error', () => this.conn.destroy());
    this.#secret += this.connectionCount; // connectionCount is not conn
    /* this.conn in a comment */ const s = 'this.conn';
    const self = this;
    function nested() { return this.conn; }
    const obj = { conn: 1, m() { return this.conn; } };
    class Inner { conn = this.conn; }
    this?.conn?.query('SELECT 1');
    (this as any).conn;
    this[\`conn\`];
  }
  static { this.pool.end(); }
  get value(): number { return this.#secret; }
  @log(this.conn) method(): void { this.conn.query([this.conn, , this.conn]); }
  static make() { return this.pool; }
  declare x: string;
}`;
    const result = compare(code, 'file.ts');
    expect(result.mismatches).toEqual([]);
    expect(result.accesses).toBeGreaterThan(15);
  });

  it('finds what a walk of the class finds over the corpus, generated programs and the benchmark packages', () => {
    const generator = new ProgramGenerator(20261203);
    const inputs = [...corpus(ROOT).map((code) => ({ code, filename: 'file.ts' })), ...Array.from({ length: 100 }, () => ({ code: generator.program(), filename: 'file.ts' }))];
    for (const pkg of ['typeorm', 'sequelize', 'knex', 'mysql2', 'pg']) {
      const files = packageSources(pkg);
      expect(files.length, `${pkg} is installed`).toBeGreaterThan(0);
      inputs.push(...files.map(({ filename, code }) => ({ code, filename: `${pkg}/${filename.replace(/\.c?js$/, '.js')}` })));
    }
    const mismatches: string[] = [];
    let accesses = 0;
    for (const input of inputs) {
      const result = compare(input.code, input.filename);
      mismatches.push(...result.mismatches);
      accesses += result.accesses;
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
    // The packages hold classes full of this.x accesses: the comparison is not vacuous.
    expect(accesses).toBeGreaterThan(10_000);
  }, 300_000);
});
