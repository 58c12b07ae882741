/**
 * The two rewrites of `handle-stale-connection`: wrap the creation in `reconnecting(() => ...)` from the
 * runtime, or create a pool instead. Both are offered only when every use of the object in the file is
 * one the new object supports with the same types and meaning, and no holder is typed.
 */
import { AST_NODE_TYPES, AST_TOKEN_TYPES, ASTUtils, TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { DRIVER_PACKAGES, SESSION_STATE_SQL } from '../../src/catalogue.js';
import { skipTsWrappers, valueParent } from '../../src/analysis/ast.js';
import { resolveVariable, type DriverContext } from '../../src/analysis/drivers.js';
import { addRuntimeImport, runtimeNameAvailable, wholeLinesRange } from '../../src/analysis/fix.js';
import type { Holder, Reach, Use } from '../../src/analysis/long-lived.js';
import { staticText } from '../../src/analysis/transactions.js';

type SourceCode = Readonly<TSESLint.SourceCode>;
type FixFunction = (fixer: TSESLint.RuleFixer) => TSESLint.RuleFix[];

export interface StaleFixes {
  /** `reconnecting(() => <creation>)` plus the import. */
  readonly reconnecting: FixFunction | undefined;
  /** `createPool(...)` / `new Pool(...)`, with the name of the new factory for the message. */
  readonly pool: { readonly fix: FixFunction; readonly factory: string } | undefined;
}

const RUNTIME_NAME = 'reconnecting';

/** Builds both rewrites for a reported creation (each undefined when it would not be faithful). */
export function buildStaleFixes(ctx: DriverContext, reach: Reach): StaleFixes {
  if (!rewritable(ctx, reach)) return { reconnecting: undefined, pool: undefined };
  return { reconnecting: buildReconnectingFix(ctx, reach), pool: buildPoolFix(ctx, reach) };
}

/**
 * A dedicated connection of a driver the runtime supports, followed completely (no hand-off, export,
 * or unfollowed use), whose value goes straight into its first holder, with no type annotation on any
 * holder (the object's type changes).
 */
function rewritable(ctx: DriverContext, reach: Reach): boolean {
  const { creation } = reach;
  const driver = creation.pkg?.driver;
  if (creation.kind !== 'connection' || (driver !== 'mysql' && driver !== 'mysql2' && driver !== 'mariadb' && driver !== 'pg')) return false;
  if (reach.handedOff || reach.exported || reach.opaque.length > 0 || reach.holders.length === 0) return false;
  const entry = creation.value.parent;
  if (
    entry?.type !== AST_NODE_TYPES.VariableDeclarator &&
    entry?.type !== AST_NODE_TYPES.AssignmentExpression &&
    entry?.type !== AST_NODE_TYPES.PropertyDefinition &&
    entry?.type !== AST_NODE_TYPES.ReturnStatement &&
    entry?.type !== AST_NODE_TYPES.ArrowFunctionExpression
  ) {
    return false;
  }
  return reach.holders.every((holder) => !typed(holder) && !fieldUsedElsewhere(ctx.sourceCode, holder));
}

function typed(holder: Holder): boolean {
  if (holder.type === 'result') return holder.fn?.returnType !== undefined;
  if (holder.type === 'field') {
    const definition = holder.cls?.body.body.find(
      (member): member is TSESTree.PropertyDefinition =>
        member.type === AST_NODE_TYPES.PropertyDefinition &&
        (member.key.type === AST_NODE_TYPES.PrivateIdentifier ? `#${member.key.name}` : member.key.type === AST_NODE_TYPES.Identifier ? member.key.name : undefined) === holder.name,
    );
    return definition?.typeAnnotation !== undefined;
  }
  return holder.variable?.defs.some((def) => def.name.type === AST_NODE_TYPES.Identifier && def.name.typeAnnotation !== undefined) ?? true;
}

/** A field read as `x.name` somewhere else in the file (an instance used from outside the class). */
function fieldUsedElsewhere(sourceCode: SourceCode, holder: Holder): boolean {
  if (holder.type !== 'field') return false;
  const known = new Set([...holder.accesses, ...holder.writes].map((node) => node.range[1]));
  const name = holder.name.replace(/^#/, '');
  const tokens = sourceCode.ast.tokens;
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i];
    const before = tokens[i - 1];
    if (!token || !before || token.value !== name || (before.value !== '.' && before.value !== '?.')) continue;
    if (token.type !== AST_TOKEN_TYPES.Identifier && token.type !== AST_TOKEN_TYPES.PrivateIdentifier) continue;
    if (!known.has(token.range[1])) return true;
  }
  return false;
}

