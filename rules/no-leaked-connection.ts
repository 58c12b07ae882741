import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { createRule } from '../src/create-rule.js';
import { enclosingFunction, isFunction, memberName, shortText, valueParent } from '../src/analysis/ast.js';
import { acquiringMethods, driverContext, mayAcquire, resolveVariable, type DriverContext } from '../src/analysis/drivers.js';
import { mayTrackAny, walkGate } from '../src/analysis/walk-gate.js';
import { createFlowListeners, describeExit, type Finding } from '../src/analysis/flow.js';
import { resourceFor, trackResource, type Resource } from '../src/analysis/resources.js';
import { buildTryFinallyFix, buildAwaitUsingFix, buildWithConnectionFix } from './no-leaked-connection/fix.js';

export type Options = [
  {
    fix?: 'autofix' | 'suggestion' | 'none';
    requireFinally?: boolean;
  },
];

export type MessageIds =
  | 'exceptionPath'
  | 'rejectionPath'
  | 'earlyExit'
  | 'callbackPath'
  | 'neverReleased'
  | 'releaseNotInFinally'
  | 'suggestTryFinally'
  | 'suggestWithConnection'
  | 'suggestAwaitUsing';

export const RULE_NAME = 'no-leaked-connection';

export default createRule<Options, MessageIds>({
  name: RULE_NAME,
  meta: {
    type: 'problem',
    docs: {
      description: 'Require every acquired database connection to be released on every path',
      recommended: true,
    },
    fixable: 'code',
    hasSuggestions: true,
    messages: {
      exceptionPath:
        'Connection from `{{source}}` is not released if {{what}} on line {{line}} throws; release it in a `finally` block.',
      rejectionPath:
        'Connection from `{{source}}` is released only when the promise on line {{line}} resolves; release it in `.finally()` or in both branches.',
      earlyExit:
        'Connection from `{{source}}` is not released when {{how}} on line {{line}}; release it in a `finally` block.',
      callbackPath:
        'Connection from `{{source}}` is not released in the callback when {{how}} on line {{line}}; release it before every exit of the callback.',
      neverReleased:
        'Connection from `{{source}}` is never released; release it in a `finally` block, or use `withConnection()` from `db-connection-guard/runtime`.',
      releaseNotInFinally:
        '`{{release}}` is not in a `finally` block: an exception before it leaks the connection (requireFinally).',
      suggestTryFinally: 'Wrap the code that uses the connection in `try { ... } finally { {{release}} }`.',
      suggestWithConnection: 'Rewrite with `withConnection({{pool}}, async ({{name}}) => ...)` from `db-connection-guard/runtime`.',
      suggestAwaitUsing: 'Declare the connection with `await using` so that it is released when the scope exits.',
    },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          fix: {
            type: 'string',
            enum: ['autofix', 'suggestion', 'none'],
            description:
              'How to offer the `try`/`finally` fix: as an autofix (applied by `--fix` and fix-on-save), as a suggestion only, or not at all.',
          },
          requireFinally: {
            type: 'boolean',
            description:
              'Also report every release that is not inside a `finally` block, even where a `catch` releases on the exception path.',
          },
        },
      },
    ],
    defaultOptions: [{ fix: 'autofix', requireFinally: false }],
  },
  create(context, [options]) {
    const ctx = driverContext(context);
    if (!mayAcquire(ctx)) return {};
    const fixMode = options.fix ?? 'autofix';
    const requireFinally = options.requireFinally ?? false;

    return createFlowListeners(context, {
      methods: acquiringMethods(ctx),
      gate: () => walkGate(ctx),
      trackable: () => mayTrackAny(ctx),
      track: (node) => trackAcquisition(context, ctx, node),
      onResource: (resource, findings) => {
        reportResource(context, ctx, resource, findings, fixMode);
        if (requireFinally) reportReleasesOutsideFinally(context, resource);
      },
    });
  },
});

type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;

/** Classifies a call; reports discarded connections at once and returns the ones to follow. */
function trackAcquisition(
  context: Context,
  ctx: DriverContext,
  node: TSESTree.CallExpression | TSESTree.NewExpression,
): Resource | undefined {
  const found = resourceFor(ctx, node);
  if (!found) return undefined;
  const { acquisition, binding } = found;
  if (binding.type === 'discarded') {
    context.report({ node, messageId: 'neverReleased', data: { source: sourceLabel(context, node) } });
    return undefined;
  }
  if (binding.type !== 'variable' && binding.type !== 'parameter') return undefined;
  return trackResource(ctx, acquisition, binding);
}

/** Reports at most one problem per acquisition: the most telling path. */
function reportResource(
  context: Context,
  ctx: DriverContext,
  resource: Resource,
  findings: readonly Finding[],
  fixMode: Options[0]['fix'],
): void {
  if (resource.opaque) return;
  const node = reportNode(resource.acquisition.node);
  const source = sourceLabel(context, resource.acquisition.node);
  const released = resource.releases > 0 || resource.continuations.size > 0;
  if (!released) {
    // Passed to another function or handed over without a release here: the callee owns it.
    if (resource.handoffs > 0 || resource.passedToUnknown > 0) return;
    if (!holdsConnection(resource)) return;
    context.report({ node, messageId: 'neverReleased', data: { source }, suggest: suggestions(context, ctx, resource) });
    return;
  }
  const finding = pickFinding(localPool(ctx, resource) ? findings.filter((f) => f.type !== 'exception') : findings);
  if (!finding || finding.type === 'check') return; // connections have no checks
  const fix = (fixMode === 'autofix' ? buildTryFinallyFix(context.sourceCode, resource) : undefined) ?? null;
  const suggest = suggestions(context, ctx, resource, fixMode === 'suggestion');
  const line = (n: TSESTree.Node): string => String(n.loc.start.line);
  if (finding.type === 'exception') {
    const rejection = finding.node.type !== AST_NODE_TYPES.AwaitExpression;
    context.report({
      node,
      messageId: rejection ? 'rejectionPath' : 'exceptionPath',
      data: { source, what: describeThrow(context, finding.node), line: line(finding.node) },
      fix,
      suggest,
    });
    return;
  }
  const how = describeExit(finding.node, finding.inCallback);
  const exitLine = finding.node ? line(finding.node) : String(finding.fn.loc.end.line);
  context.report({
    node,
    messageId: finding.inCallback ? 'callbackPath' : 'earlyExit',
    data: { source, how, line: exitLine },
    fix: finding.inCallback ? null : fix,
    suggest: finding.inCallback ? [] : suggest,
  });
}

