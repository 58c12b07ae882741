import { AST_NODE_TYPES, ASTUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { createRule } from '../src/create-rule.js';
import { QUERY_METHODS } from '../src/catalogue.js';
import { contains, enclosingFunction, isMethodNamed, memberName, shortText, skipTsWrappers, valueParent } from '../src/analysis/ast.js';
import { callListeners, type CallFilter } from '../src/analysis/calls.js';
import { driverContext, mayAcquire } from '../src/analysis/drivers.js';
import { dedentText, indentUnit, lineIndent } from '../src/analysis/fix.js';
import { isPresenceTest, resourceFor, trackResource, type Resource } from '../src/analysis/resources.js';
import { queryTransactionStatement } from '../src/analysis/transactions.js';

export type Options = [];
export type MessageIds = 'singleQueryCheckout' | 'suggestPoolQuery';

export const RULE_NAME = 'prefer-pool-query';

/** The longest try body (in characters) that the suggestion rewrites. */
const MAX_REWRITE = 4000;

/** Drivers whose pools have a `query()` that checks out, runs and releases. */
const POOL_QUERY_DRIVERS = new Set(['mysql', 'mysql2', 'mariadb', 'pg']);

/** The checkouts that `pool.query()` can replace. */
const CHECKOUT_NAMES: ReadonlySet<string> = new Set(['getConnection', 'connect']);
const CHECKOUT_CALLS: CallFilter = { methods: CHECKOUT_NAMES, plain: false };

export default createRule<Options, MessageIds>({
  name: RULE_NAME,
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Enforce `pool.query()` over checking out a connection for a single query',
      recommended: false,
    },
    hasSuggestions: true,
    messages: {
      singleQueryCheckout:
        'The connection from `{{source}}` runs a single query; `{{pool}}.{{method}}()` checks out and releases a connection by itself, so nothing can leak.',
      suggestPoolQuery: 'Run the query with `{{pool}}.{{method}}()` and drop the checkout.',
    },
    schema: [],
  },
  create(context) {
    const ctx = driverContext(context);
    if (!mayAcquire(ctx)) return {};
    return callListeners(context, {
      calls: CHECKOUT_CALLS,
      CallExpression(node) {
        if (!isMethodNamed(node, CHECKOUT_NAMES)) return;
        const found = resourceFor(ctx, node);
        if (found?.binding.type !== 'variable' || found.acquisition.kind !== 'checkout') return;
        const source = found.acquisition.source;
        const driver = found.acquisition.pkg?.driver;
        if (!source || (driver !== undefined && !POOL_QUERY_DRIVERS.has(driver))) return;
        const resource = trackResource(ctx, found.acquisition, found.binding);
        const query = singleQuery(resource);
        if (!query) return;
        const poolText = context.sourceCode.getText(source);
        const method = memberName(query.callee as TSESTree.MemberExpression) ?? 'query';
        const fix = poolQueryFix(context.sourceCode, resource, query, poolText);
        context.report({
          node,
          messageId: 'singleQueryCheckout',
          data: { source: shortText(`${context.sourceCode.getText(node.callee)}()`), pool: shortText(poolText), method },
          suggest: fix ? [{ messageId: 'suggestPoolQuery', data: { pool: shortText(poolText), method }, fix }] : [],
        });
      },
    });
  },
});

/**
 * The one query of a connection that is otherwise only released (and tested for presence), or
 * undefined if it is used any other way.
 */
