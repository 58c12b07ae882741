/** The fixes of `no-leaked-connection`: `try`/`finally`, `withConnection()`, and `await using`. */
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { enclosingFunction, isFunction, isNode, skipTsWrappers } from '../../src/analysis/ast.js';
import type { DriverContext } from '../../src/analysis/drivers.js';
import {
  addRuntimeImport,
  bodyStartAfter,
  containsSuspension,
  endWithTrailingComment,
  indentUnit,
  lineIndent,
  movedText,
  statementInBlock,
  type BlockSite,
  runtimeNameAvailable,
  wholeLinesWithComment,
} from '../../src/analysis/fix.js';
import type { Resource } from '../../src/analysis/resources.js';

type SourceCode = Readonly<TSESLint.SourceCode>;
type Statement = TSESTree.Statement;

/** The statement that acquires, the block it sits in, and its position there. */
type Site = BlockSite;

/** Finds where the obligation starts, when that is a statement directly in a block. */
function acquisitionSite(resource: Resource): Site | undefined {
  if (resource.atEntry || resource.opaque || resource.handoffs > 0 || resource.continuations.size > 0) return undefined;
  for (const [anchor, events] of resource.events) {
    if (!events.some((e) => e.type === 'acquire')) continue;
    const site = statementInBlock(anchor);
    if (site?.statement.type === AST_NODE_TYPES.VariableDeclaration && site.statement.declarations.length !== 1) return undefined;
    return site;
  }
  return undefined;
}

/** The statement a release call stands as (`conn.release();` or `await conn.end();`). */
function releaseStatement(call: TSESTree.CallExpression): TSESTree.ExpressionStatement | undefined {
  let node: TSESTree.Node = call;
  if (node.parent.type === AST_NODE_TYPES.ChainExpression) node = node.parent;
  if (node.parent.type === AST_NODE_TYPES.AwaitExpression) node = node.parent;
  return node.parent.type === AST_NODE_TYPES.ExpressionStatement ? node.parent : undefined;
}

function isExit(statement: TSESTree.Node | undefined): boolean {
  return (
    statement?.type === AST_NODE_TYPES.ReturnStatement ||
    statement?.type === AST_NODE_TYPES.ThrowStatement ||
    statement?.type === AST_NODE_TYPES.BreakStatement ||
    statement?.type === AST_NODE_TYPES.ContinueStatement
  );
}

/** The statement after `statement` in its list, if it is in one. */
function nextSibling(statement: TSESTree.Statement): TSESTree.Node | undefined {
  const parent = statement.parent;
  const list = parent.type === AST_NODE_TYPES.BlockStatement ? parent.body : parent.type === AST_NODE_TYPES.SwitchCase ? parent.consequent : undefined;
  if (!list) return undefined;
  return list[list.indexOf(statement) + 1];
}

/** Variables declared by the top-level statements of a range. */
function declaredIn(sourceCode: SourceCode, statements: readonly Statement[]): TSESLint.Scope.Variable[] {
  return statements.flatMap((statement) => sourceCode.getDeclaredVariables(statement));
}

/** The release statements of a resource, checked for the shape the fixes can rewrite. */
interface ReleasePlan {
  /** The release in the acquisition's block, after it. */
  readonly main: TSESTree.ExpressionStatement;
  readonly mainIndex: number;
  /** Every release statement, with the whole-line ranges to delete. */
  readonly removed: [number, number][];
  /** Statements after the main release in the block. */
  readonly trailing: readonly Statement[];
  /** A line comment after the main release, carried into the `finally`. */
  readonly mainComment: string | undefined;
}

/**
 * Checks the releases: one in the acquisition's block after it, every other one inside the range
 * and directly followed by an exit (so releasing later, in a `finally`, changes no normal path), all
 * on lines of their own.
 */
function releasePlan(sourceCode: SourceCode, resource: Resource, site: Site): ReleasePlan | undefined {
  const statements = resource.releaseCalls.map(releaseStatement);
  if (statements.length === 0 || statements.some((s) => s === undefined)) return undefined;
  const releases = statements as TSESTree.ExpressionStatement[];
  const { block, index } = site;
  const main = releases.find((s) => s.parent === block && block.body.indexOf(s) > index);
  if (!main) return undefined;
  for (const other of releases) {
    if (other === main) continue;
    if (other.range[0] < site.statement.range[1] || other.range[1] > main.range[0]) return undefined;
    if (!isExit(nextSibling(other))) return undefined;
  }
  // A line comment after a release (`conn.release(); // back to the pool`) moves with it.
  const lines = releases.map((s) => wholeLinesWithComment(sourceCode, s, true));
  if (lines.some((r) => r === undefined)) return undefined;
  const mainIndex = block.body.indexOf(main);
  const removed = lines.map((r) => (r as { range: [number, number] }).range);
  const mainComment = lines[releases.indexOf(main)]?.comment;
  const otherComments = lines.some((r, i) => r?.comment !== undefined && releases[i] !== main);
  if (otherComments) return undefined; // only the main release's comment has a place to go
  return { main, mainIndex, removed, trailing: block.body.slice(mainIndex + 1), mainComment };
}