/**
 * A TypeORM query runner takes a connection on `connect()` or its first query; one that only ever
 * calls other methods (MongoDB's shared runner, metadata reads) holds nothing to release.
 */
function holdsConnection(resource: Resource): boolean {
  if (resource.acquisition.method !== 'createQueryRunner') return true;
  return resource.variable.references.some((ref) => {
    const member = valueParent(ref.identifier);
    const name = member?.type === AST_NODE_TYPES.MemberExpression ? memberName(member) : undefined;
    return name !== undefined && CONNECTING_RUNNER_METHODS.has(name);
  });
}

const CONNECTING_RUNNER_METHODS = new Set(['connect', 'query', 'startTransaction', 'stream', 'manager']);

/**
 * A pool created inside a function (a test's or a script's own pool, not a module's shared one) dies
 * with it: a connection it loses on an exception path affects nothing else, so only normal paths are
 * reported.
 */
function localPool(ctx: DriverContext, resource: Resource): boolean {
  const source = resource.acquisition.source;
  if (source?.type !== AST_NODE_TYPES.Identifier) return false;
  const def = resolveVariable(ctx, source)?.defs[0];
  if (def?.node.type !== AST_NODE_TYPES.VariableDeclarator) return false;
  const init = def.node.init;
  const created = init?.type === AST_NODE_TYPES.CallExpression || init?.type === AST_NODE_TYPES.NewExpression;
  return created && enclosingFunction(def.node).type !== AST_NODE_TYPES.Program;
}

/** The acquiring call, or only its callee when a callback follows (`pool.getConnection((err, conn) => ...)`). */
function reportNode(node: TSESTree.CallExpression | TSESTree.NewExpression): TSESTree.Node {
  return node.arguments.some((arg) => isFunction(arg)) ? node.callee : node;
}

/** Normal-path leaks first (they happen without any error), then exception paths, earliest first. */
function pickFinding(findings: readonly Finding[]): Finding | undefined {
  const byPosition = (a: Finding, b: Finding): number => position(a) - position(b);
  const exits = findings.filter((f) => f.type === 'exit').sort(byPosition);
  if (exits[0]) return exits[0];
  return [...findings].sort(byPosition)[0];
}

function position(finding: Finding): number {
  if (finding.type !== 'exit') return finding.node.range[0];
  return finding.node ? finding.node.range[0] : finding.fn.range[1];
}

function describeThrow(context: Context, node: TSESTree.Node): string {
  const target = node.type === AST_NODE_TYPES.AwaitExpression ? node.argument : node;
  const text = context.sourceCode.getText(target);
  const call = target.type === AST_NODE_TYPES.CallExpression ? `${context.sourceCode.getText(target.callee)}()` : text;
  return `\`${shortText(call)}\``;
}

function sourceLabel(context: Context, node: TSESTree.CallExpression | TSESTree.NewExpression): string {
  const callee = shortText(context.sourceCode.getText(node.callee));
  return node.type === AST_NODE_TYPES.NewExpression ? `new ${callee}()` : `${callee}()`;
}

function suggestions(
  context: Context,
  ctx: DriverContext,
  resource: Resource,
  includeTryFinally = false,
): TSESLint.ReportSuggestionArray<MessageIds> {
  const list: TSESLint.ReportSuggestionArray<MessageIds> = [];
  if (includeTryFinally) {
    const fix = buildTryFinallyFix(context.sourceCode, resource);
    const release = resource.releaseCalls[0];
    if (fix && release) {
      list.push({ messageId: 'suggestTryFinally', data: { release: `${context.sourceCode.getText(release)};` }, fix });
    }
  }
  const withConnection = buildWithConnectionFix(ctx, resource);
  if (withConnection) {
    list.push({ messageId: 'suggestWithConnection', data: withConnection.data, fix: withConnection.fix });
  }
  const awaitUsing = buildAwaitUsingFix(context.sourceCode, resource);
  if (awaitUsing) list.push({ messageId: 'suggestAwaitUsing', fix: awaitUsing });
  return list;
}

/** `requireFinally`: every direct release must sit in a `finally` block. */
function reportReleasesOutsideFinally(context: Context, resource: Resource): void {
  if (resource.opaque || resource.atEntry) return;
  for (const call of resource.releaseCalls) {
    if (insideFinally(call, resource.owner)) continue;
    context.report({ node: call, messageId: 'releaseNotInFinally', data: { release: shortText(context.sourceCode.getText(call)) } });
  }
}

function insideFinally(node: TSESTree.Node, stop: TSESTree.Node): boolean {
  let child: TSESTree.Node = node;
  let parent = node.parent;
  while (parent && parent !== stop) {
    if (parent.type === AST_NODE_TYPES.TryStatement && parent.finalizer === child) return true;
    child = parent;
    parent = parent.parent;
  }
  return false;
}