/** `connect()` calls that stand alone as statements, which both rewrites drop (they connect by themselves). */
function connectStatements(uses: readonly Use[]): TSESTree.ExpressionStatement[] | undefined {
  const statements: TSESTree.ExpressionStatement[] = [];
  for (const use of uses) {
    if (use.name !== 'connect') continue;
    if (use.call.arguments.length > 0) return undefined;
    let value: TSESTree.Node = use.call;
    if (valueParent(value)?.type === AST_NODE_TYPES.AwaitExpression) value = valueParent(value) ?? value;
    const statement = value.parent;
    if (statement?.type !== AST_NODE_TYPES.ExpressionStatement || statement.expression !== value) return undefined;
    const block = statement.parent;
    if (block.type !== AST_NODE_TYPES.BlockStatement && block.type !== AST_NODE_TYPES.Program && block.type !== AST_NODE_TYPES.StaticBlock) {
      return undefined;
    }
    statements.push(statement);
  }
  return statements;
}

function removeStatement(fixer: TSESLint.RuleFixer, sourceCode: SourceCode, statement: TSESTree.Node): TSESLint.RuleFix {
  return fixer.removeRange(wholeLinesRange(sourceCode, statement) ?? statement.range);
}

/** The creation without a leading `await` (the runtime's factory may return a promise). */
function factoryNode(reach: Reach): TSESTree.Node {
  let node = reach.creation.value;
  while (node.type === AST_NODE_TYPES.AwaitExpression) node = skipTsWrappers(node.argument);
  return node;
}

function buildReconnectingFix(ctx: DriverContext, reach: Reach): FixFunction | undefined {
  const { creation } = reach;
  const pkg = creation.pkg;
  const promiseApi =
    pkg === DRIVER_PACKAGES['mysql2/promise'] || pkg === DRIVER_PACKAGES['mariadb'] || pkg?.driver === 'pg' || creation.promiseWrapper;
  if (!promiseApi) return undefined;
  const supported = reach.uses.every((use) => {
    if (use.name === 'connect') return true;
    if (use.name === 'end') return use.call.arguments.length === 0;
    if (use.name !== 'query' && use.name !== 'execute') return false;
    const args = use.call.arguments;
    return (
      args.length <= 2 &&
      args.every((arg) => arg.type !== AST_NODE_TYPES.SpreadElement && arg.type !== AST_NODE_TYPES.ArrowFunctionExpression && arg.type !== AST_NODE_TYPES.FunctionExpression) &&
      args[0]?.type !== AST_NODE_TYPES.NewExpression
    );
  });
  const connects = connectStatements(reach.uses);
  if (!supported || !connects) return undefined;
  const sourceCode = ctx.sourceCode;
  const available = runtimeNameAvailable(sourceCode, creation.node, RUNTIME_NAME);
  if (available === 'taken') return undefined;
  const factory = sourceCode.getText(factoryNode(reach));
  return (fixer) => [
    fixer.replaceText(creation.value, `${RUNTIME_NAME}(() => ${factory})`),
    ...connects.map((statement) => removeStatement(fixer, sourceCode, statement)),
    ...(available === 'free' ? [addRuntimeImport(fixer, sourceCode, RUNTIME_NAME)] : []),
  ];
}

