import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';

export type FunctionNode =
  | TSESTree.ArrowFunctionExpression
  | TSESTree.FunctionDeclaration
  | TSESTree.FunctionExpression;

export function isFunction(node: TSESTree.Node | null | undefined): node is FunctionNode {
  return (
    node?.type === AST_NODE_TYPES.ArrowFunctionExpression ||
    node?.type === AST_NODE_TYPES.FunctionDeclaration ||
    node?.type === AST_NODE_TYPES.FunctionExpression
  );
}

/** Strips TypeScript-only wrappers (`x as T`, `x!`, `<T>x`, `x satisfies T`). */
export function skipTsWrappers(node: TSESTree.Node): TSESTree.Node {
  let current = node;
  while (
    current.type === AST_NODE_TYPES.TSAsExpression ||
    current.type === AST_NODE_TYPES.TSNonNullExpression ||
    current.type === AST_NODE_TYPES.TSTypeAssertion ||
    current.type === AST_NODE_TYPES.TSSatisfiesExpression
  ) {
    current = current.expression;
  }
  return current;
}

/** The parent, skipping TypeScript wrappers and `ChainExpression`. */
export function valueParent(node: TSESTree.Node): TSESTree.Node | undefined {
  let parent = node.parent;
  while (
    parent &&
    (parent.type === AST_NODE_TYPES.TSAsExpression ||
      parent.type === AST_NODE_TYPES.TSNonNullExpression ||
      parent.type === AST_NODE_TYPES.TSTypeAssertion ||
      parent.type === AST_NODE_TYPES.TSSatisfiesExpression ||
      parent.type === AST_NODE_TYPES.ChainExpression)
  ) {
    parent = parent.parent;
  }
  return parent;
}

/** `name` for `x.name`, `x['name']`, `x?.name`; undefined for computed non-literal keys. */
export function memberName(node: TSESTree.MemberExpression): string | undefined {
  if (!node.computed && node.property.type === AST_NODE_TYPES.Identifier) return node.property.name;
  if (node.computed && node.property.type === AST_NODE_TYPES.Literal && typeof node.property.value === 'string') {
    return node.property.value;
  }
  return undefined;
}

/** For a call `recv.method(...)`, the method name and receiver. */
/** The name of the method `methodCall` would see (`name` of `x.name()`), without building its result. */
export function methodName(node: TSESTree.CallExpression): string | undefined {
  const callee = skipTsWrappers(node.callee);
  return callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : undefined;
}

export function methodCall(
  node: TSESTree.CallExpression,
): { name: string; receiver: TSESTree.Expression; member: TSESTree.MemberExpression } | undefined {
  const callee = skipTsWrappers(node.callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
  const name = memberName(callee);
  if (name === undefined) return undefined;
  return { name, receiver: callee.object, member: callee };
}

/**
 * `x.name(...)` with `name` in `names`, as the selector `CallExpression[callee.property.name=...]`
 * sees it (the callee itself, no TypeScript wrappers skipped): a check in the listener costs less than
 * the selector's match, which ESLint runs for every call of every file.
 */
export function isMethodNamed(node: TSESTree.CallExpression, names: ReadonlySet<string>): boolean {
  const callee = node.callee;
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
  const property = callee.property;
  return (property.type === AST_NODE_TYPES.Identifier || property.type === AST_NODE_TYPES.PrivateIdentifier) && names.has(property.name);
}

/**
 * The name a receiver is known by, for name heuristics: `pool` for `pool`, `this.pool`, `db.pool`,
 * `pool.promise()`, `getPool()`.
 */
export function receiverName(node: TSESTree.Node): string | undefined {
  const target = skipTsWrappers(node);
  switch (target.type) {
    case AST_NODE_TYPES.Identifier:
      return target.name;
    case AST_NODE_TYPES.MemberExpression:
      return memberName(target);
    case AST_NODE_TYPES.AwaitExpression:
      return receiverName(target.argument);
    case AST_NODE_TYPES.CallExpression: {
      const call = methodCall(target);
      if (call?.name === 'promise') return receiverName(call.receiver);
      const callee = skipTsWrappers(target.callee);
      if (callee.type === AST_NODE_TYPES.Identifier) return callee.name.replace(/^get/, '');
      return undefined;
    }
    default:
      return undefined;
  }
}

/** True when `inner` lies inside `outer` (or is it). */
export function contains(outer: TSESTree.Node, inner: TSESTree.Node): boolean {
  return outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
}

const enclosingCache = new WeakMap<TSESTree.Node, FunctionNode | TSESTree.Program>();

/**
 * The nearest enclosing function (or the Program) of a node. Memoised along the walked path, so that
 * asking for every node of a deeply nested file stays linear.
 */
export function enclosingFunction(node: TSESTree.Node): FunctionNode | TSESTree.Program {
  const walked: TSESTree.Node[] = [];
  let current = node.parent;
  let found: FunctionNode | TSESTree.Program | undefined;
  while (current) {
    const cached = enclosingCache.get(current);
    if (cached) {
      found = cached;
      break;
    }
    if (isFunction(current) || current.type === AST_NODE_TYPES.Program) {
      found = current;
      break;
    }
    walked.push(current);
    current = current.parent;
  }
  if (!found) throw new Error('node outside a Program');
  // A node that is not a function answers for its descendants: their enclosing function is its own.
  for (const step of walked) enclosingCache.set(step, found);
  return found;
}

/** Short source text for messages: at most `max` characters on one line. */
export function shortText(text: string, max = 40): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** Whether a value read from a node's visitor key is a node (not null, a hole, or another value). */
export function isNode(value: unknown): value is TSESTree.Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/**
 * The child of `node` (by `keys`, the parser's visitor keys of its type) whose range holds `index`,
 * if any: children do not overlap, and each list of them is searched by binary search.
 */
export function childHolding(node: TSESTree.Node, keys: readonly string[], index: number): TSESTree.Node | undefined {
  for (const key of keys) {
    const child = (node as unknown as Record<string, unknown>)[key];
    const found = Array.isArray(child) ? elementHolding(child, index) : isNode(child) && child.range[0] <= index && index < child.range[1] ? child : undefined;
    if (found) return found;
  }
  return undefined;
}

/** The element of a list of nodes in source order (holes allowed) whose range holds `index`. */
function elementHolding(list: readonly unknown[], index: number): TSESTree.Node | undefined {
  let low = 0;
  let high = list.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const item = list[mid];
    if (!isNode(item)) break;
    if (index < item.range[0]) high = mid - 1;
    else if (index >= item.range[1]) low = mid + 1;
    else return item;
  }
  if (low > high) return undefined;
  // A hole (`[a, , b]`) in the way: look at every element.
  for (const item of list) if (isNode(item) && item.range[0] <= index && index < item.range[1]) return item;
  return undefined;
}