/**
 * Autofix for the common shape: the acquisition, then statements, then the release, in one block.
 * Wraps the statements between them in `try { ... } finally { <release> }`, removing the old release
 * calls. The normal path behaves as before; only the exception and early-exit paths now release.
 */
export function buildTryFinallyFix(sourceCode: SourceCode, resource: Resource): TSESLint.ReportFixFunction | undefined {
  const site = acquisitionSite(resource);
  const plan = site ? releasePlan(sourceCode, resource, site) : undefined;
  if (!site || !plan) return undefined;
  const { main, trailing } = plan;
  const wrapped = site.block.body.slice(site.index + 1, plan.mainIndex);
  if (wrapped.length === 0 || wrapped.some((s) => s.type === AST_NODE_TYPES.FunctionDeclaration || s.type === AST_NODE_TYPES.ClassDeclaration)) {
    return undefined;
  }
  const needsTrailing = declaredIn(sourceCode, wrapped).some((variable) =>
    variable.references.some((ref) => ref.identifier.range[0] > main.range[1]),
  );
  if (needsTrailing && !canMoveBeforeRelease(sourceCode, trailing, resource)) return undefined;

  const indent = lineIndent(sourceCode, site.statement);
  const bodyStart = bodyStartAfter(sourceCode, site.statement);
  const firstWrapped = wrapped[0];
  if (indent === undefined || bodyStart === undefined || !firstWrapped) return undefined;
  const unit = indentUnit(indent, lineIndent(sourceCode, firstWrapped) ?? lineIndent(sourceCode, main));
  const last = needsTrailing ? (trailing.at(-1) ?? main) : main;
  const end = endWithTrailingComment(sourceCode, last);
  const body = movedText(sourceCode, bodyStart, end, unit, plan.removed);
  const head = sourceCode.text.slice(site.statement.range[1], bodyStart - 1).replace(/\r$/, '');
  const release = plan.mainComment ? `${sourceCode.getText(main)} ${plan.mainComment}` : sourceCode.getText(main);
  const replacement = `${head}\n${indent}try {\n${body}\n${indent}} finally {\n${indent}${unit}${release}\n${indent}}`;
  return (fixer) => fixer.replaceTextRange([site.statement.range[1], end], replacement);
}

/**
 * For the rewrites that release at the end of the scope (`withConnection`, `await using`): either
 * nothing releases yet, or the releases have the fixable shape and what follows the main release
 * may run before it.
 */
function scopeReleasePlan(sourceCode: SourceCode, resource: Resource, site: Site): { removed: [number, number][] } | undefined {
  if (resource.releaseCalls.length === 0) return { removed: [] };
  const plan = releasePlan(sourceCode, resource, site);
  // These rewrites delete the release: a comment on its line would be lost.
  if (!plan || plan.mainComment !== undefined || !canMoveBeforeRelease(sourceCode, plan.trailing, resource)) return undefined;
  return plan;
}

/**
 * Statements after the release may move before it (into the `try`) when they cannot wait (no await)
 * and do not touch the connection: the release then happens a few synchronous steps later.
 */
function canMoveBeforeRelease(sourceCode: SourceCode, trailing: readonly Statement[], resource: Resource): boolean {
  return trailing.every(
    (statement) =>
      !containsSuspension(statement, sourceCode.visitorKeys) &&
      !resource.variable.references.some((ref) => statement.range[0] <= ref.identifier.range[0] && ref.identifier.range[1] <= statement.range[1]),
  );
}

/** Acquiring methods of the sources `withConnection()` accepts (pools and generic pools). */
const WITH_CONNECTION_METHODS = new Set(['getConnection', 'connect', 'acquire']);

/**
 * Suggestion: `const conn = await pool.getConnection(); ...rest` → `return withConnection(pool, async (conn) => { ...rest })`
 * when the acquisition is followed by the rest of an async function body.
 */
