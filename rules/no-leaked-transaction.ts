import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { createRule } from '../src/create-rule.js';
import { enclosingFunction, isFunction, shortText, valueParent } from '../src/analysis/ast.js';
import { driverContext, resolveVariable, type Acquisition, type DriverContext } from '../src/analysis/drivers.js';
import { bodyStartAfter, endWithTrailingComment, indentUnit, lineIndent, movedText, statementInBlock } from '../src/analysis/fix.js';
import { mayTrackAny, walkGate } from '../src/analysis/walk-gate.js';
import { createFlowListeners, describeExit, type Finding } from '../src/analysis/flow.js';
import { trackResource, type Binding, type Resource } from '../src/analysis/resources.js';
import { BEGINNING_METHODS, CONNECTION_TRANSACTION, OBJECT_TRANSACTION, classifyBegin, mayBeginTransaction, type Begin } from '../src/analysis/transactions.js';

export type Options = [];
export type MessageIds = 'exceptionPath' | 'earlyExit' | 'callbackPath' | 'releasedOpen' | 'suggestRollbackInCatch';

export const RULE_NAME = 'no-leaked-transaction';

export default createRule<Options, MessageIds>({
  name: RULE_NAME,
  meta: {
    type: 'problem',
    docs: {
      description: 'Require every manually begun transaction to be committed or rolled back on every path',
      recommended: true,
    },
    hasSuggestions: true,
    messages: {
      exceptionPath:
        'Transaction begun by `{{source}}` is not rolled back if {{what}} on line {{line}} throws; roll it back in a `catch` block, or use `withTransaction()`.',
      earlyExit:
        'Transaction begun by `{{source}}` is still open when {{how}} on line {{line}}; commit or roll it back on every path.',
      callbackPath:
        'Transaction begun by `{{source}}` is still open in the callback when {{how}} on line {{line}}; commit or roll it back before every exit of the callback.',
      releasedOpen:
        '`{{release}}` on line {{line}} returns the connection to the pool while the transaction begun by `{{source}}` is open; the next borrower inherits it. Commit or roll back first.',
      suggestRollbackInCatch: 'Wrap the transaction in `try { ... } catch (err) { {{rollback}}; throw err; }`.',
    },
    schema: [],
  },
  create(context) {
    const ctx = driverContext(context);
    if (!mayBeginTransaction(ctx)) return {};
    const begins = new WeakMap<Resource, Begin>();
    return createFlowListeners(context, {
      methods: BEGINNING_METHODS,
      gate: () => walkGate(ctx),
      trackable: () => mayTrackAny(ctx),
      track: (node) => {
        const begin = classifyBegin(ctx, node);
        const resource = begin ? trackBegin(ctx, begin) : undefined;
        if (begin && resource) begins.set(resource, begin);
        return resource;
      },
      onResource: (resource, findings) => {
        const begin = begins.get(resource);
        if (begin) reportTransaction(context, resource, begin, findings);
      },
    });
  },
});

type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;

/** Builds the tracked obligation of a begin, or undefined when nothing here owns it. */
function trackBegin(ctx: DriverContext, begin: Begin): Resource | undefined {
  const binding = beginBinding(ctx, begin);
  if (!binding) return undefined;
  const acquisition: Acquisition = {
    node: begin.node,
    kind: 'transaction',
    source: undefined,
    method: begin.method,
    pkg: undefined,
    ...(begin.method === 'Transaction' && { startMethod: 'begin' }),
  };
  return trackResource(ctx, acquisition, binding, begin.kind === 'connection' ? CONNECTION_TRANSACTION : OBJECT_TRANSACTION);
}

function beginBinding(ctx: DriverContext, begin: Begin): Extract<Binding, { type: 'variable' } | { type: 'parameter' }> | undefined {
  const node = begin.node;
  if (begin.kind === 'connection' && begin.connection) {
    const variable = resolveVariable(ctx, begin.connection);
    if (!variable) return undefined;
    // conn.beginTransaction((err) => { ... }): the transaction is open inside the callback.
    const callback = node.arguments.find((arg) => isFunction(arg));
    if (callback && isFunction(callback)) {
      const errNode = callback.params[0];
      const errorParam = errNode?.type === AST_NODE_TYPES.Identifier ? (resolveVariable(ctx, errNode) ?? undefined) : undefined;
      return { type: 'parameter', variable, fn: callback, errorParam, releasers: [] };
    }
    const owner = enclosingFunction(node);
    if (owner.type === AST_NODE_TYPES.Program) return undefined;
    const awaited = valueParent(node);
    return { type: 'variable', variable, anchor: awaited?.type === AST_NODE_TYPES.AwaitExpression ? awaited : node, owner };
  }
  // const trx = await knex.transaction();  const tx = new sql.Transaction(pool);
  let value: TSESTree.Node = node;
  let parent = valueParent(value);
  if (parent?.type === AST_NODE_TYPES.AwaitExpression) {
    value = parent;
    parent = valueParent(value);
  }
  if (parent?.type !== AST_NODE_TYPES.VariableDeclarator || parent.id.type !== AST_NODE_TYPES.Identifier) return undefined;
  const owner = enclosingFunction(parent);
  const variable = resolveVariable(ctx, parent.id);
  if (!variable || owner.type === AST_NODE_TYPES.Program) return undefined;
  return { type: 'variable', variable, anchor: parent, owner };
}

