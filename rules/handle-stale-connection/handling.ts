/**
 * What counts as handling a lost connection for `handle-stale-connection`: code that replaces the
 * connection (assigns a new one, empties the holder for a getter, calls a reconnect), code that only
 * recognises the error, the handlers that see a query's failure, and health checks in getters.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';

import {
  LISTENER_METHODS,
  RECONNECT_FUNCTION_NAME,
  STALE_ERROR_CODES,
  STALE_ERROR_FUNCTIONS,
  STALE_ERROR_MESSAGE,
  STALE_ERROR_NUMBERS,
  STALE_ERROR_PROPERTIES,
} from '../../src/catalogue.js';
import { contains, isFunction, memberName, methodCall, skipTsWrappers, valueParent } from '../../src/analysis/ast.js';
import { localFunction, queryMethods, type DriverContext } from '../../src/analysis/drivers.js';
import { methodOf, someNode, thisClass, unwrapped, type Reach, type Use } from '../../src/analysis/long-lived.js';

const reconnectCache = new WeakMap<Reach, Map<TSESTree.Node, boolean>>();

/**
 * Whether code (a `catch` body, a listener, a branch) replaces the connection: it assigns a holder
 * (`db = await connect()`, `this.conn = null` for a getter to refill), calls a same-file function or
 * method that does, or calls a function named like a reconnect (fallback for code in other files).
 */
export function reconnects(ctx: DriverContext, reach: Reach, code: TSESTree.Node, depth = 0): boolean {
  let byNode = reconnectCache.get(reach);
  if (!byNode) {
    byNode = new Map();
    reconnectCache.set(reach, byNode);
  }
  const cached = byNode.get(code);
  if (cached !== undefined) return cached;
  byNode.set(code, false); // recursion guard
  const writes = new Set(reach.holders.flatMap((h) => h.writes));
  const result = someNode(ctx, code, (node) => {
    if (writes.has(node)) return true;
    if (node.type === AST_NODE_TYPES.CallExpression) {
      const call = methodCall(node);
      const callee = skipTsWrappers(node.callee);
      const name = call?.name ?? (callee.type === AST_NODE_TYPES.Identifier ? callee.name : undefined);
      if (name !== undefined && RECONNECT_FUNCTION_NAME.test(name)) return true;
      if (call && call.receiver.type === AST_NODE_TYPES.ThisExpression && depth < 3) {
        const cls = thisClass(call.member);
        const method = cls ? methodOf(cls, name ?? '') : undefined;
        if (method && reconnects(ctx, reach, method.body, depth + 1)) return true;
      }
    }
    if (node.type === AST_NODE_TYPES.Identifier && depth < 3 && !isDeclarationName(node)) {
      // `handleDisconnect()` or `setTimeout(handleDisconnect, 2000)`: a same-file function that reconnects.
      const fn = localFunction(ctx, node);
      if (fn && !contains(fn, node) && reconnects(ctx, reach, fn.body, depth + 1)) return true;
    }
    return false;
  });
  byNode.set(code, result);
  return result;
}

function isDeclarationName(node: TSESTree.Identifier): boolean {
  const parent = node.parent;
  return (
    (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.id === node) ||
    (isFunction(parent) && (parent.params as TSESTree.Node[]).includes(node)) ||
    (parent.type === AST_NODE_TYPES.FunctionDeclaration && parent.id === node) ||
    (parent.type === AST_NODE_TYPES.MemberExpression && parent.property === node && !parent.computed) ||
    (parent.type === AST_NODE_TYPES.Property && parent.key === node && !parent.computed)
  );
}

/**
 * Whether code tests for a lost connection: a stale error code, SQLSTATE, server error number or
 * message, `err.fatal` / `err.isRecoverable`, or the runtime's `isStaleConnectionError` / `classifyError`.
 */
export function recognisesLostConnection(ctx: DriverContext, code: TSESTree.Node): boolean {
  return someNode(ctx, code, (node) => {
    if (node.type === AST_NODE_TYPES.Literal) {
      if (typeof node.value === 'string') return STALE_ERROR_CODES.includes(node.value) || STALE_ERROR_MESSAGE.test(node.value);
      if (typeof node.value === 'number') return STALE_ERROR_NUMBERS.includes(node.value) && node.parent.type === AST_NODE_TYPES.BinaryExpression;
      if (node.value instanceof RegExp) return STALE_ERROR_MESSAGE.test(node.value.source);
      return false;
    }
    if (node.type === AST_NODE_TYPES.TemplateElement) return STALE_ERROR_MESSAGE.test(node.value.raw);
    if (node.type === AST_NODE_TYPES.MemberExpression) {
      const name = memberName(node);
      return name !== undefined && (STALE_ERROR_PROPERTIES.includes(name) || STALE_ERROR_FUNCTIONS.includes(name));
    }
    if (node.type === AST_NODE_TYPES.Identifier) return STALE_ERROR_FUNCTIONS.includes(node.name) && node.parent.type === AST_NODE_TYPES.CallExpression;
    return false;
  });
}