function singleQuery(resource: Resource): TSESTree.CallExpression | undefined {
  if (resource.opaque || resource.handoffs > 0 || resource.passedToUnknown > 0 || resource.continuations.size > 0) return undefined;
  if (resource.releaseCalls.length === 0) return undefined;
  const queries: TSESTree.CallExpression[] = [];
  for (const ref of resource.variable.references) {
    if (ref.init === true || ref.isWrite()) continue;
    const id = ref.identifier;
    if (enclosingFunction(id) !== resource.owner) return undefined;
    const parent = valueParent(id);
    if (parent?.type === AST_NODE_TYPES.MemberExpression) {
      const call = valueParent(parent);
      if (call?.type !== AST_NODE_TYPES.CallExpression || skipTsWrappers(call.callee) !== parent) return undefined;
      if (resource.releaseCalls.includes(call)) continue;
      const name = memberName(parent);
      if (name === undefined || !QUERY_METHODS.includes(name) || queryTransactionStatement(call)) return undefined;
      queries.push(call);
      continue;
    }
    if (resource.releaseCalls.some((call) => call.arguments.some((arg) => arg === id))) continue;
    const test = parent?.type === AST_NODE_TYPES.IfStatement || parent?.type === AST_NODE_TYPES.LogicalExpression;
    if (!test || isPresenceTest(id, resource.variable) === undefined) return undefined;
  }
  return queries.length === 1 ? queries[0] : undefined;
}

/**
 * Two shapes: `const c = await pool.getConnection(); <stmt with c.query>; c.release();` and the same
 * with the query statements in `try { ... } finally { c.release(); }`.
 */
function poolQueryFix(
  sourceCode: Readonly<TSESLint.SourceCode>,
  resource: Resource,
  query: TSESTree.CallExpression,
  poolText: string,
): TSESLint.ReportFixFunction | undefined {
  const awaited = valueParent(resource.acquisition.node);
  const declarator = awaited?.type === AST_NODE_TYPES.AwaitExpression ? valueParent(awaited) : awaited;
  const statement = declarator?.type === AST_NODE_TYPES.VariableDeclarator ? declarator.parent : undefined;
  const block = statement?.parent;
  if (!statement || statement.declarations.length !== 1 || block?.type !== AST_NODE_TYPES.BlockStatement) return undefined;
  const index = block.body.indexOf(statement);
  const next = block.body[index + 1];
  const after = block.body[index + 2];
  const receiver = skipTsWrappers((query.callee as TSESTree.MemberExpression).object);
  const withPool = (from: number, to: number): string =>
    sourceCode.text.slice(from, receiver.range[0]) + poolText + sourceCode.text.slice(receiver.range[1], to);
  if (!next) return undefined;
  if (contains(next, query) && after && isReleaseStatement(resource, after)) {
    return (fixer) => fixer.replaceTextRange([statement.range[0], after.range[1]], withPool(next.range[0], next.range[1]));
  }
  const tryStatement = next.type === AST_NODE_TYPES.TryStatement && !next.handler ? next : undefined;
  const only = tryStatement?.finalizer?.body.length === 1 ? tryStatement.finalizer.body[0] : undefined;
  const first = tryStatement?.block.body[0];
  const last = tryStatement?.block.body.at(-1);
  if (!tryStatement || !only || !isReleaseStatement(resource, only) || !first || !last || !contains(tryStatement.block, query)) {
    return undefined;
  }
  // A rewrite that re-indents a whole program (deeply nested callbacks inside the try) is no longer a
  // small edit to review, and building it at every level would cost time quadratic in the depth.
  if (last.range[1] - first.range[0] > MAX_REWRITE) return undefined;
  // The try block's declarations move into the enclosing block: not when a name is taken there.
  const blockScope = sourceCode.getScope(tryStatement.block);
  const outer = sourceCode.getScope(statement);
  if (blockScope !== outer && blockScope.variables.some((variable) => ASTUtils.findVariable(outer, variable.name) !== null)) {
    return undefined;
  }
  const indent = lineIndent(sourceCode, statement);
  if (indent === undefined) return undefined;
  const unit = indentUnit(indent, lineIndent(sourceCode, first));
  const text = dedentText(sourceCode, withPool(first.range[0], last.range[1]), first.range[0], unit);
  return (fixer) => fixer.replaceTextRange([statement.range[0], next.range[1]], text);
}

function isReleaseStatement(resource: Resource, statement: TSESTree.Statement): boolean {
  return (
    statement.type === AST_NODE_TYPES.ExpressionStatement &&
    resource.releaseCalls.some((call) => call === skipTsWrappers(statement.expression))
  );
}