/** SQL that depends on the session (transactions, variables, locks, LISTEN): a pool would run it on any connection. */
function sessionFree(use: Use): boolean {
  const first = use.call.arguments[0];
  let text = staticText(first);
  if (text === undefined && first?.type === AST_NODE_TYPES.ObjectExpression) {
    const property = first.properties.find(
      (p): p is TSESTree.Property => p.type === AST_NODE_TYPES.Property && !p.computed && p.key.type === AST_NODE_TYPES.Identifier && (p.key.name === 'sql' || p.key.name === 'text'),
    );
    text = property ? staticText(property.value) : undefined;
  }
  return text !== undefined && !SESSION_STATE_SQL.test(text);
}

function buildPoolFix(ctx: DriverContext, reach: Reach): StaleFixes['pool'] {
  const { creation } = reach;
  const driver = creation.pkg?.driver;
  const supported = reach.uses.every((use) => {
    if (use.name === 'connect' || use.name === 'end') return true;
    if (use.name === 'query' || (use.name === 'execute' && (driver === 'mysql2' || driver === 'mariadb'))) {
      return sessionFree(use) && use.call.arguments.every((arg) => arg.type !== AST_NODE_TYPES.SpreadElement);
    }
    return false;
  });
  const connects = connectStatements(reach.uses);
  if (!supported || !connects) return undefined;
  const rename = driver === 'pg' ? pgPool(ctx, reach) : mysqlPool(ctx, reach);
  if (!rename) return undefined;
  const sourceCode = ctx.sourceCode;
  const factory = factoryNode(reach);
  return {
    factory: rename.factory,
    fix: (fixer) => {
      // The new text of the factory expression: the callee renamed, pg's connection string wrapped.
      const start = factory.range[0];
      let text = sourceCode.text.slice(start, factory.range[1]);
      for (const edit of [...rename.edits].sort((a, b) => b.range[0] - a.range[0])) {
        text = text.slice(0, edit.range[0] - start) + edit.text + text.slice(edit.range[1] - start);
      }
      return [
        fixer.replaceText(creation.value, text),
        ...connects.map((statement) => removeStatement(fixer, sourceCode, statement)),
        ...rename.imports(fixer),
      ];
    },
  };
}

interface Rename {
  /** The new factory, for the message (`mysql.createPool`, `new Pool`). */
  readonly factory: string;
  /** Text edits inside the factory expression. */
  readonly edits: readonly { range: readonly [number, number]; text: string }[];
  /** Import changes that bind the new name. */
  readonly imports: (fixer: TSESLint.RuleFixer) => TSESLint.RuleFix[];
}