/** The handlers that see a failure of a call: enclosing `catch` clauses, `.catch()` / `.then(_, h)`, a node-style callback. */
export function failureHandlers(call: TSESTree.CallExpression): TSESTree.Node[] {
  const handlers: TSESTree.Node[] = [];
  const last = call.arguments[call.arguments.length - 1];
  if (last && isFunction(last)) handlers.push(last.body);
  // Promise chain: call.then(a, b).catch(c)
  let link: TSESTree.Node = call;
  for (;;) {
    const member = valueParent(link);
    if (member?.type !== AST_NODE_TYPES.MemberExpression || !unwrapped(member.object, link)) break;
    const next = valueParent(member);
    if (next?.type !== AST_NODE_TYPES.CallExpression || skipTsWrappers(next.callee) !== member) break;
    const name = memberName(member);
    const handler = name === 'catch' ? next.arguments[0] : name === 'then' ? next.arguments[1] : undefined;
    if (handler) handlers.push(isFunction(handler) ? handler.body : handler);
    link = next;
  }
  // Enclosing try blocks, up to the function boundary.
  let child: TSESTree.Node = call;
  for (let parent: TSESTree.Node | undefined = call.parent; parent && !isFunction(parent); parent = parent.parent) {
    if (parent.type === AST_NODE_TYPES.TryStatement && parent.block === child && parent.handler) handlers.push(parent.handler);
    child = parent;
  }
  return handlers;
}

/** The `catch` clauses and listener handlers a node lies in (its own function only). */
function enclosingHandlers(reach: Reach, node: TSESTree.Node): TSESTree.Node[] {
  const found: TSESTree.Node[] = [];
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.type === AST_NODE_TYPES.CatchClause) found.push(parent);
    if (isFunction(parent)) {
      if (reach.listeners.some((l) => l.handler === parent)) found.push(parent);
      break;
    }
  }
  return found;
}

/** How a raw query call is protected against a lost connection. */
export type QueryHandling =
  | { readonly type: 'handled' }
  | { readonly type: 'recognisedOnly'; readonly handler: TSESTree.Node }
  | { readonly type: 'none' };

/** Whether the whole object is protected: a listener, health check or ping that replaces it. */
export function objectHandlesLoss(ctx: DriverContext, reach: Reach): boolean {
  for (const listener of reach.listeners) {
    if (listener.event !== undefined && !['error', 'end', 'close'].includes(listener.event)) continue;
    if (listener.handler && reconnects(ctx, reach, listener.handler)) return true;
  }
  const queryNames = queryMethods(ctx);
  const checks: TSESTree.Node[] = [
    ...reach.reads,
    ...reach.uses.filter((use) => !queryNames.has(use.name) && !LISTENER_METHODS.includes(use.name)).map((use) => use.call),
  ];
  return checks.some((check) => healthCheckReconnects(ctx, reach, check));
}

/** `if (conn.state === 'disconnected') conn = ...` or `try { await conn.ping() } catch { conn = ... }`. */
function healthCheckReconnects(ctx: DriverContext, reach: Reach, check: TSESTree.Node): boolean {
  let child: TSESTree.Node = check;
  for (let parent = check.parent; parent && !isFunction(parent); parent = parent.parent) {
    if (parent.type === AST_NODE_TYPES.IfStatement && parent.test === child) {
      return reconnects(ctx, reach, parent.consequent) || (parent.alternate !== null && reconnects(ctx, reach, parent.alternate));
    }
    if (parent.type === AST_NODE_TYPES.ConditionalExpression && parent.test === child) {
      return reconnects(ctx, reach, parent.consequent) || reconnects(ctx, reach, parent.alternate);
    }
    if (parent.type === AST_NODE_TYPES.LogicalExpression && parent.left === child) return reconnects(ctx, reach, parent.right);
    if (parent.type === AST_NODE_TYPES.TryStatement && parent.block === child && parent.handler) {
      return reconnects(ctx, reach, parent.handler);
    }
    child = parent;
  }
  return false;
}

/** How one query call is protected: a handler that reconnects, one that only recognises the error, or none. */
export function queryHandling(ctx: DriverContext, reach: Reach, use: Use): QueryHandling {
  if (enclosingHandlers(reach, use.call).some((handler) => reconnects(ctx, reach, handler))) return { type: 'handled' };
  let recognised: TSESTree.Node | undefined;
  for (const handler of failureHandlers(use.call)) {
    if (reconnects(ctx, reach, handler)) return { type: 'handled' };
    if (!recognised && recognisesLostConnection(ctx, handler)) recognised = handler;
  }
  return recognised ? { type: 'recognisedOnly', handler: recognised } : { type: 'none' };
}