export function buildWithConnectionFix(
  ctx: DriverContext,
  resource: Resource,
): { fix: TSESLint.ReportFixFunction; data: Record<string, string> } | undefined {
  const sourceCode = ctx.sourceCode;
  const site = acquisitionSite(resource);
  const source = resource.acquisition.source;
  if (!site || !source || resource.acquisition.kind !== 'checkout' || !WITH_CONNECTION_METHODS.has(resource.acquisition.method)) {
    return undefined;
  }
  const fn = enclosingFunction(site.block);
  if (fn.type === AST_NODE_TYPES.Program || fn.body !== site.block || !fn.async || fn.generator) return undefined;
  const declaration = site.statement;
  if (declaration.type !== AST_NODE_TYPES.VariableDeclaration) return undefined;
  const declarator = declaration.declarations[0];
  if (declarator.id.type !== AST_NODE_TYPES.Identifier || !isStableSource(source)) return undefined;
  const availability = runtimeNameAvailable(sourceCode, site.block, 'withConnection');
  const plan = scopeReleasePlan(sourceCode, resource, site);
  if (availability === 'taken' || !plan) return undefined;
  const rest = site.block.body.slice(site.index + 1);
  const last = rest.at(-1);
  const bodyStart = bodyStartAfter(sourceCode, declaration);
  const indent = lineIndent(sourceCode, declaration);
  if (!last || bodyStart === undefined || indent === undefined) return undefined;
  const unit = indentUnit(indent, lineIndent(sourceCode, rest[0] ?? declaration));
  const end = endWithTrailingComment(sourceCode, last);
  const body = movedText(sourceCode, bodyStart, end, unit, plan.removed);
  const verb = rest.some((statement) => containsReturn(statement, sourceCode.visitorKeys)) ? 'return' : 'await';
  const param = sourceCode.getText(declarator.id);
  const sourceText = sourceCode.getText(source);
  const head = sourceCode.text.slice(declaration.range[1], bodyStart - 1).replace(/\r$/, '');
  const replacement = `${verb} withConnection(${sourceText}, async (${param}) => {${head}\n${body}\n${indent}});`;
  return {
    data: { pool: sourceText, name: declarator.id.name },
    fix: (fixer) => {
      const fixes = [fixer.replaceTextRange([declaration.range[0], end], replacement)];
      if (availability === 'free') fixes.push(addRuntimeImport(fixer, sourceCode, 'withConnection'));
      return fixes;
    },
  };
}

/** An identifier or a member chain (`pool`, `this.pool`, `db.pool`, `pool.promise()`). */
function isStableSource(node: TSESTree.Node): boolean {
  const target = skipTsWrappers(node);
  if (target.type === AST_NODE_TYPES.Identifier || target.type === AST_NODE_TYPES.ThisExpression) return true;
  if (target.type === AST_NODE_TYPES.MemberExpression) return !target.computed && isStableSource(target.object);
  if (target.type === AST_NODE_TYPES.CallExpression) {
    const callee = skipTsWrappers(target.callee);
    return (
      target.arguments.length === 0 &&
      callee.type === AST_NODE_TYPES.MemberExpression &&
      callee.property.type === AST_NODE_TYPES.Identifier &&
      callee.property.name === 'promise' &&
      isStableSource(callee.object)
    );
  }
  return false;
}

/** Whether a statement contains a `return` of the function it is in (not of nested functions). */
function containsReturn(node: TSESTree.Node, visitorKeys: TSESLint.SourceCode.VisitorKeys): boolean {
  if (node.type === AST_NODE_TYPES.ReturnStatement) return true;
  if (isFunction(node) || node.type === AST_NODE_TYPES.ClassBody) return false;
  for (const key of visitorKeys[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key];
    const children = Array.isArray(child) ? child : [child];
    for (const item of children) {
      if (isNode(item) && containsReturn(item, visitorKeys)) return true;
    }
  }
  return false;
}

/**
 * Suggestion: `await using conn = await pool.getConnection()` for drivers whose connections are
 * async-disposable (mysql2 promise pools, mariadb), removing the explicit releases.
 */
export function buildAwaitUsingFix(sourceCode: SourceCode, resource: Resource): TSESLint.ReportFixFunction | undefined {
  const site = acquisitionSite(resource);
  const pkg = resource.acquisition.pkg;
  if (!site || !pkg?.supportsAsyncDispose || resource.acquisition.kind !== 'checkout') return undefined;
  const fn = enclosingFunction(site.block);
  if (fn.type === AST_NODE_TYPES.Program || !fn.async) return undefined;
  const declaration = site.statement;
  if (declaration.type !== AST_NODE_TYPES.VariableDeclaration || declaration.kind !== 'const') return undefined;
  const plan = scopeReleasePlan(sourceCode, resource, site);
  const keyword = sourceCode.getFirstToken(declaration);
  if (!plan || !keyword) return undefined;
  return (fixer) => [fixer.replaceText(keyword, 'await using'), ...plan.removed.map((range) => fixer.removeRange(range))];
}
