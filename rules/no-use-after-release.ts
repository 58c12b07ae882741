import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { createRule } from '../src/create-rule.js';
import { isFunction, methodCall, shortText, skipTsWrappers } from '../src/analysis/ast.js';
import { acquiringMethods, driverContext, mayAcquire } from '../src/analysis/drivers.js';
import { mayTrackAny, walkGate } from '../src/analysis/walk-gate.js';
import { createFlowListeners, type Finding } from '../src/analysis/flow.js';
import { resourceFor, trackReleasedState, trackResource, type Resource } from '../src/analysis/resources.js';
import { QUERY_METHODS } from '../src/catalogue.js';

export type Options = [];
export type MessageIds = 'useAfterRelease' | 'doubleRelease' | 'releaseBeforeCallback';

export const RULE_NAME = 'no-use-after-release';

export default createRule<Options, MessageIds>({
  name: RULE_NAME,
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow using or releasing a connection after it was released',
      recommended: true,
    },
    messages: {
      useAfterRelease:
        '`{{call}}` can run after the connection was released (line {{line}}): another caller may own it by now. Use it before releasing, or check out a new one.',
      doubleRelease:
        '`{{call}}` can release the connection a second time (first release on line {{line}}); pg throws "Release called on client which has already been released".',
      releaseBeforeCallback:
        '`{{release}}` returns the connection to the pool before the callback of `{{query}}` on line {{line}} has run; release it inside the callback.',
    },
    schema: [],
  },
  create(context) {
    const ctx = driverContext(context);
    if (!mayAcquire(ctx)) return {};
    const connections = new WeakMap<Resource, Resource>();
    const reported = new Set<TSESTree.Node>();
    return createFlowListeners(context, {
      methods: acquiringMethods(ctx),
      gate: () => walkGate(ctx),
      trackable: () => mayTrackAny(ctx),
      track: (node) => {
        const found = resourceFor(ctx, node);
        if (found?.binding.type !== 'variable' && found?.binding.type !== 'parameter') return undefined;
        const connection = trackResource(ctx, found.acquisition, found.binding);
        if (connection.opaque) return undefined;
        reportReleaseBeforeCallback(context, connection, reported);
        const state = trackReleasedState(connection);
        connections.set(state, connection);
        return state;
      },
      onResource: (state, findings) => {
        const connection = connections.get(state);
        if (connection) reportUses(context, connection, findings, reported);
      },
    });
  },
});

type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;

function reportUses(context: Context, connection: Resource, findings: readonly Finding[], reported: Set<TSESTree.Node>): void {
  for (const finding of findings) {
    if (finding.type !== 'check' || reported.has(finding.node)) continue;
    reported.add(finding.node);
    const release = previousRelease(connection, finding.node);
    const isRelease = connection.releaseCalls.includes(finding.node);
    context.report({
      node: finding.node,
      messageId: isRelease ? 'doubleRelease' : 'useAfterRelease',
      data: {
        call: shortText(`${context.sourceCode.getText(finding.node.callee)}()`),
        line: String((release ?? finding.node).loc.start.line),
      },
    });
  }
}

/** The release the use most plausibly follows: the nearest one before it in the text, else the first. */
function previousRelease(connection: Resource, use: TSESTree.Node): TSESTree.Node | undefined {
  const before = connection.releaseCalls.filter((call) => call !== use && call.range[1] <= use.range[0]);
  return before.at(-1) ?? connection.releaseCalls.find((call) => call !== use);
}

/**
 * mysql-style callbacks: `conn.query(sql, cb); conn.release();` in one block returns the connection
 * to the pool while the query is still queued on it (a dedicated connection's `end()` waits for queued
 * queries, so only checkouts are reported).
 */
function reportReleaseBeforeCallback(context: Context, connection: Resource, reported: Set<TSESTree.Node>): void {
  if (connection.acquisition.kind !== 'checkout') return;
  for (const release of connection.releaseCalls) {
    const statement = release.parent.type === AST_NODE_TYPES.ExpressionStatement ? release.parent : undefined;
    const block = statement?.parent;
    if (!statement || block?.type !== AST_NODE_TYPES.BlockStatement) continue;
    // Only the statements since the acquisition (when it is in the same block) can hold its query.
    const from = Math.max(0, block.body.findIndex((s) => s.range[0] <= connection.acquisition.node.range[0] && connection.acquisition.node.range[1] <= s.range[1]));
    const earlier = block.body.slice(from, block.body.indexOf(statement));
    const query = earlier.map((s) => callbackQuery(connection, s)).find((call) => call !== undefined);
    if (!query || reported.has(release)) continue;
    reported.add(release);
    context.report({
      node: release,
      messageId: 'releaseBeforeCallback',
      data: {
        release: shortText(`${context.sourceCode.getText(release.callee)}()`),
        query: shortText(`${context.sourceCode.getText(query.callee)}()`),
        line: String(query.loc.start.line),
      },
    });
  }
}

/** `conn.query(sql, (err, rows) => ...)` as a statement of its own. */
function callbackQuery(connection: Resource, statement: TSESTree.Statement): TSESTree.CallExpression | undefined {
  if (statement.type !== AST_NODE_TYPES.ExpressionStatement || statement.expression.type !== AST_NODE_TYPES.CallExpression) return undefined;
  const call = statement.expression;
  const method = methodCall(call);
  if (!method || !QUERY_METHODS.includes(method.name)) return undefined;
  const receiver = skipTsWrappers(method.receiver);
  const onConnection = connection.variable.references.some((ref) => ref.identifier === receiver);
  return onConnection && call.arguments.some((arg) => isFunction(arg)) ? call : undefined;
}