function reportTransaction(context: Context, resource: Resource, begin: Begin, findings: readonly Finding[]): void {
  if (resource.opaque) return;
  const node = begin.node.arguments.some((arg) => isFunction(arg)) ? begin.node.callee : begin.node;
  const source = beginLabel(context.sourceCode, begin);
  const ended = resource.releases > 0 || resource.continuations.size > 0;
  const checks = findings.filter((f): f is Extract<Finding, { type: 'check' }> => f.type === 'check');
  const line = (n: TSESTree.Node): string => String(n.loc.start.line);
  const firstCheck = checks.sort((a, b) => a.node.range[0] - b.node.range[0])[0];
  if (!ended) {
    // Committed elsewhere (the connection was handed over) unless it goes back to the pool here.
    if (firstCheck) {
      context.report({
        node,
        messageId: 'releasedOpen',
        data: { source, release: shortText(context.sourceCode.getText(firstCheck.node)), line: line(firstCheck.node) },
      });
    }
    return;
  }
  const exit = findings
    .filter((f): f is Extract<Finding, { type: 'exit' }> => f.type === 'exit')
    .sort((a, b) => (a.node?.range[0] ?? a.fn.range[1]) - (b.node?.range[0] ?? b.fn.range[1]))[0];
  if (exit) {
    const how = describeExit(exit.node, exit.inCallback);
    context.report({
      node,
      messageId: exit.inCallback ? 'callbackPath' : 'earlyExit',
      data: { source, how, line: exit.node ? line(exit.node) : String(exit.fn.loc.end.line) },
    });
    return;
  }
  const exception = findings
    .filter((f): f is Extract<Finding, { type: 'exception' }> => f.type === 'exception')
    .sort((a, b) => a.node.range[0] - b.node.range[0])[0];
  if (exception) {
    const target = exception.node.type === AST_NODE_TYPES.AwaitExpression ? exception.node.argument : exception.node;
    const what = target.type === AST_NODE_TYPES.CallExpression ? `${context.sourceCode.getText(target.callee)}()` : context.sourceCode.getText(target);
    const suggestion = rollbackSuggestion(context.sourceCode, resource, begin);
    context.report({
      node,
      messageId: 'exceptionPath',
      data: { source, what: `\`${shortText(what)}\``, line: line(exception.node) },
      suggest: suggestion
        ? [{ messageId: 'suggestRollbackInCatch', data: { rollback: suggestion.rollback }, fix: suggestion.fix }]
        : [],
    });
    return;
  }
  if (firstCheck) {
    context.report({
      node,
      messageId: 'releasedOpen',
      data: { source, release: shortText(context.sourceCode.getText(firstCheck.node)), line: line(firstCheck.node) },
    });
  }
}

/** `conn.beginTransaction()`, `client.query('BEGIN')`, `new sql.Transaction()`. */
function beginLabel(sourceCode: Readonly<TSESLint.SourceCode>, begin: Begin): string {
  const callee = sourceCode.getText(begin.node.callee);
  if (begin.node.type === AST_NODE_TYPES.NewExpression) return shortText(`new ${callee}()`);
  const sql = begin.node.arguments[0];
  if (begin.kind === 'connection' && sql && !isFunction(sql) && !begin.method.endsWith('Transaction')) {
    return shortText(`${callee}(${sourceCode.getText(sql)})`, 60);
  }
  return shortText(`${callee}()`);
}

/**
 * Suggestion for the common shape: begin, statements, and the commit, in one block of an async
 * function. Wraps the statements through the commit in `try { ... } catch (err) { rollback; throw err; }`.
 */
function rollbackSuggestion(
  sourceCode: Readonly<TSESLint.SourceCode>,
  resource: Resource,
  begin: Begin,
): { rollback: string; fix: TSESLint.ReportFixFunction } | undefined {
  if (resource.atEntry) return undefined;
  const fn = resource.owner;
  if (!fn.async) return undefined;
  const site = statementInBlock(begin.node);
  if (!site) return undefined;
  const { statement, block, index } = site;
  const ends = resource.releaseCalls
    .map((call) => block.body.findIndex((s) => s.range[0] <= call.range[0] && call.range[1] <= s.range[1]))
    .filter((i) => i > index);
  const last = Math.max(-1, ...ends);
  const lastStatement = block.body[last];
  const firstStatement = block.body[index + 1];
  const indent = lineIndent(sourceCode, statement);
  const bodyStart = bodyStartAfter(sourceCode, statement);
  if (!lastStatement || !firstStatement || indent === undefined || bodyStart === undefined) return undefined;
  const receiver = begin.kind === 'connection' ? begin.connection?.name : resource.variable.name;
  if (receiver === undefined) return undefined;
  const rollback = `await ${begin.rollback.replace('$', receiver)}`;
  const unit = indentUnit(indent, lineIndent(sourceCode, firstStatement));
  const end = endWithTrailingComment(sourceCode, lastStatement);
  const body = movedText(sourceCode, bodyStart, end, unit, []);
  const head = sourceCode.text.slice(statement.range[1], bodyStart - 1).replace(/\r$/, '');
  const text = `${head}\n${indent}try {\n${body}\n${indent}} catch (err) {\n${indent}${unit}${rollback};\n${indent}${unit}throw err;\n${indent}}`;
  return { rollback, fix: (fixer) => fixer.replaceTextRange([statement.range[1], end], text) };
}
