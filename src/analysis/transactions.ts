/**
 * Transactions: which SQL text begins or ends one, and which calls begin one on a connection or
 * return a transaction object. Shared by no-leaked-transaction and no-transaction-on-pool.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';

import { QUERY_METHODS } from '../catalogue.js';
import { isFunction, methodCall, skipTsWrappers } from './ast.js';
import { fileFact, importSource, textFacts, traceValue, type DriverContext } from './drivers.js';
import { MAY_BEGIN_STATEMENT } from './text.js';
import type { Vocabulary } from './resources.js';

export type TransactionStatement = 'begin' | 'commit' | 'rollback';

const BEGIN = /^\s*(?:BEGIN(?:\s+(?:WORK|TRANSACTION))?(?:\s+ISOLATION\s+LEVEL\s+[\w\s]+|\s+READ\s+(?:ONLY|WRITE))*|START\s+TRANSACTION(?:\s+[\w\s,]+)?)\s*;?\s*$/i;
const COMMIT = /^\s*(?:COMMIT|END)(?:\s+(?:WORK|TRANSACTION))?\s*;?\s*$/i;
const ROLLBACK = /^\s*(?:ROLLBACK|ABORT)(?:\s+(?:WORK|TRANSACTION))?\s*;?\s*$/i;

/** The static text of a string literal or an expression-free template literal. */
export function staticText(node: TSESTree.Node | undefined): string | undefined {
  if (!node) return undefined;
  const target = skipTsWrappers(node);
  if (target.type === AST_NODE_TYPES.Literal && typeof target.value === 'string') return target.value;
  if (target.type === AST_NODE_TYPES.TemplateLiteral && target.expressions.length === 0) return target.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/**
 * `BEGIN`, `START TRANSACTION`, `COMMIT`, `ROLLBACK` (whole statements only: an Oracle
 * `BEGIN ... END;` block or `ROLLBACK TO SAVEPOINT` is not one).
 */
export function transactionStatement(arg: TSESTree.Node | undefined): TransactionStatement | undefined {
  const text = staticText(arg);
  if (text === undefined) return undefined;
  if (BEGIN.test(text)) return 'begin';
  if (COMMIT.test(text)) return 'commit';
  if (ROLLBACK.test(text)) return 'rollback';
  return undefined;
}

/** `x.query('BEGIN')` and friends: the statement a query call runs, if it is a transaction statement. */
export function queryTransactionStatement(call: TSESTree.CallExpression): TransactionStatement | undefined {
  const method = methodCall(call);
  if (!method || !QUERY_METHODS.includes(method.name)) return undefined;
  return transactionStatement(call.arguments[0]);
}

/** A fast path for whole files: whether the text can hold a transaction statement at all. */
export function mayControlTransaction(ctx: DriverContext): boolean {
  return textFacts(ctx).control;
}

/** A fast path for whole files: whether the text can begin a transaction at all. */
export function mayBeginTransaction(ctx: DriverContext): boolean {
  return fileFact(ctx, 'mayBeginTransaction', (text) => {
    const facts = textFacts(ctx);
    return facts.beginCall || (facts.control && MAY_BEGIN_STATEMENT.test(text));
  });
}

/** How a transaction was begun. */
export type BeginKind =
  /** On a connection: `conn.beginTransaction()`, `conn.query('BEGIN')`, `queryRunner.startTransaction()`. */
  | 'connection'
  /** A transaction object: knex / Sequelize `await x.transaction()`, mssql `new Transaction(pool)`. */
  | 'object';

export interface Begin {
  readonly node: TSESTree.CallExpression | TSESTree.NewExpression;
  readonly kind: BeginKind;
  /** The connection the transaction runs on (for `connection` begins). */
  readonly connection: TSESTree.Identifier | undefined;
  readonly method: string;
  /** How to roll back, as source text with `$` for the receiver. */
  readonly rollback: string;
}

const BEGIN_METHODS: Readonly<Record<string, string>> = {
  beginTransaction: '$.rollback()',
  startTransaction: '$.rollbackTransaction()',
};

/** The methods that begin a transaction by their name alone (a query method begins one by its statement). */
export const BEGIN_CALL_METHODS: readonly string[] = [...Object.keys(BEGIN_METHODS), 'transaction'];

/** The method names whose calls can begin a transaction (`classifyBegin` looks at no other method call). */
export const BEGINNING_METHODS: ReadonlySet<string> = new Set([...BEGIN_CALL_METHODS, ...QUERY_METHODS]);

/** Recognises a call or `new` that begins a transaction. */
export function classifyBegin(ctx: DriverContext, node: TSESTree.CallExpression | TSESTree.NewExpression): Begin | undefined {
  if (node.type === AST_NODE_TYPES.NewExpression) {
    const callee = skipTsWrappers(node.callee);
    const name = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression && callee.property.type === AST_NODE_TYPES.Identifier ? callee.property.name : undefined;
    if (name !== 'Transaction') return undefined;
    const owner = callee.type === AST_NODE_TYPES.MemberExpression ? traceValue(ctx, callee.object) : undefined;
    const imported = callee.type === AST_NODE_TYPES.Identifier && importSource(ctx, callee) === 'mssql';
    if (!imported && owner?.pkg?.driver !== 'mssql') return undefined;
    return { node, kind: 'object', connection: undefined, method: 'Transaction', rollback: '$.rollback()' };
  }
  const method = methodCall(node);
  if (!method) return undefined;
  const receiver = skipTsWrappers(method.receiver);
  const rollback = Object.hasOwn(BEGIN_METHODS, method.name) ? BEGIN_METHODS[method.name] : undefined;
  if (rollback !== undefined && receiver.type === AST_NODE_TYPES.Identifier) {
    return { node, kind: 'connection', connection: receiver, method: method.name, rollback };
  }
  if (queryTransactionStatement(node) === 'begin' && receiver.type === AST_NODE_TYPES.Identifier && !isPoolLike(ctx, receiver)) {
    return { node, kind: 'connection', connection: receiver, method: method.name, rollback: `$.${method.name}('ROLLBACK')` };
  }
  if (method.name === 'transaction' && isManualTransactionCall(node)) {
    return { node, kind: 'object', connection: undefined, method: 'transaction', rollback: '$.rollback()' };
  }
  return undefined;
}

/** knex / Sequelize `x.transaction()` or `x.transaction({ isolationLevel })`: no callback, so nothing manages it. */
function isManualTransactionCall(node: TSESTree.CallExpression): boolean {
  if (node.arguments.length > 1) return false;
  const arg = node.arguments[0];
  if (arg && (arg.type !== AST_NODE_TYPES.ObjectExpression || isFunction(arg))) return false;
  return true;
}

/** A receiver that is a pool (traced, or named like one): queries on it run on any connection. */
export function isPoolLike(ctx: DriverContext, receiver: TSESTree.Node): boolean {
  const traced = traceValue(ctx, receiver);
  if (traced) return traced.kind === 'pool';
  const target = skipTsWrappers(receiver);
  const name =
    target.type === AST_NODE_TYPES.Identifier
      ? target.name
      : target.type === AST_NODE_TYPES.MemberExpression && target.property.type === AST_NODE_TYPES.Identifier
        ? target.property.name
        : undefined;
  return name !== undefined && /pool$|^pool|Pool/.test(name);
}

/** What ends a transaction on a connection, and what must not happen while it is open. */
export const CONNECTION_TRANSACTION: Vocabulary = {
  ends: (call, name) =>
    ['commit', 'rollback', 'commitTransaction', 'rollbackTransaction'].includes(name) ||
    (QUERY_METHODS.includes(name) && ['commit', 'rollback'].includes(queryTransactionStatement(call) ?? '')),
  endsByArgument: false,
  // Returning the connection to the pool with the transaction open hands it to the next borrower.
  // (pool.releaseConnection(conn) counts too: releasing by argument is a check for transactions.)
  checks: (_call, name) => name === 'release',
};

/** What ends a transaction object (knex, Sequelize, mssql). */
export const OBJECT_TRANSACTION: Vocabulary = {
  ends: (_call, name) => name === 'commit' || name === 'rollback',
  endsByArgument: false,
  checks: () => false,
};