/** `createConnection` → `createPool` on the module, or a named import of `createPool` added beside it. */
function mysqlPool(ctx: DriverContext, reach: Reach): Rename | undefined {
  const node = reach.creation.node;
  if (node.type !== AST_NODE_TYPES.CallExpression || reach.creation.method !== 'createConnection') return undefined;
  const callee = skipTsWrappers(node.callee);
  if (callee.type === AST_NODE_TYPES.MemberExpression) {
    if (callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return undefined;
    return {
      factory: `${ctx.sourceCode.getText(callee.object)}.createPool`,
      edits: [{ range: callee.property.range, text: 'createPool' }],
      imports: () => [],
    };
  }
  if (callee.type !== AST_NODE_TYPES.Identifier) return undefined;
  const binding = siblingBinding(ctx, callee, 'createPool');
  return binding && { factory: binding.local, edits: [{ range: callee.range, text: binding.local }], imports: binding.imports };
}

/** `new Client(cfg)` → `new Pool(cfg)` (a connection string becomes `{ connectionString }`). */
function pgPool(ctx: DriverContext, reach: Reach): Rename | undefined {
  const node = reach.creation.node;
  if (node.type !== AST_NODE_TYPES.NewExpression || reach.creation.method !== 'Client' || node.arguments.length > 1) return undefined;
  const edits: { range: readonly [number, number]; text: string }[] = [];
  const arg = node.arguments[0];
  if (arg && arg.type !== AST_NODE_TYPES.ObjectExpression) {
    if (!isStringValue(ctx, arg)) return undefined;
    edits.push({ range: arg.range, text: `{ connectionString: ${ctx.sourceCode.getText(arg)} }` });
  }
  const callee = skipTsWrappers(node.callee);
  if (callee.type === AST_NODE_TYPES.MemberExpression) {
    if (callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return undefined;
    edits.push({ range: callee.property.range, text: 'Pool' });
    return { factory: `new ${ctx.sourceCode.getText(callee.object)}.Pool`, edits, imports: () => [] };
  }
  if (callee.type !== AST_NODE_TYPES.Identifier) return undefined;
  const binding = siblingBinding(ctx, callee, 'Pool');
  if (!binding) return undefined;
  edits.push({ range: callee.range, text: binding.local });
  return { factory: `new ${binding.local}`, edits, imports: binding.imports };
}

/** A string literal, a template, or a `const` initialised with one. */
function isStringValue(ctx: DriverContext, node: TSESTree.Node): boolean {
  const target = skipTsWrappers(node);
  if (staticText(target) !== undefined || target.type === AST_NODE_TYPES.TemplateLiteral) return true;
  if (target.type !== AST_NODE_TYPES.Identifier) return false;
  const def = resolveVariable(ctx, target)?.defs[0];
  if (def?.type !== TSESLint.Scope.DefinitionType.Variable || def.parent.kind !== 'const') return false;
  const init = def.node.init;
  return init !== null && staticText(skipTsWrappers(init)) !== undefined;
}

/**
 * The local name of export `name` of the module that `callee` was imported from by name: an existing
 * import, or one added to the same `import { ... }` / `const { ... } = require()`.
 */
function siblingBinding(
  ctx: DriverContext,
  callee: TSESTree.Identifier,
  name: string,
): { local: string; imports: (fixer: TSESLint.RuleFixer) => TSESLint.RuleFix[] } | undefined {
  const def = resolveVariable(ctx, callee)?.defs[0];
  if (!def) return undefined;
  const existing = ASTUtils.findVariable(ctx.sourceCode.getScope(callee), name);
  if (
    def.type === TSESLint.Scope.DefinitionType.ImportBinding &&
    def.node.type === AST_NODE_TYPES.ImportSpecifier &&
    def.parent.type === AST_NODE_TYPES.ImportDeclaration
  ) {
    const declaration = def.parent;
    const specifiers = declaration.specifiers.filter((s): s is TSESTree.ImportSpecifier => s.type === AST_NODE_TYPES.ImportSpecifier);
    const already = specifiers.find((s) => s.imported.type === AST_NODE_TYPES.Identifier && s.imported.name === name);
    if (already) return { local: already.local.name, imports: () => [] };
    const last = specifiers.at(-1);
    if (existing || !last || declaration.importKind === 'type') return undefined;
    return { local: name, imports: (fixer) => [fixer.insertTextAfter(last, `, ${name}`)] };
  }
  if (def.type === TSESLint.Scope.DefinitionType.Variable && def.node.id.type === AST_NODE_TYPES.ObjectPattern) {
    const pattern = def.node.id;
    const properties = pattern.properties.filter((p): p is TSESTree.Property => p.type === AST_NODE_TYPES.Property);
    const already = properties.find(
      (p) => !p.computed && p.key.type === AST_NODE_TYPES.Identifier && p.key.name === name && p.value.type === AST_NODE_TYPES.Identifier,
    );
    if (already && already.value.type === AST_NODE_TYPES.Identifier) return { local: already.value.name, imports: () => [] };
    const last = pattern.properties.at(-1);
    if (existing || !last || last.type === AST_NODE_TYPES.RestElement) return undefined;
    return { local: name, imports: (fixer) => [fixer.insertTextAfter(last, `, ${name}`)] };
  }
  return undefined;
}

/** The member name a use was called by, for messages. */
export function useLabel(sourceCode: SourceCode, use: Use): string {
  return sourceCode.getText(use.member);
}
